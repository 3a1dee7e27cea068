//! Row-level visibility of tasks: each role sees exactly its tasks, through every path (lists,
//! `node`, relations), with posts and collective words resolved to whoever holds them now.

use serde_json::json;
use tests::TestApp;
use tests::world::World;

const TASK_SEQS: &str = "{ tasks { totalCount nodes { seq } } }";

fn seqs(response: &tests::GqlResponse) -> Vec<String> {
    response
        .data("/tasks/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["seq"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_role_sees_exactly_its_tasks() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let cases = [
        (&w.bureau, vec!["1", "2", "3"]),
        (&w.service_token, vec!["1", "2", "3"]),
        (&w.unit_a_token, vec!["1"]),
        (&w.unit_b_token, vec!["1", "2"]),
        (&w.unit_c_token, vec!["3"]),
        // 刘震 is named in person on task 1 and holds the post 常务副市长 named on task 2.
        (&w.liu_token, vec!["1", "2"]),
        (&w.wang_token, vec!["3"]),
    ];
    for (token, expected) in cases {
        let response = app.gql(Some(token), TASK_SEQS, json!({})).await;
        assert_eq!(seqs(&response), expected);
        assert_eq!(response.data("/tasks/totalCount"), expected.len());
    }
}

#[tokio::test]
async fn a_unit_never_sees_another_units_task_through_any_path() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let a = Some(w.unit_a_token.as_str());

    // Through the unit registry: unit C's tasks, read by unit A, are empty.
    let other = app
        .gql(
            a,
            "query($id: ID!) { unit(id: $id) { tasks { totalCount } } }",
            json!({ "id": w.unit_c }),
        )
        .await;
    assert_eq!(other.data("/unit/tasks/totalCount"), 0);
    // Through the document and the leader.
    let doc = app
        .gql(
            a,
            "query($id: ID!) { document(id: $id) { tasks { nodes { seq } } } }",
            json!({ "id": w.document }),
        )
        .await;
    assert_eq!(doc.data("/document/tasks/nodes"), &json!([{ "seq": "1" }]));
    let leader = app
        .gql(
            a,
            "query($id: ID!) { leader(id: $id) { tasks { totalCount } } }",
            json!({ "id": w.leader_wang }),
        )
        .await;
    assert_eq!(leader.data("/leader/tasks/totalCount"), 0);
    // Through filters that name the other unit.
    let filtered = app
        .gql(
            a,
            "query($u: ID!) { tasks(filter: {unitId: $u}) { totalCount } }",
            json!({ "u": w.unit_c }),
        )
        .await;
    assert_eq!(filtered.data("/tasks/totalCount"), 0);
    // Directly and through node: NOT_FOUND, which does not reveal that the task exists.
    for query in [
        "query($id: ID!) { task(id: $id) { seq } }",
        "query($id: ID!) { node(id: $id) { id } }",
    ] {
        app.gql(a, query, json!({ "id": w.tasks[2] }))
            .await
            .expect_error("NOT_FOUND");
    }
}

#[tokio::test]
async fn a_post_resolves_to_whoever_holds_it_now() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let holder =
        "query($id: ID!) { task(id: $id) { leaders { nameAsWritten post leader { name } } } }";
    let before = app
        .gql(Some(&w.bureau), holder, json!({ "id": w.tasks[1] }))
        .await;
    assert_eq!(before.data("/task/leaders/0/post"), "常务副市长");
    assert_eq!(before.data("/task/leaders/0/leader/name"), "刘震");

    // 王玲 takes the post; 刘震 leaves it.
    let update = "mutation($i: UpdateLeaderInput!) { updateLeader(input: $i) { leader { post } } }";
    app.gql(
        Some(&w.bureau),
        update,
        json!({ "i": { "id": w.leader_liu, "post": null } }),
    )
    .await
    .data("/updateLeader");
    app.gql(
        Some(&w.bureau),
        update,
        json!({ "i": { "id": w.leader_wang, "post": "常务副市长" } }),
    )
    .await
    .data("/updateLeader");

    let after = app
        .gql(Some(&w.bureau), holder, json!({ "id": w.tasks[1] }))
        .await;
    assert_eq!(after.data("/task/leaders/0/leader/name"), "王玲");
    // Their task lists follow the post (tokens stay valid: the post is read per request).
    assert_eq!(
        seqs(&app.gql(Some(&w.liu_token), TASK_SEQS, json!({})).await),
        vec!["1"]
    );
    assert_eq!(
        seqs(&app.gql(Some(&w.wang_token), TASK_SEQS, json!({})).await),
        vec!["2", "3"]
    );
}

#[tokio::test]
async fn node_resolves_every_kind_of_id_under_the_same_rules() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let node = "query($id: ID!) { node(id: $id) { __typename id } }";
    let me = app
        .gql(Some(&w.unit_a_token), "{ me { id } }", json!({}))
        .await
        .data("/me/id")
        .clone();
    for (id, typename) in [
        (json!(w.unit_a), "Unit"),
        (json!(w.leader_liu), "Leader"),
        (json!(w.document), "Document"),
        (json!(w.category_two_one), "Category"),
        (json!(w.tasks[1]), "Task"),
        (me.clone(), "User"),
    ] {
        let response = app.gql(Some(&w.bureau), node, json!({ "id": id })).await;
        assert_eq!(response.data("/node/__typename"), typename);
        assert_eq!(response.data("/node/id"), &id);
    }
    // A unit reads its own user through node, but no one else's.
    let own = app
        .gql(Some(&w.unit_a_token), node, json!({ "id": me }))
        .await;
    assert_eq!(own.data("/node/__typename"), "User");
    let admin = app
        .gql(Some(&w.bureau), "{ me { id } }", json!({}))
        .await
        .data("/me/id")
        .clone();
    app.gql(Some(&w.unit_a_token), node, json!({ "id": admin }))
        .await
        .expect_error("NOT_FOUND");
    app.gql(Some(&w.bureau), node, json!({ "id": "garbage" }))
        .await
        .expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn collective_leaders_see_the_tasks_their_post_is_named_in() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    app.gql(
        Some(&w.bureau),
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
        json!({ "i": { "documentId": w.document, "seq": "4", "text": "各位副市长分别牵头分管领域安全生产。",
                       "leaders": [{ "collective": "各位副市长", "role": "LEAD", "nameAsWritten": "各位副市长" }],
                       "units": [{ "unitId": w.unit_c, "role": "RESPONSIBLE" }] } }),
    )
    .await
    .data("/createTask/task/id");
    // 王玲 (副市长) and 刘震 (常务副市长, also a 副市长) both see task 4; units still by unit.
    for (token, expected) in [
        (&w.wang_token, vec!["3", "4"]),
        (&w.liu_token, vec!["1", "2", "4"]),
        (&w.unit_a_token, vec!["1"]),
        (&w.unit_c_token, vec!["3", "4"]),
    ] {
        let seen = app.gql(Some(token), TASK_SEQS, json!({})).await;
        assert_eq!(seqs(&seen), expected);
    }
}
