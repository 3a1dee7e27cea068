//! Lists that grow with the data never bind one parameter per row: a province has 100,000
//! tasks, PostgreSQL's protocol allows 65,535 parameters in a statement and SQLite 32,766.
//! 70,000 tasks are inserted directly (the API would take minutes) and their obligations stored
//! (`rebuild_all`, as after a bulk load), then every path that reads
//! all visible tasks' obligations answers: the bureau's unfiltered obligations and figures, the
//! deadline job's reminder run and its status sweep.

use serde_json::json;
use tests::TestApp;
use tests::world::World;

const TASKS: usize = 70_000;

#[tokio::test]
async fn more_tasks_than_a_statement_can_bind_are_listed_figured_and_swept() {
    use sea_orm::ConnectionTrait;

    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    w.generate_periods(&app).await;
    let insert = [
        // The same SQL on both backends: a recursive series, plain literals.
        format!(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {TASKS}) \
             INSERT INTO tasks (document_id, seq, sort_order, text, status, percent, version, created_at, updated_at) \
             SELECT (SELECT MIN(id) FROM documents), 'g' || x, 1000 + x, '批量任务' || x, 'NOT_STARTED', 0, 1, \
                    '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z' FROM n"
        ),
        "INSERT INTO task_units (task_id, unit_id, role, position, name_as_written, is_local) \
         SELECT t.id, u.id, 'LEAD', 0, u.name, false FROM tasks t, units u \
         WHERE t.seq LIKE 'g%' AND u.name = '市发展和改革委员会'"
            .to_owned(),
    ];
    for sql in insert {
        app.db.execute_unprepared(&sql).await.expect("bulk insert");
    }
    assert_eq!(app.count_rows("tasks").await, TASKS as i64 + 3);
    // Data loaded in bulk gets its stored obligations as after the migration that added them:
    // derived a slice of tasks at a time, every statement under the bind limit.
    api::obligations::store::rebuild_all(&app.db)
        .await
        .expect("the obligations are stored");
    assert!(
        api::obligations::store::check(&app.db)
            .await
            .unwrap()
            .is_empty()
    );

    // Four quarterly periods for every task: 280,000 obligations and more.
    let answer = app
        .gql(
            Some(&w.bureau),
            "{ obligations(first: 5) { totalCount nodes { dueOn } } reportingFigures { obligations } }",
            json!({}),
        )
        .await;
    let total = answer.data("/obligations/totalCount").as_i64().unwrap();
    assert!(total >= 4 * TASKS as i64, "{total}");
    assert_eq!(
        answer.data("/reportingFigures/obligations").as_i64(),
        Some(total)
    );

    // The deadline job over all of them: the status sweep and the reminder run.
    let now = {
        use api::clock::Clock;
        app.clock.now()
    };
    api::tasks::progress::sweep(&app.db, now)
        .await
        .expect("the sweep runs");
    api::reminders::rules::run(&app.db, now)
        .await
        .expect("the reminder run runs");
}
