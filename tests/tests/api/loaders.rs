//! No N+1: a page of tasks with their document, category, leaders and units costs the same
//! number of SQL statements for 5 tasks as for 50, and so does their derived warning level.

use serde_json::json;
use tests::TestApp;
use tests::world::World;

const PAGE: &str = "query($n: Int) { tasks(first: $n) { totalCount nodes { seq text
    document { title } category { title parent { title } }
    leaders { role nameAsWritten leader { name supervisedUnits { name } } }
    units { role unit { name aliases { alias } } } } } }";

#[tokio::test]
async fn a_page_of_50_costs_as_many_statements_as_a_page_of_5() {
    // Every relation read and counted: documents, categories, units and leaders would otherwise
    // come from the reference cache after the first page (`reference_cache`).
    let app = TestApp::spawn_without_reference_cache().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    for i in 0..60 {
        let units = match i % 3 {
            0 => {
                json!([{ "unitId": w.unit_a, "role": "LEAD" }, { "unitId": w.unit_b, "role": "COOPERATING" }])
            }
            1 => json!([{ "unitId": w.unit_b, "role": "RESPONSIBLE" }]),
            _ => json!([{ "unitId": w.unit_c, "role": "RESPONSIBLE", "isLocal": true }]),
        };
        let leaders = match i % 2 {
            0 => json!([{ "leaderId": w.leader_liu, "role": "RESPONSIBLE" }]),
            _ => {
                json!([{ "post": "副市长", "role": "LEAD" }, { "leaderId": w.leader_wang, "role": "RESPONSIBLE" }])
            }
        };
        let category = [&w.category_one, &w.category_two_one, &w.category_two_two][i % 3];
        app.gql(
            b,
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
            json!({ "i": { "documentId": w.document, "categoryId": category, "seq": format!("x{i}"),
                           "text": format!("事项 {i}"), "leaders": leaders, "units": units } }),
        )
        .await
        .data("/createTask");
    }

    // The token's first request after a mutation reads its account (`auth::cache`); the
    // requests measured find it cached.
    app.gql(b, "{ me { username } }", json!({}))
        .await
        .data("/me/username");
    let mut counts = Vec::new();
    let mut logs = Vec::new();
    app.log_statements();
    for n in [5, 50] {
        let before = app.statements();
        let page = app.gql(b, PAGE, json!({ "n": n })).await;
        assert_eq!(page.data("/tasks/nodes").as_array().unwrap().len(), n);
        counts.push(app.statements() - before);
        logs.push(app.take_statement_log());
    }
    assert_eq!(
        counts[0], counts[1],
        "statements for 5 and 50 tasks: {counts:?}\n{logs:#?}"
    );
    // Count, page; then document, category, task leaders, task units; then parent category,
    // leader people (by id and by post at once), units; then supervised units (links and units)
    // and aliases: 12, whatever the page size.
    assert!(
        counts[1] <= 12,
        "too many statements: {counts:?}\n{:#?}",
        logs[1]
    );

    // The warning level is derived from every task's obligations: with reporting periods, a
    // page of 50 still costs what a page of 5 does.
    app.gql(
        b,
        "mutation($i: GenerateReportingPeriodsInput!) { generateReportingPeriods(input: $i) { periods { id } } }",
        json!({ "i": { "documentId": w.document } }),
    )
    .await
    .data("/generateReportingPeriods");
    app.gql(b, "{ me { username } }", json!({}))
        .await
        .data("/me/username");
    let mut counts = Vec::new();
    app.log_statements();
    for n in [5, 50] {
        let before = app.statements();
        let page = app
            .gql(
                b,
                "query($n: Int) { tasks(first: $n) { nodes { status warningLevel } } }",
                json!({ "n": n }),
            )
            .await;
        assert_eq!(page.data("/tasks/nodes/0/warningLevel"), "GREEN");
        counts.push(app.statements() - before);
    }
    let log = app.take_statement_log();
    assert_eq!(counts[0], counts[1], "statements for 5 and 50: {counts:?}");
    // The page alone: each task's earliest open due date comes with its row.
    assert_eq!(counts[1], 1, "{log:#?}");

    // A task by id, likewise: its row, then its document.
    let id = page_ids(&app, b, 1).await.remove(0);
    let before = app.statements();
    let task = app
        .gql(
            b,
            "query($id: ID!) { task(id: $id) { warningLevel document { title } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(task.data("/task/warningLevel"), "GREEN");
    assert_eq!(
        app.statements() - before,
        2,
        "{:#?}",
        app.take_statement_log()
    );

    // Tasks reached through a relation (a document's) were read without the column: their
    // levels cost one statement for the whole level, for 5 tasks as for 50.
    let mut counts = Vec::new();
    for n in [5, 50] {
        let before = app.statements();
        let page = app
            .gql(
                b,
                "query($id: ID!, $n: Int) { document(id: $id) { tasks(first: $n) { nodes { warningLevel } } } }",
                json!({ "id": w.document, "n": n }),
            )
            .await;
        assert_eq!(page.data("/document/tasks/nodes/0/warningLevel"), "GREEN");
        counts.push(app.statements() - before);
    }
    let log = app.take_statement_log();
    // The document, its tasks, their earliest open due dates.
    assert_eq!(counts, [3, 3], "{log:#?}");
}

/// The ids of the first `n` tasks the bureau lists.
async fn page_ids(app: &TestApp, token: Option<&str>, n: usize) -> Vec<String> {
    let page = app
        .gql(
            token,
            "query($n: Int) { tasks(first: $n) { nodes { id } } }",
            json!({ "n": n }),
        )
        .await;
    page.data("/tasks/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A list counts its rows only when `totalCount` is asked for: one statement fewer without it,
/// and `hasNextPage` still right (one row more than the page is read instead).
#[tokio::test]
async fn the_total_is_counted_only_when_asked_for() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    // Read the token's account once, before measuring (`auth::cache`).
    app.gql(b, "{ me { username } }", json!({}))
        .await
        .data("/me/username");
    let run = |query: &'static str, n: usize| {
        let app = &app;
        async move {
            app.log_statements();
            let before = app.statements();
            let answer = app.gql(b, query, json!({ "n": n })).await;
            let log = app.take_statement_log();
            (answer, app.statements() - before, log)
        }
    };
    let (counted, with_count, _) = run(
        "query($n: Int) { tasks(first: $n) { totalCount nodes { id } pageInfo { hasNextPage } } }",
        2,
    )
    .await;
    assert_eq!(counted.data("/tasks/totalCount"), 3);
    assert_eq!(counted.data("/tasks/pageInfo/hasNextPage"), true);
    let plain = "query($n: Int) { tasks(first: $n) { nodes { id } pageInfo { hasNextPage } } }";
    let (uncounted, without_count, log) = run(plain, 2).await;
    assert_eq!(uncounted.data("/tasks/nodes").as_array().unwrap().len(), 2);
    assert_eq!(uncounted.data("/tasks/pageInfo/hasNextPage"), true);
    assert_eq!(without_count + 1, with_count, "{log:#?}");
    assert!(
        !log.iter().any(|sql| sql.to_uppercase().contains("COUNT(")),
        "{log:#?}"
    );
    // The last page knows it is the last without counting.
    let (last, _, _) = run(plain, 3).await;
    assert_eq!(last.data("/tasks/pageInfo/hasNextPage"), false);
    assert_eq!(last.data("/tasks/nodes").as_array().unwrap().len(), 3);

    // Only the total: the count alone, no rows read (five of these make a document's counts
    // by status). The bureau's comes from the stored counts (`tasks::counts`), a unit's counts
    // its rows.
    let total_only = "query($n: Int) { tasks(first: $n) { totalCount } }";
    let (total, statements, log) = run(total_only, 2).await;
    assert_eq!(total.data("/tasks/totalCount"), 3);
    assert_eq!(statements, 1, "{log:#?}");
    app.gql(Some(&w.unit_a_token), "{ me { username } }", json!({}))
        .await
        .data("/me/username");
    app.log_statements();
    let before = app.statements();
    let total = app
        .gql(Some(&w.unit_a_token), total_only, json!({ "n": 2 }))
        .await;
    let log = app.take_statement_log();
    assert!(total.data("/tasks/totalCount").as_u64().unwrap() > 0);
    assert_eq!(app.statements() - before, 1, "{log:#?}");
}
