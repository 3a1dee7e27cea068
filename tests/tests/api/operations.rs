//! What operators and client developers read besides the data: `/metrics` in the Prometheus
//! format (who may read it, and what it counts) and the cost of a query in `extensions` when a
//! client asks for it; and the database pool giving back what a burst opened.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tests::{TestApp, metric_sample};

#[tokio::test]
async fn metrics_count_requests_operations_the_pool_the_job_and_subscribers() {
    // The deadline job runs on this instance (at start, then hourly).
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.reminder_interval_secs = 3600;
    })
    .await;
    let admin = app.admin_token().await;
    app.gql(
        Some(&admin),
        "query MetricsProbe { me { username } }",
        json!({}),
    )
    .await
    .data("/me");
    app.gql(
        None,
        "query MetricsProbeRefused { users { totalCount } }",
        json!({}),
    )
    .await
    .expect_error("UNAUTHENTICATED");
    // A name made up to grow the scrape is not a label of its own.
    app.gql(None, "query Évil { __typename }", json!({})).await;

    // The deadline job runs on its own task at start: wait for its first run to be counted.
    let mut text = String::new();
    for _ in 0..100 {
        let (status, scraped) = app.scrape_metrics(None).await;
        assert_eq!(status, 200, "{scraped}");
        text = scraped;
        if metric_sample(&text, r#"duban_deadline_job_runs_total{outcome="ok"}"#).is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for series in [
        r#"duban_graphql_operations_total{operation="MetricsProbe",outcome="ok"}"#,
        r#"duban_graphql_operations_total{operation="MetricsProbeRefused",outcome="UNAUTHENTICATED"}"#,
        r#"duban_graphql_operation_duration_seconds_count{operation="MetricsProbe"}"#,
        r#"duban_http_requests_total{route="/graphql",method="POST",status="200"}"#,
        r#"duban_http_request_duration_seconds_bucket{route="/graphql",le="0.5"}"#,
        r#"duban_db_pool_max_connections"#,
        r#"duban_deadline_job_runs_total{outcome="ok"}"#,
        r#"duban_deadline_job_last_run_timestamp_seconds"#,
    ] {
        assert!(
            metric_sample(&text, series).is_some_and(|value| value >= 1.0),
            "no {series} in\n{text}"
        );
    }
    assert!(!text.contains("Évil"), "{text}");
    // The pool as it is at the scrape: any number, but there.
    for state in ["in_use", "idle"] {
        let series = format!("duban_db_pool_connections{{state=\"{state}\"}}");
        assert!(
            metric_sample(&text, &series).is_some(),
            "no {series} in\n{text}"
        );
    }

    // An open subscription counts while it lives. (The gauge is the process's, shared with the
    // other tests running beside this one: with ours open it is at least 1.)
    let url = app.address.replace("http://", "ws://") + "/graphql/ws";
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)
            .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let send = |value: Value| Message::text(value.to_string());
    socket
        .send(send(
            json!({ "type": "connection_init", "payload": { "accessToken": admin } }),
        ))
        .await
        .unwrap();
    socket.next().await.unwrap().unwrap();
    socket
        .send(send(json!({ "id": "1", "type": "subscribe",
            "payload": { "query": "subscription { events { sequence } }" } })))
        .await
        .unwrap();
    let mut counted = false;
    for _ in 0..50 {
        let (_, text) = app.scrape_metrics(None).await;
        if metric_sample(&text, "duban_live_subscribers").unwrap_or(0.0) >= 1.0 {
            counted = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(counted, "the subscription is counted");
}

#[tokio::test]
async fn metrics_need_the_token_when_one_is_set_and_are_off_in_production_without_one() {
    let token = "scrape-token-0123456789abcdef";
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.environment = api::config::Environment::Production;
        config.metrics_token = Some(secrecy::SecretString::from(token));
    })
    .await;
    assert_eq!(app.scrape_metrics(None).await.0, 401);
    assert_eq!(app.scrape_metrics(Some("a-guess")).await.0, 401);
    let (status, text) = app.scrape_metrics(Some(token)).await;
    assert_eq!(status, 200);
    assert!(text.contains("duban_db_pool_connections"), "{text}");

    let closed = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.environment = api::config::Environment::Production;
    })
    .await;
    assert_eq!(closed.scrape_metrics(None).await.0, 404);
}

#[tokio::test]
async fn a_query_is_told_its_cost_when_it_asks() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let query = "{ me { username } units(first: 5) { nodes { name aliases { alias } } } }";
    let ask = |extensions: Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let response: Value = app
                .client
                .post(format!("{}/graphql", app.address))
                .bearer_auth(admin)
                .json(&json!({ "query": query, "extensions": extensions }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            response
        }
    };
    let told = ask(json!({ "cost": true })).await;
    let cost = &told["extensions"]["cost"];
    assert_eq!(cost["depth"], json!({ "used": 4, "limit": 12 }), "{told:#}");
    assert_eq!(cost["fields"]["used"], 7, "{told:#}");
    assert_eq!(cost["aliases"]["used"], 0);
    assert_eq!(cost["rootFields"]["used"], 2);
    assert_eq!(cost["complexity"]["limit"], 10000);
    assert!(cost["complexity"]["used"].as_u64().unwrap() > 7, "{told:#}");
    // Not asked: not told.
    let quiet = ask(json!({})).await;
    assert!(quiet.pointer("/extensions/cost").is_none(), "{quiet:#}");
}

/// The requests' pool closes what a burst opened once it has sat idle for
/// `DATABASE_IDLE_TIMEOUT_SECS`, and keeps one connection. sqlx's default kept every one for ten
/// minutes: a PostgreSQL backend process each, and `max_connections` other instances could use.
#[tokio::test]
async fn the_pool_closes_the_connections_a_burst_left_idle() {
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.database_idle_timeout_secs = 1;
    })
    .await;
    if app.db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        eprintln!("skipped: SQLite has one pooled connection, kept open");
        return;
    }
    let pool = app.db.get_postgres_connection_pool();
    // A burst: four connections in use at once.
    let held = futures_util::future::try_join_all((0..4).map(|_| pool.acquire()))
        .await
        .expect("four connections");
    assert!(pool.size() >= 4, "{} connections open", pool.size());
    drop(held);
    // The pool's reaper looks every `DATABASE_IDLE_TIMEOUT_SECS`; a connection is closed on the
    // first look after it has been idle that long. Fifteen looks are far more than enough.
    let mut waited = 0;
    while pool.size() > 1 && waited < 150 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(pool.size(), 1, "the burst's connections are still open");
    // What is left still serves.
    let admin = app.admin_token().await;
    app.gql(Some(&admin), "{ me { username } }", json!({}))
        .await
        .data("/me/username");
}
