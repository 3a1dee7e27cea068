//! The reference cache (issue 12): the documents, categories, units and leaders that tasks refer
//! to are read once, then not again until something may have changed them. A change applies at
//! once on the instance that made it, and on another instance as soon as its relay reads the
//! change's event; reporting work keeps the cache as it is. A task by id is kept for those who
//! see every task, and a task's leaders and units as written for anyone the task is shown to;
//! both are read again after any change at all, reporting work included.

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::{Value, json};
use tests::world::World;
use tests::{GqlResponse, TestApp};
use tokio_tungstenite::tungstenite::Message;

use crate::live::{next_message, subscribe_to};

/// A task with every kind of row the cache keeps: its document, category, leaders (one named by
/// post in `tasks[1]`) and units.
const TASK: &str = "query($id: ID!) { task(id: $id) { document { title } category { title }
  leaders { leader { name } } units { unit { name } } } }";

/// Nothing: the task's leaders and units and all they refer to come from the cache, and so does
/// the task itself for the bureau and service accounts, who see every task.
const WARM: usize = 0;
/// The task, for a unit or a leader, whose task is read with their row rules.
const WARM_WITH_TASK: usize = 1;

/// The statements the server ran for one request of `query` about `task`, and its answer.
async fn measured(app: &TestApp, token: &str, query: &str, task: &str) -> (usize, GqlResponse) {
    let before = app.statements();
    let answer = app.gql(Some(token), query, json!({ "id": task })).await;
    (app.statements() - before, answer)
}

/// `measured` for `TASK`, with its task.
async fn cost(app: &TestApp, token: &str, task: &str) -> (usize, Value) {
    let (statements, answer) = measured(app, token, TASK, task).await;
    (statements, answer.data("/task").clone())
}

