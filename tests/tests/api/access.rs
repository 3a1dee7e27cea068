//! Authorization by role and by row: every query and mutation for every role, allowed and
//! denied, and the row-level rules for tasks.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

/// Expected outcome per role, in the order anonymous, SERVICE, UNIT, LEADER, BUREAU: `None`
/// means success, `Some(code)` that error code. The bureau goes last, so that denied attempts
/// run against the state before any successful change.
type Expect = [Option<&'static str>; 5];

const READ_ALL: Expect = [Some("UNAUTHENTICATED"), None, None, None, None];
const BUREAU_ONLY: Expect = [
    Some("UNAUTHENTICATED"),
    Some("FORBIDDEN"),
    Some("FORBIDDEN"),
    Some("FORBIDDEN"),
    None,
];

async fn check(
    app: &TestApp,
    world: &World,
    query: &str,
    vars: impl Fn(&str) -> Value,
    expect: Expect,
) {
    let roles = world.roles();
    let callers = [
        ("anonymous", None),
        ("service", Some(roles.service)),
        ("unit", Some(roles.unit)),
        ("leader", Some(roles.leader)),
        ("bureau", Some(roles.bureau)),
    ];
    for ((label, token), expected) in callers.into_iter().zip(expect) {
        let response = app.gql(token, query, vars(label)).await;
        match expected {
            None => assert!(
                response.0.get("errors").is_none(),
                "{label} should be allowed `{query}`: {:#}",
                response.0
            ),
            Some(code) => assert_eq!(
                response.error_code(),
                Some(code),
                "{label} on `{query}`: {:#}",
                response.0
            ),
        }
    }
}

#[tokio::test]
async fn every_query_for_every_role() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let none = |_: &str| json!({});
    check(&app, &w, "{ me { id } }", none, READ_ALL).await;
    check(&app, &w, "{ units { totalCount } }", none, READ_ALL).await;
    check(
        &app,
        &w,
        "query($id: ID!) { unit(id: $id) { name } }",
        |_| json!({ "id": w.unit_c }),
        READ_ALL,
    )
    .await;
    check(&app, &w, "{ leaders { totalCount } }", none, READ_ALL).await;
    check(
        &app,
        &w,
        "query($id: ID!) { leader(id: $id) { name } }",
        |_| json!({ "id": w.leader_wang }),
        READ_ALL,
    )
    .await;
    check(&app, &w, "{ documents { totalCount } }", none, READ_ALL).await;
    check(
        &app,
        &w,
        "query($id: ID!) { document(id: $id) { title categories { title children { title } } } }",
        |_| json!({ "id": w.document }),
        READ_ALL,
    )
    .await;
    check(&app, &w, "{ tasks { totalCount } }", none, READ_ALL).await;
    // Task 1 is unit A's and names 刘震 in person.
    check(
        &app,
        &w,
        "query($id: ID!) { task(id: $id) { seq } }",
        |_| json!({ "id": w.tasks[0] }),
        READ_ALL,
    )
    .await;
    check(
        &app,
        &w,
        "query($id: ID!) { node(id: $id) { id } }",
        |_| json!({ "id": w.tasks[0] }),
        READ_ALL,
    )
    .await;
    // Task 3 is neither unit A's nor 刘震's.
    let not_theirs = [
        Some("UNAUTHENTICATED"),
        None,
        Some("NOT_FOUND"),
        Some("NOT_FOUND"),
        None,
    ];
    check(
        &app,
        &w,
        "query($id: ID!) { task(id: $id) { seq } }",
        |_| json!({ "id": w.tasks[2] }),
        not_theirs,
    )
    .await;
    check(
        &app,
        &w,
        "query($id: ID!) { node(id: $id) { id } }",
        |_| json!({ "id": w.tasks[2] }),
        not_theirs,
    )
    .await;
    check(&app, &w, "{ users { totalCount } }", none, BUREAU_ONLY).await;
    check(&app, &w, "{ auditLog { totalCount } }", none, BUREAU_ONLY).await;
}

