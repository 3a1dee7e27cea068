//! 序时进度: each task's expected percent by today (a straight line from the notice's date to
//! its deadline), its percent from the latest report, and the behind-schedule flag the lists
//! filter on, by role, on both backends.

use chrono::{TimeZone, Utc};
use serde_json::json;
use tests::TestApp;
use tests::world::World;

const LIST: &str = "query($b: Boolean) { tasks(first: 50, filter: { behindSchedule: $b }) {
    nodes { seq percent expectedPercent behindSchedule } } }";

async fn seqs(app: &TestApp, token: Option<&str>, behind: bool) -> Vec<String> {
    let answer = app.gql(token, LIST, json!({ "b": behind })).await;
    let mut seqs: Vec<String> = answer
        .data("/tasks/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["seq"].as_str().unwrap().to_owned())
        .collect();
    seqs.sort();
    seqs
}

#[tokio::test]
async fn tasks_behind_their_schedule_are_flagged_and_filtered_for_each_role() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let periods = w.generate_periods(&app).await;
    // 1 May, 10:00 in Beijing: 68 days after the notice of 22 February.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 5, 1, 2, 0, 0).unwrap());
    let bureau = app.admin_token().await;
    let a = app.login("fgw", tests::world::PASSWORD).await.0;
    // Task 1 (deadline 30 June, 128 days): unit A reports 30%, the task's percent from then on.
    app.gql(
        Some(&a),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "periodId": periods[0], "progress": "完成三成",
                       "percent": 30, "idempotencyKey": "a-1-q1-schedule" } }),
    )
    .await
    .data("/submitReport/report/id");
    // Task 2 (30 September, 220 days): the bureau records 25%.
    let version = app
        .gql(
            Some(&bureau),
            "query($id: ID!) { task(id: $id) { version } }",
            json!({ "id": w.tasks[1] }),
        )
        .await
        .data("/task/version")
        .clone();
    app.gql(
        Some(&bureau),
        "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { percent } } }",
        json!({ "i": { "id": w.tasks[1], "version": version, "percent": 25 } }),
    )
    .await
    .data("/updateTask/task/percent");

    // Expected: 68/128 = 53.1%, 68/220 = 30.9%, 68/312 = 21.8%. With the margin of 10 points,
    // task 1 (30%) and task 3 (0%) are behind; task 2 (25% + 10 ≥ 30.9) is not.
    let all = app.gql(Some(&bureau), LIST, json!({ "b": null })).await;
    let nodes = all.data("/tasks/nodes").as_array().unwrap().clone();
    let by_seq = |s: &str| nodes.iter().find(|n| n["seq"] == s).unwrap().clone();
    assert_eq!(by_seq("1")["percent"], 30, "the latest report's percent");
    assert!((by_seq("1")["expectedPercent"].as_f64().unwrap() - 53.125).abs() < 1e-9);
    assert!((by_seq("2")["expectedPercent"].as_f64().unwrap() - 100.0 * 68.0 / 220.0).abs() < 1e-9);
    assert_eq!(
        ["1", "2", "3"].map(|s| by_seq(s)["behindSchedule"].as_bool().unwrap()),
        [true, false, true]
    );
    assert_eq!(seqs(&app, Some(&bureau), true).await, ["1", "3"]);
    assert_eq!(seqs(&app, Some(&bureau), false).await, ["2"]);

    // Each role filters among what it sees.
    let fresh = |user: &'static str| {
        let app = &app;
        async move { app.login(user, tests::world::PASSWORD).await.0 }
    };
    assert_eq!(
        seqs(&app, Some(&fresh("dashboard").await), true).await,
        ["1", "3"]
    );
    assert_eq!(seqs(&app, Some(&fresh("fgw").await), true).await, ["1"]);
    assert_eq!(seqs(&app, Some(&fresh("czj").await), true).await, ["1"]);
    assert_eq!(seqs(&app, Some(&fresh("czj").await), false).await, ["2"]);
    assert_eq!(seqs(&app, Some(&fresh("weishi").await), true).await, ["3"]);
    assert_eq!(seqs(&app, Some(&fresh("liuzhen").await), true).await, ["1"]);
    assert_eq!(
        seqs(&app, Some(&fresh("wangling").await), true).await,
        ["3"]
    );
    app.gql(None, LIST, json!({ "b": true }))
        .await
        .expect_error("UNAUTHENTICATED");

    // A completed task is never behind; a later report that catches up clears the flag.
    let version = app
        .gql(
            Some(&bureau),
            "query($id: ID!) { task(id: $id) { version } }",
            json!({ "id": w.tasks[2] }),
        )
        .await
        .data("/task/version")
        .clone();
    app.gql(
        Some(&bureau),
        "mutation($i: DecideTaskInput!) { completeTask(input: $i) { task { status } } }",
        json!({ "i": { "id": w.tasks[2], "version": version } }),
    )
    .await
    .data("/completeTask/task/status");
    assert_eq!(seqs(&app, Some(&bureau), true).await, ["1"]);
    let b = fresh("czj").await;
    app.gql(
        Some(&b),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "periodId": periods[1], "progress": "过半",
                       "percent": 50, "idempotencyKey": "b-1-q2-schedule" } }),
    )
    .await;
    let a = fresh("fgw").await;
    app.gql(
        Some(&a),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "periodId": periods[1], "progress": "过半",
                       "percent": 50, "idempotencyKey": "a-1-q2-schedule" } }),
    )
    .await
    .data("/submitReport/report/id");
    assert!(
        seqs(&app, Some(&bureau), true).await.is_empty(),
        "50 + 10 ≥ 53.1"
    );
}
