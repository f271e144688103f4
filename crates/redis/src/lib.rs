//! The shared lock service of SPEC §5 on Redis: one hash per held spool under a configurable prefix, holding
//! the holder, the secret token and the fence. Grants, token checks and releases run inside Lua scripts, so
//! each is atomic, and a batch of tags costs one script call.

mod budget;
mod feed;
mod history;
mod scripts;
mod snapshot;

pub use feed::RedisFeed;
pub use history::LATEST_KEPT;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use redis::{
    aio::{ConnectionManager, ConnectionManagerConfig},
    Value,
};
use spooltrack_core::{
    Acquisition, Admission, ForceAttempt, ForcedRelease, Grant, HeldLock, Holder, LockService, LockToken, PinAttempt,
    PinTally,
};
use spooltrack_domain::SpoolError;

use crate::scripts::Scripts;

/// How long a station waits for Redis before telling the worker it is unavailable (SPEC: within 2 s).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(800);
pub const RESPONSE_TIMEOUT: Duration = Duration::from_millis(800);
const SINCE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Where and under which prefix a site keeps its locks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisSettings {
    pub url: String,
    pub prefix: String,
}

pub struct RedisLock {
    client: redis::Client,
    connection: ConnectionManager,
    prefix: String,
    scripts: Scripts,
}

impl RedisLock {
    /// Connects lazily: a station starts even when Redis is down, and actions then answer LOCK_UNAVAILABLE.
    pub fn connect(settings: &RedisSettings) -> Result<RedisLock, SpoolError> {
        RedisLock::connect_waiting(settings, RESPONSE_TIMEOUT)
    }

    /// The same, waiting up to `response` for each answer: for a machine that is itself the bottleneck (thirty
    /// stations in one test process on two cores), never a shop's.
    pub fn connect_waiting(settings: &RedisSettings, response: Duration) -> Result<RedisLock, SpoolError> {
        let client = client(settings)?;
        let connection = managed_connection(&client, response)?;
        Ok(RedisLock { client, connection, prefix: settings.prefix.clone(), scripts: Scripts::new() })
    }

    /// The site's live-update feed, publishing through this lock service's connection.
    pub fn feed(&self) -> RedisFeed {
        RedisFeed::start(self.client.clone(), self.connection.clone(), &self.prefix)
    }

    fn lock_key(&self, tag: &str) -> String {
        format!("{}:lock:{tag}", self.prefix)
    }

    /// A periodic task's lease: the station that leads it.
    fn leader_key(&self, task: &str) -> String {
        format!("{}:leader:{task}", self.prefix)
    }

    /// One hash for the site: station name → epoch seconds of its last heartbeat.
    fn beats_key(&self) -> String {
        format!("{}:stations", self.prefix)
    }

    fn fence_key(&self) -> String {
        format!("{}:fence", self.prefix)
    }

    /// Present while Redis keeps the site's data; gone after a FLUSHALL or a restart without persistence.
    fn marker_key(&self) -> String {
        format!("{}:marker", self.prefix)
    }

    fn keys(&self, tags: impl IntoIterator<Item = impl AsRef<str>>) -> Vec<String> {
        tags.into_iter().map(|tag| self.lock_key(tag.as_ref())).collect()
    }

    async fn run<T: redis::FromRedisValue>(&self, invocation: &redis::ScriptInvocation<'_>) -> Result<T, SpoolError> {
        let mut connection = self.connection.clone();
        invocation.invoke_async(&mut connection).await.map_err(unavailable)
    }
}

#[async_trait]
impl LockService for RedisLock {
    async fn acquire(&self, requests: &[(String, Holder)]) -> Result<Vec<Acquisition>, SpoolError> {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let tokens: Vec<LockToken> = requests.iter().map(|_| LockToken::random()).collect();
        let mut invocation = self.scripts.acquire.prepare_invoke();
        invocation.key(self.keys(requests.iter().map(|(tag, _)| tag))).key(self.fence_key()).key(self.marker_key());
        for ((_, holder), token) in requests.iter().zip(&tokens) {
            invocation.arg(holder_fields(holder)).arg(token.expose());
        }
        let answers: Vec<Vec<Value>> = match self.run::<Value>(&invocation).await? {
            Value::Int(-1) => return Err(SpoolError::LockDataLost),
            answers => redis::from_redis_value(answers).map_err(|_| malformed("acquire"))?,
        };
        answers
            .into_iter()
            .zip(tokens)
            .map(|(answer, token)| match answer.as_slice() {
                [Value::Int(1), fence] => Ok(Acquisition::Granted(Grant { token, fence: integer(fence)? })),
                [Value::Int(0), fields @ ..] => Ok(Acquisition::Held(holder_from(fields)?)),
                _ => Err(malformed("acquire")),
            })
            .collect()
    }

