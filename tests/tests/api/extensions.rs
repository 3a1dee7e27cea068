//! Extension requests (延期申请): asked by the owing unit before the due date, decided by the
//! bureau; an approved one moves that unit's due date, keeping the original.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

const REQUEST: &str = "mutation($i: RequestExtensionInput!) { requestExtension(input: $i) { extension { id state originalDueOn requestedDueOn } } }";
const DECIDE: &str = "mutation($i: DecideExtensionInput!) { decideExtension(input: $i) { extension { state decisionComment } } }";
const LIST: &str = "{ extensionRequests { totalCount nodes { state unit { name } } } }";

async fn setup() -> (TestApp, World, Value) {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
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
    (app, w, q1)
}

#[tokio::test]
async fn an_approved_extension_moves_the_units_due_date() {
    let (app, w, q1) = setup().await;
    let asked = app
        .gql(
            Some(&w.unit_a_token),
            REQUEST,
            json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "requestedDueOn": "2026-04-15", "reason": "统计数据4月上旬发布。" } }),
        )
        .await;
    assert_eq!(asked.data("/requestExtension/extension/state"), "PENDING");
    assert_eq!(
        asked.data("/requestExtension/extension/originalDueOn"),
        "2026-03-28"
    );
    let id = asked.data("/requestExtension/extension/id").clone();
    app.gql(Some(&w.unit_a_token), REQUEST, json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "requestedDueOn": "2026-04-20", "reason": "再申请" } }))
        .await
        .expect_error("CONFLICT");

    let approved = app
        .gql(
            Some(&w.bureau),
            DECIDE,
            json!({ "i": { "id": id, "approve": true } }),
        )
        .await;
    assert_eq!(
        approved.data("/decideExtension/extension/state"),
        "APPROVED"
    );
    app.gql(
        Some(&w.bureau),
        DECIDE,
        json!({ "i": { "id": id, "approve": false, "comment": "改判" } }),
    )
    .await
    .expect_error("CONFLICT");

    let owed = app
        .gql(
            Some(&w.unit_a_token),
            "{ myObligations(first: 1) { nodes { dueOn period { dueOn originalDueOn } } } }",
            json!({}),
        )
        .await;
    assert_eq!(owed.data("/myObligations/nodes/0/dueOn"), "2026-04-15");
    assert_eq!(
        owed.data("/myObligations/nodes/0/period/dueOn"),
        "2026-03-28",
        "the period itself does not move"
    );

    // 1 April in Beijing: after the period's date, before the unit's extended one.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 4, 1, 2, 0, 0).unwrap());
    let unit = app.login("fgw", PASSWORD).await.0;
    let on_time = app
        .gql(
            Some(&unit),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { version { isLate dueOn } } }",
            json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "idempotencyKey": "ext-0001", "progress": "按延期后时限报送" } }),
        )
        .await;
    assert_eq!(on_time.data("/submitReport/version/isLate"), false);
    assert_eq!(on_time.data("/submitReport/version/dueOn"), "2026-04-15");
}

#[tokio::test]
async fn extensions_are_asked_in_time_for_a_later_date_and_rejections_say_why() {
    let (app, w, q1) = setup().await;
    let ask = |date: &str| json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "requestedDueOn": date, "reason": "原因" } });
    let early = app
        .gql(Some(&w.unit_a_token), REQUEST, ask("2026-03-20"))
        .await;
    assert_eq!(
        early.expect_error("BAD_USER_INPUT"),
        "requestedDueOn: must be after the current due date 2026-03-28"
    );
    let asked = app
        .gql(Some(&w.unit_a_token), REQUEST, ask("2026-04-10"))
        .await;
    let id = asked.data("/requestExtension/extension/id").clone();
    app.gql(
        Some(&w.bureau),
        DECIDE,
        json!({ "i": { "id": id, "approve": false } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let rejected = app
        .gql(
            Some(&w.bureau),
            DECIDE,
            json!({ "i": { "id": id, "approve": false, "comment": "不符合延期条件" } }),
        )
        .await;
    assert_eq!(
        rejected.data("/decideExtension/extension/state"),
        "REJECTED"
    );

    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 29, 2, 0, 0).unwrap());
    let unit = app.login("fgw", PASSWORD).await.0;
    let late = app.gql(Some(&unit), REQUEST, ask("2026-04-30")).await;
    assert!(late.expect_error("CONFLICT").contains("has passed"));
    assert_eq!(app.count_rows("extension_requests").await, 1);
}

#[tokio::test]
async fn only_the_owing_unit_asks_only_the_bureau_decides_and_each_reads_its_share() {
    let (app, w, q1) = setup().await;
    let ask = json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "requestedDueOn": "2026-04-10", "reason": "原因" } });
    for token in [&w.bureau, &w.liu_token, &w.service_token, &w.unit_b_token] {
        app.gql(Some(token), REQUEST, ask.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(Some(&w.unit_c_token), REQUEST, ask.clone())
        .await
        .expect_error("NOT_FOUND");
    app.gql(None, REQUEST, ask.clone())
        .await
        .expect_error("UNAUTHENTICATED");
    let id = app
        .gql(Some(&w.unit_a_token), REQUEST, ask)
        .await
        .data("/requestExtension/extension/id")
        .clone();
    for token in [&w.unit_a_token, &w.liu_token, &w.service_token] {
        app.gql(
            Some(token),
            DECIDE,
            json!({ "i": { "id": id, "approve": true } }),
        )
        .await
        .expect_error("FORBIDDEN");
    }
    for (token, expected) in [
        (&w.bureau, 1),
        (&w.service_token, 1),
        (&w.unit_a_token, 1),
        (&w.unit_b_token, 0),
        (&w.liu_token, 1),
        (&w.wang_token, 0),
    ] {
        let seen = app.gql(Some(token), LIST, json!({})).await;
        assert_eq!(seen.data("/extensionRequests/totalCount"), expected);
    }
}
