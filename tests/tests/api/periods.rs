//! Reporting periods: generated from the schedule, moved or removed only before they are due.

use chrono::{TimeZone, Utc};
use serde_json::json;
use tests::TestApp;
use tests::world::World;

const GENERATE: &str =
    "mutation($i: GenerateReportingPeriodsInput!) { generateReportingPeriods(input: $i) {
    periods { id label startsOn dueOn originalDueOn dueAt isPast } } }";
const UPDATE: &str = "mutation($i: UpdateReportingPeriodInput!) { updateReportingPeriod(input: $i) { period { label dueOn originalDueOn } } }";
const DELETE: &str = "mutation($i: DeleteReportingPeriodInput!) { deleteReportingPeriod(input: $i) { deletedPeriodId } }";
const ADD: &str = "mutation($i: AddReportingPeriodInput!) { addReportingPeriod(input: $i) { period { id label } } }";

#[tokio::test]
async fn periods_are_generated_from_the_schedule_once() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let first = app
        .gql(b, GENERATE, json!({ "i": { "documentId": w.document } }))
        .await;
    let periods = first
        .data("/generateReportingPeriods/periods")
        .as_array()
        .unwrap()
        .clone();
    let labels: Vec<&str> = periods
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
    assert_eq!(periods[0]["dueOn"], "2026-03-28");
    assert_eq!(periods[0]["startsOn"], "2026-01-01");
    // Due means the end of the 28th in Beijing: 16:00 UTC.
    assert!(
        periods[0]["dueAt"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-28T16:00:00")
    );
    assert_eq!(periods[0]["isPast"], false);

    let again = app
        .gql(b, GENERATE, json!({ "i": { "documentId": w.document } }))
        .await;
    assert_eq!(
        again
            .data("/generateReportingPeriods/periods")
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(app.count_rows("reporting_periods").await, 4);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'period.generate'")
            .await,
        2
    );

    // Everyone who can read the document reads its periods.
    for token in [&w.unit_a_token, &w.liu_token, &w.service_token] {
        let read = app
            .gql(
                Some(token),
                "query($d: ID!) { document(id: $d) { reportingPeriods { label } } }",
                json!({ "d": w.document }),
            )
            .await;
        assert_eq!(
            read.data("/document/reportingPeriods")
                .as_array()
                .unwrap()
                .len(),
            4
        );
    }
}

#[tokio::test]
async fn periods_move_only_before_they_are_due() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let generated = app
        .gql(b, GENERATE, json!({ "i": { "documentId": w.document } }))
        .await;
    let q1 = generated
        .data("/generateReportingPeriods/periods/0/id")
        .clone();
    let q2 = generated
        .data("/generateReportingPeriods/periods/1/id")
        .clone();

    let moved = app
        .gql(
            b,
            UPDATE,
            json!({ "i": { "id": q1, "dueOn": "2026-03-31" } }),
        )
        .await;
    assert_eq!(
        moved.data("/updateReportingPeriod/period/dueOn"),
        "2026-03-31"
    );
    assert_eq!(
        moved.data("/updateReportingPeriod/period/originalDueOn"),
        "2026-03-28"
    );
    app.gql(
        b,
        UPDATE,
        json!({ "i": { "id": q1, "dueOn": "2026-02-01" } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");

    // Unit A reports on Q1 while it is open.
    app.gql(
        Some(&w.unit_a_token),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "progress": "一季度进展", "idempotencyKey": "periods-q1" } }),
    )
    .await
    .data("/submitReport");

    // 1 April in Beijing: Q1 is past.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 31, 16, 30, 0).unwrap());
    // A month later the morning's access token has long expired.
    let token = app.admin_token().await;
    let b = Some(token.as_str());
    let late = app
        .gql(
            b,
            UPDATE,
            json!({ "i": { "id": q1, "dueOn": "2026-04-30" } }),
        )
        .await;
    assert!(late.expect_error("CONFLICT").contains("was due"));
    // A period reported on stays, past or not.
    let kept = app.gql(b, DELETE, json!({ "i": { "id": q1 } })).await;
    assert!(kept.expect_error("CONFLICT").contains("reported on"));
    let deleted = app.gql(b, DELETE, json!({ "i": { "id": q2 } })).await;
    assert_eq!(deleted.data("/deleteReportingPeriod/deletedPeriodId"), &q2);
    assert_eq!(app.count_rows("reporting_periods").await, 3);
}

