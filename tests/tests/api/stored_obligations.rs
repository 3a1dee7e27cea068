//! Stored obligations equal the derived ones after every kind of change: random sequences of
//! submissions, drafts, reviews, reassignments, period changes, closings, extensions, rule
//! changes, deletions and the passing of time, through the API, each followed by
//! `obligations::store::check` over the whole database, and the live tasks' stored counts
//! (`tasks::counts::check`), folded or not. On SQLite and, in CI, PostgreSQL.

use chrono::Duration;
use proptest::prelude::*;
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

/// One change, with indexes into the world's units, tasks and periods (taken modulo what
/// exists when it runs).
#[derive(Debug, Clone)]
enum Op {
    Submit {
        unit: usize,
        task: usize,
        period: usize,
    },
    Draft {
        unit: usize,
        task: usize,
        period: usize,
    },
    Review {
        nth: usize,
        accept: bool,
    },
    SetUnits {
        task: usize,
        units: Vec<(usize, usize)>,
    },
    AddPeriod {
        day: i64,
    },
    MovePeriod {
        period: usize,
        days: i64,
    },
    RemovePeriod {
        period: usize,
    },
    Decide {
        task: usize,
        how: usize,
    },
    Extension {
        unit: usize,
        task: usize,
        period: usize,
        days: i64,
        approve: bool,
    },
    Rule {
        rule: usize,
    },
    DeleteTask {
        task: usize,
    },
    Advance {
        days: i64,
    },
    /// The deadline job's fold of the stored counts' deltas (`tallies`).
    FoldCounts,
    /// A task's deadline or its percent complete edited (what the tasks' figures are kept by;
    /// one at a time, so that each alone must move the counts).
    Edit {
        task: usize,
        days: Option<i64>,
        percent: i32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let i = || 0..8usize;
    prop_oneof![
        4 => (i(), i(), i()).prop_map(|(unit, task, period)| Op::Submit { unit, task, period }),
        2 => (i(), i(), i()).prop_map(|(unit, task, period)| Op::Draft { unit, task, period }),
        3 => (i(), any::<bool>()).prop_map(|(nth, accept)| Op::Review { nth, accept }),
        2 => (i(), prop::collection::vec((i(), i()), 0..4))
            .prop_map(|(task, units)| Op::SetUnits { task, units }),
        1 => (0..300i64).prop_map(|day| Op::AddPeriod { day }),
        1 => (i(), -40..40i64).prop_map(|(period, days)| Op::MovePeriod { period, days }),
        1 => i().prop_map(|period| Op::RemovePeriod { period }),
        2 => (i(), 0..3usize).prop_map(|(task, how)| Op::Decide { task, how }),
        2 => (i(), i(), i(), 1..30i64, any::<bool>()).prop_map(
            |(unit, task, period, days, approve)| Op::Extension { unit, task, period, days, approve }
        ),
        1 => (0..3usize).prop_map(|rule| Op::Rule { rule }),
        1 => i().prop_map(|task| Op::DeleteTask { task }),
        2 => (1..60i64).prop_map(|days| Op::Advance { days }),
        1 => Just(Op::FoldCounts),
        2 => (i(), prop::option::of(-60..200i64), 0..=100i32)
            .prop_map(|(task, days, percent)| Op::Edit { task, days, percent }),
    ]
}

struct Ctx<'a> {
    app: &'a TestApp,
    w: &'a World,
    db: sea_orm::DatabaseConnection,
    counter: usize,
}

