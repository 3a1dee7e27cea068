//! The request's DataLoader. Relation fields never query the database themselves: they ask the
//! loader, which gathers the keys of one level of the response and reads them in one statement
//! per key type. The loader carries the request's principal, so the relation fields that list
//! tasks (unit → tasks, leader → tasks, document → tasks) apply the same row-level rules as the
//! `tasks` query.
//!
//! Each key type is a newtype declared by its domain with `loader!` (`tasks/loaders.rs`,
//! `units/loaders.rs`, …), so one `DataLoader<DbLoader>` serves them all and this module knows
//! no domain.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::DatabaseConnection;

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::reference_cache::{ReferenceCache, Shelf};

/// Loads rows for one request.
pub struct DbLoader {
    pub(crate) db: DatabaseConnection,
    /// `None` for anonymous requests, which see no tasks.
    pub(crate) actor: Option<Principal>,
    /// The rows tasks refer to, kept across requests (`reference_cache`): reached through
    /// `kept` and `through`, which leave it aside while a mutation runs.
    references: ReferenceCache,
    /// The mutation fields begun and not yet ended (`mutation_began`, `mutations_ended`): a
    /// socket's loader serves operations that overlap.
    mutations: AtomicUsize,
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
            mutations: AtomicUsize::new(0),
        }
    }

    /// A mutation field of this request (or socket) is about to run. Until its operation has
    /// ended (`mutations_ended`), rows are read from the database, never from the process: the
    /// mutation's payload must show what it wrote, and the cache learns of the write only once
    /// the whole field, payload included, has resolved (`reference_cache::after_field`).
    /// Called by the schema's extension (`schema::fields`), which every mutation runs through.
    pub fn mutation_began(&self) {
        self.mutations.fetch_add(1, Ordering::SeqCst);
    }

    /// An operation that began `fields` mutation fields has ended, their writes committed and
    /// the cache's generations moved: for a socket's next operations the cache serves again.
    /// An operation cut off before its end never gets here, and its loader reads from the
    /// database for the rest of its life (slower, never older).
    pub fn mutations_ended(&self, fields: usize) {
        self.mutations.fetch_sub(fields, Ordering::SeqCst);
    }

    /// The reference cache, unless a mutation is running (`mutation_began`).
    pub(crate) fn kept(&self) -> Option<&ReferenceCache> {
        (self.mutations.load(Ordering::SeqCst) == 0).then_some(&self.references)
    }

    /// The rows of `keys` through the cache's `shelf` (`reference_cache::Shelf::through`), or
    /// straight from `read` while a mutation runs.
    pub(crate) async fn through<K, V, S, F, Fut>(
        &self,
        shelf: S,
        keys: &[K],
        read: F,
    ) -> AppResult<HashMap<K, V>>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        S: FnOnce(&ReferenceCache) -> &Shelf<K, V>,
        F: FnOnce(Vec<K>) -> Fut,
        Fut: Future<Output = AppResult<HashMap<K, V>>>,
    {
        match self.kept() {
            Some(cache) => shelf(cache).through(keys, read).await,
            None => read(keys.to_vec()).await,
        }
    }
}

/// Loader errors are shared by every resolver waiting on the batch.
pub type LoadError = Arc<AppError>;

/// A key whose row the process may keep (`reference_cache`). A resolver takes a kept row at
/// once instead of queueing its key for the level's batch: a page of 50 tasks names some 400
/// units, leaders and periods, and the DataLoader's trip (its lock, its key sets, a channel, a
/// wake-up) was most of what each cost the server: a unit under a task unit 5.6–6.3 µs through
/// it, 2.6–4.6 µs taken at once (`bench/results-2026-11-30-kept-and-parsed.md`). `None` when
/// the row is not kept, not fresh, or not kept for this principal: the loader reads it, and
/// keeps it when it may.
pub trait Kept {
    type Row;
    fn kept(&self, loader: &DbLoader) -> Option<Self::Row>;
}

/// Declares a key newtype and its `Loader` impl in terms of a batch function of a service, which
/// returns a map from the inner key to the value.
///
/// - `loader!(Key(i64) => Value, |loader, ids| batch(&loader.db, &ids))`
/// - `loader!(Key(i64) => Value, signed in |loader, actor, ids| batch(actor, &loader.db, &ids))`
///   for rows that depend on who asks: the batch gets the principal, and an anonymous request
///   gets nothing (it never reaches these fields signed out, but the loader does not rely on it).
/// - `loader!(Key(i64) => Value, kept |loader, key| lookup, |loader, ids| batch)` for rows the
///   reference cache keeps: `lookup` is the row of one key when it is kept and fresh (`Kept`).
///   Without `kept`, a key's rows are never taken from the process.
macro_rules! loader {
    ($(#[$doc:meta])* $key:ident($inner:ty) => $value:ty, kept |$kthis:ident, $kkey:ident| $kept:expr, $($batch:tt)+) => {
        $crate::graphql::loaders::loader!(@batch $(#[$doc])* $key($inner) => $value, $($batch)+);

        impl $crate::graphql::loaders::Kept for $key {
            type Row = $value;
            fn kept(&self, $kthis: &$crate::graphql::loaders::DbLoader) -> Option<$value> {
                let $kkey = &self.0;
                $kept
            }
        }
    };
    ($(#[$doc:meta])* $key:ident($inner:ty) => $value:ty, $($batch:tt)+) => {
        $crate::graphql::loaders::loader!(@batch $(#[$doc])* $key($inner) => $value, $($batch)+);

        impl $crate::graphql::loaders::Kept for $key {
            type Row = $value;
            fn kept(&self, _: &$crate::graphql::loaders::DbLoader) -> Option<$value> {
                None
            }
        }
    };
    (@batch $(#[$doc:meta])* $key:ident($inner:ty) => $value:ty, |$this:ident, $ids:ident| $body:expr) => {
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
    (@batch $(#[$doc:meta])* $key:ident($inner:ty) => $value:ty, signed in |$this:ident, $actor:ident, $ids:ident| $body:expr) => {
        $crate::graphql::loaders::loader!(
            @batch $(#[$doc])* $key($inner) => $value,
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
