//! Figures by group and the ranking, checked against a hand-built year with known answers:
//! four units, ten tasks, three reporting periods due and a fourth not yet, reports on time,
//! late, missing and returned (once, twice, and never resubmitted). The expected numbers below
//! were worked out by hand from the script in `Script::play`, not read from the server; the
//! same test runs on SQLite and PostgreSQL (CI runs the suite on both).

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

/// The hand-built year: the world's three tasks and seven more, a fourth unit.
pub(crate) struct Year {
    pub w: World,
    pub unit_d: String,
    /// Tasks 1–10 (index 0 is task 1).
    pub tasks: Vec<String>,
    pub periods: Vec<Value>,
}

/// Moves the clock to 10:00 in Beijing on a day of 2026.
fn set_day(app: &TestApp, month: u32, day: u32) {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, month, day, 2, 0, 0).unwrap());
}

pub(crate) async fn token(app: &TestApp, who: &str) -> String {
    if who == "bureau" {
        app.admin_token().await
    } else {
        app.login(who, PASSWORD).await.0
    }
}

/// Who submits each task: the unit accounts.
pub(crate) const A: &str = "fgw";
const B: &str = "czj";
const C: &str = "weishi";
const D: &str = "zjj";

impl Year {
    pub async fn build(app: &TestApp) -> Self {
        let w = World::build(app).await;
        let bureau = Some(w.bureau.as_str());
        let unit_d = app
            .gql(
                bureau,
                "mutation($i: CreateUnitInput!) { createUnit(input: $i) { unit { id } } }",
                json!({ "i": { "name": "市住房和城乡建设局", "kind": "CITY_DEPARTMENT", "aliases": [] } }),
            )
            .await
            .data("/createUnit/unit/id")
            .as_str()
            .unwrap()
            .to_owned();
        app.gql(
            bureau,
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
            json!({ "i": { "username": D, "password": PASSWORD, "role": "UNIT", "unitId": unit_d } }),
        )
        .await
        .data("/createUser/user/id");
        let unit = |id: &str, role: &str| json!({ "unitId": id, "role": role });
        let liu = json!([{ "leaderId": w.leader_liu, "role": "RESPONSIBLE" }]);
        let wang = json!([{ "leaderId": w.leader_wang, "role": "RESPONSIBLE" }]);
        // Tasks 4–10, without a category or a deadline; who owes: LEAD units, else RESPONSIBLE.
        let more = [
            ("4", wang.clone(), json!([unit(&unit_d, "RESPONSIBLE")])),
            (
                "5",
                json!([]),
                json!([unit(&unit_d, "RESPONSIBLE"), unit(&w.unit_a, "COOPERATING")]),
            ),
            ("6", liu, json!([unit(&w.unit_a, "RESPONSIBLE")])),
            (
                "7",
                json!([]),
                json!([
                    unit(&w.unit_b, "RESPONSIBLE"),
                    unit(&w.unit_c, "RESPONSIBLE")
                ]),
            ),
            ("8", json!([]), json!([unit(&w.unit_c, "RESPONSIBLE")])),
            ("9", wang, json!([unit(&unit_d, "LEAD")])),
            (
                "10",
                json!([]),
                json!([unit(&w.unit_a, "LEAD"), unit(&unit_d, "RESPONSIBLE")]),
            ),
        ];
        let mut tasks = w.tasks.to_vec();
        for (seq, leaders, units) in more {
            let id = app
                .gql(
                    bureau,
                    "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
                    json!({ "i": { "documentId": w.document, "seq": seq,
                                   "text": format!("第{seq}项任务"), "leaders": leaders, "units": units } }),
                )
                .await
                .data("/createTask/task/id")
                .as_str()
                .unwrap()
                .to_owned();
            tasks.push(id);
        }
        let periods = w.generate_periods(app).await;
        Self {
            w,
            unit_d,
            tasks,
            periods,
        }
    }

    /// `who` submits task `t` (1-based) for quarter `q` (1-based); returns the report's id.
    pub async fn submit(&self, app: &TestApp, who: &str, t: usize, q: usize) -> Value {
        let token = token(app, who).await;
        let answer = app
            .gql(
                Some(&token),
                "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
                json!({ "i": { "taskId": self.tasks[t - 1], "periodId": self.periods[q - 1],
                               "progress": format!("任务{t}第{q}季度进展"),
                               "idempotencyKey": format!("{who}-{t}-{q}-{}", app.clock_now_timestamp()) } }),
            )
            .await;
        answer.data("/submitReport/report/id").clone()
    }

