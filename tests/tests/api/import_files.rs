//! Importing notices from files and the demo: `.txt` and `.docx` uploads (GraphQL multipart),
//! and `api serve --demo`'s two notices with the share each demo account sees.

use std::io::Write;

use serde_json::json;
use tests::TestApp;

const BREAKDOWN_2024: &str = include_str!("../../../api/fixtures/work-report-breakdown-2024.txt");
const LIVELIHOOD_2022: &str = include_str!("../../../api/fixtures/livelihood-tasks-2022.txt");

fn docx(text: &str) -> Vec<u8> {
    let body: String = text
        .lines()
        .map(|line| {
            let escaped = line.replace('&', "&amp;").replace('<', "&lt;");
            format!("<w:p><w:r><w:t xml:space=\"preserve\">{escaped}</w:t></w:r></w:p>")
        })
        .collect();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

#[tokio::test]
async fn notices_can_be_uploaded_as_text_or_word_files() {
    let app = TestApp::spawn().await;
    app.seed_registry().await;
    let admin = app.admin_token().await;
    let upload = "mutation($input: PreviewImportInput!) { previewImport(input: $input) { preview { document { docNumber } tasks { seq } } } }";

    let (_, txt) = app
        .upload(
            &admin,
            upload,
            "民生清单.txt",
            LIVELIHOOD_2022.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(
        txt.data("/previewImport/preview/tasks")
            .as_array()
            .unwrap()
            .len(),
        63
    );

    let (_, word) = app
        .upload(&admin, upload, "分解意见.docx", docx(BREAKDOWN_2024))
        .await;
    assert_eq!(
        word.data("/previewImport/preview/document/docNumber"),
        "汴政办〔2024〕3号"
    );
    assert_eq!(
        word.data("/previewImport/preview/tasks")
            .as_array()
            .unwrap()
            .len(),
        153
    );

    let (_, pdf) = app
        .upload(&admin, upload, "通知.pdf", b"%PDF-1.7 ...".to_vec())
        .await;
    assert!(
        pdf.expect_error("BAD_USER_INPUT")
            .contains(".txt, .md, .docx, .xlsx and .csv")
    );

    let (_, huge) = app
        .upload(
            &admin,
            upload,
            "大文件.txt",
            vec![b'a'; 20 * 1024 * 1024 + 1],
        )
        .await;
    assert!(
        huge.expect_error("BAD_USER_INPUT")
            .contains("largest accepted"),
        "{:#}",
        huge.0
    );

    let commit = "mutation($input: CommitImportInput!) { commitImport(input: $input) { counts { tasksCreated } } }";
    let (_, stored) = app
        .upload(
            &admin,
            commit,
            "民生清单.md",
            LIVELIHOOD_2022.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(stored.data("/commitImport/counts/tasksCreated"), 63);
}

#[tokio::test]
async fn the_demo_imports_both_notices_and_its_accounts_see_their_share() {
    use api::clock::Clock;
    let app = TestApp::spawn().await;
    api::demo::prepare(&app.db, app.clock.now())
        .await
        .expect("demo data loads");
    let total = |token: String| {
        let app = &app;
        async move {
            app.gql(Some(&token), "{ tasks { totalCount } }", json!({}))
                .await
                .data("/tasks/totalCount")
                .as_u64()
                .unwrap()
        }
    };
    let mut totals = Vec::new();
    for account in api::demo::ACCOUNTS {
        totals.push(total(app.login(account.username, account.password).await.0).await);
    }
    assert_eq!(totals[0], 216, "the bureau sees both notices");
    assert!(
        totals[1] > 0 && totals[1] < 216,
        "刘震 sees his tasks: {}",
        totals[1]
    );
    assert_eq!(totals[2], 15, "市商务局 sees its tasks");
}
