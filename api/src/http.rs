//! The HTTP surface: routes, the GraphQL handlers, health probes and the request log. Every
//! route learns who calls from the extractors of `auth::extract`.
//!
//! | route              | what                                                     |
//! |--------------------|----------------------------------------------------------|
//! | `POST /graphql`    | GraphQL queries and mutations                            |
//! | `GET /graphql`     | GraphiQL, to explore the API in a browser                |
//! | `GET /graphql/ws`  | subscriptions over WebSocket (graphql-transport-ws)      |
//! | `GET /attachments/{id}` | an attachment's bytes (`attachments::download`)       |
//! | `GET /healthz`     | the process is up                                        |
//! | `GET /readyz`      | the database answers                                     |

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::dataloader::DataLoader;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource};
use async_graphql::{Data, ServerError};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::{ConnectInfo, FromRef, FromRequestParts, Request, State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;

use crate::auth::AuthState;
use crate::error::{AppError, to_client};
use crate::graphql::batching::Batches;
use crate::graphql::context::{ClientAddress, UploadsTaken};
use crate::graphql::loaders::DbLoader;
use crate::schema::AppSchema;
use crate::state::AppData;

/// Everything the handlers need, cloned cheaply into each request: the schema, and the same
/// shared services the schema holds.
#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub app: Arc<AppData>,
    pub loader_delay: Duration,
    pub limits: RequestLimits,
    /// Whether `X-Forwarded-For` names the client (behind a reverse proxy that sets it).
    pub trust_forwarded_for: bool,
}

/// The client's address: the peer's, or with `trust_forwarded_for` the last address of
/// `X-Forwarded-For` (the one the proxy in front of us appended; earlier ones are the client's
/// word). Unspecified when the server was not started with connection info.
impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        let forwarded = state
            .trust_forwarded_for
            .then(|| {
                parts
                    .headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|value| value.to_str().ok())
                    .flat_map(|value| value.split(','))
                    .next_back()
                    .and_then(|last| last.trim().parse::<std::net::IpAddr>().ok())
            })
            .flatten();
        Ok(ClientAddress(forwarded.or(peer).unwrap_or(
            std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        )))
    }
}

/// What one GraphQL request over HTTP may take and give.
#[derive(Clone, Copy, Debug)]
pub struct RequestLimits {
    /// The operation (query and variables), whether sent as JSON or as the `operations` part
    /// of a multipart request: the JSON body limit, so a file upload cannot carry a larger
    /// query than a plain request.
    pub operation_bytes: usize,
    /// The serialized response.
    pub response_bytes: usize,
    /// Wall-clock time; the work is dropped (and its transaction rolled back) past it.
    pub timeout: Duration,
}

/// Handlers that need only the shared services take `State<Arc<AppData>>`.
impl FromRef<AppState> for Arc<AppData> {
    fn from_ref(state: &AppState) -> Self {
        state.app.clone()
    }
}

/// The largest request bodies accepted: JSON, and multipart (file uploads).
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    pub json: usize,
    pub upload: usize,
}

