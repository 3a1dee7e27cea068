//! The escalation ladder (三色督办) walked through Q1 of the world's document (due 28 March):
//! A reports on time; B three days late; C never. With the notice's default ladder (催办 at 3
//! days overdue, 督办单 at 10, 约谈 only when the bureau says), B and C are urged, C receives
//! 督办〔2026〕1号, the bureau summons C's head, C replies, the bureau records the outcome.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

const LIST: &str = "query($f: EscalationFilterInput) { escalations(filter: $f) { totalCount
    nodes { id level number automatic daysOverdue reason reply outcome interviewee heldOn unit { name } task { seq } period { label } } } }";
const ESCALATE: &str = "mutation($i: EscalateInput!) { escalate(input: $i) { escalation { id level number automatic daysOverdue } } }";
const REPLY: &str = "mutation($i: ReplyToEscalationInput!) { replyToEscalation(input: $i) { escalation { reply repliedAt } } }";
const CONCLUDE: &str = "mutation($i: ConcludeEscalationInput!) { concludeEscalation(input: $i) { escalation { outcome interviewee heldOn } } }";
const FIGURES: &str = "query($y: Int!) { escalationFigures(year: $y) { year byLevel { level count } unitsWithSupervisionNotices { notices unit { name } } } }";

/// Fresh tokens of every account of the world, after the clock moved.
struct Tokens {
    bureau: String,
    a: String,
    b: String,
    c: String,
    liu: String,
    wang: String,
    service: String,
}

async fn sign_in(app: &TestApp) -> Tokens {
    Tokens {
        bureau: app.admin_token().await,
        a: app.login("fgw", PASSWORD).await.0,
        b: app.login("czj", PASSWORD).await.0,
        c: app.login("weishi", PASSWORD).await.0,
        liu: app.login("liuzhen", PASSWORD).await.0,
        wang: app.login("wangling", PASSWORD).await.0,
        service: app.login("dashboard", PASSWORD).await.0,
    }
}

/// Sets the clock to 10:00 in Beijing on `day` of `month` 2026 and signs everyone in again.
async fn on(app: &TestApp, month: u32, day: u32) -> Tokens {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, month, day, 2, 0, 0).unwrap());
    sign_in(app).await
}

async fn run(app: &TestApp) -> u32 {
    api::escalations::rules::run(&app.db, api::clock::Clock::now(&app.clock))
        .await
        .unwrap()
}

async fn submit(app: &TestApp, token: &str, task: &str, period: &Value, key: &str) {
    app.gql(
        Some(token),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
        json!({ "i": { "taskId": task, "periodId": period, "idempotencyKey": key, "progress": "已完成阶段目标" } }),
    )
    .await
    .data("/submitReport/report/id");
}

/// The steps `token` reads, as (level, unit) pairs, oldest first.
async fn steps(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let answer = app.gql(Some(token), LIST, json!({})).await;
    let mut steps: Vec<(String, String)> = answer
        .data("/escalations/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["level"].as_str().unwrap().to_owned(),
                n["unit"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    steps.reverse();
    steps
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(l, u)| ((*l).to_owned(), (*u).to_owned()))
        .collect()
}

/// `byLevel` as (URGE, SUPERVISION_NOTICE, INTERVIEW) and the noticed units.
async fn figures(app: &TestApp, token: &str, year: i32) -> ((i64, i64, i64), Vec<(String, i64)>) {
    let answer = app.gql(Some(token), FIGURES, json!({ "y": year })).await;
    let by = answer
        .data("/escalationFigures/byLevel")
        .as_array()
        .unwrap();
    let count = |level: &str| {
        by.iter().find(|r| r["level"] == level).unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    let units = answer
        .data("/escalationFigures/unitsWithSupervisionNotices")
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit"]["name"].as_str().unwrap().to_owned(),
                u["notices"].as_i64().unwrap(),
            )
        })
        .collect();
    (
        (
            count("URGE"),
            count("SUPERVISION_NOTICE"),
            count("INTERVIEW"),
        ),
        units,
    )
}

async fn count(app: &TestApp, table: &str, condition: &str) -> i64 {
    app.count_rows(&format!("{table} WHERE {condition}")).await
}

