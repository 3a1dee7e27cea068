//! Task status and warning level: derived from reports and the calendar, refreshed by the
//! changes that move them and by the deadline job; completion confirmed by the bureau.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

/// The task by id, and again through the list and through its document: the first two read its
/// warning level with the row (`tasks.earliest_open_due`), the third through the loader.
const STATE: &str = "query($id: ID!) { task(id: $id) { status warningLevel
    document { tasks(first: 100) { nodes { id warningLevel } } } }
    tasks(first: 100) { nodes { id warningLevel } } }";

async fn setup() -> (TestApp, World, Value) {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    (app, w, q1)
}

async fn state(app: &TestApp, token: &str, task: &str) -> (String, String) {
    let r = app.gql(Some(token), STATE, json!({ "id": task })).await;
    let level = r.data("/task/warningLevel").as_str().unwrap().to_owned();
    for list in ["/task/document/tasks/nodes", "/tasks/nodes"] {
        let nodes = r.data(list).as_array().unwrap();
        let this = nodes.iter().find(|n| n["id"] == task).unwrap();
        assert_eq!(this["warningLevel"], level.as_str(), "{list}");
    }
    (r.data("/task/status").as_str().unwrap().to_owned(), level)
}

/// `state` once it reads `expected`, or after 5 s: for changes the relay brings (the deadline
/// job's, another instance's), which reach a cached task within its delay.
async fn state_once_relayed(
    app: &TestApp,
    token: &str,
    task: &str,
    expected: (String, String),
) -> (String, String) {
    let mut last = state(app, token, task).await;
    for _ in 0..100 {
        if last == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        last = state(app, token, task).await;
    }
    last
}

fn pair(status: &str, level: &str) -> (String, String) {
    (status.to_owned(), level.to_owned())
}

#[tokio::test]
async fn status_and_warning_follow_reports_and_the_calendar() {
    let (app, w, q1) = setup().await;
    let task = w.tasks[0].as_str();
    // 1 March: Q1 is due on 28 March.
    assert_eq!(
        state(&app, &w.bureau, task).await,
        pair("NOT_STARTED", "GREEN")
    );

    // 26 March in Beijing: due within 3 days, nothing submitted.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 26, 2, 0, 0).unwrap());
    let bureau = app.admin_token().await;
    assert_eq!(
        state(&app, &bureau, task).await,
        pair("NOT_STARTED", "YELLOW")
    );

    // 00:30 on 29 March in Beijing (16:30 UTC on the 28th): the due day has ended.
    let overdue_at = Utc.with_ymd_and_hms(2026, 3, 28, 16, 30, 0).unwrap();
    app.clock.set(overdue_at);
    let bureau = app.admin_token().await;
    assert_eq!(state(&app, &bureau, task).await.1, "RED");
    // The deadline job turns every task with an overdue obligation DELAYED, once.
    assert_eq!(
        api::tasks::progress::sweep(&app.db, overdue_at)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        api::tasks::progress::sweep(&app.db, overdue_at)
            .await
            .unwrap(),
        0
    );
    // The job changes tasks outside a request: the bureau's copy of the task
    // (`reference_cache`) is read again once the relay has read the job's events.
    assert_eq!(
        state_once_relayed(&app, &bureau, task, pair("DELAYED", "RED")).await,
        pair("DELAYED", "RED")
    );
    assert_eq!(
        app.count_rows("events WHERE kind = 'task.status_changed'")
            .await,
        3
    );
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'task.status' AND actor = 'system'")
            .await,
        3
    );

    // A late submission moves the task on at once, in the same transaction.
    let unit = app.login("fgw", PASSWORD).await.0;
    let report = app
        .gql(
            Some(&unit),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
            json!({ "i": { "taskId": task, "periodId": q1, "progress": "已完成一季度目标", "idempotencyKey": "late-q1-0001" } }),
        )
        .await
        .data("/submitReport/report/id")
        .clone();
    assert_eq!(state(&app, &unit, task).await, pair("IN_PROGRESS", "GREEN"));

    // Returned and not resubmitted: open again, and past its due day.
    app.gql(
        Some(&bureau),
        "mutation($i: ReviewReportInput!) { reviewReport(input: $i) { report { state } } }",
        json!({ "i": { "reportId": report, "version": 1, "decision": "RETURN", "comment": "请补充数据" } }),
    )
    .await
    .data("/reviewReport");
    assert_eq!(state(&app, &bureau, task).await, pair("DELAYED", "RED"));

    // Every role that reads the task reads the same figures; others do not see it.
    let liu = app.login("liuzhen", PASSWORD).await.0;
    let service = app.login("dashboard", PASSWORD).await.0;
    let unit_b = app.login("czj", PASSWORD).await.0;
    for token in [&liu, &service, &unit, &unit_b] {
        assert_eq!(state(&app, token, task).await, pair("DELAYED", "RED"));
    }
    let unit_c = app.login("weishi", PASSWORD).await.0;
    app.gql(Some(&unit_c), STATE, json!({ "id": task }))
        .await
        .expect_error("NOT_FOUND");

    // 办结: the bureau's decision stands against the calendar until it reopens the task.
    let done = app
        .gql(
            Some(&bureau),
            "mutation($i: DecideTaskInput!) { completeTask(input: $i) { task { status warningLevel completedAt version } } }",
            json!({ "i": { "id": task, "version": 1, "comment": "经核查已完成" } }),
        )
        .await;
    assert_eq!(done.data("/completeTask/task/status"), "COMPLETED");
    assert_eq!(done.data("/completeTask/task/warningLevel"), "GREEN");
    let later = Utc.with_ymd_and_hms(2026, 7, 2, 0, 0, 0).unwrap();
    api::tasks::progress::sweep(&app.db, later).await.unwrap();
    let bureau = {
        app.clock.set(later);
        app.admin_token().await
    };
    assert_eq!(state(&app, &bureau, task).await, pair("COMPLETED", "GREEN"));
    let reopened = app
        .gql(
            Some(&bureau),
            "mutation($i: DecideTaskInput!) { reopenTask(input: $i) { task { status warningLevel } } }",
            json!({ "i": { "id": task, "version": 2, "comment": "人大代表反映未完成" } }),
        )
        .await;
    assert_eq!(reopened.data("/reopenTask/task/status"), "DELAYED");
    assert_eq!(reopened.data("/reopenTask/task/warningLevel"), "RED");
    assert_eq!(
        app.count_rows("events WHERE kind IN ('task.completed', 'task.reopened')")
            .await,
        2
    );
}

