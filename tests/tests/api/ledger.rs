//! Ledgers (工作台账): each unit keeps its own for a task; the bureau and leaders read them all.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

const ADD: &str = "mutation($i: AddLedgerEntryInput!) { addLedgerEntry(input: $i) { entry { id title timeNode responsiblePerson phone state version unit { name } } } }";
const UPDATE: &str = "mutation($i: UpdateLedgerEntryInput!) { updateLedgerEntry(input: $i) { entry { state version } } }";
const DELETE: &str =
    "mutation($i: DeleteLedgerEntryInput!) { deleteLedgerEntry(input: $i) { entry { id } } }";
const LEDGER: &str = "query($t: ID!) { task(id: $t) { ledger { title unit { name } } } }";

fn entry(w: &World, title: &str) -> Value {
    json!({ "i": { "taskId": w.tasks[0], "title": title, "timeNode": "2026-05-31",
                   "responsibleLeader": "副主任 李明", "responsiblePerson": "张华", "phone": "0371-2385 9529" } })
}

#[tokio::test]
async fn units_keep_their_own_ledgers_and_the_others_read_them() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let a = app
        .gql(Some(&w.unit_a_token), ADD, entry(&w, "完成一季度项目调度"))
        .await;
    assert_eq!(a.data("/addLedgerEntry/entry/state"), "PLANNED");
    assert_eq!(
        a.data("/addLedgerEntry/entry/unit/name"),
        "市发展和改革委员会"
    );
    let id = a.data("/addLedgerEntry/entry/id").clone();
    // Unit B cooperates on task 1 and keeps its own ledger for it.
    app.gql(Some(&w.unit_b_token), ADD, entry(&w, "配合做好资金保障"))
        .await
        .data("");

    let updated = app
        .gql(
            Some(&w.unit_a_token),
            UPDATE,
            json!({ "i": { "id": id, "version": 1, "state": "IN_PROGRESS" } }),
        )
        .await;
    assert_eq!(updated.data("/updateLedgerEntry/entry/version"), 2);
    app.gql(
        Some(&w.unit_a_token),
        UPDATE,
        json!({ "i": { "id": id, "version": 1, "state": "DONE" } }),
    )
    .await
    .expect_error("CONFLICT");
    // Unit B cannot touch unit A's entry.
    app.gql(
        Some(&w.unit_b_token),
        UPDATE,
        json!({ "i": { "id": id, "version": 2, "state": "DONE" } }),
    )
    .await
    .expect_error("NOT_FOUND");

    let count =
        |response: &tests::GqlResponse| response.data("/task/ledger").as_array().unwrap().len();
    for (token, expected) in [
        (&w.bureau, 2),
        (&w.liu_token, 2),
        (&w.service_token, 2),
        (&w.unit_a_token, 1),
        (&w.unit_b_token, 1),
    ] {
        assert_eq!(
            count(
                &app.gql(Some(token), LEDGER, json!({ "t": w.tasks[0] }))
                    .await
            ),
            expected
        );
    }
    app.gql(Some(&w.unit_c_token), LEDGER, json!({ "t": w.tasks[0] }))
        .await
        .expect_error("NOT_FOUND");

    app.gql(
        Some(&w.unit_a_token),
        DELETE,
        json!({ "i": { "id": id, "version": 2 } }),
    )
    .await
    .data("");
    assert_eq!(
        count(
            &app.gql(Some(&w.bureau), LEDGER, json!({ "t": w.tasks[0] }))
                .await
        ),
        1
    );
    assert_eq!(
        app.count_rows("ledger_entries").await,
        2,
        "a deleted entry stays stored"
    );
}

#[tokio::test]
async fn only_units_of_the_task_write_and_bad_entries_are_refused() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    for token in [&w.bureau, &w.liu_token, &w.service_token] {
        app.gql(Some(token), ADD, entry(&w, "台账"))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(Some(&w.unit_c_token), ADD, entry(&w, "台账"))
        .await
        .expect_error("NOT_FOUND");
    app.gql(None, ADD, entry(&w, "台账"))
        .await
        .expect_error("UNAUTHENTICATED");
    let cases = [
        (
            json!({ "i": { "taskId": w.tasks[0], "title": " " } }),
            "title",
        ),
        (
            json!({ "i": { "taskId": w.tasks[0], "title": "台账", "phone": "call me" } }),
            "phone",
        ),
    ];
    for (input, field) in cases {
        let response = app.gql(Some(&w.unit_a_token), ADD, input).await;
        response.expect_error("BAD_USER_INPUT");
        assert_eq!(
            response
                .0
                .pointer("/errors/0/extensions/field")
                .and_then(Value::as_str),
            Some(field)
        );
    }
    assert_eq!(app.count_rows("ledger_entries").await, 0);
}
