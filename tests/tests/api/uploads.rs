//! Upload hygiene: what one user may keep uploaded and not yet submitted, and the files that
//! interrupted uploads leave on disk.

use serde_json::json;
use tests::TestApp;
use tests::world::World;

const UPLOAD: &str = "mutation($input: UploadAttachmentInput!) { uploadAttachment(input: $input) {
    attachment { id } } }";

fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.resize(size, b'x');
    bytes
}

#[tokio::test]
async fn a_user_keeps_a_bounded_number_and_size_of_uploads_waiting() {
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.max_pending_uploads = 2;
        config.max_pending_upload_bytes = 100 * 1024;
    })
    .await;
    let w = World::build(&app).await;
    let task = json!({ "taskId": w.tasks[0] });
    let mut ids = Vec::new();
    for name in ["一.pdf", "二.pdf"] {
        let (_, response) = app
            .upload_with(Some(&w.unit_a_token), UPLOAD, task.clone(), name, pdf(1000))
            .await;
        ids.push(response.data("/uploadAttachment/attachment/id").clone());
    }
    let (_, third) = app
        .upload_with(
            Some(&w.unit_a_token),
            UPLOAD,
            task.clone(),
            "三.pdf",
            pdf(1000),
        )
        .await;
    assert!(
        third
            .expect_error("BAD_USER_INPUT")
            .contains("2 uploads not yet submitted")
    );
    // Another user has a quota of their own.
    let (_, other) = app
        .upload_with(Some(&w.bureau), UPLOAD, task.clone(), "局.pdf", pdf(1000))
        .await;
    other.data("/uploadAttachment/attachment/id");

    // Discarding one makes room, but not for more bytes than the quota.
    app.gql(
        Some(&w.unit_a_token),
        "mutation($i: DiscardAttachmentInput!) { discardAttachment(input: $i) { discardedAttachmentId } }",
        json!({ "i": { "id": ids[0] } }),
    )
    .await
    .data("/discardAttachment");
    let (_, large) = app
        .upload_with(
            Some(&w.unit_a_token),
            UPLOAD,
            task.clone(),
            "大.pdf",
            pdf(120 * 1024),
        )
        .await;
    assert!(
        large
            .expect_error("BAD_USER_INPUT")
            .contains("more than 0.1 MiB")
    );
    let (_, fits) = app
        .upload_with(Some(&w.unit_a_token), UPLOAD, task, "四.pdf", pdf(1000))
        .await;
    fits.data("/uploadAttachment/attachment/id");
    // Nothing refused was left on disk: two of unit A's files and the bureau's.
    assert_eq!(app.count_rows("attachments").await, 3);
}

#[tokio::test]
async fn files_no_attachment_names_are_removed_once_old_enough() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (_, response) = app
        .upload_with(
            Some(&w.unit_a_token),
            UPLOAD,
            json!({ "taskId": w.tasks[0] }),
            "有行.pdf",
            pdf(500),
        )
        .await;
    response.data("/uploadAttachment/attachment/id");
    let key: String = {
        use sea_orm::ConnectionTrait;
        app.db
            .query_one(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                "SELECT storage_key FROM attachments".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "storage_key")
            .unwrap()
    };
    let root = app.data_dir.path().join("attachments");
    let year = key.split('/').next().unwrap().to_owned();
    let hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
    let age = |path: &std::path::Path| {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(hours_ago)
            .unwrap();
    };
    // The row's file is old too; a file nobody names is old; another is being uploaded now.
    age(&root.join(&key));
    let orphan = root
        .join(&year)
        .join("00000000-0000-4000-8000-000000000000");
    std::fs::write(&orphan, b"left by a crash").unwrap();
    age(&orphan);
    let in_flight = root
        .join(&year)
        .join("11111111-1111-4111-8111-111111111111");
    std::fs::write(&in_flight, b"renamed a moment ago").unwrap();

    let storage = api::storage::Storage::new(app.data_dir.path(), 1 << 20);
    let removed = api::attachments::service::remove_orphans(&app.db, &storage)
        .await
        .unwrap();
    assert_eq!(removed, 1);
    assert!(!orphan.exists());
    assert!(in_flight.exists());
    assert!(root.join(&key).exists());
}
