//! API keys of machine accounts: issued by the bureau with scopes within the account's, shown
//! once, checked on every field and download, refused at once when revoked, expired, or their
//! account is deactivated or narrowed; requests a minute per key and per account.

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

const CREATE: &str = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) {
    key apiKey { prefix name scopes expiresAt lastUsedAt revokedAt user { username } } } }";

/// A machine account with `scopes`; returns its id.
async fn machine(app: &TestApp, bureau: &str, username: &str, scopes: Value) -> Value {
    app.gql(
        Some(bureau),
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id scopes } } }",
        json!({ "i": { "username": username, "password": PASSWORD, "role": "SERVICE", "scopes": scopes } }),
    )
    .await
    .data("/createUser/user/id")
    .clone()
}

async fn key(app: &TestApp, bureau: &str, user: &Value, scopes: Value) -> (String, String) {
    let created = app
        .gql(
            Some(bureau),
            CREATE,
            json!({ "i": { "userId": user, "name": "市统计局数据交换", "scopes": scopes } }),
        )
        .await;
    (
        created
            .data("/createApiKey/key")
            .as_str()
            .unwrap()
            .to_owned(),
        created
            .data("/createApiKey/apiKey/prefix")
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_key_does_what_its_scopes_allow_and_nothing_more() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let account = machine(
        &app,
        &w.bureau,
        "tongjiju",
        json!(["tasks:read", "events:read"]),
    )
    .await;

    // Only the bureau issues keys, only for machine accounts, only within their scopes.
    let input = json!({ "i": { "userId": account, "name": "统计", "scopes": ["tasks:read"] } });
    for (token, code) in [
        (Some(w.liu_token.as_str()), "FORBIDDEN"),
        (Some(w.unit_a_token.as_str()), "FORBIDDEN"),
        (Some(w.service_token.as_str()), "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ] {
        app.gql(token, CREATE, input.clone())
            .await
            .expect_error(code);
    }
    let fgw = app
        .gql(
            Some(&w.bureau),
            "{ users(role: UNIT) { nodes { id username } } }",
            json!({}),
        )
        .await
        .data("/users/nodes/0/id")
        .clone();
    for (user, scopes) in [
        (&account, json!(["reports:read"])),
        (&account, json!(["tasks:write"])),
        (&account, json!([])),
        (&fgw, json!(["tasks:read"])),
    ] {
        app.gql(
            Some(&w.bureau),
            CREATE,
            json!({ "i": { "userId": user, "name": "x", "scopes": scopes } }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    }
    assert_eq!(app.count_rows("api_keys").await, 0);

    let (secret, prefix) = key(&app, &w.bureau, &account, json!(["tasks:read"])).await;
    assert!(secret.starts_with(&format!("duban_{prefix}_")));
    // Listed without the secret, for the bureau only.
    let listed = app
        .gql(
            Some(&w.bureau),
            "query($u: ID!) { apiKeys(userId: $u) { prefix scopes lastUsedAt user { username } } }",
            json!({ "u": account }),
        )
        .await;
    assert_eq!(
        listed.data("/apiKeys"),
        &json!([{ "prefix": prefix, "scopes": ["tasks:read"], "lastUsedAt": null, "user": { "username": "tongjiju" } }])
    );
    app.gql(
        Some(&w.service_token),
        "query($u: ID!) { apiKeys(userId: $u) { prefix } }",
        json!({ "u": account }),
    )
    .await
    .expect_error("FORBIDDEN");

    // What tasks:read allows: tasks and the registry; not reports, the feed or writes.
    let tasks = app
        .gql(
            Some(&secret),
            "{ me { username } tasks { totalCount } units { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(tasks.data("/tasks/totalCount"), 3);
    assert_eq!(tasks.data("/me/username"), "tongjiju");
    for query in [
        "{ obligations { totalCount } }",
        "{ reportingFigures { due } }",
        "{ changes { endCursor } }",
        "{ users { totalCount } }",
    ] {
        let refused = app.gql(Some(&secret), query, json!({})).await;
        let message = refused.expect_error("FORBIDDEN");
        assert!(message.contains("scope"), "{message}");
    }
    // A task's reports are reporting data: refused, with the error at their path.
    let periods = w.generate_periods(&app).await;
    app.gql(
        Some(&w.unit_a_token),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "periodId": periods[0], "progress": "进展顺利",
                       "idempotencyKey": "keys-test-0001" } }),
    )
    .await
    .data("/submitReport/report/id");
    let nested = app
        .gql(
            Some(&secret),
            "query($id: ID!) { task(id: $id) { seq reports { id } } }",
            json!({ "id": w.tasks[0] }),
        )
        .await;
    assert_eq!(nested.error_code(), Some("FORBIDDEN"));
    assert_eq!(
        nested.0["errors"][0]["path"],
        json!(["task", "reports", 0, "id"])
    );
    app.gql(
        Some(&secret),
        "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "unitId": w.unit_a, "message": "催办" } }),
    )
    .await
    .expect_error("FORBIDDEN");
    assert_eq!(app.count_rows("reminders").await, 0);
    // Downloads by the same rules.
    assert_eq!(get(&app, &secret, "/exports/tasks.csv").await.status(), 200);
    assert_eq!(
        get(&app, &secret, "/exports/obligations.csv")
            .await
            .status(),
        403
    );
    // Its use is recorded.
    let used = app
        .gql(
            Some(&w.bureau),
            "query($u: ID!) { apiKeys(userId: $u) { lastUsedAt } }",
            json!({ "u": account }),
        )
        .await;
    assert!(used.data("/apiKeys/0/lastUsedAt").is_string());

    // Narrowing the account narrows its key at once.
    app.gql(
        Some(&w.bureau),
        "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { scopes } } }",
        json!({ "i": { "id": account, "scopes": ["events:read"] } }),
    )
    .await
    .data("/updateUser/user/scopes");
    app.gql(Some(&secret), "{ tasks { totalCount } }", json!({}))
        .await
        .expect_error("FORBIDDEN");

    // Revoked: refused at the next request; the audit trail has both.
    app.gql(
        Some(&w.bureau),
        "mutation($p: String!) { revokeApiKey(prefix: $p) { apiKey { revokedAt } } }",
        json!({ "p": prefix }),
    )
    .await
    .data("/revokeApiKey/apiKey/revokedAt");
    let refused = app
        .gql(Some(&secret), "{ me { username } }", json!({}))
        .await;
    assert!(refused.expect_error("UNAUTHENTICATED").contains("revoked"));
    assert_eq!(get(&app, &secret, "/exports/tasks.csv").await.status(), 401);
    let audit = app
        .gql(
            Some(&w.bureau),
            "query($u: ID!) { auditLog(filter: { entityId: $u }) { nodes { action } } }",
            json!({ "u": account }),
        )
        .await;
    let actions: Vec<&str> = audit
        .data("/auditLog/nodes")
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &actions[..3],
        ["API_KEY_REVOKE", "USER_UPDATE", "API_KEY_CREATE"]
    );
    // A made-up key, or a key with the right prefix and a wrong secret.
    for fake in [
        format!("duban_{prefix}_wrongsecret"),
        "duban_nope".to_owned(),
    ] {
        app.gql(Some(&fake), "{ me { username } }", json!({}))
            .await
            .expect_error("UNAUTHENTICATED");
    }
}

#[tokio::test]
async fn expired_keys_and_deactivated_accounts_are_refused_at_once() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let account = machine(&app, &w.bureau, "oa-system", json!(["admin"])).await;
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 1, 0, 0).unwrap();
    let created = app
        .gql(
            Some(&w.bureau),
            CREATE,
            json!({ "i": { "userId": account, "name": "OA", "scopes": ["reports:read", "events:read"],
                           "expiresAt": (now + Duration::hours(1)).to_rfc3339() } }),
        )
        .await;
    let secret = created
        .data("/createApiKey/key")
        .as_str()
        .unwrap()
        .to_owned();
    // `admin` on the account allows any scope on its keys; the key still has only its own.
    let read = app
        .gql(
            Some(&secret),
            "{ obligations { totalCount } changes { endCursor } }",
            json!({}),
        )
        .await;
    assert!(read.data("/obligations/totalCount").is_number());
    app.gql(Some(&secret), "{ tasks { totalCount } }", json!({}))
        .await
        .expect_error("FORBIDDEN");
    // A key already expired is refused when it is made.
    app.gql(
        Some(&w.bureau),
        CREATE,
        json!({ "i": { "userId": account, "name": "old", "scopes": ["reports:read"],
                       "expiresAt": (now - Duration::hours(1)).to_rfc3339() } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");

    // Deactivated: refused; active again: accepted.
    let active = |flag: bool| {
        let (app, bureau, account) = (&app, w.bureau.clone(), account.clone());
        async move {
            app.gql(
                Some(&bureau),
                "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { isActive } } }",
                json!({ "i": { "id": account, "isActive": flag } }),
            )
            .await
            .data("/updateUser/user/isActive");
        }
    };
    active(false).await;
    let refused = app
        .gql(Some(&secret), "{ me { username } }", json!({}))
        .await;
    assert!(
        refused
            .expect_error("UNAUTHENTICATED")
            .contains("deactivated")
    );
    active(true).await;
    app.gql(Some(&secret), "{ me { username } }", json!({}))
        .await
        .data("/me/username");
    // Past its expiry.
    app.clock.set(now + Duration::hours(2));
    let refused = app
        .gql(Some(&secret), "{ me { username } }", json!({}))
        .await;
    assert!(refused.expect_error("UNAUTHENTICATED").contains("expired"));
}

#[tokio::test]
async fn a_burst_past_the_limit_is_refused_and_others_are_unaffected() {
    let app = TestApp::spawn_configured(
        Utc.with_ymd_and_hms(2026, 3, 1, 1, 0, 0).unwrap(),
        |config| {
            config.api_key_rate_limit_per_minute = 3;
            config.rate_limit_per_minute = 30;
        },
    )
    .await;
    let w = World::build(&app).await;
    let account = machine(&app, &w.bureau, "gateway", json!(["tasks:read"])).await;
    let (secret, _) = key(&app, &w.bureau, &account, json!(["tasks:read"])).await;
    for _ in 0..3 {
        app.gql(Some(&secret), "{ me { username } }", json!({}))
            .await
            .data("/me/username");
    }
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&secret)
        .json(&json!({ "query": "{ me { username } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert!(
        body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            >= 1
    );
    // Its account's own sign-in and the other accounts are not slowed.
    app.gql(Some(&w.unit_a_token), "{ me { username } }", json!({}))
        .await
        .data("/me/username");
    // An account past its own limit.
    let mut limited = None;
    for _ in 0..40 {
        let answer = app
            .gql(Some(&w.liu_token), "{ me { username } }", json!({}))
            .await;
        if answer.error_code() == Some("RATE_LIMITED") {
            limited = Some(answer);
            break;
        }
    }
    assert!(limited.is_some(), "the account's limit applies");
    app.gql(Some(&w.bureau), "{ me { username } }", json!({}))
        .await
        .data("/me/username");
}

#[tokio::test]
async fn another_system_posts_indicator_values_with_its_key_once() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let task = app
        .gql(
            Some(&w.bureau),
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id indicators { id } } } }",
            json!({ "i": { "documentId": w.document, "seq": "4", "text": "城镇新增就业6.24万人。",
                "units": [{ "unitId": w.unit_a, "role": "LEAD" }],
                "indicators": [{ "phrase": "城镇新增就业", "target": "6.24", "measureUnit": "万人", "comparator": "AT_LEAST" }] } }),
        )
        .await;
    let task_id = task.data("/createTask/task/id").clone();
    let indicator = task.data("/createTask/task/indicators/0/id").clone();
    let periods = w.generate_periods(&app).await;
    let account = machine(
        &app,
        &w.bureau,
        "tongji",
        json!(["indicators:write", "tasks:read"]),
    )
    .await;
    let (writer, _) = key(
        &app,
        &w.bureau,
        &account,
        json!(["indicators:write", "tasks:read"]),
    )
    .await;
    let (reader, _) = key(&app, &w.bureau, &account, json!(["tasks:read"])).await;
    const RECORD: &str =
        "mutation($i: RecordIndicatorValuesInput!) { recordIndicatorValues(input: $i) {
        indicators { latestValue verdict } } }";
    let input = |value: &str, key: &str| {
        json!({ "i": { "taskId": task_id, "periodId": periods[0], "idempotencyKey": key,
                       "values": [{ "indicatorId": indicator, "value": value, "note": "统计快报" }] } })
    };
    // Without the scope, or without a key at all, or not a machine: refused, nothing stored.
    for (token, code) in [
        (reader.as_str(), "FORBIDDEN"),
        (w.service_token.as_str(), "FORBIDDEN"),
        (w.unit_a_token.as_str(), "FORBIDDEN"),
        (w.liu_token.as_str(), "FORBIDDEN"),
    ] {
        app.gql(Some(token), RECORD, input("6.5万人", "stat-0001"))
            .await
            .expect_error(code);
    }
    app.gql(None, RECORD, input("6.5万人", "stat-0001"))
        .await
        .expect_error("UNAUTHENTICATED");
    app.gql(
        Some(&writer),
        RECORD,
        json!({ "i": { "taskId": task_id, "idempotencyKey": "stat-0000",
                       "values": [{ "indicatorId": "SW5kaWNhdG9yOjk5OTk", "value": "1" }] } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    assert_eq!(app.count_rows("indicator_readings").await, 0);

    let stored = app
        .gql(Some(&writer), RECORD, input("6.5万人", "stat-0001"))
        .await;
    assert_eq!(
        stored.data("/recordIndicatorValues/indicators"),
        &json!([{ "latestValue": "6.5万人", "verdict": "MET" }])
    );
    // A retry stores nothing twice; the same key for other values is a conflict.
    app.gql(Some(&writer), RECORD, input("6.5万人", "stat-0001"))
        .await
        .data("/recordIndicatorValues/indicators");
    assert_eq!(app.count_rows("indicator_readings").await, 1);
    app.gql(Some(&writer), RECORD, input("6.0万人", "stat-0001"))
        .await
        .expect_error("CONFLICT");
    // The task shows it, and the bureau sees where it came from in the audit trail.
    let read = app
        .gql(
            Some(&w.bureau),
            "query($id: ID!) { task(id: $id) { indicators { latestValue verdict } } }",
            json!({ "id": task_id }),
        )
        .await;
    assert_eq!(read.data("/task/indicators/0/verdict"), "MET");
    let audit = app
        .gql(
            Some(&w.bureau),
            "query($t: ID!) { auditLog(filter: { entityId: $t }) { nodes { action actor { username } } } }",
            json!({ "t": task_id }),
        )
        .await;
    assert_eq!(audit.data("/auditLog/nodes/0/action"), "INDICATOR_RECORD");
    assert_eq!(audit.data("/auditLog/nodes/0/actor/username"), "tongji");
}

#[tokio::test]
async fn a_key_named_for_a_unit_reports_on_its_behalf_and_for_no_other() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let periods = w.generate_periods(&app).await;
    let account = machine(
        &app,
        &w.bureau,
        "oa-sync",
        json!(["reports:write", "reports:read", "tasks:read"]),
    )
    .await;
    // Units only with reports:write.
    app.gql(
        Some(&w.bureau),
        CREATE,
        json!({ "i": { "userId": account, "name": "x", "scopes": ["tasks:read"], "unitIds": [w.unit_a] } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let created = app
        .gql(
            Some(&w.bureau),
            "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { unitIds } } }",
            json!({ "i": { "userId": account, "name": "发改委OA同步", "scopes": ["reports:write", "reports:read", "tasks:read"],
                           "unitIds": [w.unit_a] } }),
        )
        .await;
    assert_eq!(
        created.data("/createApiKey/apiKey/unitIds"),
        &json!([w.unit_a])
    );
    let secret = created
        .data("/createApiKey/key")
        .as_str()
        .unwrap()
        .to_owned();
    let (plain, _) = key(
        &app,
        &w.bureau,
        &account,
        json!(["reports:write", "tasks:read"]),
    )
    .await;
    const SUBMIT: &str = "mutation($i: SubmitReportInput!) { submitReport(input: $i) {
        report { state unit { name } } version { version } } }";
    let input = |unit: &str, key: &str| {
        json!({ "i": { "taskId": w.tasks[0], "periodId": periods[0], "progress": "OA系统同步：进展顺利",
                       "idempotencyKey": key, "onBehalfOfUnitId": unit } })
    };
    // For A, with the key named for it: stored as A's report.
    let submitted = app
        .gql(Some(&secret), SUBMIT, input(&w.unit_a, "oa-0000001"))
        .await;
    assert_eq!(
        submitted.data("/submitReport/report/unit/name"),
        "市发展和改革委员会"
    );
    assert_eq!(submitted.data("/submitReport/report/state"), "SUBMITTED");
    // Not for B (task 1's cooperating unit owes nothing; task 2 is B's), not with a key named for
    // no unit, not by a unit's own account naming another unit, not by the password sign-in.
    let for_b = json!({ "i": { "taskId": w.tasks[1], "periodId": periods[0], "progress": "x",
                               "idempotencyKey": "oa-0000002", "onBehalfOfUnitId": w.unit_b } });
    for (token, variables) in [
        (secret.as_str(), for_b.clone()),
        (plain.as_str(), input(&w.unit_a, "oa-0000003")),
        (w.unit_b_token.as_str(), for_b),
        (w.service_token.as_str(), input(&w.unit_a, "oa-0000004")),
    ] {
        app.gql(Some(token), SUBMIT, variables)
            .await
            .expect_error("FORBIDDEN");
    }
    assert_eq!(app.count_rows("report_versions").await, 1);
    // The audit trail names the machine account as who submitted.
    let audit = app
        .gql(
            Some(&w.bureau),
            "{ auditLog(filter: { action: REPORT_SUBMIT }) { nodes { actor { username } } } }",
            json!({}),
        )
        .await;
    assert_eq!(audit.data("/auditLog/nodes/0/actor/username"), "oa-sync");
}

#[tokio::test]
async fn a_key_subscribes_to_events_only_with_events_read() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let account = machine(
        &app,
        &w.bureau,
        "screen",
        json!(["tasks:read", "events:read"]),
    )
    .await;
    let (without, _) = key(&app, &w.bureau, &account, json!(["tasks:read"])).await;
    let (with, _) = key(&app, &w.bureau, &account, json!(["events:read"])).await;
    let query = "subscription { events { sequence kind } }";
    // Without events:read: the subscription is refused for the scope.
    let mut socket = crate::live::subscribe_to(&app, &without, query, json!({})).await;
    let refused = crate::live::next_message(&mut socket).await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    assert!(refused["payload"]["data"].is_null());
    // With it: the events come. From the newest sequence on, so that an event committed before
    // the server has set the subscription up is sent from its backlog, not missed.
    let after = crate::live::newest_sequence(&app).await;
    let mut socket = crate::live::subscribe_to(
        &app,
        &with,
        "subscription($after: Int) { events(after: $after) { sequence kind } }",
        json!({ "after": after }),
    )
    .await;
    app.gql(
        Some(&w.bureau),
        "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "unitId": w.unit_a, "message": "请报送" } }),
    )
    .await
    .data("/sendReminder/reminder/id");
    let heard = crate::live::next_message(&mut socket).await;
    assert_eq!(
        heard["payload"]["data"]["events"]["kind"], "REMINDER_SENT",
        "{heard}"
    );
}