impl Ctx<'_> {
    fn unit(&self, i: usize) -> (&str, &str) {
        let units = [
            (self.w.unit_a.as_str(), self.w.unit_a_token.as_str()),
            (self.w.unit_b.as_str(), self.w.unit_b_token.as_str()),
            (self.w.unit_c.as_str(), self.w.unit_c_token.as_str()),
        ];
        units[i % units.len()]
    }

    fn task(&self, i: usize) -> &str {
        &self.w.tasks[i % self.w.tasks.len()]
    }

    async fn periods(&self) -> Vec<Value> {
        self.app
            .gql(
                Some(&self.w.bureau),
                "query($d: ID!) { document(id: $d) { reportingPeriods { id dueOn } } }",
                json!({ "d": self.w.document }),
            )
            .await
            .data("/document/reportingPeriods")
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    async fn period(&self, i: usize) -> Option<Value> {
        let periods = self.periods().await;
        (!periods.is_empty()).then(|| periods[i % periods.len()].clone())
    }

    async fn bureau(&self, query: &str, variables: Value) -> tests::GqlResponse {
        self.call(&self.w.bureau, query, variables).await
    }

    /// A call whose only acceptable errors are the rules refusing the change: a malformed
    /// query would make the sequence test nothing.
    async fn call(&self, token: &str, query: &str, variables: Value) -> tests::GqlResponse {
        let response = self.app.gql(Some(token), query, variables).await;
        if let Some(code) = response.error_code() {
            assert!(
                ["BAD_USER_INPUT", "FORBIDDEN", "NOT_FOUND", "CONFLICT"].contains(&code),
                "{query}: {:?}",
                response.0
            );
        }
        response
    }

    async fn task_version(&self, task: &str) -> Option<i64> {
        self.bureau(
            "query($t: ID!) { task(id: $t) { version } }",
            json!({ "t": task }),
        )
        .await
        .0
        .pointer("/data/task/version")
        .and_then(Value::as_i64)
    }

    /// Runs one change; a change the rules refuse (a unit that owes nothing, a closed task) is
    /// part of the sequence too: it must leave the stored rows as they were.
    async fn apply(&mut self, op: &Op) {
        self.counter += 1;
        match op {
            Op::Submit { unit, task, period } | Op::Draft { unit, task, period } => {
                let Some(period) = self.period(*period).await else {
                    return;
                };
                let (_, token) = self.unit(*unit);
                let (mutation, key) = if matches!(op, Op::Submit { .. }) {
                    (
                        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
                        // At least 8 characters, as the API asks of an idempotency key.
                        Some(format!("stored-obligations-{}", self.counter)),
                    )
                } else {
                    (
                        "mutation($i: SaveReportDraftInput!) { saveReportDraft(input: $i) { report { id } } }",
                        None,
                    )
                };
                let mut input = json!({
                    "taskId": self.task(*task),
                    "periodId": period["id"],
                    "progress": "按计划推进",
                });
                if let Some(key) = key {
                    input["idempotencyKey"] = json!(key);
                }
                self.call(token, mutation, json!({ "i": input })).await;
            }
            Op::Review { nth, accept } => {
                let submitted = self
                    .bureau(
                        "{ obligations(filter: { state: [SUBMITTED, LATE] }, first: 100) { nodes { report { id currentVersion } } } }",
                        json!({}),
                    )
                    .await;
                let nodes = submitted
                    .0
                    .pointer("/data/obligations/nodes")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if nodes.is_empty() {
                    return;
                }
                let report = &nodes[nth % nodes.len()]["report"];
                self.bureau(
                    "mutation($i: ReviewReportInput!) { reviewReport(input: $i) { report { id } } }",
                    json!({ "i": {
                        "reportId": report["id"],
                        "version": report["currentVersion"],
                        "decision": if *accept { "ACCEPT" } else { "RETURN" },
                        "comment": "请补充",
                    }}),
                )
                .await;
            }
            Op::SetUnits { task, units } => {
                let roles = ["LEAD", "RESPONSIBLE", "COOPERATING"];
                let units: Vec<Value> = units
                    .iter()
                    .map(|(unit, role)| {
                        json!({ "unitId": self.unit(*unit).0, "role": roles[role % roles.len()] })
                    })
                    .collect();
                self.bureau(
                    "mutation($i: SetTaskUnitsInput!) { setTaskUnits(input: $i) { task { id } } }",
                    json!({ "i": { "taskId": self.task(*task), "units": units } }),
                )
                .await;
            }
            Op::AddPeriod { day } => {
                let due =
                    chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(*day);
                self.bureau(
                    "mutation($i: AddReportingPeriodInput!) { addReportingPeriod(input: $i) { period { id } } }",
                    json!({ "i": { "documentId": self.w.document, "label": format!("第{}期", self.counter), "dueOn": due } }),
                )
                .await;
            }
            Op::MovePeriod { period, days } => {
                let Some(period) = self.period(*period).await else {
                    return;
                };
                let due: chrono::NaiveDate = period["dueOn"].as_str().unwrap().parse().unwrap();
                self.bureau(
                    "mutation($i: UpdateReportingPeriodInput!) { updateReportingPeriod(input: $i) { period { id } } }",
                    json!({ "i": { "id": period["id"], "dueOn": due + Duration::days(*days) } }),
                )
                .await;
            }
            Op::RemovePeriod { period } => {
                let Some(period) = self.period(*period).await else {
                    return;
                };
                self.bureau(
                    "mutation($i: DeleteReportingPeriodInput!) { deleteReportingPeriod(input: $i) { deletedPeriodId } }",
                    json!({ "i": { "id": period["id"] } }),
                )
                .await;
            }
            Op::Decide { task, how } => {
                let task = self.task(*task).to_owned();
                let Some(version) = self.task_version(&task).await else {
                    return;
                };
                let mutation = ["completeTask", "cancelTask", "reopenTask"][how % 3];
                self.bureau(
                    &format!("mutation($i: DecideTaskInput!) {{ {mutation}(input: $i) {{ task {{ id }} }} }}"),
                    json!({ "i": { "id": task, "version": version, "comment": "核实" } }),
                )
                .await;
            }
            Op::Extension {
                unit,
                task,
                period,
                days,
                approve,
            } => {
                let Some(period) = self.period(*period).await else {
                    return;
                };
                let due: chrono::NaiveDate = period["dueOn"].as_str().unwrap().parse().unwrap();
                let (_, token) = self.unit(*unit);
                let asked = self
                    .call(
                        token,
                        "mutation($i: RequestExtensionInput!) { requestExtension(input: $i) { extension { id } } }",
                        json!({ "i": {
                            "taskId": self.task(*task),
                            "periodId": period["id"],
                            "requestedDueOn": due + Duration::days(*days),
                            "reason": "项目审批中",
                        }}),
                    )
                    .await;
                if let Some(id) = asked.0.pointer("/data/requestExtension/extension/id") {
                    self.bureau(
                        "mutation($i: DecideExtensionInput!) { decideExtension(input: $i) { extension { id } } }",
                        json!({ "i": { "id": id, "approve": approve, "comment": "不同意" } }),
                    )
                    .await;
                }
            }
            Op::Rule { rule } => {
                let rule = [
                    "LEAD_ELSE_RESPONSIBLE",
                    "LEAD_AND_RESPONSIBLE",
                    "ALL_ASSIGNED",
                ][rule % 3];
                self.bureau(
                    "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { id } } }",
                    json!({ "i": { "id": self.w.document, "obligationRule": rule } }),
                )
                .await;
            }
            Op::DeleteTask { task } => {
                self.bureau(
                    "mutation($i: DeleteTaskInput!) { deleteTask(input: $i) { deletedTaskId } }",
                    json!({ "i": { "id": self.task(*task) } }),
                )
                .await;
            }
            Op::Advance { days } => self.app.clock.advance(Duration::days(*days)),
            Op::Edit {
                task,
                days,
                percent,
            } => {
                let task = self.task(*task).to_owned();
                let Some(version) = self.task_version(&task).await else {
                    return;
                };
                let edit = match days {
                    Some(days) => {
                        let today =
                            api::deadline::today_in_china(api::clock::Clock::now(&self.app.clock));
                        json!({ "deadline": (today + Duration::days(*days)).to_string() })
                    }
                    None => json!({ "percent": percent }),
                };
                let mut input = json!({ "id": task, "version": version });
                input
                    .as_object_mut()
                    .unwrap()
                    .extend(edit.as_object().unwrap().clone());
                self.bureau(
                    "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }",
                    json!({ "i": input }),
                )
                .await;
            }
            Op::FoldCounts => {
                api::tallies::fold_all(&self.db).await.unwrap();
            }
        }
    }
}

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    // Tokens that outlive the clock's jumps: the sequence moves time by months.
    let start = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 1, 1, 0, 0).unwrap();
    let app = TestApp::spawn_configured(start, |config| {
        config.access_token_ttl_secs = 3 * 365 * 24 * 3600;
    })
    .await;
    let w = World::build(&app).await;
    w.generate_periods(&app).await;
    let mut ctx = Ctx {
        db: app.separate_connection().await,
        app: &app,
        w: &w,
        counter: 0,
    };
    let drift = api::obligations::store::check(&ctx.db).await.unwrap();
    prop_assert!(drift.is_empty(), "after generating periods: {drift:#?}");
    for (step, op) in ops.iter().enumerate() {
        ctx.apply(op).await;
        let drift = api::obligations::store::check(&ctx.db).await.unwrap();
        prop_assert!(
            drift.is_empty(),
            "after step {step} ({op:?}) of {ops:#?}: {drift:#?}"
        );
        // The live tasks' counts (`tasks::counts`), folded or not, after the same changes.
        let drift = api::tasks::counts::check(&ctx.db).await.unwrap();
        prop_assert!(
            drift.is_empty(),
            "task counts after step {step} ({op:?}) of {ops:#?}: {drift:#?}"
        );
        // The figures from the obligations' stored counts and the tasks' summary columns
        // (`tallies`), against the figures counted from the rows, today and a month on.
        let now = api::clock::Clock::now(&ctx.app.clock);
        for days in [0, 30] {
            let today = api::deadline::today_in_china(now + Duration::days(days));
            let drift = api::stats::check_counts(&ctx.db, today, Default::default())
                .await
                .unwrap();
            prop_assert!(
                drift.is_empty(),
                "figures after step {step} ({op:?}) of {ops:#?}: {drift:#?}"
            );
        }
    }
    Ok(())
}

