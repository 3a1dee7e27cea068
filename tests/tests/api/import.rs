//! Importing notices through the API: preview, commit, replace, overrides, roles and bad input.
//! Uploads of files and the demo are in `import_files`.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

const BREAKDOWN_2024: &str = include_str!("../../../api/fixtures/work-report-breakdown-2024.txt");
const LIVELIHOOD_2022: &str = include_str!("../../../api/fixtures/livelihood-tasks-2022.txt");
const WORK_REPORT_2020: &str = include_str!("../../../api/fixtures/work-report-2020.txt");

const PREVIEW: &str = "mutation($i: PreviewImportInput!) { previewImport(input: $i) { preview {
    document { docNumber title issuedOn kind schedule { kind dayOfMonth } declaredTotal }
    categories { path title declaredCount }
    tasks { seq categoryPath text
        leaders { name post asWritten role resolution }
        units { name asWritten role resolution isLocal unitId candidates { name distance } }
        indicators { phrase value unit comparator } }
    warnings { line message } } } }";
const COMMIT: &str = "mutation($i: CommitImportInput!) { commitImport(input: $i) {
    document { id docNumber kind tasks { totalCount } categories { title declaredCount } }
    counts { tasksCreated tasksUpdated tasksRemoved unitsCreated leadersCreated aliasesLearned replaced }
    warnings { line message } } }";

fn task<'a>(preview: &'a Value, seq: &str) -> &'a Value {
    preview["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["seq"] == seq)
        .unwrap()
}

#[tokio::test]
async fn preview_resolves_every_name_and_stores_nothing() {
    let app = TestApp::spawn().await;
    app.seed_registry().await;
    let admin = app.admin_token().await;
    let before = (
        app.count_rows("documents").await,
        app.count_rows("unit_aliases").await,
        app.count_rows("audit_log").await,
    );

    let response = app
        .gql(
            Some(&admin),
            PREVIEW,
            json!({ "i": { "text": LIVELIHOOD_2022 } }),
        )
        .await;
    let preview = response.data("/previewImport/preview");
    assert_eq!(preview["document"]["docNumber"], "汴政办〔2022〕15号");
    assert_eq!(preview["document"]["kind"], "LIVELIHOOD");
    assert_eq!(preview["document"]["schedule"]["dayOfMonth"], 28);
    assert_eq!(preview["tasks"].as_array().unwrap().len(), 63);
    assert_eq!(preview["categories"].as_array().unwrap().len(), 8);

    // 付 磊 黄玉国 马中虎 is three leaders, all known.
    let leaders = &task(preview, "39")["leaders"];
    let names: Vec<&str> = leaders
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["付磊", "黄玉国", "马中虎"]);
    assert!(
        leaders
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["resolution"] == "MATCHED")
    );

    // The typo resolves, with a warning, to the same unit as the correct spelling.
    let typo = &task(preview, "38")["units"][0];
    assert_eq!(typo["asWritten"], "市政务服大数据局");
    assert_eq!(typo["resolution"], "FUZZY");
    assert_eq!(typo["name"], "市政务服务和大数据管理局");
    assert_eq!(typo["candidates"][0]["distance"], 1);
    let correct = &task(preview, "37")["units"][0];
    assert_eq!(correct["resolution"], "ALIAS");
    assert_eq!(correct["unitId"], typo["unitId"]);
    let warnings = preview["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .contains("市政务服大数据局")
    );

    let after = (
        app.count_rows("documents").await,
        app.count_rows("unit_aliases").await,
        app.count_rows("audit_log").await,
    );
    assert_eq!(before, after, "a preview stores nothing");
}

