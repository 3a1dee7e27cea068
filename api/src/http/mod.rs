//! The HTTP surface: the routes, the state the handlers share, health probes and the request
//! log. `graphql` holds the GraphQL handlers (queries and mutations, GraphiQL, WebSocket);
//! `guards` what every request passes first (body limits, media types, security headers, the
//! client's address, panics). Every route learns who calls from the extractors of
//! `auth::extract`.
//!
//! | route                   | what                                                       |
//! |-------------------------|------------------------------------------------------------|
//! | `POST /graphql`         | GraphQL queries and mutations (JSON, or multipart uploads) |
//! | `GET /graphql`          | a query from the URL; GraphiQL for a browser (if enabled)  |
//! | `GET /graphql/ws`       | subscriptions over WebSocket (graphql-transport-ws)        |
//! | `GET /graphiql/…`       | GraphiQL's files, from the binary (works offline)          |
//! | `GET /attachments/{id}` | an attachment's bytes (`attachments::download`)            |
//! | `GET /exports/{file}`   | a table as `.xlsx` or `.csv` (`exports`)                   |
//! | `GET /healthz`          | the process is up                                          |
//! | `GET /readyz`           | the database answers                                       |

mod graphiql;
mod graphql;
mod guards;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{FromRef, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;

use crate::schema::Executor;
use crate::state::AppData;

/// Everything the handlers need, cloned cheaply into each request: the schema (as its executor
/// runs it), and the same shared services the schema holds.
#[derive(Clone)]
pub struct AppState {
    /// Shared, not cloned field by field: the state is cloned for every request.
    pub executor: Arc<Executor>,
    /// Whether `GET /graphql` from a browser serves GraphiQL.
    pub graphiql: bool,
    pub app: Arc<AppData>,
    pub loader_delay: Duration,
    pub limits: RequestLimits,
    /// Whether `X-Forwarded-For` names the client (behind a reverse proxy that sets it).
    pub trust_forwarded_for: bool,
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
    /// How long reading a request body may take.
    pub body_read_timeout: Duration,
}

/// Builds the router with its middleware.
pub fn router(state: AppState, limits: BodyLimits, exposure: &Exposure) -> Router {
    let graphql_route = get(graphql::graphql_get).post(graphql::graphql);
    let router = Router::new()
        .route("/graphql", graphql_route)
        .route("/graphiql/{version}/{file}", get(graphiql::asset))
        .route("/graphql/ws", get(graphql::graphql_ws))
        .route(
            "/attachments/{id}",
            get(crate::attachments::download::download),
        )
        .route("/exports/{file}", get(crate::exports::download))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    let router = match exposure.metrics.clone() {
        crate::config::MetricsAccess::Off => router,
        access => router.route(
            "/metrics",
            get(
                move |state: State<AppState>, headers: axum::http::HeaderMap| {
                    metrics_page(state, headers, access.clone())
                },
            ),
        ),
    };
    let router = router
        .layer(middleware::from_fn_with_state(limits, guards::limit_body))
        // A body that trickles in (a client sending a byte a minute) is cut off.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            limits.body_read_timeout,
        ))
        .layer(middleware::from_fn(guards::require_media_type))
        // A bug must cost one request a 500, never the connection or the process.
        .layer(CatchPanicLayer::custom(guards::panic_response));
    let router = guards::security_headers(router, exposure.hsts);
    let router = match guards::cors(&exposure.cors) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router
        // Responses above 1 KiB, gzip or brotli as the client accepts; not file downloads
        // (PDFs, Office files and archives are compressed already).
        .layer(
            tower_http::compression::CompressionLayer::new().compress_when({
                use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
                SizeAbove::new(1024).and(NotForContentType::IMAGES).and(
                    |_: axum::http::StatusCode,
                     _: axum::http::Version,
                     headers: &axum::http::HeaderMap,
                     _: &axum::http::Extensions| {
                        !headers.contains_key(axum::http::header::CONTENT_DISPOSITION)
                    },
                )
            }),
        )
        .layer(middleware::from_fn(log_request))
        // Every request has an id: the client's `x-request-id` when it is a sane one, else a
        // new UUID; the response carries it back, and so do the log lines and the errors.
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
            tower_http::request_id::MakeRequestUuid,
        ))
        .layer(middleware::from_fn(guards::drop_unusable_request_id))
        .with_state(state)
}

