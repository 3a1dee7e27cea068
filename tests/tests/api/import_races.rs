//! A replacing import (`commitImport` with `replace`) against a clerk's concurrent edit: the
//! import writes each task only at the version it read (invariant 8), so an edit that commits
//! in between is never overwritten and no version number is used twice. The import then fails
//! with CONFLICT as a whole, and the clerk imports again over the edited task.
//!
//! The race needs two writers at once, which only PostgreSQL has: on SQLite every write of the
//! server goes through its one connection, so an edit and an import cannot interleave at all.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use serde_json::json;
use tests::TestApp;

const LIVELIHOOD_2022: &str = include_str!("../../../api/fixtures/livelihood-tasks-2022.txt");
const COMMIT: &str = "mutation($i: CommitImportInput!) { commitImport(input: $i) {
    counts { tasksUpdated tasksRemoved } } }";

async fn task_row(db: &DatabaseConnection, seq: &str) -> (i64, String, i32, bool) {
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT id, text, version, deleted_at IS NOT NULL AS gone FROM tasks WHERE seq = '{seq}'"),
        ))
        .await
        .unwrap()
        .unwrap();
    (
        row.try_get("", "id").unwrap(),
        row.try_get("", "text").unwrap(),
        row.try_get("", "version").unwrap(),
        row.try_get("", "gone").unwrap(),
    )
}

/// Waits until some statement of the server is waiting for a row lock.
async fn until_blocked_on_a_lock(app: &TestApp) {
    for _ in 0..600 {
        let waiting = app
            .count_rows(
                "pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .await;
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the import never waited for the lock the test holds");
}

/// The global id and version of the task numbered `seq`.
async fn task_by_seq(app: &TestApp, token: &str, seq: &str) -> (String, i64) {
    let list = app
        .gql(
            Some(token),
            "{ tasks(first: 100) { nodes { id seq version } } }",
            json!({}),
        )
        .await;
    let task = list
        .data("/tasks/nodes")
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["seq"] == seq)
        .unwrap()
        .clone();
    (
        task["id"].as_str().unwrap().to_owned(),
        task["version"].as_i64().unwrap(),
    )
}

const UPDATE: &str =
    "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { version text } } }";

/// Runs a replacing import of `revised` and, while it is under way (it has read the tasks and
/// waits on a lock the test holds), a clerk's edit of task `seq` through the API. Returns the
/// import's response, the task as it ends up and the version the clerk's edit gave it.
async fn race(
    seq: &str,
    revised: String,
) -> Option<(tests::GqlResponse, (i64, String, i32, bool), i64)> {
    let app = TestApp::spawn().await;
    if !app.is_postgres() {
        eprintln!("skipped on SQLite: one connection serialises every write, nothing can race");
        return None;
    }
    app.seed_registry().await;
    let admin = app.admin_token().await;
    app.gql(
        Some(&admin),
        COMMIT,
        json!({ "i": { "text": LIVELIHOOD_2022 } }),
    )
    .await
    .data("/commitImport");
    // The clerk first takes the task out of its category. (The import rewrites the categories,
    // and on PostgreSQL the foreign key then locks every task that has one before the import
    // reads the tasks, which serialises an edit of such a task behind the import.)
    let (id, version) = task_by_seq(&app, &admin, seq).await;
    app.gql(
        Some(&admin),
        UPDATE,
        json!({ "i": { "id": id, "version": version, "categoryId": null } }),
    )
    .await
    .data("/updateTask");

    // Hold the unit rows of task 1, the first task the import rewrites: it stops there, after
    // it has read every task.
    let (first, _, _, _) = task_row(&app.db, "1").await;
    let holder = app.separate_connection().await;
    let hold = holder.begin().await.unwrap();
    hold.execute_unprepared(&format!(
        "SELECT id FROM task_units WHERE task_id = {first} FOR SHARE"
    ))
    .await
    .unwrap();
    let import = {
        let (address, client, admin) = (app.address.clone(), app.client.clone(), admin.clone());
        tokio::spawn(async move {
            let body = json!({ "query": COMMIT, "variables": { "i": { "text": revised, "replace": true } } });
            let response = client
                .post(format!("{address}/graphql"))
                .bearer_auth(admin)
                .json(&body)
                .send()
                .await
                .unwrap();
            tests::GqlResponse(response.json().await.unwrap())
        })
    };
    until_blocked_on_a_lock(&app).await;

    // The clerk's edit, through the API, while the import is under way.
    let (id, version) = task_by_seq(&app, &admin, seq).await;
    let edit = app
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "i": { "id": id, "version": version, "text": "职员改过的任务" } }),
        )
        .await;
    let edited_version = edit.data("/updateTask/task/version").as_i64().unwrap();

    hold.commit().await.unwrap();
    let response = import.await.unwrap();
    let after = task_row(&app.db, seq).await;
    Some((response, after, edited_version))
}

#[tokio::test]
async fn an_edit_racing_a_replacing_import_is_kept_and_the_import_conflicts() {
    let revised = LIVELIHOOD_2022.replace("新建充电桩 700 个", "新建充电桩 800 个");
    let Some((response, (_, text, version, gone), edited)) = race("10", revised).await else {
        return;
    };
    let message = response.expect_error("CONFLICT");
    assert!(message.contains("task 10 was changed"), "{message}");
    // The clerk's edit stands, at the one version it was given.
    assert_eq!(text, "职员改过的任务");
    assert_eq!(i64::from(version), edited);
    assert!(!gone);
}

#[tokio::test]
async fn an_edit_racing_the_removal_of_its_task_by_a_replacing_import_is_kept() {
    let revised = LIVELIHOOD_2022.replace("63. 健全土壤污染调查", "健全土壤污染调查");
    let Some((response, (_, text, version, gone), edited)) = race("63", revised).await else {
        return;
    };
    response.expect_error("CONFLICT");
    assert_eq!(text, "职员改过的任务");
    assert_eq!(i64::from(version), edited);
    assert!(
        !gone,
        "the edited task was removed by an import that had not seen the edit"
    );
}
