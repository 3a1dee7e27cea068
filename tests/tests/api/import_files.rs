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

    // The notices were moved to the year played (2025: the clock is at 1 March 2026, before
    // the notices' months come round) and the whole year was played through the services.
    let bureau = app.login("bureau", api::demo::ACCOUNTS[0].password).await.0;
    let year = app
        .gql(
            Some(&bureau),
            "{ documents { nodes { year docNumber issuedOn } }
               reportingFigures { due onTime late missing returned accepted awaitingReview onTimeRate
                 tasksByWarning { level tasks } targets { indicators reported met } }
               ranking { ranked rows { score } }
               notices { nodes { kind docNumber publishedAt } }
               extensionRequests { nodes { state } }
               reminders { totalCount }
               acknowledged: taskReceipts(filter: { state: ACKNOWLEDGED }) { totalCount }
               overdue: taskReceipts(filter: { state: OVERDUE }) { totalCount } }",
            json!({}),
        )
        .await;
    let documents = year.data("/documents/nodes").as_array().unwrap();
    assert!(documents.iter().all(|d| d["year"] == 2025), "{documents:?}");
    assert!(
        documents
            .iter()
            .any(|d| d["docNumber"] == "汴政办〔2025〕3号" && d["issuedOn"] == "2025-02-22")
    );
    // Every unit with a part owes reports here, so has an account, and acknowledged its tasks.
    assert!(year.data("/acknowledged/totalCount").as_u64().unwrap() > 100);
    assert_eq!(year.data("/overdue/totalCount"), 0);
    let figures = year.data("/reportingFigures");
    let n = |field: &str| figures[field].as_u64().unwrap();
    // Most reports on time; some late, missing and returned; most reviewed.
    let rate = figures["onTimeRate"].as_f64().unwrap();
    assert!((0.75..0.97).contains(&rate), "on-time rate {rate}");
    assert!(
        n("late") > 0 && n("missing") > 0 && n("returned") > 0,
        "{figures}"
    );
    assert!(n("accepted") * 10 > n("due") * 8, "{figures}");
    assert_eq!(n("onTime") + n("late") + n("missing"), n("due"));
    // Not every task RED: most are green.
    let warnings: std::collections::BTreeMap<String, u64> = figures["tasksByWarning"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["level"].as_str().unwrap().to_owned(),
                w["tasks"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        warnings["GREEN"] > warnings.get("RED").copied().unwrap_or(0),
        "{warnings:?}"
    );
    assert!(figures["targets"]["reported"].as_u64().unwrap() > 0);
    // A ranking with a top and a bottom, two published notices, an extension granted and one
    // refused, reminders.
    let scores: Vec<f64> = year
        .data("/ranking/rows")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .collect();
    assert!(scores.len() > 30 && scores[0] > *scores.last().unwrap());
    let notices = year.data("/notices/nodes").as_array().unwrap();
    assert_eq!(notices.len(), 2);
    assert!(notices.iter().all(|n| n["publishedAt"].is_string()));
    let states: Vec<&str> = year
        .data("/extensionRequests/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert!(
        states.contains(&"APPROVED") && states.contains(&"REJECTED"),
        "{states:?}"
    );
    assert!(year.data("/reminders/totalCount").as_u64().unwrap() > 0);

    // 刘震's page: the units he supervises, the instruction nobody has answered.
    let liu = app
        .login("liuzhen", api::demo::ACCOUNTS[1].password)
        .await
        .0;
    let page = app
        .gql(
            Some(&liu),
            "{ leaderPage { supervisedUnits { name } instructionsAwaitingReply { task { seq } } latestReports { version { version } } } }",
            json!({}),
        )
        .await;
    assert!(
        !page
            .data("/leaderPage/supervisedUnits")
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        page.data("/leaderPage/instructionsAwaitingReply")
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        page.data("/leaderPage/latestReports")
            .as_array()
            .unwrap()
            .len(),
        10
    );
    // Every unit that owes reports has an account; 市商务局's page has its place.
    let shangwu = app
        .login("shangwu", api::demo::ACCOUNTS[2].password)
        .await
        .0;
    let page = app
        .gql(
            Some(&shangwu),
            "{ unitPage { ranking { ranked rows { rank } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        page.data("/unitPage/ranking/rows")
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