#[tokio::test]
async fn a_task_past_its_own_deadline_is_delayed_even_with_reports_in() {
    let (app, w, _) = setup().await;
    // Task 1's deadline is 30 June; 1 July in Beijing.
    let at = Utc.with_ymd_and_hms(2026, 6, 30, 16, 0, 1).unwrap();
    app.clock.set(at);
    api::tasks::progress::sweep(&app.db, at).await.unwrap();
    let bureau = app.admin_token().await;
    assert_eq!(
        state(&app, &bureau, &w.tasks[0]).await,
        pair("DELAYED", "RED")
    );
    // Task 3 (deadline 31 December) is delayed only by its overdue Q1 and Q2 reports.
    assert_eq!(
        state(&app, &bureau, &w.tasks[2]).await,
        pair("DELAYED", "RED")
    );
}

#[tokio::test]
async fn a_cancelled_task_owes_nothing_more_and_only_the_bureau_cancels() {
    let (app, w, _) = setup().await;
    let task = w.tasks[1].as_str();
    let cancel = "mutation($i: DecideTaskInput!) { cancelTask(input: $i) { task { status warningLevel completedAt } } }";
    for token in [&w.unit_b_token, &w.liu_token, &w.service_token] {
        app.gql(
            Some(token),
            cancel,
            json!({ "i": { "id": task, "version": 1 } }),
        )
        .await
        .expect_error("FORBIDDEN");
    }
    app.gql(None, cancel, json!({ "i": { "id": task, "version": 1 } }))
        .await
        .expect_error("UNAUTHENTICATED");
    let mine = "{ myObligations { totalCount } }";
    assert_eq!(
        app.gql(Some(&w.unit_b_token), mine, json!({}))
            .await
            .data("/myObligations/totalCount"),
        4
    );
    let cancelled = app
        .gql(
            Some(&w.bureau),
            cancel,
            json!({ "i": { "id": task, "version": 1, "comment": "预算调整，本年度不再实施" } }),
        )
        .await;
    assert_eq!(cancelled.data("/cancelTask/task/status"), "CANCELLED");
    assert_eq!(cancelled.data("/cancelTask/task/warningLevel"), "GREEN");
    // Nothing was reported yet, and every period falls due after the cancellation.
    assert_eq!(
        app.gql(Some(&w.unit_b_token), mine, json!({}))
            .await
            .data("/myObligations/totalCount"),
        0
    );
    // Months later it is still cancelled, and no reminder goes out for it.
    let later = Utc.with_ymd_and_hms(2026, 7, 1, 2, 0, 0).unwrap();
    api::tasks::progress::sweep(&app.db, later).await.unwrap();
    api::reminders::rules::run(&app.db, later).await.unwrap();
    assert_eq!(
        app.count_rows("reminders WHERE task_id = (SELECT id FROM tasks WHERE seq = '2')")
            .await,
        0
    );
    app.clock.set(later);
    let bureau = app.admin_token().await;
    assert_eq!(state(&app, &bureau, task).await, pair("CANCELLED", "GREEN"));
}

