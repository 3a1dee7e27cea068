//! Which schema runs a request (`schema::execution`): a query none of the per-field rules can
//! touch runs on the lean schema and answers exactly as the full one would, for every role,
//! failures included; everything else (mutations, API keys, a cost report, the registration of
//! a persisted query) runs on the full one. What ran is counted in `/metrics`
//! (`duban_graphql_executions_total{operation,schema}`), under operation names only these tests
//! send.

use serde_json::{Value, json};
use sha2::Digest;
use tests::world::{PASSWORD, World};
use tests::{TestApp, metric_sample};

/// The count of `operation` run on `schema`, from `/metrics` (0 when never counted).
async fn executions(app: &TestApp, operation: &str, schema: &str) -> f64 {
    let (_, text) = app.scrape_metrics(None).await;
    let series =
        format!(r#"duban_graphql_executions_total{{operation="{operation}",schema="{schema}"}}"#);
    metric_sample(&text, &series).unwrap_or(0.0)
}

/// Posts `body` (a whole GraphQL request) with `token`, and returns the response's JSON.
async fn post(app: &TestApp, token: Option<&str>, body: Value) -> Value {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// `response` without the `requestId` of its errors.
fn without_request_ids(mut response: Value) -> Value {
    for error in response["errors"].as_array_mut().into_iter().flatten() {
        if let Some(extensions) = error["extensions"].as_object_mut() {
            extensions.remove("requestId");
        }
    }
    response
}

const TASKS: &str = "query LeanTasks { tasks(first: 20) { totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id seq text status deadline warningLevel percent
      document { id docNumber title } category { id title path }
      leaders { role position nameAsWritten post collective leader { id name post } }
      units { role position nameAsWritten isLocal unit { id name } }
      reports { id state currentVersion period { id label dueOn } } } } }";

const EVERYTHING_ELSE: &[&str] = &[
    "query LeanMe { me { username role } }",
    "query LeanDocuments { documents(first: 10) { nodes { id title docNumber } } }",
    "query LeanUnits { units(first: 50) { nodes { id name } } }",
    "query LeanObligations { obligations(first: 20) {
       nodes { state dueOn task { id seq } unit { id name } period { id label dueOn } } } }",
    "query LeanFigures { reportingFigures { obligations due onTime late missing } }",
];

#[tokio::test]
async fn a_query_answers_alike_on_the_lean_schema_and_the_full_one_for_every_role() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    w.generate_periods(&app).await;
    let roles = w.roles();
    // The nodes of every kind the world has, some of which each role may not read (null, with
    // an error: a failure on the lean schema, answered by the full one).
    let nodes = json!([
        w.tasks[0],
        w.tasks[1],
        w.tasks[2],
        w.document,
        w.unit_a,
        w.leader_liu
    ]);
    let node_query = "query LeanNodes($ids: [ID!]!) { nodes(ids: $ids) { id
        ... on Task { seq units { unit { name } } } ... on Unit { name } } }";
    let mut queries: Vec<(&str, Value)> =
        vec![(TASKS, json!({})), (node_query, json!({ "ids": nodes }))];
    queries.extend(EVERYTHING_ELSE.iter().map(|query| (*query, json!({}))));

    let mut expected = std::collections::BTreeMap::<(String, &str), f64>::new();
    for (role, token) in [
        ("bureau", Some(roles.bureau)),
        ("leader", Some(roles.leader)),
        ("unit", Some(roles.unit)),
        ("service", Some(roles.service)),
        ("anonymous", None),
    ] {
        for (query, variables) in &queries {
            let operation = query
                .split_whitespace()
                .nth(1)
                .unwrap()
                .split('(')
                .next()
                .unwrap()
                .to_owned();
            let lean = post(
                &app,
                token,
                json!({ "query": query, "variables": variables }),
            )
            .await;
            // Asking for the cost takes the full path: the reference answer.
            let full = post(
                &app,
                token,
                json!({ "query": query, "variables": variables, "extensions": { "cost": true } }),
            )
            .await;
            assert!(full["extensions"]["cost"].is_object(), "{role}: {full:#}");
            // Each answer's errors carry their own request's id.
            let (lean, full) = (without_request_ids(lean), without_request_ids(full));
            assert_eq!(lean["data"], full["data"], "{role} {operation}: {lean:#}");
            assert_eq!(
                lean["errors"], full["errors"],
                "{role} {operation}: {lean:#}"
            );
            // Signed out, a query runs on the full build (nearly every one fails).
            let ran = match (token, lean["errors"].is_array()) {
                (None, _) => "full",
                (Some(_), true) => "full_after_lean",
                (Some(_), false) => "lean",
            };
            *expected.entry((operation.clone(), ran)).or_default() += 1.0;
            *expected.entry((operation, "full")).or_default() += 1.0;
        }
    }
    // The roles read data (not only errors), and some failed: both paths were taken.
    assert!(expected.keys().any(|(_, ran)| *ran == "lean"));
    assert!(expected.keys().any(|(_, ran)| *ran == "full_after_lean"));
    for ((operation, ran), count) in &expected {
        assert_eq!(
            executions(&app, operation, ran).await,
            *count,
            "{operation} on {ran}"
        );
    }
}