    async fn send_back(&self, app: &TestApp, report: &Value, version: i32) {
        let bureau = app.admin_token().await;
        app.gql(
            Some(&bureau),
            "mutation($i: ReviewReportInput!) { reviewReport(input: $i) { report { state } } }",
            json!({ "i": { "reportId": report, "version": version, "decision": "RETURN",
                           "comment": "请补充量化数据" } }),
        )
        .await
        .data("/reviewReport/report/state");
    }

    /// The year up to 10 October, as the module's tables say.
    pub async fn play(&self, app: &TestApp) {
        // Q1, due 28 March.
        set_day(app, 3, 20);
        let a1 = self.submit(app, A, 1, 1).await;
        for t in [6, 10] {
            self.submit(app, A, t, 1).await;
        }
        for t in [4, 5, 9] {
            self.submit(app, D, t, 1).await;
        }
        self.submit(app, B, 2, 1).await;
        set_day(app, 3, 25);
        self.send_back(app, &a1, 1).await;
        set_day(app, 3, 27);
        self.submit(app, A, 1, 1).await;
        set_day(app, 4, 2);
        self.submit(app, B, 7, 1).await;
        for t in [3, 7, 8] {
            self.submit(app, C, t, 1).await;
        }
        // Q2, due 28 June: D misses task 9, C misses task 7; C's task 3 is returned for good.
        set_day(app, 6, 20);
        for t in [1, 6, 10] {
            self.submit(app, A, t, 2).await;
        }
        for t in [2, 7] {
            self.submit(app, B, t, 2).await;
        }
        for t in [4, 5] {
            self.submit(app, D, t, 2).await;
        }
        let c3 = self.submit(app, C, 3, 2).await;
        set_day(app, 6, 25);
        self.send_back(app, &c3, 1).await;
        set_day(app, 7, 5);
        self.submit(app, C, 8, 2).await;
        // Q3, due 28 September: B misses task 2, C reports nothing; D's task 4 is returned twice.
        set_day(app, 9, 20);
        for t in [1, 6, 10] {
            self.submit(app, A, t, 3).await;
        }
        self.submit(app, B, 7, 3).await;
        let mut d4 = Value::Null;
        for t in [4, 5, 9] {
            let id = self.submit(app, D, t, 3).await;
            if t == 4 {
                d4 = id;
            }
        }
        set_day(app, 9, 22);
        self.send_back(app, &d4, 1).await;
        set_day(app, 9, 24);
        self.submit(app, D, 4, 3).await;
        set_day(app, 9, 25);
        self.send_back(app, &d4, 2).await;
        set_day(app, 9, 26);
        self.submit(app, D, 4, 3).await;
        // 10 October: the deadline job has caught up with the passing of time.
        set_day(app, 10, 10);
        api::tasks::progress::sweep(&app.db, api::clock::Clock::now(&app.clock))
            .await
            .unwrap();
    }
}

pub(crate) const FIGURES_BY: &str = "query($g: FigureGrouping!, $f: FiguresFilter) {
  figuresBy(groupBy: $g, filter: $f) { groupBy groupId name figures {
    obligations due onTime late missing onTimeRate awaitingReview returned accepted tasks
    tasksByStatus { status tasks } tasksByWarning { level tasks } averagePercent
    targets { indicators met notMet notComparable } } } }";

/// A row's counts, its tasks by status and by warning level.
type Row = (Vec<i64>, BTreeMap<String, i64>, BTreeMap<String, i64>);

/// The rows of `figuresBy` as `name -> [obligations, due, onTime, late, missing, awaiting,
/// returned, accepted, tasks]` plus statuses and warnings.
fn rows(answer: &Value) -> BTreeMap<String, Row> {
    answer
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let f = &row["figures"];
            let counts = [
                "obligations",
                "due",
                "onTime",
                "late",
                "missing",
                "awaitingReview",
                "returned",
                "accepted",
                "tasks",
            ]
            .map(|k| f[k].as_i64().unwrap())
            .to_vec();
            let by = |list: &str, key: &str| {
                f[list]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        (
                            c[key].as_str().unwrap().to_owned(),
                            c["tasks"].as_i64().unwrap(),
                        )
                    })
                    .collect::<BTreeMap<_, _>>()
            };
            (
                row["name"].as_str().unwrap().to_owned(),
                (
                    counts,
                    by("tasksByStatus", "status"),
                    by("tasksByWarning", "level"),
                ),
            )
        })
        .collect()
}

