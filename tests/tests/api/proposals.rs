//! People's Congress motions: proposers recorded by the bureau, one reply per round by the
//! handling unit, the deputies' rating, and a 不满意 rating opening a second round.

use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

const SET: &str = "mutation($i: SetProposalInput!) { setProposal(input: $i) { task { proposal { proposers deputyCount round } } } }";
const REPLY: &str = "mutation($i: ReplyToProposalInput!) { replyToProposal(input: $i) { task { proposal { round replyClass repliedOn } } } }";
const RATE: &str = "mutation($i: RateProposalReplyInput!) { rateProposalReply(input: $i) { task { status proposal { round rating replyText replyDeadline replies { round replyClass rating } } } } }";
const READ: &str = "query($id: ID!) { task(id: $id) { proposal { proposers deputyCount round rating replies { round text rating } } } }";

/// A PROPOSAL document with one motion handled by unit A (lead) with unit B cooperating.
async fn motion(app: &TestApp, w: &World) -> String {
    let b = Some(w.bureau.as_str());
    let document = app
        .gql(
            b,
            "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }",
            json!({ "i": { "docNumber": "汴人大建〔2026〕1号", "title": "市十七届人大一次会议代表建议交办",
                           "kind": "PROPOSAL", "issuedOn": "2026-02-20" } }),
        )
        .await
        .data("/createDocument/document/id")
        .clone();
    app.gql(
        b,
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
        json!({ "i": { "documentId": document, "seq": "第15号", "text": "关于加快老旧小区加装电梯的建议",
                       "leaders": [{ "leaderId": w.leader_liu, "role": "RESPONSIBLE" }],
                       "units": [{ "unitId": w.unit_a, "role": "LEAD" }, { "unitId": w.unit_b, "role": "COOPERATING" }] } }),
    )
    .await
    .data("/createTask/task/id")
    .as_str()
    .unwrap()
    .to_owned()
}

fn code(response: &tests::GqlResponse) -> Option<&str> {
    response.error_code()
}

