//! The request's DataLoader. Relation fields never query the database themselves: they ask the
//! loader, which gathers the keys of one level of the response and reads them in one statement
//! per key type. The loader carries the request's principal, so the relation fields that list
//! tasks (unit → tasks, leader → tasks, document → tasks) apply the same row-level rules as the
//! `tasks` query.
//!
//! Each key type is a newtype declared by its domain with `loader!` (`tasks/loaders.rs`,
//! `units/loaders.rs`, …), so one `DataLoader<DbLoader>` serves them all and this module knows
//! no domain.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::Principal;
use crate::error::AppError;
use crate::reference_cache::ReferenceCache;

/// Loads rows for one request.
pub struct DbLoader {
    pub(crate) db: DatabaseConnection,
    /// `None` for anonymous requests, which see no tasks.
    pub(crate) actor: Option<Principal>,
    /// The rows tasks refer to, kept across requests (`reference_cache`).
    pub(crate) references: ReferenceCache,
}

impl DbLoader {
    pub fn new(
        db: DatabaseConnection,
        actor: Option<Principal>,
        references: ReferenceCache,
    ) -> Self {
        Self {
            db,
            actor,
            references,
        }
    }
}

/// Loader errors are shared by every resolver waiting on the batch.
pub type LoadError = Arc<AppError>;

/// Declares a key newtype and its `Loader` impl in terms of a batch function of a service, which
/// returns a map from the inner key to the value.
///
/// - `loader!(Key(i64) => Value, |loader, ids| batch(&loader.db, &ids))`
/// - `loader!(Key(i64) => Value, signed in |loader, actor, ids| batch(actor, &loader.db, &ids))`
///   for rows that depend on who asks: the batch gets the principal, and an anonymous request
///   gets nothing (it never reaches these fields signed out, but the loader does not rely on it).
macro_rules! loader {
    ($(#[$doc:meta])* $key:ident($inner:ty) => $value:ty, |$this:ident, $ids:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub $inner);

        impl ::async_graphql::dataloader::Loader<$key> for $crate::graphql::loaders::DbLoader {
            type Value = $value;
            type Error = $crate::graphql::loaders::LoadError;

            async fn load(
                &self,
                keys: &[$key],
            ) -> Result<::std::collections::HashMap<$key, $value>, Self::Error> {
                let $this = self;
                let $ids: Vec<$inner> = keys.iter().map(|key| key.0.clone()).collect();
                let result: $crate::error::AppResult<::std::collections::HashMap<$inner, $value>> =
                    $body.await;
                Ok(result
                    .map_err(::std::sync::Arc::new)?
                    .into_iter()
                    .map(|(k, v)| ($key(k), v))
                    .collect())
            }
        }
    };
    ($(#[$doc:meta])* $key:ident($inner:ty) => $value:ty, signed in |$this:ident, $actor:ident, $ids:ident| $body:expr) => {
        $crate::graphql::loaders::loader!(
            $(#[$doc])* $key($inner) => $value,
            |$this, $ids| async {
                match &$this.actor {
                    Some($actor) => $body.await,
                    None => Ok(::std::collections::HashMap::new()),
                }
            }
        );
    };
}

pub(crate) use loader;