/// The request id of a request (set by the request-id layers, so always there behind them).
pub(crate) fn request_id(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
}

/// What the server shows of itself: HSTS when it is reached over TLS, and which web origins
/// may call it from a browser. (GraphiQL is `AppState::graphiql`.)
#[derive(Clone, Debug)]
pub struct Exposure {
    pub hsts: bool,
    pub cors: crate::config::CorsOrigins,
    pub metrics: crate::config::MetricsAccess,
}

/// `/metrics`: the Prometheus text format, with the database pool read as it is now.
async fn metrics_page(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    access: crate::config::MetricsAccess,
) -> Response {
    use secrecy::ExposeSecret;
    use sha2::{Digest, Sha256};

    if let crate::config::MetricsAccess::Token(token) = &access {
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Compared as digests, so the time taken says nothing about the token's bytes.
        let expected = Sha256::digest(token.expose_secret().as_bytes());
        if Sha256::digest(given.as_bytes()) != expected {
            return (
                StatusCode::UNAUTHORIZED,
                [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
                "send the metrics token as `Authorization: Bearer <METRICS_TOKEN>`\n",
            )
                .into_response();
        }
    }
    let (in_use, idle, max) = crate::db::pool_sizes(&state.app.db);
    crate::metrics::database_pool(in_use, idle, max);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::handle().render(),
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers within a second, its schema is current (no migration
/// pending: another instance may be mid-upgrade), and the deadline job, where it runs on this
/// instance, has run lately. The body says which part is not.
async fn readyz(State(state): State<AppState>) -> Response {
    let database = crate::db::ping(&state.app.db).await;
    let migrations = if database {
        match crate::db::pending_migrations(&state.app.db).await {
            Ok(0) => "current",
            Ok(_) => "pending",
            Err(_) => "unknown",
        }
    } else {
        "unknown"
    };
    let job = match state.app.deadline_job.alive() {
        None => "off",
        Some(true) => "ok",
        Some(false) => "late",
    };
    let ready = database && migrations == "current" && job != "late";
    let body = serde_json::json!({
        "database": if database { "ok" } else { "unavailable" },
        "migrations": migrations,
        "deadlineJob": job,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// One log line per request: method, path, status, duration and, for GraphQL, the operation
/// name and the error codes.
async fn log_request(request: Request, next: Next) -> Response {
    use tracing::Instrument;

    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    // The route's pattern (`/attachments/{id}`), never the path itself: a bounded label.
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |matched| matched.as_str())
        .to_owned();
    let id = request_id(request.headers()).unwrap_or("-").to_owned();
    // Every line logged while the request runs carries its id.
    let span = tracing::info_span!("request", request_id = %id);
    let response = next.run(request).instrument(span.clone()).await;
    let _entered = span.enter();
    let seconds = started.elapsed().as_secs_f64();
    let duration_ms = seconds * 1000.0;
    let outcome = response.extensions().get::<graphql::GraphqlOutcome>();
    crate::metrics::http_request(&route, method.as_str(), response.status().as_u16(), seconds);
    if let Some(outcome) = outcome {
        let result = outcome.error_codes.first().map_or("ok", String::as_str);
        crate::metrics::graphql_operation(
            &outcome.operation,
            result,
            outcome.execution.as_str(),
            seconds,
        );
    }
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        duration_ms = format!("{duration_ms:.1}"),
        operation = outcome.map_or("", |o| o.operation.as_str()),
        schema = outcome.map_or("", |o| o.execution.as_str()),
        errors = outcome.map(|o| o.error_codes.join(",")).unwrap_or_default(),
        "request"
    );
    response
}
