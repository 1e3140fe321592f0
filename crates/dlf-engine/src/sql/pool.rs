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
#[derive(Default)]
pub(crate) struct IdlePool {
    idle: Arc<IdleMap>,
    sweeper: std::sync::OnceLock<()>,
}

impl IdlePool {
    /// The most recently parked session of `key` that has not expired (expired ones are closed).
    pub fn take(&self, key: &PoolKey) -> Option<Session> {
        let mut expired = Vec::new();
        let taken = {
            let mut idle = self.idle.lock().expect("lock");
            let list = idle.get_mut(key)?;
            expired.extend(drain_expired(list, Instant::now()));
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
            runtime.spawn(async move {
                loop {
                    tokio::time::sleep(SWEEP_EVERY).await;
                    let Some(idle) = idle.upgrade() else { return };
                    let expired: Vec<Session> = {
                        let mut map = idle.lock().expect("lock");
                        let now = Instant::now();
                        let expired = map.values_mut().flat_map(|list| drain_expired(list, now)).collect();
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

fn drain_expired(list: &mut Vec<Idle>, now: Instant) -> Vec<Session> {
    let (expired, kept): (Vec<Idle>, Vec<Idle>) =
        std::mem::take(list).into_iter().partition(|i| now.duration_since(i.since) >= IDLE_TIMEOUT);
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
