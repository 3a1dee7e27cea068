//! The GraphQL handlers: queries and mutations over HTTP (with the request's loader, limits
//! and error mapping), GraphiQL, and subscriptions over WebSocket.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols};
use async_graphql::{Data, ServerError};
use async_graphql_axum::GraphQLRequest;
use async_graphql_axum::rejection::GraphQLRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use crate::auth::AuthState;
use crate::error::{AppError, to_client};
use crate::graphql::batching::Batches;
use crate::graphql::context::{ClientAddress, UploadsTaken};
use crate::graphql::loaders::DbLoader;
use crate::live::SessionEnd;
use crate::schema::Execution;

/// What the GraphQL handler tells the request log about the operation.
#[derive(Clone, Debug)]
pub(super) struct GraphqlOutcome {
    pub(super) operation: String,
    pub(super) error_codes: Vec<String>,
    /// Which schema ran it (`schema::execution`).
    pub(super) execution: Execution,
}

impl AppState {
    /// The loader of one request or connection, carrying its principal.
    fn db_loader(&self, auth: &AuthState) -> DbLoader {
        let principal = match auth {
            AuthState::Authenticated(principal) => Some(principal.clone()),
            _ => None,
        };
        DbLoader::new(self.app.db.clone(), principal, self.app.references.clone())
    }
}

pub(super) async fn graphql(
    State(state): State<AppState>,
    auth: AuthState,
    client: ClientAddress,
    headers: axum::http::HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let id = super::request_id(&headers);
    let media = Media::of(&headers);
    let request = match request {
        Ok(request) => request.into_inner(),
        // A body that is not a GraphQL request (bad JSON, a batch, a broken multipart): a JSON
        // error like every other, never the extractor's plain text.
        Err(GraphQLRejection(err)) => {
            let status = if matches!(err, async_graphql::ParseRequestError::PayloadTooLarge) {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            let message = match err {
                async_graphql::ParseRequestError::UnsupportedBatch => {
                    "batched requests are not accepted; send one operation per request".to_owned()
                }
                other => format!("not a GraphQL request: {other}"),
            };
            return refuse(&state, media, status, AppError::bad_input(message));
        }
    };
    // A body without a query (a misspelt key, say) is not a GraphQL request either; a
    // persisted query's hash alone stands for one.
    if request.query.trim().is_empty() && !request.extensions.contains_key("persistedQuery") {
        let message = "not a GraphQL request: the body has no `query`";
        return refuse(
            &state,
            media,
            StatusCode::BAD_REQUEST,
            AppError::bad_input(message),
        );
    }
    execute(&state, auth, client, id, media, request).await
}

/// `GET /graphql`: GraphiQL for a browser that asks for a page (when it is served), else a
/// query from the URL (`?query=…&variables=…&operationName=…`), which HTTP caches and CDNs
/// understand. Never a mutation: a GET must not change anything (405, as the GraphQL-over-HTTP
/// spec says).
pub(super) async fn graphql_get(
    State(state): State<AppState>,
    auth: AuthState,
    client: ClientAddress,
    headers: axum::http::HeaderMap,
    request: axum::extract::Request,
) -> Response {
    let media = Media::of(&headers);
    let wants_page = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    // A query, or the hash of a persisted one (Apollo's link sends only `extensions`).
    let has_query = request.uri().query().is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.starts_with("query=") || pair.starts_with("extensions="))
    });
    if !has_query {
        if wants_page && state.graphiql {
            return graphiql().await.into_response();
        }
        return refuse(
            &state,
            media,
            StatusCode::BAD_REQUEST,
            AppError::bad_input("send a query as `GET /graphql?query=…`, or POST it as JSON"),
        );
    }
    let mut request =
        match async_graphql::http::parse_query_string(request.uri().query().unwrap_or_default()) {
            Ok(request) => request,
            Err(err) => {
                let message = format!("not a GraphQL request: {err}; send `?query=…`");
                return refuse(
                    &state,
                    media,
                    StatusCode::BAD_REQUEST,
                    AppError::bad_input(message),
                );
            }
        };
    let wanted = request.operation_name.clone();
    let names_a_mutation = |document: &async_graphql::parser::types::ExecutableDocument| {
        document.operations.iter().any(|(name, operation)| {
            operation.node.ty == async_graphql::parser::types::OperationType::Mutation
                && request_names(name, wanted.as_deref())
        })
    };
    // A persisted query's hash stands for its document: a mutation's is refused like its text.
    let is_mutation = match state.executor.persisted(&request).await {
        Some(document) => names_a_mutation(&document),
        None => request.parsed_query().is_ok_and(names_a_mutation),
    };
    if is_mutation {
        let mut http = refuse(
            &state,
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            AppError::bad_input("mutations are sent with POST; a GET never changes anything"),
        );
        http.headers_mut().insert(
            axum::http::header::ALLOW,
            axum::http::HeaderValue::from_static("GET, POST"),
        );
        return http;
    }
    execute(
        &state,
        auth,
        client,
        super::request_id(&headers),
        media,
        request,
    )
    .await
}