fn counts_of(map: &[(&str, i64)]) -> BTreeMap<String, i64> {
    map.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[tokio::test]
async fn figures_by_unit_leader_period_and_category_match_the_hand_count() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = app.admin_token().await;
    let by = |grouping: &'static str| {
        let bureau = bureau.clone();
        let app = &app;
        async move {
            app.gql(Some(&bureau), FIGURES_BY, json!({ "g": grouping }))
                .await
                .data("/figuresBy")
                .clone()
        }
    };

    // Units, in the registry's order. Each unit owes 3 reports a quarter (B: 2), 4 quarters,
    // 3 of them due by 10 October.
    let units = by("UNIT").await;
    let names: Vec<&str> = units
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 4);
    let units = rows(&units);
    let delayed_progress = |d: i64, p: i64| {
        counts_of(&[("DELAYED", d), ("IN_PROGRESS", p)])
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect::<BTreeMap<_, _>>()
    };
    let red_green = |r: i64, g: i64| {
        counts_of(&[("RED", r), ("GREEN", g)])
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect::<BTreeMap<_, _>>()
    };
    //                         obl due on late miss await ret acc tasks
    assert_eq!(
        units["市发展和改革委员会"],
        (
            vec![12, 9, 9, 0, 0, 9, 0, 0, 3],
            delayed_progress(1, 2),
            red_green(1, 2)
        )
    );
    assert_eq!(
        units["市财政局"],
        (
            vec![8, 6, 4, 1, 1, 5, 0, 0, 2],
            delayed_progress(2, 0),
            red_green(2, 0)
        )
    );
    assert_eq!(
        units["尉氏县人民政府"],
        (
            vec![12, 9, 1, 4, 4, 4, 1, 0, 3],
            delayed_progress(3, 0),
            red_green(3, 0)
        )
    );
    assert_eq!(
        units["市住房和城乡建设局"],
        (
            vec![12, 9, 8, 0, 1, 8, 0, 0, 3],
            delayed_progress(1, 2),
            red_green(1, 2)
        )
    );

    // Periods by due date: Q1–Q3 due, Q4 not yet.
    let periods = by("PERIOD").await;
    let order: Vec<&str> = periods
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
    let periods = rows(&periods);
    let firsts = |name: &str| periods[name].0[..5].to_vec();
    assert_eq!(firsts("2026-Q1"), [11, 11, 7, 4, 0]);
    assert_eq!(firsts("2026-Q2"), [11, 11, 8, 1, 2]);
    assert_eq!(firsts("2026-Q3"), [11, 11, 7, 0, 4]);
    assert_eq!(firsts("2026-Q4"), [11, 0, 0, 0, 0]);

    // Leaders: 刘震 in person (tasks 1, 6) and by his post (task 2); 王玲 tasks 3, 4, 9.
    let leaders = rows(&by("LEADER").await);
    assert_eq!(leaders.len(), 2);
    assert_eq!(
        leaders["刘震"],
        (
            vec![12, 9, 8, 0, 1, 8, 0, 0, 3],
            delayed_progress(2, 1),
            red_green(2, 1)
        )
    );
    assert_eq!(
        leaders["王玲"],
        (
            vec![12, 9, 6, 1, 2, 6, 1, 0, 3],
            delayed_progress(2, 1),
            red_green(2, 1)
        )
    );

    // Categories: the world's three, in the notice's order, then tasks 4–10 without one.
    let categories = by("CATEGORY").await;
    let order: Vec<(Option<&str>, &str)> = categories
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["groupId"].as_str(), r["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        order.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        [
            "主要预期目标",
            "持续扩大有效需求",
            "加快建设现代化产业体系",
            "未分类"
        ]
    );
    assert_eq!(order[0].0, Some(year.w.category_one.as_str()));
    assert_eq!(
        order[3].0, None,
        "the row of tasks without a category has no id"
    );
    let categories = rows(&categories);
    assert_eq!(categories["主要预期目标"].0[..5], [4, 3, 3, 0, 0]);
    assert_eq!(categories["持续扩大有效需求"].0[..5], [4, 3, 2, 0, 1]);
    assert_eq!(categories["加快建设现代化产业体系"].0[..5], [4, 3, 1, 1, 1]);
    assert_eq!(categories["未分类"].0[..5], [32, 24, 16, 4, 4]);

    // The one document's row is the whole, and equals reportingFigures.
    let documents = by("DOCUMENT").await;
    let whole = app
        .gql(
            Some(&bureau),
            "{ reportingFigures { obligations due onTime late missing awaitingReview returned
               accepted tasks averagePercent } }",
            json!({}),
        )
        .await
        .data("/reportingFigures")
        .clone();
    assert_eq!(documents.as_array().unwrap().len(), 1);
    for key in ["obligations", "due", "onTime", "late", "missing", "tasks"] {
        assert_eq!(documents[0]["figures"][key], whole[key], "{key}");
    }
    assert_eq!(whole["obligations"], 44);
    assert_eq!(whole["tasks"], 10);
    assert_eq!(whole["averagePercent"], 0.0);
    assert_eq!(documents[0]["groupId"], year.w.document.as_str());
}

