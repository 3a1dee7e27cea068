//! Year end and where tasks come from: carrying unfinished tasks into next year's notice
//! (结转), links between tasks (与…合并起草), and the source work report a task cites.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

const CARRY: &str = "mutation($i: CarryOverTasksInput!) { carryOverTasks(input: $i) {
    carried { from { seq } task { id seq text deadline units { role unit { name } } leaders { role } } }
    alreadyCarried { seq } } }";
const LINKS: &str = "query($id: ID!) { node(id: $id) { ... on Task { seq links { kind direction note task { seq } } } } }";
const LINK: &str = "mutation($i: LinkTasksInput!) { linkTasks(input: $i) { link { kind direction task { seq } } } }";
const UNLINK: &str = "mutation($i: UnlinkTasksInput!) { unlinkTasks(input: $i) { removed } }";
const CITE: &str = "mutation($i: CiteSourceInput!) { citeSource(input: $i) { citation { passage charOffset document { kind } } } }";
const CREATE_DOCUMENT: &str =
    "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }";

async fn document(app: &TestApp, token: &str, input: Value) -> String {
    app.gql(Some(token), CREATE_DOCUMENT, json!({ "i": input }))
        .await
        .data("/createDocument/document/id")
        .as_str()
        .unwrap()
        .to_owned()
}

