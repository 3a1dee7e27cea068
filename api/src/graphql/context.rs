//! What resolvers take from the GraphQL context: shared services (database, token keys, clock)
//! placed once in the schema, and per-request data (the principal, the DataLoader) placed by
//! the HTTP handler.

use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::auth::{AuthState, Principal, TokenKeys};
use crate::clock::SharedClock;
use crate::error::AppResult;
use crate::graphql::loaders::DbLoader;

/// Services shared by all requests.
#[derive(Clone, Debug)]
pub struct AppData {
    pub db: DatabaseConnection,
    pub keys: Arc<TokenKeys>,
    pub clock: SharedClock,
    /// When a task turns YELLOW or RED.
    pub warnings: crate::tasks::progress::Thresholds,
    /// Where attachment files are stored.
    pub storage: crate::attachments::storage::Storage,
}

/// Typed access to the context, so resolvers never handle `Any` lookups themselves.
pub trait ContextExt {
    fn app(&self) -> &AppData;
    fn db(&self) -> &DatabaseConnection {
        &self.app().db
    }
    fn now(&self) -> DateTime<Utc> {
        self.app().clock.now()
    }
    /// The acting principal, or `UNAUTHENTICATED`.
    fn actor(&self) -> AppResult<&Principal>;
    fn loader(&self) -> &DataLoader<DbLoader>;
}

impl ContextExt for Context<'_> {
    fn app(&self) -> &AppData {
        self.data_unchecked::<AppData>()
    }

    fn actor(&self) -> AppResult<&Principal> {
        static ANONYMOUS: AuthState = AuthState::Anonymous;
        self.data_opt::<AuthState>()
            .unwrap_or(&ANONYMOUS)
            .principal()
    }

    fn loader(&self) -> &DataLoader<DbLoader> {
        self.data_unchecked::<DataLoader<DbLoader>>()
    }
}
