//! Attachments: uploads by the task's units, type and size limits, a SHA-256, submission with a
//! report version, and downloads over HTTP only for those who may read the report. Indicator
//! values are in `values`.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tests::TestApp;
use tests::world::World;

const UPLOAD: &str = "mutation($input: UploadAttachmentInput!) { uploadAttachment(input: $input) {
    attachment { id fileName contentType sizeBytes sha256 submitted downloadPath } } }";
const SUBMIT: &str = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { version {
    version attachments { id fileName sha256 }
    indicatorValues { value note indicator { phrase target measureUnit comparator } } } } }";

fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.resize(size, b'x');
    bytes
}

async fn upload(app: &TestApp, token: &str, task: &str, name: &str, bytes: Vec<u8>) -> Value {
    let (_, response) = app
        .upload_with(Some(token), UPLOAD, json!({ "taskId": task }), name, bytes)
        .await;
    response.0
}

async fn download(app: &TestApp, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn first_period(app: &TestApp, w: &World) -> Value {
    w.generate_periods(app).await[0].clone()
}

fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        count(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
    }
    count(app.data_dir.path())
}

#[tokio::test]
async fn a_report_carries_its_attachments_and_only_its_readers_download_them() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = first_period(&app, &w).await;
    let task = w.tasks[0].as_str();
    let content = pdf(300_000);
    let expected_sha = hex::encode(Sha256::digest(&content));

    let uploaded = upload(
        &app,
        &w.unit_a_token,
        task,
        "一季度进展佐证材料.pdf",
        content.clone(),
    )
    .await;
    let attachment = &uploaded["data"]["uploadAttachment"]["attachment"];
    assert_eq!(attachment["sha256"], expected_sha.as_str(), "{uploaded:#}");
    assert_eq!(attachment["sizeBytes"], 300_000);
    assert_eq!(attachment["contentType"], "application/pdf");
    assert_eq!(attachment["submitted"], false);
    let id = attachment["id"].as_str().unwrap().to_owned();
    let path = attachment["downloadPath"].as_str().unwrap().to_owned();

    // Before submission only the uploader reads it.
    assert_eq!(
        download(&app, Some(&w.unit_a_token), &path).await.status(),
        200
    );
    for token in [&w.bureau, &w.unit_b_token, &w.liu_token] {
        assert_eq!(download(&app, Some(token), &path).await.status(), 404);
    }

    let submitted = app
        .gql(
            Some(&w.unit_a_token),
            SUBMIT,
            json!({ "i": { "taskId": task, "periodId": q1, "progress": "完成一季度目标",
                           "idempotencyKey": "attach-0001", "attachmentIds": [id] } }),
        )
        .await;
    assert_eq!(
        submitted.data("/submitReport/version/attachments/0/fileName"),
        "一季度进展佐证材料.pdf"
    );

    // After: whoever reads the report downloads the same bytes, with the name kept.
    for token in [&w.unit_a_token, &w.bureau, &w.liu_token, &w.service_token] {
        let response = download(&app, Some(token), &path).await;
        assert_eq!(response.status(), 200);
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(
            disposition.contains("filename*=UTF-8''%E4%B8%80%E5%AD%A3%E5%BA%A6"),
            "{disposition}"
        );
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(response.bytes().await.unwrap().as_ref(), content.as_slice());
    }
    // Unit B cooperates on the task but never reads unit A's report; unit C cannot see the task.
    for token in [&w.unit_b_token, &w.unit_c_token] {
        let response = download(&app, Some(token), &path).await;
        assert_eq!(response.status(), 404);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    }
    assert_eq!(download(&app, None, &path).await.status(), 401);
    assert_eq!(
        download(&app, Some("not-a-token"), &path).await.status(),
        401
    );
    assert_eq!(
        download(&app, Some(&w.bureau), "/attachments/garbage")
            .await
            .status(),
        400
    );

    // A submitted attachment is fixed: it cannot join another version.
    app.gql(
        Some(&w.bureau),
        "mutation($i: ReviewReportInput!) { reviewReport(input: $i) { report { state } } }",
        json!({ "i": { "reportId": app.gql(Some(&w.bureau), "query($id: ID!) { task(id: $id) { reports { id } } }", json!({ "id": task })).await.data("/task/reports/0/id"), "version": 1, "decision": "RETURN", "comment": "材料不全" } }),
    )
    .await
    .data("/reviewReport");
    app.gql(
        Some(&w.unit_a_token),
        SUBMIT,
        json!({ "i": { "taskId": task, "periodId": q1, "progress": "补充", "idempotencyKey": "attach-0002",
                       "attachmentIds": [id] } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    assert_eq!(stored_files(&app), 1);
}

#[tokio::test]
async fn uploads_are_checked_by_role_type_and_size_and_refusals_leave_no_file() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let task = w.tasks[0].as_str();
    let cases: [(&str, &str, Vec<u8>, &str); 6] = [
        (&w.liu_token, "a.pdf", pdf(100), "FORBIDDEN"),
        (&w.service_token, "a.pdf", pdf(100), "FORBIDDEN"),
        (&w.unit_c_token, "a.pdf", pdf(100), "NOT_FOUND"),
        (
            &w.unit_a_token,
            "setup.exe",
            b"MZ\x90\x00".to_vec(),
            "BAD_USER_INPUT",
        ),
        (
            &w.unit_a_token,
            "renamed.pdf",
            b"MZ\x90\x00".to_vec(),
            "BAD_USER_INPUT",
        ),
        (&w.unit_a_token, "empty.txt", Vec::new(), "BAD_USER_INPUT"),
    ];
    for (token, name, bytes, code) in cases {
        let response = upload(&app, token, task, name, bytes).await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"], code,
            "{name}: {response:#}"
        );
    }
    let huge = upload(
        &app,
        &w.unit_a_token,
        task,
        "huge.pdf",
        pdf(20 * 1024 * 1024 + 1),
    )
    .await;
    assert_eq!(huge["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let message = huge["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("20 MiB"), "{message}");
    assert_eq!(stored_files(&app), 0);
    assert_eq!(app.count_rows("attachments").await, 0);

    // The cooperating unit and the bureau may upload; anonymous callers may not.
    let (_, anonymous) = app
        .upload_with(None, UPLOAD, json!({ "taskId": task }), "a.pdf", pdf(100))
        .await;
    anonymous.expect_error("UNAUTHENTICATED");
    for token in [&w.unit_b_token, &w.bureau] {
        let response = upload(
            &app,
            token,
            task,
            "照片.png",
            b"\x89PNG\r\n\x1a\nrest".to_vec(),
        )
        .await;
        assert_eq!(
            response["data"]["uploadAttachment"]["attachment"]["contentType"],
            "image/png"
        );
    }
    assert_eq!(stored_files(&app), 2);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'attachment.upload'")
            .await,
        2
    );
}

