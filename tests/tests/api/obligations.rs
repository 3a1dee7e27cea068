//! Obligations: what each unit owes, in which state, seen by each role.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

const MINE: &str =
    "query($f: ObligationFilter) { myObligations(filter: $f, first: 100) { totalCount
    nodes { state dueOn dueAt task { seq } period { label } unit { name } } } }";
const ALL: &str = "query($f: ObligationFilter) { obligations(filter: $f, first: 100) { totalCount nodes { state task { seq } period { label } } } }";

fn states(response: &tests::GqlResponse, root: &str) -> Vec<(String, String)> {
    response
        .data(&format!("/{root}/nodes"))
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["period"]["label"].as_str().unwrap().to_owned(),
                o["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn setup() -> (TestApp, World) {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    app.gql(
        Some(&w.bureau),
        "mutation($i: GenerateReportingPeriodsInput!) { generateReportingPeriods(input: $i) { periods { id } } }",
        json!({ "i": { "documentId": w.document } }),
    )
    .await
    .data("");
    (app, w)
}

async fn period(app: &TestApp, w: &World, index: usize) -> Value {
    app.gql(
        Some(&w.bureau),
        "query($d: ID!) { document(id: $d) { reportingPeriods { id } } }",
        json!({ "d": w.document }),
    )
    .await
    .data(&format!("/document/reportingPeriods/{index}/id"))
    .clone()
}

#[tokio::test]
async fn each_unit_owes_its_lead_or_responsible_tasks_per_period() {
    let (app, w) = setup().await;
    let a = app.gql(Some(&w.unit_a_token), MINE, json!({})).await;
    assert_eq!(
        a.data("/myObligations/totalCount"),
        4,
        "unit A leads task 1"
    );
    assert_eq!(a.data("/myObligations/nodes/0/task/seq"), "1");
    assert_eq!(a.data("/myObligations/nodes/0/dueOn"), "2026-03-28");
    assert!(
        a.data("/myObligations/nodes/0/dueAt")
            .as_str()
            .unwrap()
            .starts_with("2026-03-28T16:00:00")
    );
    assert_eq!(a.data("/myObligations/nodes/0/state"), "NOT_STARTED");
    // Unit B cooperates on task 1 (owes nothing there) and is responsible for task 2.
    let b = app.gql(Some(&w.unit_b_token), MINE, json!({})).await;
    let seqs: Vec<&str> = b
        .data("/myObligations/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["task"]["seq"].as_str().unwrap())
        .collect();
    assert_eq!(seqs, ["2", "2", "2", "2"]);

    let totals = [
        (&w.bureau, json!({}), 12),
        (&w.service_token, json!({}), 12),
        (&w.bureau, json!({ "unitId": w.unit_c }), 4),
        (&w.liu_token, json!({}), 8),
        (&w.wang_token, json!({}), 4),
        (&w.bureau, json!({ "leaderId": w.leader_wang }), 4),
    ];
    for (token, filter, expected) in totals {
        let seen = app.gql(Some(token), ALL, json!({ "f": filter })).await;
        assert_eq!(seen.data("/obligations/totalCount"), expected, "{filter}");
    }
    // Each view belongs to its roles.
    for token in [&w.bureau, &w.liu_token, &w.service_token] {
        app.gql(Some(token), MINE, json!({}))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(Some(&w.unit_a_token), ALL, json!({}))
        .await
        .expect_error("FORBIDDEN");
    app.gql(None, MINE, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn states_follow_the_reports_and_the_calendar() {
    let (app, w) = setup().await;
    let q1 = period(&app, &w, 0).await;
    let unit = w.unit_a_token.clone();
    app.gql(
        Some(&unit),
        "mutation($i: SaveReportDraftInput!) { saveReportDraft(input: $i) { report { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "progress": "起草中" } }),
    )
    .await
    .data("");
    let drafted = app.gql(Some(&unit), MINE, json!({})).await;
    assert_eq!(
        states(&drafted, "myObligations")[0],
        ("2026-Q1".into(), "DRAFT".into())
    );

    // 1 July in Beijing: Q1 and Q2 have passed without a submission.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 6, 30, 16, 30, 0).unwrap());
    let unit = app.login("fgw", PASSWORD).await.0;
    let overdue = app.gql(Some(&unit), MINE, json!({})).await;
    assert_eq!(
        states(&overdue, "myObligations"),
        [
            ("2026-Q1", "OVERDUE"),
            ("2026-Q2", "OVERDUE"),
            ("2026-Q3", "NOT_STARTED"),
            ("2026-Q4", "NOT_STARTED")
        ]
        .map(|(p, s)| (p.to_owned(), s.to_owned()))
    );
    let submitted = app
        .gql(
            Some(&unit),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
            json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "idempotencyKey": "late-q1-001" } }),
        )
        .await;
    let report = submitted.data("/submitReport/report/id").clone();
    let late = app
        .gql(
            Some(&unit),
            MINE,
            json!({ "f": { "state": ["LATE", "OVERDUE"] } }),
        )
        .await;
    assert_eq!(
        states(&late, "myObligations"),
        [("2026-Q1", "LATE"), ("2026-Q2", "OVERDUE")].map(|(p, s)| (p.to_owned(), s.to_owned()))
    );

    let bureau = app.admin_token().await;
    app.gql(
        Some(&bureau),
        "mutation($i: ReviewReportInput!) { reviewReport(input: $i) { report { state } } }",
        json!({ "i": { "reportId": report, "version": 1, "decision": "RETURN", "comment": "补充数据" } }),
    )
    .await
    .data("");
    let returned = app
        .gql(Some(&unit), MINE, json!({ "f": { "periodId": q1 } }))
        .await;
    assert_eq!(
        states(&returned, "myObligations"),
        [("2026-Q1".to_owned(), "RETURNED".to_owned())]
    );
}

/// The review queue's state is written into its statement, not bound: the partial index of the
/// reports awaiting review (migration 38) serves only a plan that can see the value, which a
/// generic plan on PostgreSQL (after five runs of a statement on a connection) cannot with a
/// bound one. Its answers are the list's, tested above.
#[tokio::test]
async fn the_review_queue_names_its_state_in_the_statement() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    w.generate_periods(&app).await;
    for states in [
        json!(["SUBMITTED"]),
        json!(["LATE"]),
        json!(["SUBMITTED", "LATE"]),
    ] {
        app.log_statements();
        app.gql(Some(&w.bureau), ALL, json!({ "f": { "state": states } }))
            .await
            .data("/obligations/nodes");
        let log = app.take_statement_log().join("\n");
        assert!(
            log.contains("\"report_state\" = ('SUBMITTED')"),
            "{states}: {log}"
        );
    }
}