proptest! {
    // Each case boots a server on a fresh database: few cases, long sequences.
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn stored_obligations_equal_the_derived_ones_after_any_changes(
        ops in prop::collection::vec(op(), 1..25)
    ) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(run(ops))?;
    }
}

/// `api check-obligations` says when the table and the rules disagree (here: a row removed
/// behind the server's back) and fails; `--repair` puts the row back.
#[tokio::test]
async fn the_command_line_finds_and_repairs_drift() {
    use clap::Parser;
    use sea_orm::ConnectionTrait;

    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    w.generate_periods(&app).await;
    let check = |repair: bool| {
        let mut args = vec![
            "api".to_owned(),
            "--database-url".to_owned(),
            app.database_url().to_owned(),
            "check-obligations".to_owned(),
        ];
        if repair {
            args.push("--repair".to_owned());
        }
        api::cli::execute(api::cli::Cli::try_parse_from(args).expect("arguments parse"))
    };
    check(false).await.expect("a fresh world agrees");
    let rows = app.count_rows("obligations").await;
    app.db
        .execute_unprepared("DELETE FROM obligations WHERE id = (SELECT MIN(id) FROM obligations)")
        .await
        .unwrap();
    let refused = check(false).await.expect_err("a missing row is drift");
    assert!(refused.to_string().contains("1 difference"), "{refused}");
    check(true).await.expect("the repair runs");
    assert_eq!(app.count_rows("obligations").await, rows);
    check(false).await.expect("agrees after the repair");
}