#[tokio::test]
async fn average_percent_is_over_distinct_tasks_not_obligations() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    let bureau = app.admin_token().await;
    // Task 7 (two owing units, so 8 obligations) at 90%, task 8 (4 obligations) at 30%.
    for (t, percent) in [(7, 90), (8, 30)] {
        let version = app
            .gql(
                Some(&bureau),
                "query($id: ID!) { task(id: $id) { version } }",
                json!({ "id": year.tasks[t - 1] }),
            )
            .await
            .data("/task/version")
            .clone();
        app.gql(
            Some(&bureau),
            "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { percent } } }",
            json!({ "i": { "id": year.tasks[t - 1], "version": version, "percent": percent } }),
        )
        .await
        .data("/updateTask/task/percent");
    }
    let c = app
        .gql(
            Some(&bureau),
            FIGURES_BY,
            json!({ "g": "UNIT", "f": { "unitId": year.w.unit_c } }),
        )
        .await;
    // C owes tasks 3 (0%), 7 (90%) and 8 (30%): (0 + 90 + 30) / 3 = 40, whatever the number
    // of obligations of each.
    assert_eq!(c.data("/figuresBy/0/figures/averagePercent"), 40.0);
    assert_eq!(c.data("/figuresBy/0/figures/tasks"), 3);
}

pub(crate) const RANKING: &str = "query($d: ID, $from: NaiveDate, $to: NaiveDate) {
  ranking(documentId: $d, dueFrom: $from, dueTo: $to) {
    formula defaultWeights ranked asOf weights { onTime late missing returned }
    rows { rank unitId unitName counted onTime late missing returned onTimeRate points score } } }";

fn ranked(answer: &Value) -> Vec<(String, i64, i64, f64)> {
    answer
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unitName"].as_str().unwrap().to_owned(),
                r["rank"].as_i64().unwrap(),
                r["points"].as_i64().unwrap(),
                (r["score"].as_f64().unwrap() * 100.0).round() / 100.0,
            )
        })
        .collect()
}

