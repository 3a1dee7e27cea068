//! GraphiQL from the binary itself: the page and its pinned assets (react, react-dom, graphiql;
//! see `api/assets/graphiql/README.md`) are embedded at build time, so the page works on an
//! intranet with no internet. Assets are served under a versioned path, cached for a year.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// The GraphiQL version, part of every asset's path.
pub(super) const VERSION: &str = "3.8.3";

/// The embedded files: name, media type, bytes.
const ASSETS: [(&str, &str, &[u8]); 5] = [
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
    ),
    ("init.js", "text/javascript; charset=utf-8", INIT.as_bytes()),
];

/// Starts GraphiQL against this server's endpoints, whatever host and port it is reached on.
const INIT: &str = r#"(function () {
  var url = new URL('/graphql', window.location.href).href;
  var fetcher = GraphiQL.createFetcher({
    url: url,
    subscriptionUrl: url.replace(/^http/, 'ws') + '/ws',
  });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, shouldPersistHeaders: false }));
})();
"#;

/// The page.
pub(super) fn page() -> Html<String> {
    let asset = |name: &str| format!("/graphiql/{VERSION}/{name}");
    Html(format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Duban GraphQL</title>
<link rel="stylesheet" href="{css}">
</head>
<body style="margin: 0">
<div id="graphiql" style="height: 100vh">Loading GraphiQL…</div>
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphiql}"></script>
<script src="{init}"></script>
</body>
</html>
"#,
        css = asset("graphiql.min.css"),
        react = asset("react.production.min.js"),
        react_dom = asset("react-dom.production.min.js"),
        graphiql = asset("graphiql.min.js"),
        init = asset("init.js"),
    ))
}

/// `GET /graphiql/{version}/{file}` (while GraphiQL is served at all).
pub(super) async fn asset(
    State(state): State<super::AppState>,
    Path((version, name)): Path<(String, String)>,
) -> Response {
    let found = ASSETS
        .iter()
        .find(|(file, _, _)| *file == name)
        .filter(|_| version == VERSION && state.graphiql);
    let Some((_, media_type, bytes)) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}
