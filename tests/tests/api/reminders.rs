//! Reminders (催办): sent by the bureau, seen and acknowledged by the addressed unit.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

const SEND: &str = "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id message rule acknowledgedAt unit { name } } } }";
const ACK: &str = "mutation($i: AcknowledgeReminderInput!) { acknowledgeReminder(input: $i) { reminder { acknowledgedAt } } }";
const LIST: &str = "query($u: Boolean) { reminders(unacknowledged: $u) { totalCount nodes { message task { seq } } } }";

async fn sent(app: &TestApp, w: &World) -> Value {
    app.gql(
        Some(&w.bureau),
        SEND,
        json!({ "i": { "taskId": w.tasks[0], "unitId": w.unit_a, "message": "请于本周五前报送一季度进展。" } }),
    )
    .await
    .data("/sendReminder/reminder")
    .clone()
}

#[tokio::test]
async fn the_bureau_reminds_and_the_unit_acknowledges_once() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let reminder = sent(&app, &w).await;
    assert_eq!(reminder["rule"], "MANUAL");
    assert_eq!(reminder["unit"]["name"], "市发展和改革委员会");
    assert!(reminder["acknowledgedAt"].is_null());

    let mine = app
        .gql(Some(&w.unit_a_token), LIST, json!({ "u": true }))
        .await;
    assert_eq!(mine.data("/reminders/totalCount"), 1);
    assert_eq!(mine.data("/reminders/nodes/0/task/seq"), "1");

    let first = app
        .gql(
            Some(&w.unit_a_token),
            ACK,
            json!({ "i": { "id": reminder["id"] } }),
        )
        .await;
    let at = first
        .data("/acknowledgeReminder/reminder/acknowledgedAt")
        .clone();
    assert!(at.is_string());
    let again = app
        .gql(
            Some(&w.unit_a_token),
            ACK,
            json!({ "i": { "id": reminder["id"] } }),
        )
        .await;
    assert_eq!(
        again.data("/acknowledgeReminder/reminder/acknowledgedAt"),
        &at,
        "a second acknowledgement changes nothing"
    );
    let open = app
        .gql(Some(&w.unit_a_token), LIST, json!({ "u": true }))
        .await;
    assert_eq!(open.data("/reminders/totalCount"), 0);
    assert_eq!(
        app.count_rows("events WHERE kind LIKE 'reminder.%'").await,
        2
    );
    assert_eq!(
        app.count_rows("audit_log WHERE action LIKE 'reminder.%'")
            .await,
        2
    );
}

#[tokio::test]
async fn reminders_are_sent_by_the_bureau_and_read_by_whom_they_concern() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let input = json!({ "i": { "taskId": w.tasks[0], "unitId": w.unit_a, "message": "催办" } });
    for token in [&w.unit_a_token, &w.liu_token, &w.service_token] {
        app.gql(Some(token), SEND, input.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, SEND, input.clone())
        .await
        .expect_error("UNAUTHENTICATED");
    let reminder = sent(&app, &w).await;

    // Unit B cooperates on task 1 but the reminder is not addressed to it.
    let counts = [
        (&w.bureau, 1),
        (&w.service_token, 1),
        (&w.unit_a_token, 1),
        (&w.unit_b_token, 0),
        (&w.unit_c_token, 0),
        (&w.liu_token, 1),
        (&w.wang_token, 0),
    ];
    for (token, expected) in counts {
        let seen = app.gql(Some(token), LIST, json!({})).await;
        assert_eq!(seen.data("/reminders/totalCount"), expected);
    }
    let of_task = app
        .gql(
            Some(&w.unit_b_token),
            "query($t: ID!) { task(id: $t) { reminders { id } } }",
            json!({ "t": w.tasks[0] }),
        )
        .await;
    assert_eq!(of_task.data("/task/reminders"), &json!([]));
    // Only the addressed unit acknowledges.
    for token in [&w.bureau, &w.liu_token, &w.service_token] {
        app.gql(Some(token), ACK, json!({ "i": { "id": reminder["id"] } }))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(
        Some(&w.unit_b_token),
        ACK,
        json!({ "i": { "id": reminder["id"] } }),
    )
    .await
    .expect_error("NOT_FOUND");
}

#[tokio::test]
async fn bad_reminders_are_refused_and_store_nothing() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let cases = [
        (
            json!({ "taskId": w.tasks[0], "unitId": w.unit_c, "message": "催办" }),
            "unitId",
        ),
        (
            json!({ "taskId": w.tasks[0], "unitId": w.unit_a, "message": "  " }),
            "message",
        ),
        (
            json!({ "taskId": w.unit_a, "unitId": w.unit_a, "message": "催办" }),
            "taskId",
        ),
        (
            json!({ "taskId": w.tasks[0], "unitId": w.unit_a, "periodId": w.tasks[1], "message": "催办" }),
            "periodId",
        ),
    ];
    for (input, field) in cases {
        let response = app.gql(b, SEND, json!({ "i": input })).await;
        response.expect_error("BAD_USER_INPUT");
        assert_eq!(
            response
                .0
                .pointer("/errors/0/extensions/field")
                .and_then(Value::as_str),
            Some(field),
            "{:#}",
            response.0
        );
    }
    assert_eq!(app.count_rows("reminders").await, 0);
}

