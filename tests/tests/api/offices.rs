//! Reviews by another office (issue 15): a notice names a leading group's office, hosted by a
//! unit ("领导小组办公室设在市工业和信息化局"), as the reviewer of its reports. The office's staff
//! (accounts with the role OFFICE) read that notice, its tasks, reports and figures, review its
//! reports, hear its events, and see nothing of any other notice; the bureau keeps reading and
//! reviewing everything, and sees who reviewed.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

const SUBMIT: &str =
    "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }";
const REVIEW: &str =
    "mutation($i: ReviewReportInput!) { reviewReport(input: $i) { report { state } } }";
const SET_OFFICE: &str = "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) {
    document { reviewingOffice { name } } } }";
const FIGURES: &str = "query($f: FiguresFilter) { reportingFigures(filter: $f) { obligations awaitingReview accepted } }";

/// The world, plus the manufacturing notice reviewed by its leading group's office, its one
/// task (unit A responsible, 刘震 leading), and an office account.
struct Office {
    world: World,
    office: String,
    notice: String,
    task: String,
    world_q1: Value,
    notice_q1: Value,
}

async fn gql_id(app: &TestApp, token: &str, query: &str, vars: Value, pointer: &str) -> String {
    app.gql(Some(token), query, vars)
        .await
        .data(pointer)
        .as_str()
        .expect("an id")
        .to_owned()
}

async fn office_world(app: &TestApp) -> Office {
    let world = World::build(app).await;
    let bureau = world.bureau.clone();
    let world_q1 = world.generate_periods(app).await[0].clone();
    let host = gql_id(
        app,
        &bureau,
        "mutation($i: CreateUnitInput!) { createUnit(input: $i) { unit { id } } }",
        json!({ "i": { "name": "市工业和信息化局", "kind": "CITY_DEPARTMENT" } }),
        "/createUnit/unit/id",
    )
    .await;
    let office = gql_id(
        app,
        &bureau,
        "mutation($i: CreateUnitInput!) { createUnit(input: $i) { unit { id } } }",
        json!({ "i": { "name": "市制造强市建设领导小组办公室", "kind": "OTHER", "parentId": host } }),
        "/createUnit/unit/id",
    )
    .await;
    let notice = gql_id(
        app,
        &bureau,
        "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }",
        json!({ "i": { "docNumber": "汴制强办〔2026〕3号", "title": "关于印发2026年制造强市建设工作要点的通知",
                       "kind": "PLANNING", "issuedOn": "2026-02-20",
                       "schedule": { "kind": "QUARTERLY", "dates": ["2026-03-28", "2026-06-28", "2026-09-28", "2026-12-28"] } } }),
        "/createDocument/document/id",
    )
    .await;
    let task = gql_id(
        app,
        &bureau,
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
        json!({ "i": { "documentId": notice, "seq": "1", "text": "新增规模以上工业企业100家。", "deadline": "2026-12-31",
                       "leaders": [{ "leaderId": world.leader_liu, "role": "RESPONSIBLE" }],
                       "units": [{ "unitId": world.unit_a, "role": "RESPONSIBLE" }] } }),
        "/createTask/task/id",
    )
    .await;
    let notice_q1 = app
        .gql(
            Some(&bureau),
            "mutation($i: GenerateReportingPeriodsInput!) { generateReportingPeriods(input: $i) { periods { id } } }",
            json!({ "i": { "documentId": notice } }),
        )
        .await
        .data("/generateReportingPeriods/periods/0/id")
        .clone();
    Office {
        world,
        office,
        notice,
        task,
        world_q1,
        notice_q1,
    }
}