/// Asks `query` until it costs `statements` and still does once the instance's relay has read
/// every event so far: after a change the relay reads its event on its own time (every 250 ms on
/// SQLite) and drops the cache once more. Returns the task.
async fn settled(app: &TestApp, token: &str, query: &str, task: &str, statements: usize) -> Value {
    let mut last = 0;
    for _ in 0..50 {
        last = measured(app, token, query, task).await.0;
        if last == statements {
            tokio::time::sleep(Duration::from_millis(600)).await;
            let (again, answer) = measured(app, token, query, task).await;
            if again == statements {
                return answer.data("/task").clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the task still costs {last} statements after the last change");
}

/// `settled` for `TASK` at `WARM` statements.
async fn warm(app: &TestApp, token: &str, task: &str) -> Value {
    settled(app, token, TASK, task, WARM).await
}

#[tokio::test]
async fn references_are_read_once_until_the_bureau_changes_one() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = w.bureau.as_str();
    for task in &w.tasks {
        warm(&app, b, task).await;
    }
    // What one role read serves the others (each token's principal read first).
    for (token, warm) in [
        (&w.unit_a_token, WARM_WITH_TASK),
        (&w.liu_token, WARM_WITH_TASK),
        (&w.service_token, WARM),
    ] {
        app.gql(Some(token), "{ __typename me { id } }", json!({}))
            .await
            .data("/me");
        let (statements, _) = cost(&app, token, &w.tasks[0]).await;
        assert_eq!(statements, warm, "{:#?}", app.take_statement_log());
    }

    // Each kind renamed through the API is read again at once on this instance: the request
    // right after the mutation already sees it.
    let changes = [
        (
            "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { id } } }",
            json!({ "i": { "id": w.document, "title": "2026年政府工作报告确定事项分解方案（修订）" } }),
            "/document/title",
            "2026年政府工作报告确定事项分解方案（修订）",
        ),
        (
            "mutation($i: UpdateUnitInput!) { updateUnit(input: $i) { unit { id } } }",
            json!({ "i": { "id": w.unit_a, "name": "市发展和改革委员会（市粮食和物资储备局）" } }),
            "/units/0/unit/name",
            "市发展和改革委员会（市粮食和物资储备局）",
        ),
        (
            "mutation($i: UpdateLeaderInput!) { updateLeader(input: $i) { leader { id } } }",
            json!({ "i": { "id": w.leader_liu, "name": "刘　震" } }),
            "/leaders/0/leader/name",
            "刘　震",
        ),
    ];
    for (mutation, input, pointer, expected) in changes {
        warm(&app, b, &w.tasks[0]).await;
        let changed = app.gql(Some(b), mutation, input).await;
        assert!(changed.error_code().is_none(), "{pointer}");
        let (statements, task) = cost(&app, b, &w.tasks[0]).await;
        assert_eq!(task.pointer(pointer).unwrap(), expected, "{task:#}");
        assert!(statements > WARM, "{pointer} read again: {statements}");
        // Other roles see the change as well.
        let (_, theirs) = cost(&app, &w.unit_a_token, &w.tasks[0]).await;
        assert_eq!(theirs.pointer(pointer).unwrap(), expected);
    }
    // A post's holder changes when the post does: task 2 names 常务副市长, held by 刘震, then
    // by 王玲.
    warm(&app, b, &w.tasks[1]).await;
    for (leader, post) in [(&w.leader_liu, "副市长"), (&w.leader_wang, "常务副市长")] {
        app.gql(
            Some(b),
            "mutation($i: UpdateLeaderInput!) { updateLeader(input: $i) { leader { id } } }",
            json!({ "i": { "id": leader, "post": post } }),
        )
        .await
        .data("/updateLeader/leader/id");
    }
    let (_, task) = cost(&app, b, &w.tasks[1]).await;
    assert_eq!(task["leaders"][0]["leader"]["name"], "王玲", "{task:#}");
}

#[tokio::test]
async fn reporting_work_keeps_the_references() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    let b = w.bureau.as_str();
    warm(&app, b, &w.tasks[0]).await;
    let unit = w.unit_a_token.as_str();
    let report = app
        .gql(
            Some(unit),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id currentVersion } } }",
            json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "idempotencyKey": "refs-q1-0001",
                           "progress": "已完成一季度目标", "percent": 30 } }),
        )
        .await
        .data("/submitReport/report")
        .clone();
    app.gql(
        Some(b),
        "mutation($i: ReviewReportInput!) { reviewReport(input: $i) { report { state } } }",
        json!({ "i": { "reportId": report["id"], "version": report["currentVersion"], "decision": "ACCEPT" } }),
    )
    .await
    .data("/reviewReport/report/state");
    // Give the relay time to read their events: it must not drop the cache for them.
    // The task itself is read again (its report moved it), and its leaders and units, which
    // are kept under the task's generation; what they refer to is not.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (statements, _) = cost(&app, b, &w.tasks[0]).await;
    assert_eq!(statements, WARM + 3, "{:#?}", app.take_statement_log());
    let (statements, _) = cost(&app, b, &w.tasks[0]).await;
    assert_eq!(statements, WARM, "{:#?}", app.take_statement_log());

    // The report's period is kept too, and read again once the bureau moves it.
    let periods = "query($id: ID!) { task(id: $id) { reports { period { label dueOn } } } }";
    let period_of = || {
        let variables = json!({ "id": w.tasks[0] });
        let app = &app;
        async move {
            let before = app.statements();
            let answer = app.gql(Some(b), periods, variables).await;
            let period = answer.data("/task/reports/0/period").clone();
            (app.statements() - before, period)
        }
    };
    let (first, _) = period_of().await;
    let (again, period) = period_of().await;
    assert_eq!(
        (first, again),
        (2, 1),
        "the task from the cache, its reports, then the period once"
    );
    app.gql(
        Some(b),
        "mutation($i: UpdateReportingPeriodInput!) { updateReportingPeriod(input: $i) { period { id } } }",
        json!({ "i": { "id": q1, "dueOn": "2026-04-03" } }),
    )
    .await
    .data("/updateReportingPeriod");
    let (_, moved) = period_of().await;
    assert_eq!(moved["dueOn"], "2026-04-03", "{period} then {moved}");
}

