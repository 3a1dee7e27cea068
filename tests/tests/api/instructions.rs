//! Instructions (批示): leaders and the bureau write, the task's units read and reply.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

const WRITE: &str = "mutation($i: WriteInstructionInput!) { writeInstruction(input: $i) { instruction { id kind body parentId author { displayName role } } } }";
const THREAD: &str =
    "query($t: ID!) { task(id: $t) { instructions { kind body parentId author { role } } } }";

#[tokio::test]
async fn a_leader_instructs_the_units_read_and_reply_in_order() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let first = app
        .gql(
            Some(&w.liu_token),
            WRITE,
            json!({ "i": { "taskId": w.tasks[0], "body": "请加快进度，确保二季度完成过半。" } }),
        )
        .await;
    assert_eq!(
        first.data("/writeInstruction/instruction/kind"),
        "INSTRUCTION"
    );
    assert_eq!(
        first.data("/writeInstruction/instruction/author/role"),
        "LEADER"
    );
    let parent = first.data("/writeInstruction/instruction/id").clone();
    let reply = app
        .gql(Some(&w.unit_a_token), WRITE, json!({ "i": { "taskId": w.tasks[0], "parentId": parent, "body": "收到，正在落实。" } }))
        .await;
    assert_eq!(reply.data("/writeInstruction/instruction/kind"), "REPLY");
    assert_eq!(
        reply.data("/writeInstruction/instruction/parentId"),
        &parent
    );

    // Both units of task 1 (lead and cooperating), the bureau and the leader read the thread.
    for token in [
        &w.unit_a_token,
        &w.unit_b_token,
        &w.bureau,
        &w.liu_token,
        &w.service_token,
    ] {
        let thread = app
            .gql(Some(token), THREAD, json!({ "t": w.tasks[0] }))
            .await;
        let bodies: Vec<&str> = thread
            .data("/task/instructions")
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["body"].as_str().unwrap())
            .collect();
        assert_eq!(
            bodies,
            ["请加快进度，确保二季度完成过半。", "收到，正在落实。"]
        );
    }
    app.gql(Some(&w.unit_c_token), THREAD, json!({ "t": w.tasks[0] }))
        .await
        .expect_error("NOT_FOUND");
    assert_eq!(
        app.count_rows("events WHERE kind = 'instruction.written'")
            .await,
        2
    );
}

#[tokio::test]
async fn who_may_start_a_thread_and_who_may_reply() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let start = json!({ "i": { "taskId": w.tasks[0], "body": "批示" } });
    app.gql(Some(&w.unit_a_token), WRITE, start.clone())
        .await
        .expect_error("FORBIDDEN");
    app.gql(Some(&w.service_token), WRITE, start.clone())
        .await
        .expect_error("FORBIDDEN");
    app.gql(Some(&w.wang_token), WRITE, start.clone())
        .await
        .expect_error("NOT_FOUND");
    app.gql(None, WRITE, start.clone())
        .await
        .expect_error("UNAUTHENTICATED");
    let bureau = app.gql(Some(&w.bureau), WRITE, start).await;
    assert_eq!(
        bureau.data("/writeInstruction/instruction/author/role"),
        "BUREAU"
    );
    let parent = bureau.data("/writeInstruction/instruction/id").clone();
    app.gql(
        Some(&w.unit_c_token),
        WRITE,
        json!({ "i": { "taskId": w.tasks[0], "parentId": parent, "body": "回复" } }),
    )
    .await
    .expect_error("NOT_FOUND");

    // A reply must belong to the same task, and say something.
    let other = app
        .gql(
            Some(&w.bureau),
            WRITE,
            json!({ "i": { "taskId": w.tasks[1], "body": "另一事项" } }),
        )
        .await
        .data("/writeInstruction/instruction/id")
        .clone();
    let before = app.count_rows("instructions").await;
    let cases: [(Value, &str); 2] = [
        (
            json!({ "taskId": w.tasks[0], "parentId": other, "body": "回复" }),
            "parentId",
        ),
        (
            json!({ "taskId": w.tasks[0], "parentId": parent, "body": "  " }),
            "body",
        ),
    ];
    for (input, field) in cases {
        let response = app
            .gql(Some(&w.unit_a_token), WRITE, json!({ "i": input }))
            .await;
        response.expect_error("BAD_USER_INPUT");
        assert_eq!(
            response
                .0
                .pointer("/errors/0/extensions/field")
                .and_then(Value::as_str),
            Some(field)
        );
    }
    assert_eq!(app.count_rows("instructions").await, before);
}

#[tokio::test]
async fn an_instruction_on_a_report_stays_with_those_who_read_the_report() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    let report = app
        .gql(
            Some(&w.unit_a_token),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
            json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "idempotencyKey": "instr-0001", "progress": "进展" } }),
        )
        .await
        .data("/submitReport/report/id")
        .clone();
    app.gql(
        Some(&w.bureau),
        WRITE,
        json!({ "i": { "taskId": w.tasks[0], "reportId": report, "body": "报告数据不完整，请补充。" } }),
    )
    .await
    .data("");
    let own = app
        .gql(Some(&w.unit_a_token), THREAD, json!({ "t": w.tasks[0] }))
        .await;
    assert_eq!(own.data("/task/instructions").as_array().unwrap().len(), 1);
    let other = app
        .gql(Some(&w.unit_b_token), THREAD, json!({ "t": w.tasks[0] }))
        .await;
    assert_eq!(
        other.data("/task/instructions"),
        &json!([]),
        "unit B never sees unit A's report thread"
    );
    app.gql(
        Some(&w.bureau),
        WRITE,
        json!({ "i": { "taskId": w.tasks[1], "reportId": report, "body": "错位" } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
}
