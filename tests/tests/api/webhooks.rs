//! Webhooks: deliveries signed with the webhook's secret, in event order, retried with backoff
//! while the receiver is down, paused after repeated failure and resumed, taken over from a
//! crashed instance, and never sent twice by two instances. The receiver runs on 127.0.0.1.

use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tests::TestApp;
use tests::receiver::{Received, Receiver};
use tests::world::World;

/// The receiver's own check, as the README shows it: HMAC-SHA256 of `t.body`.
fn verified(secret: &str, received: &Received) -> Value {
    let mut t = None;
    let mut v1 = None;
    for part in received.signature.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_owned()),
            Some(("v1", value)) => v1 = Some(value.to_owned()),
            _ => {}
        }
    }
    let (t, v1) = (t.expect("a timestamp"), v1.expect("a signature"));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&received.body);
    mac.verify_slice(&hex::decode(v1).unwrap())
        .expect("the signature verifies");
    let body: Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(body["deliveryId"], received.delivery.as_str());
    body
}

async fn spawn() -> TestApp {
    TestApp::spawn_configured(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 1, 1, 0, 0).unwrap(),
        |config| config.webhook_poll_millis = 20,
    )
    .await
}

const CREATE: &str = "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) {
    secret webhook { id url kinds pausedAt failures } } }";

async fn remind(app: &TestApp, w: &World, bureau: &str, n: usize) {
    let unit = [&w.unit_a, &w.unit_b, &w.unit_c][n % 3];
    app.gql(
        Some(bureau),
        "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }",
        json!({ "i": { "taskId": w.tasks[n % 3], "unitId": unit,
                       "message": format!("催办第{n}次") } }),
    )
    .await
    .data("/sendReminder/reminder/id");
}

