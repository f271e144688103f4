//! The shop simulation on the production pair: stations on the Google Sheets store (the real client against
//! the fake, with latency) and one real redis-server, each serving its decisions from the shop's shared
//! snapshot kept in step by the feed (every feed cut now and then), with Redis flushed and restarted empty, 429 storms, 5xx,
//! answers lost after the write applied (and audits that cannot be read to settle them), failed and held-back
//! writes, and people editing the sheet. `SIM_SEED`, `SIM_STATIONS` and `SIM_STEPS` replay or lengthen a run;
//! `SIM_MINUTES` makes it a soak that runs seed after seed for that long.

mod common;

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use common::{quick, SheetsShop};
use spooltrack_core::{ChangeFeed, LockService, Store};
use spooltrack_domain::{
    schema::{Tab, TabNames},
    Grid,
};
use spooltrack_redis::{RedisLock, RedisSettings};
use spooltrack_sheets::Tuning;
use spooltrack_testkit::{
    fixture,
    simulation::{Fault, HandEdit, SimulatedShop, Simulation, Tally},
    RedisServer,
};

const FAULTS: &[Fault] = &[
    Fault::LockDataLost,
    Fault::LockServiceRestarted,
    Fault::FeedsCut,
    Fault::Throttled(3),
    Fault::ServerErrors(2),
    Fault::AnswerDropped,
    Fault::AnswerDroppedAuditUnreadable,
];

static SHOPS: AtomicUsize = AtomicUsize::new(0);

struct ProductionShop {
    sheets: SheetsShop,
    redis: Mutex<RedisServer>,
    url: String,
    prefix: String,
}

impl ProductionShop {
    async fn start() -> ProductionShop {
        let sheets = SheetsShop::start(fixture::standard_shop()).await;
        sheets.fake.set_latency(Duration::from_millis(5));
        let redis = RedisServer::start();
        let url = redis.url();
        let prefix = format!("sim{}", SHOPS.fetch_add(1, Ordering::SeqCst));
        ProductionShop { sheets, redis: Mutex::new(redis), url, prefix }
    }

    fn redis_client(&self) -> RedisLock {
        RedisLock::connect(&RedisSettings { url: self.url.clone(), prefix: self.prefix.clone() }).expect("lock")
    }
}

#[async_trait]
impl SimulatedShop for ProductionShop {
    async fn connect(&self) -> (Arc<dyn Store>, Arc<dyn LockService>) {
        // The shop's request budget in Redis, tight enough that writes often wait for their turn (while people
        // sort the tab): two at once, then one every 300 ms for the whole shop.
        let tuning = Tuning { writes_per_minute: 12, quota_window: Duration::from_secs(3), ..quick() };
        let redis = Arc::new(self.redis_client());
        (Arc::new(self.sheets.store(tuning).await.with_shop_budget(redis.clone())), redis)
    }

    async fn feed(&self) -> Option<Arc<dyn ChangeFeed>> {
        Some(Arc::new(self.redis_client().feed()))
    }

    async fn truth(&self, tab: Tab) -> Grid {
        self.sheets.fake.grid(TabNames::default().name(tab))
    }

    async fn edit(&self, tab: Tab, change: HandEdit) {
        self.sheets.fake.edit(TabNames::default().name(tab), change);
    }

    fn faults(&self) -> &[Fault] {
        FAULTS
    }

    async fn inject(&self, fault: Fault) {
        let fake = &self.sheets.fake;
        match fault {
            Fault::LockDataLost => {
                let client = redis::Client::open(self.url.as_str()).expect("client");
                if let Ok(mut connection) = client.get_multiplexed_async_connection().await {
                    let _: redis::RedisResult<()> = redis::cmd("FLUSHALL").query_async(&mut connection).await;
                }
            }
            Fault::LockServiceRestarted => self.redis.lock().expect("server").restart(),
            Fault::FeedsCut => {
                let client = redis::Client::open(self.url.as_str()).expect("client");
                if let Ok(mut connection) = client.get_multiplexed_async_connection().await {
                    let _: redis::RedisResult<i64> =
                        redis::cmd("CLIENT").arg("KILL").arg("TYPE").arg("pubsub").query_async(&mut connection).await;
                }
            }
            Fault::Throttled(calls) => fake.throttle_next(calls),
            Fault::ServerErrors(calls) => fake.fail_next(calls),
            Fault::AnswerDropped => fake.drop_next_write_answers(1),
            Fault::AnswerDroppedAuditUnreadable => fake.drop_next_write_answer_then_fail(12),
        }
    }

    async fn heal(&self) {
        self.sheets.fake.clear_faults();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_production_pair_keeps_its_invariants_under_faults_interleavings_and_hand_edits() {
    let soak = std::env::var("SIM_MINUTES").ok().and_then(|minutes| minutes.parse::<u64>().ok());
    let until = soak.map(|minutes| Instant::now() + Duration::from_secs(minutes * 60));
    let mut total = Tally::default();
    let mut runs = 0;
    for seed in 21.. {
        let shop = ProductionShop::start().await;
        let tally = Simulation::from_env(seed, 4, 120).run(Arc::new(shop)).await;
        println!("semilla {}: {tally:?}", std::env::var("SIM_SEED").unwrap_or(seed.to_string()));
        assert!(tally.answers.get("ok").copied().unwrap_or(0) > 15, "the run did real work: {tally:?}");
        total.add(&tally);
        runs += 1;
        let done = match until {
            Some(until) => Instant::now() >= until,
            None => runs == 3 || std::env::var("SIM_SEED").is_ok(),
        };
        if done {
            break;
        }
    }
    println!(
        "total: {runs} corridas, {} pasos, {} acciones, {} fallas inyectadas, {} ediciones a mano, {} revisiones de invariantes, violaciones: 0; respuestas {:?}",
        total.steps, total.actions, total.faults, total.hand_edits, total.checks, total.answers
    );
}