#[tokio::test]
async fn another_instance_reads_a_renamed_document_once_its_relay_reads_the_change() {
    let first = TestApp::spawn().await;
    let w = World::build(&first).await;
    let second = first.spawn_second_instance().await;
    let b = w.bureau.as_str();
    warm(&second, b, &w.tasks[0]).await;

    first
        .gql(
            Some(b),
            "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { id } } }",
            json!({ "i": { "id": w.document, "title": "关于印发分解方案的通知（第二版）" } }),
        )
        .await
        .data("/updateDocument/document/id");

    // Polled: the second instance's relay runs on its own time (the poll interval on SQLite, a
    // notification on PostgreSQL).
    for _ in 0..100 {
        let (_, task) = cost(&second, b, &w.tasks[0]).await;
        if task["document"]["title"] == "关于印发分解方案的通知（第二版）" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the second instance still serves the old title after 5 s");
}

/// A task alone, as the bureau's console reads it.
const TASK_ONLY: &str = "query($id: ID!) { task(id: $id) { id status percent warningLevel } }";

/// `measured` for `TASK_ONLY`.
async fn task_cost(app: &TestApp, token: &str, task: &str) -> (usize, GqlResponse) {
    measured(app, token, TASK_ONLY, task).await
}

/// `settled` for `TASK_ONLY` with no statement: the task itself from the cache.
async fn warm_task(app: &TestApp, token: &str, task: &str) -> Value {
    settled(app, token, TASK_ONLY, task, 0).await
}

#[tokio::test]
async fn the_bureau_reads_a_task_again_after_any_change_and_others_read_it_every_time() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    let second = app.spawn_second_instance().await;
    let (b, task) = (w.bureau.as_str(), w.tasks[0].as_str());
    let before = warm_task(&app, b, task).await;
    assert_eq!(before["percent"], 0, "{before:#}");
    assert_eq!(warm_task(&second, b, task).await, before);
    // The service account sees every task too; a unit and a leader read theirs with their
    // row rules, every time.
    app.gql(Some(&w.service_token), "{ me { id } }", json!({}))
        .await
        .data("/me");
    assert_eq!(task_cost(&app, &w.service_token, task).await.0, 0);
    for token in [&w.unit_a_token, &w.liu_token] {
        app.gql(Some(token), "{ me { id } }", json!({}))
            .await
            .data("/me");
        for _ in 0..2 {
            let (statements, answer) = task_cost(&app, token, task).await;
            assert_eq!(answer.data("/task"), &before);
            assert_eq!(statements, 1, "{:#?}", app.take_statement_log());
        }
    }
    // A unit that cannot see the task is refused, cache or not.
    let (_, refused) = task_cost(&app, &w.unit_c_token, task).await;
    assert_eq!(refused.error_code(), Some("NOT_FOUND"), "{refused:#?}");

    // Reporting work (which keeps the references) moves the task: the next read on this
    // instance is the new row.
    app.gql(
        Some(&w.unit_a_token),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
        json!({ "i": { "taskId": task, "periodId": q1, "idempotencyKey": "task-cache-q1-01",
                       "progress": "已完成一季度目标", "percent": 30 } }),
    )
    .await
    .data("/submitReport/report/id");
    let (statements, after) = task_cost(&app, b, task).await;
    assert_eq!(
        (statements, after.data("/task/percent")),
        (1, &json!(30)),
        "read again at once"
    );
    assert_eq!(after.data("/task/status"), "IN_PROGRESS");
    // On the other instance, as soon as its relay reads the submission's event.
    let mut seen = Value::Null;
    for _ in 0..100 {
        seen = task_cost(&second, b, task).await.1.data("/task").clone();
        if seen["percent"] == 30 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(&seen, after.data("/task"), "the second instance after 5 s");

    // A deleted task is gone for the bureau at once, and on the other instance once relayed.
    warm_task(&app, b, task).await;
    app.gql(
        Some(b),
        "mutation($i: DeleteTaskInput!) { deleteTask(input: $i) { deletedTaskId } }",
        json!({ "i": { "id": task } }),
    )
    .await
    .data("/deleteTask");
    let (_, gone) = task_cost(&app, b, task).await;
    assert_eq!(gone.error_code(), Some("NOT_FOUND"), "{gone:#?}");
    for _ in 0..100 {
        let (_, theirs) = task_cost(&second, b, task).await;
        if theirs.error_code() == Some("NOT_FOUND") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the second instance still serves the deleted task after 5 s");
}

/// When two leaders hold one post, a task naming the post shows the first of them in registry
/// order, also once the other has been read by id: a leader read by id is kept under its id, not
/// as the holder of its post.
#[tokio::test]
async fn a_post_held_twice_is_its_first_holders_after_the_other_is_read_by_id() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = w.bureau.as_str();
    // 王玲 takes 常务副市长 beside 刘震, who comes first (created first, same sort order).
    app.gql(
        Some(b),
        "mutation($i: UpdateLeaderInput!) { updateLeader(input: $i) { leader { id } } }",
        json!({ "i": { "id": w.leader_wang, "post": "常务副市长" } }),
    )
    .await
    .data("/updateLeader/leader/id");
    // Until the relay has read the change and the references are kept again.
    warm(&app, b, &w.tasks[0]).await;
    let wang = app
        .gql(
            Some(b),
            "query($id: ID!) { node(id: $id) { ... on Leader { name post } } }",
            json!({ "id": w.leader_wang }),
        )
        .await;
    assert_eq!(
        wang.data("/node"),
        &json!({ "name": "王玲", "post": "常务副市长" })
    );
    let holder = "query($id: ID!) { task(id: $id) { leaders { post leader { name } } } }";
    for _ in 0..2 {
        let task = app.gql(Some(b), holder, json!({ "id": w.tasks[1] })).await;
        assert_eq!(
            task.data("/task/leaders/0"),
            &json!({ "post": "常务副市长", "leader": { "name": "刘震" } })
        );
    }
}

/// A task's leaders and units as written, and whom they name.
const PARTS: &str = "query($id: ID!) { task(id: $id) {
  leaders { role nameAsWritten leader { name } } units { role unit { name } } } }";

