//! A leader's page and a unit's page, each in one query, over the hand-built year of
//! `figures.rs` (played to 10 October): every part against the hand count or against the general
//! query that gives the same rows, and every role's access.

use serde_json::{Value, json};
use tests::TestApp;

use super::figures::{A, Year, token};

const LEADER_PAGE: &str = "query($n: Int) { leaderPage {
  leader { name }
  figures { obligations due onTime late missing tasks tasksByStatus { status tasks } tasksByWarning { level tasks } }
  supervisedUnits { name figures { obligations due onTime late missing } }
  instructionsAwaitingReply { instruction { body } task { seq } }
  latestReports(first: $n) { version { version submittedAt } report { task { seq } unit { name } period { label } } } } }";

const UNIT_PAGE: &str = "query { unitPage {
  unit { name }
  nextDue { state dueOn task { seq } period { label } }
  returned { state task { seq } period { label } }
  unacknowledgedReminders { message }
  figures { obligations due onTime late missing }
  ranking { ranked rows { unitName rank onTime late missing returned } } } }";

fn seqs(list: &Value, pointer: &str) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| {
            item.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_leaders_page_in_one_query() {
    // Without the reference cache: the statements of a list are counted below, and the relay
    // drops a warm cache whenever it reads the year's events, so one count could find the units
    // and periods cached and the next not (3 against 5 statements, once in four runs).
    let app = TestApp::spawn_without_reference_cache().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let liu = token(&app, "liuzhen").await;
    let write = "mutation($i: WriteInstructionInput!) { writeInstruction(input: $i) { instruction { id } } }";
    // Two instructions on 刘震's tasks 1 and 2; unit B answers the second.
    let mut ids = Vec::new();
    for t in [1, 2] {
        let id = app
            .gql(
                Some(&liu),
                write,
                json!({ "i": { "taskId": year.tasks[t - 1], "body": format!("请加快第{t}项进度") } }),
            )
            .await
            .data("/writeInstruction/instruction/id")
            .clone();
        ids.push(id);
    }
    let b = token(&app, "czj").await;
    app.gql(
        Some(&b),
        write,
        json!({ "i": { "taskId": year.tasks[1], "parentId": ids[1], "body": "已部署落实" } }),
    )
    .await
    .data("/writeInstruction/instruction/id");

    let page = app.gql(Some(&liu), LEADER_PAGE, json!({ "n": 3 })).await;
    let page = page.data("/leaderPage");
    assert_eq!(page["leader"]["name"], "刘震");
    // His tasks' figures are what `reportingFigures` gives him.
    let general = app
        .gql(
            Some(&liu),
            "{ reportingFigures { obligations due onTime late missing tasks tasksByStatus { status tasks } tasksByWarning { level tasks } } }",
            json!({}),
        )
        .await;
    assert_eq!(page["figures"], *general.data("/reportingFigures"));
    // The units he supervises (A and B), over all their obligations, as counted by hand in
    // `figures.rs`.
    assert_eq!(
        page["supervisedUnits"],
        json!([
            { "name": "市发展和改革委员会", "figures": { "obligations": 12, "due": 9, "onTime": 9, "late": 0, "missing": 0 } },
            { "name": "市财政局", "figures": { "obligations": 8, "due": 6, "onTime": 4, "late": 1, "missing": 1 } }])
    );
    assert_eq!(
        page["instructionsAwaitingReply"],
        json!([{ "instruction": { "body": "请加快第1项进度" }, "task": { "seq": "1" } }])
    );
    // The latest reports on his tasks (1, 2, 6): A's tasks 6 and 1 for Q3 on 20 September
    // (B missed task 2), then B's task 2 for Q2.
    let latest = &page["latestReports"];
    assert_eq!(seqs(latest, "/report/task/seq"), ["6", "1", "2"]);
    assert_eq!(
        seqs(latest, "/report/unit/name"),
        ["市发展和改革委员会", "市发展和改革委员会", "市财政局"]
    );

    // The other leader sees his own: 王玲 supervises C, and wrote nothing.
    let wang = token(&app, "wangling").await;
    let other = app.gql(Some(&wang), LEADER_PAGE, json!({ "n": 50 })).await;
    assert_eq!(
        seqs(&other.data("/leaderPage/supervisedUnits").clone(), "/name"),
        ["尉氏县人民政府"]
    );
    assert_eq!(
        other.data("/leaderPage/instructionsAwaitingReply"),
        &json!([])
    );
    let tasks: std::collections::BTreeSet<String> =
        seqs(other.data("/leaderPage/latestReports"), "/report/task/seq")
            .into_iter()
            .collect();
    assert_eq!(tasks, ["3", "4", "9"].map(str::to_owned).into());

    // Only a leader has a leader's page.
    for who in ["bureau", "dashboard", A] {
        let token = token(&app, who).await;
        app.gql(Some(&token), LEADER_PAGE, json!({}))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, LEADER_PAGE, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    app.gql(Some(&liu), LEADER_PAGE, json!({ "n": 0 }))
        .await
        .expect_error("BAD_USER_INPUT");

    // The lists go through loaders: three reports cost what one does. Each list is measured on
    // its own: two lists in one query read their rows concurrently, and whether both reads end
    // before their tasks' batch starts is timing (the batch waits for the request to go idle,
    // and a sibling waiting on its own read is idle), so their shared task loader may run once
    // or twice.
    let count = |query: &'static str, n: i64| {
        let (app, liu) = (&app, liu.clone());
        async move {
            let before = app.statements();
            app.gql(Some(&liu), query, json!({ "n": n }))
                .await
                .data("/leaderPage");
            app.statements() - before
        }
    };
    let reports = "query($n: Int) { leaderPage { latestReports(first: $n) {
        report { task { seq } unit { name } period { label } } } } }";
    let instructions =
        "query($n: Int) { leaderPage { instructionsAwaitingReply(first: $n) { task { seq } } } }";
    for query in [reports, instructions] {
        assert_eq!(count(query, 1).await, count(query, 3).await, "{query}");
    }
}

