//! Live updates: GraphQL subscriptions over WebSocket (graphql-transport-ws), each subscriber
//! hearing only what it may read, across two server instances on one database.

use futures_util::{SinkExt, StreamExt};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub(crate) const EVENTS: &str = "subscription($after: Int, $kinds: [EventKind!]) {
    events(after: $after, kinds: $kinds) { sequence kind entityType entityId task { seq } unit { name } payload } }";

/// The newest event's sequence: subscribing after it makes the test independent of when the
/// server starts listening.
pub(crate) async fn newest_sequence(app: &TestApp) -> i64 {
    let row = app
        .db
        .query_one(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COALESCE(MAX(id), 0) AS id FROM events",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "id").unwrap()
}

async fn subscribe(app: &TestApp, token: &str, variables: Value) -> Socket {
    subscribe_to(app, token, EVENTS, variables).await
}

pub(crate) async fn subscribe_to(
    app: &TestApp,
    token: &str,
    query: &str,
    variables: Value,
) -> Socket {
    let url = app.address.replace("http://", "ws://") + "/graphql/ws";
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |value: Value| Message::text(value.to_string());
    socket
        .send(send(
            json!({ "type": "connection_init", "payload": { "accessToken": token } }),
        ))
        .await
        .unwrap();
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    socket
        .send(send(json!({ "id": "1", "type": "subscribe",
                           "payload": { "query": query, "variables": variables } })))
        .await
        .unwrap();
    socket
}

pub(crate) async fn next_message(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(20), socket.next())
            .await
            .expect("an event arrives")
            .expect("the socket is open")
            .unwrap();
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected message {other:?}"),
        }
    }
}

/// The next `n` events heard, as (kind, task seq, unit name).
async fn heard(socket: &mut Socket, n: usize) -> Vec<(String, String, String)> {
    let mut events = Vec::new();
    while events.len() < n {
        let message = next_message(socket).await;
        assert_eq!(message["type"], "next", "{message:#}");
        let event = &message["payload"]["data"]["events"];
        events.push((
            event["kind"].as_str().unwrap().to_owned(),
            event["task"]["seq"].as_str().unwrap_or("-").to_owned(),
            event["unit"]["name"].as_str().unwrap_or("-").to_owned(),
        ));
    }
    events
}

fn expect(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(k, t, u)| ((*k).to_owned(), (*t).to_owned(), (*u).to_owned()))
        .collect()
}

#[tokio::test]
async fn each_subscriber_hears_what_it_may_read_from_any_instance() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    let other = app.spawn_second_instance().await;
    let after = newest_sequence(&app).await;

    // Subscribers on both instances; every change below goes through the first one.
    let mut bureau = subscribe(
        &other,
        &w.bureau,
        json!({ "after": after, "kinds": ["REPORT_SUBMITTED"] }),
    )
    .await;
    let mut unit_a = subscribe(&other, &w.unit_a_token, json!({ "after": after })).await;
    let mut unit_b = subscribe(&app, &w.unit_b_token, json!({ "after": after })).await;
    let mut wang = subscribe(&other, &w.wang_token, json!({ "after": after })).await;

    let remind = |task: &str, unit: &str, message: &str| json!({ "i": { "taskId": task, "unitId": unit, "message": message } });
    let send_reminder =
        "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }";
    let b = Some(w.bureau.as_str());
    app.gql(
        b,
        send_reminder,
        remind(&w.tasks[0], &w.unit_a, "请按时报送一季度进展"),
    )
    .await
    .data("/sendReminder");
    let report = app
        .gql(
            Some(&w.unit_a_token),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
            json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "progress": "一季度进展", "idempotencyKey": "live-0001" } }),
        )
        .await
        .data("/submitReport/report/id")
        .clone();
    app.gql(
        b,
        "mutation($i: ReviewReportInput!) { reviewReport(input: $i) { report { state } } }",
        json!({ "i": { "reportId": report, "version": 1, "decision": "RETURN", "comment": "请补充数据" } }),
    )
    .await
    .data("/reviewReport");
    app.gql(b, send_reminder, remind(&w.tasks[1], &w.unit_b, "请报送"))
        .await
        .data("/sendReminder");
    app.gql(b, send_reminder, remind(&w.tasks[2], &w.unit_c, "请报送"))
        .await
        .data("/sendReminder");
    // Last, one reminder to each unit: each subscriber's list ends with one, so anything it
    // should not hear, being older, would have shown up before it.
    for (task, unit) in [
        (&w.tasks[0], &w.unit_a),
        (&w.tasks[1], &w.unit_b),
        (&w.tasks[2], &w.unit_c),
    ] {
        app.gql(b, send_reminder, remind(task, unit, "最后提醒"))
            .await
            .data("/sendReminder");
    }

    let a = "市发展和改革委员会";
    assert_eq!(
        heard(&mut unit_a, 5).await,
        expect(&[
            ("REMINDER_SENT", "1", a),
            ("REPORT_SUBMITTED", "1", a),
            ("TASK_STATUS_CHANGED", "1", "-"),
            ("REPORT_RETURNED", "1", a),
            ("REMINDER_SENT", "1", a),
        ])
    );
    let b_name = "市财政局";
    assert_eq!(
        heard(&mut unit_b, 3).await,
        expect(&[
            // Task 1 is unit B's too (it cooperates): it hears the task change, not unit A's
            // reminder, report or return.
            ("TASK_STATUS_CHANGED", "1", "-"),
            ("REMINDER_SENT", "2", b_name),
            ("REMINDER_SENT", "2", b_name),
        ])
    );
    let c = "尉氏县人民政府";
    assert_eq!(
        heard(&mut wang, 2).await,
        expect(&[("REMINDER_SENT", "3", c), ("REMINDER_SENT", "3", c)])
    );
    let submitted = heard(&mut bureau, 1).await;
    assert_eq!(submitted, expect(&[("REPORT_SUBMITTED", "1", a)]));
}