    async fn inspect(&self, tags: &[String]) -> Result<Vec<Option<HeldLock>>, SpoolError> {
        if tags.is_empty() {
            // Still a round trip: doctor uses an empty inspection to ask whether Redis answers.
            let mut connection = self.connection.clone();
            let _: String = redis::cmd("PING").query_async(&mut connection).await.map_err(unavailable)?;
            return Ok(Vec::new());
        }
        let mut invocation = self.scripts.inspect.prepare_invoke();
        invocation.key(self.keys(tags));
        let answers: Vec<Vec<Value>> = self.run(&invocation).await?;
        answers
            .into_iter()
            .map(|fields| if fields.is_empty() { Ok(None) } else { held_from(&fields).map(Some) })
            .collect()
    }

    async fn confirm(&self, grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError> {
        self.compare(&self.scripts.confirm, grants).await
    }

    async fn release(&self, grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError> {
        self.released(grants, false).await
    }

    async fn release_idle(&self, grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError> {
        self.released(grants, true).await
    }

    async fn begin_write(
        &self,
        grants: &[(String, LockToken)],
        writer: &str,
        window: Duration,
    ) -> Result<Vec<Admission>, SpoolError> {
        if grants.is_empty() {
            return Ok(Vec::new());
        }
        let mut invocation = self.scripts.begin_write.prepare_invoke();
        invocation.key(self.keys(grants.iter().map(|(tag, _)| tag)));
        invocation.arg(window.as_millis() as u64).arg(writer);
        invocation.arg(grants.iter().map(|(_, token)| token.expose()).collect::<Vec<_>>());
        let answers: Vec<i64> = self.run(&invocation).await?;
        Ok(answers
            .into_iter()
            .map(|answer| match answer {
                1 => Admission::Admitted,
                2 => Admission::Busy,
                _ => Admission::Lost,
            })
            .collect())
    }

    async fn end_write(&self, grants: &[(String, LockToken)], writer: &str) -> Result<(), SpoolError> {
        if grants.is_empty() {
            return Ok(());
        }
        let mut invocation = self.scripts.end_write.prepare_invoke();
        invocation.key(self.keys(grants.iter().map(|(tag, _)| tag))).arg(writer);
        invocation.arg(grants.iter().map(|(_, token)| token.expose()).collect::<Vec<_>>());
        let _: Vec<i64> = self.run(&invocation).await?;
        Ok(())
    }

    async fn force_release(&self, tag: &str) -> Result<ForceAttempt, SpoolError> {
        let mut invocation = self.scripts.force_release.prepare_invoke();
        invocation.key(self.lock_key(tag)).key(self.fence_key());
        let answer: Vec<Value> = self.run(&invocation).await?;
        match answer.as_slice() {
            [Value::Int(-1)] => Ok(ForceAttempt::WriteInFlight),
            [fence] => Ok(ForceAttempt::Released(ForcedRelease { previous: None, fence: integer(fence)? })),
            [fence, previous @ ..] => Ok(ForceAttempt::Released(ForcedRelease {
                previous: Some(held_from(previous)?),
                fence: integer(fence)?,
            })),
            [] => Err(malformed("force_release")),
        }
    }

    async fn restore(&self, tag: &str, lock: &HeldLock) -> Result<bool, SpoolError> {
        let mut invocation = self.scripts.restore.prepare_invoke();
        invocation.key(self.lock_key(tag));
        invocation.arg(holder_fields(&lock.holder)).arg(lock.token.expose()).arg(lock.fence);
        invocation.arg(lock.age.as_millis() as u64);
        let restored: i64 = self.run(&invocation).await?;
        Ok(restored == 1)
    }

    async fn health(&self) -> Result<String, SpoolError> {
        let mut connection = self.connection.clone();
        let started = std::time::Instant::now();
        let _: String = redis::cmd("PING").query_async(&mut connection).await.map_err(unavailable)?;
        let latency = format!("responde en {:.1} ms", started.elapsed().as_secs_f64() * 1000.0);
        let info: String = match redis::cmd("INFO").arg("server").arg("persistence").query_async(&mut connection).await
        {
            Ok(info) => info,
            // The recommended ACL forbids @dangerous commands, INFO among them.
            Err(error) if error.code() == Some("NOPERM") => {
                return Ok(format!(
                    "Redis {latency}; este usuario no puede leer INFO (versión y persistencia sin revisar)"
                ))
            }
            Err(error) => return Err(unavailable(error)),
        };
        let field = |name: &str| {
            info.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(':')).unwrap_or("?").trim().to_string()
        };
        let persistence = match field("aof_enabled").as_str() {
            "1" => "persistencia AOF activada".to_string(),
            _ => "sin AOF: un reinicio vacío se detecta y el reconciliador reconstruye los bloqueos".to_string(),
        };
        Ok(format!("Redis {} {latency}; {persistence}", field("redis_version")))
    }

    async fn try_lead(&self, task: &str, station: &str, lease: Duration) -> Result<bool, SpoolError> {
        let mut invocation = self.scripts.lead.prepare_invoke();
        invocation.key(self.leader_key(task)).arg(station).arg(lease.as_millis() as u64);
        let leads: i64 = self.run(&invocation).await?;
        Ok(leads == 1)
    }

    async fn pin_attempts(&self, station: &str, attempt: PinAttempt, kept: Duration) -> Result<PinTally, SpoolError> {
        let mut invocation = self.scripts.pin_attempts.prepare_invoke();
        invocation.key(format!("{}:pin_attempts:{station}", self.prefix));
        invocation.arg(attempt.code()).arg(kept.as_millis() as u64);
        let (wrong, since_last): (u32, u64) = self.run(&invocation).await?;
        Ok(PinTally { wrong, since_last: Duration::from_millis(since_last) })
    }

    async fn leader(&self, task: &str) -> Result<Option<(String, Duration)>, SpoolError> {
        let mut invocation = self.scripts.leader.prepare_invoke();
        invocation.key(self.leader_key(task));
        let (station, left): (Option<String>, i64) = self.run(&invocation).await?;
        Ok(station.map(|station| (station, Duration::from_millis(u64::try_from(left).unwrap_or(0)))))
    }

    async fn held_tags(&self) -> Result<Vec<String>, SpoolError> {
        let mut connection = self.connection.clone();
        let stem = self.lock_key("");
        // The prefix is the site's to choose: glob characters in it match only themselves.
        let pattern = format!("{}*", escape_glob(&stem));
        let mut cursor: u64 = 0;
        let mut tags = Vec::new();
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(500)
                .query_async(&mut connection)
                .await
                .map_err(unavailable)?;
            tags.extend(keys.into_iter().filter_map(|key| key.strip_prefix(&stem).map(str::to_string)));
            if next == 0 {
                return Ok(tags);
            }
            cursor = next;
        }
    }

    async fn mark_intact(&self, fence_at_least: u64) -> Result<bool, SpoolError> {
        let mut invocation = self.scripts.mark_intact.prepare_invoke();
        invocation.key(self.marker_key()).key(self.fence_key()).arg(fence_at_least);
        let intact: i64 = self.run(&invocation).await?;
        Ok(intact == 1)
    }

    async fn beat(&self, station: &str, at: DateTime<Utc>) -> Result<(), SpoolError> {
        let mut connection = self.connection.clone();
        let _: i64 = redis::cmd("HSET")
            .arg(self.beats_key())
            .arg(station)
            .arg(at.timestamp())
            .query_async(&mut connection)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn last_beats(&self, stations: &[String]) -> Result<Vec<Option<DateTime<Utc>>>, SpoolError> {
        if stations.is_empty() {
            return Ok(Vec::new());
        }
        let mut connection = self.connection.clone();
        let seconds: Vec<Option<i64>> = redis::cmd("HMGET")
            .arg(self.beats_key())
            .arg(stations)
            .query_async(&mut connection)
            .await
            .map_err(unavailable)?;
        Ok(seconds.into_iter().map(|at| at.and_then(|seconds| DateTime::from_timestamp(seconds, 0))).collect())
    }
}

impl RedisLock {
    /// Runs a token-comparing script over several grants in one call; answers one flag per grant.
    async fn compare(&self, script: &redis::Script, grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError> {
        self.per_grant(script.prepare_invoke(), grants).await
    }

    async fn released(&self, grants: &[(String, LockToken)], only_idle: bool) -> Result<Vec<bool>, SpoolError> {
        let mut invocation = self.scripts.release.prepare_invoke();
        invocation.arg(u8::from(only_idle));
        self.per_grant(invocation, grants).await
    }

    /// Runs a script over these grants (their lock keys, then their tokens after any argument already given);
    /// answers per grant whether it answered 1.
    async fn per_grant(
        &self,
        mut invocation: redis::ScriptInvocation<'_>,
        grants: &[(String, LockToken)],
    ) -> Result<Vec<bool>, SpoolError> {
        if grants.is_empty() {
            return Ok(Vec::new());
        }
        invocation.key(self.keys(grants.iter().map(|(tag, _)| tag)));
        invocation.arg(grants.iter().map(|(_, token)| token.expose()).collect::<Vec<_>>());
        let flags: Vec<i64> = self.run(&invocation).await?;
        Ok(flags.into_iter().map(|flag| flag == 1).collect())
    }
}

fn client(settings: &RedisSettings) -> Result<redis::Client, SpoolError> {
    redis::Client::open(settings.url.as_str())
        .map_err(|error| SpoolError::ConfigInvalid { key: "lock.url".into(), reason: error.to_string() })
}

/// One multiplexed connection per process and purpose, with explicit timeouts: the connection manager would
/// otherwise keep a worker waiting for about ten seconds while it retries.
fn managed_connection(client: &redis::Client, response: Duration) -> Result<ConnectionManager, SpoolError> {
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(response))
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_millis(200));
    ConnectionManager::new_lazy_with_config(client.clone(), config).map_err(unavailable)
}

/// The holder's fields in the order the scripts store and answer them.
fn holder_fields(holder: &Holder) -> Vec<String> {
    vec![
        holder.worker_id.to_string(),
        holder.worker.clone(),
        holder.operation.code().to_string(),
        holder.station.clone(),
        holder.since.format(SINCE_FORMAT).to_string(),
    ]
}

fn holder_from(fields: &[Value]) -> Result<Holder, SpoolError> {
    let [worker_id, worker, operation, station, since] = fields else { return Err(malformed("holder")) };
    Ok(Holder {
        worker_id: text(worker_id)?.parse().map_err(|_| malformed("worker_id"))?,
        worker: text(worker)?,
        operation: text(operation)?.parse().map_err(|_| malformed("operation"))?,
        station: text(station)?,
        since: NaiveDateTime::parse_from_str(&text(since)?, SINCE_FORMAT).map_err(|_| malformed("since"))?,
    })
}

/// The lock fields as INSPECT answers them: holder, token, fence, age in milliseconds, write in flight.
fn held_from(fields: &[Value]) -> Result<HeldLock, SpoolError> {
    let [holder @ .., token, fence, age, writing] = fields else { return Err(malformed("inspect")) };
    Ok(HeldLock {
        holder: holder_from(holder)?,
        token: LockToken::new(text(token)?),
        fence: integer(fence)?,
        age: Duration::from_millis(integer(age)?),
        writing: integer(writing)? == 1,
    })
}

/// `pattern` for SCAN MATCH, with Redis's glob characters escaped.
fn escape_glob(text: &str) -> String {
    text.chars().fold(String::with_capacity(text.len()), |mut escaped, character| {
        if matches!(character, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
        escaped
    })
}

fn text(value: &Value) -> Result<String, SpoolError> {
    redis::from_redis_value_ref(value).map_err(|_| malformed("text"))
}

fn integer(value: &Value) -> Result<u64, SpoolError> {
    redis::from_redis_value_ref(value).map_err(|_| malformed("integer"))
}

fn malformed(what: &str) -> SpoolError {
    SpoolError::LockUnavailable { reason: format!("respuesta de Redis inesperada ({what})") }
}

fn unavailable(error: redis::RedisError) -> SpoolError {
    SpoolError::LockUnavailable { reason: format!("Redis: {}", error.category()) }
}