/// The links of a task as `token` reads them: (kind, direction, other task's seq or "-").
async fn links(app: &TestApp, token: &str, task: &str) -> Vec<(String, String, String)> {
    let answer = app.gql(Some(token), LINKS, json!({ "id": task })).await;
    answer
        .data("/node/links")
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_owned(),
                l["direction"].as_str().unwrap().to_owned(),
                l["task"]["seq"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect()
}

fn link(kind: &str, direction: &str, seq: &str) -> (String, String, String) {
    (kind.to_owned(), direction.to_owned(), seq.to_owned())
}

#[tokio::test]
async fn unfinished_tasks_are_carried_into_next_years_notice_linked_both_ways() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    // Unit A reports on task 1; the bureau completes task 3.
    app.gql(
        Some(&w.unit_a_token),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "idempotencyKey": "carry-0001", "progress": "一季度增长6.1%" } }),
    )
    .await
    .data("/submitReport/report/id");
    app.gql(
        Some(&w.bureau),
        "mutation($i: DecideTaskInput!) { completeTask(input: $i) { task { status } } }",
        json!({ "i": { "id": w.tasks[2], "version": 1, "comment": "已建成" } }),
    )
    .await
    .data("/completeTask/task/status");
    let next = document(
        &app,
        &w.bureau,
        json!({ "docNumber": "汴政办〔2027〕1号", "title": "2027年政府工作报告确定事项分解方案", "year": 2027,
                "kind": "WORK_REPORT",
                "schedule": { "kind": "QUARTERLY", "dates": ["2027-03-28", "2027-06-28", "2027-09-28", "2027-12-28"] } }),
    )
    .await;
    let carry = json!({ "i": { "fromDocumentId": w.document, "toDocumentId": next, "deadline": "2027-06-30" } });

    // Only the bureau carries tasks over.
    for token in [&w.unit_a_token, &w.liu_token, &w.service_token] {
        app.gql(Some(token), CARRY, carry.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, CARRY, carry.clone())
        .await
        .expect_error("UNAUTHENTICATED");
    // Bad input changes nothing: the same year, a closed task, a task of another notice.
    for (input, field) in [
        (
            json!({ "fromDocumentId": w.document, "toDocumentId": w.document }),
            "toDocumentId",
        ),
        (
            json!({ "fromDocumentId": w.document, "toDocumentId": next, "taskIds": [w.tasks[2]] }),
            "taskIds",
        ),
        (
            json!({ "fromDocumentId": next, "toDocumentId": next, "taskIds": [w.tasks[0]] }),
            "toDocumentId",
        ),
        (
            json!({ "fromDocumentId": w.document, "toDocumentId": w.unit_a }),
            "toDocumentId",
        ),
    ] {
        let refused = app.gql(Some(&w.bureau), CARRY, json!({ "i": input })).await;
        refused.expect_error("BAD_USER_INPUT");
        assert_eq!(
            refused.0["errors"][0]["extensions"]["field"], field,
            "{refused:?}"
        );
    }
    assert_eq!(app.count_rows("task_links").await, 0);

    // Tasks 1 and 2 are carried; 3 is complete and stays.
    let carried = app.gql(Some(&w.bureau), CARRY, carry.clone()).await;
    let list = carried.data("/carryOverTasks/carried").as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["from"]["seq"], "1");
    assert_eq!(list[0]["task"]["seq"], "结转1");
    assert_eq!(
        list[0]["task"]["text"],
        "全市生产总值增长6%左右，城镇新增就业6.24万人。"
    );
    assert_eq!(list[0]["task"]["deadline"], "2027-06-30");
    assert_eq!(
        list[0]["task"]["units"],
        json!([{ "role": "LEAD", "unit": { "name": "市发展和改革委员会" } },
               { "role": "COOPERATING", "unit": { "name": "市财政局" } }])
    );
    assert_eq!(list[1]["task"]["leaders"], json!([{ "role": "LEAD" }]));
    let new_one = list[0]["task"]["id"].as_str().unwrap().to_owned();
    let new_two = list[1]["task"]["id"].as_str().unwrap().to_owned();

    // Linked both ways; the reports stay with the old task.
    assert_eq!(
        links(&app, &w.bureau, &w.tasks[0]).await,
        [link("CARRIED_OVER", "OUTGOING", "结转1")]
    );
    assert_eq!(
        links(&app, &w.unit_a_token, &new_one).await,
        [link("CARRIED_OVER", "INCOMING", "1")]
    );
    let reports = "query($id: ID!) { node(id: $id) { ... on Task { reports { id } } } }";
    let old_reports = app
        .gql(Some(&w.bureau), reports, json!({ "id": w.tasks[0] }))
        .await;
    assert_eq!(
        old_reports.data("/node/reports").as_array().unwrap().len(),
        1
    );
    let new_reports = app
        .gql(Some(&w.bureau), reports, json!({ "id": new_one }))
        .await;
    assert_eq!(new_reports.data("/node/reports"), &json!([]));

    // A second call carries nothing twice.
    let again = app.gql(Some(&w.bureau), CARRY, carry).await;
    assert_eq!(again.data("/carryOverTasks/carried"), &json!([]));
    assert_eq!(
        again.data("/carryOverTasks/alreadyCarried"),
        &json!([{ "seq": "1" }, { "seq": "2" }])
    );

    // The new tasks are assignments like any: received, owed and counted in the new year.
    let receipts = app
        .gql(
            Some(&w.unit_a_token),
            "query($t: ID!) { taskReceipts(filter: { taskId: $t }) { totalCount } }",
            json!({ "t": new_one }),
        )
        .await;
    assert_eq!(receipts.data("/taskReceipts/totalCount"), 1);
    app.gql(
        Some(&w.bureau),
        "mutation($i: GenerateReportingPeriodsInput!) { generateReportingPeriods(input: $i) { periods { id } } }",
        json!({ "i": { "documentId": next } }),
    )
    .await
    .data("/generateReportingPeriods");
    let figures = app
        .gql(
            Some(&w.bureau),
            "query($d: ID!) { reportingFigures(filter: { documentId: $d }) { obligations tasks } }",
            json!({ "d": next }),
        )
        .await;
    assert_eq!(figures.data("/reportingFigures/obligations"), 8);
    assert_eq!(figures.data("/reportingFigures/tasks"), 2);

    // Audited, and heard by those on the new task only.
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'task.carry_over'")
            .await,
        2
    );
    let heard = |token: String| {
        let app = &app;
        async move {
            app.heard(&token)
                .await
                .into_iter()
                .filter(|(kind, _)| kind == "TASK_CARRIED_OVER")
                .map(|(_, seq)| seq)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(heard(w.unit_a_token.clone()).await, ["结转1"]);
    assert_eq!(heard(w.unit_b_token.clone()).await, ["结转1", "结转2"]);
    assert!(heard(w.unit_c_token.clone()).await.is_empty());
    assert!(heard(w.wang_token.clone()).await.is_empty());
    let _ = new_two;
}

#[tokio::test]
async fn tasks_are_linked_and_cite_the_work_report_they_come_from() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let together = json!({ "i": { "taskId": w.tasks[0], "linkedTaskId": w.tasks[1], "kind": "DRAFTED_TOGETHER", "note": "与第2项合并起草" } });
    for token in [&w.unit_b_token, &w.liu_token, &w.service_token] {
        app.gql(Some(token), LINK, together.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, LINK, together.clone())
        .await
        .expect_error("UNAUTHENTICATED");
    let linked = app.gql(Some(&w.bureau), LINK, together.clone()).await;
    assert_eq!(linked.data("/linkTasks/link/task/seq"), "2");
    // Once, whichever way round; never to itself, never a carry-over by hand.
    let reverse = json!({ "i": { "taskId": w.tasks[1], "linkedTaskId": w.tasks[0], "kind": "DRAFTED_TOGETHER" } });
    app.gql(Some(&w.bureau), LINK, reverse.clone())
        .await
        .expect_error("CONFLICT");
    for input in [
        json!({ "taskId": w.tasks[0], "linkedTaskId": w.tasks[0], "kind": "RELATED" }),
        json!({ "taskId": w.tasks[0], "linkedTaskId": w.tasks[2], "kind": "CARRIED_OVER" }),
        json!({ "taskId": w.tasks[0], "linkedTaskId": w.unit_a, "kind": "RELATED" }),
    ] {
        app.gql(Some(&w.bureau), LINK, json!({ "i": input }))
            .await
            .expect_error("BAD_USER_INPUT");
    }
    // Read from both ends; the other end shows to those who see it (A does not see task 2).
    assert_eq!(
        links(&app, &w.bureau, &w.tasks[1]).await,
        [link("DRAFTED_TOGETHER", "INCOMING", "1")]
    );
    assert_eq!(
        links(&app, &w.unit_b_token, &w.tasks[0]).await,
        [link("DRAFTED_TOGETHER", "OUTGOING", "2")]
    );
    assert_eq!(
        links(&app, &w.unit_a_token, &w.tasks[0]).await,
        [link("DRAFTED_TOGETHER", "OUTGOING", "-")]
    );
    assert_eq!(links(&app, &w.unit_c_token, &w.tasks[2]).await, []);
    // Removed by the bureau, from either end; then there is nothing to remove.
    let unlink = json!({ "i": { "taskId": w.tasks[1], "linkedTaskId": w.tasks[0], "kind": "DRAFTED_TOGETHER" } });
    app.gql(Some(&w.unit_a_token), UNLINK, unlink.clone())
        .await
        .expect_error("FORBIDDEN");
    assert_eq!(
        app.gql(Some(&w.bureau), UNLINK, unlink.clone())
            .await
            .data("/unlinkTasks/removed"),
        true
    );
    app.gql(Some(&w.bureau), UNLINK, unlink)
        .await
        .expect_error("NOT_FOUND");

    // The work report itself, stored as a SOURCE document: it takes no tasks; tasks cite it.
    let report_text = "政府工作报告\n2026年主要预期目标是：全市生产总值增长6%左右；城镇新增就业6.24万人以上。\n……\n全市生产总值增长6%左右，是综合考虑各方面因素确定的。";
    let source = document(
        &app,
        &w.bureau,
        json!({ "title": "2026年开封市人民政府工作报告", "year": 2026, "kind": "SOURCE", "originalText": report_text }),
    )
    .await;
    app.gql(
        Some(&w.bureau),
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
        json!({ "i": { "documentId": source, "seq": "1", "text": "不应有任务", "leaders": [], "units": [] } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let passage = "全市生产总值增长6%左右";
    let cite = |occurrence: Option<u32>| json!({ "i": { "taskId": w.tasks[0], "documentId": source, "passage": passage, "occurrence": occurrence } });
    for token in [&w.unit_a_token, &w.liu_token, &w.service_token] {
        app.gql(Some(token), CITE, cite(None))
            .await
            .expect_error("FORBIDDEN");
    }
    let first = app.gql(Some(&w.bureau), CITE, cite(None)).await;
    let expected = report_text[..report_text.find(passage).unwrap()]
        .chars()
        .count();
    assert_eq!(first.data("/citeSource/citation/charOffset"), expected);
    assert_eq!(first.data("/citeSource/citation/document/kind"), "SOURCE");
    let second = app.gql(Some(&w.bureau), CITE, cite(Some(2))).await;
    let later = report_text[..report_text.rfind(passage).unwrap()]
        .chars()
        .count();
    assert_eq!(second.data("/citeSource/citation/charOffset"), later);
    app.gql(Some(&w.bureau), CITE, cite(None))
        .await
        .expect_error("CONFLICT");
    // Matched exactly: a full-width ％ is another text; a third occurrence does not exist; the
    // task's own notice is not its source.
    for input in [
        json!({ "taskId": w.tasks[0], "documentId": source, "passage": "全市生产总值增长6％左右" }),
        json!({ "taskId": w.tasks[0], "documentId": source, "passage": passage, "occurrence": 3 }),
        json!({ "taskId": w.tasks[0], "documentId": w.document, "passage": "全市" }),
        json!({ "taskId": w.tasks[0], "documentId": source, "passage": " " }),
    ] {
        app.gql(Some(&w.bureau), CITE, json!({ "i": input }))
            .await
            .expect_error("BAD_USER_INPUT");
    }
    // Whoever sees the task reads its citations; others do not see the task at all.
    let read = "query($id: ID!) { node(id: $id) { ... on Task { citations { passage charOffset document { title } } } } }";
    let by_a = app
        .gql(Some(&w.unit_a_token), read, json!({ "id": w.tasks[0] }))
        .await;
    assert_eq!(by_a.data("/node/citations").as_array().unwrap().len(), 2);
    assert_eq!(by_a.data("/node/citations/0/passage"), passage);
    assert_eq!(
        by_a.data("/node/citations/0/document/title"),
        "2026年开封市人民政府工作报告"
    );
    let by_wang = app
        .gql(Some(&w.wang_token), read, json!({ "id": w.tasks[0] }))
        .await;
    assert_eq!(by_wang.0["data"]["node"], Value::Null);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'task.link'").await,
        1
    );
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'task.unlink'")
            .await,
        1
    );
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'task.cite'").await,
        2
    );
}