#[tokio::test]
async fn events_name_their_objects_by_global_id_and_type() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    let after = newest_sequence(&app).await;
    let mut unit_a = subscribe(
        &app,
        &w.unit_a_token,
        json!({ "after": after, "kinds": ["REMINDER_SENT"] }),
    )
    .await;
    let reminder = app
        .gql(
            Some(&w.bureau),
            "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }",
            json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "unitId": w.unit_a, "message": "请报送" } }),
        )
        .await
        .data("/sendReminder/reminder/id")
        .clone();
    let message = next_message(&mut unit_a).await;
    let event = &message["payload"]["data"]["events"];
    assert_eq!(event["kind"], "REMINDER_SENT", "{message:#}");
    assert_eq!(event["entityType"], "REMINDER");
    assert_eq!(event["entityId"], reminder);
    // The payload speaks as the API does: camelCase keys, global IDs a client can pass back.
    let payload = &event["payload"];
    assert_eq!(payload["taskId"], w.tasks[0], "{payload:#}");
    assert_eq!(payload["unitId"], w.unit_a, "{payload:#}");
    assert_eq!(payload["periodId"], q1, "{payload:#}");
    let text = payload.to_string();
    assert!(
        !text.contains("task_id") && !text.contains("unit_id"),
        "{payload:#}"
    );
    let node = app
        .gql(
            Some(&w.bureau),
            "query($id: ID!) { node(id: $id) { __typename id } }",
            json!({ "id": payload["taskId"] }),
        )
        .await;
    assert_eq!(node.data("/node/__typename"), "Task");
}

#[tokio::test]
async fn bad_subscription_arguments_get_coded_errors() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    // A refused argument is an error on the subscription, coded like any other, and the
    // socket stays open.
    for (variables, code) in [
        (json!({ "after": "x" }), "BAD_USER_INPUT"),
        (json!({ "taskId": w.unit_a }), "BAD_USER_INPUT"),
    ] {
        let mut socket = subscribe_to(
            &app,
            &w.unit_a_token,
            "subscription($after: Int, $taskId: ID) { events(after: $after, taskId: $taskId) { kind } }",
            variables,
        )
        .await;
        let message = next_message(&mut socket).await;
        assert_eq!(message["type"], "next", "{message:#}");
        assert_eq!(
            message["payload"]["errors"][0]["extensions"]["code"], code,
            "{message:#}"
        );
    }
}