/// The deadline job on its own schedule, as a server runs it: besides its regular interval it
/// wakes just after each midnight in Beijing, so the end of a due day shows in task statuses and
/// reminders at once, not up to an interval later.
#[tokio::test]
async fn the_deadline_job_wakes_just_after_midnight_in_beijing() {
    // 23:59:57 on 28 March in Beijing, the day Q1 is due, with an hour between regular runs.
    let start = Utc.with_ymd_and_hms(2026, 3, 28, 15, 59, 57).unwrap();
    let app = TestApp::spawn_configured(start, |config| config.reminder_interval_secs = 3600).await;
    let w = World::build(&app).await;
    w.generate_periods(&app).await;
    for task in &w.tasks {
        assert_eq!(state(&app, &w.bureau, task).await.0, "NOT_STARTED");
    }

    // 00:00:02 on 29 March. Nobody calls the job: it wakes by itself a few seconds later (real
    // time). The loop allows a minute, for a slow machine; it is not a timing assertion.
    app.clock.set(start + chrono::Duration::seconds(5));
    let mut statuses = Vec::new();
    for _ in 0..600 {
        statuses.clear();
        for task in &w.tasks {
            statuses.push(state(&app, &w.bureau, task).await.0);
        }
        if statuses.iter().all(|s| s == "DELAYED") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(statuses, ["DELAYED", "DELAYED", "DELAYED"]);
    // The same run sent the overdue reminders, one per obligation of Q1.
    assert_eq!(app.count_rows("reminders WHERE rule = 'OVERDUE'").await, 3);
}

/// Edits that change what a task owes or when it ends move its status in their own transaction:
/// a new deadline, a new lead unit, a new obligation rule, a task added after a period's due day.
#[tokio::test]
async fn edits_that_change_what_a_task_owes_move_its_status_at_once() {
    let (app, w, q1) = setup().await;
    let task = w.tasks[0].as_str();
    let update =
        "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { status version } } }";

    // 1 March: a deadline set in the past makes the task DELAYED, a later one undoes it.
    let past = app
        .gql(
            Some(&w.bureau),
            update,
            json!({ "i": { "id": task, "version": 1, "deadline": "2026-02-28" } }),
        )
        .await;
    assert_eq!(past.data("/updateTask/task/status"), "DELAYED");
    let later = app
        .gql(
            Some(&w.bureau),
            update,
            json!({ "i": { "id": task, "version": 2, "deadline": "2026-12-31" } }),
        )
        .await;
    assert_eq!(later.data("/updateTask/task/status"), "NOT_STARTED");

    // Unit A reports Q1 on time; at 00:30 on 29 March the task is IN_PROGRESS.
    app.gql(
        Some(&w.unit_a_token),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
        json!({ "i": { "taskId": task, "periodId": q1, "progress": "按计划推进", "idempotencyKey": "q1-on-time-0001" } }),
    )
    .await
    .data("/submitReport/report/id");
    let at = Utc.with_ymd_and_hms(2026, 3, 28, 16, 30, 0).unwrap();
    app.clock.set(at);
    api::tasks::progress::sweep(&app.db, at).await.unwrap();
    let bureau = app.admin_token().await;
    assert_eq!(state(&app, &bureau, task).await.0, "IN_PROGRESS");

    // Unit C joins as a second lead unit: it owes Q1, already overdue. Then it leaves again.
    let set_units =
        "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task { status } } }";
    let joined = app
        .gql(
            Some(&bureau),
            set_units,
            json!({ "i": { "taskId": task, "units": [
                { "unitId": w.unit_a, "role": "LEAD" }, { "unitId": w.unit_c, "role": "LEAD" } ] } }),
        )
        .await;
    assert_eq!(joined.data("/setTaskUnits/task/status"), "DELAYED");
    let left = app
        .gql(
            Some(&bureau),
            set_units,
            json!({ "i": { "taskId": task, "units": [
                { "unitId": w.unit_a, "role": "LEAD" }, { "unitId": w.unit_b, "role": "COOPERATING" } ] } }),
        )
        .await;
    assert_eq!(left.data("/setTaskUnits/task/status"), "IN_PROGRESS");

    // The document's rule changes to make cooperating units owe too: unit B owes Q1 for task 1.
    app.gql(
        Some(&bureau),
        "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { id } } }",
        json!({ "i": { "id": w.document, "obligationRule": "ALL_ASSIGNED" } }),
    )
    .await
    .data("/updateDocument/document/id");
    assert_eq!(state(&app, &bureau, task).await.0, "DELAYED");

    // A task added now to the quarterly document owes Q1 already: DELAYED from the start.
    let created = app
        .gql(
            Some(&bureau),
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { status } } }",
            json!({ "i": { "documentId": w.document, "seq": "4", "text": "新增任务。",
                           "units": [{ "unitId": w.unit_b, "role": "LEAD" }] } }),
        )
        .await;
    assert_eq!(created.data("/createTask/task/status"), "DELAYED");
    // Each derived change is audited as the system's, beside the bureau's own edits.
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'task.status' AND actor = 'system'")
            .await,
        // Task 1: 2 deadline edits, the submission, 2 unit edits, the rule; the sweep moved
        // tasks 2 and 3; the new task.
        9
    );
}
