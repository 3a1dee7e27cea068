//! `GET /attachments/{id}`: the bytes of an attachment, for a caller who may read it (the same
//! bearer token as for GraphQL). Streamed from disk; served as a download with the original
//! name, never rendered inline, so an uploaded file cannot run as a page of this origin.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use tokio_util::io::ReaderStream;

use crate::auth::{Principal, SignedIn};
use crate::error::AppError;
use crate::graphql::relay::{Kind, expect_id};
use crate::state::AppData;

pub async fn download(
    State(app): State<Arc<AppData>>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Response {
    match serve(&app, &actor, &id).await {
        Ok(response) => response,
        Err(err) => crate::error::http_response(err),
    }
}

async fn serve(app: &AppData, actor: &Principal, id: &str) -> Result<Response, AppError> {
    actor.require_scope(crate::auth::scopes::ApiScope::ReportsRead)?;
    let id = expect_id("id", &async_graphql::ID(id.to_owned()), Kind::Attachment)?;
    let row = crate::attachments::service::get(actor, &app.db, id).await?;
    let file = tokio::fs::File::open(app.storage.path_of(&row.storage_key))
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(&row.file_name),
        utf8_percent_encode(&row.file_name, NON_ALPHANUMERIC)
    );
    let mut response = Body::from_stream(ReaderStream::new(file)).into_response();
    let headers = response.headers_mut();
    let header_value =
        |value: &str| HeaderValue::from_str(value).map_err(|err| AppError::Internal(err.into()));
    headers.insert(header::CONTENT_TYPE, header_value(&row.content_type)?);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(row.size_bytes));
    headers.insert(header::CONTENT_DISPOSITION, header_value(&disposition)?);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert("x-checksum-sha256", header_value(&row.sha256)?);
    Ok(response)
}

/// The name for clients that do not read `filename*`: ASCII only, quotes and controls replaced.
fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
