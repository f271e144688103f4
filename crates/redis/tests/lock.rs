//! The Redis lock service on a real redis-server: batches in one script call, token checks, the fence,
//! contention from many stations, and Redis going away and coming back.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use spooltrack_core::{Acquisition, ForceAttempt, Holder, LockService, LockToken};
use spooltrack_domain::ErrorCode;
use spooltrack_redis::{RedisLock, RedisSettings};
use spooltrack_testkit::{fixture::holder, RedisServer};

/// A lock client of a site whose Redis has kept its data (its mark is in place).
async fn lock(server: &RedisServer, prefix: &str) -> RedisLock {
    let lock = RedisLock::connect(&RedisSettings { url: server.url(), prefix: prefix.into() }).expect("lock");
    lock.mark_intact(0).await.expect("marked");
    lock
}

fn granted(acquisition: &Acquisition) -> Option<(LockToken, u64)> {
    match acquisition {
        Acquisition::Granted(grant) => Some((grant.token.clone(), grant.fence)),
        Acquisition::Held(_) => None,
    }
}

async fn script_calls(server: &RedisServer) -> u64 {
    let client = redis::Client::open(server.url()).expect("client");
    let mut connection = client.get_multiplexed_async_connection().await.expect("connection");
    let stats: String = redis::cmd("INFO").arg("commandstats").query_async(&mut connection).await.expect("stats");
    stats
        .lines()
        .filter(|line| line.starts_with("cmdstat_evalsha:") || line.starts_with("cmdstat_eval:"))
        .filter_map(|line| line.split("calls=").nth(1)?.split(',').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test]
async fn a_batch_of_ten_with_three_held_is_one_script_call() {
    let server = RedisServer::start();
    let (mine, other) = (lock(&server, "batch").await, lock(&server, "batch").await);
    let tags: Vec<String> = (1..=10).map(|n| format!("T-{n}")).collect();
    let taken: Vec<(String, Holder)> = [2, 5, 9].iter().map(|n| (format!("T-{n}"), holder(94))).collect();
    other.acquire(&taken).await.expect("three taken elsewhere");

    let before = script_calls(&server).await;
    let requests: Vec<(String, Holder)> = tags.iter().map(|tag| (tag.clone(), holder(93))).collect();
    let answers = mine.acquire(&requests).await.expect("batch answered");
    assert_eq!(script_calls(&server).await - before, 1, "one script call for the whole batch");

    assert_eq!(answers.iter().filter(|answer| granted(answer).is_some()).count(), 7);
    for index in [1, 4, 8] {
        match &answers[index] {
            Acquisition::Held(holder) => assert_eq!(holder.worker, "W94(94)"),
            other => panic!("{} should be held, got {other:?}", tags[index]),
        }
    }
}

#[tokio::test]
async fn release_and_confirm_compare_the_token() {
    let server = RedisServer::start();
    let service = lock(&server, "tokens").await;
    let tag = "T-1".to_string();
    let answers = service.acquire(&[(tag.clone(), holder(93))]).await.expect("acquired");
    let (token, _) = granted(&answers[0]).expect("granted");
    let wrong = LockToken::new("not-the-token".into());

    assert_eq!(service.confirm(&[(tag.clone(), wrong.clone())]).await.expect("answered"), vec![false]);
    assert_eq!(service.release(&[(tag.clone(), wrong)]).await.expect("answered"), vec![false]);
    assert!(service.inspect(std::slice::from_ref(&tag)).await.expect("inspected")[0].is_some(), "still held");

    assert_eq!(service.confirm(&[(tag.clone(), token.clone())]).await.expect("answered"), vec![true]);
    assert_eq!(service.release(&[(tag.clone(), token)]).await.expect("answered"), vec![true]);
    let next = service.acquire(&[(tag, holder(94))]).await.expect("acquired");
    assert!(granted(&next[0]).is_some(), "free for the next taker at once");
}

#[tokio::test]
async fn force_release_moves_the_fence_and_voids_the_old_token() {
    let server = RedisServer::start();
    let service = lock(&server, "fence").await;
    let tag = "T-1".to_string();
    let (token, fence) =
        granted(&service.acquire(&[(tag.clone(), holder(93))]).await.expect("ok")[0]).expect("granted");
    let ForceAttempt::Released(released) = service.force_release(&tag).await.expect("answered") else {
        panic!("no write was in flight")
    };
    assert_eq!(released.previous.expect("had a holder").holder.worker_id, 93);
    assert!(released.fence > fence);
    assert_eq!(service.confirm(&[(tag.clone(), token)]).await.expect("answered"), vec![false]);
    let (_, next_fence) = granted(&service.acquire(&[(tag, holder(94))]).await.expect("ok")[0]).expect("granted");
    assert!(next_fence > fence + 1, "force-release bumped the fence ({fence} -> {next_fence})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_stations_two_hundred_rounds_one_holder_each() {
    let server = RedisServer::start();
    let mut stations: Vec<Arc<RedisLock>> = Vec::new();
    for _ in 0..50 {
        stations.push(Arc::new(lock(&server, "contention").await));
    }
    let tag = "T-HOT".to_string();
    for round in 0..200 {
        let tasks: Vec<_> = stations
            .iter()
            .enumerate()
            .map(|(id, station)| {
                let (station, tag) = (Arc::clone(station), tag.clone());
                tokio::spawn(async move { (id, station.acquire(&[(tag, holder(id as u32))]).await) })
            })
            .collect();
        let mut winners = Vec::new();
        let mut told = Vec::new();
        for task in tasks {
            let (id, answer) = task.await.expect("task");
            match answer.expect("answered").remove(0) {
                Acquisition::Granted(grant) => winners.push((id, grant.token)),
                Acquisition::Held(holder) => told.push(holder.worker_id),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: exactly one holder");
        let (winner, token) = winners.remove(0);
        assert!(told.iter().all(|holder| *holder == winner as u32), "round {round}: every loser told who holds it");
        assert_eq!(stations[winner].release(&[(tag.clone(), token)]).await.expect("released"), vec![true]);
    }
}

#[tokio::test]
async fn redis_going_away_is_lock_unavailable_within_two_seconds_and_recovers() {
    let mut server = RedisServer::start();
    let service = lock(&server, "outage").await;
    service.inspect(&[]).await.expect("reachable at first");
    server.stop();

    let started = Instant::now();
    let error = service.acquire(&[("T-1".into(), holder(93))]).await.expect_err("Redis is down");
    assert_eq!(error.code(), ErrorCode::LockUnavailable);
    assert!(started.elapsed() < Duration::from_secs(2), "failed in {:?}", started.elapsed());
    assert!(!error.to_string().contains("redis://"), "no connection details in the message");

    server.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match service.acquire(&[("T-1".into(), holder(93))]).await {
            Ok(answers) => {
                assert!(granted(&answers[0]).is_some());
                break;
            }
            // Back, but empty (no persistence): grants wait for the mark a reconcile run leaves.
            Err(spooltrack_domain::SpoolError::LockDataLost) => {
                assert!(!service.mark_intact(0).await.expect("reachable"), "the restart lost the mark");
            }
            Err(error) if Instant::now() < deadline => {
                assert_eq!(error.code(), ErrorCode::LockUnavailable);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("the same service never recovered: {error}"),
        }
    }
}

#[tokio::test]
async fn one_station_at_a_time_leads_a_periodic_task() {
    let server = RedisServer::start();
    let (a, b) = (lock(&server, "lead").await, lock(&server, "lead").await);
    let lease = Duration::from_millis(300);
    assert!(a.try_lead("reconcile", "A", lease).await.expect("answered"));
    assert!(!b.try_lead("reconcile", "B", lease).await.expect("answered"), "A holds the lease");
    assert!(a.try_lead("reconcile", "A", lease).await.expect("answered"), "the leader keeps leading");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(b.try_lead("reconcile", "B", lease).await.expect("answered"), "an expired lease hands over");
}

#[tokio::test]
async fn health_names_version_persistence_and_latency() {
    let server = RedisServer::start();
    let detail = lock(&server, "health").await.health().await.expect("answers");
    assert!(detail.starts_with("Redis 7") || detail.starts_with("Redis 8"), "{detail}");
    assert!(detail.contains(" ms") && detail.contains("sin AOF"), "{detail}");
}

#[tokio::test]
async fn a_prefix_with_glob_characters_still_lists_its_locks() {
    let server = RedisServer::start();
    let odd = lock(&server, "planta[1]*").await;
    let plain = lock(&server, "planta1x").await;
    odd.acquire(&[("T-1".into(), holder(93))]).await.expect("acquired");
    plain.acquire(&[("T-2".into(), holder(94))]).await.expect("acquired");
    assert_eq!(odd.held_tags().await.expect("listed"), vec!["T-1".to_string()], "only its own, found literally");
}

#[tokio::test]
async fn a_redis_that_lost_its_mark_grants_nothing_until_reconciled() {
    let server = RedisServer::start();
    let bare = RedisLock::connect(&RedisSettings { url: server.url(), prefix: "perdido".into() }).expect("lock");
    let error = bare.acquire(&[("T-1".into(), holder(93))]).await.expect_err("no mark, no grant");
    assert_eq!(error, spooltrack_domain::SpoolError::LockDataLost);
    assert!(!bare.mark_intact(40).await.expect("marked"), "the mark was missing");
    let granted = bare.acquire(&[("T-1".into(), holder(93))]).await.expect("granted");
    assert!(matches!(&granted[0], Acquisition::Granted(grant) if grant.fence > 40), "the fence moved past the rows'");
    assert!(bare.mark_intact(0).await.expect("answered"), "now intact");
}