/// The unit names of a task as `PARTS` answers it.
fn unit_names(task: &Value) -> Vec<&str> {
    task["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|part| part["unit"]["name"].as_str().unwrap())
        .collect()
}

/// Polls `app` until the task's `pointer` reads `expected` (another instance's relay runs on its
/// own time).
async fn relayed(app: &TestApp, token: &str, task: &str, pointer: &str, expected: &Value) {
    let mut seen = Value::Null;
    for _ in 0..100 {
        let (_, answer) = measured(app, token, PARTS, task).await;
        seen = answer.data("/task").clone();
        if seen.pointer(pointer) == Some(expected) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{pointer} is still {seen:#} after 5 s");
}

#[tokio::test]
async fn a_tasks_leaders_and_units_are_kept_until_they_change_here_or_on_another_instance() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let second = app.spawn_second_instance().await;
    let (b, task) = (w.bureau.as_str(), w.tasks[0].as_str());
    // Kept for the bureau (task included) and for a unit shown the task (its task read with its
    // row rules every time), on both instances.
    let before = settled(&app, b, PARTS, task, 0).await;
    assert_eq!(settled(&second, b, PARTS, task, 0).await, before);
    for instance in [&app, &second] {
        instance
            .gql(Some(&w.unit_a_token), "{ me { id } }", json!({}))
            .await
            .data("/me");
    }
    let (statements, theirs) = measured(&app, &w.unit_a_token, PARTS, task).await;
    assert_eq!(statements, 1, "{:#?}", app.take_statement_log());
    assert_eq!(theirs.data("/task"), &before);
    // Unit C is not named on the task, and may not see it.
    let (_, refused) = measured(&app, &w.unit_c_token, PARTS, task).await;
    assert_eq!(refused.error_code(), Some("NOT_FOUND"), "{refused:#?}");

    // The bureau names unit C as well. The mutation's own answer shows what it wrote (the
    // cache moves only once the whole field has resolved, so the request reads around it); the
    // next request here reads it again, the other instance once its relay reads the change, and
    // unit C is now shown the task with its units.
    let payload = app
        .gql(
            Some(b),
            "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task {
              leaders { role nameAsWritten leader { name } } units { role unit { name } } } } }",
            json!({ "i": { "taskId": task, "units": [
                { "unitId": w.unit_a, "role": "LEAD" }, { "unitId": w.unit_c, "role": "COOPERATING" }] } }),
        )
        .await
        .data("/setTaskUnits/task")
        .clone();
    // The other instance at once, before its relay can have read the change: a unit reads the
    // task itself from the database, at its new version, whose parts were never kept.
    let (_, early) = measured(&second, &w.unit_a_token, PARTS, task).await;
    assert_eq!(early.data("/task"), &payload);
    let (_, after) = measured(&app, b, PARTS, task).await;
    let after = after.data("/task").clone();
    assert_eq!(payload, after);
    let names = unit_names(&after);
    assert_eq!(names.len(), 2, "{after:#}");
    assert_ne!(names, unit_names(&before), "{after:#}");
    relayed(&second, b, task, "/units", &after["units"]).await;
    let (_, shown) = measured(&app, &w.unit_c_token, PARTS, task).await;
    assert_eq!(shown.data("/task"), &after);

    // The same for its leaders.
    settled(&app, b, PARTS, task, 0).await;
    let payload = app
        .gql(
            Some(b),
            "mutation($i: SetTaskLeadersInput!) { setTaskLeaders(input: $i) { task {
              leaders { role nameAsWritten leader { name } } units { role unit { name } } } } }",
            json!({ "i": { "taskId": task, "leaders": [{ "leaderId": w.leader_wang, "role": "RESPONSIBLE" }] } }),
        )
        .await
        .data("/setTaskLeaders/task")
        .clone();
    let (_, now) = measured(&app, b, PARTS, task).await;
    let now = now.data("/task").clone();
    assert_eq!(payload, now);
    assert_eq!(now["leaders"][0]["leader"]["name"], "王玲", "{now:#}");
    assert_eq!(now["leaders"].as_array().unwrap().len(), 1, "{now:#}");
    relayed(&second, b, task, "/leaders", &now["leaders"]).await;
    // What the unit reads is the new list too, from the cache once this instance's relay has
    // read the change as well.
    assert_eq!(settled(&app, &w.unit_a_token, PARTS, task, 1).await, now);
}

