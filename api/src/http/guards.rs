//! What every request passes before a handler: the body limit, the accepted media types, the
//! security headers every response carries, the client's address, and a panic turned into a
//! 500.

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{AppState, BodyLimits};
use crate::graphql::context::ClientAddress;

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

/// Limits the request body, on the body itself, because the GraphQL extractor reads the body
/// without axum's `DefaultBodyLimit`. A declared length over the limit gets 413 with a GraphQL
/// error before anything is read; a body that grows past it while streaming is cut off.
pub(super) async fn limit_body(
    State(limits): State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
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

/// What a client gets when a handler panicked: the detail goes to the log only.
// The signature is the one `CatchPanicLayer::custom` calls, which hands over the payload.
#[allow(clippy::needless_pass_by_value)]
pub(super) fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
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

/// Only JSON (`application/json`, or `application/graphql-response+json`) and multipart file
/// uploads are GraphQL requests. A form, `text/plain` or an XML body, which a browser sends
/// cross-site without asking first (no CORS preflight), is refused with 415, as is a POST
/// that does not say what it is.
pub(super) async fn require_media_type(request: Request, next: Next) -> Response {
    if request.method() != axum::http::Method::POST {
        return next.run(request).await;
    }
    let media_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());
    let accepted = matches!(
        media_type.as_deref(),
        Some("application/json" | "application/graphql-response+json" | "multipart/form-data")
    );
    if accepted {
        return next.run(request).await;
    }
    let body = serde_json::json!({ "errors": [{
        "message": "send GraphQL requests as application/json (multipart/form-data for file uploads)",
        "extensions": { "code": "BAD_USER_INPUT" },
    }]});
    (StatusCode::UNSUPPORTED_MEDIA_TYPE, Json(body)).into_response()
}

/// The headers every response carries: never sniffed as another type, never framed by another
/// site, no referrer sent on, and with `hsts` (behind TLS) HTTPS only for a year.
pub(super) fn security_headers(
    router: axum::Router<AppState>,
    hsts: bool,
) -> axum::Router<AppState> {
    use axum::http::{HeaderName, HeaderValue, header};
    use tower_http::set_header::SetResponseHeaderLayer;

    let fixed: [(HeaderName, &'static str); 4] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    let router = fixed.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    });
    if hsts {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    }
}

/// The CORS layer for `origins`: preflights answered, `GET` and `POST` with the headers a
/// GraphQL client sends, no cookies (the API takes bearer tokens). `None` when no origin may.
pub(super) fn cors(origins: &crate::config::CorsOrigins) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::{HeaderName, HeaderValue, Method, header};
    use tower_http::cors::{AllowOrigin, CorsLayer};

    let allow = match origins {
        crate::config::CorsOrigins::None => return None,
        crate::config::CorsOrigins::Localhost => {
            AllowOrigin::predicate(|origin: &HeaderValue, _| {
                origin.to_str().is_ok_and(|origin| {
                    ["http://localhost", "http://127.0.0.1", "http://[::1]"]
                        .iter()
                        .any(|host| {
                            origin == *host
                                || origin
                                    .strip_prefix(host)
                                    .and_then(|rest| rest.strip_prefix(':'))
                                    .is_some_and(|port| port.chars().all(|c| c.is_ascii_digit()))
                        })
                })
            })
        }
        crate::config::CorsOrigins::Listed(list) => AllowOrigin::list(
            list.iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        ),
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                HeaderName::from_static("x-request-id"),
            ])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// Removes an `x-request-id` the client sent that is no use as an id (over 64 characters, or
/// anything but letters, digits, `-`, `_`, `.`, `:`), so that a new one is made in its place and
/// nothing odd reaches the logs.
pub(super) async fn drop_unusable_request_id(mut request: Request, next: Next) -> Response {
    let usable = request.headers().get("x-request-id").map(|value| {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= 64
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    });
    if usable == Some(false) {
        request.headers_mut().remove("x-request-id");
    }
    next.run(request).await
}