/// A notice issued on 21 March owes nothing for January or February, nor for a quarter due
/// before it; a past period nobody reported on can be removed.
#[tokio::test]
async fn no_period_is_due_before_the_notice_and_unreported_past_ones_can_go() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let create =
        "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }";
    let monthly = app
        .gql(
            b,
            create,
            json!({ "i": { "docNumber": "青政办〔2026〕9号", "title": "关于印发2026年民生实事的通知",
                "issuer": "青川市人民政府办公室", "issuedOn": "2026-03-21", "kind": "LIVELIHOOD",
                "schedule": { "kind": "MONTHLY", "dayOfMonth": 20 } } }),
        )
        .await
        .data("/createDocument/document/id")
        .clone();
    let periods = app
        .gql(b, GENERATE, json!({ "i": { "documentId": monthly } }))
        .await;
    let labels: Vec<&str> = periods
        .data("/generateReportingPeriods/periods")
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    // March's report is due on the 20th, before the notice: the first period is April's.
    assert_eq!(labels.first(), Some(&"2026-04"), "{labels:?}");
    assert_eq!(labels.len(), 9);

    let quarterly = app
        .gql(
            b,
            create,
            json!({ "i": { "docNumber": "青政办〔2026〕10号", "title": "关于印发重点任务的通知",
                "issuer": "青川市人民政府办公室", "issuedOn": "2026-03-21", "kind": "WORK_REPORT",
                "schedule": { "kind": "QUARTERLY", "dates": ["2026-03-20", "2026-06-20", "2026-09-20", "2026-12-20"] } } }),
        )
        .await
        .data("/createDocument/document/id")
        .clone();
    let periods = app
        .gql(b, GENERATE, json!({ "i": { "documentId": quarterly } }))
        .await;
    let first = periods.data("/generateReportingPeriods/periods/0").clone();
    assert_eq!(first["label"], "2026-Q2");

    // A past period nobody reported on (the world's Q1 of 2026, due 28 March) can go.
    let q1 = w.generate_periods(&app).await[0].clone();
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 4, 10, 2, 0, 0).unwrap());
    let token = app.admin_token().await;
    let deleted = app
        .gql(Some(&token), DELETE, json!({ "i": { "id": q1 } }))
        .await;
    assert_eq!(deleted.data("/deleteReportingPeriod/deletedPeriodId"), &q1);
}

#[tokio::test]
async fn bad_period_input_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    app.gql(b, GENERATE, json!({ "i": { "documentId": w.document } }))
        .await
        .data("");
    let before = app.count_rows("reporting_periods").await;
    app.gql(
        b,
        ADD,
        json!({ "i": { "documentId": w.document, "label": "2026-Q1", "dueOn": "2026-05-01" } }),
    )
    .await
    .expect_error("CONFLICT");
    app.gql(b, ADD, json!({ "i": { "documentId": w.document, "label": "专项", "startsOn": "2026-06-01", "dueOn": "2026-05-01" } }))
        .await
        .expect_error("BAD_USER_INPUT");
    app.gql(
        b,
        ADD,
        json!({ "i": { "documentId": w.document, "label": " ", "dueOn": "2026-05-01" } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let no_schedule = app
        .gql(b, "mutation { createDocument(input: {title: \"无报送要求\", year: 2026, kind: OTHER}) { document { id } } }", json!({}))
        .await
        .data("/createDocument/document/id")
        .clone();
    app.gql(b, GENERATE, json!({ "i": { "documentId": no_schedule } }))
        .await
        .expect_error("BAD_USER_INPUT");
    assert_eq!(app.count_rows("reporting_periods").await, before);
    let added = app
        .gql(
            b,
            ADD,
            json!({ "i": { "documentId": w.document, "label": "专项", "dueOn": "2026-05-01" } }),
        )
        .await;
    assert_eq!(added.data("/addReportingPeriod/period/label"), "专项");
}

#[tokio::test]
async fn only_the_bureau_manages_periods() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let generated = app
        .gql(
            Some(&w.bureau),
            GENERATE,
            json!({ "i": { "documentId": w.document } }),
        )
        .await;
    let q4 = generated
        .data("/generateReportingPeriods/periods/3/id")
        .clone();
    let cases = [
        (GENERATE, json!({ "i": { "documentId": w.document } })),
        (
            ADD,
            json!({ "i": { "documentId": w.document, "label": "加报", "dueOn": "2026-05-01" } }),
        ),
        (UPDATE, json!({ "i": { "id": q4, "dueOn": "2026-12-30" } })),
        (DELETE, json!({ "i": { "id": q4 } })),
    ];
    for (query, vars) in &cases {
        for token in [&w.unit_a_token, &w.liu_token, &w.service_token] {
            app.gql(Some(token), query, vars.clone())
                .await
                .expect_error("FORBIDDEN");
        }
        app.gql(None, query, vars.clone())
            .await
            .expect_error("UNAUTHENTICATED");
    }
    assert_eq!(app.count_rows("reporting_periods").await, 4);
}
