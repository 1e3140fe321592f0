//! Idle PostgreSQL sessions kept for the next node on the same connection and database.
//!
//! Opening a session costs a TCP handshake, TLS and authentication — often more than the
//! statements of a small node. So a session whose node succeeded is reset (`Session::reset`)
//! and parked here, at most [`MAX_IDLE_PER_KEY`] per (connection id, connection version,
//! database), and the next node on that key takes it. A session is only ever in one place: a
//! running node owns it, or this pool does. A session idle for [`IDLE_TIMEOUT`] is closed (by a
//! sweep every [`SWEEP_EVERY`], and whenever its key is looked up). A connection whose
//! settings changed has a new version, so sessions opened with the old settings are never
//! taken again and expire.

use super::session::Session;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// Most idle sessions kept per key.
pub const MAX_IDLE_PER_KEY: usize = 4;
/// How long a session may stay idle before it is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// How often idle sessions are checked.
const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// Which sessions may be shared: same connection, same version of it, same database.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PoolKey {
    pub connection_id: String,
    pub version: i64,
    pub database: Option<String>,
}

struct Idle {
    session: Session,
    since: Instant,
}

type IdleMap = Mutex<HashMap<PoolKey, Vec<Idle>>>;

/// The idle sessions.
pub(crate) struct IdlePool {
    idle: Arc<IdleMap>,
    sweeper: std::sync::OnceLock<()>,
    /// [`IDLE_TIMEOUT`], shorter in tests.
    idle_timeout: Duration,
}

impl Default for IdlePool {
    fn default() -> IdlePool {
        IdlePool::with_idle_timeout(IDLE_TIMEOUT)
    }
}

impl IdlePool {
    fn with_idle_timeout(idle_timeout: Duration) -> IdlePool {
        IdlePool { idle: Arc::default(), sweeper: std::sync::OnceLock::new(), idle_timeout }
    }

    /// The most recently parked session of `key` that has not expired (expired ones are closed).
    pub fn take(&self, key: &PoolKey) -> Option<Session> {
        let mut expired = Vec::new();
        let taken = {
            let mut idle = self.idle.lock().expect("lock");
            let list = idle.get_mut(key)?;
            expired.extend(drain_expired(list, Instant::now(), self.idle_timeout));
            let taken = list.pop().map(|i| i.session);
            if list.is_empty() {
                idle.remove(key);
            }
            taken
        };
        close_in_background(expired);
        taken
    }

    /// Parks a reset session; closes it when its key already has [`MAX_IDLE_PER_KEY`].
    pub fn put(&self, key: PoolKey, session: Session) {
        self.start_sweeper();
        let refused = {
            let mut idle = self.idle.lock().expect("lock");
            let list = idle.entry(key).or_default();
            if list.len() < MAX_IDLE_PER_KEY {
                list.push(Idle { session, since: Instant::now() });
                None
            } else {
                Some(session)
            }
        };
        close_in_background(refused.into_iter().collect());
    }

    /// Idle sessions of every key (for tests and metrics).
    pub fn idle_count(&self) -> usize {
        self.idle.lock().expect("lock").values().map(Vec::len).sum()
    }

    /// Starts the task that closes expired sessions (once, inside the runtime; it ends with the
    /// pool).
    fn start_sweeper(&self) {
        self.sweeper.get_or_init(|| {
            let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
            let idle: Weak<IdleMap> = Arc::downgrade(&self.idle);
            let timeout = self.idle_timeout;
            runtime.spawn(async move {
                loop {
                    tokio::time::sleep(SWEEP_EVERY.min(timeout)).await;
                    let Some(idle) = idle.upgrade() else { return };
                    let expired: Vec<Session> = {
                        let mut map = idle.lock().expect("lock");
                        let now = Instant::now();
                        let expired = map.values_mut().flat_map(|list| drain_expired(list, now, timeout)).collect();
                        map.retain(|_, list| !list.is_empty());
                        expired
                    };
                    for session in expired {
                        session.close().await;
                    }
                }
            });
        });
    }
}

fn drain_expired(list: &mut Vec<Idle>, now: Instant, timeout: Duration) -> Vec<Session> {
    let (expired, kept): (Vec<Idle>, Vec<Idle>) =
        std::mem::take(list).into_iter().partition(|i| now.duration_since(i.since) >= timeout);
    *list = kept;
    expired.into_iter().map(|i| i.session).collect()
}

fn close_in_background(sessions: Vec<Session>) {
    if sessions.is_empty() {
        return;
    }
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(async move {
                for session in sessions {
                    session.close().await;
                }
            });
        }
        Err(_) => drop(sessions),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dlf_core::model::connection::{SqlAddress, SqlProtocol};
    use std::str::FromStr;

    /// Real sessions on `DLF_TEST_POSTGRES_URL`, or `None`.
    async fn sessions(n: usize) -> Option<Vec<Session>> {
        let Ok(url) = std::env::var("DLF_TEST_POSTGRES_URL") else {
            eprintln!("DLF_TEST_POSTGRES_URL is not set: the PostgreSQL session pool tests do not run");
            return None;
        };
        let options = sqlx::postgres::PgConnectOptions::from_str(&url).unwrap();
        let address = SqlAddress {
            protocol: SqlProtocol::Postgres,
            host: options.get_host().to_string(),
            port: options.get_port(),
            user: options.get_username().to_string(),
            database: options.get_database().map(str::to_string),
            ssl: false,
        };
        let mut opened = Vec::new();
        for _ in 0..n {
            opened.push(Session::open(&address, None, None).await.unwrap());
        }
        Some(opened)
    }

    fn key(database: &str) -> PoolKey {
        PoolKey { connection_id: "c".into(), version: 1, database: Some(database.into()) }
    }

    #[tokio::test]
    async fn a_key_keeps_at_most_its_share_newest_first() {
        let Some(opened) = sessions(MAX_IDLE_PER_KEY + 1).await else { return };
        let ids: Vec<u64> = opened.iter().map(|s| s.server_id).collect();
        let pool = IdlePool::default();
        for session in opened {
            pool.put(key("a"), session);
        }
        assert_eq!(pool.idle_count(), MAX_IDLE_PER_KEY, "the extra one was closed");
        assert!(pool.take(&key("b")).is_none(), "another database shares nothing");
        assert_eq!(pool.take(&key("a")).unwrap().server_id, ids[MAX_IDLE_PER_KEY - 1]);
    }

    #[tokio::test]
    async fn an_expired_session_is_closed_not_taken() {
        let Some(opened) = sessions(2).await else { return };
        let pool = IdlePool::with_idle_timeout(Duration::from_millis(100));
        let mut opened = opened.into_iter();
        pool.put(key("a"), opened.next().unwrap());
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(pool.take(&key("a")).is_none());
        // The sweep closes what nobody asks for.
        pool.put(key("b"), opened.next().unwrap());
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(pool.idle_count(), 0);
    }
}
