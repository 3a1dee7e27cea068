//! Receiving and handing back tasks (签收, 退办/转办) and the working-day calendar, walked as
//! the units, the leaders, the service account and the bureau would.
//!
//! The world's tasks are created on Sunday 1 March 2026 (09:00 in Beijing): two working days to
//! acknowledge end on Tuesday the 3rd, five to hand back on Friday the 6th.

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

const RECEIPTS: &str = "query($f: ReceiptFilterInput) { taskReceipts(filter: $f) { totalCount
    nodes { id dueOn handbackUntil acknowledgedAt overdue unit { name } task { seq } } } }";
const ACKNOWLEDGE: &str = "mutation($t: ID!) { acknowledgeTask(taskId: $t) { receipt { acknowledgedAt dueOn overdue unit { name } } } }";
const REQUEST: &str = "mutation($i: RequestHandbackInput!) { requestHandback(input: $i) { handback { id state reason suggestedUnit { name } } } }";
const DECIDE: &str = "mutation($i: DecideHandbackInput!) { decideHandback(input: $i) { handback { state decisionComment transferredTo { name } task { seq } } } }";
const HANDBACKS: &str = "{ handbackRequests { totalCount nodes { state unit { name } task { seq } transferredTo { name } } } }";

/// The receipts `token` reads, as (task, unit) pairs, with the total.
async fn receipts(app: &TestApp, token: &str, filter: Value) -> (i64, Vec<(String, String)>) {
    let answer = app.gql(Some(token), RECEIPTS, json!({ "f": filter })).await;
    let list = answer.data("/taskReceipts");
    let pairs = list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["task"]["seq"].as_str().unwrap_or("-").to_owned(),
                n["unit"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (list["totalCount"].as_i64().unwrap(), pairs)
}

/// The kinds of the events `token` hears on the change feed, with their task's number.
async fn heard(app: &TestApp, token: &str) -> Vec<(String, String)> {
    app.heard(token).await
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(t, u)| ((*t).to_owned(), (*u).to_owned()))
        .collect()
}

const A: &str = "市发展和改革委员会";
const B: &str = "市财政局";
const C: &str = "尉氏县人民政府";

