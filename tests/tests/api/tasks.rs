//! Tasks: creation with assignments, optimistic locking, soft delete, filters, ordering and
//! pagination, and validation that stores nothing.

use serde_json::json;
use tests::TestApp;
use tests::world::World;

const TASK: &str =
    "query($id: ID!) { task(id: $id) { seq text version status percent deadline completedAt
    document { docNumber } category { title parent { title } }
    leaders { role position nameAsWritten post leader { name } }
    units { role position nameAsWritten isLocal unit { name } } } }";
const COMPLETE: &str = "mutation($i: DecideTaskInput!) { completeTask(input: $i) { task { version status completedAt } } }";
const REOPEN: &str = "mutation($i: DecideTaskInput!) { reopenTask(input: $i) { task { version status completedAt } } }";
const UPDATE: &str = "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { version percent status text completedAt } } }";

#[tokio::test]
async fn a_task_reads_back_with_its_document_category_leaders_and_units() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let task = app
        .gql(Some(&w.bureau), TASK, json!({ "id": w.tasks[0] }))
        .await;
    assert_eq!(
        task.data("/task/text"),
        "全市生产总值增长6%左右，城镇新增就业6.24万人。"
    );
    assert_eq!(task.data("/task/document/docNumber"), "汴政办〔2026〕1号");
    assert_eq!(task.data("/task/category/title"), "主要预期目标");
    assert_eq!(task.data("/task/leaders/0/nameAsWritten"), "刘 震");
    assert_eq!(task.data("/task/leaders/0/leader/name"), "刘震");
    assert_eq!(task.data("/task/units/0/role"), "LEAD");
    assert_eq!(task.data("/task/units/0/nameAsWritten"), "市发改委");
    assert_eq!(task.data("/task/units/0/unit/name"), "市发展和改革委员会");
    assert_eq!(task.data("/task/units/1/role"), "COOPERATING");
    assert_eq!(task.data("/task/units/1/nameAsWritten"), "市财政局");
    assert_eq!(task.data("/task/version"), 1);
    assert_eq!(task.data("/task/status"), "NOT_STARTED");

    let third = app
        .gql(Some(&w.bureau), TASK, json!({ "id": w.tasks[2] }))
        .await;
    assert_eq!(third.data("/task/category/parent/title"), "全年重点工作");
    assert_eq!(third.data("/task/units/0/isLocal"), true);
}

