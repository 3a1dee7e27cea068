//! Lead units and their partners (牵头 / 配合) under a `LEAD_CONSOLIDATING` notice: task 1's
//! partners B and C send their parts to the lead A five working days before Q1's due date
//! (28 March, a Saturday: their date is Monday 23 March); A reads both, each partner only its
//! own; C is late and reminded once; A's report consolidates both, and the bureau reads them on
//! A's version.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

const SEND: &str = "mutation($i: SubmitContributionInput!) { submitContribution(input: $i) { contribution { state dueOn text consolidated } } }";
const READ: &str = "query($t: ID!, $p: ID!) { contributions(taskId: $t, periodId: $p) { state dueOn text unit { name } } }";

const B: &str = "市财政局";
const C: &str = "尉氏县人民政府";

async fn on(app: &TestApp, month: u32, day: u32) {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, month, day, 2, 0, 0).unwrap());
}

/// (unit, state) of each contribution `token` reads.
async fn states(app: &TestApp, token: &str, task: &str, period: &Value) -> Vec<(String, String)> {
    app.gql(Some(token), READ, json!({ "t": task, "p": period }))
        .await
        .data("/contributions")
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["unit"]["name"].as_str().unwrap().to_owned(),
                c["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(u, s)| ((*u).to_owned(), (*s).to_owned()))
        .collect()
}

#[tokio::test]
async fn partners_send_their_parts_to_the_lead_who_consolidates_them() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    let b = Some(w.bureau.as_str());
    let rule = |rule: &str| json!({ "i": { "id": w.document, "obligationRule": rule } });
    const UPDATE: &str = "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { obligationRule contributionLeadDays } } }";
    let set = app.gql(b, UPDATE, rule("LEAD_CONSOLIDATING")).await;
    assert_eq!(set.data("/updateDocument/document/contributionLeadDays"), 5);
    // Neither the obligations' upkeep after a change to a task nor a partner's contribution
    // reads a document's whole row: it carries the notice's original text (tens of KiB).
    let reading_text = |log: Vec<String>| -> Vec<String> {
        log.into_iter()
            .filter(|statement| statement.contains("original_text"))
            .collect()
    };
    app.log_statements();
    app.gql(
        b,
        "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "units": [
            { "unitId": w.unit_a, "role": "LEAD" },
            { "unitId": w.unit_b, "role": "COOPERATING" },
            { "unitId": w.unit_c, "role": "COOPERATING" } ] } }),
    )
    .await
    .data("/setTaskUnits");
    assert_eq!(reading_text(app.take_statement_log()), Vec::<String>::new());
    let figures = "query($d: ID!) { reportingFigures(filter: { documentId: $d }) { obligations } }";
    let owed = app.gql(b, figures, json!({ "d": w.document })).await;
    assert_eq!(
        owed.data("/reportingFigures/obligations"),
        12,
        "the leads owe; partners contribute"
    );

    // 20 March: B sends its part, then rewrites it.
    on(&app, 3, 20).await;
    let (bureau, a, unit_b, unit_c) = (
        app.admin_token().await,
        app.login("fgw", PASSWORD).await.0,
        app.login("czj", PASSWORD).await.0,
        app.login("weishi", PASSWORD).await.0,
    );
    let (liu, wang, service) = (
        app.login("liuzhen", PASSWORD).await.0,
        app.login("wangling", PASSWORD).await.0,
        app.login("dashboard", PASSWORD).await.0,
    );
    let part = |text: &str| json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "text": text } });
    app.take_statement_log();
    let sent = app
        .gql(Some(&unit_b), SEND, part("已拨付专项资金1.2亿元。"))
        .await;
    assert_eq!(
        sent.data("/submitContribution/contribution/state"),
        "SUBMITTED"
    );
    assert_eq!(
        sent.data("/submitContribution/contribution/dueOn"),
        "2026-03-23"
    );
    let rewritten = app
        .gql(Some(&unit_b), SEND, part("已拨付专项资金1.5亿元。"))
        .await;
    assert_eq!(
        rewritten.data("/submitContribution/contribution/text"),
        "已拨付专项资金1.5亿元。"
    );
    assert_eq!(reading_text(app.take_statement_log()), Vec::<String>::new());
    // Only partners send: not the lead, not a unit that reports for itself, not other roles.
    app.gql(Some(&a), SEND, part("牵头单位"))
        .await
        .expect_error("CONFLICT");
    app.gql(
        Some(&unit_b),
        SEND,
        json!({ "i": { "taskId": w.tasks[1], "periodId": q1, "text": "自己报" } }),
    )
    .await
    .expect_error("CONFLICT");
    for token in [&bureau, &liu, &service] {
        app.gql(Some(token), SEND, part("x"))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, SEND, part("x"))
        .await
        .expect_error("UNAUTHENTICATED");
    app.gql(Some(&unit_b), SEND, part(" "))
        .await
        .expect_error("BAD_USER_INPUT");

    // Who reads which: the lead and the others every partner's, a partner its own.
    let both = pairs(&[(B, "SUBMITTED"), (C, "PENDING")]);
    for token in [&a, &bureau, &liu, &service] {
        assert_eq!(states(&app, token, &w.tasks[0], &q1).await, both);
    }
    assert_eq!(
        states(&app, &unit_b, &w.tasks[0], &q1).await,
        pairs(&[(B, "SUBMITTED")])
    );
    assert_eq!(
        states(&app, &unit_c, &w.tasks[0], &q1).await,
        pairs(&[(C, "PENDING")])
    );
    app.gql(Some(&wang), READ, json!({ "t": w.tasks[0], "p": q1 }))
        .await
        .expect_error("NOT_FOUND");

    // 24 March: C's part is missing and C is reminded once; on the 25th it comes, late.
    on(&app, 3, 24).await;
    let a = app.login("fgw", PASSWORD).await.0;
    assert_eq!(
        states(&app, &a, &w.tasks[0], &q1).await,
        pairs(&[(B, "SUBMITTED"), (C, "MISSING")])
    );
    let now = api::clock::Clock::now(&app.clock);
    api::reminders::rules::run(&app.db, now).await.unwrap();
    api::reminders::rules::run(&app.db, now).await.unwrap();
    assert_eq!(
        app.count_rows("reminders WHERE rule = 'CONTRIBUTION_OVERDUE'")
            .await,
        1
    );
    on(&app, 3, 25).await;
    let unit_c = app.login("weishi", PASSWORD).await.0;
    let late = app
        .gql(Some(&unit_c), SEND, part("已完成充电桩点位摸排。"))
        .await;
    assert_eq!(late.data("/submitContribution/contribution/state"), "LATE");

    // 26 March: A's report consolidates both; they are fixed from then on.
    on(&app, 3, 26).await;
    let a = app.login("fgw", PASSWORD).await.0;
    app.gql(
        Some(&a),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { version { version } } }",
        json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "idempotencyKey": "lead-q1-0001", "progress": "汇总各配合单位情况：资金到位，点位落实。" } }),
    )
    .await
    .data("/submitReport/version/version");
    let unit_b = app.login("czj", PASSWORD).await.0;
    app.gql(Some(&unit_b), SEND, part("再改"))
        .await
        .expect_error("CONFLICT");
    let bureau = app.admin_token().await;
    let version = app
        .gql(
            Some(&bureau),
            "query($t: ID!) { node(id: $t) { ... on Task { reports { versions { contributions { state text unit { name } } } } } } }",
            json!({ "t": w.tasks[0] }),
        )
        .await;
    assert_eq!(
        version.data("/node/reports/0/versions/0/contributions"),
        &json!([
            { "state": "SUBMITTED", "text": "已拨付专项资金1.5亿元。", "unit": { "name": B } },
            { "state": "LATE", "text": "已完成充电桩点位摸排。", "unit": { "name": C } }
        ])
    );

    // Audited; told to the lead (and the bureau and the task's leaders), not to the partners.
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'contribution.submit'")
            .await,
        3
    );
    let heard = |token: String| {
        let app = &app;
        async move {
            app.heard_kinds(&token, "CONTRIBUTION_SUBMITTED")
                .await
                .len()
        }
    };
    assert_eq!(heard(a.clone()).await, 3);
    assert_eq!(heard(bureau.clone()).await, 3);
    assert_eq!(heard(app.login("liuzhen", PASSWORD).await.0).await, 3);
    assert_eq!(heard(unit_b.clone()).await, 0);
    assert_eq!(heard(app.login("weishi", PASSWORD).await.0).await, 0);

    // The rule decides who owes: every unit, or the first listed.
    for (name, expected) in [("ALL_ASSIGNED", 20), ("FIRST_LISTED", 12)] {
        app.gql(Some(&bureau), UPDATE, rule(name))
            .await
            .data("/updateDocument");
        let owed = app
            .gql(Some(&bureau), figures, json!({ "d": w.document }))
            .await;
        assert_eq!(
            owed.data("/reportingFigures/obligations"),
            expected,
            "{name}"
        );
    }
    // Under another rule there is nothing to contribute.
    app.gql(Some(&unit_b), SEND, part("x"))
        .await
        .expect_error("CONFLICT");
}
