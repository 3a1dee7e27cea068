//! Searching tasks by their words (`filter: { search }`): exactly the tasks whose text holds the
//! words as written, or whose sequence number is the words, on both backends. On PostgreSQL the
//! search's `LIKE` is read through a trigram index (migration 30): these cases are the ones an
//! index could get wrong (one or two characters, reversed or split words, wildcards, a text
//! edited after it was indexed).

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};
use serde_json::json;
use tests::TestApp;
use tests::world::World;

const SEARCH: &str =
    "query($s: String) { tasks(first: 100, filter: { search: $s }) { totalCount nodes { seq } } }";

async fn found(app: &TestApp, token: &str, words: &str) -> Vec<String> {
    let answer = app.gql(Some(token), SEARCH, json!({ "s": words })).await;
    let mut seqs: Vec<String> = answer
        .data("/tasks/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["seq"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        answer.data("/tasks/totalCount").as_u64().unwrap(),
        seqs.len() as u64,
        "{words}"
    );
    seqs.sort();
    seqs
}

#[tokio::test]
async fn a_search_finds_exactly_the_tasks_holding_the_words() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b = w.bureau.as_str();
    let texts = [
        ("s1", "推进养老服务体系建设，新增养老床位2000张"),
        ("s2", "加快地铁3号线建设"),
        ("s3", "完善社区养老设施"),
        ("s4", "提升覆盖率至100%_试点先行"),
        ("s5", "老旧小区改造"),
        ("s6", "养 老 分开写"),
        ("s7", "Metro line 3 opens"),
        ("38", "第三十八项"),
    ];
    let mut ids = std::collections::HashMap::new();
    for (seq, text) in texts {
        let id = app
            .gql(
                Some(b),
                "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
                json!({ "i": { "documentId": w.document, "seq": seq, "text": text,
                               "units": [{ "unitId": w.unit_a, "role": "RESPONSIBLE" }] } }),
            )
            .await
            .data("/createTask/task/id")
            .as_str()
            .unwrap()
            .to_owned();
        ids.insert(seq, id);
    }

    let cases: [(&str, &[&str]); 14] = [
        ("养老", &["s1", "s3"]),
        ("老", &["s1", "s3", "s5", "s6"]),
        ("地铁3号线", &["s2"]),
        ("养老床位2000", &["s1"]),
        ("铁地", &[]),
        ("养老设施建设", &[]),
        ("100%", &["s4"]),
        ("%", &["s4"]),
        ("_", &["s4"]),
        ("%_", &["s4"]),
        ("0%试", &[]),
        ("line 3", &["s7"]),
        ("38", &["38"]),
        ("  养老  ", &["s1", "s3"]),
    ];
    // Every task, the world's three too: the reference is `str::contains` on the trimmed words.
    let all = app
        .gql(
            Some(b),
            "{ tasks(first: 100) { nodes { seq text } } }",
            json!({}),
        )
        .await;
    let all: Vec<(String, String)> = all
        .data("/tasks/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["seq"].as_str().unwrap().to_owned(),
                n["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(all.len(), 11);
    for (words, expected) in cases {
        let got = found(&app, b, words).await;
        let trimmed = words.trim();
        let mut reference: Vec<String> = all
            .iter()
            .filter(|(seq, text)| text.contains(trimmed) || seq == trimmed)
            .map(|(seq, _)| seq.clone())
            .collect();
        reference.sort();
        assert_eq!(got, reference, "{words:?}");
        let ours: Vec<&str> = got
            .iter()
            .map(String::as_str)
            .filter(|seq| texts.iter().any(|(s, _)| s == seq))
            .collect();
        assert_eq!(ours, expected, "{words:?}");
    }

    // An edited text is found by its new words, not its old ones.
    app.gql(
        Some(b),
        "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { text } } }",
        json!({ "i": { "id": ids["s2"], "version": 1, "text": "加快轻轨建设" } }),
    )
    .await
    .data("/updateTask");
    assert_eq!(found(&app, b, "地铁").await, Vec::<String>::new());
    assert_eq!(found(&app, b, "轻轨").await, ["s2"]);

    if app.db.get_database_backend() != DatabaseBackend::Postgres {
        return;
    }
    // Words with a trigram are asked as `LIKE`, which the index serves; shorter ones as `strpos`,
    // which no plan reads the index for.
    for (words, form) in [
        ("养老床位", "LIKE"),
        ("养老", "strpos("),
        ("7%左右", "strpos("),
    ] {
        app.log_statements();
        found(&app, b, words).await;
        let log = app.take_statement_log();
        let search = log.iter().find(|sql| sql.contains("\"seq\" =")).unwrap();
        assert!(search.contains(form), "{words}: {search}");
    }
    // The search's own `LIKE`, as the server writes it, is served by the trigram index (a table
    // this small is otherwise read whole, so the plan is asked for with sequential scans off).
    let txn = app.db.begin().await.unwrap();
    txn.execute_unprepared("SET LOCAL enable_seqscan = off")
        .await
        .unwrap();
    let plan = txn
        .query_all(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            r#"EXPLAIN SELECT id FROM tasks WHERE "text" LIKE $1 ESCAPE '\'"#,
            ["%养老床位%".into()],
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    txn.rollback().await.unwrap();
    assert!(plan.contains("idx_tasks_text_trgm"), "{plan}");
}