#[tokio::test]
async fn units_acknowledge_their_tasks_and_the_late_ones_are_listed_and_reminded() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;

    // Every assignment awaits its unit, each read by role and by row.
    let awaiting = json!({ "state": "AWAITING" });
    let (total, all) = receipts(&app, &w.bureau, awaiting.clone()).await;
    assert_eq!(total, 4);
    assert_eq!(
        all,
        pairs(&[("1", A), ("1", B), ("2", B), ("3", C)]),
        "in order of the last day, then of assignment"
    );
    let first = app.gql(Some(&w.bureau), RECEIPTS, json!({})).await;
    assert_eq!(first.data("/taskReceipts/nodes/0/dueOn"), "2026-03-03");
    assert_eq!(
        first.data("/taskReceipts/nodes/0/handbackUntil"),
        "2026-03-06"
    );
    assert_eq!(first.data("/taskReceipts/nodes/0/overdue"), false);
    assert_eq!(
        receipts(&app, &w.service_token, awaiting.clone()).await.0,
        4
    );
    assert_eq!(
        receipts(&app, &w.liu_token, awaiting.clone()).await.1,
        pairs(&[("1", A), ("1", B), ("2", B)])
    );
    assert_eq!(
        receipts(&app, &w.wang_token, awaiting.clone()).await.1,
        pairs(&[("3", C)])
    );
    assert_eq!(
        receipts(&app, &w.unit_b_token, json!({})).await.1,
        pairs(&[("1", B), ("2", B)]),
        "a unit reads its own receipts, not its partner's on the same task"
    );
    assert_eq!(
        receipts(&app, &w.unit_b_token, json!({ "unitId": w.unit_a }))
            .await
            .0,
        0
    );
    let on_task = app
        .gql(
            Some(&w.unit_b_token),
            "query($id: ID!) { node(id: $id) { ... on Task { receipts { unit { name } } } } }",
            json!({ "id": w.tasks[0] }),
        )
        .await;
    assert_eq!(
        on_task.data("/node/receipts"),
        &json!([{ "unit": { "name": B } }])
    );
    app.gql(None, RECEIPTS, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");

    // A acknowledges task 1 on Monday; a second acknowledgement changes nothing.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap());
    let a = app.login("fgw", PASSWORD).await.0;
    let acknowledged = app
        .gql(Some(&a), ACKNOWLEDGE, json!({ "t": w.tasks[0] }))
        .await;
    let at = acknowledged
        .data("/acknowledgeTask/receipt/acknowledgedAt")
        .clone();
    assert_eq!(at, "2026-03-02T01:00:00+00:00");
    app.clock.advance(Duration::minutes(5));
    let again = app
        .gql(Some(&a), ACKNOWLEDGE, json!({ "t": w.tasks[0] }))
        .await;
    assert_eq!(again.data("/acknowledgeTask/receipt/acknowledgedAt"), &at);
    assert_eq!(
        count(&app, "audit_log", "action = 'task.acknowledge'").await,
        1
    );
    assert_eq!(count(&app, "events", "kind = 'task.acknowledged'").await, 1);

    // Nobody else acknowledges for a unit, nor a unit a task that is not its own.
    app.gql(Some(&a), ACKNOWLEDGE, json!({ "t": w.tasks[2] }))
        .await
        .expect_error("NOT_FOUND");
    let bureau = app.admin_token().await;
    let liu = app.login("liuzhen", PASSWORD).await.0;
    let service = app.login("dashboard", PASSWORD).await.0;
    for token in [&bureau, &liu, &service] {
        app.gql(Some(token), ACKNOWLEDGE, json!({ "t": w.tasks[1] }))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, ACKNOWLEDGE, json!({ "t": w.tasks[1] }))
        .await
        .expect_error("UNAUTHENTICATED");
    app.gql(Some(&a), ACKNOWLEDGE, json!({ "t": w.unit_a }))
        .await
        .expect_error("BAD_USER_INPUT");
    assert_eq!(
        count(&app, "audit_log", "action = 'task.acknowledge'").await,
        1
    );

    // Wednesday: the window has passed for B (both tasks) and C.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 4, 2, 0, 0).unwrap());
    let bureau = app.admin_token().await;
    let (late, listed) = receipts(&app, &bureau, json!({ "state": "OVERDUE" })).await;
    assert_eq!(late, 3);
    assert_eq!(listed, pairs(&[("1", B), ("2", B), ("3", C)]));
    assert_eq!(
        receipts(&app, &bureau, json!({ "state": "ACKNOWLEDGED" }))
            .await
            .1,
        pairs(&[("1", A)])
    );

    // The deadline job reminds each of them once.
    let now = api::clock::Clock::now(&app.clock);
    assert_eq!(api::reminders::rules::run(&app.db, now).await.unwrap(), 3);
    assert_eq!(api::reminders::rules::run(&app.db, now).await.unwrap(), 0);
    let b = app.login("czj", PASSWORD).await.0;
    let reminded = app
        .gql(
            Some(&b),
            "{ reminders { nodes { rule message task { seq } } } }",
            json!({}),
        )
        .await;
    let mut rules: Vec<(String, String)> = reminded
        .data("/reminders/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(r["message"].as_str().unwrap().contains("签收"));
            (
                r["rule"].as_str().unwrap().to_owned(),
                r["task"]["seq"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        vec![
            ("UNACKNOWLEDGED".to_owned(), "1".to_owned()),
            ("UNACKNOWLEDGED".to_owned(), "2".to_owned())
        ]
    );
    // Acknowledged late: no longer overdue, and nothing more is sent.
    app.gql(Some(&b), ACKNOWLEDGE, json!({ "t": w.tasks[1] }))
        .await
        .data("/acknowledgeTask/receipt/acknowledgedAt");
    assert_eq!(
        receipts(&app, &bureau, json!({ "state": "OVERDUE" }))
            .await
            .0,
        2
    );
    // B's page: task 1 still awaits its acknowledgement (overdue); task 2 is acknowledged.
    let page = app
        .gql(
            Some(&b),
            "{ unitPage { awaitingReceipt { overdue task { seq } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        page.data("/unitPage/awaitingReceipt"),
        &json!([{ "overdue": true, "task": { "seq": "1" } }])
    );

    // The acknowledgement is heard by the bureau and the task's leader, and by the unit that
    // made it; not by its partner on the task nor by anyone else.
    let acknowledged = |events: Vec<(String, String)>| {
        events
            .into_iter()
            .filter(|(kind, _)| kind == "TASK_ACKNOWLEDGED")
            .map(|(_, seq)| seq)
            .collect::<Vec<_>>()
    };
    assert_eq!(acknowledged(heard(&app, &bureau).await), ["1", "2"]);
    let liu = app.login("liuzhen", PASSWORD).await.0;
    assert_eq!(acknowledged(heard(&app, &liu).await), ["1", "2"]);
    let a = app.login("fgw", PASSWORD).await.0;
    assert_eq!(acknowledged(heard(&app, &a).await), ["1"]);
    assert_eq!(acknowledged(heard(&app, &b).await), ["2"]);
    let wang = app.login("wangling", PASSWORD).await.0;
    assert!(acknowledged(heard(&app, &wang).await).is_empty());
}

#[tokio::test]
async fn a_unit_hands_a_task_back_and_the_bureau_transfers_it_or_refuses() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    w.generate_periods(&app).await;
    let before = owed_by_unit(&app, &w.bureau).await;
    assert_eq!((before[A], before[B], before[C]), (4, 4, 4));

    // B asks to hand task 2 back, naming C; only B can, once at a time.
    let asked = app
        .gql(
            Some(&w.unit_b_token),
            REQUEST,
            json!({ "i": { "taskId": w.tasks[1], "reason": "该项属县级充电设施建设，非本单位职责。", "suggestedUnitId": w.unit_c } }),
        )
        .await;
    assert_eq!(asked.data("/requestHandback/handback/state"), "PENDING");
    assert_eq!(
        asked.data("/requestHandback/handback/suggestedUnit/name"),
        C
    );
    let id = asked.data("/requestHandback/handback/id").clone();
    let again = json!({ "i": { "taskId": w.tasks[1], "reason": "再次申请" } });
    app.gql(Some(&w.unit_b_token), REQUEST, again.clone())
        .await
        .expect_error("CONFLICT");
    app.gql(Some(&w.unit_a_token), REQUEST, again.clone())
        .await
        .expect_error("NOT_FOUND");
    for token in [&w.bureau, &w.liu_token, &w.service_token] {
        app.gql(Some(token), REQUEST, again.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, REQUEST, again)
        .await
        .expect_error("UNAUTHENTICATED");
    app.gql(
        Some(&w.unit_b_token),
        REQUEST,
        json!({ "i": { "taskId": w.tasks[1], "reason": "  " } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");

    // Who reads the request, by id as in lists.
    let node = "query($id: ID!) { node(id: $id) { ... on HandbackRequest { state } } }";
    for token in [&w.bureau, &w.service_token, &w.liu_token, &w.unit_b_token] {
        let read = app.gql(Some(token), node, json!({ "id": id })).await;
        assert_eq!(read.data("/node/state"), "PENDING");
    }
    for token in [&w.unit_a_token, &w.wang_token] {
        let read = app.gql(Some(token), node, json!({ "id": id })).await;
        assert_eq!(read.0["data"]["node"], Value::Null, "{:?}", read.0);
    }
    let total = |token: String| {
        let app = &app;
        async move {
            app.gql(Some(&token), HANDBACKS, json!({}))
                .await
                .data("/handbackRequests/totalCount")
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(total(w.bureau.clone()).await, 1);
    assert_eq!(total(w.service_token.clone()).await, 1);
    assert_eq!(
        total(w.liu_token.clone()).await,
        1,
        "task 2 is 刘震's by his post"
    );
    assert_eq!(total(w.wang_token.clone()).await, 0);
    assert_eq!(total(w.unit_b_token.clone()).await, 1);
    assert_eq!(total(w.unit_a_token.clone()).await, 0);

    // Only the bureau decides; a refusal says why; the successor is a unit not on the task.
    for token in [&w.unit_b_token, &w.liu_token, &w.service_token] {
        app.gql(
            Some(token),
            DECIDE,
            json!({ "i": { "id": id, "transferToUnitId": w.unit_c } }),
        )
        .await
        .expect_error("FORBIDDEN");
    }
    app.gql(
        None,
        DECIDE,
        json!({ "i": { "id": id, "comment": "不同意" } }),
    )
    .await
    .expect_error("UNAUTHENTICATED");
    app.gql(Some(&w.bureau), DECIDE, json!({ "i": { "id": id } }))
        .await
        .expect_error("BAD_USER_INPUT");
    app.gql(
        Some(&w.bureau),
        DECIDE,
        json!({ "i": { "id": id, "transferToUnitId": w.unit_b } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    app.gql(
        Some(&w.bureau),
        DECIDE,
        json!({ "i": { "id": w.tasks[1], "transferToUnitId": w.unit_c } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    assert_eq!(
        count(&app, "audit_log", "action = 'handback.decide'").await,
        0
    );

    // Transferred to C on Tuesday: the task, its obligations and a receipt move; B's request
    // and its decision stay readable to B, the task no longer.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 2, 0, 0).unwrap());
    let bureau = app.admin_token().await;
    let decided = app
        .gql(Some(&bureau), DECIDE, json!({ "i": { "id": id, "transferToUnitId": w.unit_c, "comment": "转尉氏县人民政府办理。" } }))
        .await;
    assert_eq!(
        decided.data("/decideHandback/handback/state"),
        "TRANSFERRED"
    );
    assert_eq!(
        decided.data("/decideHandback/handback/transferredTo/name"),
        C
    );
    app.gql(
        Some(&bureau),
        DECIDE,
        json!({ "i": { "id": id, "comment": "改判" } }),
    )
    .await
    .expect_error("CONFLICT");
    let units = app
        .gql(
            Some(&bureau),
            "query($id: ID!) { node(id: $id) { ... on Task { version units { role unit { name } } } } }",
            json!({ "id": w.tasks[1] }),
        )
        .await;
    assert_eq!(
        units.data("/node/units"),
        &json!([{ "role": "RESPONSIBLE", "unit": { "name": C } }])
    );
    let b = app.login("czj", PASSWORD).await.0;
    let c = app.login("weishi", PASSWORD).await.0;
    let mine = app.gql(Some(&b), HANDBACKS, json!({})).await;
    assert_eq!(mine.data("/handbackRequests/nodes/0/state"), "TRANSFERRED");
    assert_eq!(mine.data("/handbackRequests/nodes/0/task"), &Value::Null);
    assert_eq!(
        receipts(&app, &b, json!({})).await.1,
        pairs(&[("1", B)]),
        "B's receipt of task 2 is withdrawn"
    );
    let c_receipts = app
        .gql(Some(&c), RECEIPTS, json!({ "f": { "taskId": w.tasks[1] } }))
        .await;
    assert_eq!(c_receipts.data("/taskReceipts/nodes/0/dueOn"), "2026-03-05");
    assert_eq!(
        c_receipts.data("/taskReceipts/nodes/0/handbackUntil"),
        "2026-03-10"
    );
    assert_eq!(
        c_receipts.data("/taskReceipts/nodes/0/acknowledgedAt"),
        &Value::Null
    );

    // The figures follow: B owes nothing now (it cooperates on task 1), C task 2's four
    // reports besides its own.
    let after = owed_by_unit(&app, &bureau).await;
    assert_eq!(after.get(B), None);
    assert_eq!((after[A], after[C]), (4, 8));

    // C asks too; the bureau keeps the task with C. After its window, C can no longer ask.
    let asked = app
        .gql(
            Some(&c),
            REQUEST,
            json!({ "i": { "taskId": w.tasks[1], "reason": "本县无此项目。" } }),
        )
        .await;
    let second = asked.data("/requestHandback/handback/id").clone();
    let refused = app
        .gql(
            Some(&bureau),
            DECIDE,
            json!({ "i": { "id": second, "comment": "属地实施，由尉氏县负责。" } }),
        )
        .await;
    assert_eq!(refused.data("/decideHandback/handback/state"), "REFUSED");
    assert_eq!(refused.data("/decideHandback/handback/task/seq"), "2");
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 11, 2, 0, 0).unwrap());
    let c = app.login("weishi", PASSWORD).await.0;
    app.gql(
        Some(&c),
        REQUEST,
        json!({ "i": { "taskId": w.tasks[1], "reason": "再议" } }),
    )
    .await
    .expect_error("CONFLICT");

    // Audit rows and events for each step, heard by the units concerned only.
    assert_eq!(
        count(&app, "audit_log", "action = 'handback.request'").await,
        2
    );
    assert_eq!(
        count(&app, "audit_log", "action = 'handback.decide'").await,
        2
    );
    assert_eq!(
        count(&app, "audit_log", "action = 'task.set_units'").await,
        1
    );
    let handbacks = |events: Vec<(String, String)>| {
        events
            .into_iter()
            .filter(|(kind, _)| kind.starts_with("HANDBACK_"))
            .map(|(kind, _)| kind)
            .collect::<Vec<_>>()
    };
    let b = app.login("czj", PASSWORD).await.0;
    assert_eq!(
        handbacks(heard(&app, &b).await),
        ["HANDBACK_REQUESTED", "HANDBACK_TRANSFERRED"]
    );
    assert_eq!(
        handbacks(heard(&app, &c).await),
        ["HANDBACK_REQUESTED", "HANDBACK_REFUSED"]
    );
    let a = app.login("fgw", PASSWORD).await.0;
    assert!(handbacks(heard(&app, &a).await).is_empty());
    let bureau = app.admin_token().await;
    assert_eq!(handbacks(heard(&app, &bureau).await).len(), 4);
}

#[tokio::test]
async fn the_calendar_and_the_notice_set_the_windows() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    const SET: &str = "mutation($d: [CalendarDayInput!]!) { setCalendarDays(days: $d) { days { day working note } } }";
    let days = json!([
        { "day": "2026-03-02", "working": false, "note": "假日" },
        { "day": "2026-03-03", "working": false, "note": "假日" },
        { "day": "2026-03-07", "working": true, "note": "调休上班" },
    ]);
    for token in [&w.unit_a_token, &w.liu_token, &w.service_token] {
        app.gql(Some(token), SET, json!({ "d": days }))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, SET, json!({ "d": days }))
        .await
        .expect_error("UNAUTHENTICATED");
    app.gql(Some(&w.bureau), SET, json!({ "d": [] }))
        .await
        .expect_error("BAD_USER_INPUT");
    let set = app.gql(Some(&w.bureau), SET, json!({ "d": days })).await;
    assert_eq!(set.data("/setCalendarDays/days/2/note"), "调休上班");
    assert_eq!(count(&app, "audit_log", "action = 'calendar.set'").await, 1);
    // Everyone signed in reads the calendar; a range is at most a year.
    for token in [&w.unit_a_token, &w.liu_token, &w.service_token, &w.bureau] {
        let read = app
            .gql(
                Some(token),
                "{ calendarDays(from: \"2026-03-01\", to: \"2026-03-31\") { day working } }",
                json!({}),
            )
            .await;
        assert_eq!(read.data("/calendarDays").as_array().unwrap().len(), 3);
    }
    app.gql(
        Some(&w.bureau),
        "{ calendarDays(from: \"2026-01-01\", to: \"2027-06-01\") { day } }",
        json!({}),
    )
    .await
    .expect_error("BAD_USER_INPUT");

    // The notice gives three working days to acknowledge; the bureau alone says so.
    const UPDATE: &str = "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { receiptWorkingDays handbackWorkingDays } } }";
    app.gql(
        Some(&w.bureau),
        UPDATE,
        json!({ "i": { "id": w.document, "receiptWorkingDays": 0 } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    app.gql(
        Some(&w.unit_a_token),
        UPDATE,
        json!({ "i": { "id": w.document, "receiptWorkingDays": 3 } }),
    )
    .await
    .expect_error("FORBIDDEN");
    let updated = app
        .gql(
            Some(&w.bureau),
            UPDATE,
            json!({ "i": { "id": w.document, "receiptWorkingDays": 3 } }),
        )
        .await;
    assert_eq!(
        updated.data("/updateDocument/document/receiptWorkingDays"),
        3
    );
    assert_eq!(
        updated.data("/updateDocument/document/handbackWorkingDays"),
        5
    );

    // A unit joins task 3 on Sunday the 1st: the holidays are skipped, the make-up Saturday
    // counts. Acknowledge: 4, 5, 6 March; hand back: 4, 5, 6, 7, 9 March.
    app.gql(
        Some(&w.bureau),
        "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task { id } } }",
        json!({ "i": { "taskId": w.tasks[2], "units": [
            { "unitId": w.unit_c, "role": "RESPONSIBLE", "isLocal": true },
            { "unitId": w.unit_a, "role": "COOPERATING" } ] } }),
    )
    .await
    .data("/setTaskUnits/task/id");
    let joined = app
        .gql(
            Some(&w.unit_a_token),
            RECEIPTS,
            json!({ "f": { "taskId": w.tasks[2] } }),
        )
        .await;
    assert_eq!(joined.data("/taskReceipts/nodes/0/dueOn"), "2026-03-06");
    assert_eq!(
        joined.data("/taskReceipts/nodes/0/handbackUntil"),
        "2026-03-09"
    );
    // C, already on the task, keeps its receipt and its window.
    let kept = app
        .gql(
            Some(&w.unit_c_token),
            RECEIPTS,
            json!({ "f": { "taskId": w.tasks[2] } }),
        )
        .await;
    assert_eq!(kept.data("/taskReceipts/nodes/0/dueOn"), "2026-03-03");

    // An exception removed: the weekday decides again.
    let removed = app
        .gql(
            Some(&w.bureau),
            SET,
            json!({ "d": [{ "day": "2026-03-07", "working": null }] }),
        )
        .await;
    assert_eq!(removed.data("/setCalendarDays/days"), &json!([]));
}

/// The obligations each unit owes, by its name, from `figuresBy(UNIT)`.
async fn owed_by_unit(app: &TestApp, token: &str) -> std::collections::BTreeMap<String, i64> {
    let figures = app
        .gql(
            Some(token),
            "{ figuresBy(groupBy: UNIT) { name figures { obligations } } }",
            json!({}),
        )
        .await;
    figures
        .data("/figuresBy")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["figures"]["obligations"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Rows of `table` matching `condition`.
async fn count(app: &TestApp, table: &str, condition: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    app.db
        .query_one(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table} WHERE {condition}"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}
