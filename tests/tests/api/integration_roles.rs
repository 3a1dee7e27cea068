//! The bureau's integration fields, by role: API keys, webhooks, the notifications log and
//! contacts. Only the bureau (and, for contacts, their owner) may; every other role is refused,
//! and bad input gets a clear error with nothing stored.

use serde_json::json;
use tests::TestApp;
use tests::world::{PASSWORD, World};

#[tokio::test]
async fn only_the_bureau_manages_keys_webhooks_and_reads_the_notifications() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let account = app
        .gql(
            Some(&w.bureau),
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
            json!({ "i": { "username": "oa-roles", "password": PASSWORD, "role": "SERVICE", "scopes": ["tasks:read"] } }),
        )
        .await
        .data("/createUser/user/id")
        .clone();
    let prefix = app
        .gql(
            Some(&w.bureau),
            "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { prefix } } }",
            json!({ "i": { "userId": account, "name": "x", "scopes": ["tasks:read"] } }),
        )
        .await
        .data("/createApiKey/apiKey/prefix")
        .clone();
    let webhook = app
        .gql(
            Some(&w.bureau),
            "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } } }",
            json!({ "i": { "url": "http://127.0.0.1:9/hooks", "kinds": ["REMINDER_SENT"] } }),
        )
        .await
        .data("/createWebhook/webhook/id")
        .clone();
    let operations = [
        (
            "query($u: ID!) { apiKeys(userId: $u) { prefix } }",
            json!({ "u": account }),
        ),
        ("{ webhooks { url kinds } }", json!({})),
        ("{ notifications { state } }", json!({})),
        (
            "query($u: ID!) { contacts(unitId: $u) { address } }",
            json!({ "u": w.unit_a }),
        ),
        (
            "mutation($id: ID!) { pauseWebhook(id: $id) { webhook { pausedAt } } }",
            json!({ "id": webhook }),
        ),
        (
            "mutation($id: ID!) { resumeWebhook(id: $id) { webhook { pausedAt } } }",
            json!({ "id": webhook }),
        ),
        (
            "mutation($p: String!) { revokeApiKey(prefix: $p) { apiKey { revokedAt } } }",
            json!({ "p": prefix }),
        ),
        (
            "mutation($id: ID!) { deleteWebhook(id: $id) { webhook { url } } }",
            json!({ "id": webhook }),
        ),
    ];
    let audit_before = app.count_rows("audit_log").await;
    for (query, variables) in &operations {
        // The contacts of unit A are its own to read: unit B and the others are refused.
        for token in [&w.liu_token, &w.unit_b_token, &w.service_token] {
            app.gql(Some(token), query, variables.clone())
                .await
                .expect_error("FORBIDDEN");
        }
        app.gql(None, query, variables.clone())
            .await
            .expect_error("UNAUTHENTICATED");
    }
    // Refused changes wrote nothing.
    assert_eq!(app.count_rows("audit_log").await, audit_before);
    assert_eq!(app.count_rows("webhooks").await, 1);
    // The bureau may do each, in this order (the removal last).
    for (query, variables) in &operations {
        let answer = app.gql(Some(&w.bureau), query, variables.clone()).await;
        assert!(answer.error_code().is_none(), "{query}: {:#}", answer.0);
    }
    assert_eq!(app.count_rows("webhooks").await, 0);

    // Bad input: a clear error, nothing changed.
    for (query, variables, code) in [
        (
            "mutation($p: String!) { revokeApiKey(prefix: $p) { apiKey { revokedAt } } }",
            json!({ "p": "nosuchkey" }),
            "NOT_FOUND",
        ),
        (
            "mutation($id: ID!) { pauseWebhook(id: $id) { webhook { pausedAt } } }",
            json!({ "id": w.tasks[0] }),
            "BAD_USER_INPUT",
        ),
        (
            "mutation($id: ID!) { resumeWebhook(id: $id) { webhook { pausedAt } } }",
            json!({ "id": "V2ViaG9vazo5OTk5" }),
            "NOT_FOUND",
        ),
        ("{ contacts { address } }", json!({}), "BAD_USER_INPUT"),
        (
            "query($u: ID!) { apiKeys(userId: $u) { prefix } }",
            json!({ "u": w.unit_a }),
            "BAD_USER_INPUT",
        ),
    ] {
        app.gql(Some(&w.bureau), query, variables)
            .await
            .expect_error(code);
    }
    assert_eq!(app.count_rows("webhooks").await, 0);
}
