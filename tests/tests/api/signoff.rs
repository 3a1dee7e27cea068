//! A unit's own sign-off (审核签发): in 市财政局 (unit B), which requires it, the clerk (czj)
//! drafts task 2's Q1 report and puts it to the head (czjhead), who returns it once and then
//! approves it; the bureau receives it naming both. 市发改委 (unit A) does not sign off and
//! submits as before.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

const PUT: &str = "mutation($i: SubmitReportInput!) { submitForSignoff(input: $i) { signoff { id state progress percent } } }";
const APPROVE: &str = "mutation($id: ID!) { approveSignoff(id: $id) { signoff { state decidedAt }
    submitted { report { state } version { version isLate attachments { fileName } } } } }";
const RETURN: &str = "mutation($id: ID!, $c: String!) { returnSignoff(id: $id, comment: $c) { signoff { state comment } } }";
const LIST: &str = "{ reportSignoffs { totalCount nodes { state unit { name } } } }";
const SUBMIT: &str =
    "mutation($i: SubmitReportInput!) { submitReport(input: $i) { version { version } } }";

async fn at(app: &TestApp, month: u32, day: u32, hour: u32) {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, month, day, hour, 0, 0).unwrap());
}

#[tokio::test]
async fn a_clerk_drafts_the_head_returns_then_approves_and_the_bureau_sees_both() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    let b = Some(w.bureau.as_str());

    // The bureau says unit B signs its reports off, and who is its clerk and its head.
    let set = json!({ "i": { "id": w.unit_b, "signoffRequired": true } });
    let update_unit =
        "mutation($i: UpdateUnitInput!) { updateUnit(input: $i) { unit { signoffRequired } } }";
    app.gql(Some(&w.unit_b_token), update_unit, set.clone())
        .await
        .expect_error("FORBIDDEN");
    let unit = app.gql(b, update_unit, set).await;
    assert_eq!(unit.data("/updateUnit/unit/signoffRequired"), true);
    let users = app
        .gql(
            b,
            "{ users(first: 100) { nodes { id username } } }",
            json!({}),
        )
        .await;
    let id_of = |name: &str| {
        users
            .data("/users/nodes")
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .clone()
    };
    let clerk_post = app
        .gql(
            b,
            "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { unitPost } } }",
            json!({ "i": { "id": id_of("czj"), "unitPost": "CLERK" } }),
        )
        .await;
    assert_eq!(clerk_post.data("/updateUser/user/unitPost"), "CLERK");
    let create = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { unitPost } } }";
    app.gql(
        b,
        create,
        json!({ "i": { "username": "czjhead", "password": PASSWORD, "role": "UNIT", "unitId": w.unit_b, "unitPost": "HEAD" } }),
    )
    .await
    .data("/createUser/user/unitPost");
    app.gql(
        b,
        create,
        json!({ "i": { "username": "liu2", "password": PASSWORD, "role": "LEADER", "leaderId": w.leader_liu, "unitPost": "HEAD" } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");

    // 27 March: the clerk cannot submit directly; it puts the report to its head, with a file.
    at(&app, 3, 27, 2).await;
    let clerk = app.login("czj", PASSWORD).await.0;
    let head = app.login("czjhead", PASSWORD).await.0;
    let report = |key: &str, attachments: Value| {
        json!({ "i": { "taskId": w.tasks[1], "periodId": q1, "idempotencyKey": key,
                       "progress": "一季度一般公共预算收入增长4.2%。", "percent": 25,
                       "attachmentIds": attachments } })
    };
    let refused = app
        .gql(Some(&clerk), SUBMIT, report("direct-0001", json!([])))
        .await;
    assert!(
        refused
            .expect_error("FORBIDDEN")
            .contains("submitForSignoff")
    );
    let (_, uploaded) = app
        .upload_with(
            Some(&clerk),
            "mutation($input: UploadAttachmentInput!) { uploadAttachment(input: $input) { attachment { id } } }",
            json!({ "taskId": w.tasks[1] }),
            "一季度收入表.pdf",
            b"%PDF-1.7\nreport".to_vec(),
        )
        .await;
    let file = uploaded.data("/uploadAttachment/attachment/id").clone();
    let put = app
        .gql(Some(&clerk), PUT, report("draft-0001", json!([file])))
        .await;
    assert_eq!(put.data("/submitForSignoff/signoff/state"), "PENDING");
    assert_eq!(put.data("/submitForSignoff/signoff/percent"), 25);
    let first = put.data("/submitForSignoff/signoff/id").clone();
    let retry = app
        .gql(Some(&clerk), PUT, report("draft-0001", json!([file])))
        .await;
    assert_eq!(
        retry.data("/submitForSignoff/signoff/id"),
        &first,
        "a retry is the same draft"
    );
    app.gql(Some(&clerk), PUT, report("draft-0002", json!([])))
        .await
        .expect_error("CONFLICT");
    // A unit that does not sign off has nothing to put to a head.
    let a = app.login("fgw", PASSWORD).await.0;
    app.gql(
        Some(&a),
        PUT,
        json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "idempotencyKey": "a-draft-0001", "progress": "进展" } }),
    )
    .await
    .expect_error("CONFLICT");

    // Who reads the drafts: the unit's accounts and the bureau; not another unit; no leader.
    let bureau = app.admin_token().await;
    let service = app.login("dashboard", PASSWORD).await.0;
    let liu = app.login("liuzhen", PASSWORD).await.0;
    for token in [&bureau, &service, &clerk, &head] {
        let read = app.gql(Some(token), LIST, json!({})).await;
        assert_eq!(read.data("/reportSignoffs/totalCount"), 1);
    }
    assert_eq!(
        app.gql(Some(&a), LIST, json!({}))
            .await
            .data("/reportSignoffs/totalCount"),
        0
    );
    app.gql(Some(&liu), LIST, json!({}))
        .await
        .expect_error("FORBIDDEN");
    app.gql(None, LIST, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");

    // Only the head decides: not the clerk, another unit, the bureau or a leader.
    app.gql(Some(&clerk), APPROVE, json!({ "id": first }))
        .await
        .expect_error("FORBIDDEN");
    app.gql(Some(&a), APPROVE, json!({ "id": first }))
        .await
        .expect_error("NOT_FOUND");
    for token in [&bureau, &liu, &service] {
        app.gql(Some(token), APPROVE, json!({ "id": first }))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(Some(&head), RETURN, json!({ "id": first, "c": " " }))
        .await
        .expect_error("BAD_USER_INPUT");
    let returned = app
        .gql(
            Some(&head),
            RETURN,
            json!({ "id": first, "c": "请补充同比数据。" }),
        )
        .await;
    assert_eq!(returned.data("/returnSignoff/signoff/state"), "RETURNED");
    app.gql(Some(&head), APPROVE, json!({ "id": first }))
        .await
        .expect_error("CONFLICT");
    // Returned inside the unit: the bureau still has nothing from B.
    let owed =
        "query($u: ID!) { obligations(filter: { unitId: $u }, first: 1) { nodes { state } } }";
    let before = app.gql(Some(&bureau), owed, json!({ "u": w.unit_b })).await;
    assert_eq!(before.data("/obligations/nodes/0/state"), "NOT_STARTED");

    // The clerk puts it again; the head approves on the 29th, after the due day: late.
    let second = app
        .gql(Some(&clerk), PUT, report("draft-0003", json!([file])))
        .await
        .data("/submitForSignoff/signoff/id")
        .clone();
    at(&app, 3, 29, 1).await;
    let head = app.login("czjhead", PASSWORD).await.0;
    let approved = app.gql(Some(&head), APPROVE, json!({ "id": second })).await;
    assert_eq!(approved.data("/approveSignoff/signoff/state"), "APPROVED");
    assert_eq!(
        approved.data("/approveSignoff/submitted/report/state"),
        "SUBMITTED"
    );
    assert_eq!(
        approved.data("/approveSignoff/submitted/version/isLate"),
        true
    );
    assert_eq!(
        approved.data("/approveSignoff/submitted/version/attachments/0/fileName"),
        "一季度收入表.pdf"
    );

    // The bureau sees who drafted and who approved.
    let bureau = app.admin_token().await;
    let read = app
        .gql(
            Some(&bureau),
            "query($t: ID!) { node(id: $t) { ... on Task { reports { versions { draftedBy { username } approvedBy { username } } } } } }",
            json!({ "t": w.tasks[1] }),
        )
        .await;
    assert_eq!(
        read.data("/node/reports/0/versions/0"),
        &json!({ "draftedBy": { "username": "czj" }, "approvedBy": { "username": "czjhead" } })
    );
    // A unit without the step submits as before, its versions naming nobody.
    let a = app.login("fgw", PASSWORD).await.0;
    app.gql(
        Some(&a),
        SUBMIT,
        json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "idempotencyKey": "a-direct-0001", "progress": "进展" } }),
    )
    .await
    .data("/submitReport/version/version");

    // Audit rows, and events heard inside the unit (and by the bureau), not by the leaders.
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'report.signoff_request'")
            .await,
        2
    );
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'report.signoff'")
            .await,
        2
    );
    let heard = |token: String| {
        let app = &app;
        async move { app.heard_kinds(&token, "SIGNOFF_").await }
    };
    let clerk = app.login("czj", PASSWORD).await.0;
    let steps = [
        "SIGNOFF_REQUESTED",
        "SIGNOFF_RETURNED",
        "SIGNOFF_REQUESTED",
        "SIGNOFF_APPROVED",
    ];
    assert_eq!(heard(clerk).await, steps);
    assert_eq!(heard(bureau.clone()).await, steps);
    let liu = app.login("liuzhen", PASSWORD).await.0;
    assert!(heard(liu).await.is_empty());
    assert!(heard(a.clone()).await.is_empty());
    let node = "query($id: ID!) { node(id: $id) { ... on ReportSignoff { state } } }";
    let hidden = app.gql(Some(&a), node, json!({ "id": second })).await;
    assert_eq!(hidden.0["data"]["node"], Value::Null);
    let shown = app.gql(Some(&bureau), node, json!({ "id": second })).await;
    assert_eq!(shown.data("/node/state"), "APPROVED");
}