#[tokio::test]
async fn an_unsubmitted_upload_can_be_discarded_by_its_uploader_only() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = first_period(&app, &w).await;
    let task = w.tasks[0].as_str();
    const DISCARD: &str = "mutation($i: DiscardAttachmentInput!) { discardAttachment(input: $i) { discardedAttachmentId } }";
    let id = |response: &Value| response["data"]["uploadAttachment"]["attachment"]["id"].clone();
    let wrong = id(&upload(&app, &w.unit_a_token, task, "错传.pdf", pdf(1000)).await);
    let kept = id(&upload(&app, &w.unit_a_token, task, "佐证.pdf", pdf(1000)).await);
    assert_eq!(stored_files(&app), 2);
    // The uploader finds them again on the task (a phone app resuming); nobody else does.
    let pending = "query($id: ID!) { task(id: $id) { myPendingUploads { fileName } } }";
    let mine = app
        .gql(Some(&w.unit_a_token), pending, json!({ "id": task }))
        .await;
    assert_eq!(
        mine.data("/task/myPendingUploads"),
        &json!([{ "fileName": "错传.pdf" }, { "fileName": "佐证.pdf" }])
    );
    for token in [&w.bureau, &w.unit_b_token, &w.liu_token, &w.service_token] {
        let theirs = app.gql(Some(token), pending, json!({ "id": task })).await;
        assert_eq!(theirs.data("/task/myPendingUploads"), &json!([]));
    }
    // Nobody else may discard it, not even the bureau, which cannot read it yet.
    app.gql(None, DISCARD, json!({ "i": { "id": wrong } }))
        .await
        .expect_error("UNAUTHENTICATED");
    for token in [&w.bureau, &w.unit_b_token, &w.liu_token, &w.service_token] {
        app.gql(Some(token), DISCARD, json!({ "i": { "id": wrong } }))
            .await
            .expect_error("NOT_FOUND");
    }
    app.gql(
        Some(&w.unit_a_token),
        DISCARD,
        json!({ "i": { "id": wrong } }),
    )
    .await
    .data("/discardAttachment");
    assert_eq!(stored_files(&app), 1);
    app.gql(
        Some(&w.unit_a_token),
        SUBMIT,
        json!({ "i": { "taskId": task, "periodId": q1, "progress": "进展", "idempotencyKey": "discard-0001",
                       "attachmentIds": [kept] } }),
    )
    .await
    .data("/submitReport");
    app.gql(
        Some(&w.unit_a_token),
        DISCARD,
        json!({ "i": { "id": kept } }),
    )
    .await
    .expect_error("CONFLICT");
    assert_eq!(stored_files(&app), 1);
    assert_eq!(app.count_rows("attachments").await, 1);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'attachment.discard'")
            .await,
        1
    );
}

