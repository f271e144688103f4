//! Prints latency figures of the Redis lock service and the live-update feed on a local redis-server:
//! `cargo bench -p spooltrack-redis --bench lock`. Figures are recorded in BENCHMARKS.md.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use spooltrack_core::{Acquisition, ChangeFeed, Holder, LockService, LockToken, SpoolEvent};
use spooltrack_redis::{RedisLock, RedisSettings};
use spooltrack_testkit::{fixture::holder, RedisServer};

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * fraction).round() as usize]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
    println!(
        "{name:<44} n={:<6} p50={:>7.3} ms  p95={:>7.3} ms  p99={:>7.3} ms",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.95)),
        ms(percentile(&samples, 0.99)),
    );
}

fn token_of(acquisition: Acquisition) -> Option<LockToken> {
    match acquisition {
        Acquisition::Granted(grant) => Some(grant.token),
        Acquisition::Held(_) => None,
    }
}

async fn one_contender(settings: &RedisSettings) {
    let lock = RedisLock::connect(settings).expect("lock");
    let mut samples = Vec::new();
    for round in 0..2_000 {
        let tag = format!("SOLO-{}", round % 10);
        let started = Instant::now();
        let answer = lock.acquire(&[(tag.clone(), holder(1))]).await.expect("acquire");
        samples.push(started.elapsed());
        let token = answer.into_iter().next().and_then(token_of).expect("granted");
        lock.release(&[(tag, token)]).await.expect("release");
    }
    report("acquire, 1 contender", samples);
}

async fn fifty_contenders(settings: &RedisSettings) {
    let stations: Vec<Arc<RedisLock>> =
        (0..50).map(|_| Arc::new(RedisLock::connect(settings).expect("lock"))).collect();
    let mut samples = Vec::new();
    for _ in 0..200 {
        let tasks: Vec<_> = stations
            .iter()
            .enumerate()
            .map(|(id, station)| {
                let station = Arc::clone(station);
                tokio::spawn(async move {
                    let started = Instant::now();
                    let answer = station.acquire(&[("HOT".to_string(), holder(id as u32))]).await.expect("acquire");
                    (id, started.elapsed(), answer.into_iter().next().and_then(token_of))
                })
            })
            .collect();
        for task in tasks {
            let (id, elapsed, token) = task.await.expect("task");
            samples.push(elapsed);
            if let Some(token) = token {
                stations[id].release(&[("HOT".to_string(), token)]).await.expect("release");
            }
        }
    }
    report("acquire, 50 contenders on one spool", samples);
}

async fn batch_of_fifty(settings: &RedisSettings) {
    let lock = RedisLock::connect(settings).expect("lock");
    let requests: Vec<(String, Holder)> = (0..50).map(|n| (format!("BATCH-{n}"), holder(1))).collect();
    let mut samples = Vec::new();
    for _ in 0..500 {
        let started = Instant::now();
        let answers = lock.acquire(&requests).await.expect("acquire");
        samples.push(started.elapsed());
        let grants: Vec<(String, LockToken)> =
            requests.iter().map(|(tag, _)| tag.clone()).zip(answers.into_iter().filter_map(token_of)).collect();
        lock.release(&grants).await.expect("release");
    }
    report("batch acquire of 50 tags (one script call)", samples);
}

async fn event_propagation(server: &RedisServer, settings: &RedisSettings) {
    let (speaker, listener) =
        (RedisLock::connect(settings).expect("lock").feed(), RedisLock::connect(settings).expect("lock").feed());
    let mut heard = listener.subscribe();
    server.wait_for_subscribers(&format!("{}:events", settings.prefix), 2);
    let mut samples = Vec::new();
    for round in 0..1_000 {
        let event = SpoolEvent {
            tags: vec![format!("T-{round}")],
            action: "TOMAR".into(),
            worker: "W(1)".into(),
            station: "A".into(),
            ..SpoolEvent::default()
        };
        let started = Instant::now();
        let seq = speaker.publish(&event).await.expect("publish");
        let received = tokio::time::timeout(Duration::from_secs(2), heard.recv()).await.expect("heard").expect("event");
        samples.push(started.elapsed());
        assert_eq!(received, SpoolEvent { seq, ..event });
    }
    report("event propagation between two stations", samples);
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = RedisServer::start();
    let settings = RedisSettings { url: server.url(), prefix: "bench".into() };
    println!("Redis lock service and live updates, local redis-server on loopback");
    // A site in service: its mark says Redis kept its data, so grants are handed out.
    RedisLock::connect(&settings).expect("lock").mark_intact(0).await.expect("marked");
    one_contender(&settings).await;
    fifty_contenders(&settings).await;
    batch_of_fifty(&settings).await;
    event_propagation(&server, &settings).await;
}