const B: &str = "市财政局";
const C: &str = "尉氏县人民政府";

#[tokio::test]
async fn the_ladder_urges_notices_and_summons_and_each_step_is_recorded() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let periods = w.generate_periods(&app).await;
    let q1 = &periods[0];

    let t = on(&app, 3, 20).await;
    submit(&app, &t.a, &w.tasks[0], q1, "a-q1-0001").await;

    // Two days overdue: nothing yet. Three: B and C are urged, once.
    on(&app, 3, 30).await;
    assert_eq!(run(&app).await, 0);
    let t = on(&app, 3, 31).await;
    assert_eq!(run(&app).await, 2);
    assert_eq!(run(&app).await, 0, "never twice");
    assert_eq!(
        steps(&app, &t.bureau).await,
        pairs(&[("URGE", B), ("URGE", C)])
    );
    let urged = app.gql(Some(&t.bureau), LIST, json!({})).await;
    assert_eq!(urged.data("/escalations/nodes/0/automatic"), true);
    assert_eq!(urged.data("/escalations/nodes/0/daysOverdue"), 3);
    assert_eq!(urged.data("/escalations/nodes/0/period/label"), "2026-Q1");

    // B reports on 1 April; C does not. On 7 April C is ten days overdue: 督办单 No. 1.
    let t = on(&app, 4, 1).await;
    submit(&app, &t.b, &w.tasks[1], q1, "b-q1-0001").await;
    let t = on(&app, 4, 7).await;
    assert_eq!(run(&app).await, 1);
    let noticed = app
        .gql(
            Some(&t.bureau),
            LIST,
            json!({ "f": { "level": "SUPERVISION_NOTICE" } }),
        )
        .await;
    assert_eq!(noticed.data("/escalations/totalCount"), 1);
    assert_eq!(
        noticed.data("/escalations/nodes/0/number"),
        "督办〔2026〕1号"
    );
    assert_eq!(noticed.data("/escalations/nodes/0/unit/name"), C);
    let notice_id = noticed.data("/escalations/nodes/0/id").clone();

    // The bureau summons C's head (约谈); it alone does, once, and only for an overdue report.
    let summon = json!({ "i": { "taskId": w.tasks[2], "periodId": q1, "unitId": w.unit_c,
                               "level": "INTERVIEW", "reason": "逾期未报且督办后仍未整改，约谈单位负责人。" } });
    for token in [&t.c, &t.liu, &t.service] {
        app.gql(Some(token), ESCALATE, summon.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, ESCALATE, summon.clone())
        .await
        .expect_error("UNAUTHENTICATED");
    let summoned = app.gql(Some(&t.bureau), ESCALATE, summon.clone()).await;
    assert_eq!(summoned.data("/escalate/escalation/automatic"), false);
    assert_eq!(summoned.data("/escalate/escalation/daysOverdue"), 10);
    let interview = summoned.data("/escalate/escalation/id").clone();
    app.gql(Some(&t.bureau), ESCALATE, summon)
        .await
        .expect_error("CONFLICT");
    let b_is_in = json!({ "i": { "taskId": w.tasks[1], "periodId": q1, "unitId": w.unit_b,
                                "level": "SUPERVISION_NOTICE", "reason": "督办" } });
    app.gql(Some(&t.bureau), ESCALATE, b_is_in)
        .await
        .expect_error("CONFLICT");
    let owes_nothing = json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "unitId": w.unit_b,
                                     "level": "URGE", "reason": "催办" } });
    app.gql(Some(&t.bureau), ESCALATE, owes_nothing)
        .await
        .expect_error("NOT_FOUND");
    let blank = json!({ "i": { "taskId": w.tasks[2], "periodId": q1, "unitId": w.unit_c,
                              "level": "URGE", "reason": " " } });
    app.gql(Some(&t.bureau), ESCALATE, blank)
        .await
        .expect_error("BAD_USER_INPUT");

    // C replies to its 督办单, once; nobody else replies for it.
    let reply =
        json!({ "i": { "id": notice_id, "reply": "已召开专题会议部署整改，4月10日前补报。" } });
    for token in [&t.b, &t.a] {
        app.gql(Some(token), REPLY, reply.clone())
            .await
            .expect_error("NOT_FOUND");
    }
    for token in [&t.bureau, &t.wang, &t.service] {
        app.gql(Some(token), REPLY, reply.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    let replied = app.gql(Some(&t.c), REPLY, reply.clone()).await;
    assert!(
        replied
            .data("/replyToEscalation/escalation/repliedAt")
            .is_string()
    );
    app.gql(Some(&t.c), REPLY, reply)
        .await
        .expect_error("CONFLICT");
    // C's page lists the steps it has not answered, newest first.
    let page = app
        .gql(
            Some(&t.c),
            "{ unitPage { openEscalations { level } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        page.data("/unitPage/openEscalations"),
        &json!([{ "level": "INTERVIEW" }, { "level": "URGE" }])
    );

    // The interview is held and recorded by the bureau, with whom and when.
    let t = on(&app, 4, 9).await;
    let vague = json!({ "i": { "id": interview, "outcome": "已约谈" } });
    app.gql(Some(&t.bureau), CONCLUDE, vague)
        .await
        .expect_error("BAD_USER_INPUT");
    let held = json!({ "i": { "id": interview, "outcome": "已约谈，单位承诺4月10日前补报并建立台账。", "interviewee": "尉氏县副县长 张某", "heldOn": "2026-04-08" } });
    for token in [&t.c, &t.wang, &t.service] {
        app.gql(Some(token), CONCLUDE, held.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    let concluded = app.gql(Some(&t.bureau), CONCLUDE, held.clone()).await;
    assert_eq!(
        concluded.data("/concludeEscalation/escalation/heldOn"),
        "2026-04-08"
    );
    app.gql(Some(&t.bureau), CONCLUDE, held)
        .await
        .expect_error("CONFLICT");

    // Who reads which steps: the unit its own; a leader its tasks' and its units'.
    let all = pairs(&[
        ("URGE", B),
        ("URGE", C),
        ("SUPERVISION_NOTICE", C),
        ("INTERVIEW", C),
    ]);
    assert_eq!(steps(&app, &t.bureau).await, all);
    assert_eq!(steps(&app, &t.service).await, all);
    assert_eq!(steps(&app, &t.b).await, pairs(&[("URGE", B)]));
    assert_eq!(
        steps(&app, &t.c).await,
        pairs(&[("URGE", C), ("SUPERVISION_NOTICE", C), ("INTERVIEW", C)])
    );
    assert!(steps(&app, &t.a).await.is_empty());
    assert_eq!(steps(&app, &t.liu).await, pairs(&[("URGE", B)]));
    assert_eq!(
        steps(&app, &t.wang).await,
        pairs(&[("URGE", C), ("SUPERVISION_NOTICE", C), ("INTERVIEW", C)])
    );
    let node = "query($id: ID!) { node(id: $id) { ... on Escalation { number } } }";
    let by_id = app
        .gql(Some(&t.wang), node, json!({ "id": notice_id }))
        .await;
    assert_eq!(by_id.data("/node/number"), "督办〔2026〕1号");
    let hidden = app.gql(Some(&t.b), node, json!({ "id": notice_id })).await;
    assert_eq!(hidden.0["data"]["node"], Value::Null);
    app.gql(None, LIST, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");

    // The year's figures, by role; another year has none; a year out of range is refused.
    let noticed_c = vec![(C.to_owned(), 1)];
    assert_eq!(
        figures(&app, &t.bureau, 2026).await,
        ((2, 1, 1), noticed_c.clone())
    );
    assert_eq!(
        figures(&app, &t.service, 2026).await,
        ((2, 1, 1), noticed_c.clone())
    );
    assert_eq!(
        figures(&app, &t.wang, 2026).await,
        ((1, 1, 1), noticed_c.clone())
    );
    assert_eq!(figures(&app, &t.c, 2026).await, ((1, 1, 1), noticed_c));
    assert_eq!(figures(&app, &t.liu, 2026).await, ((1, 0, 0), vec![]));
    assert_eq!(figures(&app, &t.b, 2026).await, ((1, 0, 0), vec![]));
    assert_eq!(figures(&app, &t.bureau, 2025).await, ((0, 0, 0), vec![]));
    app.gql(Some(&t.bureau), FIGURES, json!({ "y": 1900 }))
        .await
        .expect_error("BAD_USER_INPUT");

    // Audit rows and events: three steps by the system, one by the bureau; a reply; an
    // outcome. Each unit hears its own steps only.
    assert_eq!(
        count(
            &app,
            "audit_log",
            "action = 'escalation.issue' AND actor = 'system'"
        )
        .await,
        3
    );
    assert_eq!(
        count(&app, "audit_log", "action = 'escalation.issue'").await,
        4
    );
    assert_eq!(
        count(&app, "audit_log", "action = 'escalation.reply'").await,
        1
    );
    assert_eq!(
        count(&app, "audit_log", "action = 'escalation.conclude'").await,
        1
    );
    let heard = |token: String| {
        let app = &app;
        async move { app.heard_kinds(&token, "ESCALATION_").await }
    };
    assert_eq!(heard(t.b.clone()).await, ["ESCALATION_ISSUED"]);
    assert_eq!(
        heard(t.c.clone()).await,
        [
            "ESCALATION_ISSUED",
            "ESCALATION_ISSUED",
            "ESCALATION_ISSUED",
            "ESCALATION_REPLIED",
            "ESCALATION_CONCLUDED"
        ]
    );
    assert!(heard(t.a.clone()).await.is_empty());
}

#[tokio::test]
async fn the_notice_sets_its_ladder_and_a_step_left_to_the_bureau_is_not_automatic() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let periods = w.generate_periods(&app).await;
    const UPDATE: &str = "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { urgeAfterDays noticeAfterDays interviewAfterDays } } }";
    let defaults = app
        .gql(
            Some(&w.bureau),
            "query($id: ID!) { node(id: $id) { ... on Document { urgeAfterDays noticeAfterDays interviewAfterDays } } }",
            json!({ "id": w.document }),
        )
        .await;
    assert_eq!(
        defaults.data("/node"),
        &json!({ "urgeAfterDays": 3, "noticeAfterDays": 10, "interviewAfterDays": null })
    );
    app.gql(
        Some(&w.bureau),
        UPDATE,
        json!({ "i": { "id": w.document, "noticeAfterDays": 0 } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    app.gql(
        Some(&w.liu_token),
        UPDATE,
        json!({ "i": { "id": w.document, "urgeAfterDays": null } }),
    )
    .await
    .expect_error("FORBIDDEN");
    // No automatic 催办; a 督办单 at 5 days; a 约谈 at 20.
    let set = app
        .gql(
            Some(&w.bureau),
            UPDATE,
            json!({ "i": { "id": w.document, "urgeAfterDays": null, "noticeAfterDays": 5, "interviewAfterDays": 20 } }),
        )
        .await;
    assert_eq!(
        set.data("/updateDocument/document"),
        &json!({ "urgeAfterDays": null, "noticeAfterDays": 5, "interviewAfterDays": 20 })
    );
    let _ = &periods;
    // 2 April: B, C (and A) have not reported Q1 for 5 days: notices 1–3, numbered in order.
    let t = on(&app, 4, 2).await;
    assert_eq!(run(&app).await, 3);
    let listed = app
        .gql(Some(&t.bureau), LIST, json!({ "f": { "year": 2026 } }))
        .await;
    let mut numbers: Vec<String> = listed
        .data("/escalations/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            assert_eq!(n["level"], "SUPERVISION_NOTICE");
            n["number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    assert_eq!(
        numbers,
        ["督办〔2026〕1号", "督办〔2026〕2号", "督办〔2026〕3号"]
    );
    // 17 April: twenty days; each is summoned.
    on(&app, 4, 17).await;
    assert_eq!(run(&app).await, 3);
    assert_eq!(count(&app, "escalations", "level = 'INTERVIEW'").await, 3);
    assert_eq!(count(&app, "escalations", "level = 'URGE'").await, 0);
}
