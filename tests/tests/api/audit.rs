//! The audit trail: every mutation writes who, what, before and after, in its own
//! transaction; the table refuses updates and deletes.

use sea_orm::ConnectionTrait;
use serde_json::json;
use tests::TestApp;
use tests::world::World;

#[tokio::test]
async fn every_mutation_writes_an_audit_row_with_before_and_after() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let count = |action: &'static str| {
        let app = &app;
        async move {
            app.count_rows(&format!("audit_log WHERE action = '{action}'"))
                .await
        }
    };
    // The world was built through the API: every creation is on record.
    assert_eq!(count("unit.create").await, 3);
    assert_eq!(count("leader.create").await, 2);
    assert_eq!(count("document.create").await, 1);
    assert_eq!(count("category.create").await, 4);
    assert_eq!(count("task.create").await, 3);
    // The first admin (created by the system) plus the six of the world.
    assert_eq!(count("user.create").await, 7);

    app.gql(
        b,
        "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }",
        json!({ "i": { "id": w.tasks[0], "version": 1, "percent": 55 } }),
    )
    .await
    .data("/updateTask");
    let entries = app
        .gql(
            b,
            "{ auditLog(filter: {entityType: TASK}, first: 1) { totalCount nodes { action entityType entityId actorName actor { username } before after createdAt } } }",
            json!({}),
        )
        .await;
    assert_eq!(entries.data("/auditLog/totalCount"), 4);
    assert_eq!(entries.data("/auditLog/nodes/0/action"), "TASK_UPDATE");
    assert_eq!(entries.data("/auditLog/nodes/0/entityType"), "TASK");
    // Ids as the rest of the API spells them: the task's global ID, camelCase keys.
    assert_eq!(entries.data("/auditLog/nodes/0/entityId"), &w.tasks[0]);
    assert_eq!(entries.data("/auditLog/nodes/0/after/id"), &w.tasks[0]);
    assert_eq!(
        entries.data("/auditLog/nodes/0/after/documentId"),
        &w.document
    );
    assert!(
        entries
            .0
            .pointer("/data/auditLog/nodes/0/after/document_id")
            .is_none()
    );
    assert_eq!(entries.data("/auditLog/nodes/0/actorName"), "admin");
    assert_eq!(entries.data("/auditLog/nodes/0/actor/username"), "admin");
    assert_eq!(entries.data("/auditLog/nodes/0/before/percent"), 0);
    assert_eq!(entries.data("/auditLog/nodes/0/after/percent"), 55);
    assert_eq!(entries.data("/auditLog/nodes/0/after/version"), 2);
    // The same entry found by the task's global ID; an ID of another kind is refused.
    let by_id = app
        .gql(
            b,
            "query($id: ID!) { auditLog(filter: {entityId: $id, action: TASK_UPDATE}) { totalCount nodes { entityId } } }",
            json!({ "id": w.tasks[0] }),
        )
        .await;
    assert_eq!(by_id.data("/auditLog/totalCount"), 1);
    app.gql(
        b,
        "query($id: ID!) { auditLog(filter: {entityId: $id, entityType: UNIT}) { totalCount } }",
        json!({ "id": w.tasks[0] }),
    )
    .await
    .expect_error("BAD_USER_INPUT");

    for (query, action) in [
        (
            "mutation($i: SetTaskLeadersInput!) { setTaskLeaders(input: $i) { task { id } } }",
            "task.set_leaders",
        ),
        (
            "mutation($i: DeleteTaskInput!) { deleteTask(input: $i) { deletedTaskId } }",
            "task.delete",
        ),
    ] {
        let input = if action == "task.delete" {
            json!({ "id": w.tasks[1] })
        } else {
            json!({ "taskId": w.tasks[1], "leaders": [{ "collective": "各位市长", "role": "RESPONSIBLE" }] })
        };
        app.gql(b, query, json!({ "i": input })).await.data("");
        assert_eq!(count(action).await, 1, "{action}");
    }
    app.gql(b, "mutation { updateDocument(input: {id: \"RG9jdW1lbnQ6MQ\", declaredTotal: 3}) { document { id } } }", json!({}))
        .await
        .data("");
    assert_eq!(count("document.update").await, 1);
}

#[tokio::test]
async fn the_audit_log_and_submitted_versions_are_append_only_in_the_database() {
    let app = TestApp::spawn().await;
    World::build(&app).await;
    let before = app.count_rows("audit_log").await;
    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ] {
        let result = app.db.execute_unprepared(sql).await;
        assert!(result.is_err(), "`{sql}` must be refused");
    }
    assert_eq!(app.count_rows("audit_log").await, before);
    // Row triggers fire only on rows, so put an event there first.
    app.db
        .execute_unprepared(
            "INSERT INTO events (kind, entity_type, payload, created_at) \
             VALUES ('test', 'task', '{}', '2026-03-01T00:00:00Z')",
        )
        .await
        .expect("events accept inserts");
    assert!(
        app.db
            .execute_unprepared("DELETE FROM events")
            .await
            .is_err()
    );
    assert!(
        app.db
            .execute_unprepared("UPDATE events SET kind = 'x'")
            .await
            .is_err()
    );
    // Report versions get the same protection (they are exercised fully with the workflow).
    let triggers = app
        .db
        .query_all(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            match app.db.get_database_backend() {
                sea_orm::DatabaseBackend::Postgres => {
                    "SELECT tgname AS name FROM pg_trigger WHERE tgrelid = 'report_versions'::regclass AND NOT tgisinternal"
                }
                _ => "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'report_versions'",
            },
        ))
        .await
        .unwrap();
    assert!(
        !triggers.is_empty(),
        "report_versions has its append-only trigger"
    );
}
