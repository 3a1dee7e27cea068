//! A full year of supervision on one document, walked through with the injected clock: periods
//! generated, reports on time, late, returned and resubmitted, automatic and manual reminders,
//! an extension, a moved due date, completion, and the figures at the end of the year.

use api::clock::Clock;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

/// Everyone's tokens at one moment of the year (access tokens live 15 minutes).
struct Day {
    bureau: String,
    a: String,
    b: String,
    c: String,
    wang: String,
}

/// Moves the clock to 10:00 in Beijing on the given day and signs everyone in again.
async fn on(app: &TestApp, month: u32, day: u32) -> Day {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, month, day, 2, 0, 0).unwrap());
    Day {
        bureau: app.admin_token().await,
        a: app.login("fgw", PASSWORD).await.0,
        b: app.login("czj", PASSWORD).await.0,
        c: app.login("weishi", PASSWORD).await.0,
        wang: app.login("wangling", PASSWORD).await.0,
    }
}

struct Year<'a> {
    app: &'a TestApp,
    tasks: [String; 3],
    periods: Vec<Value>,
}

impl Year<'_> {
    /// Submits unit `token`'s report on task `t` for quarter `q` (0-based); returns the report.
    async fn submit(&self, token: &str, t: usize, q: usize, key: &str) -> Value {
        self.app
            .gql(
                Some(token),
                "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
                json!({ "i": { "taskId": self.tasks[t], "periodId": self.periods[q],
                               "progress": format!("第{}季度进展", q + 1), "percent": 25 * (q + 1),
                               "idempotencyKey": key } }),
            )
            .await
            .data("/submitReport/report/id")
            .clone()
    }

    async fn review(&self, bureau: &str, report: &Value, version: i32, decision: &str) {
        self.app
            .gql(
                Some(bureau),
                "mutation($i: ReviewReportInput!) { reviewReport(input: $i) { report { state } } }",
                json!({ "i": { "reportId": report, "version": version, "decision": decision,
                               "comment": (decision == "RETURN").then_some("请补充量化数据") } }),
            )
            .await
            .data("/reviewReport");
    }

    async fn reminders_run(&self) -> u32 {
        api::reminders::rules::run(&self.app.db, self.app.clock.now())
            .await
            .unwrap()
    }

    async fn sweep(&self) -> u32 {
        api::tasks::progress::sweep(&self.app.db, self.app.clock.now())
            .await
            .unwrap()
    }
}

const FIGURES: &str =
    "query($f: FiguresFilter, $b: DueDateBasis) { reportingFigures(filter: $f, basis: $b) {
    obligations due onTime late missing onTimeRate awaitingReview returned accepted
    tasksByStatus { status tasks } } }";

