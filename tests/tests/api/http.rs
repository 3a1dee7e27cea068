//! The HTTP surface: probes, GraphiQL, limits, error hygiene, concurrency and the WebSocket
//! endpoint.

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tests::TestApp;
use tests::world::World;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[tokio::test]
async fn probes_and_graphiql_answer() {
    let app = TestApp::spawn().await;
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    // The database answers, its schema is current, and the deadline job is off here (the
    // tests run it themselves).
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap(),
        json!({ "database": "ok", "migrations": "current", "deadlineJob": "off" })
    );
    // What a browser asks for.
    let graphiql = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(graphiql.status(), 200);
    assert!(graphiql.text().await.unwrap().contains("graphiql"));
}

#[tokio::test]
async fn anonymous_callers_may_only_sign_in() {
    let app = TestApp::spawn().await;
    let response = app.gql(None, "{ units { totalCount } }", json!({})).await;
    response.expect_error("UNAUTHENTICATED");
    // Introspection of the schema stays open, so GraphiQL and code generators work.
    let schema = app
        .gql(None, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(schema.data("/__schema/queryType/name"), "Query");
}

#[tokio::test]
async fn oversized_deep_and_complex_requests_are_refused() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;

    let huge = "x".repeat(3 * 1024 * 1024);
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .json(&json!({ "query": "{ me { id } }", "variables": { "pad": huge } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);

    let deep = "{ tasks { nodes { category { parent { parent { parent { parent { parent { parent { parent { parent { parent { title } } } } } } } } } } } } }";
    let message = app
        .gql(Some(&token), deep, json!({}))
        .await
        .expect_error("BAD_USER_INPUT");
    assert!(message.contains("deep"), "{message}");

    let complex = "{ tasks(first: 100) { nodes { document { tasks(first: 100) { nodes { id text units { unit { name } } } } } } } }";
    let message = app
        .gql(Some(&token), complex, json!({}))
        .await
        .expect_error("BAD_USER_INPUT");
    assert!(message.to_lowercase().contains("complex"), "{message}");

    let malformed = app.gql(Some(&token), "{ tasks { ", json!({})).await;
    malformed.expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn concurrent_writes_never_surface_database_errors() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let creates = (0..40).map(|i| {
        app.gql(
            Some(&w.bureau),
            "mutation($i: CreateUnitInput!) { createUnit(input: $i) { unit { id } } }",
            json!({ "i": { "name": format!("并发单位{i}"), "kind": "OTHER" } }),
        )
    });
    let reads =
        (0..40).map(|_| app.gql(Some(&w.unit_b_token), "{ tasks { totalCount } }", json!({})));
    let (creates, reads) = tokio::join!(
        futures_util::future::join_all(creates),
        futures_util::future::join_all(reads)
    );
    for response in creates.iter().chain(reads.iter()) {
        assert!(response.0.get("errors").is_none(), "{:#}", response.0);
    }
    // Forty racing creations of the same name: one wins, the rest get CONFLICT, never an
    // internal error.
    let same = (0..10).map(|_| {
        app.gql(
            Some(&w.bureau),
            "mutation { createUnit(input: {name: \"同名单位\", kind: OTHER}) { unit { id } } }",
            json!({}),
        )
    });
    let results = futures_util::future::join_all(same).await;
    assert_eq!(
        results
            .iter()
            .filter(|r| r.0.get("errors").is_none())
            .count(),
        1
    );
    assert!(
        results
            .iter()
            .filter(|r| r.0.get("errors").is_some())
            .all(|r| r.error_code() == Some("CONFLICT"))
    );
}

#[tokio::test]
async fn the_websocket_endpoint_requires_a_valid_token_in_connection_init() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let url = app.address.replace("http://", "ws://") + "/graphql/ws";

    for (payload, accepted) in [
        (json!({ "Authorization": format!("Bearer {token}") }), true),
        (json!({ "accessToken": "bogus" }), false),
    ] {
        let mut request = url.clone().into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        socket
            .send(Message::text(
                json!({ "type": "connection_init", "payload": payload }).to_string(),
            ))
            .await
            .unwrap();
        let reply = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next())
            .await
            .expect("the server answers")
            .expect("the socket is open")
            .unwrap();
        match reply {
            Message::Text(text) => {
                assert!(accepted, "bad token was acknowledged: {text}");
                assert_eq!(
                    serde_json::from_str::<serde_json::Value>(&text).unwrap()["type"],
                    "connection_ack"
                );
            }
            Message::Close(frame) => {
                assert!(!accepted, "good token was refused: {frame:?}");
                // 4403 (Forbidden): the client signs in again and reconnects; 1002 would tell
                // it the server is broken.
                let frame = frame.expect("a close frame");
                assert_eq!(u16::from(frame.code), 4403, "{frame:?}");
                assert!(frame.reason.contains("token"), "{frame:?}");
            }
            other => panic!("unexpected message {other:?}"),
        }
    }
}

