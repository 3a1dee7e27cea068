//! Authorization by role: every query and mutation for every role, allowed and denied. The
//! row-level rules for tasks are in `visibility`.

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
        |role| json!({ "i": { "username": format!("new-{role}"), "password": "plum-orbit-canvas-47", "role": "BUREAU" } }),
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
        "mutation { changePassword(input: {currentPassword: \"wrong-one-1\", newPassword: \"violet-anchor-meadow-31\"}) { user { id } } }",
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
