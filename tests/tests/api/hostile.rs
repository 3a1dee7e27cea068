//! Hostile requests: each costs no more than its budget, is refused before it runs when it
//! asks for too much, and never stores something twice or panics.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

#[tokio::test]
async fn a_fragment_explosion_is_refused_before_it_runs() {
    let app = TestApp::spawn().await;
    // Anonymous, 26 levels: 67 million fields. It used to run for a minute and take gigabytes.
    for leaf in ["__typename", "me { id }"] {
        let query = tests::doubling_fragments(26, leaf);
        assert!(query.len() < 2_000);
        let message = app
            .gql(None, &query, json!({}))
            .await
            .expect_error("BAD_USER_INPUT");
        assert!(
            message.contains("fields once its fragments are expanded"),
            "{message}"
        );
    }
    // Four levels are sixteen fields, well within the budget.
    let fine = app
        .gql(None, &tests::doubling_fragments(4, "__typename"), json!({}))
        .await;
    assert_eq!(fine.data("/__typename"), "Query");
}

#[tokio::test]
async fn aliases_and_root_fields_are_counted() {
    let app = TestApp::spawn().await;
    let aliases: String = (0..101).map(|i| format!("a{i}: __typename ")).collect();
    let message = app
        .gql(None, &format!("{{ {aliases} }}"), json!({}))
        .await
        .expect_error("BAD_USER_INPUT");
    assert!(message.contains("aliased fields"), "{message}");
}

#[tokio::test]
async fn one_request_is_one_password_guess() {
    let app = TestApp::spawn().await;
    let guesses: String = (0..5)
        .map(|i| {
            format!("g{i}: login(input: {{username: \"admin\", password: \"guess-{i}\"}}) {{ accessToken }} ")
        })
        .collect();
    let message = app
        .gql(None, &format!("mutation {{ {guesses} }}"), json!({}))
        .await
        .expect_error("BAD_USER_INPUT");
    assert!(message.contains("`login` appears 5 times"), "{message}");
    // Refused before anything ran: not one failure was counted against the account.
    assert_eq!(
        app.count_rows("users WHERE username = 'admin' AND failed_login_count = 0")
            .await,
        1
    );
    app.admin_token().await;
}

#[tokio::test]
async fn aliased_figures_are_refused_by_cost() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let figures = |n: usize| -> String {
        let aliases: String = (0..n)
            .map(|i| format!("f{i}: reportingFigures {{ due onTime late missing }} "))
            .collect();
        format!("{{ {aliases} }}")
    };
    let message = app
        .gql(Some(&admin), &figures(50), json!({}))
        .await
        .expect_error("BAD_USER_INPUT");
    assert!(
        message.contains("`reportingFigures` appears 50 times"),
        "{message}"
    );
    // A few are fine.
    let three = app.gql(Some(&admin), &figures(3), json!({})).await;
    assert_eq!(three.data("/f2/due"), 0);
}

#[tokio::test]
async fn the_newer_figures_cost_what_the_others_do() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for (field, selection) in [
        ("escalationFigures", "(year: 2026) { year }"),
        ("materialFigures", " { requested }"),
    ] {
        let aliased = |n: usize| -> String {
            let aliases: String = (0..n)
                .map(|i| format!("f{i}: {field}{selection} "))
                .collect();
            format!("{{ {aliases} }}")
        };
        let message = app
            .gql(Some(&admin), &aliased(4), json!({}))
            .await
            .expect_error("BAD_USER_INPUT");
        assert!(
            message.contains(&format!("`{field}` appears 4 times")),
            "{message}"
        );
        let three = app.gql(Some(&admin), &aliased(3), json!({})).await;
        assert!(three.0["errors"].is_null(), "{:?}", three.0);
    }
    // Six figures of three kinds pass the per-field caps, and the complexity limit (10,000)
    // refuses them: each counts for 2,000.
    let mixed =
        "{ a: escalationFigures(year: 2026) { year } b: escalationFigures(year: 2025) { year }
        c: materialFigures { requested } d: materialFigures { requested }
        e: reportingFigures { due } f: reportingFigures { due } }";
    let refused = app
        .gql(Some(&admin), mixed, json!({}))
        .await
        .expect_error("BAD_USER_INPUT");
    assert!(refused.contains("omplex"), "{refused}");
}

#[tokio::test]
async fn one_upload_part_is_stored_once_whatever_the_aliases() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.resize(64 * 1024, b'x');
    let mutation = |n: usize| -> (Value, Value) {
        let params: Vec<String> = (0..n)
            .map(|i| format!("$i{i}: UploadAttachmentInput!"))
            .collect();
        let fields: String = (0..n)
            .map(|i| format!("u{i}: uploadAttachment(input: $i{i}) {{ attachment {{ id }} }} "))
            .collect();
        let query = format!("mutation({}) {{ {fields} }}", params.join(", "));
        let variables: serde_json::Map<String, Value> = (0..n)
            .map(|i| {
                (
                    format!("i{i}"),
                    json!({ "taskId": w.tasks[0], "file": null }),
                )
            })
            .collect();
        let map: Vec<String> = (0..n).map(|i| format!("variables.i{i}.file")).collect();
        (
            json!({ "query": query, "variables": variables }),
            json!({ "0": map }),
        )
    };

    // A hundred aliases of one part: refused whole, before anything is stored.
    let (operations, map) = mutation(100);
    let (_, response) = app
        .multipart(
            Some(&w.unit_a_token),
            operations,
            map,
            vec![("0", "a.pdf", pdf.clone())],
        )
        .await;
    let message = response.expect_error("BAD_USER_INPUT");
    assert!(
        message.contains("`uploadAttachment` appears 100 times"),
        "{message}"
    );
    assert_eq!(app.count_rows("attachments").await, 0);

    // Two aliases within the budget naming the same part: the part is read once.
    let (operations, map) = mutation(2);
    let (_, response) = app
        .multipart(
            Some(&w.unit_a_token),
            operations,
            map,
            vec![("0", "a.pdf", pdf)],
        )
        .await;
    let errors = response.0["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{:#}", response.0);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("already used"),
        "{:#}",
        response.0
    );
    assert_eq!(app.count_rows("attachments").await, 1);
}

