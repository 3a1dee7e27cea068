//! `node(id:)` and `nodes(ids:)`: every kind of object by its global ID, each role seeing
//! exactly what its own queries show it, and each kind read once however many IDs name it.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

const NODES: &str = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }";

/// A world with a report, reminders to two units and an audit row, and the IDs of one object of
/// each kind, labelled.
async fn objects(app: &TestApp, w: &World) -> Vec<(&'static str, Value)> {
    let q1 = w.generate_periods(app).await[0].clone();
    let b = Some(w.bureau.as_str());
    let report = app
        .gql(
            Some(&w.unit_a_token),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
            json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "progress": "一季度进展", "idempotencyKey": "nodes-0001" } }),
        )
        .await
        .data("/submitReport/report/id")
        .clone();
    let remind = |unit: &str| json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "unitId": unit, "message": "请报送" } });
    let send = "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }";
    let reminder_a = app
        .gql(b, send, remind(&w.unit_a))
        .await
        .data("/sendReminder/reminder/id")
        .clone();
    let reminder_b = app
        .gql(b, send, remind(&w.unit_b))
        .await
        .data("/sendReminder/reminder/id")
        .clone();
    let audit = app
        .gql(b, "{ auditLog(first: 1) { nodes { id } } }", json!({}))
        .await
        .data("/auditLog/nodes/0/id")
        .clone();
    let user_a = app
        .gql(Some(&w.unit_a_token), "{ me { id } }", json!({}))
        .await
        .data("/me/id")
        .clone();
    vec![
        ("task 1", json!(w.tasks[0])),
        ("task 2", json!(w.tasks[1])),
        ("task 3", json!(w.tasks[2])),
        ("unit A's report", report),
        ("reminder to A", reminder_a),
        ("reminder to B", reminder_b),
        ("unit A", json!(w.unit_a)),
        ("leader Liu", json!(w.leader_liu)),
        ("document", json!(w.document)),
        ("category", json!(w.category_one)),
        ("period", q1),
        ("audit row", audit),
        ("unit A's account", user_a),
    ]
}

#[tokio::test]
async fn each_role_gets_the_objects_it_may_read_and_null_for_the_rest() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let objects = objects(&app, &w).await;
    let ids: Vec<&Value> = objects.iter().map(|(_, id)| id).collect();
    let everything_but = |hidden: &[&str]| -> Vec<&'static str> {
        objects
            .iter()
            .map(|(label, _)| *label)
            .filter(|label| !hidden.contains(label))
            .collect()
    };
    for (role, token, visible) in [
        ("bureau", &w.bureau, everything_but(&[])),
        (
            // Liu leads task 1 by name and task 2 by his post (常务副市长), not task 3; accounts
            // and the audit trail are the bureau's.
            "leader",
            &w.liu_token,
            everything_but(&["task 3", "audit row", "unit A's account"]),
        ),
        (
            // Unit A: its task, its report, its reminder, its own account; not unit B's reminder.
            "unit",
            &w.unit_a_token,
            everything_but(&["task 2", "task 3", "reminder to B", "audit row"]),
        ),
        (
            "service",
            &w.service_token,
            everything_but(&["audit row", "unit A's account"]),
        ),
    ] {
        let answer = app.gql(Some(token), NODES, json!({ "ids": ids })).await;
        let nodes = answer.data("/nodes").as_array().unwrap().clone();
        assert_eq!(nodes.len(), objects.len());
        let seen: Vec<&str> = objects
            .iter()
            .zip(&nodes)
            .filter(|(_, node)| !node.is_null())
            .map(|((label, _), _)| *label)
            .collect();
        assert_eq!(seen, visible, "{role}");
        // In the order given, each with its own ID.
        for ((label, id), node) in objects.iter().zip(&nodes) {
            if !node.is_null() {
                assert_eq!(&node["id"], id, "{role}: {label}");
            }
        }
        // `node(id:)` agrees, one at a time: null with NOT_FOUND for what is hidden.
        for (label, id) in &objects {
            let one = app
                .gql(
                    Some(token),
                    "query($id: ID!) { node(id: $id) { id } }",
                    json!({ "id": id }),
                )
                .await;
            if visible.contains(label) {
                assert_eq!(one.data("/node/id"), id, "{role}: {label}");
            } else {
                assert_eq!(
                    one.error_code(),
                    Some("NOT_FOUND"),
                    "{role}: {label}: {:#}",
                    one.0
                );
                assert!(one.0["data"]["node"].is_null());
            }
        }
    }
    app.gql(None, NODES, json!({ "ids": ids }))
        .await
        .expect_error("UNAUTHENTICATED");
    let typenames = app.gql(Some(&w.bureau), NODES, json!({ "ids": ids })).await;
    let typenames: Vec<&str> = typenames
        .data("/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["__typename"].as_str().unwrap())
        .collect();
    assert_eq!(
        typenames,
        [
            "Task",
            "Task",
            "Task",
            "ProgressReport",
            "Reminder",
            "Reminder",
            "Unit",
            "Leader",
            "Document",
            "Category",
            "ReportingPeriod",
            "AuditEntry",
            "User"
        ]
    );
}

#[tokio::test]
async fn nodes_reads_each_kind_once_however_many_ids() {
    // Each kind read and counted, units and documents too (`reference_cache` off).
    let app = TestApp::spawn_without_reference_cache().await;
    let w = World::build(&app).await;
    let objects = objects(&app, &w).await;
    let count = |ids: Vec<Value>| {
        let app = &app;
        let token = w.bureau.clone();
        async move {
            let before = app.statements();
            let answer = app.gql(Some(&token), NODES, json!({ "ids": ids })).await;
            assert!(
                answer
                    .data("/nodes")
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|n| !n.is_null())
            );
            app.statements() - before
        }
    };
    let one_of_each: Vec<Value> = [0, 3, 4, 6].iter().map(|&i| objects[i].1.clone()).collect();
    let all_of_them: Vec<Value> = objects.iter().map(|(_, id)| id.clone()).collect();
    let three_tasks_two_reminders: Vec<Value> = [0, 1, 2, 3, 4, 5, 6]
        .iter()
        .map(|&i| objects[i].1.clone())
        .collect();
    let few = count(one_of_each).await;
    let more = count(three_tasks_two_reminders).await;
    assert_eq!(few, more, "the same kinds cost the same statements");
    // Thirteen IDs of nine kinds: the sign-in check plus at most one statement per kind.
    let all = count(all_of_them).await;
    assert!(
        all <= few + 5 + 2,
        "{all} statements for nine kinds ({few} for four)"
    );
}

#[tokio::test]
async fn bad_ids_are_refused_with_the_position_named() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let answer = app
        .gql(
            Some(&w.bureau),
            NODES,
            json!({ "ids": [w.tasks[0], "not-an-id"] }),
        )
        .await;
    let message = answer.expect_error("BAD_USER_INPUT");
    assert!(message.contains("ids[1]"), "{message}");
    let too_many: Vec<&str> = std::iter::repeat_n(w.tasks[0].as_str(), 101).collect();
    app.gql(Some(&w.bureau), NODES, json!({ "ids": too_many }))
        .await
        .expect_error("BAD_USER_INPUT");
}
