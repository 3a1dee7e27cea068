//! Exports (`GET /exports/…`): each read back as a spreadsheet user's tools would (calamine for
//! `.xlsx`, a CSV reader for `.csv`) and compared with what the API answers for the same
//! question; the row rules of every role; bad parameters; formulas in text made inert in CSV.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use serde_json::{Value, json};
use tests::TestApp;

use crate::figures::{A, FIGURES_BY, RANKING, Year, token};

/// The status, headers and body of an export.
async fn download(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// An `.xlsx` export's first sheet as text: its name, then rows of cells (dates as ISO days,
/// whole numbers without a decimal point).
fn xlsx(bytes: &[u8]) -> (String, Vec<Vec<String>>) {
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an xlsx file");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("the sheet");
    let rows = range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::DateTime(d) => d.as_datetime().unwrap().date().to_string(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    (name, rows)
}

/// A `.csv` export as rows, after checking its byte-order mark.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 with a BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn column<'a>(rows: &'a [Vec<String>], header: &str) -> Vec<&'a str> {
    let at = rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header}"));
    rows[1..]
        .iter()
        .map(|r| r.get(at).map_or("", String::as_str))
        .collect()
}

const TASKS: &str = "query($d: ID!) { tasks(first: 100, filter: { documentId: $d }) { nodes {
    seq text status warningLevel } } }";