#[tokio::test]
async fn commit_stores_the_notice_and_remembers_the_aliases_it_saw() {
    let app = TestApp::spawn().await;
    app.seed_registry().await;
    let admin = app.admin_token().await;
    let units_before = app.count_rows("units").await;

    let committed = app
        .gql(
            Some(&admin),
            COMMIT,
            json!({ "i": { "text": LIVELIHOOD_2022 } }),
        )
        .await;
    let payload = committed.data("/commitImport");
    assert_eq!(payload["document"]["tasks"]["totalCount"], 63);
    assert_eq!(payload["document"]["categories"][0]["declaredCount"], 3);
    assert_eq!(payload["counts"]["tasksCreated"], 63);
    assert_eq!(payload["counts"]["unitsCreated"], 0);
    assert_eq!(payload["counts"]["aliasesLearned"], 1);
    assert_eq!(app.count_rows("units").await, units_before);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'document.import'")
            .await,
        1
    );

    // The typo was remembered: the next preview resolves it exactly, with no warning.
    let again = app
        .gql(
            Some(&admin),
            PREVIEW,
            json!({ "i": { "text": LIVELIHOOD_2022 } }),
        )
        .await;
    let preview = again.data("/previewImport/preview");
    assert_eq!(task(preview, "38")["units"][0]["resolution"], "ALIAS");
    // The one warning left: this number is stored now (a commit needs `replace`).
    let warnings = preview["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .contains("stored already")
    );

    // Stored tasks read back with their leaders, units and indicators.
    let document = payload["document"]["id"].clone();
    let tasks = app
        .gql(
            Some(&admin),
            "query($d: ID!) { tasks(filter: {documentId: $d, search: \"充电桩\"}) { nodes { seq
                units { role unit { name } } leaders { nameAsWritten leader { name } } } } }",
            json!({ "d": document }),
        )
        .await;
    assert_eq!(tasks.data("/tasks/nodes/0/seq"), "10");
    assert_eq!(
        tasks.data("/tasks/nodes/0/units/0/unit/name"),
        "市发展和改革委员会"
    );
    assert_eq!(tasks.data("/tasks/nodes/0/leaders/0/leader/name"), "付磊");
    let indicators = app.count_rows("indicators").await;
    assert!(indicators > 40, "indicators stored: {indicators}");
}

#[tokio::test]
async fn the_2024_breakdown_commits_with_a_leader_and_a_unit_on_every_task() {
    let app = TestApp::spawn().await;
    app.seed_registry().await;
    let admin = app.admin_token().await;
    let committed = app
        .gql(
            Some(&admin),
            COMMIT,
            json!({ "i": { "text": BREAKDOWN_2024 } }),
        )
        .await;
    assert_eq!(committed.data("/commitImport/counts/tasksCreated"), 153);
    assert_eq!(
        app.count_rows("(SELECT DISTINCT task_id FROM task_leaders) AS t")
            .await,
        153
    );
    assert_eq!(
        app.count_rows("(SELECT DISTINCT task_id FROM task_units) AS t")
            .await,
        153
    );
    // Every unit of every task has a receipt (签收) to acknowledge, once per task.
    let pairs = app
        .count_rows("(SELECT DISTINCT task_id, unit_id FROM task_units) AS t")
        .await;
    assert!(pairs > 153);
    assert_eq!(
        app.count_rows("task_receipts WHERE acknowledged_at IS NULL AND withdrawn_at IS NULL")
            .await,
        pairs
    );
    // 常务副市长 is stored as a post, 刘 震 as the person 刘震.
    assert!(
        app.count_rows("task_leaders WHERE post = '常务副市长' AND leader_id IS NULL")
            .await
            > 0
    );
    assert_eq!(
        app.count_rows("task_leaders WHERE name_as_written = '刘 震' AND leader_id IS NULL")
            .await,
        0
    );
    // 各县区 expanded to the counties and districts, flagged local.
    let counties = app.count_rows("units WHERE kind = 'COUNTY_DISTRICT'").await;
    let task_with_all = app
        .count_rows("task_units WHERE name_as_written = '各县区' AND is_local = TRUE GROUP BY task_id HAVING COUNT(*) > 0")
        .await;
    assert!(task_with_all >= 1 && counties == 9);
}

