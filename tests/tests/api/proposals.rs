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

/// A document of two motions: the reply deadline reminds the lead unit (before and after, once
/// each per round); the satisfaction rate stands against the notice's target; a done motion
/// gets a follow-up review (回头看), scheduled and recorded by the bureau.
#[tokio::test]
async fn reply_deadlines_remind_the_rate_meets_its_target_and_done_motions_are_reviewed_again() {
    use chrono::TimeZone;
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let first = motion(&app, &w).await;
    let b = Some(w.bureau.as_str());
    let document = app
        .gql(
            b,
            "query($id: ID!) { task(id: $id) { document { id } } }",
            json!({ "id": first }),
        )
        .await
        .data("/task/document/id")
        .clone();
    let second = app
        .gql(
            b,
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
            json!({ "i": { "documentId": document, "seq": "第16号", "text": "关于增设社区养老服务站的建议",
                           "leaders": [], "units": [{ "unitId": w.unit_c, "role": "LEAD" }] } }),
        )
        .await
        .data("/createTask/task/id")
        .as_str()
        .unwrap()
        .to_owned();
    for (task, deadline) in [(&first, "2026-03-10"), (&second, "2026-03-20")] {
        app.gql(
            b,
            SET,
            json!({ "i": { "taskId": task, "proposers": "王五等10名代表", "replyDeadline": deadline } }),
        )
        .await
        .data("/setProposal");
    }

    // 8 March: the first reply is due in two days: its lead unit A is reminded, not B.
    let at = |d: u32| chrono::Utc.with_ymd_and_hms(2026, 3, d, 2, 0, 0).unwrap();
    // (The units have not acknowledged their tasks either: those reminders are counted apart.)
    app.clock.set(at(8));
    let replies = || app.count_rows("reminders WHERE rule IN ('REPLY_DUE_SOON', 'REPLY_OVERDUE')");
    api::reminders::rules::run(&app.db, at(8)).await.unwrap();
    assert_eq!(replies().await, 1);
    assert_eq!(
        api::reminders::rules::run(&app.db, at(8)).await.unwrap(),
        0,
        "never twice"
    );
    // 12 March: overdue for A (once more); C's is not yet close.
    api::reminders::rules::run(&app.db, at(12)).await.unwrap();
    assert_eq!(replies().await, 2);
    let rules = |unit: i64| {
        let app = &app;
        async move {
            app.count_rows(&format!(
                "reminders WHERE rule IN ('REPLY_DUE_SOON', 'REPLY_OVERDUE') AND unit_id = {unit}"
            ))
            .await
        }
    };
    let id = |gid: &str| {
        api::graphql::relay::parse_global_id(&async_graphql::ID(gid.to_owned()))
            .unwrap()
            .1
    };
    assert_eq!(rules(id(&w.unit_a)).await, 2);
    assert_eq!(rules(id(&w.unit_b)).await, 0);
    assert_eq!(rules(id(&w.unit_c)).await, 0);
    app.clock.set(at(12));
    let unit_a = app.login("fgw", tests::world::PASSWORD).await.0;
    let mine = app
        .gql(
            Some(&unit_a),
            "{ reminders { nodes { rule message } } }",
            json!({}),
        )
        .await;
    let listed: Vec<&str> = mine
        .data("/reminders/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert!(
        listed.contains(&"REPLY_OVERDUE") && listed.contains(&"REPLY_DUE_SOON"),
        "{listed:?}"
    );

    // Satisfaction: nothing rated yet (0 of 2); A replies and the deputies are satisfied (1 of
    // 2, short of 100%); with the target at 50% it is met.
    const FIGURES: &str = "query($d: ID!) { proposalFigures(documentId: $d) { motions replied satisfied basicallySatisfied dissatisfiedRounds overdueReplies satisfactionRate target meetsTarget } }";
    let bureau = app.admin_token().await;
    let f = app
        .gql(Some(&bureau), FIGURES, json!({ "d": document }))
        .await;
    assert_eq!(
        f.data("/proposalFigures"),
        &json!({ "motions": 2, "replied": 0, "satisfied": 0, "basicallySatisfied": 0, "dissatisfiedRounds": 0,
                 "overdueReplies": 1, "satisfactionRate": 0.0, "target": 100, "meetsTarget": false })
    );
    app.gql(
        Some(&unit_a),
        REPLY,
        json!({ "i": { "taskId": first, "text": "已纳入年度计划，年内完成加装电梯120部。", "replyClass": "SOLVED" } }),
    )
    .await
    .data("/replyToProposal");
    app.gql(
        Some(&bureau),
        RATE,
        json!({ "i": { "taskId": first, "rating": "SATISFIED" } }),
    )
    .await
    .data("/rateProposalReply");
    let f = app
        .gql(Some(&bureau), FIGURES, json!({ "d": document }))
        .await;
    assert_eq!(f.data("/proposalFigures/satisfactionRate"), 0.5);
    assert_eq!(f.data("/proposalFigures/overdueReplies"), 0);
    assert_eq!(f.data("/proposalFigures/meetsTarget"), false);
    app.gql(
        Some(&bureau),
        "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { satisfactionTarget } } }",
        json!({ "i": { "id": document, "satisfactionTarget": 50 } }),
    )
    .await
    .data("/updateDocument");
    let f = app
        .gql(Some(&bureau), FIGURES, json!({ "d": document }))
        .await;
    assert_eq!(f.data("/proposalFigures/meetsTarget"), true);
    // By role: the service reads all; unit A and leader 刘震 the one motion they see; unit C
    // its own; a work-report document has no satisfaction; anonymous is refused.
    let service = app.login("dashboard", tests::world::PASSWORD).await.0;
    let liu = app.login("liuzhen", tests::world::PASSWORD).await.0;
    let unit_c = app.login("weishi", tests::world::PASSWORD).await.0;
    for (token, motions) in [(&service, 2), (&unit_a, 1), (&liu, 1), (&unit_c, 1)] {
        let seen = app
            .gql(Some(token), FIGURES, json!({ "d": document }))
            .await;
        assert_eq!(seen.data("/proposalFigures/motions"), motions);
    }
    app.gql(Some(&bureau), FIGURES, json!({ "d": w.document }))
        .await
        .expect_error("BAD_USER_INPUT");
    app.gql(None, FIGURES, json!({ "d": document }))
        .await
        .expect_error("UNAUTHENTICATED");

    // 回头看: only for a done motion, by the bureau; recorded once, not before it is held.
    const SCHEDULE: &str = "mutation($i: ScheduleFollowUpInput!) { scheduleFollowUp(input: $i) { followUp { id dueOn note task { id } } } }";
    const RECORD: &str = "mutation($i: RecordFollowUpInput!) { recordFollowUp(input: $i) { followUp { heldOn findings } } }";
    let schedule =
        json!({ "i": { "taskId": first, "dueOn": "2026-09-15", "note": "检查加装电梯完成情况" } });
    for token in [&unit_a, &liu, &service] {
        app.gql(Some(token), SCHEDULE, schedule.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(
        Some(&bureau),
        SCHEDULE,
        json!({ "i": { "taskId": second, "dueOn": "2026-09-15" } }),
    )
    .await
    .expect_error("CONFLICT");
    app.gql(
        Some(&bureau),
        SCHEDULE,
        json!({ "i": { "taskId": first, "dueOn": "2026-03-01" } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let scheduled = app.gql(Some(&bureau), SCHEDULE, schedule).await;
    let review = scheduled.data("/scheduleFollowUp/followUp/id").clone();
    let record = |held: &str| json!({ "i": { "id": review, "heldOn": held, "findings": "已完成加装电梯126部，群众满意。" } });
    app.gql(Some(&bureau), RECORD, record("2026-09-15"))
        .await
        .expect_error("BAD_USER_INPUT");
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 9, 16, 2, 0, 0).unwrap());
    let bureau = app.admin_token().await;
    let unit_a = app.login("fgw", tests::world::PASSWORD).await.0;
    app.gql(Some(&unit_a), RECORD, record("2026-09-15"))
        .await
        .expect_error("FORBIDDEN");
    let recorded = app.gql(Some(&bureau), RECORD, record("2026-09-15")).await;
    assert_eq!(
        recorded.data("/recordFollowUp/followUp/heldOn"),
        "2026-09-15"
    );
    app.gql(Some(&bureau), RECORD, record("2026-09-15"))
        .await
        .expect_error("CONFLICT");
    // Read on the motion by whoever sees the task; by id only by them.
    let read = app
        .gql(
            Some(&unit_a),
            "query($id: ID!) { task(id: $id) { proposal { followUps { dueOn heldOn findings } } } }",
            json!({ "id": first }),
        )
        .await;
    assert_eq!(
        read.data("/task/proposal/followUps/0/findings"),
        "已完成加装电梯126部，群众满意。"
    );
    let unit_c = app.login("weishi", tests::world::PASSWORD).await.0;
    let hidden = app
        .gql(
            Some(&unit_c),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": review }),
        )
        .await;
    assert_eq!(hidden.0["data"]["node"], Value::Null);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'proposal.follow_up'")
            .await,
        2
    );
}

/// A motion spanning tasks 2 and 3 of the work report: its lead unit A reads both tasks'
/// latest reports to write the one reply, though it holds neither; its cooperating unit B does
/// not; the bureau names the tasks.
#[tokio::test]
async fn a_motion_spans_tasks_whose_reports_its_lead_unit_reads() {
    use chrono::TimeZone;
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    let motion_task = motion(&app, &w).await;
    app.gql(
        Some(&w.bureau),
        SET,
        json!({ "i": { "taskId": motion_task, "proposers": "陶毓敏等12名代表" } }),
    )
    .await
    .data("/setProposal");
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 3, 20, 2, 0, 0).unwrap());
    for (user, task, text) in [
        ("czj", &w.tasks[1], "一般公共预算收入增长4.2%。"),
        ("weishi", &w.tasks[2], "已建成充电桩260个。"),
    ] {
        let token = app.login(user, tests::world::PASSWORD).await.0;
        app.gql(
            Some(&token),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
            json!({ "i": { "taskId": task, "periodId": q1, "idempotencyKey": format!("{user}-q1-0001"), "progress": text } }),
        )
        .await
        .data("/submitReport");
    }
    const TASKS: &str =
        "mutation($i: SetProposalTasksInput!) { setProposalTasks(input: $i) { task { id } } }";
    let covering =
        json!({ "i": { "taskId": motion_task, "coveredTaskIds": [w.tasks[1], w.tasks[2]] } });
    let bureau = app.admin_token().await;
    let (a, b, liu, service) = (
        app.login("fgw", tests::world::PASSWORD).await.0,
        app.login("czj", tests::world::PASSWORD).await.0,
        app.login("liuzhen", tests::world::PASSWORD).await.0,
        app.login("dashboard", tests::world::PASSWORD).await.0,
    );
    for token in [&a, &liu, &service] {
        app.gql(Some(token), TASKS, covering.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, TASKS, covering.clone())
        .await
        .expect_error("UNAUTHENTICATED");
    for bad in [
        json!({ "i": { "taskId": motion_task, "coveredTaskIds": [motion_task] } }),
        json!({ "i": { "taskId": w.tasks[0], "coveredTaskIds": [w.tasks[1]] } }),
        json!({ "i": { "taskId": motion_task, "coveredTaskIds": [w.unit_a] } }),
    ] {
        app.gql(Some(&bureau), TASKS, bad)
            .await
            .expect_error("BAD_USER_INPUT");
    }
    app.gql(Some(&bureau), TASKS, covering)
        .await
        .data("/setProposalTasks");

    const COVERED: &str = "query($id: ID!) { task(id: $id) { proposal { coveredTasks { seq reports { period progress unit { name } } } } } }";
    let read = |token: String| {
        let app = &app;
        let motion_task = motion_task.clone();
        async move {
            app.gql(Some(&token), COVERED, json!({ "id": motion_task }))
                .await
                .data("/task/proposal/coveredTasks")
                .clone()
        }
    };
    let both = json!([
        { "seq": "2", "reports": [{ "period": "2026-Q1", "progress": "一般公共预算收入增长4.2%。", "unit": { "name": "市财政局" } }] },
        { "seq": "3", "reports": [{ "period": "2026-Q1", "progress": "已建成充电桩260个。", "unit": { "name": "尉氏县人民政府" } }] }
    ]);
    assert_eq!(
        read(a.clone()).await,
        both,
        "the lead unit, which holds neither task"
    );
    assert_eq!(read(bureau.clone()).await, both);
    assert_eq!(read(liu.clone()).await, both);
    assert_eq!(read(service.clone()).await, both);
    assert_eq!(
        read(b.clone()).await,
        json!([]),
        "a cooperating unit owes no reply"
    );
    // A still does not see the covered tasks themselves.
    let hidden = app
        .gql(
            Some(&a),
            "query($id: ID!) { task(id: $id) { seq } }",
            json!({ "id": w.tasks[2] }),
        )
        .await;
    assert_eq!(hidden.error_code(), Some("NOT_FOUND"));
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'proposal.set'")
            .await,
        2
    );
}