#[tokio::test]
async fn registry_changes_reach_the_bureau_and_machine_accounts_only() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    // The world's three units, two leaders and one document were announced as they were made.
    assert_eq!(
        app.count_rows("events WHERE kind = 'unit.created'").await,
        3
    );
    assert_eq!(
        app.count_rows("events WHERE kind = 'leader.created'").await,
        2
    );
    let after = newest_sequence(&app).await;
    let mut bureau = subscribe(
        &app,
        &w.bureau,
        json!({ "after": after, "kinds": ["UNIT_UPDATED", "REMINDER_SENT"] }),
    )
    .await;
    let mut unit_a = subscribe(&app, &w.unit_a_token, json!({ "after": after })).await;
    let mut service = subscribe(
        &app,
        &w.service_token,
        json!({ "after": after, "kinds": ["UNIT_UPDATED"] }),
    )
    .await;
    app.gql(
        Some(&w.bureau),
        "mutation($i: UpdateUnitInput!) { updateUnit(input: $i) { unit { name } } }",
        json!({ "i": { "id": w.unit_a, "name": "市发展改革委员会" } }),
    )
    .await
    .data("/updateUnit");
    app.gql(
        Some(&w.bureau),
        "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "unitId": w.unit_a, "message": "请报送" } }),
    )
    .await
    .data("/sendReminder");
    let renamed = "市发展改革委员会";
    assert_eq!(
        heard(&mut bureau, 2).await,
        expect(&[("UNIT_UPDATED", "-", "-"), ("REMINDER_SENT", "1", renamed)])
    );
    assert_eq!(
        heard(&mut unit_a, 1).await,
        expect(&[("REMINDER_SENT", "1", renamed)])
    );
    // Machine accounts read the registry, so they hear its changes too.
    assert_eq!(
        heard(&mut service, 1).await,
        expect(&[("UNIT_UPDATED", "-", "-")])
    );
}

const SEND_REMINDER: &str =
    "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }";

fn reminder_to_unit_a(w: &World) -> Value {
    json!({ "i": { "taskId": w.tasks[0], "unitId": w.unit_a, "message": "请报送" } })
}

/// Unit A's subscription, once it has heard a reminder the bureau sent it.
async fn unit_a_hearing_reminders(app: &TestApp, w: &World) -> Socket {
    let after = newest_sequence(app).await;
    let mut unit_a = subscribe(app, &w.unit_a_token, json!({ "after": after })).await;
    app.gql(Some(&w.bureau), SEND_REMINDER, reminder_to_unit_a(w))
        .await
        .data("/sendReminder");
    assert_eq!(heard(&mut unit_a, 1).await[0].0, "REMINDER_SENT");
    unit_a
}

/// Two minutes on (past the subscription's account check), the bureau sends unit A another
/// reminder: the subscription completes instead of delivering it.
async fn expect_ended_by_the_next_reminder(app: &TestApp, w: &World, unit_a: &mut Socket) {
    app.clock.advance(chrono::Duration::minutes(2));
    let bureau = app.admin_token().await;
    app.gql(Some(&bureau), SEND_REMINDER, reminder_to_unit_a(w))
        .await
        .data("/sendReminder");
    let message = next_message(unit_a).await;
    assert_eq!(message["type"], "complete", "{message:#}");
}

#[tokio::test]
async fn a_deactivated_account_stops_hearing() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut unit_a = unit_a_hearing_reminders(&app, &w).await;

    let users = app
        .gql(
            Some(&w.bureau),
            "{ users(first: 100) { nodes { id username } } }",
            json!({}),
        )
        .await;
    let fgw = users
        .data("/users/nodes")
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "fgw")
        .unwrap()["id"]
        .clone();
    app.gql(
        Some(&w.bureau),
        "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { isActive } } }",
        json!({ "i": { "id": fgw, "isActive": false } }),
    )
    .await
    .data("/updateUser");
    // A subscription re-reads its account every minute: two minutes on, the next event ends it.
    expect_ended_by_the_next_reminder(&app, &w, &mut unit_a).await;
}

