//! The principal cache (issue 12): a request with an access token reads its account once, then
//! not again until something changes it, its leader or its unit; a change applies at once on
//! the instance that made it, and on another instance as soon as its relay reads the change.

use std::time::Duration;

use serde_json::json;
use tests::TestApp;
use tests::world::World;

const PING: &str = "{ __typename }";
/// A field that needs the principal (`__typename` alone is answered to a refused token too).
const ME: &str = "{ me { username } }";
const TASKS: &str = "{ tasks { totalCount } }";

/// How many tasks `token` sees.
async fn tasks(app: &TestApp, token: &str) -> serde_json::Value {
    app.gql(Some(token), TASKS, json!({}))
        .await
        .data("/tasks/totalCount")
        .clone()
}

/// Asks until a request costs no statement: after a change, the instance's own relay reads the
/// change's row on its own time (and drops the cache once more), so the first requests after
/// it may read the account again.
async fn cached_again(app: &TestApp, token: &str) {
    for _ in 0..100 {
        if cost(app, token, PING).await.0 == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the principal is not cached again 2 s after a change");
}

/// The statements the server ran for one request.
async fn cost(app: &TestApp, token: &str, query: &str) -> (usize, tests::GqlResponse) {
    let before = app.statements();
    let answer = app.gql(Some(token), query, json!({})).await;
    (app.statements() - before, answer)
}

#[tokio::test]
async fn a_token_is_read_once_until_its_account_its_leader_or_its_unit_changes() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let bureau = w.bureau.as_str();

    // The first request reads the account; the next ones do not.
    let (first, _) = cost(&app, &w.liu_token, PING).await;
    assert!(first >= 1, "the first request reads the account: {first}");
    let (again, answer) = cost(&app, &w.liu_token, PING).await;
    assert_eq!(answer.data("/__typename"), "Query");
    assert_eq!(again, 0, "a cached principal costs no statement");

    // 刘震 sees task 1 in person and task 2 through his post, 常务副市长.
    assert_eq!(tasks(&app, &w.liu_token).await, 2);
    // His post changes: the cached principal (which carries the post) is not used again.
    app.gql(
        Some(bureau),
        "mutation($i: UpdateLeaderInput!) { updateLeader(input: $i) { leader { post } } }",
        json!({ "i": { "id": w.leader_liu, "post": "市长助理" } }),
    )
    .await
    .data("/updateLeader/leader/post");
    assert_eq!(tasks(&app, &w.liu_token).await, 1);

    // The bureau changes his account (a display name): read again, still signed in.
    let (_, _) = cost(&app, &w.liu_token, PING).await;
    let user_id = app
        .gql(Some(&w.liu_token), "{ me { id } }", json!({}))
        .await
        .data("/me/id")
        .clone();
    app.gql(
        Some(bureau),
        "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id } } }",
        json!({ "i": { "id": user_id, "displayName": "刘震（常务）" } }),
    )
    .await
    .data("/updateUser/user/id");
    let (reread, answer) = cost(&app, &w.liu_token, PING).await;
    assert_eq!(answer.data("/__typename"), "Query");
    assert!(reread >= 1, "the changed account is read again: {reread}");

    // Deactivated: refused at once, though his principal was cached a moment ago.
    cached_again(&app, &w.liu_token).await;
    app.gql(
        Some(bureau),
        "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id } } }",
        json!({ "i": { "id": user_id, "isActive": false } }),
    )
    .await
    .data("/updateUser/user/id");
    let refused = app.gql(Some(&w.liu_token), ME, json!({})).await;
    assert_eq!(refused.error_code(), Some("UNAUTHENTICATED"));

    // A unit's own sign-out ends its token at once too.
    assert_eq!(
        cost(&app, &w.unit_a_token, PING)
            .await
            .1
            .data("/__typename"),
        "Query"
    );
    cached_again(&app, &w.unit_a_token).await;
    app.gql(
        Some(&w.unit_a_token),
        "mutation { logout(input: { allSessions: true }) { revoked } }",
        json!({}),
    )
    .await
    .data("/logout/revoked");
    let signed_out = app.gql(Some(&w.unit_a_token), ME, json!({})).await;
    assert_eq!(signed_out.error_code(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn another_instance_reads_a_changed_account_again_once_its_relay_reads_the_change() {
    let first = TestApp::spawn().await;
    let w = World::build(&first).await;
    let second = first.spawn_second_instance().await;

    // The second instance caches the unit's principal.
    assert_eq!(
        cost(&second, &w.unit_c_token, PING)
            .await
            .1
            .data("/__typename"),
        "Query"
    );
    cached_again(&second, &w.unit_c_token).await;

    // The bureau deactivates the account through the first instance.
    let user_id = first
        .gql(Some(&w.unit_c_token), "{ me { id } }", json!({}))
        .await
        .data("/me/id")
        .clone();
    first
        .gql(
            Some(&w.bureau),
            "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id } } }",
            json!({ "i": { "id": user_id, "isActive": false } }),
        )
        .await
        .data("/updateUser/user/id");

    // The second instance refuses the token once its relay has read the change: polled, since
    // the relay runs on its own time (the poll interval on SQLite, a notification on
    // PostgreSQL).
    let mut refused = false;
    for _ in 0..100 {
        let answer = second.gql(Some(&w.unit_c_token), ME, json!({})).await;
        if answer.error_code() == Some("UNAUTHENTICATED") {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        refused,
        "the second instance still serves a deactivated account after 5 s"
    );
}

/// A unit's daily work (drafts, submissions) changes no principal: the unit's next request still
/// finds its principal cached, where any other mutation would have it read again.
#[tokio::test]
async fn reporting_leaves_the_cache_as_it_is() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    let unit = app.login("fgw", tests::world::PASSWORD).await.0;
    cached_again(&app, &unit).await;
    app.gql(
        Some(&unit),
        "mutation($i: SaveReportDraftInput!) { saveReportDraft(input: $i) { report { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "progress": "正在推进" } }),
    )
    .await
    .data("/saveReportDraft/report/id");
    app.gql(
        Some(&unit),
        "mutation($i: SubmitReportInput!) { submitReport(input: $i) { report { id } } }",
        json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "idempotencyKey": "cache-q1-0001" } }),
    )
    .await
    .data("/submitReport/report/id");
    let (statements, answer) = cost(&app, &unit, PING).await;
    assert_eq!(answer.data("/__typename"), "Query");
    assert_eq!(statements, 0, "{:#?}", app.take_statement_log());

    // Any other mutation (the bureau's calendar, which changes no account either) still moves
    // the generation: only the listed mutations keep it.
    cached_again(&app, &unit).await;
    app.gql(
        Some(&w.bureau),
        "mutation($d: [CalendarDayInput!]!) { setCalendarDays(days: $d) { days { day } } }",
        json!({ "d": [{ "day": "2026-10-10", "working": true }] }),
    )
    .await
    .data("/setCalendarDays");
    let (statements, _) = cost(&app, &unit, PING).await;
    assert!(statements >= 1, "the account is read again: {statements}");
}