#[tokio::test]
async fn a_multipart_request_carries_no_larger_query_than_json() {
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.max_body_bytes = 16 * 1024;
    })
    .await;
    // A query of 64 KiB, padded with a comment so that only its size is at stake.
    let query = format!("{{ __typename }} # {}", "x".repeat(64 * 1024));
    let (status, _) = {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), ())
    };
    assert_eq!(status, 413);
    let (_, response) = app
        .multipart(None, json!({ "query": query }), json!({}), vec![])
        .await;
    let message = response.expect_error("BAD_USER_INPUT");
    assert!(message.contains("at most 16384 are accepted"), "{message}");
}

#[tokio::test]
async fn a_response_larger_than_its_limit_is_replaced_by_an_error() {
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.max_response_bytes = 2_000;
    })
    .await;
    let message = app
        .gql(
            None,
            "{ __schema { types { name description } } }",
            json!({}),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    assert!(message.contains("above the limit of 2000"), "{message}");
    app.gql(None, "{ __typename }", json!({}))
        .await
        .data("/__typename");
}

#[tokio::test]
async fn a_request_past_its_time_is_stopped() {
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.request_timeout_millis = 1;
    })
    .await;
    // A sign-in hashes a password (tens of milliseconds): far past one millisecond.
    let message = app
        .try_login("admin", "wrong password")
        .await
        .expect_error("SERVICE_UNAVAILABLE");
    assert!(message.contains("was stopped"), "{message}");
}

/// A request stopped at its timeout leaves no statement running: the requests' pool bounds each
/// statement (PostgreSQL's `statement_timeout`) at the request timeout plus a second's grace,
/// so work nobody will read no longer runs on for minutes beside the next requests. Background
/// work runs on a pool without the bound.
#[tokio::test]
async fn no_statement_of_a_request_outlives_its_budget() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.request_timeout_millis = 200;
    })
    .await;
    if !app.is_postgres() {
        // SQLite runs in the server's process: a stopped request's statement stops with it.
        return;
    }
    let err = app
        .db
        .execute_unprepared("SELECT pg_sleep(5)")
        .await
        .expect_err("the statement is cancelled");
    assert!(err.to_string().contains("statement timeout"), "{err}");
    let shown = app
        .db
        .query_one(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SHOW statement_timeout",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<String>(0)
        .unwrap();
    assert_eq!(shown, "1200ms");
    let mut config = api::config::Config::from_defaults();
    config.database_url = app.database_url().to_owned();
    let jobs = api::db::connect_for_jobs(&config).await.unwrap();
    jobs.execute_unprepared("SELECT pg_sleep(1.5)")
        .await
        .expect("background work is not bounded by the request timeout");
}

#[tokio::test]
async fn a_forged_cursor_is_bad_input_not_a_crash() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for offset in [
        "9223372036854775808",
        "18446744073709551615",
        "1099511627776",
    ] {
        let cursor =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"));
        for query in [
            "query($a: String) { tasks(after: $a) { totalCount } }",
            "query($a: String) { users(after: $a) { totalCount } }",
            "query($a: String) { auditLog(after: $a) { totalCount } }",
        ] {
            let message = app
                .gql(Some(&admin), query, json!({ "a": cursor }))
                .await
                .expect_error("BAD_USER_INPUT");
            assert!(message.contains("not a cursor"), "{offset}: {message}");
        }
    }
}

#[tokio::test]
async fn production_hides_the_schema_and_graphiql() {
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.environment = api::config::Environment::Production;
    })
    .await;
    let introspection = app
        .gql(None, "{ __schema { types { name } } }", json!({}))
        .await;
    assert!(
        introspection.0["data"]["__schema"].is_null(),
        "{:#}",
        introspection.0
    );
    // No suggestions that would spell the schema out field by field.
    let message = app
        .gql(None, "{ documnts { totalCount } }", json!({}))
        .await
        .expect_error("BAD_USER_INPUT");
    assert!(!message.contains("Did you mean"), "{message}");
    let graphiql = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(graphiql.status().as_u16(), 400);
    let content_type = graphiql.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!content_type.contains("html"), "{content_type}");
    // The API itself works as ever.
    app.gql(None, "{ __typename }", json!({}))
        .await
        .data("/__typename");
}

#[tokio::test]
async fn bodies_a_browser_sends_cross_site_without_asking_are_refused() {
    let app = TestApp::spawn().await;
    let query = r#"{"query":"{ __typename }"}"#;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/xml"),
        None,
    ] {
        let mut request = app
            .client
            .post(format!("{}/graphql", app.address))
            .body(query);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 415, "{content_type:?}");
    }
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Content-Type", "application/json; charset=utf-8")
        .body(query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    // Every response carries the security headers.
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("content-security-policy", "frame-ancestors 'none'"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(response.headers()[name], value);
    }
}