#[tokio::test]
async fn shutdown_lets_the_request_in_flight_finish() {
    let app = TestApp::spawn().await;
    let body = json!({ "query": "mutation { login(input: {username: \"admin\", password: \"kettle-harbor-mosaic-9\"}) { user { username } } }" })
        .to_string();
    let host = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(first.as_bytes()).await.unwrap();
    // Give the server time to start reading the request, then ask it to stop.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    app.begin_shutdown();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    // No new connections are served once shutdown has begun...
    let refused = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await;
    assert!(refused.is_err(), "a new request was served during shutdown");
    // ...but the request in flight completes.
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"username\":\"admin\""), "{response}");
    tokio::time::timeout(std::time::Duration::from_secs(5), app.wait_for_server())
        .await
        .expect("the server stops once the request is done")
        .unwrap();
}

#[tokio::test]
async fn silent_and_half_sent_connections_are_closed_by_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.header_read_timeout_secs = 1;
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    // One connection says nothing; another sends half a request and stops.
    let mut silent = tokio::net::TcpStream::connect(&address).await.unwrap();
    let mut half = tokio::net::TcpStream::connect(&address).await.unwrap();
    half.write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Ty")
        .await
        .unwrap();
    for stream in [&mut silent, &mut half] {
        let mut buffer = Vec::new();
        // The server closes it (end of stream, perhaps after a 408) well within 10 s.
        let closed = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_end(&mut buffer),
        )
        .await;
        assert!(
            matches!(closed, Ok(Ok(_)) | Ok(Err(_))),
            "still open after 10 s"
        );
    }
    // The server still serves.
    app.gql(None, "{ __typename }", serde_json::json!({}))
        .await
        .data("/__typename");
}

#[tokio::test]
async fn a_half_open_connection_does_not_hold_up_shutdown() {
    use tokio::io::AsyncWriteExt;

    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        // Long enough that only the shutdown can end the connection.
        config.header_read_timeout_secs = 600;
        config.shutdown_grace_secs = 1;
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut half = tokio::net::TcpStream::connect(&address).await.unwrap();
    half.write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Le")
        .await
        .unwrap();
    // An idle kept-alive connection too.
    app.gql(None, "{ __typename }", serde_json::json!({}))
        .await
        .data("/__typename");
    app.begin_shutdown();
    let stopped =
        tokio::time::timeout(std::time::Duration::from_secs(20), app.wait_for_server()).await;
    assert!(
        matches!(stopped, Ok(Ok(()))),
        "the server did not stop: {stopped:?}"
    );
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.body_read_timeout_secs = 1;
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    // Headers promise 100 bytes; ten arrive, then nothing.
    slow.write_all(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        slow.read_to_end(&mut answer),
    )
    .await;
    assert!(
        read.is_ok(),
        "the server still waits for the body after 10 s"
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
}

#[tokio::test]
async fn a_response_is_the_same_bytes_whatever_order_its_fields_finished_in() {
    // async-graphql builds each object in the order its fields finished resolving; what is
    // sent has every object's keys in order, so the same answer is the same bytes.
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let expected = r#"{"data":{"__typename":"Query","me":{"role":"BUREAU","username":"admin"}}}"#;
    for query in [
        "{ me { username role } __typename }",
        "{ __typename me { role username } }",
    ] {
        let body = app
            .client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&admin)
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(body, expected, "{query}");
    }
}