/// An entry serves its own token's bytes only, and only until the token expires: the cache
/// skips verifying a token it has verified before, never its expiry, and other bytes with the
/// same claims (another signature) are verified and refused.
#[tokio::test]
async fn a_cached_token_still_expires_and_other_bytes_are_verified_afresh() {
    let app = TestApp::spawn().await;
    World::build(&app).await;
    let token = app.login("fgw", tests::world::PASSWORD).await.0;
    cached_again(&app, &token).await;

    // The same header and claims under another signature.
    let (signed, signature) = token.rsplit_once('.').expect("a JWT has three parts");
    let other = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{signed}.{other}{}", &signature[1..]);
    let refused = app.gql(Some(&forged), ME, json!({})).await;
    assert!(
        refused
            .expect_error("UNAUTHENTICATED")
            .contains("signature is invalid")
    );
    let (statements, _) = cost(&app, &token, PING).await;
    assert_eq!(
        statements, 0,
        "the cached token is still served from the cache"
    );
    let answer = app.gql(Some(&token), ME, json!({})).await;
    assert_eq!(answer.data("/me/username"), "fgw");

    // The server's clock reaches the token's expiry (15 minutes: at `exp` a token is refused),
    // while the entry itself, kept 30 s of the process's own time, is still there: the token is
    // refused all the same.
    app.clock.advance(chrono::Duration::seconds(900));
    let expired = app.gql(Some(&token), ME, json!({})).await;
    let message = expired.expect_error("UNAUTHENTICATED");
    assert!(message.contains("expired"), "{message}");
}