#[tokio::test]
async fn the_ranking_follows_its_formula_and_the_documents_weights() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = app.admin_token().await;
    let doc = year.w.document.clone();

    // Default weights 2, 1, 3, 1:
    // A 9 on time, 1 returned: 18 − 1 = 17 over 9 → 100 × 17 / 18 = 94.44
    // D 8 on time, 1 missing, 1 returned: 16 − 3 − 1 = 12 over 9 → 66.67
    // B 4 on time, 1 late, 1 missing: 8 − 1 − 3 = 4 over 6 → 33.33
    // C 1 on time, 4 late, 4 missing, 1 returned: 2 − 4 − 12 − 1 = −15 over 9 → −83.33
    let answer = app.gql(Some(&bureau), RANKING, json!({ "d": doc })).await;
    let ranking = answer.data("/ranking").clone();
    assert_eq!(ranking["defaultWeights"], true);
    assert_eq!(ranking["ranked"], 4);
    assert_eq!(ranking["asOf"], "2026-10-10");
    assert!(
        ranking["formula"]
            .as_str()
            .unwrap()
            .contains("score = 100 × points")
    );
    assert_eq!(
        ranked(&ranking["rows"]),
        [
            ("市发展和改革委员会".to_owned(), 1, 17, 94.44),
            ("市住房和城乡建设局".to_owned(), 2, 12, 66.67),
            ("市财政局".to_owned(), 3, 4, 33.33),
            ("尉氏县人民政府".to_owned(), 4, -15, -83.33),
        ]
    );
    let c = &ranking["rows"][3];
    assert_eq!(
        [
            &c["counted"],
            &c["onTime"],
            &c["late"],
            &c["missing"],
            &c["returned"]
        ],
        [9, 1, 4, 4, 1]
    );

    // The bureau weighs returns heavily and lateness not at all: 1, 0, 1, 5.
    let set = app
        .gql(
            Some(&bureau),
            "mutation($d: ID!, $w: ScoringWeightsInput!) { setScoringWeights(documentId: $d, weights: $w) {
               isDefault weights { onTime late missing returned } } }",
            json!({ "d": doc, "w": { "onTime": 1, "late": 0, "missing": 1, "returned": 5 } }),
        )
        .await;
    assert_eq!(set.data("/setScoringWeights/isDefault"), false);
    // B 4 − 1 = 3 over 6 → 50; A 9 − 5 = 4 over 9 → 44.44; D 8 − 1 − 5 = 2 over 9 → 22.22;
    // C 1 − 4 − 5 = −8 over 9 → −88.89.
    let ranking = app
        .gql(Some(&bureau), RANKING, json!({ "d": doc }))
        .await
        .data("/ranking")
        .clone();
    assert_eq!(ranking["defaultWeights"], false);
    assert_eq!(
        ranked(&ranking["rows"]),
        [
            ("市财政局".to_owned(), 1, 3, 50.0),
            ("市发展和改革委员会".to_owned(), 2, 4, 44.44),
            ("市住房和城乡建设局".to_owned(), 3, 2, 22.22),
            ("尉氏县人民政府".to_owned(), 4, -8, -88.89),
        ]
    );
    let audited = app
        .count_rows("audit_log WHERE action = 'scoring.set_weights'")
        .await;
    assert_eq!(audited, 1);

    // Only the second quarter (due 28 June): A 3 on time; B 2 on time; D 2 on time, 1 missing;
    // C 1 on time (returned), 1 late, 1 missing. Weights 1, 0, 1, 5:
    // A 3/3 → 100; B 2/2 → 100 (tie on score and rate: by name, 市发… before 市财…);
    // D 2 − 1 = 1 over 3 → 33.33; C 1 − 1 − 5 = −5 over 3 → −166.67.
    let q2 = app
        .gql(
            Some(&bureau),
            RANKING,
            json!({ "d": doc, "from": "2026-06-01", "to": "2026-06-30" }),
        )
        .await
        .data("/ranking/rows")
        .clone();
    assert_eq!(
        ranked(&q2),
        [
            ("市发展和改革委员会".to_owned(), 1, 3, 100.0),
            ("市财政局".to_owned(), 2, 2, 100.0),
            ("市住房和城乡建设局".to_owned(), 3, 1, 33.33),
            ("尉氏县人民政府".to_owned(), 4, -5, -166.67),
        ]
    );

    // Across documents the defaults apply.
    let all = app
        .gql(Some(&bureau), RANKING, json!({}))
        .await
        .data("/ranking")
        .clone();
    assert_eq!(all["defaultWeights"], true);
    assert_eq!(all["rows"][0]["points"], 17);

    // Bad input and unknown documents.
    let backwards = app
        .gql(
            Some(&bureau),
            RANKING,
            json!({ "d": doc, "from": "2026-07-01", "to": "2026-06-01" }),
        )
        .await;
    backwards.expect_error("BAD_USER_INPUT");
    for weights in [
        json!({ "onTime": 0, "late": 0, "missing": 1, "returned": 1 }),
        json!({ "onTime": 1, "late": -1, "missing": 1, "returned": 1 }),
        json!({ "onTime": 1, "late": 0, "missing": 101, "returned": 1 }),
    ] {
        app.gql(
            Some(&bureau),
            "mutation($d: ID!, $w: ScoringWeightsInput!) { setScoringWeights(documentId: $d, weights: $w) { isDefault } }",
            json!({ "d": doc, "w": weights }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    }
    let gone = api::graphql::relay::global_id(api::graphql::relay::Kind::Document, 999_999);
    app.gql(Some(&bureau), RANKING, json!({ "d": gone }))
        .await
        .expect_error("NOT_FOUND");
}

#[tokio::test]
async fn every_role_reads_the_figures_and_ranking_rows_it_may_and_only_the_bureau_sets_weights() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let w = &year.w;
    let bureau = app.admin_token().await;
    let a = token(&app, A).await;
    let liu = token(&app, "liuzhen").await;
    let wang = token(&app, "wangling").await;
    let service = token(&app, "dashboard").await;
    let names = |answer: &tests::GqlResponse, pointer: &str, key: &str| -> Vec<String> {
        answer
            .data(pointer)
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[key].as_str().unwrap().to_owned())
            .collect()
    };
    let figures = |token: Option<String>| {
        let app = &app;
        async move {
            app.gql(token.as_deref(), FIGURES_BY, json!({ "g": "UNIT" }))
                .await
        }
    };
    let all_units = [
        "市发展和改革委员会",
        "市财政局",
        "尉氏县人民政府",
        "市住房和城乡建设局",
    ];

    // figuresBy: over what each may see.
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let mut expected_all: Vec<String> = all_units.iter().map(|s| (*s).to_owned()).collect();
    expected_all.sort();
    assert_eq!(
        sorted(names(
            &figures(Some(bureau.clone())).await,
            "/figuresBy",
            "name"
        )),
        expected_all
    );
    assert_eq!(
        sorted(names(
            &figures(Some(service.clone())).await,
            "/figuresBy",
            "name"
        )),
        expected_all
    );
    assert_eq!(
        names(&figures(Some(a.clone())).await, "/figuresBy", "name"),
        ["市发展和改革委员会"]
    );
    // 刘震's tasks 1, 2, 6 are owed by A and B; 王玲's 3, 4, 9 by C and D.
    assert_eq!(
        sorted(names(
            &figures(Some(liu.clone())).await,
            "/figuresBy",
            "name"
        )),
        sorted(vec!["市发展和改革委员会".to_owned(), "市财政局".to_owned()])
    );
    assert_eq!(
        sorted(names(
            &figures(Some(wang.clone())).await,
            "/figuresBy",
            "name"
        )),
        sorted(vec![
            "尉氏县人民政府".to_owned(),
            "市住房和城乡建设局".to_owned()
        ])
    );
    let a_row = figures(Some(a.clone())).await;
    assert_eq!(a_row.data("/figuresBy/0/figures/obligations"), 12);
    figures(None).await.expect_error("UNAUTHENTICATED");

    // ranking: ranked among all four, read by row.
    let ranking = |token: Option<String>| {
        let app = &app;
        let doc = w.document.clone();
        async move {
            app.gql(token.as_deref(), RANKING, json!({ "d": doc }))
                .await
        }
    };
    for token in [&bureau, &service] {
        let r = ranking(Some(token.clone())).await;
        assert_eq!(names(&r, "/ranking/rows", "unitName").len(), 4);
    }
    let mine = ranking(Some(a.clone())).await;
    assert_eq!(
        names(&mine, "/ranking/rows", "unitName"),
        ["市发展和改革委员会"]
    );
    assert_eq!(mine.data("/ranking/rows/0/rank"), 1);
    assert_eq!(mine.data("/ranking/ranked"), 4);
    // Leaders read the units they supervise: 刘震 A and B, 王玲 C (ranked last).
    let liu_rows = ranking(Some(liu.clone())).await;
    assert_eq!(
        names(&liu_rows, "/ranking/rows", "unitName"),
        ["市发展和改革委员会", "市财政局"]
    );
    let wang_rows = ranking(Some(wang.clone())).await;
    assert_eq!(
        names(&wang_rows, "/ranking/rows", "unitName"),
        ["尉氏县人民政府"]
    );
    assert_eq!(wang_rows.data("/ranking/rows/0/rank"), 4);
    ranking(None).await.expect_error("UNAUTHENTICATED");

    // Weights: everyone signed in reads them; only the bureau sets them.
    let read = "query($d: ID!) { scoringWeights(documentId: $d) { isDefault weights { onTime } } }";
    for token in [&bureau, &a, &liu, &service] {
        let answer = app.gql(Some(token), read, json!({ "d": w.document })).await;
        assert_eq!(answer.data("/scoringWeights/weights/onTime"), 2);
        assert_eq!(answer.data("/scoringWeights/isDefault"), true);
    }
    app.gql(None, read, json!({ "d": w.document }))
        .await
        .expect_error("UNAUTHENTICATED");
    let set = "mutation($d: ID!) { setScoringWeights(documentId: $d,
                 weights: { onTime: 3, late: 1, missing: 2, returned: 1 }) { isDefault } }";
    for token in [&a, &liu, &service] {
        app.gql(Some(token), set, json!({ "d": w.document }))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, set, json!({ "d": w.document }))
        .await
        .expect_error("UNAUTHENTICATED");
    assert_eq!(app.count_rows("scoring_weights").await, 0, "nothing stored");
    let done = app
        .gql(Some(&bureau), set, json!({ "d": w.document }))
        .await;
    assert_eq!(done.data("/setScoringWeights/isDefault"), false);
    let answer = app.gql(Some(&a), read, json!({ "d": w.document })).await;
    assert_eq!(answer.data("/scoringWeights/weights/onTime"), 3);
}

