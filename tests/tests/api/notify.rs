//! Notifications to other channels: a unit's and a leader's contacts, set by the bureau or
//! themselves; reminders, returned reports and notices go through the gateway, signed; with no
//! gateway they stay in the app.

use serde_json::{Value, json};
use tests::TestApp;
use tests::receiver::Receiver;
use tests::world::World;

const SET: &str =
    "mutation($i: SetContactsInput!) { setContacts(input: $i) { contacts { channel address } } }";
const SECRET: &str = "gateway-secret-for-tests-only";

async fn spawn(gateway: Option<&str>) -> TestApp {
    let gateway = gateway.map(str::to_owned);
    TestApp::spawn_configured(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 1, 1, 0, 0).unwrap(),
        move |config| {
            config.webhook_poll_millis = 20;
            config.notify_gateway_url = gateway;
            config.notify_gateway_secret = Some(SECRET.to_owned().into());
        },
    )
    .await
}

#[tokio::test]
async fn contacts_are_set_by_the_bureau_or_their_owner_and_reminders_go_out_signed() {
    let receiver = Receiver::start().await;
    let app = spawn(Some(&receiver.url)).await;
    let w = World::build(&app).await;
    let mine = json!({ "i": { "unitId": w.unit_a, "contacts": [
        { "channel": "SMS", "address": "13800000001" }, { "channel": "WECOM", "address": "fgw-duty" }] } });
    // Unit A sets its own; not B's; leaders and machines not a unit's; nobody signed out.
    let set = app.gql(Some(&w.unit_a_token), SET, mine.clone()).await;
    assert_eq!(
        set.data("/setContacts/contacts").as_array().unwrap().len(),
        2
    );
    let theirs =
        json!({ "i": { "unitId": w.unit_b, "contacts": [{ "channel": "SMS", "address": "1" }] } });
    for token in [&w.unit_a_token, &w.liu_token, &w.service_token] {
        app.gql(Some(token), SET, theirs.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, SET, theirs)
        .await
        .expect_error("UNAUTHENTICATED");
    // One address per channel; a unit or a leader, not both.
    for bad in [
        json!({ "i": { "unitId": w.unit_a, "contacts": [
            { "channel": "SMS", "address": "1" }, { "channel": "SMS", "address": "2" }] } }),
        json!({ "i": { "unitId": w.unit_a, "leaderId": w.leader_liu, "contacts": [] } }),
        json!({ "i": { "unitId": w.unit_a, "contacts": [{ "channel": "SMS", "address": " " }] } }),
    ] {
        app.gql(Some(&w.bureau), SET, bad)
            .await
            .expect_error("BAD_USER_INPUT");
    }
    // Reading: the owner and the bureau.
    let read = "query($u: ID!) { contacts(unitId: $u) { channel address } }";
    let own = app
        .gql(Some(&w.unit_a_token), read, json!({ "u": w.unit_a }))
        .await;
    assert_eq!(
        own.data("/contacts/0"),
        &json!({ "channel": "SMS", "address": "13800000001" })
    );
    app.gql(Some(&w.unit_b_token), read, json!({ "u": w.unit_a }))
        .await
        .expect_error("FORBIDDEN");
    // 刘震 sets his own.
    app.gql(
        Some(&w.liu_token),
        SET,
        json!({ "i": { "leaderId": w.leader_liu, "contacts": [{ "channel": "DINGTALK", "address": "liuzhen" }] } }),
    )
    .await
    .data("/setContacts/contacts");

    // A reminder to A: one notification per contact, through the gateway, signed.
    app.gql(
        Some(&w.bureau),
        "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "unitId": w.unit_a, "message": "请于3日内报送一季度进展" } }),
    )
    .await
    .data("/sendReminder/reminder/id");
    let got = receiver.wait_for(2).await;
    let mut sent: Vec<(String, String, String)> = got
        .iter()
        .map(|r| {
            assert!(api::webhooks::signature::verify(
                SECRET,
                &r.signature,
                &r.body,
                api::clock::Clock::now(&app.clock).timestamp(),
                300
            ));
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(body["notificationId"], r.delivery.as_str());
            (
                body["channel"].as_str().unwrap().to_owned(),
                body["to"].as_str().unwrap().to_owned(),
                body["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        [
            (
                "SMS".to_owned(),
                "13800000001".to_owned(),
                "【督查督办】催办：请于3日内报送一季度进展".to_owned()
            ),
            (
                "WECOM".to_owned(),
                "fgw-duty".to_owned(),
                "【督查督办】催办：请于3日内报送一季度进展".to_owned()
            ),
        ]
    );
    // The log, for the bureau only; a unit without contacts (B) is told in the app only.
    let log = app
        .gql(
            Some(&w.bureau),
            "{ notifications { channel address state attempts } }",
            json!({}),
        )
        .await;
    let states: Vec<&str> = log
        .data("/notifications")
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 2);
    app.gql(
        Some(&w.unit_a_token),
        "{ notifications { state } }",
        json!({}),
    )
    .await
    .expect_error("FORBIDDEN");
}

#[tokio::test]
async fn without_a_gateway_notifications_stay_in_the_app() {
    let app = spawn(None).await;
    let w = World::build(&app).await;
    app.gql(
        Some(&w.bureau),
        SET,
        json!({ "i": { "unitId": w.unit_a, "contacts": [{ "channel": "SMS", "address": "13800000001" }] } }),
    )
    .await
    .data("/setContacts/contacts");
    app.gql(
        Some(&w.bureau),
        "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "unitId": w.unit_a, "message": "请按时报送" } }),
    )
    .await
    .data("/sendReminder/reminder/id");
    let mut state = Value::Null;
    for _ in 0..200 {
        let log = app
            .gql(
                Some(&w.bureau),
                "{ notifications { state lastError } }",
                json!({}),
            )
            .await;
        state = log.data("/notifications/0").clone();
        if state["state"] != "PENDING" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(state["state"], "SKIPPED");
    // The unit still has it in the app.
    let reminders = app
        .gql(
            Some(&w.unit_a_token),
            "{ reminders { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(reminders.data("/reminders/totalCount"), 1);
}