#[tokio::test]
async fn what_a_rule_acts_on_runs_on_the_full_schema() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;

    // A query by a signed-in user: lean.
    app.gql(Some(&w.bureau), "query LeanPing { __typename }", json!({}))
        .await
        .data("/__typename");
    // A mutation (the caches move after it): full, even one that changes nothing.
    app.gql(
        Some(&w.bureau),
        "mutation LeanWrite { __typename }",
        json!({}),
    )
    .await
    .data("/__typename");
    // A document with a query and a mutation: full, whichever operation runs.
    let mixed = "query LeanMixed { __typename } mutation LeanMixedWrite { __typename }";
    post(
        &app,
        Some(&w.bureau),
        json!({ "query": mixed, "operationName": "LeanMixed" }),
    )
    .await;
    // An API key (its scopes are checked on every field): full.
    let account = app
        .gql(
            Some(&w.bureau),
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
            json!({ "i": { "username": "lean-probe", "password": PASSWORD, "role": "SERVICE",
                           "scopes": ["tasks:read"] } }),
        )
        .await
        .data("/createUser/user/id")
        .clone();
    let key = app
        .gql(
            Some(&w.bureau),
            "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }",
            json!({ "i": { "userId": account, "name": "lean", "scopes": ["tasks:read"] } }),
        )
        .await
        .data("/createApiKey/key")
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(Some(&key), "query LeanByKey { __typename }", json!({}))
        .await
        .data("/__typename");
    // Signed out: full.
    app.gql(None, "query LeanAnonymous { __typename }", json!({}))
        .await
        .data("/__typename");
    // A token that is not valid: full.
    app.gql(
        Some("not-a-token"),
        "query LeanBadToken { __typename }",
        json!({}),
    )
    .await;
    // A persisted query: registered on the full path, then run from its hash alone on the lean
    // one, with the same answer.
    let query = "query LeanPersisted { me { username } }";
    let persisted = json!({ "persistedQuery": { "version": 1,
        "sha256Hash": hex::encode(sha2::Sha256::digest(query.as_bytes())) } });
    let registered = post(
        &app,
        Some(&w.bureau),
        json!({ "query": query, "extensions": persisted }),
    )
    .await;
    // Apollo's link sends the operation's name beside the hash.
    let by_hash = post(
        &app,
        Some(&w.bureau),
        json!({ "operationName": "LeanPersisted", "extensions": persisted }),
    )
    .await;
    assert!(
        registered["data"]["me"]["username"].is_string(),
        "{registered:#}"
    );
    assert_eq!(by_hash, registered);

    for (operation, ran) in [
        ("LeanPing", "lean"),
        ("LeanWrite", "full"),
        ("LeanMixed", "full"),
        ("LeanByKey", "full"),
        ("LeanAnonymous", "full"),
        ("LeanBadToken", "full"),
    ] {
        assert_eq!(executions(&app, operation, ran).await, 1.0, "{operation}");
        for other in ["lean", "full", "full_after_lean"] {
            if other != ran {
                assert_eq!(executions(&app, operation, other).await, 0.0, "{operation}");
            }
        }
    }
    assert_eq!(executions(&app, "LeanPersisted", "full").await, 1.0);
    assert_eq!(executions(&app, "LeanPersisted", "lean").await, 1.0);
}

/// A query's document is kept after its first request (`Executor::parse`), and every later
/// request of the same text runs on a copy of it: the operation it names, its own variables and
/// its own principal, a failed field run again on the full schema, and a syntax error still
/// answered as one.
#[tokio::test]
async fn a_kept_document_runs_each_request_as_sent() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    const TWO: &str = "query KeptTask($id: ID!) { task(id: $id) { seq } }
        query KeptMe { me { username role } }";
    let run = |token: String, operation: &str, variables: Value| {
        let body = json!({ "query": TWO, "operationName": operation, "variables": variables });
        let app = &app;
        async move { post(app, Some(&token), body).await }
    };
    for round in 0..3 {
        for (task, seq) in w.tasks.iter().zip(["1", "2", "3"]) {
            let answer = run(w.bureau.clone(), "KeptTask", json!({ "id": task })).await;
            assert_eq!(
                answer,
                json!({ "data": { "task": { "seq": seq } } }),
                "round {round}"
            );
        }
        let me = run(w.unit_a_token.clone(), "KeptMe", json!({})).await;
        assert_eq!(me["data"]["me"]["role"], "UNIT", "round {round}: {me}");
        // Unit A is not on task 2: the field fails on the lean schema and runs again on the full
        // one, from the text, with the same answer every time.
        let hidden = run(
            w.unit_a_token.clone(),
            "KeptTask",
            json!({ "id": w.tasks[1] }),
        )
        .await;
        assert_eq!(
            hidden["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{hidden}"
        );
        assert_eq!(hidden["errors"][0]["path"], json!(["task"]), "{hidden}");
        // Neither name given: the document has two operations, and the request is refused.
        let body = json!({ "query": TWO, "variables": { "id": w.tasks[0] } });
        let unnamed = post(&app, Some(&w.bureau), body).await;
        assert!(unnamed["data"].is_null(), "{unnamed}");
        let message = unnamed["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("Operation name required"), "{unnamed}");
    }
    // A text that does not parse is never kept: each request gets its syntax error.
    for _ in 0..2 {
        let broken = post(
            &app,
            Some(&w.bureau),
            json!({ "query": "query { task(id: " }),
        )
        .await;
        assert!(broken["data"].is_null(), "{broken}");
        assert_eq!(broken["errors"][0]["locations"][0]["line"], 1, "{broken}");
    }
    assert!(executions(&app, "KeptTask", "lean").await >= 9.0);
}