#[tokio::test]
async fn automatic_reminders_go_out_once_per_obligation_and_rule_whatever_runs_them() {
    use api::clock::Clock;
    use chrono::TimeZone;
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    w.acknowledge_all(&app).await;
    let periods = app
        .gql(
            Some(&w.bureau),
            "mutation($i: GenerateReportingPeriodsInput!) { generateReportingPeriods(input: $i) { periods { id } } }",
            json!({ "i": { "documentId": w.document } }),
        )
        .await;
    let q1 = periods
        .data("/generateReportingPeriods/periods/0/id")
        .clone();

    // 26 March in Beijing: Q1 is due in two days; units A, B and C each owe one report.
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 3, 26, 2, 0, 0).unwrap());
    let now = app.clock.now();
    // Two instances run the job at the same moment.
    let (one, two) = tokio::join!(
        api::reminders::rules::run(&app.db, now),
        api::reminders::rules::run(&app.db, now)
    );
    assert_eq!(one.unwrap() + two.unwrap(), 3);
    // A later run sends nothing again, and since it finds every key already stored, it reads
    // and writes nothing: no transaction, no insert (it ran one per obligation before).
    app.log_statements();
    assert_eq!(
        api::reminders::rules::run(&app.db, now).await.unwrap(),
        0,
        "a later run sends nothing again"
    );
    let statements = app.take_statement_log();
    assert!(!statements.is_empty(), "the run was recorded");
    assert!(
        statements
            .iter()
            .all(|sql| sql.trim_start().starts_with("SELECT")),
        "a run with nothing to send only reads: {statements:#?}"
    );
    assert_eq!(app.count_rows("reminders WHERE rule = 'DUE_SOON'").await, 3);

    // Unit A reports in time; on 29 March the two others are overdue.
    let unit = app.login("fgw", tests::world::PASSWORD).await.0;
    app.gql(
        Some(&unit),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "idempotencyKey": "auto-0001", "progress": "按时报送" } }),
    )
    .await
    .data("");
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 3, 29, 2, 0, 0).unwrap());
    let later = app.clock.now();
    let (one, two) = tokio::join!(
        api::reminders::rules::run(&app.db, later),
        api::reminders::rules::run(&app.db, later)
    );
    assert_eq!(one.unwrap() + two.unwrap(), 2);
    assert_eq!(app.count_rows("reminders WHERE rule = 'OVERDUE'").await, 2);
    assert_eq!(
        app.count_rows("events WHERE kind = 'reminder.sent'").await,
        5
    );
    // Each is audited as the system's, like the manual ones are as their sender's.
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'reminder.send' AND actor = 'system'")
            .await,
        5
    );
    let unit_b = app.login("czj", tests::world::PASSWORD).await.0;
    let seen = app.gql(Some(&unit_b), LIST, json!({})).await;
    assert_eq!(
        seen.data("/reminders/totalCount"),
        2,
        "unit B got the due-soon and the overdue reminder"
    );
}
