//! `AppData`: the services every request shares (database, token keys, clock, warning
//! thresholds, attachment storage, the sign-in throttle), built once by `startup` and held behind one `Arc` by the
//! HTTP state and the GraphQL schema alike.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::TokenKeys;
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
}