/// Builds the router with its middleware.
pub fn router(state: AppState, limits: BodyLimits) -> Router {
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/graphql/ws", get(graphql_ws))
        .route(
            "/attachments/{id}",
            get(crate::attachments::download::download),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .layer(middleware::from_fn_with_state(limits, limit_body))
        // A bug must cost one request a 500, never the connection or the process.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Limits the request body, on the body itself, because the GraphQL extractor reads the body
/// without axum's `DefaultBodyLimit`. A declared length over the limit gets 413 with a GraphQL
/// error before anything is read; a body that grows past it while streaming is cut off.
async fn limit_body(State(limits): State<BodyLimits>, request: Request, next: Next) -> Response {
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    let limit = if multipart {
        limits.upload
    } else {
        limits.json
    };
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        let body = serde_json::json!({ "errors": [{
            "message": format!("the request body is larger than {limit} bytes"),
            "extensions": { "code": "BAD_USER_INPUT" },
        }]});
        return (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response();
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// What the GraphQL handler tells the request log about the operation.
#[derive(Clone, Debug)]
struct GraphqlOutcome {
    operation: String,
    error_codes: Vec<String>,
}

impl AppState {
    /// The loader of one request or connection, carrying its principal.
    fn db_loader(&self, auth: &AuthState) -> DbLoader {
        let principal = match auth {
            AuthState::Authenticated(principal) => Some(principal.clone()),
            _ => None,
        };
        DbLoader::new(self.app.db.clone(), principal, self.app.clock.clone())
    }
}

async fn graphql(
    State(state): State<AppState>,
    auth: AuthState,
    client: ClientAddress,
    request: GraphQLRequest,
) -> Response {
    let request = request.into_inner();
    let operation = request
        .operation_name
        .clone()
        .unwrap_or_else(|| "-".to_owned());
    let limits = state.limits;
    let mut response = match operation_size(&request) {
        size if size > limits.operation_bytes => refusal(AppError::bad_input(format!(
            "the operation (query and variables) is {size} bytes; at most {} are accepted",
            limits.operation_bytes
        ))),
        _ => {
            // Batches are cut when the request is idle, not after a delay: see `batching`.
            let batches = Batches::default();
            let loader =
                DataLoader::new(state.db_loader(&auth), batches.spawner()).delay(Duration::ZERO);
            let request = request
                .data(auth)
                .data(loader)
                .data(UploadsTaken::default())
                .data(client);
            let execution = batches.drive(state.schema.execute(request));
            match tokio::time::timeout(limits.timeout, execution).await {
                Ok(response) => response,
                Err(_) => refusal(AppError::Unavailable(format!(
                    "the request ran longer than {} ms and was stopped; ask for less",
                    limits.timeout.as_millis()
                ))),
            }
        }
    };
    response.errors = response.errors.into_iter().map(to_client).collect();
    let error_codes = response.errors.iter().map(error_code).collect();
    let mut http = sized(response, limits.response_bytes);
    http.extensions_mut().insert(GraphqlOutcome {
        operation,
        error_codes,
    });
    http
}

/// The bytes of a request's query and variables as JSON.
fn operation_size(request: &async_graphql::Request) -> usize {
    let variables = serde_json::to_vec(&request.variables).map_or(usize::MAX, |json| json.len());
    request.query.len().saturating_add(variables)
}

/// A response with only this error, before anything ran.
fn refusal(err: AppError) -> async_graphql::Response {
    async_graphql::Response::from_errors(vec![
        async_graphql::Error::from(err).into_server_error(Default::default()),
    ])
}

/// The HTTP response of a GraphQL response, or an error in its place when it would be larger
/// than `limit` bytes. Serialized once.
fn sized(response: async_graphql::Response, limit: usize) -> Response {
    let Ok(body) = serde_json::to_vec(&response) else {
        return GraphQLResponse::from(refusal(AppError::Internal(anyhow::anyhow!(
            "a response could not be serialized"
        ))))
        .into_response();
    };
    if body.len() > limit {
        let mut too_large = refusal(AppError::bad_input(format!(
            "the response would be {} bytes, above the limit of {limit}; ask for fewer fields \
             or smaller pages",
            body.len()
        )));
        too_large.errors = too_large.errors.into_iter().map(to_client).collect();
        return GraphQLResponse::from(too_large).into_response();
    }
    let mut http = GraphQLResponse::from(response).into_response();
    *http.body_mut() = axum::body::Body::from(body);
    http
}

fn error_code(error: &ServerError) -> String {
    error
        .extensions
        .as_ref()
        .and_then(|ext| ext.get("code"))
        .map(|code| code.to_string().trim_matches('"').to_owned())
        .unwrap_or_default()
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("Duban GraphQL")
            .finish(),
    )
}

/// Subscriptions: the access token travels in the `connection_init` payload
/// (`{"Authorization": "Bearer …"}` or `{"accessToken": "…"}`); a bad token closes the socket.
async fn graphql_ws(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            let schema = state.schema.clone();
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload
                        .get("Authorization")
                        .or_else(|| payload.get("authorization"))
                        .and_then(|v| v.as_str())
                        .map(str::to_owned)
                        .or_else(|| {
                            payload
                                .get("accessToken")
                                .and_then(|v| v.as_str())
                                .map(|t| format!("Bearer {t}"))
                        });
                    let app = &state.app;
                    let auth = AuthState::from_header(
                        token.as_deref(),
                        &app.keys,
                        &app.db,
                        app.clock.now(),
                    )
                    .await
                    .map_err(async_graphql::Error::from)?;
                    // Operations on a socket run on the socket's own tasks, so this loader
                    // batches by time, with the configured window.
                    let loader = DataLoader::new(state.db_loader(&auth), tokio::spawn)
                        .delay(state.loader_delay);
                    let refusal = match &auth {
                        AuthState::Authenticated(_) => None,
                        AuthState::Invalid(reason) => Some(reason.clone()),
                        AuthState::Anonymous => Some(
                            "sign in first: send the access token in connection_init".to_owned(),
                        ),
                    };
                    if let Some(reason) = refusal {
                        return Err(AppError::Unauthenticated(reason).into());
                    }
                    let mut data = Data::default();
                    data.insert(auth);
                    data.insert(loader);
                    Ok(data)
                })
                .serve()
        })
}

/// What a client gets when a handler panicked: the detail goes to the log only.
// The signature is the one `CatchPanicLayer::custom` calls, which hands over the payload.
#[allow(clippy::needless_pass_by_value)]
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "a request handler panicked");
    let body = serde_json::json!({ "errors": [{
        "message": "internal error",
        "extensions": { "code": "INTERNAL_SERVER_ERROR" },
    }]});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    if crate::db::ping(&state.app.db).await {
        (
            StatusCode::OK,
            Json(serde_json::json!({ "database": "ok" })),
        )
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "database": "unavailable" })),
        )
            .into_response()
    }
}

/// One log line per request: method, path, status, duration and, for GraphQL, the operation
/// name and the error codes.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let outcome = response.extensions().get::<GraphqlOutcome>();
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        duration_ms = format!("{duration_ms:.1}"),
        operation = outcome.map_or("", |o| o.operation.as_str()),
        errors = outcome.map(|o| o.error_codes.join(",")).unwrap_or_default(),
        "request"
    );
    response
}