#[tokio::test]
async fn a_stale_version_gets_conflict_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let first = app
        .gql(
            b,
            UPDATE,
            json!({ "i": { "id": w.tasks[0], "version": 1, "percent": 40 } }),
        )
        .await;
    assert_eq!(first.data("/updateTask/task/version"), 2);

    // A second clerk still holding version 1.
    let stale = app
        .gql(
            b,
            UPDATE,
            json!({ "i": { "id": w.tasks[0], "version": 1, "text": "覆盖" } }),
        )
        .await;
    stale.expect_error("CONFLICT");
    let task = app.gql(b, TASK, json!({ "id": w.tasks[0] })).await;
    assert_eq!(task.data("/task/percent"), 40);
    assert_eq!(
        task.data("/task/text"),
        "全市生产总值增长6%左右，城镇新增就业6.24万人。"
    );

    // Completion is the bureau's decision, dated; reopening needs a reason and clears the date.
    let done = app
        .gql(
            b,
            COMPLETE,
            json!({ "i": { "id": w.tasks[0], "version": 2 } }),
        )
        .await;
    assert_eq!(done.data("/completeTask/task/status"), "COMPLETED");
    assert!(done.data("/completeTask/task/completedAt").is_string());
    app.gql(
        b,
        COMPLETE,
        json!({ "i": { "id": w.tasks[0], "version": 3 } }),
    )
    .await
    .expect_error("CONFLICT");
    app.gql(
        b,
        REOPEN,
        json!({ "i": { "id": w.tasks[0], "version": 3 } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let reopened = app
        .gql(
            b,
            REOPEN,
            json!({ "i": { "id": w.tasks[0], "version": 3, "comment": "指标尚未达成" } }),
        )
        .await;
    assert_eq!(reopened.data("/reopenTask/task/status"), "NOT_STARTED");
    assert!(reopened.data("/reopenTask/task/completedAt").is_null());

    // Changing assignments bumps the version too.
    app.gql(
        b,
        "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task { version } } }",
        json!({ "i": { "taskId": w.tasks[0], "version": 4, "units": [{ "unitId": w.unit_a, "role": "LEAD" }] } }),
    )
    .await
    .data("/setTaskUnits/task/version");
    app.gql(
        b,
        UPDATE,
        json!({ "i": { "id": w.tasks[0], "version": 4, "percent": 50 } }),
    )
    .await
    .expect_error("CONFLICT");
}

#[tokio::test]
async fn concurrent_updates_with_the_same_version_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let attempts = (0..8).map(|i| {
        app.gql(
            Some(&w.bureau),
            UPDATE,
            json!({ "i": { "id": w.tasks[1], "version": 1, "percent": 10 + i } }),
        )
    });
    let results = futures_util::future::join_all(attempts).await;
    let wins = results
        .iter()
        .filter(|r| r.0.get("errors").is_none())
        .count();
    let conflicts = results
        .iter()
        .filter(|r| r.error_code() == Some("CONFLICT"))
        .count();
    assert_eq!((wins, conflicts), (1, 7), "{results:#?}");
}

#[tokio::test]
async fn invalid_input_is_refused_with_a_named_field_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let create = "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }";
    let tasks_before = app.count_rows("tasks").await;
    let audit_before = app.count_rows("audit_log").await;
    let cases = [
        (
            json!({ "documentId": w.document, "seq": "10", "text": "   " }),
            "text",
        ),
        (
            json!({ "documentId": w.document, "seq": "", "text": "事项" }),
            "seq",
        ),
        (
            json!({ "documentId": w.unit_a, "seq": "10", "text": "事项" }),
            "documentId",
        ),
        (
            json!({ "documentId": w.document, "seq": "10", "text": "事项",
                 "units": [{ "unitId": w.unit_a, "role": "LEAD" }, { "unitId": "VW5pdDo5OTk", "role": "RESPONSIBLE" }] }),
            "units[1].unitId",
        ),
        (
            json!({ "documentId": w.document, "seq": "10", "text": "事项",
                 "units": [{ "unitId": w.unit_a, "role": "LEAD" }, { "unitId": w.unit_a, "role": "LEAD" }] }),
            "units[1]",
        ),
        (
            json!({ "documentId": w.document, "seq": "10", "text": "事项",
                 "leaders": [{ "leaderId": w.leader_liu, "post": "常务副市长", "role": "LEAD" }] }),
            "leaders[0]",
        ),
        (
            json!({ "documentId": w.document, "seq": "10", "text": "事项", "categoryId": "not-an-id" }),
            "categoryId",
        ),
    ];
    for (input, field) in cases {
        let response = app.gql(b, create, json!({ "i": input })).await;
        response.expect_error("BAD_USER_INPUT");
        assert_eq!(
            response
                .0
                .pointer("/errors/0/extensions/field")
                .and_then(|f| f.as_str()),
            Some(field),
            "{:#}",
            response.0
        );
    }
    // A duplicate sequence number in the same document is a conflict.
    app.gql(
        b,
        create,
        json!({ "i": { "documentId": w.document, "seq": "1", "text": "重复" } }),
    )
    .await
    .expect_error("CONFLICT");
    // Out-of-range percent on update.
    let bad = app
        .gql(
            b,
            UPDATE,
            json!({ "i": { "id": w.tasks[0], "version": 1, "percent": 101 } }),
        )
        .await;
    assert!(bad.expect_error("BAD_USER_INPUT").contains("percent"));

    assert_eq!(
        app.count_rows("tasks").await,
        tasks_before,
        "no task was stored"
    );
    assert_eq!(
        app.count_rows("task_units").await,
        4,
        "no assignment was stored"
    );
    assert_eq!(
        app.count_rows("audit_log").await,
        audit_before,
        "no audit row was written"
    );
}

#[tokio::test]
async fn deleted_tasks_disappear_but_stay_stored() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let delete = "mutation($i: DeleteTaskInput!) { deleteTask(input: $i) { deletedTaskId } }";
    app.gql(
        b,
        delete,
        json!({ "i": { "id": w.tasks[2], "version": 7 } }),
    )
    .await
    .expect_error("CONFLICT");
    let deleted = app
        .gql(b, delete, json!({ "i": { "id": w.tasks[2] } }))
        .await;
    assert_eq!(
        deleted.data("/deleteTask/deletedTaskId"),
        &json!(w.tasks[2])
    );
    app.gql(b, TASK, json!({ "id": w.tasks[2] }))
        .await
        .expect_error("NOT_FOUND");
    app.gql(b, delete, json!({ "i": { "id": w.tasks[2] } }))
        .await
        .expect_error("NOT_FOUND");
    let all = app.gql(b, "{ tasks { totalCount } }", json!({})).await;
    assert_eq!(all.data("/tasks/totalCount"), 2);
    assert_eq!(
        app.count_rows("tasks WHERE deleted_at IS NOT NULL").await,
        1
    );
    // The number is free again for a new task.
    app.gql(
        b,
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { seq } } }",
        json!({ "i": { "documentId": w.document, "seq": "3", "text": "新的第3项" } }),
    )
    .await
    .data("/createTask/task/seq");
}