#[tokio::test]
async fn the_task_ledger_reads_back_as_the_api_answers_in_both_formats() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = app.admin_token().await;
    let doc = &year.w.document;

    let (status, headers, body) = download(
        &app,
        Some(&bureau),
        &format!("/exports/tasks.xlsx?documentId={doc}"),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"tasks-2026-10-10.xlsx\""
    );
    let (sheet, rows) = xlsx(&body);
    assert_eq!(sheet, "任务台账");
    assert_eq!(
        rows[0],
        [
            "序号",
            "类别",
            "工作任务",
            "责任领导",
            "牵头单位",
            "责任单位",
            "配合单位",
            "完成时限",
            "状态",
            "预警",
            "最新进展",
            "最近报送",
            "审核"
        ]
    );
    let api = app.gql(Some(&bureau), TASKS, json!({ "d": doc })).await;
    let nodes = api.data("/tasks/nodes").as_array().unwrap().clone();
    assert_eq!(rows.len() - 1, nodes.len());
    assert_eq!(nodes.len(), 10);
    let status_label = |s: &str| match s {
        "NOT_STARTED" => "未启动",
        "IN_PROGRESS" => "推进中",
        "DELAYED" => "滞后",
        "COMPLETED" => "已办结",
        _ => "已取消",
    };
    let level_label = |s: &str| match s {
        "GREEN" => "绿",
        "YELLOW" => "黄",
        _ => "红",
    };
    for (row, node) in rows[1..].iter().zip(&nodes) {
        assert_eq!(row[0], node["seq"].as_str().unwrap());
        assert_eq!(
            row[2],
            node["text"].as_str().unwrap(),
            "Chinese text exactly"
        );
        assert_eq!(row[8], status_label(node["status"].as_str().unwrap()));
        assert_eq!(row[9], level_label(node["warningLevel"].as_str().unwrap()));
    }
    // Task 1: its category, leader as written, lead and cooperating units, deadline, the last
    // version A submitted (third quarter, 20 September 10:00 in Beijing).
    let first = &rows[1];
    assert_eq!(first[1], "主要预期目标");
    assert_eq!(first[3], "刘 震");
    assert_eq!(first[4], "市发展和改革委员会");
    assert_eq!(first[6], "市财政局");
    assert_eq!(first[7], "2026-06-30");
    assert_eq!(first[10], "任务1第3季度进展");
    assert_eq!(first[11], "2026-09-20 10:00");
    // Task 4: D's report returned twice, the last decision shown.
    let fourth = rows.iter().find(|r| r[0] == "4").unwrap();
    assert_eq!(fourth[12], "退回 2026-09-25 10:00");

    // The same ledger as CSV: the same cells.
    let (status, headers, body) = download(
        &app,
        Some(&bureau),
        &format!("/exports/tasks.csv?documentId={doc}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(csv_rows(&body), rows);
}

#[tokio::test]
async fn ranking_figures_and_obligations_exports_equal_the_api() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = app.admin_token().await;
    let doc = &year.w.document;

    // Ranking.
    let ranking = app
        .gql(Some(&bureau), RANKING, json!({ "d": doc }))
        .await
        .data("/ranking/rows")
        .clone();
    let (status, _, body) = download(
        &app,
        Some(&bureau),
        &format!("/exports/ranking.xlsx?documentId={doc}"),
    )
    .await;
    assert_eq!(status, 200);
    let (sheet, rows) = xlsx(&body);
    assert_eq!(sheet, "排名");
    assert_eq!(rows.len(), 5);
    for (row, api) in rows[1..].iter().zip(ranking.as_array().unwrap()) {
        assert_eq!(row[0], api["rank"].to_string());
        assert_eq!(row[1], api["unitName"].as_str().unwrap());
        assert_eq!(row[3], api["points"].to_string());
        let score: f64 = row[2].parse().unwrap();
        assert!((score - api["score"].as_f64().unwrap()).abs() < 0.01);
        assert!(
            row[10].contains("score = 100 × points"),
            "the formula travels with it"
        );
    }

    // Figures by unit, as CSV.
    let figures = app
        .gql(Some(&bureau), FIGURES_BY, json!({ "g": "UNIT" }))
        .await
        .data("/figuresBy")
        .clone();
    let (status, _, body) =
        download(&app, Some(&bureau), "/exports/figures.csv?groupBy=unit").await;
    assert_eq!(status, 200);
    let rows = csv_rows(&body);
    assert_eq!(rows[0][0], "单位");
    assert_eq!(rows.len() - 1, figures.as_array().unwrap().len());
    for (row, api) in rows[1..].iter().zip(figures.as_array().unwrap()) {
        assert_eq!(row[0], api["name"].as_str().unwrap());
        let f = &api["figures"];
        assert_eq!(
            row[1..6].to_vec(),
            ["obligations", "due", "onTime", "late", "missing"].map(|k| f[k].to_string())
        );
        assert_eq!(
            row[row.len() - 4..].to_vec(),
            ["indicators", "met", "notMet", "notComparable"].map(|k| f["targets"][k].to_string())
        );
    }

    // The second quarter's obligations.
    let q2 = &year.periods[1];
    let listed = app
        .gql(
            Some(&bureau),
            "query($p: ID!) { obligations(first: 100, filter: { periodId: $p }) { nodes { state task { seq } } } }",
            json!({ "p": q2 }),
        )
        .await
        .data("/obligations/nodes")
        .clone();
    let (status, _, body) = download(
        &app,
        Some(&bureau),
        &format!(
            "/exports/obligations.xlsx?periodId={}",
            q2.as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, 200);
    let (_, rows) = xlsx(&body);
    assert_eq!(rows.len() - 1, 11);
    assert_eq!(rows.len() - 1, listed.as_array().unwrap().len());
    let label = |s: &str| match s {
        "NOT_STARTED" => "未报送",
        "DRAFT" => "草稿",
        "SUBMITTED" => "已报送",
        "LATE" => "逾期报送",
        "RETURNED" => "已退回",
        "ACCEPTED" => "已通过",
        _ => "逾期未报",
    };
    let mut exported: Vec<(String, String)> = rows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[5].clone()))
        .collect();
    let mut api: Vec<(String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["task"]["seq"].as_str().unwrap().to_owned(),
                label(o["state"].as_str().unwrap()).to_owned(),
            )
        })
        .collect();
    exported.sort();
    api.sort();
    assert_eq!(exported, api);
    assert_eq!(
        column(&rows, "应报日期")
            .iter()
            .filter(|d| **d == "2026-06-28")
            .count(),
        11
    );
}

