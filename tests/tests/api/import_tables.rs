//! The importer's corpus through the API, on SQLite and PostgreSQL: every notice in
//! `api/fixtures/notices` (Word and Excel tables, CSV, Markdown, text) is uploaded as a clerk
//! would, previewed, then committed; whatever the preview accepts the commit stores, with the
//! same counts, and each task gets its deadline and the words it was read from. Broken and
//! hostile files are refused with a clear `BAD_USER_INPUT` and store nothing.

use std::path::Path;

use serde_json::{Value, json};
use tests::TestApp;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/fixtures/notices");

const PREVIEW: &str = "mutation($input: PreviewImportInput!) { previewImport(input: $input) { preview {
    document { docNumber title leadRule { rest sentence } schedule { kind dayOfMonth dates previousMonth } }
    tasks { seq deadline deadlineAsWritten units { role } } warnings { line message } } } }";
const COMMIT: &str = "mutation($input: CommitImportInput!) { commitImport(input: $input) {
    counts { tasksCreated }
    document { id tasks(first: 100) { totalCount nodes { seq deadline deadlineAsWritten units { role } } } } } }";

/// The fixtures with their expectations, in name order.
fn corpus() -> Vec<(String, Vec<u8>, Value)> {
    let mut names: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_string_lossy()
                .strip_suffix(".expected.json")
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(Path::new(DIR).join(&name)).unwrap();
            let expected: Value = serde_json::from_slice(
                &std::fs::read(Path::new(DIR).join(format!("{name}.expected.json"))).unwrap(),
            )
            .unwrap();
            (name, bytes, expected)
        })
        .collect()
}

/// (seq, deadline, deadline as written, the roles its units take) of each task, in order. (A
/// collective word such as 各乡镇人民政府 is one unit in the preview and its group once stored.)
fn tasks_of(list: &Value) -> Vec<(String, Value, Value, Vec<String>)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["seq"].as_str().unwrap().to_owned(),
                t["deadline"].clone(),
                t["deadlineAsWritten"].clone(),
                {
                    let mut roles: Vec<String> = t["units"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|u| u["role"].as_str().unwrap().to_owned())
                        .collect();
                    roles.sort();
                    roles.dedup();
                    roles
                },
            )
        })
        .collect()
}

#[tokio::test]
async fn whatever_the_preview_accepts_the_commit_stores_for_every_notice_of_the_corpus() {
    let app = TestApp::spawn().await;
    app.seed_registry().await;
    let admin = app.admin_token().await;
    let corpus = corpus();
    assert!(corpus.len() >= 12, "{} fixtures", corpus.len());
    for (name, bytes, expected) in corpus {
        let (_, preview) = app.upload(&admin, PREVIEW, &name, bytes.clone()).await;
        let preview = preview.data("/previewImport/preview").clone();
        let previewed = tasks_of(&preview["tasks"]);
        let expected_tasks = expected["tasks"].as_array().unwrap();
        assert_eq!(previewed.len(), expected_tasks.len(), "{name}");
        for ((seq, deadline, written, _), want) in previewed.iter().zip(expected_tasks) {
            assert_eq!(seq, want["seq"].as_str().unwrap(), "{name}");
            assert_eq!(deadline, &want["deadline"], "{name} {seq}");
            assert_eq!(written, &want["deadlineAsWritten"], "{name} {seq}");
        }
        assert_eq!(
            preview["document"]["leadRule"]["sentence"], expected["header"]["leadRule"]["sentence"],
            "{name}"
        );

        // The same file committed: every task stored, as previewed.
        let (_, committed) = app.upload(&admin, COMMIT, &name, bytes).await;
        let committed = committed.data("/commitImport").clone();
        assert_eq!(
            committed["counts"]["tasksCreated"],
            previewed.len(),
            "{name}"
        );
        assert_eq!(
            committed["document"]["tasks"]["totalCount"],
            previewed.len(),
            "{name}"
        );
        let mut stored = tasks_of(&committed["document"]["tasks"]["nodes"]);
        let mut previewed = previewed;
        stored.sort_by(|a, b| a.0.cmp(&b.0));
        previewed.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(stored, previewed, "{name}: stored as previewed");
    }
}

#[tokio::test]
async fn broken_and_hostile_files_are_refused_and_store_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let before = app.count_rows("documents").await;
    for (file, says) in [
        (
            "no-task-column.docx",
            "the headers found are `序号`, `名称`, `备注`",
        ),
        ("not-a-spreadsheet.xlsx", "is not a readable .xlsx file"),
        ("zip-bomb.xlsx", "expands to more than"),
        ("zip-bomb.docx", "expands to more than"),
        ("entity-bomb.docx", "declares a document type"),
    ] {
        let bytes = std::fs::read(Path::new(DIR).join("bad").join(file)).unwrap();
        for query in [PREVIEW, COMMIT] {
            let (_, answer) = app.upload(&admin, query, file, bytes.clone()).await;
            let message = answer.expect_error("BAD_USER_INPUT");
            assert!(message.contains(says), "{file}: {message}");
            assert_eq!(
                answer.0["errors"][0]["extensions"]["field"],
                json!("file"),
                "{file}"
            );
        }
    }
    assert_eq!(app.count_rows("documents").await, before);
}

/// Found in review: what the preview showed, the commit refused. Now they agree.
#[tokio::test]
async fn the_preview_and_the_commit_agree_on_awkward_tables() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // Numbers repeating next to a number that looks like a renamed one; no year anywhere.
    let csv = "重点任务分解表,,\n序号,工作任务,责任单位\n1,新建学校,区教育局\n1,修建道路,区交通局\n1-2,改造管网,区住建局\n";
    let (_, preview) = app
        .upload(&admin, PREVIEW, "tasks.csv", csv.as_bytes().to_vec())
        .await;
    let preview = preview.data("/previewImport/preview").clone();
    let seqs: Vec<&str> = preview["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["seq"].as_str().unwrap())
        .collect();
    assert_eq!(seqs.len(), 3);
    let mut unique = seqs.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 3, "{seqs:?}");
    assert!(
        preview["warnings"].to_string().contains("give `year`"),
        "{:#}",
        preview["warnings"]
    );
    // Without a year the commit says which input to give; with one it stores all three.
    let (_, refused) = app
        .upload(&admin, COMMIT, "tasks.csv", csv.as_bytes().to_vec())
        .await;
    refused.expect_error("BAD_USER_INPUT");
    assert_eq!(refused.0["errors"][0]["extensions"]["field"], "year");
    let (_, stored) = app
        .upload_with(
            Some(&admin),
            COMMIT,
            json!({ "year": 2025 }),
            "tasks.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(stored.data("/commitImport/counts/tasksCreated"), 3);

    // A NUL in a cell would reach the database, which refuses it: the file is refused first.
    let nul = "序号,工作任务,责任单位\n1,新建学校\0,区教育局\n";
    let (_, refused) = app
        .upload(&admin, PREVIEW, "nul.csv", nul.as_bytes().to_vec())
        .await;
    refused.expect_error("BAD_USER_INPUT");
}