#[tokio::test]
async fn filters_combine_and_categories_include_their_descendants() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let list = "query($f: TaskFilter) { tasks(filter: $f) { totalCount nodes { seq } } }";
    let seqs = |response: tests::GqlResponse| -> Vec<String> {
        response
            .data("/tasks/nodes")
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["seq"].as_str().unwrap().to_owned())
            .collect()
    };
    let cases = [
        (json!({ "documentId": w.document }), vec!["1", "2", "3"]),
        (json!({ "categoryId": w.category_two }), vec!["2", "3"]),
        (json!({ "categoryId": w.category_two_two }), vec!["3"]),
        (json!({ "unitId": w.unit_b }), vec!["1", "2"]),
        (
            json!({ "unitId": w.unit_b, "unitRole": "RESPONSIBLE" }),
            vec!["2"],
        ),
        (json!({ "leaderId": w.leader_liu }), vec!["1", "2"]),
        (json!({ "search": "充电桩" }), vec!["3"]),
        (json!({ "search": "%" }), vec!["1", "2"]),
        (json!({ "search": "3" }), vec!["3"]),
        (
            json!({ "deadlineFrom": "2026-07-01", "deadlineTo": "2026-12-31" }),
            vec!["2", "3"],
        ),
        (
            json!({ "status": ["NOT_STARTED"], "unitId": w.unit_c }),
            vec!["3"],
        ),
        (json!({ "status": ["COMPLETED"] }), vec![]),
    ];
    for (filter, expected) in cases {
        let response = app.gql(b, list, json!({ "f": filter })).await;
        assert_eq!(seqs(response), expected, "filter {filter}");
    }
    app.gql(b, list, json!({ "f": { "unitRole": "LEAD" } }))
        .await
        .expect_error("BAD_USER_INPUT");
    app.gql(
        b,
        list,
        json!({ "f": { "deadlineFrom": "2026-12-31", "deadlineTo": "2026-01-01" } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    app.gql(b, list, json!({ "f": { "unitId": w.leader_liu } }))
        .await
        .expect_error("BAD_USER_INPUT");

    let by_deadline = app
        .gql(
            b,
            "{ tasks(orderBy: {field: DEADLINE, direction: DESC}) { nodes { seq } } }",
            json!({}),
        )
        .await;
    assert_eq!(seqs(by_deadline), vec!["3", "2", "1"]);
}

#[tokio::test]
async fn pages_follow_relay_cursors_and_the_size_is_capped() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let page = "query($after: String) { tasks(first: 2, after: $after) { totalCount
        edges { cursor node { seq } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
    let first = app.gql(b, page, json!({ "after": null })).await;
    assert_eq!(first.data("/tasks/totalCount"), 3);
    assert_eq!(first.data("/tasks/edges/1/node/seq"), "2");
    assert_eq!(first.data("/tasks/pageInfo/hasNextPage"), true);
    assert_eq!(first.data("/tasks/pageInfo/hasPreviousPage"), false);
    let cursor = first.data("/tasks/pageInfo/endCursor").clone();
    let second = app.gql(b, page, json!({ "after": cursor })).await;
    assert_eq!(second.data("/tasks/edges").as_array().unwrap().len(), 1);
    assert_eq!(second.data("/tasks/edges/0/node/seq"), "3");
    assert_eq!(second.data("/tasks/pageInfo/hasNextPage"), false);
    assert_eq!(second.data("/tasks/pageInfo/hasPreviousPage"), true);

    for (first, ok) in [(100, true), (101, false), (0, false), (-1, false)] {
        let response = app
            .gql(
                b,
                "query($n: Int) { tasks(first: $n) { totalCount } }",
                json!({ "n": first }),
            )
            .await;
        assert_eq!(
            response.error_code().is_none(),
            ok,
            "first: {first} {:#}",
            response.0
        );
    }
    app.gql(b, "{ tasks(after: \"bogus\") { totalCount } }", json!({}))
        .await
        .expect_error("BAD_USER_INPUT");
}
