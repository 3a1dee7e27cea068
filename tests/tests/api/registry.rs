//! The registry: units with aliases and merging, leaders, documents with category trees, users.

use serde_json::json;
use tests::TestApp;
use tests::world::World;

const CREATE_UNIT: &str =
    "mutation($i: CreateUnitInput!) { createUnit(input: $i) { unit { id name } } }";

#[tokio::test]
async fn units_are_found_by_name_or_alias_and_names_are_unique_across_both() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let search = "query($s: String) { units(search: $s) { totalCount nodes { name aliases { alias source } } } }";
    let found = app.gql(b, search, json!({ "s": "发改委" })).await;
    assert_eq!(found.data("/units/totalCount"), 1);
    assert_eq!(found.data("/units/nodes/0/name"), "市发展和改革委员会");
    assert_eq!(found.data("/units/nodes/0/aliases/0/alias"), "市发改委");
    assert_eq!(found.data("/units/nodes/0/aliases/0/source"), "MANUAL");

    // A name already used as a name or as an alias of another unit is a conflict.
    for name in ["市财政局", "市发改委"] {
        app.gql(
            b,
            CREATE_UNIT,
            json!({ "i": { "name": name, "kind": "CITY_DEPARTMENT" } }),
        )
        .await
        .expect_error("CONFLICT");
    }
    app.gql(
        b,
        "mutation($i: AddUnitAliasInput!) { addUnitAlias(input: $i) { unit { id } } }",
        json!({ "i": { "unitId": w.unit_b, "alias": "尉氏县" } }),
    )
    .await
    .expect_error("CONFLICT");
    // Empty and over-long names are refused; nothing is stored.
    let before = app.count_rows("units").await;
    for name in ["", "　 ", &"局".repeat(101)] {
        app.gql(
            b,
            CREATE_UNIT,
            json!({ "i": { "name": name, "kind": "OTHER" } }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    }
    assert_eq!(app.count_rows("units").await, before);

    // Chinese text is stored exactly: surrounding whitespace (also full-width) is trimmed, the
    // inside is left alone.
    let created = app
        .gql(
            b,
            CREATE_UNIT,
            json!({ "i": { "name": "　市委宣传部（市文明办） ", "kind": "PARTY_ORGAN" } }),
        )
        .await;
    assert_eq!(
        created.data("/createUnit/unit/name"),
        "市委宣传部（市文明办）"
    );
}

#[tokio::test]
async fn renaming_a_unit_keeps_the_old_name_as_an_alias() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let renamed = app
        .gql(
            b,
            "mutation($i: UpdateUnitInput!) { updateUnit(input: $i) { unit { name aliases { alias } } } }",
            json!({ "i": { "id": w.unit_b, "name": "市财政局（市国资委）" } }),
        )
        .await;
    assert_eq!(
        renamed.data("/updateUnit/unit/name"),
        "市财政局（市国资委）"
    );
    assert_eq!(renamed.data("/updateUnit/unit/aliases/0/alias"), "市财政局");
    // A unit cannot become its own ancestor.
    app.gql(
        b,
        "mutation($i: UpdateUnitInput!) { updateUnit(input: $i) { unit { id } } }",
        json!({ "i": { "id": w.unit_b, "parentId": w.unit_b } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn merging_units_moves_every_assignment_and_name() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    // A duplicate of unit A, created by a clerk, with its own alias, a task and a user.
    let dup = app
        .gql(b, CREATE_UNIT, json!({ "i": { "name": "开封市发展和改革委员会", "kind": "CITY_DEPARTMENT", "aliases": ["市发改"] } }))
        .await
        .data("/createUnit/unit/id")
        .clone();
    app.gql(
        b,
        "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task { id } } }",
        json!({ "i": { "taskId": w.tasks[2], "units": [
            { "unitId": w.unit_c, "role": "RESPONSIBLE" }, { "unitId": dup, "role": "COOPERATING" }] } }),
    )
    .await
    .data("/setTaskUnits");
    // Task 1 already has unit A as LEAD; give the duplicate the same role there too.
    app.gql(
        b,
        "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "units": [
            { "unitId": w.unit_a, "role": "LEAD" }, { "unitId": dup, "role": "LEAD" }, { "unitId": w.unit_b, "role": "COOPERATING" }] } }),
    )
    .await
    .data("/setTaskUnits");
    app.gql(
        b,
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
        json!({ "i": { "username": "fgw2", "password": "plum-orbit-canvas-47", "role": "UNIT", "unitId": dup } }),
    )
    .await
    .data("/createUser");

    let merged = app
        .gql(
            b,
            "mutation($i: MergeUnitsInput!) { mergeUnits(input: $i) { target { name aliases { alias source } }
                moved { aliases taskAssignments duplicateAssignmentsDropped users } } }",
            json!({ "i": { "sourceId": dup, "targetId": w.unit_a } }),
        )
        .await;
    assert_eq!(merged.data("/mergeUnits/moved/taskAssignments"), 1);
    assert_eq!(
        merged.data("/mergeUnits/moved/duplicateAssignmentsDropped"),
        1
    );
    assert_eq!(merged.data("/mergeUnits/moved/users"), 1);
    // The receipts follow the assignments: the merged unit's withdrawn, none twice.
    assert_eq!(
        app.count_rows("task_receipts WHERE withdrawn_at IS NULL")
            .await,
        app.count_rows("(SELECT DISTINCT task_id, unit_id FROM task_units) AS t")
            .await
    );
    assert_eq!(
        app.count_rows(&format!(
            "task_receipts WHERE withdrawn_at IS NULL AND unit_id = {}",
            api::graphql::relay::parse_global_id(&async_graphql::ID(
                dup.as_str().unwrap().to_owned()
            ))
            .unwrap()
            .1
        ))
        .await,
        0
    );
    assert_eq!(merged.data("/mergeUnits/moved/aliases"), 2);
    let aliases: Vec<&str> = merged
        .data("/mergeUnits/target/aliases")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["alias"].as_str().unwrap())
        .collect();
    assert!(
        aliases.contains(&"开封市发展和改革委员会") && aliases.contains(&"市发改"),
        "{aliases:?}"
    );

    // The merged user now works on unit A's tasks, task 3 included.
    let token = app.login("fgw2", "plum-orbit-canvas-47").await.0;
    let seqs = app
        .gql(Some(&token), "{ tasks { nodes { seq } } }", json!({}))
        .await;
    assert_eq!(
        seqs.data("/tasks/nodes"),
        &json!([{ "seq": "1" }, { "seq": "3" }])
    );
    // The source remains, inactive, pointing at the target.
    let source = app
        .gql(
            b,
            "query($id: ID!) { unit(id: $id) { isActive mergedInto { name } } }",
            json!({ "id": dup }),
        )
        .await;
    assert_eq!(source.data("/unit/isActive"), false);
    assert_eq!(source.data("/unit/mergedInto/name"), "市发展和改革委员会");
    // Merging again, or into itself, is refused.
    let again = "mutation($i: MergeUnitsInput!) { mergeUnits(input: $i) { target { id } } }";
    app.gql(
        b,
        again,
        json!({ "i": { "sourceId": dup, "targetId": w.unit_a } }),
    )
    .await
    .expect_error("CONFLICT");
    app.gql(
        b,
        again,
        json!({ "i": { "sourceId": w.unit_a, "targetId": w.unit_a } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    // Merged units cannot receive new assignments.
    app.gql(
        b,
        "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task { id } } }",
        json!({ "i": { "taskId": w.tasks[1], "units": [{ "unitId": dup, "role": "RESPONSIBLE" }] } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn leaders_list_supervised_units_and_their_tasks() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let leader = app
        .gql(
            Some(&w.bureau),
            "query($id: ID!) { leader(id: $id) { name post supervisedUnits { name } tasks { totalCount nodes { seq } } } }",
            json!({ "id": w.leader_liu }),
        )
        .await;
    assert_eq!(
        leader.data("/leader/supervisedUnits/0/name"),
        "市发展和改革委员会"
    );
    assert_eq!(
        leader.data("/leader/tasks/nodes"),
        &json!([{ "seq": "1" }, { "seq": "2" }])
    );
    let search = app
        .gql(
            Some(&w.unit_a_token),
            "{ leaders(search: \"常务\") { nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(search.data("/leaders/nodes"), &json!([{ "name": "刘震" }]));
    app.gql(
        Some(&w.bureau),
        "mutation { createLeader(input: {name: \"  \"}) { leader { id } } }",
        json!({}),
    )
    .await
    .expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn documents_carry_their_schedule_category_tree_and_original_text() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let text = "开封市人民政府办公室文件\n\n汴政办〔2026〕2号\n\n  原文保留空格与换行  \n";
    let created = app
        .gql(
            b,
            "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id year kind
                schedule { kind dayOfMonth asWritten } originalText obligationRule } } }",
            json!({ "i": { "docNumber": "汴政办〔2026〕2号", "title": "民生实事", "issuedOn": "2026-03-21",
                           "kind": "LIVELIHOOD", "originalText": text,
                           "schedule": { "kind": "MONTHLY", "dayOfMonth": 28, "asWritten": "每月28日前" } } }),
        )
        .await;
    assert_eq!(created.data("/createDocument/document/year"), 2026);
    assert_eq!(created.data("/createDocument/document/originalText"), text);
    assert_eq!(
        created.data("/createDocument/document/schedule/dayOfMonth"),
        28
    );
    assert_eq!(
        created.data("/createDocument/document/obligationRule"),
        "LEAD_ELSE_RESPONSIBLE"
    );

    let tree = app
        .gql(
            b,
            "query($id: ID!) { document(id: $id) { categories { ordinal path children { ordinal path title } } } }",
            json!({ "id": w.document }),
        )
        .await;
    assert_eq!(tree.data("/document/categories/1/children/1/path"), "2.2");
    assert_eq!(
        tree.data("/document/categories/1/children/1/title"),
        "加快建设现代化产业体系"
    );

    let bad =
        "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }";
    let before = app.count_rows("documents").await;
    let conflict = app
        .gql(b, bad, json!({ "i": { "docNumber": "汴政办〔2026〕1号", "title": "重复", "year": 2026, "kind": "OTHER" } }))
        .await;
    conflict.expect_error("CONFLICT");
    for schedule in [
        json!({ "kind": "MONTHLY" }),
        json!({ "kind": "ONCE", "dates": [] }),
        json!({ "kind": "MONTHLY", "dayOfMonth": 32 }),
    ] {
        app.gql(b, bad, json!({ "i": { "title": "通知", "year": 2026, "kind": "OTHER", "schedule": schedule } }))
            .await
            .expect_error("BAD_USER_INPUT");
    }
    app.gql(b, bad, json!({ "i": { "title": "通知", "kind": "OTHER" } }))
        .await
        .expect_error("BAD_USER_INPUT");
    assert_eq!(app.count_rows("documents").await, before);

    let search = app
        .gql(
            b,
            "{ documents(search: \"〔2026〕2号\") { nodes { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(search.data("/documents/nodes/0/title"), "民生实事");
}

#[tokio::test]
async fn users_need_the_link_their_role_implies_and_the_last_bureau_user_stays() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = Some(w.bureau.as_str());
    let create = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }";
    let cases = [
        json!({ "username": "u1", "password": "plum-orbit-canvas-47", "role": "UNIT" }),
        json!({ "username": "u1", "password": "plum-orbit-canvas-47", "role": "LEADER", "unitId": w.unit_a }),
        json!({ "username": "u1", "password": "plum-orbit-canvas-47", "role": "BUREAU", "unitId": w.unit_a }),
        json!({ "username": "u1", "password": "short", "role": "BUREAU" }),
        json!({ "username": "a b", "password": "plum-orbit-canvas-47", "role": "BUREAU" }),
    ];
    let before = app.count_rows("users").await;
    for input in cases {
        app.gql(b, create, json!({ "i": input }))
            .await
            .expect_error("BAD_USER_INPUT");
    }
    app.gql(
        b,
        create,
        json!({ "i": { "username": "fgw", "password": "plum-orbit-canvas-47", "role": "BUREAU" } }),
    )
    .await
    .expect_error("CONFLICT");
    assert_eq!(app.count_rows("users").await, before);

    // No password hash is reachable: the User type has no such field.
    let hash = app
        .gql(b, "{ users { nodes { passwordHash } } }", json!({}))
        .await;
    hash.expect_error("BAD_USER_INPUT");
    let audit = app
        .gql(
            b,
            "{ auditLog(filter: {action: USER_CREATE}) { nodes { after } } }",
            json!({}),
        )
        .await;
    assert!(
        !audit.0.to_string().contains("argon2"),
        "audit rows carry no password hash"
    );

    let admin_id = app
        .gql(b, "{ me { id } }", json!({}))
        .await
        .data("/me/id")
        .clone();
    app.gql(
        b,
        "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id } } }",
        json!({ "i": { "id": admin_id, "isActive": false } }),
    )
    .await
    .expect_error("CONFLICT");
}