/// The columns of `tasks` the obligations' triggers keep, which a task's warning level is read
/// from: the check names a task whose stored earliest open due date or count has drifted.
#[tokio::test]
async fn the_check_names_a_task_whose_kept_columns_drifted() {
    use sea_orm::ConnectionTrait;

    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    w.generate_periods(&app).await;
    let today = api::deadline::today_in_china(api::clock::Clock::now(&app.clock));
    let check = || api::stats::check_counts(&app.db, today, Default::default());
    assert_eq!(check().await.unwrap(), Vec::<String>::new());
    let task = api::graphql::relay::parse_global_id(&async_graphql::ID(w.tasks[0].clone()))
        .unwrap()
        .1;
    for drift in [
        "earliest_open_due = '2000-01-01'",
        "earliest_open_due = NULL",
        "obligations_owed = obligations_owed + 1",
    ] {
        let before = kept(&app, task).await;
        app.db
            .execute_unprepared(&format!("UPDATE tasks SET {drift} WHERE id = {task}"))
            .await
            .unwrap();
        let found = check().await.unwrap();
        assert!(
            found
                .iter()
                .any(|d| d.starts_with(&format!("task {task}:"))),
            "{drift}: {found:#?}"
        );
        app.db
            .execute_unprepared(&format!(
                "UPDATE tasks SET earliest_open_due = {}, obligations_owed = {} WHERE id = {task}",
                before.0.map_or("NULL".to_owned(), |d| format!("'{d}'")),
                before.1
            ))
            .await
            .unwrap();
        assert_eq!(check().await.unwrap(), Vec::<String>::new(), "{drift}");
    }
    // The copies of the task's order on its obligations (migration 36), read back below.
    let copies = || async {
        use sea_orm::Statement;
        let sql = format!("SELECT DISTINCT sort_order FROM obligations WHERE task_id = {task}");
        let rows = app
            .db
            .query_all(Statement::from_string(app.db.get_database_backend(), sql))
            .await
            .unwrap();
        rows.iter()
            .map(|row| row.try_get::<i32>("", "sort_order").unwrap())
            .collect::<Vec<_>>()
    };
    assert!(!copies().await.is_empty(), "the task owes reports");
    // The copies of the task's order on its assignments (migration 34) and its obligations
    // (migration 36): each drift is named by the check, and undone.
    for (table, named, drift, undo) in [
        (
            "task_units",
            "assignment ",
            "sort_order = sort_order + 100",
            "sort_order = sort_order - 100",
        ),
        (
            "task_units",
            "assignment ",
            "document_id = document_id + 1",
            "document_id = document_id - 1",
        ),
        (
            "obligations",
            "obligation ",
            "sort_order = sort_order + 100",
            "sort_order = sort_order - 100",
        ),
    ] {
        let set = |change: &str| format!("UPDATE {table} SET {change} WHERE task_id = {task}");
        app.db.execute_unprepared(&set(drift)).await.unwrap();
        let found = check().await.unwrap();
        assert!(
            found
                .iter()
                .any(|d| d.starts_with(named) && d.contains(&format!("task {task}'s"))),
            "{table}: {drift}: {found:#?}"
        );
        app.db.execute_unprepared(&set(undo)).await.unwrap();
        assert_eq!(
            check().await.unwrap(),
            Vec::<String>::new(),
            "{table}: {drift}"
        );
    }
    // Renumbered through the API: the copies follow the task.
    let version = app
        .gql(
            Some(&w.bureau),
            "query($id: ID!) { task(id: $id) { version } }",
            json!({ "id": w.tasks[0] }),
        )
        .await
        .data("/task/version")
        .clone();
    app.gql(
        Some(&w.bureau),
        "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }",
        json!({ "i": { "id": w.tasks[0], "version": version, "sortOrder": -7 } }),
    )
    .await
    .data("/updateTask/task/id");
    assert_eq!(copies().await, [-7]);
    assert_eq!(check().await.unwrap(), Vec::<String>::new());
}

/// A task's trigger-kept columns: its earliest open due date and how many obligations it owes.
async fn kept(app: &TestApp, task: i64) -> (Option<chrono::NaiveDate>, i64) {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .db
        .query_one(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT earliest_open_due, obligations_owed FROM tasks WHERE id = {task}"),
        ))
        .await
        .unwrap()
        .unwrap();
    (
        row.try_get("", "earliest_open_due").unwrap(),
        row.try_get("", "obligations_owed").unwrap(),
    )
}