#[tokio::test]
async fn a_year_of_supervision_ends_with_the_expected_figures() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    w.acknowledge_all(&app).await;
    // 1 March: the bureau generates the quarterly periods of the 2026 work-report breakdown.
    let periods = w.generate_periods(&app).await;
    assert_eq!(periods.len(), 4);
    let year = Year {
        app: &app,
        tasks: w.tasks.clone(),
        periods,
    };
    let (a, b, c) = (0, 1, 2);

    // Q1, due 28 March. Unit A reports early and is accepted.
    let d = on(&app, 3, 20).await;
    let a_q1 = year.submit(&d.a, a, 0, "a-q1-0001").await;
    year.review(&d.bureau, &a_q1, 1, "ACCEPT").await;
    // Three days before: B and C have not reported; each gets one automatic reminder.
    on(&app, 3, 26).await;
    assert_eq!(year.reminders_run().await, 2);
    assert_eq!(year.reminders_run().await, 0, "never twice");
    let d = on(&app, 3, 27).await;
    let b_q1 = year.submit(&d.b, b, 0, "b-q1-0001").await;
    // 29 March: C is overdue (one more reminder) and its task turns DELAYED; B's report is
    // returned for more data.
    let d = on(&app, 3, 29).await;
    assert_eq!(year.reminders_run().await, 1);
    assert_eq!(year.sweep().await, 1);
    year.review(&d.bureau, &b_q1, 1, "RETURN").await;
    let d = on(&app, 4, 2).await;
    year.submit(&d.b, b, 0, "b-q1-0002").await;
    year.review(&d.bureau, &b_q1, 2, "ACCEPT").await;
    let d = on(&app, 4, 5).await;
    let c_q1 = year.submit(&d.c, c, 0, "c-q1-0001").await;
    year.review(&d.bureau, &c_q1, 1, "ACCEPT").await;
    let overdue = app
        .gql(
            Some(&d.c),
            "query($id: ID!) { task(id: $id) { reminders { id rule acknowledgedAt } } }",
            json!({ "id": w.tasks[c] }),
        )
        .await;
    let reminders = overdue.data("/task/reminders").as_array().unwrap().clone();
    assert_eq!(reminders.len(), 2);
    for reminder in &reminders {
        app.gql(
            Some(&d.c),
            "mutation($i: AcknowledgeReminderInput!) { acknowledgeReminder(input: $i) { reminder { acknowledgedAt } } }",
            json!({ "i": { "id": reminder["id"] } }),
        )
        .await
        .data("/acknowledgeReminder/reminder/acknowledgedAt");
    }

    // Q2, due 28 June. C asks for, and gets, ten more days.
    let d = on(&app, 6, 20).await;
    let extension = app
        .gql(
            Some(&d.c),
            "mutation($i: RequestExtensionInput!) { requestExtension(input: $i) { extension { id } } }",
            json!({ "i": { "taskId": w.tasks[c], "periodId": year.periods[1], "requestedDueOn": "2026-07-10",
                           "reason": "充电桩建设受雨季影响，数据汇总需延后" } }),
        )
        .await
        .data("/requestExtension/extension/id")
        .clone();
    app.gql(
        Some(&d.bureau),
        "mutation($i: DecideExtensionInput!) { decideExtension(input: $i) { extension { state } } }",
        json!({ "i": { "id": extension, "approve": true } }),
    )
    .await
    .data("/decideExtension");
    let d = on(&app, 6, 28).await;
    let a_q2 = year.submit(&d.a, a, 1, "a-q2-0001").await;
    year.review(&d.bureau, &a_q2, 1, "ACCEPT").await;
    let d = on(&app, 7, 1).await;
    let b_q2 = year.submit(&d.b, b, 1, "b-q2-0001").await;
    year.review(&d.bureau, &b_q2, 1, "ACCEPT").await;
    let d = on(&app, 7, 8).await;
    let c_q2 = year.submit(&d.c, c, 1, "c-q2-0001").await;
    year.review(&d.bureau, &c_q2, 1, "ACCEPT").await;

    // Q3: on 1 September the bureau moves its due date from 28 September to 15 October.
    let d = on(&app, 9, 1).await;
    app.gql(
        Some(&d.bureau),
        "mutation($i: UpdateReportingPeriodInput!) { updateReportingPeriod(input: $i) { period { dueOn originalDueOn } } }",
        json!({ "i": { "id": year.periods[2], "dueOn": "2026-10-15" } }),
    )
    .await
    .data("/updateReportingPeriod");
    for (month, day, unit, token_of) in [(9, 25, b, 1), (9, 27, c, 2), (10, 10, a, 0)] {
        let d = on(&app, month, day).await;
        let token = [&d.a, &d.b, &d.c][token_of];
        let report = year
            .submit(token, unit, 2, &format!("q3-{unit}-0001"))
            .await;
        year.review(&d.bureau, &report, 1, "ACCEPT").await;
    }

    // Q4, due 28 December. A reports and the bureau completes task 1 (办结).
    let d = on(&app, 12, 20).await;
    let a_q4 = year.submit(&d.a, a, 3, "a-q4-0001").await;
    year.review(&d.bureau, &a_q4, 1, "ACCEPT").await;
    let d = on(&app, 12, 22).await;
    let version = app
        .gql(
            Some(&d.bureau),
            "query($id: ID!) { task(id: $id) { version } }",
            json!({ "id": w.tasks[a] }),
        )
        .await
        .data("/task/version")
        .clone();
    app.gql(
        Some(&d.bureau),
        "mutation($i: DecideTaskInput!) { completeTask(input: $i) { task { status } } }",
        json!({ "i": { "id": w.tasks[a], "version": version, "comment": "全年目标完成" } }),
    )
    .await
    .data("/completeTask");
    on(&app, 12, 26).await;
    assert_eq!(
        year.reminders_run().await,
        2,
        "B and C, not the completed task"
    );
    let d = on(&app, 12, 28).await;
    let b_q4 = year.submit(&d.b, b, 3, "b-q4-0001").await;
    year.review(&d.bureau, &b_q4, 1, "ACCEPT").await;
    let d = on(&app, 12, 29).await;
    assert_eq!(year.reminders_run().await, 1, "C has not reported Q4");
    app.gql(
        Some(&d.bureau),
        "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }",
        json!({ "i": { "taskId": w.tasks[c], "periodId": year.periods[3], "unitId": w.unit_c,
                       "message": "第四季度进展已逾期，请于今日报送。" } }),
    )
    .await
    .data("/sendReminder");
    year.sweep().await;

    // 31 December: the figures.
    let d = on(&app, 12, 31).await;
    let figures = |token: &str, filter: Value, basis: &str| {
        let token = token.to_owned();
        let app = &app;
        let basis = basis.to_owned();
        async move {
            app.gql(Some(&token), FIGURES, json!({ "f": filter, "b": basis }))
                .await
                .data("/reportingFigures")
                .clone()
        }
    };
    assert_eq!(
        figures(&d.bureau, json!({ "documentId": w.document }), "CURRENT").await,
        json!({ "obligations": 12, "due": 12, "onTime": 9, "late": 2, "missing": 1, "onTimeRate": 0.75,
                "awaitingReview": 0, "returned": 0, "accepted": 11,
                "tasksByStatus": [{ "status": "COMPLETED", "tasks": 1 }, { "status": "DELAYED", "tasks": 2 }] })
    );
    // Against the original dates, the extension and the moved Q3 date no longer help.
    let original = figures(&d.bureau, json!({}), "ORIGINAL").await;
    assert_eq!(
        (&original["onTime"], &original["late"], &original["missing"]),
        (&json!(7), &json!(4), &json!(1))
    );
    // Machine accounts see what the bureau sees; anonymous callers nothing.
    let service = app.login("dashboard", PASSWORD).await.0;
    assert_eq!(figures(&service, json!({}), "ORIGINAL").await, original);
    app.gql(None, "{ reportingFigures { due } }", json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    // A filter naming the wrong kind of object is refused, naming the field.
    let wrong = app
        .gql(
            Some(&d.bureau),
            FIGURES,
            json!({ "f": { "documentId": w.unit_a }, "b": "CURRENT" }),
        )
        .await;
    wrong.expect_error("BAD_USER_INPUT");
    assert_eq!(
        wrong.0["errors"][0]["extensions"]["field"],
        "filter.documentId"
    );
    // Each unit and leader sees its own figures only.
    let unit_c = figures(&d.c, json!({}), "CURRENT").await;
    assert_eq!(
        (
            &unit_c["obligations"],
            &unit_c["onTime"],
            &unit_c["late"],
            &unit_c["missing"]
        ),
        (&json!(4), &json!(2), &json!(1), &json!(1))
    );
    assert_eq!(figures(&d.wang, json!({}), "CURRENT").await, unit_c);
    let unit_a = figures(&d.a, json!({}), "CURRENT").await;
    assert_eq!(unit_a["onTime"], 4);
    assert_eq!(
        unit_a["tasksByStatus"],
        json!([{ "status": "COMPLETED", "tasks": 1 }])
    );

    // Every submitted version is kept, with how late it was.
    let b_versions = app
        .gql(
            Some(&d.bureau),
            "query($id: ID!) { report(id: $id) { versions { version lateBySeconds dueOn review { decision } } } }",
            json!({ "id": b_q1 }),
        )
        .await;
    assert_eq!(
        b_versions.data("/report/versions"),
        &json!([
            { "version": 1, "lateBySeconds": null, "dueOn": "2026-03-28", "review": { "decision": "RETURNED" } },
            // 10:00 on 2 April in Beijing, counted from the end of 28 March.
            { "version": 2, "lateBySeconds": 4 * 86_400 + 10 * 3_600, "dueOn": "2026-03-28", "review": { "decision": "ACCEPTED" } }
        ])
    );
    let c_q2_version = app
        .gql(
            Some(&d.c),
            "query($id: ID!) { report(id: $id) { versions { dueOn lateBySeconds } } }",
            json!({ "id": c_q2 }),
        )
        .await;
    assert_eq!(
        c_q2_version.data("/report/versions/0"),
        &json!({ "dueOn": "2026-07-10", "lateBySeconds": null })
    );
    let statuses = app
        .gql(
            Some(&d.bureau),
            "{ tasks { nodes { seq status warningLevel } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        statuses.data("/tasks/nodes"),
        &json!([
            { "seq": "1", "status": "COMPLETED", "warningLevel": "GREEN" },
            // Task 2's own deadline (30 September) has passed.
            { "seq": "2", "status": "DELAYED", "warningLevel": "RED" },
            { "seq": "3", "status": "DELAYED", "warningLevel": "RED" }
        ])
    );
    let counts = [
        ("report_versions", 12),
        ("reminders", 7),
        ("reminders WHERE acknowledged_at IS NOT NULL", 2),
        ("events WHERE kind = 'report.submitted'", 12),
        ("events WHERE kind = 'report.accepted'", 11),
        ("events WHERE kind = 'report.returned'", 1),
        ("events WHERE kind = 'reminder.sent'", 7),
        ("events WHERE kind = 'extension.approved'", 1),
        ("events WHERE kind = 'task.completed'", 1),
        ("audit_log WHERE action = 'report.submit'", 12),
    ];
    for (table, expected) in counts {
        assert_eq!(app.count_rows(table).await, expected, "{table}");
    }
}
