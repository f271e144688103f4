//! The shop-wide request budget on a real redis-server: two stations draw from one bucket.

use std::time::Duration;

use spooltrack_core::{Rate, SharedBudget};
use spooltrack_redis::{RedisLock, RedisSettings};
use spooltrack_testkit::RedisServer;

#[tokio::test]
async fn two_stations_share_one_bucket_that_refills_by_redis_s_clock() {
    let server = RedisServer::start();
    let station = || RedisLock::connect(&RedisSettings { url: server.url(), prefix: "cupo".into() }).expect("lock");
    let (a, b) = (station(), station());
    let rate = Rate { calls: 60, window: Duration::from_secs(6), burst: 10 };
    for turn in 0..10 {
        let taker = if turn % 2 == 0 { &a } else { &b };
        assert_eq!(taker.take("lecturas", rate).await.expect("taken"), None, "call {turn} within the burst");
    }
    let wait = b.take("lecturas", rate).await.expect("answered").expect("the shop's burst is spent");
    assert!(wait <= Duration::from_millis(100), "one call every 100 ms: {wait:?}");
    assert_eq!(a.take("escrituras", rate).await.expect("taken"), None, "writes have a bucket of their own");
    tokio::time::sleep(wait).await;
    assert_eq!(a.take("lecturas", rate).await.expect("taken"), None, "refilled");
}