/// Stores an event with the given sequence number, as a transaction that took that number would
/// when it commits.
async fn commit_event(app: &TestApp, id: i64, kind: &str) {
    use sea_orm::{ActiveModelTrait, Set};
    entity::events::ActiveModel {
        id: Set(id),
        kind: Set(kind.to_owned()),
        entity_type: Set("document".to_owned()),
        entity_id: Set(None),
        task_id: Set(None),
        unit_id: Set(None),
        payload: Set(json!({})),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

/// On PostgreSQL a transaction takes its event's sequence number when it inserts the row, and
/// may commit after a transaction that took a later one. The relay holds the later event back
/// while the earlier number is missing, so subscribers hear both, in order, and a client that
/// reconnects with `after` misses neither.
#[tokio::test]
async fn an_event_committed_late_is_heard_in_its_place() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let after = newest_sequence(&app).await;
    let mut bureau = subscribe(&app, &w.bureau, json!({ "after": after })).await;

    // The later number commits first. The relay looks several times (every 250 ms) while the
    // earlier one is missing; the sleep only gives it the chance to send too early.
    commit_event(&app, after + 2, "unit.updated").await;
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    commit_event(&app, after + 1, "unit.created").await;
    let both = expect(&[("UNIT_CREATED", "-", "-"), ("UNIT_UPDATED", "-", "-")]);
    assert_eq!(heard(&mut bureau, 2).await, both);

    // A client that reconnects with the sequence it saw before them gets both, in order.
    let mut again = subscribe(&app, &w.bureau, json!({ "after": after })).await;
    assert_eq!(heard(&mut again, 2).await, both);
}

#[tokio::test]
async fn a_filter_naming_a_kind_that_does_not_exist_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // The stored spelling, which the filter took (and matched nothing) before kinds were typed.
    let mut socket = subscribe(&app, &admin, json!({ "kinds": ["reminder.sent"] })).await;
    let refusal = next_message(&mut socket).await;
    let message = refusal["payload"]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("EventKind"), "{message}");
    assert!(refusal["payload"]["data"].is_null(), "{refusal:#}");
}

/// The next frame on the socket is its close, 4403 (sign in again): no event before it.
async fn expect_closed_for_signing_out(socket: &mut Socket) {
    let frame = tokio::time::timeout(std::time::Duration::from_secs(20), socket.next())
        .await
        .expect("the socket closes")
        .expect("a close frame")
        .unwrap();
    match frame {
        Message::Close(Some(close)) => {
            assert_eq!(u16::from(close.code), 4403, "{close:?}");
            assert!(close.reason.contains("signed out"), "{close:?}");
        }
        other => panic!("expected the socket to close, got {other:?}"),
    }
}

#[tokio::test]
async fn signing_out_everywhere_closes_the_open_sockets_at_once() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut unit_a = unit_a_hearing_reminders(&app, &w).await;

    // The unit signs out of every session (from another device).
    let (phone, _) = app.login("fgw", tests::world::PASSWORD).await;
    app.gql(
        Some(&phone),
        "mutation { logout(input: {allSessions: true}) { revoked } }",
        json!({}),
    )
    .await
    .data("/logout/revoked");
    // The next reminder is committed after the sign-out: the socket closes before it, with no
    // time passing.
    app.gql(Some(&w.bureau), SEND_REMINDER, reminder_to_unit_a(&w))
        .await
        .data("/sendReminder");
    expect_closed_for_signing_out(&mut unit_a).await;
}

#[tokio::test]
async fn signing_out_one_session_closes_its_sockets_and_stops_its_token_at_once() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (laptop, laptop_refresh) = app.login("fgw", tests::world::PASSWORD).await;
    let (phone, _) = app.login("fgw", tests::world::PASSWORD).await;
    let after = newest_sequence(&app).await;
    let mut on_laptop = subscribe(&app, &laptop, json!({ "after": after })).await;
    let mut on_phone = subscribe(&app, &phone, json!({ "after": after })).await;

    // The laptop's session signs out (from the phone); the phone's stays.
    let out = app
        .gql(
            Some(&phone),
            "mutation($t: String) { logout(input: {refreshToken: $t}) { revoked } }",
            json!({ "t": laptop_refresh }),
        )
        .await;
    assert_eq!(out.data("/logout/revoked"), 1);
    app.gql(Some(&w.bureau), SEND_REMINDER, reminder_to_unit_a(&w))
        .await
        .data("/sendReminder");
    expect_closed_for_signing_out(&mut on_laptop).await;
    assert_eq!(heard(&mut on_phone, 1).await[0].0, "REMINDER_SENT");

    // Over HTTP too, at once: the laptop's access token is refused, the phone's works.
    let refused = app
        .gql(Some(&laptop), "{ me { username } }", json!({}))
        .await;
    let message = refused.expect_error("UNAUTHENTICATED");
    assert!(message.contains("signed out"), "{message}");
    let me = app
        .gql(Some(&phone), "{ me { username } }", json!({}))
        .await;
    assert_eq!(me.data("/me/username"), "fgw");
    // And a socket opened with it is refused.
    let url = app.address.replace("http://", "ws://") + "/graphql/ws";
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
        .send(Message::text(
            json!({ "type": "connection_init", "payload": { "accessToken": laptop } }).to_string(),
        ))
        .await
        .unwrap();
    expect_closed_for_signing_out(&mut socket).await;
}