/// A mutation's answer shows what it wrote, also where it reaches a kept row through others: a
/// unit renamed, read back through its tasks' units.
#[tokio::test]
async fn a_mutations_answer_reads_around_the_cache() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = w.bureau.as_str();
    warm(&app, b, &w.tasks[0]).await;
    let renamed = "市发展和改革委员会（市粮食和物资储备局）";
    let unit = app
        .gql(
            Some(b),
            "mutation($i: UpdateUnitInput!) { updateUnit(input: $i) { unit { name
              tasks(first: 5) { nodes { task { units { unit { id name } } } } } } } }",
            json!({ "i": { "id": w.unit_a, "name": renamed } }),
        )
        .await
        .data("/updateUnit/unit")
        .clone();
    assert_eq!(unit["name"], renamed);
    let through_tasks: Vec<&Value> = unit["tasks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|node| node["task"]["units"].as_array().unwrap())
        .filter(|part| part["unit"]["id"] == w.unit_a)
        .map(|part| &part["unit"]["name"])
        .collect();
    assert!(!through_tasks.is_empty(), "{unit:#}");
    assert!(
        through_tasks.iter().all(|name| *name == renamed),
        "{unit:#}"
    );
}

/// An instance whose relay has not read an edit of a task's units still shows the new units to
/// anyone whose task row is read from the database: the parts are kept by the task's version,
/// which the edit moved. (The second instance polls once a minute: on SQLite its relay reads
/// nothing during the test.)
#[tokio::test]
async fn a_task_read_after_an_edit_takes_its_new_parts_before_the_relay_has_read_the_edit() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let second = app
        .spawn_second_instance_with(|config| config.live_poll_millis = 60_000)
        .await;
    let (b, task) = (w.bureau.as_str(), w.tasks[0].as_str());
    let before = settled(&second, b, PARTS, task, 0).await;
    second
        .gql(Some(&w.unit_a_token), "{ me { id } }", json!({}))
        .await
        .data("/me");
    app.gql(
        Some(b),
        "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task { id } } }",
        json!({ "i": { "taskId": task, "units": [
            { "unitId": w.unit_a, "role": "LEAD" }, { "unitId": w.unit_c, "role": "COOPERATING" }] } }),
    )
    .await
    .data("/setTaskUnits/task/id");
    let (_, theirs) = measured(&second, &w.unit_a_token, PARTS, task).await;
    let theirs = theirs.data("/task");
    let (_, here) = measured(&app, b, PARTS, task).await;
    assert_eq!(theirs, here.data("/task"));
    assert_ne!(unit_names(theirs), unit_names(&before), "{theirs:#}");
}

/// A mutation sent over a socket leaves the cache aside only while it runs: the socket has one
/// loader for all its operations, and its next queries read from the cache again.
#[tokio::test]
async fn a_sockets_queries_read_from_the_cache_again_once_its_mutation_has_ended() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (b, task) = (w.bureau.as_str(), w.tasks[0].as_str());
    let mut socket = subscribe_to(
        &app,
        b,
        "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task {
          units { role unit { name } } } } }",
        json!({ "i": { "taskId": task, "units": [
            { "unitId": w.unit_a, "role": "LEAD" }, { "unitId": w.unit_c, "role": "COOPERATING" }] } }),
    )
    .await;
    let answer = next_message(&mut socket).await;
    assert_eq!(answer["type"], "next", "{answer:#}");
    let units = &answer["payload"]["data"]["setTaskUnits"]["task"]["units"];
    assert_eq!(units.as_array().map(Vec::len), Some(2), "{answer:#}");
    assert_eq!(next_message(&mut socket).await["type"], "complete");

    // Once this instance's relay has read the change too, the parts are kept again.
    let kept = settled(&app, b, PARTS, task, 0).await;
    let before = app.statements();
    let query = json!({ "id": "2", "type": "subscribe",
                        "payload": { "query": PARTS, "variables": { "id": task } } });
    socket.send(Message::text(query.to_string())).await.unwrap();
    let answer = next_message(&mut socket).await;
    assert_eq!(answer["payload"]["data"]["task"], kept, "{answer:#}");
    assert_eq!(next_message(&mut socket).await["type"], "complete");
    assert_eq!(
        app.statements() - before,
        0,
        "{:#?}",
        app.take_statement_log()
    );
}
