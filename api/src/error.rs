//! The one error type of the service and the one place that decides what clients see of it.
//!
//! Services return `AppError`. Resolvers pass it on with `?`; async-graphql keeps it as the
//! error's source, and `to_client` (called once per response by the HTTP layer) gives every
//! error an `extensions.code`, one of `BAD_USER_INPUT`, `UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`,
//! `CONFLICT` or `INTERNAL_SERVER_ERROR`. Database and other internal errors are logged here with
//! their detail and reach the client only as "internal error": no SQL ever leaks.

use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is malformed or breaks a rule; the message names the field and the rule.
    #[error("{message}")]
    BadInput {
        message: String,
        field: Option<String>,
    },
    /// No valid credentials: missing, expired or tampered token, or a failed login.
    #[error("{0}")]
    Unauthenticated(String),
    /// Signed in, but this role or this row is not theirs.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or the caller may not know it exists.
    #[error("{0} not found")]
    NotFound(String),
    /// The request collides with the current state: a stale version, a duplicate name.
    #[error("{0}")]
    Conflict(String),
    /// A unique index refused a row: another request stored the same thing first. Shown as
    /// CONFLICT; services that expect the race match it to retry or to say what collided.
    #[error("a record with the same unique value already exists")]
    Duplicate,
    /// Too much at once: a limit on the rate or the concurrency of some work was reached. The
    /// client may try again after `retry_after` seconds (`extensions.retryAfter`, and the
    /// `Retry-After` header over HTTP).
    #[error("{message}")]
    RateLimited { message: String, retry_after: u64 },
    /// The server cannot serve the request now: the database does not answer, or the request
    /// ran past its time. The client may try again.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else. Logged in full, shown as "internal error".
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadInput {
            message: message.into(),
            field: None,
        }
    }

    /// A bad value in a named input field; the field travels in `extensions.field`.
    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        Self::BadInput {
            message: format!("{field}: {}", message.into()),
            field: Some(field.to_owned()),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    /// The code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadInput { .. } => "BAD_USER_INPUT",
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict(_) | Self::Duplicate => "CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl From<DbErr> for AppError {
    /// A unique-constraint violation that a service did not foresee (two requests racing to
    /// create the same name) is a conflict, not a crash; everything else is internal.
    /// A database that does not answer (no connection within the acquire timeout, or none can
    /// be opened) is `SERVICE_UNAVAILABLE`: the client may retry, and learns it at once.
    fn from(err: DbErr) -> Self {
        if unreachable_database(&err) {
            tracing::warn!(error = %err, "the database does not answer");
            return Self::Unavailable("the database does not answer; try again shortly".to_owned());
        }
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Duplicate,
            _ => Self::Internal(anyhow::Error::new(err)),
        }
    }
}

/// Whether `err` says the database is out of reach (down, restarting, the network gone) rather
/// than that a statement failed: no connection within the acquire timeout, a connection that
/// broke, or the server's own "shutting down" and "connection failure" classes (SQLSTATE 57P
/// and 08).
fn unreachable_database(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;

    let sqlx = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(sqlx)) | DbErr::Query(RuntimeErr::SqlxError(sqlx)) => {
            sqlx
        }
        _ => return false,
    };
    match sqlx {
        Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        Sqlx::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("57P") || code.starts_with("08")),
        _ => false,
    }
}

