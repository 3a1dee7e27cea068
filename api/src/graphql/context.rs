//! What resolvers take from the GraphQL context: the shared `AppData` placed once in the
//! schema, and per-request data (the principal, the DataLoader) placed by the HTTP handler.

use std::hash::Hash;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::auth::{AuthState, Principal};
use crate::error::AppResult;
use crate::graphql::loaders::{DbLoader, LoadError};
use crate::state::AppData;

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
        self.data_unchecked::<Arc<AppData>>()
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

/// The row behind a relation key, read through the request's DataLoader and converted to its
/// output type: what a relation field returns.
pub async fn load<K, T>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Option<T>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = LoadError>,
    T: From<<DbLoader as Loader<K>>::Value>,
{
    Ok(ctx.loader().load_one(key).await?.map(Into::into))
}

/// The rows behind a list-valued relation key, as output types (none when the key has none).
pub async fn load_all<K, V, T>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Vec<T>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    DbLoader: Loader<K, Value = Vec<V>, Error = LoadError>,
    T: From<V>,
{
    Ok(ctx
        .loader()
        .load_one(key)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(Into::into)
        .collect())
}
