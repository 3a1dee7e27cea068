//! What browsers and the ecosystem's clients need around the API: CORS for a console served
//! from another origin, compressed responses.

use std::io::Read;

use serde_json::json;
use tests::TestApp;

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_console_on_a_listed_origin_may_call_and_others_may_not() {
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.environment = api::config::Environment::Production;
        config.cors_allowed_origins = Some(vec!["https://console.example.gov.cn".to_owned()]);
    })
    .await;
    let allowed = preflight(&app, "https://console.example.gov.cn").await;
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://console.example.gov.cn"
    );
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(headers.contains("authorization") && headers.contains("content-type"));

    let refused = preflight(&app, "https://evil.example.com").await;
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    // The call itself carries the header for the listed origin only.
    for (origin, expected) in [
        (
            "https://console.example.gov.cn",
            Some("https://console.example.gov.cn"),
        ),
        ("https://evil.example.com", None),
    ] {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("Origin", origin)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get("access-control-allow-origin")
                .map(|value| value.to_str().unwrap()),
            expected
        );
    }
}

#[tokio::test]
async fn production_allows_no_origin_by_default_and_development_allows_localhost() {
    let production = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.environment = api::config::Environment::Production;
    })
    .await;
    let response = preflight(&production, "http://localhost:5173").await;
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let development = TestApp::spawn().await;
    let response = preflight(&development, "http://localhost:5173").await;
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let response = preflight(&development, "http://localhost.evil.com").await;
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn large_responses_are_compressed_for_clients_that_accept_it() {
    let app = TestApp::spawn().await;
    let query = json!({ "query": "{ __schema { types { name description } } }" });
    let plain = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&query)
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();

    let gzipped = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Accept-Encoding", "gzip")
        .json(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let compressed = gzipped.bytes().await.unwrap();
    assert!(
        compressed.len() * 2 < plain.len(),
        "{} of {}",
        compressed.len(),
        plain.len()
    );
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain);

    // Small answers are not worth it.
    let small = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Accept-Encoding", "gzip, br")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert!(small.headers().get("content-encoding").is_none());
}

/// The introspection query of graphql-js 16 (`getIntrospectionQuery()` with descriptions):
/// what GraphiQL's documentation pane, IDE plugins, graphql-codegen and graphql-inspector send.
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description
    args { ...InputValue }
    type { ...TypeRef }
    isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}
"#;

#[tokio::test]
async fn the_standard_introspection_query_is_answered_under_the_limits() {
    let app = TestApp::spawn().await;
    let response = app.gql(None, INTROSPECTION, json!({})).await;
    let types = response.data("/__schema/types").as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "Task"));
    assert_eq!(response.data("/__schema/queryType/name"), "Query");
    // The depth limit still holds for the API's own fields.
    let deep = "{ tasks { nodes { category { parent { parent { parent { parent { parent { parent { parent { parent { parent { title } } } } } } } } } } } } }";
    let message = app
        .gql(None, deep, json!({}))
        .await
        .expect_error("BAD_USER_INPUT");
    assert!(message.contains("deep"), "{message}");
}

async fn get(
    app: &TestApp,
    token: Option<&str>,
    query: &[(&str, &str)],
    accept: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(query)
        .header("Accept", accept);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn queries_may_be_sent_with_get_and_mutations_may_not() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let response = get(
        &app,
        Some(&admin),
        &[
            (
                "query",
                "query Me($n: Int) { me { username } units(first: $n) { totalCount } }",
            ),
            ("variables", r#"{"n": 1}"#),
            ("operationName", "Me"),
        ],
        "application/json",
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["data"]["me"]["username"], "admin");

    let units_before = app.count_rows("units").await;
    let mutation =
        r#"mutation { createUnit(input: {name: "经GET创建", kind: OTHER}) { unit { id } } }"#;
    let response = get(
        &app,
        Some(&admin),
        &[("query", mutation)],
        "application/json",
    )
    .await;
    assert_eq!(response.status().as_u16(), 405);
    assert!(
        response.headers()["allow"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(app.count_rows("units").await, units_before);

    // A browser asking for a page gets GraphiQL (in development).
    let page = get(&app, None, &[], "text/html,application/xhtml+xml").await;
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("graphiql")
    );
    // Neither a page nor a query: a clear error, as JSON.
    let nothing = get(&app, None, &[], "application/json").await;
    assert_eq!(nothing.status().as_u16(), 400);
    let body: serde_json::Value = nothing.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn every_request_has_an_id_that_comes_back_with_its_errors() {
    let app = TestApp::spawn().await;
    let post = |id: Option<&'static str>| {
        let mut request = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "{ me { username } }" }));
        if let Some(id) = id {
            request = request.header("x-request-id", id);
        }
        request.send()
    };
    let response = post(Some("help-desk-42")).await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "help-desk-42");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_eq!(body["errors"][0]["extensions"]["requestId"], "help-desk-42");

    // None sent, or one that is no use as an id: a new one.
    for sent in [None, Some("two words; DROP TABLE")] {
        let response = post(sent).await.unwrap();
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(id.len(), 36, "{id}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["requestId"], id.as_str());
    }
}

