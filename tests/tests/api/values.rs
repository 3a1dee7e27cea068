//! Indicator values on reports: each version gives actual values for its task's indicators,
//! checked against the task, and a draft keeps its values until it is submitted.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

const SUBMIT: &str = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { version {
    version indicatorValues { value note indicator { phrase target measureUnit comparator } } } } }";

async fn first_period(app: &TestApp, w: &World) -> Value {
    w.generate_periods(app).await[0].clone()
}

#[tokio::test]
async fn a_report_gives_actual_values_for_its_tasks_indicators() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let task = app
        .gql(
            Some(&w.bureau),
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id indicators { id phrase target measureUnit comparator } } } }",
            json!({ "i": { "documentId": w.document, "seq": "4", "text": "新建充电桩700个，城镇新增就业6.24万人。",
                "units": [{ "unitId": w.unit_a, "role": "LEAD" }],
                "indicators": [
                    { "phrase": "新建充电桩", "target": "700", "measureUnit": "个", "comparator": "AT_LEAST" },
                    { "phrase": "城镇新增就业", "target": "6.24", "measureUnit": "万人" }] } }),
        )
        .await;
    let task_id = task.data("/createTask/task/id").clone();
    assert_eq!(
        task.data("/createTask/task/indicators/1/comparator"),
        "ABOUT"
    );
    let charging = task.data("/createTask/task/indicators/0/id").clone();
    let jobs = task.data("/createTask/task/indicators/1/id").clone();
    let q1 = first_period(&app, &w).await;

    // An indicator of another task, or one given twice, stores nothing.
    let foreign = json!({ "indicatorId": "SW5kaWNhdG9yOjk5OTk", "value": "1" });
    for values in [
        json!([foreign]),
        json!([{ "indicatorId": charging, "value": "1" }, { "indicatorId": charging, "value": "2" }]),
        json!([{ "indicatorId": charging, "value": " " }]),
    ] {
        app.gql(
            Some(&w.unit_a_token),
            SUBMIT,
            json!({ "i": { "taskId": task_id, "periodId": q1, "progress": "进展",
                           "idempotencyKey": uuid::Uuid::new_v4().to_string(), "indicatorValues": values } }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    }
    assert_eq!(app.count_rows("report_versions").await, 0);

    let submitted = app
        .gql(
            Some(&w.unit_a_token),
            SUBMIT,
            json!({ "i": { "taskId": task_id, "periodId": q1, "progress": "一季度新建充电桩 420 个",
                "idempotencyKey": "values-0001",
                "indicatorValues": [
                    { "indicatorId": jobs, "value": "1.8", "note": "一季度" },
                    { "indicatorId": charging, "value": "420" }] } }),
        )
        .await;
    let values = submitted.data("/submitReport/version/indicatorValues");
    assert_eq!(values[0]["indicator"]["phrase"], "新建充电桩");
    assert_eq!(values[0]["value"], "420");
    assert_eq!(values[1]["indicator"]["measureUnit"], "万人");
    assert_eq!(values[1]["note"], "一季度");

    // The task's indicators: every role that sees the task reads them.
    let indicators = "query($id: ID!) { task(id: $id) { indicators { phrase } } }";
    for token in [&w.bureau, &w.service_token, &w.unit_a_token] {
        let read = app
            .gql(Some(token), indicators, json!({ "id": task_id }))
            .await;
        assert_eq!(read.data("/task/indicators/0/phrase"), "新建充电桩");
    }
    for (token, code) in [
        (Some(w.liu_token.as_str()), "NOT_FOUND"),
        (Some(w.unit_c_token.as_str()), "NOT_FOUND"),
        (None, "UNAUTHENTICATED"),
    ] {
        app.gql(token, indicators, json!({ "id": task_id }))
            .await
            .expect_error(code);
    }
    // The bureau reads them; unit B, which is not assigned to the task, cannot see it.
    let read =
        "query($id: ID!) { task(id: $id) { reports { versions { indicatorValues { value } } } } }";
    let bureau = app
        .gql(Some(&w.bureau), read, json!({ "id": task_id }))
        .await;
    assert_eq!(
        bureau.data("/task/reports/0/versions/0/indicatorValues/0/value"),
        "420"
    );
    app.gql(Some(&w.unit_b_token), read, json!({ "id": task_id }))
        .await
        .expect_error("NOT_FOUND");
}

#[tokio::test]
async fn a_draft_keeps_its_indicator_values_until_submitted() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let task = app
        .gql(
            Some(&w.bureau),
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id indicators { id } } } }",
            json!({ "i": { "documentId": w.document, "seq": "4", "text": "新建充电桩700个。",
                "units": [{ "unitId": w.unit_a, "role": "LEAD" }],
                "indicators": [{ "phrase": "新建充电桩", "target": "700", "measureUnit": "个" }] } }),
        )
        .await;
    let task_id = task.data("/createTask/task/id").clone();
    let indicator = task.data("/createTask/task/indicators/0/id").clone();
    let q1 = first_period(&app, &w).await;
    let saved = app
        .gql(
            Some(&w.unit_a_token),
            "mutation($i: SaveReportDraftInput!) { saveReportDraft(input: $i) { report { id draft { progress indicatorValues { indicatorId value note } } } } }",
            json!({ "i": { "taskId": task_id, "periodId": q1, "progress": "已开工",
                           "indicatorValues": [{ "indicatorId": indicator, "value": "210", "note": "截至3月20日" }] } }),
        )
        .await;
    assert_eq!(
        saved.data("/saveReportDraft/report/draft/indicatorValues/0"),
        &json!({ "indicatorId": indicator, "value": "210", "note": "截至3月20日" })
    );
    // A draft naming an indicator twice is refused and leaves the saved draft as it was.
    app.gql(
        Some(&w.unit_a_token),
        "mutation($i: SaveReportDraftInput!) { saveReportDraft(input: $i) { report { id } } }",
        json!({ "i": { "taskId": task_id, "periodId": q1, "progress": "改写",
                       "indicatorValues": [{ "indicatorId": indicator, "value": "1" }, { "indicatorId": indicator, "value": "2" }] } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let kept = app
        .gql(
            Some(&w.unit_a_token),
            "query($id: ID!) { report(id: $id) { draft { progress indicatorValues { value } } } }",
            json!({ "id": saved.data("/saveReportDraft/report/id") }),
        )
        .await;
    assert_eq!(
        kept.data("/report/draft"),
        &json!({ "progress": "已开工", "indicatorValues": [{ "value": "210" }] })
    );
    // The draft is the unit's own: the bureau sees no draft.
    let report = saved.data("/saveReportDraft/report/id").clone();
    let bureau_view = app
        .gql(
            Some(&w.bureau),
            "query($id: ID!) { report(id: $id) { draft { progress } } }",
            json!({ "id": report }),
        )
        .await;
    assert!(bureau_view.data("/report/draft").is_null());
    // Submitting without values submits the draft's.
    let submitted = app
        .gql(
            Some(&w.unit_a_token),
            SUBMIT,
            json!({ "i": { "taskId": task_id, "periodId": q1, "idempotencyKey": "draft-values-1" } }),
        )
        .await;
    assert_eq!(
        submitted.data("/submitReport/version/indicatorValues/0/value"),
        "210"
    );
}