#[tokio::test]
async fn grouped_figures_and_the_ranking_cost_a_fixed_number_of_statements() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = app.admin_token().await;
    // The token's first request reads its account; the ones measured find it cached.
    app.gql(Some(&bureau), "{ me { username } }", json!({}))
        .await
        .data("/me/username");
    let mut counts = Vec::new();
    for query in [
        json!({ "query": FIGURES_BY, "variables": { "g": "UNIT" } }),
        json!({ "query": FIGURES_BY, "variables": { "g": "LEADER" } }),
        json!({ "query": RANKING, "variables": { "d": year.w.document } }),
    ] {
        let before = app.statements();
        let answer = app
            .gql(
                Some(&bureau),
                query["query"].as_str().unwrap(),
                query["variables"].clone(),
            )
            .await;
        assert!(answer.0["errors"].is_null(), "{:?}", answer.0);
        counts.push(app.statements() - before);
    }
    // Two aggregates and the names (figures); the document, its weights, one aggregate and the
    // names (ranking): however many units and obligations.
    assert_eq!(counts, [3, 3, 4], "{counts:?}");
    let _ = year.unit_d;
}

/// The figures count each task at its own warning level, whoever asks and whatever the filter.
/// The level is read two ways: from the task's own obligations (`Task.warningLevel`, in the
/// process) and, counted, in SQL, which reads a task's earliest open due date in the same pass
/// when the rows in view hold all of a task's obligations (the bureau's, a leader's, by
/// document or leader) and by a subquery per task when a unit or a period cuts them apart. The
/// tasks in view are those the same filter lists obligations of. Checked on two days: after
/// the third quarter's deadline (red and green) and two days before the fourth's (yellow).
#[tokio::test]
async fn figures_count_each_task_at_its_own_warning_level_whatever_the_view() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let w = &year.w;
    let views = [
        ("bureau", json!({})),
        ("bureau", json!({ "documentId": w.document })),
        ("bureau", json!({ "leaderId": w.leader_liu })),
        (
            "bureau",
            json!({ "leaderId": w.leader_wang, "documentId": w.document }),
        ),
        ("bureau", json!({ "unitId": w.unit_c })),
        (
            "bureau",
            json!({ "unitId": year.unit_d, "leaderId": w.leader_wang }),
        ),
        ("bureau", json!({ "periodId": year.periods[3] })),
        ("dashboard", json!({})),
        ("liuzhen", json!({})),
        ("wangling", json!({ "documentId": w.document })),
        (A, json!({})),
        (D, json!({ "periodId": year.periods[2] })),
    ];
    let mut levels_seen = std::collections::BTreeSet::new();
    for (month, day) in [(10, 10), (12, 26)] {
        set_day(&app, month, day);
        for (who, filter) in &views {
            let token = token(&app, who).await;
            // A unit lists its own with `myObligations`.
            let field = if [A, D].contains(who) {
                "myObligations"
            } else {
                "obligations"
            };
            let listed = app
                .gql(
                    Some(&token),
                    &format!(
                        "query($f: ObligationFilter) {{ list: {field}(filter: $f, first: 100) {{
                           totalCount nodes {{ task {{ id warningLevel }} }} }} }}"
                    ),
                    json!({ "f": filter }),
                )
                .await;
            assert!(listed.data("/list/totalCount").as_i64().unwrap() < 100);
            let mut by_task = BTreeMap::new();
            for node in listed.data("/list/nodes").as_array().unwrap() {
                by_task.insert(
                    node["task"]["id"].as_str().unwrap().to_owned(),
                    node["task"]["warningLevel"].as_str().unwrap().to_owned(),
                );
            }
            let mut expected: BTreeMap<String, i64> = BTreeMap::new();
            for level in by_task.values() {
                *expected.entry(level.clone()).or_default() += 1;
                levels_seen.insert(level.clone());
            }
            let figures = app
                .gql(
                    Some(&token),
                    "query($f: FiguresFilter) { reportingFigures(filter: $f) {
                       tasks tasksByWarning { level tasks } } }",
                    json!({ "f": filter }),
                )
                .await;
            let counted: BTreeMap<String, i64> = figures
                .data("/reportingFigures/tasksByWarning")
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["level"].as_str().unwrap().to_owned(),
                        c["tasks"].as_i64().unwrap(),
                    )
                })
                .collect();
            let context = format!("{who} {filter} on {month}/{day}");
            assert!(!by_task.is_empty(), "{context}: nothing in view");
            assert_eq!(
                figures.data("/reportingFigures/tasks").as_i64().unwrap(),
                i64::try_from(by_task.len()).unwrap(),
                "{context}"
            );
            assert_eq!(counted, expected, "{context}");
        }
    }
    assert_eq!(
        levels_seen.into_iter().collect::<Vec<_>>(),
        ["GREEN", "RED", "YELLOW"],
        "the views between them show every level"
    );
}