#[tokio::test]
async fn a_dissatisfied_rating_opens_a_second_round_and_every_reply_is_kept() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let task = motion(&app, &w).await;
    let set = json!({ "i": { "taskId": task, "proposers": "张三等12名代表", "deputyCount": 12, "replyDeadline": "2026-05-20" } });

    // Only the bureau records the motion; a work-report task carries none.
    for (token, expected) in [
        (None, "UNAUTHENTICATED"),
        (Some(&w.unit_a_token), "FORBIDDEN"),
        (Some(&w.liu_token), "FORBIDDEN"),
        (Some(&w.service_token), "FORBIDDEN"),
    ] {
        let response = app.gql(token.map(String::as_str), SET, set.clone()).await;
        assert_eq!(code(&response), Some(expected));
    }
    app.gql(
        Some(&w.bureau),
        SET,
        json!({ "i": { "taskId": w.tasks[0], "proposers": "李四" } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let reply = |text: &str, class: &str| json!({ "i": { "taskId": task, "text": text, "replyClass": class } });
    app.gql(Some(&w.unit_a_token), REPLY, reply("答复", "SOLVED"))
        .await
        .expect_error("BAD_USER_INPUT");
    // Blank proposers or an impossible deputy count are refused, naming the field; nothing stored.
    for (bad, field) in [
        (json!({ "taskId": task, "proposers": "  " }), "proposers"),
        (
            json!({ "taskId": task, "proposers": "张三", "deputyCount": 0 }),
            "deputyCount",
        ),
    ] {
        let refused = app.gql(Some(&w.bureau), SET, json!({ "i": bad })).await;
        refused.expect_error("BAD_USER_INPUT");
        assert_eq!(refused.0["errors"][0]["extensions"]["field"], field);
    }
    assert_eq!(app.count_rows("task_proposals").await, 0);
    let stored = app.gql(Some(&w.bureau), SET, set).await;
    assert_eq!(
        stored.data("/setProposal/task/proposal"),
        &json!({ "proposers": "张三等12名代表", "deputyCount": 12, "round": 1 })
    );

    // The lead unit replies; the cooperating unit and the leader do not; one reply per round.
    let first = "已将加装电梯纳入年度民生实事，正在分批推进。";
    app.gql(Some(&w.unit_a_token), REPLY, reply("　", "SOLVED"))
        .await
        .expect_error("BAD_USER_INPUT");
    assert_eq!(app.count_rows("proposal_replies").await, 0);
    for token in [&w.unit_b_token, &w.liu_token, &w.service_token] {
        let response = app
            .gql(Some(token), REPLY, reply(first, "IN_PROGRESS"))
            .await;
        assert_eq!(code(&response), Some("FORBIDDEN"));
    }
    let replied = app
        .gql(Some(&w.unit_a_token), REPLY, reply(first, "IN_PROGRESS"))
        .await;
    assert_eq!(
        replied.data("/replyToProposal/task/proposal/replyClass"),
        "IN_PROGRESS"
    );
    assert_eq!(
        replied.data("/replyToProposal/task/proposal/repliedOn"),
        "2026-03-01"
    );
    app.gql(Some(&w.unit_a_token), REPLY, reply("再答复", "SOLVED"))
        .await
        .expect_error("CONFLICT");

    // The bureau completes the task; the deputies are not satisfied: a second round opens.
    app.gql(
        Some(&w.bureau),
        "mutation($i: DecideTaskInput!) { completeTask(input: $i) { task { status } } }",
        json!({ "i": { "id": task, "version": 1 } }),
    )
    .await
    .data("/completeTask");
    let rate = |rating: &str, deadline: Value| json!({ "i": { "taskId": task, "rating": rating, "nextReplyDeadline": deadline } });
    app.gql(
        Some(&w.unit_a_token),
        RATE,
        rate("DISSATISFIED", Value::Null),
    )
    .await
    .expect_error("FORBIDDEN");
    app.gql(
        Some(&w.bureau),
        RATE,
        rate("DISSATISFIED", json!("2026-02-01")),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let reopened = app
        .gql(
            Some(&w.bureau),
            RATE,
            rate("DISSATISFIED", json!("2026-07-31")),
        )
        .await;
    assert_eq!(
        reopened.data("/rateProposalReply/task/status"),
        "NOT_STARTED"
    );
    assert_eq!(
        reopened.data("/rateProposalReply/task/proposal"),
        &json!({ "round": 2, "rating": null, "replyText": null, "replyDeadline": "2026-07-31",
                 "replies": [{ "round": 1, "replyClass": "IN_PROGRESS", "rating": "DISSATISFIED" }] })
    );
    app.gql(Some(&w.bureau), RATE, rate("SATISFIED", Value::Null))
        .await
        .expect_error("CONFLICT");

    // Round 2: answered again and rated 基本满意.
    app.gql(
        Some(&w.unit_a_token),
        REPLY,
        reply("已完成12部电梯加装。", "SOLVED"),
    )
    .await
    .data("/replyToProposal");
    let rated = app
        .gql(
            Some(&w.bureau),
            RATE,
            rate("BASICALLY_SATISFIED", Value::Null),
        )
        .await;
    assert_eq!(
        rated.data("/rateProposalReply/task/proposal/rating"),
        "BASICALLY_SATISFIED"
    );

    // Everyone who reads the task reads the whole history; unit C does not see the task.
    for token in [
        &w.bureau,
        &w.liu_token,
        &w.service_token,
        &w.unit_a_token,
        &w.unit_b_token,
    ] {
        let read = app.gql(Some(token), READ, json!({ "id": task })).await;
        assert_eq!(read.data("/task/proposal/round"), 2);
        assert_eq!(read.data("/task/proposal/replies/0/text"), first);
        assert_eq!(
            read.data("/task/proposal/replies/1/rating"),
            "BASICALLY_SATISFIED"
        );
    }
    app.gql(Some(&w.unit_c_token), READ, json!({ "id": task }))
        .await
        .expect_error("NOT_FOUND");
    assert_eq!(
        app.count_rows("events WHERE kind LIKE 'proposal.%'").await,
        5,
        "recorded, two replies, two ratings, and nothing for refused calls"
    );
    assert_eq!(
        app.count_rows("audit_log WHERE action LIKE 'proposal.%'")
            .await,
        5
    );
}
