//! Whether the database can serve (issue 24 item 8). While it is down, every request answers
//! 503 at once instead of each query waiting out the pool's acquire timeout in turn (a page
//! with four resources took 6–12 s to say "unavailable").
//!
//! A request that ends `Unavailable` asks [`DbHealth::confirm_outage`], which opens a fresh
//! connection beside the pool. Only when that fails too is the database marked down: a pool
//! that timed out because every connection was busy (saturation) finds the database reachable
//! and changes nothing. While down, a probe every [`PROBE_EVERY`] marks it up again as soon as
//! a connection succeeds; the pool reconnects on its own.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use sqlx::{Connection, PgConnection, PgPool, postgres::PgConnectOptions};
use tokio::sync::Mutex;

/// How long a probe may take to connect before the database counts as unreachable.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(500);
/// How often a down database is probed.
pub const PROBE_EVERY: Duration = Duration::from_millis(250);
/// After a probe found the database reachable, further `Unavailable` answers (a saturated
/// pool) are not probed again for this long: at most one extra connection a second.
const RECHECK_AFTER: Duration = Duration::from_secs(1);

/// The database's health as requests see it.
pub struct DbHealth {
    down: AtomicBool,
    /// Held while a probe runs (one at a time); the time of the last probe that succeeded.
    last_reachable: Mutex<Option<Instant>>,
    options: Arc<PgConnectOptions>,
}

impl std::fmt::Debug for DbHealth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbHealth")
            .field("down", &self.is_down())
            .finish_non_exhaustive()
    }
}

impl DbHealth {
    /// Health of the pool's database, up to begin with.
    pub fn of(pool: &PgPool) -> Arc<DbHealth> {
        Arc::new(DbHealth {
            down: AtomicBool::new(false),
            last_reachable: Mutex::new(None),
            options: pool.connect_options(),
        })
    }

    /// Whether the database is known to be down: answer 503 without trying.
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    /// After a request found the database unavailable: checks with a connection of its own
    /// (at most [`PROBE_TIMEOUT`]) and, if that fails too, marks the database down until a
    /// probe succeeds. Concurrent callers wait for the one probe in flight.
    pub async fn confirm_outage(self: &Arc<Self>) {
        let mut last_reachable = self.last_reachable.lock().await;
        if self.is_down() || last_reachable.is_some_and(|at| at.elapsed() < RECHECK_AFTER) {
            return;
        }
        if reachable(&self.options).await {
            *last_reachable = Some(Instant::now());
            return;
        }
        self.down.store(true, Ordering::Release);
        tracing::error!("database unreachable: answering 503 at once until it is back");
        let health = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(PROBE_EVERY).await;
                if reachable(&health.options).await {
                    health.down.store(false, Ordering::Release);
                    tracing::info!("database reachable again");
                    return;
                }
            }
        });
    }
}

/// Whether a new connection to the database succeeds within [`PROBE_TIMEOUT`].
async fn reachable(options: &PgConnectOptions) -> bool {
    match tokio::time::timeout(PROBE_TIMEOUT, PgConnection::connect_with(options)).await {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database nobody listens for is marked down after one check, and stays down while
    /// the probes keep failing.
    #[tokio::test]
    async fn an_unreachable_database_is_marked_down() {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .connect_lazy("postgres://nobody@127.0.0.1:1/nothing")
            .expect("lazy pool");
        let health = DbHealth::of(&pool);
        assert!(!health.is_down());
        let started = Instant::now();
        health.confirm_outage().await;
        assert!(health.is_down());
        assert!(started.elapsed() <= PROBE_TIMEOUT + Duration::from_millis(100));
        tokio::time::sleep(PROBE_EVERY * 2).await;
        assert!(health.is_down(), "no probe can succeed");
    }
}