/// The bureau's figures of every obligation, and of a document, come from the stored counts
/// (`tallies`) and the tasks' summary columns, not from the obligations' rows; a unit's are
/// counted from its rows. Both agree (`stats::check_counts`) after a year of reporting, and
/// the check finds a count that does not.
#[tokio::test]
async fn the_bureaus_figures_come_from_the_stored_counts_and_agree_with_the_rows() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = app.admin_token().await;
    let figures = "query($f: FiguresFilter) { reportingFigures(filter: $f) {
        obligations due onTime late missing tasks tasksByWarning { level tasks } } }";
    for filter in [json!({}), json!({ "documentId": year.w.document })] {
        app.log_statements();
        let answer = app
            .gql(Some(&bureau), figures, json!({ "f": filter }))
            .await
            .data("/reportingFigures")
            .clone();
        let log = app.take_statement_log().join("\n");
        assert!(answer["obligations"].as_i64().unwrap() > 0, "{answer}");
        assert!(log.contains("obligation_counts"), "{log}");
        assert!(
            !log.contains("FROM \"obligations\"") && !log.contains("FROM \"tasks\""),
            "no obligation or task row is read:\n{log}"
        );
    }
    let unit = token(&app, A).await;
    app.log_statements();
    app.gql(Some(&unit), figures, json!({ "f": {} }))
        .await
        .data("/reportingFigures");
    assert!(
        !app.take_statement_log()
            .join("\n")
            .contains("obligation_counts")
    );

    let today = api::deadline::today_in_china(api::clock::Clock::now(&app.clock));
    let drift = api::stats::check_counts(&app.db, today, Default::default())
        .await
        .unwrap();
    assert_eq!(drift, Vec::<String>::new());
    api::tallies::fold_all(&app.db).await.unwrap();
    let drift = api::stats::check_counts(&app.db, today, Default::default())
        .await
        .unwrap();
    assert_eq!(drift, Vec::<String>::new());
    // A delta no change wrote: the check names the views it moves.
    app.db
        .execute_unprepared(
            "INSERT INTO obligation_count_deltas (document_id, due_on, original_due_on, \
             submitted, on_time, on_time_original, report_state, n) \
             SELECT document_id, due_on, original_due_on, 1, 0, 0, 'ACCEPTED', 1 \
             FROM obligations LIMIT 1",
        )
        .await
        .unwrap();
    let drift = api::stats::check_counts(&app.db, today, Default::default())
        .await
        .unwrap();
    assert!(!drift.is_empty());
}

