//! The shop-wide request budget on a real redis-server: two stations draw from one bucket, and a write takes its
//! turn together with the read that confirms its rows, or neither.

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
        assert_eq!(taker.take(&[("lecturas", rate)]).await.expect("taken"), None, "call {turn} within the burst");
    }
    let wait = b.take(&[("lecturas", rate)]).await.expect("answered").expect("the shop's burst is spent");
    assert!(wait <= Duration::from_millis(100), "one call every 100 ms: {wait:?}");
    assert_eq!(a.take(&[("escrituras", rate)]).await.expect("taken"), None, "writes have a bucket of their own");
    tokio::time::sleep(wait).await;
    assert_eq!(a.take(&[("lecturas", rate)]).await.expect("taken"), None, "refilled");
}

#[tokio::test]
async fn a_write_and_its_confirming_read_take_their_turns_together_or_not_at_all() {
    let server = RedisServer::start();
    let station = RedisLock::connect(&RedisSettings { url: server.url(), prefix: "par".into() }).expect("lock");
    let reads = Rate { calls: 60, window: Duration::from_secs(60), burst: 1 };
    let writes = Rate { calls: 6, window: Duration::from_secs(60), burst: 2 };
    let both = [("lecturas", reads), ("escrituras", writes)];
    assert_eq!(station.take(&both).await.expect("taken"), None, "both buckets had a call");
    let wait = station.take(&both).await.expect("answered").expect("the reads' bucket is empty");
    assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1), "until a read is due: {wait:?}");
    // Nothing was taken from the writes' bucket meanwhile: its second call is still there.
    assert_eq!(station.take(&[("escrituras", writes)]).await.expect("taken"), None);
    let wait = station.take(&[("escrituras", writes)]).await.expect("answered").expect("now it is empty");
    assert!(wait > Duration::from_secs(9), "one write every 10 s: {wait:?}");
    let level = station.level("escrituras", writes).await.expect("level");
    assert!(level < 1.0, "{level}");
}
