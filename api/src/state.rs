//! `AppData`: the services every request shares (database, token keys, clock, warning
//! thresholds, attachment storage, the sign-in throttle, the request limits), built once by `startup` and held behind one `Arc` by the
//! HTTP state and the GraphQL schema alike.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::TokenKeys;
use crate::auth::limits::RequestLimits;
use crate::auth::throttle::Throttle;
use crate::clock::SharedClock;
use crate::deadline::Thresholds;
use crate::storage::Storage;

/// Services shared by all requests.
#[derive(Clone, Debug)]
pub struct AppData {
    pub db: DatabaseConnection,
    pub keys: Arc<TokenKeys>,
    pub clock: SharedClock,
    /// When a task turns YELLOW or RED.
    pub warnings: Thresholds,
    /// Where attachment files are stored.
    pub storage: Storage,
    /// Sign-in attempts, per client address and per username and address.
    pub throttle: Arc<Throttle>,
    /// Requests a minute per API key and per account.
    pub limits: Arc<RequestLimits>,
    /// When the deadline job last finished a run on this instance.
    pub deadline_job: Arc<Heartbeat>,
    /// Access tokens' principals, for a short time (`auth::cache`).
    pub principals: crate::auth::cache::PrincipalCache,
    /// Documents, categories, units and leaders, as tasks refer to them (`reference_cache`).
    pub references: crate::reference_cache::ReferenceCache,
}

/// The beat of a periodic job, for `/readyz`: the job is late when it has not finished a run
/// within twice its interval (plus a minute, for a long run).
#[derive(Debug)]
pub struct Heartbeat {
    interval: Option<std::time::Duration>,
    last: std::sync::Mutex<std::time::Instant>,
}

impl Heartbeat {
    /// A job that runs every `interval` (`None`: not on this instance).
    pub fn new(interval: Option<std::time::Duration>) -> Self {
        Self {
            interval,
            last: std::sync::Mutex::new(std::time::Instant::now()),
        }
    }

    /// The job finished a run.
    pub fn beat(&self) {
        if let Ok(mut last) = self.last.lock() {
            *last = std::time::Instant::now();
        }
    }

    /// `None` when the job does not run here; else whether it ran recently enough.
    pub fn alive(&self) -> Option<bool> {
        let interval = self.interval?;
        let last = *self.last.lock().ok()?;
        Some(last.elapsed() <= interval * 2 + std::time::Duration::from_secs(60))
    }
}

#[cfg(test)]
mod tests {
    use super::Heartbeat;

    #[test]
    fn a_job_that_does_not_run_here_is_neither_alive_nor_late() {
        assert_eq!(Heartbeat::new(None).alive(), None);
        let job = Heartbeat::new(Some(std::time::Duration::from_secs(600)));
        job.beat();
        assert_eq!(job.alive(), Some(true));
    }
}