#[tokio::test]
async fn a_second_import_of_a_number_conflicts_unless_it_replaces_in_place() {
    let app = TestApp::spawn().await;
    app.seed_registry().await;
    let admin = app.admin_token().await;
    let first = app
        .gql(
            Some(&admin),
            COMMIT,
            json!({ "i": { "text": LIVELIHOOD_2022 } }),
        )
        .await;
    let document_id = first.data("/commitImport/document/id").clone();

    // A progress report on task 10 must survive the replacement.
    let task_id: i64 = app
        .db
        .query_one(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT id FROM tasks WHERE seq = '10'".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();
    let unit_id: i64 = app
        .db
        .query_one(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT unit_id FROM task_units WHERE task_id = {task_id}"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "unit_id")
        .unwrap();
    for sql in [
        "INSERT INTO reporting_periods (document_id, label, due_on, original_due_on, position) \
         SELECT id, '2022-03', '2022-03-28', '2022-03-28', 1 FROM documents"
            .to_owned(),
        format!(
            "INSERT INTO progress_reports (task_id, period_id, unit_id, state, current_version, version, created_at, updated_at) \
             SELECT {task_id}, id, {unit_id}, 'DRAFT', 0, 1, '2022-03-20T00:00:00Z', '2022-03-20T00:00:00Z' FROM reporting_periods"
        ),
    ] {
        app.db.execute_unprepared(&sql).await.unwrap();
    }
    // The period inserted by hand is owed as any other.
    api::obligations::store::rebuild_all(&app.db).await.unwrap();
    let owed_by_63 = "obligations o JOIN tasks t ON t.id = o.task_id WHERE t.seq = '63'";
    assert!(app.count_rows(owed_by_63).await > 0);

    // The preview says what the commit would refuse.
    let preview = app
        .gql(
            Some(&admin),
            "mutation($i: PreviewImportInput!) { previewImport(input: $i) { preview { warnings { line message } } } }",
            json!({ "i": { "text": LIVELIHOOD_2022 } }),
        )
        .await;
    let first_warning = preview.data("/previewImport/preview/warnings/0/message");
    assert!(
        first_warning.as_str().unwrap().contains("stored already"),
        "{first_warning}"
    );
    let conflict = app
        .gql(
            Some(&admin),
            COMMIT,
            json!({ "i": { "text": LIVELIHOOD_2022 } }),
        )
        .await;
    assert!(conflict.expect_error("CONFLICT").contains("replace"));

    // The revised notice rewords task 10 and drops task 63.
    let revised = LIVELIHOOD_2022
        .replace("新建充电桩 700 个", "新建充电桩 800 个")
        .replace("63. 健全土壤污染调查", "健全土壤污染调查");
    let replaced = app
        .gql(
            Some(&admin),
            COMMIT,
            json!({ "i": { "text": revised, "replace": true } }),
        )
        .await;
    let counts = replaced.data("/commitImport/counts");
    assert_eq!(counts["replaced"], true);
    assert_eq!(counts["tasksUpdated"], 62);
    assert_eq!(counts["tasksCreated"], 0);
    assert_eq!(counts["tasksRemoved"], 1);
    assert_eq!(replaced.data("/commitImport/document/id"), &document_id);
    let text = app
        .gql(
            Some(&admin),
            "{ tasks(filter: {search: \"充电桩\"}) { nodes { text version } } }",
            json!({}),
        )
        .await;
    assert!(
        text.data("/tasks/nodes/0/text")
            .as_str()
            .unwrap()
            .contains("800 个")
    );
    assert_eq!(text.data("/tasks/nodes/0/version"), 2);
    assert_eq!(
        app.count_rows(&format!("progress_reports WHERE task_id = {task_id}"))
            .await,
        1
    );
    assert_eq!(
        app.count_rows("tasks WHERE deleted_at IS NOT NULL").await,
        1
    );
    // The period inserted above was due in 2022 and nothing was submitted: the replacement
    // refreshed the statuses of the 62 tasks it wrote, in its own transaction.
    assert_eq!(
        app.count_rows("tasks WHERE status = 'DELAYED' AND deleted_at IS NULL")
            .await,
        62
    );
    // The removed task owes nothing more: its obligations went with it, and so did what the
    // stored counts (figures, the ranking) held of them.
    assert_eq!(app.count_rows(owed_by_63).await, 0);
    let drift = api::obligations::store::check(&app.db).await.unwrap();
    assert!(drift.is_empty(), "{drift:?}");
    let today = api::deadline::today_in_china(api::clock::Clock::now(&app.clock));
    let drift = api::stats::check_counts(&app.db, today, Default::default())
        .await
        .unwrap();
    assert_eq!(drift, Vec::<String>::new());
}

#[tokio::test]
async fn the_clerks_overrides_are_applied() {
    let app = TestApp::spawn().await;
    app.seed_registry().await;
    let admin = app.admin_token().await;
    let finance = app
        .gql(
            Some(&admin),
            "{ units(search: \"市财政局\") { nodes { id } } }",
            json!({}),
        )
        .await
        .data("/units/nodes/0/id")
        .clone();
    let committed = app
        .gql(
            Some(&admin),
            COMMIT,
            json!({ "i": { "text": LIVELIHOOD_2022, "kind": "OTHER",
                "schedule": { "kind": "QUARTERLY", "dates": ["2022-03-28", "2022-06-28", "2022-09-28", "2022-12-28"] },
                "units": [
                    { "asWritten": "市政务服大数据局", "unitId": finance },
                    { "asWritten": "市供电公司", "newName": "国网开封供电公司（市供电公司）", "newKind": "STATE_COMPANY" },
                ] } }),
        )
        .await;
    assert_eq!(committed.data("/commitImport/document/kind"), "OTHER");
    assert_eq!(committed.data("/commitImport/counts/unitsCreated"), 1);
    let t38 = app
        .gql(
            Some(&admin),
            "{ tasks(filter: {search: \"38\"}) { nodes { units { unit { name } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(t38.data("/tasks/nodes/0/units/0/unit/name"), "市财政局");
    app.gql(
        Some(&admin),
        COMMIT,
        json!({ "i": { "text": BREAKDOWN_2024, "units": [{ "asWritten": "市商务局" }] } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn only_the_bureau_imports() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    for token in [&w.unit_a_token, &w.liu_token, &w.service_token] {
        for query in [PREVIEW, COMMIT] {
            app.gql(
                Some(token),
                query,
                json!({ "i": { "text": LIVELIHOOD_2022 } }),
            )
            .await
            .expect_error("FORBIDDEN");
        }
    }
    for query in [PREVIEW, COMMIT] {
        app.gql(None, query, json!({ "i": { "text": LIVELIHOOD_2022 } }))
            .await
            .expect_error("UNAUTHENTICATED");
    }
    assert_eq!(
        app.count_rows("documents").await,
        1,
        "only the world's own document"
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let cases = [
        (json!({ "text": "" }), "empty"),
        (json!({ "text": WORK_REPORT_2020 }), "no task list"),
        (
            json!({ "text": "PK\u{3}\u{4}\u{0}\u{0}\u{14}binary" }),
            "binary",
        ),
        (json!({}), "exactly one of"),
    ];
    for (input, expected) in cases {
        for query in [PREVIEW, COMMIT] {
            let message = app
                .gql(Some(&admin), query, json!({ "i": input }))
                .await
                .expect_error("BAD_USER_INPUT");
            assert!(message.contains(expected), "{message}");
        }
    }
    assert_eq!(app.count_rows("documents").await, 0);
    assert_eq!(app.count_rows("tasks").await, 0);
}

/// 联系人 lines are on the document, as written and as read, for everyone signed in.
#[tokio::test]
async fn a_documents_contacts_are_shown_as_written_and_as_read() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let committed = app
        .gql(
            Some(&w.bureau),
            COMMIT,
            json!({ "i": { "text": LIVELIHOOD_2022 } }),
        )
        .await;
    let id = committed.data("/commitImport/document/id").clone();
    let read =
        "query($id: ID!) { document(id: $id) { contacts { asWritten names phones emails } } }";
    let expected = json!([{ "asWritten": "联系人：安晓飞 李天霞 电话：23859965",
                            "names": ["安晓飞", "李天霞"], "phones": ["23859965"], "emails": [] },
                          { "asWritten": "邮箱：kfszfdcj@163.com",
                            "names": [], "phones": [], "emails": ["kfszfdcj@163.com"] }]);
    for token in [&w.bureau, &w.liu_token, &w.unit_a_token, &w.service_token] {
        let answer = app.gql(Some(token), read, json!({ "id": id })).await;
        assert_eq!(answer.data("/document/contacts"), &expected);
    }
    app.gql(None, read, json!({ "id": id }))
        .await
        .expect_error("UNAUTHENTICATED");
}

/// A call for material with one date for all and another for some items (其中第2、4项…): the
/// reporting rule is the first date alone; items 2 and 4 carry the second as their deadline,
/// with the sentence as written; the others none; a number no item has is a warning.
#[tokio::test]
async fn a_second_deadline_for_some_items_is_theirs() {
    let app = TestApp::spawn().await;
    app.seed_registry().await;
    let admin = app.admin_token().await;
    let notice = "开封市人民政府办公室文件\n\n汴政办〔2026〕41号\n\n开封市人民政府办公室关于做好2027年重点工作谋划的通知\n\n各县、区人民政府，市人民政府有关部门：\n\n为做好2027年重点工作谋划，请各有关单位于2026年11月15日前将谋划材料报送市政府督查局，其中第2、4项的项目清单于11月10日前报送；第9项材料随年度总结一并报送。\n\n1. 谋划全市经济社会发展主要目标。\n\n责任单位：市发展和改革委员会\n\n2. 谋划2027年重大项目清单。\n\n责任单位：市发展和改革委员会\n\n3. 谋划财政收支安排。\n\n责任单位：市财政局\n\n4. 谋划城乡建设项目清单。\n\n责任单位：市住房和城乡建设局\n\n5. 谋划民生实事，2026年12月底前完成。\n\n责任单位：市民政局\n\n开封市人民政府办公室\n\n2026年10月28日\n";
    let preview = app
        .gql(
            Some(&admin),
            "mutation($i: PreviewImportInput!) { previewImport(input: $i) { preview {
                document { kind schedule { kind dates } }
                tasks { seq deadline deadlineAsWritten } warnings { message } } } }",
            json!({ "i": { "text": notice } }),
        )
        .await;
    let p = preview.data("/previewImport/preview");
    assert_eq!(
        p["document"]["schedule"],
        json!({ "kind": "ONCE", "dates": ["2026-11-15"] })
    );
    let deadlines: Vec<(String, Value)> = p["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["seq"].as_str().unwrap().to_owned(), t["deadline"].clone()))
        .collect();
    assert_eq!(
        deadlines,
        [
            ("1".to_owned(), Value::Null),
            ("2".to_owned(), json!("2026-11-10")),
            ("3".to_owned(), Value::Null),
            ("4".to_owned(), json!("2026-11-10")),
            ("5".to_owned(), json!("2026-12-31")),
        ]
    );
    assert!(
        p["tasks"][1]["deadlineAsWritten"]
            .as_str()
            .unwrap()
            .contains("其中第2、4项的项目清单于11月10日前报送")
    );
    // 第9项 is not a subset with a date; no warning invents one.
    assert!(
        !p["warnings"].to_string().contains("item 9"),
        "{}",
        p["warnings"]
    );
    // Committed: the tasks keep them.
    let committed = app
        .gql(
            Some(&admin),
            "mutation($i: CommitImportInput!) { commitImport(input: $i) { document { tasks(first: 10) { nodes { seq deadline } } } } }",
            json!({ "i": { "text": notice } }),
        )
        .await;
    let stored = committed.data("/commitImport/document/tasks/nodes");
    assert_eq!(stored[1], json!({ "seq": "2", "deadline": "2026-11-10" }));
    assert_eq!(stored[3], json!({ "seq": "4", "deadline": "2026-11-10" }));
    assert_eq!(stored[0]["deadline"], Value::Null);
}

/// The same rule in a notice whose list is a table (Markdown pipes, as a clerk pastes it).
#[tokio::test]
async fn a_second_deadline_for_some_rows_of_a_table_is_theirs() {
    let app = TestApp::spawn().await;
    app.seed_registry().await;
    let admin = app.admin_token().await;
    let notice = "开封市人民政府办公室文件\n\n汴政办〔2026〕42号\n\n开封市人民政府办公室关于报送2027年项目谋划材料的通知\n\n各有关单位：\n\n请于2026年12月20日前报送谋划材料，其中第1至2项于11月底前报送。\n\n开封市人民政府办公室\n\n2026年11月2日\n\n| 序号 | 工作任务 | 责任单位 | 完成时限 |\n|---|---|---|---|\n| 1 | 谋划交通基础设施项目。 | 市交通运输局 |  |\n| 2 | 谋划水利项目。 | 市水利局 |  |\n| 3 | 谋划产业项目。 | 市发展和改革委员会 | 2026年12月10日 |\n";
    let preview = app
        .gql(
            Some(&admin),
            "mutation($i: PreviewImportInput!) { previewImport(input: $i) { preview {
                document { schedule { kind dates } } tasks { seq deadline } } } }",
            json!({ "i": { "text": notice } }),
        )
        .await;
    let p = preview.data("/previewImport/preview");
    assert_eq!(
        p["document"]["schedule"],
        json!({ "kind": "ONCE", "dates": ["2026-12-20"] })
    );
    assert_eq!(
        p["tasks"],
        json!([{ "seq": "1", "deadline": "2026-11-30" },
               { "seq": "2", "deadline": "2026-11-30" },
               { "seq": "3", "deadline": "2026-12-10" }])
    );
}
