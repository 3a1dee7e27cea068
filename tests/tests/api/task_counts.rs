//! The stored task counts (`tasks::counts`): a list of every live task, by document and status,
//! takes its `totalCount` from them, and that total is the number of tasks the list holds,
//! folded or not, for the bureau and for a service; every other list still counts its rows.
//! The property test in `stored_obligations.rs` checks the counts after random changes.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

const COUNT: &str = "query($f: TaskFilter) { tasks(filter: $f, first: 1) { totalCount } }";
const IDS: &str = "query($f: TaskFilter, $after: String) {
    tasks(filter: $f, first: 100, after: $after) {
        nodes { id } pageInfo { hasNextPage endCursor } } }";

/// How many tasks the list holds, read page by page.
async fn listed(app: &TestApp, token: &str, filter: &Value) -> u64 {
    let mut after: Option<String> = None;
    let mut n = 0;
    loop {
        let page = app
            .gql(Some(token), IDS, json!({ "f": filter, "after": after }))
            .await;
        n += page.data("/tasks/nodes").as_array().unwrap().len() as u64;
        if page.data("/tasks/pageInfo/hasNextPage") != true {
            return n;
        }
        after = page
            .data("/tasks/pageInfo/endCursor")
            .as_str()
            .map(str::to_owned);
    }
}

/// The list's `totalCount`, with the statements that computed it.
async fn counted(app: &TestApp, token: &str, filter: &Value) -> (Value, String) {
    app.log_statements();
    let total = app
        .gql(Some(token), COUNT, json!({ "f": filter }))
        .await
        .data("/tasks/totalCount")
        .clone();
    (total, app.take_statement_log().join("\n"))
}

async fn mutate(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    app.gql(Some(token), query, variables)
        .await
        .data("")
        .clone()
}

#[tokio::test]
async fn a_total_of_every_live_task_comes_from_the_counts_and_equals_the_list() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = w.bureau.as_str();
    let other = mutate(
        &app,
        b,
        "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }",
        json!({ "i": { "title": "二〇二六年民生实事", "year": 2026, "kind": "LIVELIHOOD" } }),
    )
    .await["createDocument"]["document"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut created = Vec::new();
    for i in 0..14 {
        let document = if i % 2 == 0 { &w.document } else { &other };
        let task = mutate(
            &app,
            b,
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id version } } }",
            json!({ "i": { "documentId": document, "seq": format!("c{i}"), "text": format!("计数事项 {i}"),
                           "units": [{ "unitId": w.unit_a, "role": "RESPONSIBLE" }] } }),
        )
        .await["createTask"]["task"]
            .clone();
        created.push(task);
    }
    // Statuses moved by the bureau's decisions, and deletions: each moves a count.
    for (i, task) in created.iter().enumerate().take(9) {
        let (id, version) = (task["id"].as_str().unwrap(), &task["version"]);
        if i == 8 {
            mutate(
                &app,
                b,
                "mutation($i: DeleteTaskInput!) { deleteTask(input: $i) { deletedTaskId } }",
                json!({ "i": { "id": id } }),
            )
            .await;
            continue;
        }
        let decision = ["completeTask", "cancelTask"][i % 2];
        let decided = mutate(
            &app,
            b,
            &format!("mutation($i: DecideTaskInput!) {{ {decision}(input: $i) {{ task {{ version }} }} }}"),
            json!({ "i": { "id": id, "version": version, "comment": "核实" } }),
        )
        .await;
        if i < 2 {
            // Reopened: back where it was counted before.
            mutate(
                &app,
                b,
                "mutation($i: DecideTaskInput!) { reopenTask(input: $i) { task { id } } }",
                json!({ "i": { "id": id, "version": decided[decision]["task"]["version"], "comment": "重办" } }),
            )
            .await;
        }
    }

    let filters = [
        json!({}),
        json!({ "documentId": w.document }),
        json!({ "documentId": other }),
        json!({ "status": ["COMPLETED"] }),
        json!({ "status": ["CANCELLED", "NOT_STARTED"] }),
        json!({ "documentId": other, "status": ["COMPLETED", "CANCELLED"] }),
    ];
    let db = app.db.clone();
    for folded in [false, true] {
        if folded {
            assert!(api::tallies::fold_all(&db).await.unwrap() > 0);
        }
        for token in [b, w.service_token.as_str()] {
            for filter in &filters {
                let (total, log) = counted(&app, token, filter).await;
                assert_eq!(
                    total,
                    listed(&app, token, filter).await,
                    "{filter} (folded: {folded})"
                );
                assert!(
                    log.contains("task_counts") && log.contains("task_count_deltas"),
                    "the total of {filter} is read from the counts:\n{log}"
                );
                assert!(
                    !log.to_uppercase().contains("COUNT("),
                    "the total of {filter} counts no rows:\n{log}"
                );
            }
        }
    }
    assert!(api::tasks::counts::check(&db).await.unwrap().is_empty());

    // Lists the counts do not answer count their rows, and are right too: a unit's and a
    // leader's, and the bureau's cut by anything but documents and statuses.
    let counted_by_rows = [
        (w.unit_a_token.as_str(), json!({})),
        (w.unit_b_token.as_str(), json!({ "documentId": w.document })),
        (w.liu_token.as_str(), json!({})),
        (b, json!({ "unitId": w.unit_a })),
        (b, json!({ "search": "计数" })),
        (b, json!({ "categoryId": w.category_one })),
    ];
    for (token, filter) in counted_by_rows {
        let (total, log) = counted(&app, token, &filter).await;
        assert!(!log.contains("task_counts"), "{filter}:\n{log}");
        assert_eq!(total, listed(&app, token, &filter).await, "{filter}");
    }
}

/// A fold beside writers loses nothing: tasks created while folds run are counted once.
#[tokio::test]
async fn folds_beside_writers_keep_the_counts_exact() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let db = app.db.clone();
    let writers = (0..4).map(|writer| {
        let (app, w) = (&app, &w);
        async move {
            for i in 0..6 {
                mutate(
                    app,
                    &w.bureau,
                    "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
                    json!({ "i": { "documentId": w.document, "seq": format!("w{writer}-{i}"),
                                   "text": format!("并发事项 {writer}-{i}") } }),
                )
                .await;
            }
        }
    });
    let folds = (0..6).map(|_| {
        let db = &db;
        async move {
            for _ in 0..4 {
                api::tallies::fold_all(db).await.unwrap();
            }
        }
    });
    futures_util::future::join(
        futures_util::future::join_all(writers),
        futures_util::future::join_all(folds),
    )
    .await;
    assert_eq!(api::tasks::counts::check(&db).await.unwrap(), vec![]);
    api::tallies::fold_all(&db).await.unwrap();
    assert_eq!(api::tasks::counts::check(&db).await.unwrap(), vec![]);
    let total = app
        .gql(Some(&w.bureau), COUNT, json!({ "f": {} }))
        .await
        .data("/tasks/totalCount")
        .clone();
    assert_eq!(total, 3 + 24);
}
