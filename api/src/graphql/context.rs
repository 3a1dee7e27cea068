//! What resolvers take from the GraphQL context: the shared `AppData` placed once in the
//! schema, and per-request data (the principal, the DataLoader) placed by the HTTP handler.

use std::hash::Hash;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::extensions::ExtensionContext;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::auth::{AuthState, Principal};
use crate::error::AppResult;
use crate::graphql::loaders::{DbLoader, Kept, LoadError};
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
    /// The client's address, as the HTTP handler established it (unspecified over WebSocket).
    fn client_address(&self) -> std::net::IpAddr;
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

    fn client_address(&self) -> std::net::IpAddr {
        self.data_opt::<ClientAddress>()
            .map_or(std::net::Ipv4Addr::UNSPECIFIED.into(), |address| address.0)
    }
}

/// The row behind a relation key, converted to its output type: what a relation field returns.
pub async fn load<K, T>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Option<T>>
where
    K: Kept<Row = <DbLoader as Loader<K>>::Value> + Send + Sync + Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = LoadError>,
    T: From<<DbLoader as Loader<K>>::Value>,
{
    Ok(load_row(ctx, key).await?.map(Into::into))
}

/// The row behind a relation key: kept in the process when it is (`Kept`), else read through
/// the request's DataLoader with the other keys of its level.
pub async fn load_row<K>(
    ctx: &Context<'_>,
    key: K,
) -> async_graphql::Result<Option<<DbLoader as Loader<K>>::Value>>
where
    K: Kept<Row = <DbLoader as Loader<K>>::Value> + Send + Sync + Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = LoadError>,
{
    let loader = ctx.loader();
    if let Some(row) = key.kept(loader.loader()) {
        return Ok(Some(row));
    }
    Ok(loader.load_one(key).await?)
}

/// Tells the request's loader that a mutation field is about to run, so that until its
/// operation ends the request reads nothing the process keeps (`DbLoader::mutation_began`).
pub fn mutation_began(ctx: &ExtensionContext<'_>) {
    if let Some(loader) = ctx.data_opt::<DataLoader<DbLoader>>() {
        loader.loader().mutation_began();
    }
}

/// Tells the loader that an operation which began `fields` mutation fields has ended
/// (`DbLoader::mutations_ended`): a socket's loader serves its next operations from the cache
/// again.
pub fn mutations_ended(ctx: &ExtensionContext<'_>, fields: usize) {
    if let Some(loader) = ctx.data_opt::<DataLoader<DbLoader>>() {
        loader.loader().mutations_ended(fields);
    }
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

/// The address a request came from: the peer, or with `TRUST_FORWARDED_FOR` the address the
/// reverse proxy put last in `X-Forwarded-For`.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub std::net::IpAddr);

/// The file parts of one request that a field has already read. A part is read once: one
/// 20 MiB part named by a hundred aliased `uploadAttachment` fields would otherwise be stored a
/// hundred times. (async-graphql gives each variable a part fills its own `Upload` index, each
/// a view of the part's one buffer; the buffer is what identifies the part.) The HTTP handler
/// puts an empty set into each request.
#[derive(Debug, Default)]
pub struct UploadsTaken(std::sync::Mutex<std::collections::HashSet<(usize, usize)>>);

/// The file behind an `Upload` input, if no other field of the request has read that part yet.
pub fn take_upload(
    ctx: &Context<'_>,
    field: &str,
    upload: &async_graphql::Upload,
) -> AppResult<async_graphql::UploadValue> {
    let unreadable = || crate::error::AppError::bad_field(field, "the upload could not be read");
    let value = upload.value(ctx).map_err(|_| unreadable())?;
    if let Some(taken) = ctx.data_opt::<UploadsTaken>() {
        let part = (value.content.as_ptr() as usize, value.content.len());
        let fresh = taken
            .0
            .lock()
            .map_err(|_| crate::error::AppError::Internal(anyhow::anyhow!("upload set poisoned")))?
            .insert(part);
        if !fresh {
            return Err(crate::error::AppError::bad_field(
                field,
                "this file part is already used by another field of the request; send a file \
                 once for each use",
            ));
        }
    }
    Ok(value)
}