/// Turns an error from execution into what the client sees. This is the only place that
/// decides it:
///
/// - an `AppError` (returned by a service and carried through `?` as the error's source, or
///   shared by a DataLoader batch as `Arc<AppError>`) gets its code, and its field if it names
///   one; an internal error is logged in full and shown as "internal error";
/// - any other error with a source is unexpected: logged and shown as "internal error";
/// - errors raised by async-graphql itself (syntax, validation, depth and complexity limits,
///   input coercion) carry no source and become `BAD_USER_INPUT` with their own message.
pub fn to_client(mut error: async_graphql::ServerError) -> async_graphql::ServerError {
    let app_error = error.source::<AppError>().or_else(|| {
        error
            .source::<std::sync::Arc<AppError>>()
            .map(AsRef::as_ref)
    });
    let (code, field, message) = match app_error {
        Some(AppError::Internal(inner)) => {
            tracing::error!(error = ?inner, path = ?error.path, "internal error");
            ("INTERNAL_SERVER_ERROR", None, "internal error".to_owned())
        }
        Some(AppError::BadInput { field, .. }) => {
            ("BAD_USER_INPUT", field.clone(), error.message.clone())
        }
        Some(other) => (other.code(), None, error.message.clone()),
        None if error.source.is_some() => {
            tracing::error!(message = %error.message, path = ?error.path, "unexpected error");
            ("INTERNAL_SERVER_ERROR", None, "internal error".to_owned())
        }
        // Automatic persisted queries: the code Apollo's and urql's links look for, which tells
        // them to send the query with its hash.
        None if error.message == "PersistedQueryNotFound" => {
            ("PERSISTED_QUERY_NOT_FOUND", None, error.message.clone())
        }
        None => ("BAD_USER_INPUT", None, error.message.clone()),
    };
    let from_service = app_error.is_some();
    let retry_after = match app_error {
        Some(AppError::RateLimited { retry_after, .. }) => Some(*retry_after),
        _ => None,
    };
    error.message = message;
    let mut extensions = error.extensions.take().unwrap_or_default();
    if extensions.get("code").is_none() || from_service {
        extensions.set("code", code);
    }
    if let Some(field) = field {
        extensions.set("field", field);
    }
    if let Some(seconds) = retry_after {
        extensions.set("retryAfter", seconds);
        crate::metrics::rate_limited();
    }
    error.extensions = Some(extensions);
    error
}

impl AppError {
    /// `RATE_LIMITED`, to be tried again after `seconds` (at least one).
    pub fn rate_limited(message: impl Into<String>, seconds: u64) -> Self {
        Self::RateLimited {
            message: message.into(),
            retry_after: seconds.max(1),
        }
    }
}

/// Applies `to_client` to a response of a subscription (`schema::fields` maps each one).
/// HTTP responses are mapped by the handler; subscription responses stream out over the
/// WebSocket without passing it.
pub fn subscription_response(mut response: async_graphql::Response) -> async_graphql::Response {
    response.errors = response.errors.into_iter().map(to_client).collect();
    response
}

/// The response of a plain HTTP route (not GraphQL) that failed: the same JSON error shape as
/// GraphQL's, through `to_client`, with the HTTP status its code implies.
pub fn http_response(err: AppError) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;

    let status = match err {
        AppError::BadInput { .. } => StatusCode::BAD_REQUEST,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) | AppError::Duplicate => StatusCode::CONFLICT,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let retry_after = match &err {
        AppError::RateLimited { retry_after, .. } => Some(*retry_after),
        _ => None,
    };
    let error = to_client(async_graphql::Error::from(err).into_server_error(Default::default()));
    let mut response =
        (status, axum::Json(serde_json::json!({ "errors": [error] }))).into_response();
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(seconds),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{Pos, ServerError};

    fn through_graphql(err: AppError) -> ServerError {
        to_client(async_graphql::Error::from(err).into_server_error(Pos::default()))
    }

    fn code(error: &ServerError) -> String {
        error
            .extensions
            .as_ref()
            .unwrap()
            .get("code")
            .unwrap()
            .to_string()
    }

    #[test]
    fn service_errors_keep_their_code_and_field() {
        let error = through_graphql(AppError::bad_field("seq", "must not be empty"));
        assert_eq!(code(&error), "\"BAD_USER_INPUT\"");
        assert_eq!(error.message, "seq: must not be empty");
        assert!(error.extensions.as_ref().unwrap().get("field").is_some());
        assert_eq!(
            code(&through_graphql(AppError::conflict("stale"))),
            "\"CONFLICT\""
        );
        let shared = std::sync::Arc::new(AppError::not_found("task"));
        let error = to_client(async_graphql::Error::from(shared).into_server_error(Pos::default()));
        assert_eq!(code(&error), "\"NOT_FOUND\"");
    }

    #[test]
    fn internal_errors_never_show_their_detail() {
        let db_error = DbErr::Custom("SELECT secret FROM users: syntax error".to_owned());
        let error = through_graphql(AppError::from(db_error));
        assert_eq!(error.message, "internal error");
        assert_eq!(code(&error), "\"INTERNAL_SERVER_ERROR\"");
    }

    #[test]
    fn errors_of_the_graphql_layer_are_bad_input() {
        let error = to_client(ServerError::new("Unknown field \"x\"", None));
        assert_eq!(code(&error), "\"BAD_USER_INPUT\"");
        assert_eq!(error.message, "Unknown field \"x\"");
    }
}