#[tokio::test]
async fn every_mutation_for_every_role() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let admin = &w.bureau;

    check(
        &app,
        &w,
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
        |role| json!({ "i": { "username": format!("new-{role}"), "password": "password-123", "role": "BUREAU" } }),
        BUREAU_ONLY,
    )
    .await;
    let fgw_id = app
        .gql(Some(&w.unit_a_token), "{ me { id } }", json!({}))
        .await
        .data("/me/id")
        .clone();
    check(
        &app,
        &w,
        "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { displayName } } }",
        |role| json!({ "i": { "id": fgw_id, "displayName": format!("发改委 {role}") } }),
        BUREAU_ONLY,
    )
    .await;
    check(
        &app,
        &w,
        "mutation($i: CreateUnitInput!) { createUnit(input: $i) { unit { id } } }",
        |role| json!({ "i": { "name": format!("市测试局{role}"), "kind": "CITY_DEPARTMENT" } }),
        BUREAU_ONLY,
    )
    .await;
    check(
        &app,
        &w,
        "mutation($i: UpdateUnitInput!) { updateUnit(input: $i) { unit { sortOrder } } }",
        |_| json!({ "i": { "id": w.unit_b, "sortOrder": 5 } }),
        BUREAU_ONLY,
    )
    .await;
    check(
        &app,
        &w,
        "mutation($i: AddUnitAliasInput!) { addUnitAlias(input: $i) { unit { id } } }",
        |role| json!({ "i": { "unitId": w.unit_b, "alias": format!("财政局{role}") } }),
        BUREAU_ONLY,
    )
    .await;
    let spare = app
        .gql(
            Some(admin),
            "mutation { createUnit(input: {name: \"市财政局（重复）\", kind: CITY_DEPARTMENT}) { unit { id } } }",
            json!({}),
        )
        .await
        .data("/createUnit/unit/id")
        .clone();
    check(
        &app,
        &w,
        "mutation($i: MergeUnitsInput!) { mergeUnits(input: $i) { target { id } } }",
        |_| json!({ "i": { "sourceId": spare, "targetId": w.unit_b } }),
        BUREAU_ONLY,
    )
    .await;
    check(
        &app,
        &w,
        "mutation($i: CreateLeaderInput!) { createLeader(input: $i) { leader { id } } }",
        |role| json!({ "i": { "name": format!("李{role}"), "post": "副市长" } }),
        BUREAU_ONLY,
    )
    .await;
    check(
        &app,
        &w,
        "mutation($i: UpdateLeaderInput!) { updateLeader(input: $i) { leader { sortOrder } } }",
        |_| json!({ "i": { "id": w.leader_wang, "sortOrder": 2 } }),
        BUREAU_ONLY,
    )
    .await;
    check(
        &app,
        &w,
        "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }",
        |role| json!({ "i": { "title": format!("测试通知 {role}"), "year": 2026, "kind": "LIVELIHOOD" } }),
        BUREAU_ONLY,
    )
    .await;
    check(
        &app,
        &w,
        "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { declaredTotal } } }",
        |_| json!({ "i": { "id": w.document, "declaredTotal": 3 } }),
        BUREAU_ONLY,
    )
    .await;
    check(
        &app,
        &w,
        "mutation($i: CreateCategoryInput!) { createCategory(input: $i) { category { id } } }",
        |role| json!({ "i": { "documentId": w.document, "ordinal": "三", "title": format!("其他 {role}") } }),
        BUREAU_ONLY,
    )
    .await;
    check(
        &app,
        &w,
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
        |role| json!({ "i": { "documentId": w.document, "seq": format!("9-{role}"), "text": "新增事项" } }),
        BUREAU_ONLY,
    )
    .await;
    let version = app
        .gql(
            Some(admin),
            "query($id: ID!) { task(id: $id) { version } }",
            json!({ "id": w.tasks[0] }),
        )
        .await
        .data("/task/version")
        .clone();
    check(
        &app,
        &w,
        "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { percent } } }",
        |_| json!({ "i": { "id": w.tasks[0], "version": version, "percent": 30 } }),
        BUREAU_ONLY,
    )
    .await;
    // Completion (办结), cancellation and reopening are the bureau's decisions.
    for (field, comment) in [("completeTask", None), ("reopenTask", Some("指标未达成"))] {
        let version = app
            .gql(
                Some(admin),
                "query($id: ID!) { task(id: $id) { version } }",
                json!({ "id": w.tasks[1] }),
            )
            .await
            .data("/task/version")
            .clone();
        check(
            &app,
            &w,
            &format!(
                "mutation($i: DecideTaskInput!) {{ {field}(input: $i) {{ task {{ status }} }} }}"
            ),
            |_| json!({ "i": { "id": w.tasks[1], "version": version, "comment": comment } }),
            BUREAU_ONLY,
        )
        .await;
    }
    check(
        &app,
        &w,
        "mutation($i: SetTaskLeadersInput!) { setTaskLeaders(input: $i) { task { id } } }",
        |_| json!({ "i": { "taskId": w.tasks[0], "leaders": [{ "leaderId": w.leader_liu, "role": "RESPONSIBLE" }] } }),
        BUREAU_ONLY,
    )
    .await;
    check(
        &app,
        &w,
        "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task { id } } }",
        |_| json!({ "i": { "taskId": w.tasks[0], "units": [
            { "unitId": w.unit_a, "role": "LEAD" }, { "unitId": w.unit_b, "role": "COOPERATING" }] } }),
        BUREAU_ONLY,
    )
    .await;
    // Unit A's own task 1: a unit may read it but never delete it.
    check(
        &app,
        &w,
        "mutation($i: DeleteTaskInput!) { deleteTask(input: $i) { deletedTaskId } }",
        |_| json!({ "i": { "id": w.tasks[0] } }),
        BUREAU_ONLY,
    )
    .await;
    // Any signed-in user may change their own password; a wrong current password proves the
    // call got past authorization.
    check(
        &app,
        &w,
        "mutation { changePassword(input: {currentPassword: \"wrong-one-1\", newPassword: \"new-password-1\"}) { user { id } } }",
        |_| json!({}),
        [Some("UNAUTHENTICATED"), Some("BAD_USER_INPUT"), Some("BAD_USER_INPUT"), Some("BAD_USER_INPUT"), Some("BAD_USER_INPUT")],
    )
    .await;
    // No denied attempt left a trace: only the bureau's calls were audited.
    let audited_by_others = app
        .count_rows(
            "audit_log WHERE actor IN ('fgw', 'liuzhen', 'dashboard') AND action NOT LIKE 'auth.%'",
        )
        .await;
    assert_eq!(audited_by_others, 0);
}

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
async fn workflow_fields_refuse_anonymous_callers_and_machine_writes() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    // Well-formed ids of each kind; the rows need not exist for the refusal to come first.
    let id = |kind: &str| base64_id(kind);
    let cases: Vec<(&str, Value)> = vec![
        (
            "mutation($i: SaveReportDraftInput!) { saveReportDraft(input: $i) { report { id } } }",
            json!({ "i": { "taskId": w.tasks[0], "periodId": id("ReportingPeriod"), "progress": "x" } }),
        ),
        (
            "mutation($i: ReviewReportInput!) { reviewReport(input: $i) { report { id } } }",
            json!({ "i": { "reportId": id("ProgressReport"), "version": 1, "decision": "ACCEPT" } }),
        ),
        (
            "query($r: ID!) { report(id: $r) { id } }",
            json!({ "r": id("ProgressReport") }),
        ),
        ("{ obligations { totalCount } }", json!({})),
        (
            "mutation($i: AcknowledgeReminderInput!) { acknowledgeReminder(input: $i) { reminder { id } } }",
            json!({ "i": { "id": id("Reminder") } }),
        ),
        ("{ reminders { totalCount } }", json!({})),
        (
            "mutation($i: DecideExtensionInput!) { decideExtension(input: $i) { extension { id } } }",
            json!({ "i": { "id": id("ExtensionRequest"), "approve": true } }),
        ),
        ("{ extensionRequests { totalCount } }", json!({})),
        (
            "mutation($i: UpdateLedgerEntryInput!) { updateLedgerEntry(input: $i) { entry { id } } }",
            json!({ "i": { "id": id("LedgerEntry"), "version": 1, "title": "x" } }),
        ),
        (
            "mutation($i: DeleteLedgerEntryInput!) { deleteLedgerEntry(input: $i) { entry { id } } }",
            json!({ "i": { "id": id("LedgerEntry"), "version": 1 } }),
        ),
        (
            "mutation($i: GenerateReportingPeriodsInput!) { generateReportingPeriods(input: $i) { periods { id } } }",
            json!({ "i": { "documentId": w.document } }),
        ),
    ];
    for (query, vars) in &cases {
        app.gql(None, query, vars.clone())
            .await
            .expect_error("UNAUTHENTICATED");
    }
    // A machine account reads but never writes the workflow.
    let entry = app
        .gql(
            Some(&w.unit_a_token),
            "mutation($i: AddLedgerEntryInput!) { addLedgerEntry(input: $i) { entry { id } } }",
            json!({ "i": { "taskId": w.tasks[0], "title": "台账" } }),
        )
        .await
        .data("/addLedgerEntry/entry/id")
        .clone();
    for query in [
        "mutation($i: UpdateLedgerEntryInput!) { updateLedgerEntry(input: $i) { entry { id } } }",
        "mutation($i: DeleteLedgerEntryInput!) { deleteLedgerEntry(input: $i) { entry { id } } }",
    ] {
        let response = app
            .gql(
                Some(&w.service_token),
                query,
                json!({ "i": { "id": entry, "version": 1 } }),
            )
            .await;
        assert!(
            matches!(response.error_code(), Some("FORBIDDEN" | "NOT_FOUND")),
            "{:#}",
            response.0
        );
    }
    assert_eq!(
        app.count_rows("ledger_entries WHERE version = 1 AND deleted_at IS NULL")
            .await,
        1
    );
}

fn base64_id(kind: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:1"))
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