#[tokio::test]
async fn uploads_never_submitted_are_removed_after_thirty_days() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = first_period(&app, &w).await;
    let task = w.tasks[0].as_str();
    let id = |response: &Value| response["data"]["uploadAttachment"]["attachment"]["id"].clone();
    let abandoned = id(&upload(&app, &w.unit_a_token, task, "旧稿.pdf", pdf(500)).await);
    let submitted = id(&upload(&app, &w.unit_a_token, task, "定稿.pdf", pdf(500)).await);
    app.gql(
        Some(&w.unit_a_token),
        SUBMIT,
        json!({ "i": { "taskId": task, "periodId": q1, "progress": "进展", "idempotencyKey": "purge-0001",
                       "attachmentIds": [submitted] } }),
    )
    .await
    .data("/submitReport");
    // Twenty days on, a fresh upload; ten more days, and only the first one is old enough.
    app.clock.advance(chrono::Duration::days(20));
    let unit = app.login("fgw", tests::world::PASSWORD).await.0;
    let recent = id(&upload(&app, &unit, task, "新稿.pdf", pdf(500)).await);
    app.clock
        .advance(chrono::Duration::days(10) + chrono::Duration::seconds(1));
    let purged = api::attachments::service::purge_abandoned(
        &app.db,
        &api::storage::Storage::new(app.data_dir.path(), 1 << 20),
        api::clock::Clock::now(&app.clock),
    )
    .await
    .unwrap();
    assert_eq!(purged, 1);
    assert_eq!(stored_files(&app), 2);
    let unit = app.login("fgw", tests::world::PASSWORD).await.0;
    let pending = app
        .gql(
            Some(&unit),
            "query($id: ID!) { task(id: $id) { myPendingUploads { id fileName } } }",
            json!({ "id": task }),
        )
        .await;
    assert_eq!(
        pending.data("/task/myPendingUploads"),
        &json!([{ "id": recent, "fileName": "新稿.pdf" }])
    );
    assert_ne!(abandoned, recent);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'attachment.purge' AND actor = 'system'")
            .await,
        1
    );
}