/// A ranking's counts come from the units' tally (`tallies::UNIT_OBLIGATIONS`), not from an
/// aggregate of every obligation; after a year of reporting (on time, late, missing and a
/// returned report) they equal those counted from the rows, folded or not, and the check finds
/// a count that does not.
#[tokio::test]
async fn rankings_come_from_the_units_tally_and_agree_with_the_rows() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = app.admin_token().await;
    let ranking = "query($d: ID) { ranking(documentId: $d) {
        ranked rows { unitId onTime late missing returned counted points } } }";
    for document in [json!(null), json!(year.w.document)] {
        app.log_statements();
        let answer = app
            .gql(Some(&bureau), ranking, json!({ "d": document }))
            .await
            .data("/ranking")
            .clone();
        let log = app.take_statement_log().join("\n");
        assert!(answer["ranked"].as_i64().unwrap() > 0, "{answer}");
        let total = |field: &str| {
            answer["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| row[field].as_i64().unwrap())
                .sum::<i64>()
        };
        for field in ["onTime", "late", "missing", "returned"] {
            assert!(total(field) > 0, "the year has some {field}: {answer}");
        }
        assert!(log.contains("unit_obligation_counts"), "{log}");
        assert!(
            !log.contains("first_submitted_on"),
            "no obligation's submission is read row by row:\n{log}"
        );
    }

    let today = api::deadline::today_in_china(api::clock::Clock::now(&app.clock));
    let check = || api::stats::check_counts(&app.db, today, Default::default());
    assert_eq!(check().await.unwrap(), Vec::<String>::new());
    api::tallies::fold_all(&app.db).await.unwrap();
    assert_eq!(check().await.unwrap(), Vec::<String>::new());
    // A late report no change wrote: the check names the rankings it moves.
    app.db
        .execute_unprepared(
            "INSERT INTO unit_obligation_count_deltas \
             (document_id, unit_id, due_on, outcome, returned, n) \
             SELECT document_id, unit_id, due_on, 2, 0, 1 FROM obligations LIMIT 1",
        )
        .await
        .unwrap();
    let drift = check().await.unwrap();
    assert_eq!(drift.len(), 2, "across documents and of the one: {drift:?}");
    assert!(
        drift.iter().all(|d| d.starts_with("ranking of")),
        "{drift:?}"
    );
}
