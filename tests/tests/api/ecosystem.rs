//! The ecosystem's own clients against the real server: graphql-http's GraphQL-over-HTTP audit,
//! Apollo Client with its persisted-query link, and the graphql-ws client. The scripts in
//! `tests/clients/` run them with Node.js and print what they saw as JSON; these tests judge it.
//! `.ci/run` installs the pinned packages (`npm ci`); elsewhere, without Node.js or the
//! packages, the tests say they skip, except under CI, where a missing client is a failure.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The folder of the client scripts, when Node.js and the packages are there.
fn clients() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/clients"));
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    let installed = dir.join("node_modules").is_dir();
    if node && installed {
        return Some(dir);
    }
    let missing = if node {
        "the packages (npm ci in tests/clients)"
    } else {
        "Node.js"
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the real clients, but {missing} is missing"
    );
    eprintln!("skipped: {missing} missing here");
    None
}

/// Runs a script to its end and reads the JSON it printed.
async fn run(dir: &PathBuf, script: &str, args: &[&str]) -> Value {
    let output = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new("node")
            .arg(dir.join(script))
            .args(args)
            .current_dir(dir)
            .output(),
    )
    .await
    .expect("the client finishes")
    .expect("node runs");
    assert!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "{script} printed no JSON ({err}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[tokio::test]
async fn the_graphql_over_http_audit_passes_every_must_and_should() {
    let Some(dir) = clients() else { return };
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.address);
    let audit = run(&dir, "audit.mjs", &[&url]).await;
    let failed = |grade: &str| audit[grade].as_array().cloned().unwrap_or_default();
    assert!(
        failed("error").is_empty(),
        "MUST failures: {:#}",
        audit["error"]
    );
    assert!(
        failed("warn").is_empty(),
        "SHOULD failures: {:#}",
        audit["warn"]
    );
    assert!(audit["ok"].as_array().unwrap().len() > 40, "{audit:#}");
}

#[tokio::test]
async fn apollo_clients_persisted_queries_go_by_get_and_by_hash() {
    let Some(dir) = clients() else { return };
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let url = format!("{}/graphql", app.address);
    let seen = run(&dir, "apollo.mjs", &[&url, &token]).await;
    assert_eq!(seen["errors"], json!([]), "{seen:#}");
    for result in seen["results"].as_array().unwrap() {
        assert_eq!(result["me"]["username"], "admin", "{seen:#}");
        assert_eq!(result["me"]["role"], "BUREAU");
    }
    // The link's protocol: the hash alone by GET, refused as unknown; the query with its hash
    // by POST, registered; then the hash alone by GET again, answered.
    let requests: Vec<(String, bool, bool, u64)> = seen["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap().to_owned(),
                r["hasQuery"].as_bool().unwrap(),
                r["hasHash"].as_bool().unwrap(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        requests,
        [
            ("GET".to_owned(), false, true, 200),
            ("POST".to_owned(), true, true, 200),
            ("GET".to_owned(), false, true, 200),
        ],
        "{seen:#}"
    );
}

/// A running `ws.mjs`, its lines read as they come.
struct WsClient {
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    _child: tokio::process::Child,
}

impl WsClient {
    async fn start(dir: &PathBuf, app: &TestApp, token: &str) -> Self {
        let url = app.address.replace("http://", "ws://") + "/graphql/ws";
        let mut child = tokio::process::Command::new("node")
            .arg(dir.join("ws.mjs"))
            .args([url.as_str(), token, "60"])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs");
        let stdout = child.stdout.take().unwrap();
        Self {
            lines: BufReader::new(stdout).lines(),
            _child: child,
        }
    }

    /// The next line the client printed; `None` once it has exited.
    async fn next(&mut self) -> Option<Value> {
        let line = tokio::time::timeout(Duration::from_secs(30), self.lines.next_line())
            .await
            .expect("the client says something")
            .unwrap()?;
        Some(serde_json::from_str(&line).unwrap())
    }

    /// Lines until one satisfies `until`, which is returned with those before it.
    async fn read_until(&mut self, until: impl Fn(&Value) -> bool) -> (Vec<Value>, Value) {
        let mut before = Vec::new();
        loop {
            let line = self.next().await.expect("the client is still running");
            if until(&line) {
                return (before, line);
            }
            before.push(line);
        }
    }
}

fn is_reminder(line: &Value) -> bool {
    line["event"] == "next" && line["data"]["events"]["kind"] == "REMINDER_SENT"
}

#[tokio::test]
async fn the_graphql_ws_client_hears_events_is_refused_with_4403_and_hears_nothing_after_logout() {
    let Some(dir) = clients() else { return };
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;

    // A token the server refuses: closed with 4403, which the client may retry after signing
    // in (1002, as async-graphql says by default, would be a protocol error, fatal to it).
    let mut refused = WsClient::start(&dir, &app, "not-a-token").await;
    let (_, closed) = refused.read_until(|line| line["event"] == "closed").await;
    assert_eq!(closed["code"], 4403, "{closed:#}");

    // Unit A in its own session hears a reminder sent to it.
    let (token, refresh) = app.login("fgw", tests::world::PASSWORD).await;
    let mut client = WsClient::start(&dir, &app, &token).await;
    client.read_until(|line| line["event"] == "connected").await;
    let remind = json!({ "i": { "taskId": w.tasks[0], "unitId": w.unit_a, "message": "请报送" } });
    let send = "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }";
    app.gql(Some(&w.bureau), send, remind.clone())
        .await
        .data("/sendReminder");
    client.read_until(is_reminder).await;

    // It signs that session out; the bureau reminds it again: nothing more arrives, and the
    // socket closes with 4403.
    app.gql(
        Some(&token),
        "mutation($t: String) { logout(input: {refreshToken: $t}) { revoked } }",
        json!({ "t": refresh }),
    )
    .await
    .data("/logout");
    app.gql(Some(&w.bureau), send, remind)
        .await
        .data("/sendReminder");
    let (before, closed) = client.read_until(|line| line["event"] == "closed").await;
    assert!(
        !before.iter().any(is_reminder),
        "heard after logout: {before:#?}"
    );
    assert_eq!(closed["code"], 4403, "{closed:#}");
}