/// Whether the operation named `name` (`None`: the document's only one) is the one `wanted`.
fn request_names(name: Option<&async_graphql::Name>, wanted: Option<&str>) -> bool {
    match (name, wanted) {
        (_, None) => true,
        (Some(name), Some(wanted)) => name.as_str() == wanted,
        (None, Some(_)) => false,
    }
}

/// The errors of a response as clients see them.
fn with_client_errors(mut response: async_graphql::Response) -> async_graphql::Response {
    response.errors = response.errors.into_iter().map(to_client).collect();
    response
}

/// Runs one GraphQL request over HTTP: the size of its operation, its loader, its timeout, the
/// errors as clients see them, the size of its response, and what the request log says.
async fn execute(
    state: &AppState,
    auth: AuthState,
    client: ClientAddress,
    request_id: Option<&str>,
    media: Media,
    request: async_graphql::Request,
) -> Response {
    let mut request = request;
    let limits = state.limits;
    state.executor.parse(&mut request);
    let operation = operation_name(&mut request, limits.operation_bytes);
    let (response, execution) = match operation_size(&request) {
        size if size > limits.operation_bytes => (
            refusal(AppError::bad_input(format!(
                "the operation (query and variables) is {size} bytes; at most {} are accepted",
                limits.operation_bytes
            ))),
            Execution::Refused,
        ),
        _ => {
            // Batches are cut when the request is idle, not after a delay: see `batching`.
            let batches = Batches::default();
            // The data of one run: a query may run twice (`schema::execution`).
            let data = || {
                batches.discard_queued();
                let loader = DataLoader::new(state.db_loader(&auth), batches.spawner())
                    .delay(Duration::ZERO);
                let mut data = Data::default();
                data.insert(auth.clone());
                data.insert(loader);
                data.insert(UploadsTaken::default());
                data.insert(client);
                data
            };
            let run = state.executor.execute(request, &auth, data, limits.timeout);
            batches.clone().drive(run).await
        }
    };
    let mut response = with_client_errors(response);
    // What a user can read out to the help desk, to find the request's log lines.
    if let Some(id) = request_id {
        for error in &mut response.errors {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("requestId", id);
        }
    }
    let error_codes = response.errors.iter().map(error_code).collect();
    let mut http = respond(response, limits.response_bytes, media);
    http.extensions_mut().insert(GraphqlOutcome {
        operation,
        error_codes,
        execution,
    });
    http
}

/// The operation's name for the log and the metrics: as the request names it, else the name of
/// the document's one operation (parsed here once, and kept for execution), else `-`.
fn operation_name(request: &mut async_graphql::Request, max_bytes: usize) -> String {
    if let Some(name) = &request.operation_name {
        return name.clone();
    }
    if request.query.len() > max_bytes {
        return "-".to_owned();
    }
    match request.parsed_query().map(|document| &document.operations) {
        Ok(async_graphql::parser::types::DocumentOperations::Multiple(operations))
            if operations.len() == 1 =>
        {
            operations
                .keys()
                .next()
                .map_or("-".to_owned(), ToString::to_string)
        }
        _ => "-".to_owned(),
    }
}

/// The bytes of a request's query and variables as JSON.
fn operation_size(request: &async_graphql::Request) -> usize {
    let variables = serde_json::to_vec(&request.variables).map_or(usize::MAX, |json| json.len());
    request.query.len().saturating_add(variables)
}

