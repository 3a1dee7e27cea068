//! Who is calling, for every HTTP route: one place reads the `Authorization` header.
//!
//! - `AuthState` as an extractor: the GraphQL route takes it as it is, because signed-out
//!   requests (`login`) are served there and a bad token is refused field by field.
//! - `SignedIn`: routes that serve only a signed-in principal (downloads); anything else is
//!   refused with 401 and a GraphQL-shaped error body.
//!
//! (Subscriptions send the token in `connection_init`, not in a header: `http::graphql_ws`.)

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::Response;

use crate::auth::{AuthState, Principal};
use crate::error::{AppError, http_response};
use crate::state::AppData;

impl<S> FromRequestParts<S> for AuthState
where
    Arc<AppData>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let app = Arc::<AppData>::from_ref(state);
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        let state =
            AuthState::from_header(header, &app.keys, &app.db, app.clock.now(), &app.principals)
                .await
                .map_err(http_response)?;
        // Requests a minute per key and per account: refused here, before any work.
        if let AuthState::Authenticated(principal) = &state {
            app.limits.admit(principal).map_err(http_response)?;
        }
        Ok(state)
    }
}

/// The signed-in principal of a request; a missing or unacceptable token is a 401.
#[derive(Debug)]
pub struct SignedIn(pub Principal);

impl<S> FromRequestParts<S> for SignedIn
where
    Arc<AppData>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match AuthState::from_request_parts(parts, state).await? {
            AuthState::Authenticated(principal) => Ok(Self(principal)),
            AuthState::Invalid(reason) => Err(http_response(AppError::Unauthenticated(reason))),
            AuthState::Anonymous => Err(http_response(AppError::Unauthenticated(
                "send the access token in the Authorization header".to_owned(),
            ))),
        }
    }
}