#[tokio::test]
async fn a_leading_groups_office_reviews_its_notice_and_sees_nothing_of_others() {
    let app = TestApp::spawn().await;
    let o = office_world(&app).await;
    let w = &o.world;
    let bureau = w.bureau.as_str();

    // Only the bureau names a notice's reviewing office, and only a unit of the registry.
    let name_office = json!({ "i": { "id": o.notice, "reviewingOfficeId": o.office } });
    for token in [&w.liu_token, &w.unit_a_token, &w.service_token] {
        app.gql(Some(token), SET_OFFICE, name_office.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, SET_OFFICE, name_office.clone())
        .await
        .expect_error("UNAUTHENTICATED");
    app.gql(
        Some(bureau),
        SET_OFFICE,
        json!({ "i": { "id": o.notice, "reviewingOfficeId": w.leader_liu } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let named = app.gql(Some(bureau), SET_OFFICE, name_office).await;
    assert_eq!(
        named.data("/updateDocument/document/reviewingOffice/name"),
        "市制造强市建设领导小组办公室"
    );

    // Every signed-in role reads which office reviews the notice (documents are public).
    for token in [&w.liu_token, &w.unit_a_token, &w.service_token] {
        let read = app
            .gql(
                Some(token),
                "query($id: ID!) { document(id: $id) { reviewingOffice { name } } }",
                json!({ "id": o.notice }),
            )
            .await;
        assert_eq!(
            read.data("/document/reviewingOffice/name"),
            "市制造强市建设领导小组办公室"
        );
    }
    app.gql(
        None,
        "query($id: ID!) { document(id: $id) { reviewingOffice { name } } }",
        json!({ "id": o.notice }),
    )
    .await
    .expect_error("UNAUTHENTICATED");

    // Its staff: an OFFICE account needs its office.
    let create_user = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { role } } }";
    app.gql(
        Some(bureau),
        create_user,
        json!({ "i": { "username": "zqb", "password": PASSWORD, "role": "OFFICE" } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let created = app
        .gql(
            Some(bureau),
            create_user,
            json!({ "i": { "username": "zqb", "password": PASSWORD, "role": "OFFICE", "unitId": o.office } }),
        )
        .await;
    assert_eq!(created.data("/createUser/user/role"), "OFFICE");
    let staff = app.login("zqb", PASSWORD).await.0;

    // What the office reads: its notice and its task, nothing of the city's work report.
    let read = app
        .gql(
            Some(&staff),
            "{ documents { nodes { docNumber reviewingOffice { name } } } tasks { nodes { seq document { docNumber } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read.data("/documents/nodes"),
        &json!([{ "docNumber": "汴制强办〔2026〕3号", "reviewingOffice": { "name": "市制造强市建设领导小组办公室" } }])
    );
    assert_eq!(
        read.data("/tasks/nodes"),
        &json!([{ "seq": "1", "document": { "docNumber": "汴制强办〔2026〕3号" } }])
    );
    for (query, vars) in [
        (
            "query($id: ID!) { document(id: $id) { title } }",
            json!({ "id": w.document }),
        ),
        (
            "query($id: ID!) { task(id: $id) { seq } }",
            json!({ "id": w.tasks[0] }),
        ),
    ] {
        app.gql(Some(&staff), query, vars)
            .await
            .expect_error("NOT_FOUND");
    }
    // The bureau's read keeps the work report in the process (`reference_cache`), and its
    // relation fields take it from there at once: never for the office, whose rows have rules.
    app.gql(
        Some(bureau),
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        json!({ "ids": [w.document] }),
    )
    .await
    .data("/nodes/0/id");
    let hidden = app
        .gql(
            Some(&staff),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [w.document, w.tasks[0], o.notice] }),
        )
        .await;
    assert_eq!(
        hidden.data("/nodes"),
        &json!([null, null, { "id": o.notice }])
    );
    // The other notice's tasks are not there for the office to count either.
    let everything = app.gql(Some(&staff), FIGURES, json!({ "f": null })).await;
    assert_eq!(everything.data("/reportingFigures/obligations"), 4);

    // Unit A reports on both notices' first quarter.
    let submitted = |task: &str, period: &Value, key: &str| {
        let (app, token) = (&app, w.unit_a_token.clone());
        let vars = json!({ "i": { "taskId": task, "periodId": period, "idempotencyKey": key, "progress": "按计划推进" } });
        async move { gql_id(app, &token, SUBMIT, vars, "/submitReport/report/id").await }
    };
    let ours = submitted(&o.task, &o.notice_q1, "office-0001").await;
    let theirs = submitted(&w.tasks[0], &o.world_q1, "office-0002").await;

    // The office reviews its notice's report; another notice's report does not exist for it.
    let review = |report: &str, decision: &str| json!({ "i": { "reportId": report, "version": 1, "decision": decision, "comment": "数据需细化" } });
    app.gql(Some(&staff), REVIEW, review(&theirs, "ACCEPT"))
        .await
        .expect_error("NOT_FOUND");
    for token in [&w.liu_token, &w.unit_a_token, &w.service_token] {
        app.gql(Some(token), REVIEW, review(&ours, "ACCEPT"))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, REVIEW, review(&ours, "ACCEPT"))
        .await
        .expect_error("UNAUTHENTICATED");
    let before = app
        .gql(
            Some(&staff),
            FIGURES,
            json!({ "f": { "documentId": o.notice } }),
        )
        .await;
    assert_eq!(
        before.data("/reportingFigures"),
        &json!({ "obligations": 4, "awaitingReview": 1, "accepted": 0 })
    );
    let reviewed = app.gql(Some(&staff), REVIEW, review(&ours, "RETURN")).await;
    assert_eq!(reviewed.data("/reviewReport/report/state"), "RETURNED");
    let after = app
        .gql(
            Some(&staff),
            FIGURES,
            json!({ "f": { "documentId": o.notice } }),
        )
        .await;
    assert_eq!(
        after.data("/reportingFigures"),
        &json!({ "obligations": 4, "awaitingReview": 0, "accepted": 0 })
    );
    // The bureau reviews the other notice as ever, and sees who reviewed which.
    app.gql(Some(bureau), REVIEW, review(&theirs, "ACCEPT"))
        .await
        .data("/reviewReport/report/state");
    let reviewers = "query($id: ID!) { report(id: $id) { versions { review { decision reviewer { username role } } } } }";
    let seen = app
        .gql(Some(bureau), reviewers, json!({ "id": ours }))
        .await;
    assert_eq!(
        seen.data("/report/versions/0/review"),
        &json!({ "decision": "RETURNED", "reviewer": { "username": "zqb", "role": "OFFICE" } })
    );
    // The unit, the task's leader and the service read the decision, not the office's account;
    // the office reads its own.
    for token in [&w.unit_a_token, &w.liu_token, &w.service_token] {
        let view = app.gql(Some(token), reviewers, json!({ "id": ours })).await;
        assert_eq!(
            view.data("/report/versions/0/review"),
            &json!({ "decision": "RETURNED", "reviewer": null })
        );
    }
    let own = app
        .gql(Some(&staff), reviewers, json!({ "id": ours }))
        .await;
    assert_eq!(
        own.data("/report/versions/0/review/reviewer/username"),
        "zqb"
    );
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'report.review'")
            .await,
        2
    );

    // What the office may not do: the bureau's work, a unit's or a leader's page, instructions.
    for (query, vars) in [
        ("{ leaderPage { supervisedUnits { name } } }", json!({})),
        (
            "{ unitPage { awaitingReceipt { task { seq } } } }",
            json!({}),
        ),
        (
            "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }",
            json!({ "i": { "taskId": o.task, "unitId": w.unit_a, "message": "请按时报送" } }),
        ),
        (
            "mutation($i: WriteInstructionInput!) { writeInstruction(input: $i) { instruction { id } } }",
            json!({ "i": { "taskId": o.task, "body": "请加快进度" } }),
        ),
        (
            SET_OFFICE,
            json!({ "i": { "id": o.notice, "reviewingOfficeId": null } }),
        ),
        ("{ ranking { ranked } }", json!({})),
    ] {
        app.gql(Some(&staff), query, vars)
            .await
            .expect_error("FORBIDDEN");
    }

    // It ranks the units of its notice, and no other.
    let ranking = "query($d: ID) { ranking(documentId: $d) { ranked rows { unitName missing } } }";
    let ours_ranked = app
        .gql(Some(&staff), ranking, json!({ "d": o.notice }))
        .await;
    assert_eq!(
        ours_ranked.data("/ranking"),
        &json!({ "ranked": 1, "rows": [{ "unitName": "市发展和改革委员会", "missing": 0 }] })
    );
    app.gql(Some(&staff), ranking, json!({ "d": w.document }))
        .await
        .expect_error("NOT_FOUND");

    // Events: the office hears its notice's submission and review, nothing of the other notice;
    // unit A hears the office's decision.
    let heard: Vec<(String, String)> = app
        .heard(&staff)
        .await
        .into_iter()
        .filter(|(kind, _)| kind.starts_with("REPORT_"))
        .collect();
    assert_eq!(
        heard,
        [("REPORT_SUBMITTED", "1"), ("REPORT_RETURNED", "1")]
            .map(|(k, s)| (k.to_owned(), s.to_owned()))
    );
    let unit_heard = app.heard_kinds(&w.unit_a_token, "REPORT_").await;
    assert_eq!(
        unit_heard,
        [
            "REPORT_SUBMITTED",
            "REPORT_SUBMITTED",
            "REPORT_RETURNED",
            "REPORT_ACCEPTED"
        ]
    );

    // Clearing the office ends its staff's view at once.
    app.gql(
        Some(bureau),
        SET_OFFICE,
        json!({ "i": { "id": o.notice, "reviewingOfficeId": null } }),
    )
    .await
    .data("/updateDocument/document");
    let gone = app
        .gql(
            Some(&staff),
            "{ documents { totalCount } tasks { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(gone.data("/documents/totalCount"), 0);
    assert_eq!(gone.data("/tasks/totalCount"), 0);
}