/// The HTTP answer to a request refused before it ran: `err` as clients see it, with `status`.
fn refuse(state: &AppState, media: Media, status: StatusCode, err: AppError) -> Response {
    let mut http = respond(
        with_client_errors(refusal(err)),
        state.limits.response_bytes,
        media,
    );
    *http.status_mut() = status;
    http
}

/// A response with only this error, before anything ran.
fn refusal(err: AppError) -> async_graphql::Response {
    async_graphql::Response::from_errors(vec![
        async_graphql::Error::from(err).into_server_error(Default::default()),
    ])
}

/// How a response is sent, as the client's `Accept` asks (GraphQL over HTTP): the spec's
/// `application/graphql-response+json`, with 4xx statuses for requests that could not run, or
/// the older `application/json`, always with 200 (also when the client says nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn of(headers: &axum::http::HeaderMap) -> Self {
        let accept = headers
            .get(axum::http::header::ACCEPT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let wants = |media: &str| {
            accept.split(',').any(|part| {
                let mut pieces = part.split(';');
                let name = pieces.next().unwrap_or_default().trim();
                let refused = pieces.any(|param| {
                    param
                        .trim()
                        .strip_prefix("q=")
                        .is_some_and(|q| q.trim() == "0")
                });
                name.eq_ignore_ascii_case(media) && !refused
            })
        };
        if wants("application/graphql-response+json") {
            Self::GraphqlResponse
        } else {
            Self::Json
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// The HTTP response of a GraphQL response, or an error in its place when it would be larger
/// than `limit` bytes. A request that did not run (no data, errors without a path: syntax,
/// validation, variables, the budget) has no `data` entry, and under the spec's media type a
/// 400.
fn respond(mut response: async_graphql::Response, limit: usize, media: Media) -> Response {
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    in_key_order(&mut response.data);
    response.extensions.values_mut().for_each(in_key_order);
    let sent = Sent {
        data: (!request_error).then_some(&response.data),
        errors: response
            .errors
            .iter()
            .map(|error| {
                serde_json::to_value(error).unwrap_or_else(|_| {
                    serde_json::json!({
                        "message": "internal error",
                        "extensions": { "code": "INTERNAL_SERVER_ERROR" },
                    })
                })
            })
            .collect(),
        extensions: &response.extensions,
    };
    // Straight to bytes, without a copy of the whole response on the way.
    let body = serde_json::to_vec(&sent).unwrap_or_else(|err| {
        tracing::error!(error = %err, "a response could not be serialized");
        serde_json::to_vec(&serde_json::json!({ "errors": [{
            "message": "internal error",
            "extensions": { "code": "INTERNAL_SERVER_ERROR" },
        }]}))
        .unwrap_or_default()
    });
    if body.len() > limit {
        let too_large = with_client_errors(refusal(AppError::bad_input(format!(
            "the response would be {} bytes, above the limit of {limit}; ask for fewer fields \
             or smaller pages",
            body.len()
        ))));
        return respond(too_large, limit, media);
    }
    let status = if request_error && media == Media::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut http = (status, body).into_response();
    http.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(media.content_type()),
    );
    // A refusal for the rate says over HTTP too when to come back (the longest wait asked).
    let retry_after = response
        .errors
        .iter()
        .filter_map(|error| error.extensions.as_ref()?.get("retryAfter"))
        .filter_map(|value| match value {
            async_graphql::Value::Number(n) => n.as_u64(),
            _ => None,
        })
        .max();
    if let Some(seconds) = retry_after {
        http.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(seconds),
        );
    }
    http
}

/// A GraphQL response as it goes on the wire: `data` (left out when the request did not run),
/// `errors` and `extensions` when there are any; every object's keys in order, the errors'
/// too (as a JSON value orders them).
#[derive(serde::Serialize)]
struct Sent<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

/// Every object's keys in order. async-graphql builds an object in the order its fields
/// finished resolving, which varies from one run to the next; clients, caches and tests see the
/// same bytes for the same answer.
fn in_key_order(value: &mut async_graphql::Value) {
    match value {
        async_graphql::Value::Object(fields) => {
            fields.sort_unstable_keys();
            fields.values_mut().for_each(in_key_order);
        }
        async_graphql::Value::List(items) => items.iter_mut().for_each(in_key_order),
        _ => {}
    }
}

