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

/// The latest value of each indicator, judged against its target: on the indicator, by role,
/// and counted in the figures (by the database, on both backends).
#[tokio::test]
async fn the_latest_values_are_judged_against_their_targets_and_counted() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let task = app
        .gql(
            Some(&w.bureau),
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id indicators { id } } } }",
            json!({ "i": { "documentId": w.document, "seq": "4",
                "text": "新建充电桩700个以上，城镇新增就业6.24万人左右，不良贷款率控制在5%以内，建成智慧社区20个。",
                "leaders": [{ "leaderId": w.leader_liu, "role": "RESPONSIBLE" }],
                "units": [{ "unitId": w.unit_a, "role": "LEAD" }],
                "indicators": [
                    { "phrase": "新建充电桩", "target": "700", "measureUnit": "个", "comparator": "AT_LEAST" },
                    { "phrase": "城镇新增就业", "target": "6.24", "measureUnit": "万人", "comparator": "ABOUT" },
                    { "phrase": "不良贷款率", "target": "5", "measureUnit": "%", "comparator": "AT_MOST" },
                    { "phrase": "建成智慧社区", "target": "20", "measureUnit": "个" }] } }),
        )
        .await;
    let task_id = task.data("/createTask/task/id").clone();
    let ids: Vec<Value> = (0..4)
        .map(|i| {
            task.data(&format!("/createTask/task/indicators/{i}/id"))
                .clone()
        })
        .collect();
    let periods = w.generate_periods(&app).await;
    let submit = |period: &Value, key: &str, values: Value| {
        app.gql(
            Some(&w.unit_a_token),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { version { version } } }",
            json!({ "i": { "taskId": task_id, "periodId": period, "progress": "进展",
                           "idempotencyKey": key, "indicatorValues": values } }),
        )
    };
    submit(
        &periods[0],
        "targets-0001",
        json!([
            { "indicatorId": ids[0], "value": "420" },
            { "indicatorId": ids[1], "value": "新增6.5万人" },
            { "indicatorId": ids[2], "value": "风险总体可控" }]),
    )
    .await
    .data("/submitReport/version/version");
    // The next period's report moves the charging piles past the target; the rest stay.
    submit(
        &periods[1],
        "targets-0002",
        json!([{ "indicatorId": ids[0], "value": "累计建成720个" }]),
    )
    .await
    .data("/submitReport/version/version");

    let read = "query($id: ID!) { task(id: $id) { indicators { latestValue verdict } } }";
    let bureau = app
        .gql(Some(&w.bureau), read, json!({ "id": task_id }))
        .await;
    assert_eq!(
        bureau.data("/task/indicators"),
        &json!([
            { "latestValue": "累计建成720个", "verdict": "MET" },
            { "latestValue": "新增6.5万人", "verdict": "MET" },
            { "latestValue": "风险总体可控", "verdict": "NOT_COMPARABLE" },
            { "latestValue": null, "verdict": null }])
    );
    for token in [&w.service_token, &w.liu_token] {
        let read = app.gql(Some(token), read, json!({ "id": task_id })).await;
        assert_eq!(
            read.data("/task/indicators"),
            bureau.data("/task/indicators")
        );
    }
    // A unit reads the verdicts (the task's, like its percent) but not the values: units
    // read only their own reports.
    let unit = app
        .gql(Some(&w.unit_a_token), read, json!({ "id": task_id }))
        .await;
    assert_eq!(
        unit.data("/task/indicators/0"),
        &json!({ "latestValue": null, "verdict": "MET" })
    );
    for (token, code) in [
        (Some(w.unit_c_token.as_str()), "NOT_FOUND"),
        (None, "UNAUTHENTICATED"),
    ] {
        app.gql(token, read, json!({ "id": task_id }))
            .await
            .expect_error(code);
    }

    // The figures count them per task, once per task however many obligations it has.
    let figures = "query($d: ID!) { reportingFigures(filter: { documentId: $d }) {
        targets { indicators reported met notMet notComparable } } }";
    let expected =
        json!({ "indicators": 4, "reported": 3, "met": 2, "notMet": 0, "notComparable": 1 });
    for token in [&w.bureau, &w.service_token, &w.liu_token, &w.unit_a_token] {
        let answer = app
            .gql(Some(token), figures, json!({ "d": w.document }))
            .await;
        assert_eq!(answer.data("/reportingFigures/targets"), &expected);
    }
    // Unit C's own tasks have no indicators.
    let other = app
        .gql(Some(&w.unit_c_token), figures, json!({ "d": w.document }))
        .await;
    assert_eq!(other.data("/reportingFigures/targets/indicators"), 0);
    app.gql(None, figures, json!({ "d": w.document }))
        .await
        .expect_error("UNAUTHENTICATED");
    let by_unit = app
        .gql(
            Some(&w.bureau),
            "query($d: ID!) { figuresBy(groupBy: UNIT, filter: { documentId: $d }) { name figures { targets { met notMet } } } }",
            json!({ "d": w.document }),
        )
        .await;
    let rows = by_unit.data("/figuresBy").as_array().unwrap();
    let a = rows
        .iter()
        .find(|row| row["name"] == "市发展和改革委员会")
        .expect("unit A's row");
    assert_eq!(a["figures"]["targets"], json!({ "met": 2, "notMet": 0 }));

    // A first start after the column came: the verdicts left empty are judged then.
    sea_orm::ConnectionTrait::execute_unprepared(&app.db, "UPDATE indicators SET verdict = NULL")
        .await
        .unwrap();
    let second = app.spawn_second_instance().await;
    let again = second
        .gql(Some(&w.bureau), read, json!({ "id": task_id }))
        .await;
    assert_eq!(
        again.data("/task/indicators"),
        bureau.data("/task/indicators")
    );
}