#[tokio::test]
async fn a_units_page_in_one_query() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = token(&app, "bureau").await;
    let b = token(&app, "czj").await;
    app.gql(
        Some(&bureau),
        "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }",
        json!({ "i": { "taskId": year.tasks[1], "periodId": year.periods[2], "unitId": year.w.unit_b,
                       "message": "第三季度报告逾期，请于10月15日前报送" } }),
    )
    .await
    .data("/sendReminder/reminder/id");

    let page = app.gql(Some(&b), UNIT_PAGE, json!({})).await;
    let page = page.data("/unitPage");
    assert_eq!(page["unit"]["name"], "市财政局");
    // B missed task 2 for Q3; Q4 of tasks 2 and 7 is ahead.
    assert_eq!(
        page["nextDue"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (
                o["state"].as_str().unwrap(),
                o["task"]["seq"].as_str().unwrap()
            ))
            .collect::<Vec<_>>(),
        [("OVERDUE", "2"), ("NOT_STARTED", "2"), ("NOT_STARTED", "7")]
    );
    assert_eq!(page["returned"], json!([]));
    assert_eq!(
        page["unacknowledgedReminders"],
        json!([{ "message": "第三季度报告逾期，请于10月15日前报送" }])
    );
    assert_eq!(
        page["figures"],
        json!({ "obligations": 8, "due": 6, "onTime": 4, "late": 1, "missing": 1 })
    );
    // Its own row of the ranking of all four units, as `ranking` gives it.
    let ranking = app
        .gql(
            Some(&b),
            "{ ranking { ranked rows { unitName rank onTime late missing returned } } }",
            json!({}),
        )
        .await;
    assert_eq!(page["ranking"], *ranking.data("/ranking"));
    assert_eq!(page["ranking"]["ranked"], 4);
    assert_eq!(seqs(&page["ranking"]["rows"], "/unitName"), ["市财政局"]);

    // C's task 3 was returned in Q2 and never resubmitted.
    let c = token(&app, "weishi").await;
    let page = app.gql(Some(&c), UNIT_PAGE, json!({})).await;
    assert_eq!(
        page.data("/unitPage/returned"),
        &json!([{ "state": "RETURNED", "task": { "seq": "3" }, "period": { "label": "2026-Q2" } }])
    );
    assert_eq!(page.data("/unitPage/unacknowledgedReminders"), &json!([]));

    for who in ["bureau", "dashboard", "liuzhen"] {
        let token = token(&app, who).await;
        app.gql(Some(&token), UNIT_PAGE, json!({}))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, UNIT_PAGE, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    // Its lists are lists, not connections: they show no total, so none is counted.
    app.log_statements();
    app.gql(
        Some(&b),
        "{ unitPage { nextDue { dueOn } returned { dueOn } unacknowledgedReminders { message } } }",
        json!({}),
    )
    .await
    .data("/unitPage");
    let log = app.take_statement_log().join("\n");
    assert!(log.contains("FROM \"obligations\""), "{log}");
    assert!(!log.contains("COUNT("), "{log}");
}