fn error_code(error: &ServerError) -> String {
    error
        .extensions
        .as_ref()
        .and_then(|ext| ext.get("code"))
        .map(|code| code.to_string().trim_matches('"').to_owned())
        .unwrap_or_default()
}

pub(super) async fn graphiql() -> Html<String> {
    super::graphiql::page()
}

/// Subscriptions (graphql-transport-ws, or the older subscriptions-transport-ws): the access
/// token travels in the `connection_init` payload (`{"Authorization": "Bearer …"}` or
/// `{"accessToken": "…"}`). A refused token closes the socket with 4403 (Forbidden), which
/// clients treat as "sign in again and reconnect", not as a broken server (async-graphql says
/// 1002, a protocol error): this is async-graphql-axum's `serve` with that one change.
pub(super) async fn graphql_ws(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // The first subprotocol offered that is one of GraphQL's (as async-graphql-axum picks it).
    let protocol = headers
        .get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok())
        .and_then(|offered| {
            offered
                .split(',')
                .find_map(|name| name.trim().parse::<WebSocketProtocols>().ok())
        });
    let Some(protocol) = protocol else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve_socket(state, protocol, socket))
}

async fn serve_socket(
    state: AppState,
    protocol: WebSocketProtocols,
    socket: axum::extract::ws::WebSocket,
) {
    use axum::extract::ws::{CloseFrame, Message};
    use futures_util::{SinkExt, StreamExt, future};

    let refused = Arc::new(AtomicBool::new(false));
    let session_end = SessionEnd::default();
    let socket_end = session_end.clone();
    let (mut sink, stream) = socket.split();
    let input = stream
        .take_while(|message| future::ready(message.is_ok()))
        .filter_map(|message| {
            future::ready(match message {
                Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message.into_data()),
                _ => None,
            })
        });
    let init_refused = refused.clone();
    let schema = state.executor.full().clone();
    let outgoing = async_graphql::http::WebSocket::new(schema, input, protocol)
        .on_connection_init(move |payload| {
            let state = state.clone();
            let refused = init_refused;
            async move {
                let result = connection_data(&state, &payload, socket_end).await;
                if result.is_err() {
                    refused.store(true, Ordering::SeqCst);
                }
                result
            }
        })
        .map(move |message| match message {
            async_graphql::http::WsMessage::Text(text) => Message::Text(text.into()),
            async_graphql::http::WsMessage::Close(code, reason) => {
                let code = if code == 1002 && refused.load(Ordering::SeqCst) {
                    4403
                } else {
                    code
                };
                Message::Close(Some(CloseFrame {
                    code,
                    reason: reason.into(),
                }))
            }
        });
    futures_util::pin_mut!(outgoing);
    let close = CloseFrame {
        code: 4403,
        reason: "this session was signed out; sign in again".into(),
    };
    loop {
        // Once the subscriber's session is signed out, nothing more goes out on this socket
        // (not even the `complete` of the subscription that noticed): it closes, and the client
        // signs in again, as for a refused token.
        let message = tokio::select! {
            () = session_end.rung() => None,
            message = outgoing.next() => match message {
                Some(message) => Some(message),
                None => break,
            },
        };
        match message {
            Some(message) if !session_end.is_rung() => {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
            _ => {
                let _ = sink.send(Message::Close(Some(close))).await;
                break;
            }
        }
    }
}

/// The data of an authenticated socket (its principal and loader), or the refusal.
async fn connection_data(
    state: &AppState,
    payload: &serde_json::Value,
    session_end: SessionEnd,
) -> async_graphql::Result<Data> {
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
        &app.principals,
    )
    .await
    .map_err(async_graphql::Error::from)?;
    let refusal = match &auth {
        AuthState::Authenticated(_) => None,
        AuthState::Invalid(reason) => Some(reason.clone()),
        AuthState::Anonymous => {
            Some("sign in first: send the access token in connection_init".to_owned())
        }
    };
    if let Some(reason) = refusal {
        return Err(AppError::Unauthenticated(reason).into());
    }
    // Operations on a socket run on the socket's own tasks, so this loader batches by time,
    // with the configured window.
    let loader = DataLoader::new(state.db_loader(&auth), tokio::spawn).delay(state.loader_delay);
    let mut data = Data::default();
    data.insert(auth);
    data.insert(loader);
    data.insert(session_end);
    Ok(data)
}