#[tokio::test]
async fn every_role_exports_only_what_it_may_read() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let doc = year.w.document.clone();
    let seqs = |body: &[u8]| -> Vec<String> {
        let (_, rows) = xlsx(body);
        let mut seqs: Vec<String> = column(&rows, "序号")
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        seqs.sort_by_key(|s| s.parse::<u32>().unwrap());
        seqs
    };
    let ledger = format!("/exports/tasks.xlsx?documentId={doc}");
    let ranking = format!("/exports/ranking.csv?documentId={doc}");
    let bureau = app.admin_token().await;
    let service = token(&app, "dashboard").await;
    let a = token(&app, A).await;
    let wang = token(&app, "wangling").await;
    let all: Vec<String> = (1..=10).map(|n| n.to_string()).collect();
    for who in [&bureau, &service] {
        let (status, _, body) = download(&app, Some(who), &ledger).await;
        assert_eq!(status, 200);
        assert_eq!(seqs(&body), all);
        let (_, _, body) = download(&app, Some(who), &ranking).await;
        assert_eq!(csv_rows(&body).len() - 1, 4);
    }
    // Without a document: every task in view, here the one document's.
    let (status, _, body) = download(&app, Some(&bureau), "/exports/tasks.xlsx").await;
    assert_eq!(status, 200);
    assert_eq!(seqs(&body), all);
    // Unit A is on tasks 1, 6 and 10 (and cooperates on 5); it reads its own ranking row.
    let (_, _, body) = download(&app, Some(&a), &ledger).await;
    assert_eq!(seqs(&body), ["1", "5", "6", "10"]);
    let (_, _, body) = download(&app, Some(&a), &ranking).await;
    let rows = csv_rows(&body);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][1], "市发展和改革委员会");
    // 王玲 is named by tasks 3, 4 and 9; she supervises unit C.
    let (_, _, body) = download(&app, Some(&wang), &ledger).await;
    assert_eq!(seqs(&body), ["3", "4", "9"]);
    let (_, _, body) = download(&app, Some(&wang), &ranking).await;
    let rows = csv_rows(&body);
    assert_eq!((rows.len(), rows[1][0].as_str()), (2, "4"));
    // Unit A's obligations export: its own only.
    let (_, _, body) = download(&app, Some(&a), "/exports/obligations.csv").await;
    let rows = csv_rows(&body);
    assert_eq!(rows.len() - 1, 12);
    assert!(
        column(&rows, "单位")
            .iter()
            .all(|u| *u == "市发展和改革委员会")
    );

    // Anonymous: 401 with the API's error.
    let (status, _, body) = download(&app, None, &ledger).await;
    assert_eq!(status, 401);
    let error: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn bad_export_requests_get_clear_errors() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    let bureau = app.admin_token().await;
    let doc = &year.w.document;
    let gone = api::graphql::relay::global_id(api::graphql::relay::Kind::Document, 999_999).0;
    for (path, status, code) in [
        ("/exports/secrets.xlsx".to_owned(), 404, "NOT_FOUND"),
        ("/exports/tasks.pdf".to_owned(), 404, "NOT_FOUND"),
        (
            "/exports/tasks.xlsx?documentId=".to_owned(),
            400,
            "BAD_USER_INPUT",
        ),
        (
            format!("/exports/tasks.xlsx?documentId={gone}"),
            404,
            "NOT_FOUND",
        ),
        (
            format!("/exports/tasks.xlsx?documentId={}", year.w.unit_a),
            400,
            "BAD_USER_INPUT",
        ),
        (
            "/exports/figures.xlsx?groupBy=planet".to_owned(),
            400,
            "BAD_USER_INPUT",
        ),
        (
            "/exports/figures.xlsx?groupBy=unit&basis=lunar".to_owned(),
            400,
            "BAD_USER_INPUT",
        ),
        (
            format!("/exports/ranking.xlsx?documentId={doc}&dueFrom=2026-13-01"),
            400,
            "BAD_USER_INPUT",
        ),
        (
            format!("/exports/ranking.xlsx?documentId={doc}&sql=1"),
            400,
            "BAD_USER_INPUT",
        ),
        (
            format!("/exports/ranking.csv?documentId={doc}&dueFrom=2026-07-01&dueTo=2026-06-01"),
            400,
            "BAD_USER_INPUT",
        ),
    ] {
        let (got, _, body) = download(&app, Some(&bureau), &path).await;
        let error: Value = serde_json::from_slice(&body).unwrap_or_else(|_| {
            panic!(
                "{path}: a JSON error, got {}",
                String::from_utf8_lossy(&body)
            )
        });
        assert_eq!(
            (got, error["errors"][0]["extensions"]["code"].as_str()),
            (status, Some(code)),
            "{path}"
        );
    }
}

#[tokio::test]
async fn text_that_looks_like_a_formula_stays_text() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    let bureau = app.admin_token().await;
    let text = "=HYPERLINK(\"http://evil.example\",\"点击\")";
    app.gql(
        Some(&bureau),
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
        json!({ "i": { "documentId": year.w.document, "seq": "11", "text": text } }),
    )
    .await
    .data("/createTask/task/id");
    let doc = &year.w.document;
    let (_, _, body) = download(
        &app,
        Some(&bureau),
        &format!("/exports/tasks.xlsx?documentId={doc}"),
    )
    .await;
    let (_, rows) = xlsx(&body);
    assert!(
        column(&rows, "工作任务").contains(&text),
        "a string cell, as written"
    );
    let (_, _, body) = download(
        &app,
        Some(&bureau),
        &format!("/exports/tasks.csv?documentId={doc}"),
    )
    .await;
    let rows = csv_rows(&body);
    let quoted = format!("'{text}");
    assert!(
        column(&rows, "工作任务").contains(&quoted.as_str()),
        "inert in CSV"
    );
}
