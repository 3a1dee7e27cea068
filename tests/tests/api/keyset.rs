//! Keyset pages of the two large lists, `tasks` and `obligations`: a cursor is the sort key of
//! the row it names, so walking the pages gives the whole list once in every order, and rows
//! inserted or deleted before the cursor neither repeat nor skip a row after it (an offset
//! cursor did both). A cursor is valid only in the list and order it came from.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

const TASKS: &str = "query($o: TaskOrder, $n: Int, $a: String) {
  tasks(orderBy: $o, first: $n, after: $a) {
    edges { cursor node { seq } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";

const OBLIGATIONS: &str = "query($n: Int, $a: String) {
  myObligations(first: $n, after: $a) {
    edges { cursor node { dueOn task { seq } } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";

/// The page's rows as `seq` (tasks) or `dueOn seq` (obligations), with its end cursor and
/// whether more follow.
fn rows(page: &Value) -> (Vec<String>, Value, bool) {
    let edges = page["edges"].as_array().expect("edges");
    let rows = edges
        .iter()
        .map(|edge| {
            let node = &edge["node"];
            match node["dueOn"].as_str() {
                Some(due) => format!("{due} {}", node["task"]["seq"].as_str().unwrap()),
                None => node["seq"].as_str().unwrap().to_owned(),
            }
        })
        .collect();
    (
        rows,
        page["pageInfo"]["endCursor"].clone(),
        page["pageInfo"]["hasNextPage"] == true,
    )
}

async fn page(app: &TestApp, token: &str, order: &Value, n: i32, after: &Value) -> Value {
    app.gql(
        Some(token),
        TASKS,
        json!({ "o": order, "n": n, "a": after }),
    )
    .await
    .data("/tasks")
    .clone()
}

async fn obligations(app: &TestApp, token: &str, n: i32, after: &Value) -> Value {
    app.gql(Some(token), OBLIGATIONS, json!({ "n": n, "a": after }))
        .await
        .data("/myObligations")
        .clone()
}

#[tokio::test]
async fn task_pages_give_the_whole_list_once_in_every_order_and_stand_still_under_inserts() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = w.bureau.as_str();
    // Nine more tasks, four without a deadline and some sharing one, so that ties and NULLs are
    // paged through; the clock moves between them, and one is edited later, so that the
    // timestamps order them otherwise than their ids do.
    let deadlines = [
        Some("2026-06-30"),
        None,
        Some("2026-03-31"),
        None,
        Some("2026-06-30"),
        Some("2027-01-15"),
        None,
        Some("2026-03-31"),
        None,
    ];
    let create = "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id version } } }";
    let mut created = Vec::new();
    for (i, deadline) in deadlines.iter().enumerate() {
        let seq = (i + 4).to_string();
        let task = app
            .gql(
                Some(b),
                create,
                json!({ "i": { "documentId": w.document, "seq": seq, "text": format!("第{seq}项"),
                               "deadline": deadline } }),
            )
            .await
            .data("/createTask/task")
            .clone();
        created.push(task);
        app.clock.advance(chrono::Duration::seconds(7));
    }
    app.gql(
        Some(b),
        "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }",
        json!({ "i": { "id": created[0]["id"], "version": created[0]["version"], "text": "第4项（改）" } }),
    )
    .await
    .data("/updateTask/task/id");

    for field in ["SEQUENCE", "DEADLINE", "UPDATED_AT", "CREATED_AT"] {
        for direction in ["ASC", "DESC"] {
            let order = json!({ "field": field, "direction": direction });
            let (whole, _, more) = rows(&page(&app, b, &order, 100, &Value::Null).await);
            assert_eq!(whole.len(), 12, "{field} {direction}");
            assert!(!more);
            // Pages of 5, 5 and 2, each resuming after the last one's key.
            let mut walked = Vec::new();
            let mut after = Value::Null;
            for expected_more in [true, true, false] {
                let (items, end, more) = rows(&page(&app, b, &order, 5, &after).await);
                assert_eq!(more, expected_more, "{field} {direction} after {walked:?}");
                walked.extend(items);
                after = end;
            }
            assert_eq!(walked, whole, "{field} {direction}");
        }
    }
    // Tasks without a deadline come last both ways, on both backends.
    let (ascending, _, _) = rows(
        &page(
            &app,
            b,
            &json!({ "field": "DEADLINE", "direction": "ASC" }),
            100,
            &Value::Null,
        )
        .await,
    );
    let (descending, _, _) = rows(
        &page(
            &app,
            b,
            &json!({ "field": "DEADLINE", "direction": "DESC" }),
            100,
            &Value::Null,
        )
        .await,
    );
    assert_eq!(&ascending[8..], ["5", "7", "10", "12"]);
    assert_eq!(&descending[8..], ["12", "10", "7", "5"]);
    assert_eq!(&ascending[..3], ["6", "11", "1"]);

    // Newest first: read a page, then three tasks come in ahead of it and one of the page's
    // rows is deleted. The next page starts right after the cursor's row all the same.
    let newest = json!({ "field": "SEQUENCE", "direction": "DESC" });
    let (first, cursor, _) = rows(&page(&app, b, &newest, 5, &Value::Null).await);
    assert_eq!(first, ["12", "11", "10", "9", "8"]);
    for seq in ["13", "14", "15"] {
        app.gql(
            Some(b),
            create,
            json!({ "i": { "documentId": w.document, "seq": seq, "text": format!("第{seq}项") } }),
        )
        .await
        .data("/createTask/task/id");
    }
    app.gql(
        Some(b),
        "mutation($i: DeleteTaskInput!) { deleteTask(input: $i) { deletedTaskId } }",
        json!({ "i": { "id": created[8]["id"] } }),
    )
    .await
    .data("/deleteTask/deletedTaskId");
    let second = page(&app, b, &newest, 5, &cursor).await;
    let (next, _, more) = rows(&second);
    // An offset of 5 would have given 9, 8, 7, 6, 5: two rows again.
    assert_eq!(next, ["7", "6", "5", "4", "3"]);
    assert!(more);
    assert_eq!(second["pageInfo"]["hasPreviousPage"], true);
}

#[tokio::test]
async fn obligation_pages_resume_after_their_key_when_earlier_rows_come_in() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    w.generate_periods(&app).await;
    let a = w.unit_a_token.as_str();
    // Unit A owes task 1 each quarter.
    let (first, cursor, more) = rows(&obligations(&app, a, 3, &Value::Null).await);
    assert_eq!(first, ["2026-03-28 1", "2026-06-28 1", "2026-09-28 1"]);
    assert!(more);
    // A new task for unit A: its four obligations fall among the ones already paged through.
    app.gql(
        Some(&w.bureau),
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
        json!({ "i": { "documentId": w.document, "seq": "4", "text": "第4项",
                       "units": [{ "unitId": w.unit_a, "role": "LEAD" }] } }),
    )
    .await
    .data("/createTask/task/id");
    let (whole, _, _) = rows(&obligations(&app, a, 100, &Value::Null).await);
    assert_eq!(whole.len(), 8);
    let (next, _, more) = rows(&obligations(&app, a, 3, &cursor).await);
    // Exactly the rows after the cursor's in the list as it now stands; an offset of 3 would
    // have repeated 2026-06-28 1 and 2026-09-28 1.
    let resumed = whole.iter().position(|row| row == "2026-09-28 1").unwrap() + 1;
    assert_eq!(next, whole[resumed..resumed + 3]);
    assert_eq!(next, ["2026-09-28 4", "2026-12-28 1", "2026-12-28 4"]);
    assert!(!more);
}

#[tokio::test]
async fn a_cursor_is_good_only_in_its_own_list_and_order() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    w.generate_periods(&app).await;
    let b = w.bureau.as_str();
    let sequence = json!({ "field": "SEQUENCE", "direction": "ASC" });
    let task_cursor = rows(&page(&app, b, &sequence, 1, &Value::Null).await).1;
    let obligation_cursor = rows(&obligations(&app, &w.unit_a_token, 1, &Value::Null).await).1;
    let encode =
        |text: &str| Value::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text));
    let refused = [
        // Another order of the same list, or the other direction.
        (
            json!({ "field": "DEADLINE", "direction": "ASC" }),
            task_cursor.clone(),
        ),
        (
            json!({ "field": "SEQUENCE", "direction": "DESC" }),
            task_cursor.clone(),
        ),
        // Another list's key, an offset cursor, and keys altered by hand.
        (sequence.clone(), obligation_cursor.clone()),
        (sequence.clone(), encode("offset:0")),
        (
            sequence.clone(),
            encode(r#"key:["TASK_SEQUENCE_ASC","1","x",3]"#),
        ),
        (sequence.clone(), encode(r#"key:["TASK_SEQUENCE_ASC",1,2]"#)),
        (
            sequence.clone(),
            encode(r#"key:["TASK_SEQUENCE_ASC",1,99999999999,3]"#),
        ),
        (sequence.clone(), encode("key:{}")),
        (sequence.clone(), encode("key:[")),
    ];
    for (order, cursor) in refused {
        let message = app
            .gql(Some(b), TASKS, json!({ "o": order, "n": 1, "a": cursor }))
            .await
            .expect_error("BAD_USER_INPUT");
        assert!(message.contains("after"), "{order} {cursor}: {message}");
    }
    let message = app
        .gql(
            Some(&w.unit_a_token),
            OBLIGATIONS,
            json!({ "n": 1, "a": task_cursor }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    assert!(message.contains("after"), "{message}");
    // Its own cursor goes on.
    let (rest, _, _) = rows(&obligations(&app, &w.unit_a_token, 10, &obligation_cursor).await);
    assert_eq!(rest.len(), 3);
}

/// A unit's own list in the written order is read from its assignments, which carry copies of
/// each task's document and order (migration 34). It must be the very list the bureau sees for
/// that unit, read from the tasks: each task once though the unit holds two roles in it, none
/// deleted, in both directions and page by page, and still after a task is renumbered (the
/// copies follow) or a second document comes in.
#[tokio::test]
async fn a_units_own_list_read_from_its_assignments_is_the_list_of_its_tasks() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = w.bureau.as_str();
    let create = "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id version } } }";
    let task = |document: &str, seq: &str, units: Value| {
        let input = json!({ "i": { "documentId": document, "seq": seq,
                                   "text": format!("第{seq}项"), "units": units } });
        let app = &app;
        async move {
            app.gql(Some(b), create, input)
                .await
                .data("/createTask/task")
                .clone()
        }
    };
    let lead = |unit: &str| json!({ "unitId": unit, "role": "LEAD" });
    let cooperating = |unit: &str| json!({ "unitId": unit, "role": "COOPERATING" });
    let mut created = Vec::new();
    for (seq, units) in [
        ("4", json!([lead(&w.unit_a)])),
        // Two roles of the unit in one task: listed once.
        ("5", json!([lead(&w.unit_a), cooperating(&w.unit_a)])),
        ("6", json!([lead(&w.unit_b)])),
        ("7", json!([lead(&w.unit_b), cooperating(&w.unit_a)])),
        ("8", json!([cooperating(&w.unit_a)])),
        ("9", json!([lead(&w.unit_a)])),
    ] {
        created.push(task(&w.document, seq, units).await);
    }
    // A second document, created later: its tasks follow the first's.
    let second = app
        .gql(
            Some(b),
            "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }",
            json!({ "i": { "title": "2026年民生实事", "year": 2026, "kind": "LIVELIHOOD" } }),
        )
        .await
        .data("/createDocument/document/id")
        .as_str()
        .unwrap()
        .to_owned();
    for seq in ["1", "2"] {
        task(&second, seq, json!([lead(&w.unit_a)])).await;
    }
    // A deleted task of the unit's: in neither list.
    app.gql(
        Some(b),
        "mutation($i: DeleteTaskInput!) { deleteTask(input: $i) { deletedTaskId } }",
        json!({ "i": { "id": created[5]["id"] } }),
    )
    .await
    .data("/deleteTask/deletedTaskId");

    // The bureau's list of the unit's tasks, read from the tasks themselves.
    let of_unit = |order: &Value| {
        let variables = json!({ "f": { "unitId": w.unit_a }, "o": order });
        let app = &app;
        async move {
            let page = app
                .gql(
                    Some(b),
                    "query($f: TaskFilter, $o: TaskOrder) {
                       tasks(filter: $f, orderBy: $o, first: 100) {
                         edges { cursor node { seq } } pageInfo { hasNextPage hasPreviousPage endCursor } } }",
                    variables,
                )
                .await
                .data("/tasks")
                .clone();
            rows(&page).0
        }
    };
    let unit = w.unit_a_token.as_str();
    let compare = |when: &'static str| {
        let app = &app;
        let of_unit = &of_unit;
        async move {
            let mut ascending = Vec::new();
            for direction in ["ASC", "DESC"] {
                let order = json!({ "field": "SEQUENCE", "direction": direction });
                let expected = of_unit(&order).await;
                let (whole, _, more) = rows(&page(app, unit, &order, 100, &Value::Null).await);
                assert!(!more);
                assert_eq!(whole, expected, "{when}, {direction}");
                // Pages of 2, each resuming after the last one's key.
                let mut walked = Vec::new();
                let mut after = Value::Null;
                loop {
                    let (items, end, more) = rows(&page(app, unit, &order, 2, &after).await);
                    walked.extend(items);
                    after = end;
                    if !more {
                        break;
                    }
                }
                assert_eq!(walked, expected, "{when}, {direction}, by pages of 2");
                if direction == "ASC" {
                    ascending = expected;
                }
            }
            ascending
        }
    };

    let before = compare("as created").await;
    // The world's tasks of the unit, then 4, 5 (once), 7, 8 of the first document (9 deleted,
    // 6 not the unit's), then the second document's.
    assert_eq!(before.iter().filter(|s| *s == "5").count(), 1, "{before:?}");
    assert!(!before.contains(&"6".to_owned()) && !before.contains(&"9".to_owned()));
    assert_eq!(&before[before.len() - 2..], ["1", "2"], "{before:?}");

    // Task 8 renumbered to come first in its document: the unit's list follows it.
    app.gql(
        Some(b),
        "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }",
        json!({ "i": { "id": created[4]["id"], "version": created[4]["version"], "sortOrder": -1 } }),
    )
    .await
    .data("/updateTask/task/id");
    let after = compare("after renumbering").await;
    assert_eq!(after[0], "8", "{after:?}");

    let today = api::deadline::today_in_china(api::clock::Clock::now(&app.clock));
    assert_eq!(
        api::stats::check_counts(&app.db, today, Default::default())
            .await
            .unwrap(),
        Vec::<String>::new()
    );
}