async fn post_raw(
    app: &TestApp,
    accept: Option<&str>,
    body: &str,
) -> (u16, String, serde_json::Value) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let json = response.json().await.expect("every answer is JSON");
    (status, content_type, json)
}

#[tokio::test]
async fn responses_follow_graphql_over_http() {
    let app = TestApp::spawn().await;
    let spec = Some("application/graphql-response+json");
    let syntax = r#"{"query":"{ me { "}"#;
    let unknown = r#"{"query":"{ nosuchfield }"}"#;
    let field_error = r#"{"query":"{ me { username } }"}"#;

    // The spec's media type: requests that could not run are 400, with no `data`.
    for body in [syntax, unknown] {
        let (status, content_type, json) = post_raw(&app, spec, body).await;
        assert_eq!(status, 400, "{json}");
        assert!(content_type.starts_with("application/graphql-response+json"));
        assert!(json.get("data").is_none(), "{json}");
        assert_eq!(json["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    // A field that failed is a result: 200, with `data`.
    let (status, _, json) = post_raw(&app, spec, field_error).await;
    assert_eq!(status, 200, "{json}");
    assert!(json.get("data").is_some(), "{json}");
    assert_eq!(json["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    // Asked for application/json (or nothing): that media type, and 200.
    for accept in [Some("application/json"), None] {
        let (status, content_type, json) = post_raw(&app, accept, syntax).await;
        assert_eq!(status, 200, "{json}");
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
    }

    // Bodies that are not a GraphQL request are told so in JSON, never in plain text.
    for body in [
        "{not json",
        r#"[{"query":"{ __typename }"}]"#,
        r#"{"variables":{}}"#,
    ] {
        let (status, _, json) = post_raw(&app, spec, body).await;
        assert_eq!(status, 400, "{body}: {json}");
        assert_eq!(
            json["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
    }
}

#[tokio::test]
async fn automatic_persisted_queries_run_from_their_hash() {
    use sha2::Digest;

    let app = TestApp::spawn().await;
    let query = "query Typename { __typename }";
    let hash = hex::encode(sha2::Sha256::digest(query.as_bytes()));
    let persisted = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let post = |body: serde_json::Value| {
        app.client
            .post(format!("{}/graphql", app.address))
            .json(&body)
            .send()
    };
    // The hash alone, before the query was ever sent: the client is asked for the text.
    let unknown: serde_json::Value = post(json!({ "extensions": persisted }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    // Text and hash register it; then the hash alone runs it, by POST and by GET.
    let registered: serde_json::Value = post(json!({ "query": query, "extensions": persisted }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(registered["data"]["__typename"], "Query");
    let by_hash: serde_json::Value = post(json!({ "extensions": persisted }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_hash["data"]["__typename"], "Query", "{by_hash}");
    let by_get = get(
        &app,
        None,
        &[("extensions", &persisted.to_string())],
        "application/json",
    )
    .await;
    let by_get: serde_json::Value = by_get.json().await.unwrap();
    assert_eq!(by_get["data"]["__typename"], "Query", "{by_get}");

    // A mutation's hash stands for the mutation: never run by a GET (405, as its text is).
    let mutation = "mutation PersistedWrite { __typename }";
    let persisted_mutation = json!({ "persistedQuery": { "version": 1,
        "sha256Hash": hex::encode(sha2::Sha256::digest(mutation.as_bytes())) } });
    let registered: serde_json::Value =
        post(json!({ "query": mutation, "extensions": persisted_mutation }))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(registered["data"]["__typename"], "Mutation", "{registered}");
    let by_get = get(
        &app,
        None,
        &[("extensions", &persisted_mutation.to_string())],
        "application/json",
    )
    .await;
    assert_eq!(by_get.status(), 405);
    assert_eq!(by_get.headers()["allow"], "GET, POST");

    // A registration is held to the budget like any query.
    let exploding = tests::doubling_fragments(26, "__typename");
    let hash = hex::encode(sha2::Sha256::digest(exploding.as_bytes()));
    let refused: serde_json::Value = post(json!({ "query": exploding,
        "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused}"
    );
}

#[tokio::test]
async fn graphiql_comes_whole_from_the_server_with_no_internet() {
    let app = TestApp::spawn().await;
    let page = get(&app, None, &[], "text/html")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    let references: Vec<String> = page
        .split(['"', '\''])
        .filter(|piece| piece.starts_with("/graphiql/"))
        .map(str::to_owned)
        .collect();
    assert_eq!(references.len(), 5, "{page}");
    for path in &references {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let media = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            media.starts_with("text/javascript") || media.starts_with("text/css"),
            "{path}: {media}"
        );
        assert!(!response.bytes().await.unwrap().is_empty(), "{path}");
    }

    // Production serves neither the page nor its files unless told to.
    let production = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.environment = api::config::Environment::Production;
    })
    .await;
    let response = production
        .client
        .get(format!("{}{}", production.address, references[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test]
async fn graphiql_renders_in_a_real_browser_with_no_internet() {
    // Debian's Chromium, headless; `.ci/run` installs it. This machine reaches no CDN, so a
    // rendered page is one that needed nothing but this server.
    let Some(chromium) = ["chromium", "chromium-browser"].into_iter().find(|name| {
        std::process::Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    }) else {
        eprintln!("skipped: no chromium here (.ci/run installs Debian's)");
        return;
    };
    let app = TestApp::spawn().await;
    let profile = tempfile::tempdir().unwrap();
    let url = format!("{}/graphql", app.address);
    let profile_dir = profile.path().display().to_string();
    // On a blocking thread: the server answers on this test's runtime meanwhile.
    let dom = tokio::task::spawn_blocking(move || {
        std::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--virtual-time-budget=15000",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={profile_dir}"))
            .arg(&url)
            .output()
    })
    .await
    .unwrap()
    .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("graphiql-container"),
        "GraphiQL did not render: {}",
        &dom[..dom.len().min(2000)]
    );
}

#[tokio::test]
async fn a_lookup_that_fails_is_null_beside_the_fields_that_did_not() {
    let app = TestApp::spawn().await;
    let w = tests::world::World::build(&app).await;
    // Unit C sees no task of unit A's; `me` must stay, and `task` must be there, null.
    let hidden = &w.tasks[0];
    for (query, field) in [
        (
            format!("{{ me {{ username }} task(id: \"{hidden}\") {{ id }} }}"),
            "task",
        ),
        (
            format!("{{ me {{ username }} node(id: \"{hidden}\") {{ id }} }}"),
            "node",
        ),
        (
            "{ me { username } unit(id: \"VW5pdDo5OTk5\") { id } }".to_owned(),
            "unit",
        ),
        (
            "{ me { username } document(id: \"RG9jdW1lbnQ6OTk5OQ\") { id } }".to_owned(),
            "document",
        ),
        (
            "{ me { username } leader(id: \"TGVhZGVyOjk5OTk\") { id } }".to_owned(),
            "leader",
        ),
        (
            "{ me { username } report(id: \"UHJvZ3Jlc3NSZXBvcnQ6OTk5OQ\") { id } }".to_owned(),
            "report",
        ),
    ] {
        let response = app.gql(Some(&w.unit_c_token), &query, json!({})).await;
        let body = &response.0;
        assert_eq!(
            body["data"]["me"]["username"], "weishi",
            "{field}: {body:#}"
        );
        assert!(
            body["data"].as_object().unwrap().contains_key(field) && body["data"][field].is_null(),
            "{field}: {body:#}"
        );
        assert_eq!(
            body["errors"][0]["path"],
            json!([field]),
            "{field}: {body:#}"
        );
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{field}: {body:#}"
        );
    }
}

#[tokio::test]
async fn a_failing_non_null_field_nulls_its_parent_up_to_data() {
    let app = TestApp::spawn().await;
    // `me: User!` cannot be answered signed out: the null reaches the root, so `data` is null.
    let response = app
        .gql(None, "{ __typename me { username } }", json!({}))
        .await;
    assert!(response.0["data"].is_null(), "{:#}", response.0);
    assert_eq!(response.0["errors"][0]["path"], json!(["me"]));
    assert_eq!(
        response.0["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    // A nullable field that fails is null in its place, and only it.
    let admin = app.admin_token().await;
    let response = app
        .gql(
            Some(&admin),
            "{ me { username } missing: task(id: \"VGFzazo5OTk5\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(response.0["data"]["me"]["username"], "admin");
    assert!(response.0["data"]["missing"].is_null());
    assert!(
        response.0["data"]
            .as_object()
            .unwrap()
            .contains_key("missing")
    );
    assert_eq!(response.0["errors"][0]["path"], json!(["missing"]));
}