fn messages(bodies: &[Value]) -> Vec<String> {
    bodies
        .iter()
        .map(|b| {
            b["event"]["payload"]["message"]
                .as_str()
                .unwrap_or("?")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn deliveries_are_signed_in_order_and_survive_a_receiver_that_is_down() {
    let app = spawn().await;
    let w = World::build(&app).await;
    let receiver = Receiver::start().await;

    // Only the bureau registers webhooks, with a URL and some kinds.
    let input = json!({ "i": { "url": receiver.url, "kinds": ["REMINDER_SENT"] } });
    for (token, code) in [
        (Some(w.liu_token.as_str()), "FORBIDDEN"),
        (Some(w.unit_a_token.as_str()), "FORBIDDEN"),
        (Some(w.service_token.as_str()), "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ] {
        app.gql(token, CREATE, input.clone())
            .await
            .expect_error(code);
    }
    for (url, kinds) in [
        ("ftp://127.0.0.1/x", json!(["REMINDER_SENT"])),
        ("not a url", json!(["REMINDER_SENT"])),
        ("http://user:pw@127.0.0.1/x", json!(["REMINDER_SENT"])),
        (receiver.url.as_str(), json!([])),
    ] {
        app.gql(
            Some(&w.bureau),
            CREATE,
            json!({ "i": { "url": url, "kinds": kinds } }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    }
    assert_eq!(app.count_rows("webhooks").await, 0);
    let created = app.gql(Some(&w.bureau), CREATE, input).await;
    let secret = created
        .data("/createWebhook/secret")
        .as_str()
        .unwrap()
        .to_owned();
    let id = created.data("/createWebhook/webhook/id").clone();
    assert!(secret.starts_with("whsec_"));
    // The webhook is the bureau's to read, as a node too.
    let node = "query($id: ID!) { node(id: $id) { ... on Webhook { url kinds } } }";
    let read = app.gql(Some(&w.bureau), node, json!({ "id": id })).await;
    assert_eq!(read.data("/node/kinds"), &json!(["REMINDER_SENT"]));
    for token in [&w.service_token, &w.unit_a_token, &w.liu_token] {
        app.gql(Some(token), node, json!({ "id": id }))
            .await
            .expect_error("NOT_FOUND");
    }

    // Three reminders: three deliveries, signed, in order; a period generated is not wanted.
    w.generate_periods(&app).await;
    for n in 0..3 {
        remind(&app, &w, &w.bureau, n).await;
    }
    let got = receiver.wait_for(3).await;
    let bodies: Vec<Value> = got.iter().map(|r| verified(&secret, r)).collect();
    assert_eq!(messages(&bodies), ["催办第0次", "催办第1次", "催办第2次"]);
    assert!(bodies.iter().all(|b| b["event"]["kind"] == "REMINDER_SENT"));
    let sequences: Vec<i64> = bodies
        .iter()
        .map(|b| b["event"]["sequence"].as_i64().unwrap())
        .collect();
    assert!(sequences.windows(2).all(|s| s[0] < s[1]));

    // Down: the next two wait; the failure is logged; nothing overtakes the first.
    receiver.set_status(503);
    for n in 3..5 {
        remind(&app, &w, &w.bureau, n).await;
    }
    let log = "query($id: ID!) { node(id: $id) { ... on Webhook { failures pausedAt
        deliveries { sequence attempts lastStatus deliveredAt } } } }";
    let mut failed = Value::Null;
    for _ in 0..200 {
        failed = app
            .gql(Some(&w.bureau), log, json!({ "id": id }))
            .await
            .data("/node")
            .clone();
        if failed["failures"].as_i64().unwrap() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(failed["deliveries"][1]["lastStatus"], 503);
    assert!(failed["deliveries"][1]["deliveredAt"].is_null());
    assert_eq!(
        failed["deliveries"][0]["attempts"], 0,
        "the later one waits its turn"
    );
    // Back up, and past the backoff: both arrive, in order, once each.
    receiver.set_status(200);
    app.clock.advance(Duration::minutes(10));
    let got = receiver.wait_for(5).await;
    let bodies: Vec<Value> = got.iter().map(|r| verified(&secret, r)).collect();
    assert_eq!(
        messages(&bodies),
        [
            "催办第0次",
            "催办第1次",
            "催办第2次",
            "催办第3次",
            "催办第4次"
        ]
    );
    let ids: std::collections::BTreeSet<&str> = got.iter().map(|r| r.delivery.as_str()).collect();
    assert_eq!(ids.len(), 5);
}

#[tokio::test]
async fn repeated_failure_pauses_a_webhook_and_resuming_sends_everything() {
    let app = spawn().await;
    let w = World::build(&app).await;
    let receiver = Receiver::start().await;
    receiver.set_status(500);
    let created = app
        .gql(
            Some(&w.bureau),
            CREATE,
            json!({ "i": { "url": receiver.url, "kinds": ["REMINDER_SENT"] } }),
        )
        .await;
    let secret = created
        .data("/createWebhook/secret")
        .as_str()
        .unwrap()
        .to_owned();
    let id = created.data("/createWebhook/webhook/id").clone();
    remind(&app, &w, &w.bureau, 0).await;
    let state = "query($id: ID!) { node(id: $id) { ... on Webhook { failures pausedAt } } }";
    let mut paused = Value::Null;
    let mut bureau = w.bureau.clone();
    for _ in 0..400 {
        // Each attempt waits out a longer backoff: move the clock past it.
        app.clock.advance(Duration::hours(2));
        // Access tokens last a quarter of an hour: sign in again at each step.
        bureau = app.admin_token().await;
        paused = app
            .gql(Some(&bureau), state, json!({ "id": id }))
            .await
            .data("/node")
            .clone();
        if paused["pausedAt"].is_string() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(paused["pausedAt"].is_string(), "{paused}");
    assert_eq!(paused["failures"], 8);
    // Paused: events keep being queued, nothing is sent.
    receiver.set_status(200);
    remind(&app, &w, &bureau, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(receiver.received().is_empty());
    // Only the bureau resumes; then both, in order.
    let resume = "mutation($id: ID!) { resumeWebhook(id: $id) { webhook { pausedAt failures } } }";
    let service = app.login("dashboard", tests::world::PASSWORD).await.0;
    app.gql(Some(&service), resume, json!({ "id": id }))
        .await
        .expect_error("FORBIDDEN");
    let resumed = app.gql(Some(&bureau), resume, json!({ "id": id })).await;
    assert!(resumed.data("/resumeWebhook/webhook/pausedAt").is_null());
    let bodies: Vec<Value> = receiver
        .wait_for(2)
        .await
        .iter()
        .map(|r| verified(&secret, r))
        .collect();
    assert_eq!(messages(&bodies), ["催办第0次", "催办第1次"]);
    // Pausing by hand, and removing.
    app.gql(
        Some(&bureau),
        "mutation($id: ID!) { pauseWebhook(id: $id) { webhook { pausedAt } } }",
        json!({ "id": id }),
    )
    .await
    .data("/pauseWebhook/webhook/pausedAt");
    app.gql(
        Some(&bureau),
        "mutation($id: ID!) { deleteWebhook(id: $id) { webhook { url } } }",
        json!({ "id": id }),
    )
    .await
    .data("/deleteWebhook/webhook/url");
    assert_eq!(app.count_rows("webhooks").await, 0);
    assert_eq!(app.count_rows("webhook_deliveries").await, 0);
}

#[tokio::test]
async fn two_instances_deliver_each_event_once_and_take_over_a_crashed_ones_lease() {
    let app = spawn().await;
    // Two instances on PostgreSQL, the database of deployments with several instances. On
    // SQLite (one instance in production: two pools writing one file refuse each other's
    // transactions) the same run goes through one.
    let second = if app.is_postgres() {
        Some(
            app.spawn_second_instance_with(|config| config.webhook_poll_millis = 20)
                .await,
        )
    } else {
        None
    };
    let w = World::build(&app).await;
    let receiver = Receiver::start().await;
    let created = app
        .gql(
            Some(&w.bureau),
            CREATE,
            json!({ "i": { "url": receiver.url, "kinds": ["REMINDER_SENT"] } }),
        )
        .await;
    let secret = created
        .data("/createWebhook/secret")
        .as_str()
        .unwrap()
        .to_owned();
    for n in 0..12 {
        let instance = match &second {
            Some(second) if n % 2 == 1 => second,
            _ => &app,
        };
        remind(instance, &w, &w.bureau, n).await;
    }
    let got = receiver.wait_for(12).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let got_now = receiver.received();
    assert_eq!(got_now.len(), 12, "no event is delivered twice");
    let bodies: Vec<Value> = got.iter().map(|r| verified(&secret, r)).collect();
    assert_eq!(
        messages(&bodies),
        (0..12).map(|n| format!("催办第{n}次")).collect::<Vec<_>>()
    );

    // An instance that died holding the lease: once it lapses, another delivers.
    {
        use sea_orm::{EntityTrait, sea_query::Expr};
        let lapsed = api::clock::Clock::now(&app.clock) - Duration::minutes(2);
        entity::webhooks::Entity::update_many()
            .col_expr(entity::webhooks::Column::LeaseOwner, Expr::value("crashed"))
            .col_expr(entity::webhooks::Column::LeaseUntil, Expr::value(lapsed))
            .exec(&app.db)
            .await
            .unwrap();
    }
    remind(&app, &w, &w.bureau, 12).await;
    let got = receiver.wait_for(13).await;
    assert_eq!(messages(&[verified(&secret, &got[12])]), ["催办第12次"]);
}
