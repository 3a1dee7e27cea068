//! Sign-in, tokens, refresh rotation and reuse, lockout, sign-out and password change.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use jsonwebtoken::{EncodingKey, Header};
use sea_orm::ConnectionTrait;
use serde_json::json;
use tests::world::{PASSWORD, World};
use tests::{JWT_SECRET, TestApp};

const ME: &str = "{ me { username role unit { name } leader { name post } } }";
const REFRESH: &str = "mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken refreshToken } }";

#[tokio::test]
async fn login_returns_tokens_and_me_shows_the_users_unit_or_leader() {
    let app = TestApp::spawn().await;
    let world = World::build(&app).await;

    let response = app.try_login("fgw", PASSWORD).await;
    assert_eq!(response.data("/login/user/role"), "UNIT");
    assert!(
        response
            .data("/login/expiresAt")
            .as_str()
            .unwrap()
            .starts_with("2026-03-01T01:15")
    );

    let me = app.gql(Some(&world.unit_a_token), ME, json!({})).await;
    assert_eq!(me.data("/me/unit/name"), "市发展和改革委员会");
    assert!(me.data("/me/leader").is_null());

    let me = app.gql(Some(&world.liu_token), ME, json!({})).await;
    assert_eq!(me.data("/me/leader/name"), "刘震");
    assert_eq!(me.data("/me/leader/post"), "常务副市长");
}

#[tokio::test]
async fn access_token_carries_the_documented_claims() {
    let app = TestApp::spawn().await;
    let world = World::build(&app).await;
    let payload = world.unit_a_token.split('.').nth(1).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["role"], "UNIT");
    assert_eq!(claims["iss"], "duban");
    assert_eq!(claims["aud"], "duban-api");
    assert!(claims["unit_id"].as_i64().is_some());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        15 * 60
    );
    let header = world.unit_a_token.split('.').next().unwrap();
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let unknown = app.try_login("nobody", "whatever-123").await;
    let wrong = app.try_login("admin", "wrong-password").await;
    assert_eq!(
        unknown.expect_error("UNAUTHENTICATED"),
        wrong.expect_error("UNAUTHENTICATED")
    );
}

#[tokio::test]
async fn failed_sign_ins_slow_down_their_address_and_never_lock_out_the_owner() {
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.trust_forwarded_for = true;
        config.login_attempts_per_minute = 20;
    })
    .await;
    World::build(&app).await;
    let (attacker, owner) = ("203.0.113.7", "198.51.100.2");

    // Four failures and a success start the count again.
    for _ in 0..4 {
        app.try_login_from(attacker, "fgw", "wrong-password")
            .await
            .expect_error("UNAUTHENTICATED");
    }
    app.try_login_from(attacker, "fgw", PASSWORD)
        .await
        .data("/login/accessToken");

    for _ in 0..5 {
        app.try_login_from(attacker, "fgw", "wrong-password")
            .await
            .expect_error("UNAUTHENTICATED");
    }
    // The address that failed waits, even with the right password (which it cannot tell)...
    let refused = app.try_login_from(attacker, "FGW ", PASSWORD).await;
    let wait = refused.expect_error("RATE_LIMITED");
    assert!(wait.contains("try again in 30 s"), "{wait}");
    assert_eq!(refused.0["errors"][0]["extensions"]["retryAfter"], 30);
    // ...while the owner, elsewhere, signs in as usual: no account is ever locked.
    app.try_login_from(owner, "fgw", PASSWORD)
        .await
        .data("/login/accessToken");

    // After the wait, one more guess; a failure doubles the next wait.
    app.clock.advance(Duration::seconds(31));
    app.try_login_from(attacker, "fgw", "wrong-password")
        .await
        .expect_error("UNAUTHENTICATED");
    let wait = app
        .try_login_from(attacker, "fgw", "wrong-password")
        .await
        .expect_error("RATE_LIMITED");
    assert!(wait.contains("try again in 60 s"), "{wait}");

    // A failed sign-in writes nothing (its timing would tell which accounts exist).
    assert_eq!(
        app.count_rows("users WHERE failed_login_count > 0 OR locked_until IS NOT NULL")
            .await,
        0
    );

    // One address may make 20 attempts a minute, whatever the usernames (password spraying).
    let mut limited = None;
    for i in 0..25 {
        let response = app
            .try_login_from("192.0.2.9", &format!("user{i}"), "guess")
            .await;
        if response.error_code() == Some("RATE_LIMITED") {
            limited = Some(i);
            break;
        }
        response.expect_error("UNAUTHENTICATED");
    }
    assert_eq!(
        limited,
        Some(20),
        "the 21st attempt of the minute is refused"
    );
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    let (_, first) = app.login("admin", tests::ADMIN_PASSWORD).await;

    let rotated = app.gql(None, REFRESH, json!({ "t": first })).await;
    let second = rotated
        .data("/refreshToken/refreshToken")
        .as_str()
        .unwrap()
        .to_owned();
    let access = rotated
        .data("/refreshToken/accessToken")
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);
    assert_eq!(
        app.gql(Some(&access), ME, json!({}))
            .await
            .data("/me/username"),
        "admin"
    );

    // The first token is spent; presenting it again is reuse.
    let reuse = app.gql(None, REFRESH, json!({ "t": first })).await;
    assert!(
        reuse
            .expect_error("UNAUTHENTICATED")
            .contains("already used")
    );
    // Reuse revoked the family: the second token no longer works either.
    app.gql(None, REFRESH, json!({ "t": second }))
        .await
        .expect_error("UNAUTHENTICATED");
    // Another sign-in is a separate family and unaffected.
    let (_, other) = app.login("admin", tests::ADMIN_PASSWORD).await;
    app.gql(None, REFRESH, json!({ "t": other }))
        .await
        .data("/refreshToken/accessToken");
}

#[tokio::test]
async fn refresh_tokens_expire_and_garbage_is_refused() {
    let app = TestApp::spawn().await;
    let (_, refresh) = app.login("admin", tests::ADMIN_PASSWORD).await;
    app.gql(None, REFRESH, json!({ "t": "not-a-token" }))
        .await
        .expect_error("UNAUTHENTICATED");
    app.clock.advance(Duration::days(31));
    let expired = app.gql(None, REFRESH, json!({ "t": refresh })).await;
    assert!(expired.expect_error("UNAUTHENTICATED").contains("expired"));
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let app = TestApp::spawn().await;
    let (access, refresh) = app.login("admin", tests::ADMIN_PASSWORD).await;
    let (_, other_device) = app.login("admin", tests::ADMIN_PASSWORD).await;
    let out = app
        .gql(
            Some(&access),
            "mutation($t: String) { logout(input: {refreshToken: $t}) { revoked } }",
            json!({ "t": refresh }),
        )
        .await;
    assert_eq!(out.data("/logout/revoked"), 1);
    app.gql(None, REFRESH, json!({ "t": refresh }))
        .await
        .expect_error("UNAUTHENTICATED");
    // That session's access token stops at once; the other device's session goes on.
    app.gql(Some(&access), "{ me { username } }", json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    let access = app
        .gql(None, REFRESH, json!({ "t": other_device }))
        .await
        .data("/refreshToken/accessToken")
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(Some(&access), "{ me { username } }", json!({}))
        .await
        .data("/me");

    let all = app
        .gql(
            Some(&access),
            "mutation { logout(input: {allSessions: true}) { revoked } }",
            json!({}),
        )
        .await;
    assert!(all.data("/logout/revoked").as_u64().unwrap() >= 1);
    // Signed out everywhere: this access token too (see the next test).
    let (access, _) = app.login("admin", tests::ADMIN_PASSWORD).await;
    // Without a token or allSessions the request is malformed.
    app.gql(
        Some(&access),
        "mutation { logout(input: {}) { revoked } }",
        json!({}),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    // Anonymous callers cannot log out.
    app.gql(
        None,
        "mutation { logout(input: {allSessions: true}) { revoked } }",
        json!({}),
    )
    .await
    .expect_error("UNAUTHENTICATED");
}

fn forge(claims: &serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn tampered_expired_unsigned_and_foreign_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let world = World::build(&app).await;
    let now = app.clock_now_timestamp();

    // A unit's token whose payload claims BUREAU: the signature no longer matches.
    let mut parts: Vec<String> = world.unit_a_token.split('.').map(str::to_owned).collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    claims["role"] = json!("BUREAU");
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    let tampered = parts.join(".");
    let message = app
        .gql(Some(&tampered), ME, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    assert!(message.contains("signature"), "{message}");

    let base = json!({ "sub": "1", "role": "BUREAU", "iss": "duban", "aud": "duban-api", "iat": now - 3600 });
    let mut expired = base.clone();
    expired["exp"] = json!(now - 60);
    let message = app
        .gql(Some(&forge(&expired, JWT_SECRET)), ME, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    assert!(message.contains("expired"), "{message}");

    let mut valid_claims = base.clone();
    valid_claims["exp"] = json!(now + 600);
    // Signed with another secret.
    app.gql(
        Some(&forge(
            &valid_claims,
            "another-secret-that-is-long-enough-0123456789",
        )),
        ME,
        json!({}),
    )
    .await
    .expect_error("UNAUTHENTICATED");
    // `alg: none` with no signature.
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(valid_claims.to_string());
    app.gql(Some(&format!("{header}.{payload}.")), ME, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    // Wrong audience.
    let mut foreign = valid_claims.clone();
    foreign["aud"] = json!("another-service");
    app.gql(Some(&forge(&foreign, JWT_SECRET)), ME, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    // Garbage and a header without the Bearer scheme.
    app.gql(Some("garbage"), ME, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");

    // A correctly signed token with the right claims is accepted (the forging itself works).
    let accepted = app
        .gql(Some(&forge(&valid_claims, JWT_SECRET)), ME, json!({}))
        .await;
    assert_eq!(accepted.data("/me/username"), "admin");
}

#[tokio::test]
async fn tokens_expire_with_the_clock_and_deactivation_takes_effect_at_once() {
    let app = TestApp::spawn().await;
    let world = World::build(&app).await;
    app.gql(Some(&world.unit_a_token), ME, json!({}))
        .await
        .data("/me/username");

    let me_id = app
        .gql(Some(&world.unit_b_token), "{ me { id } }", json!({}))
        .await;
    let id = me_id.data("/me/id").as_str().unwrap().to_owned();
    app.gql(
        Some(&world.bureau),
        "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { isActive } } }",
        json!({ "i": { "id": id, "isActive": false } }),
    )
    .await
    .data("/updateUser/user/isActive");
    let message = app
        .gql(Some(&world.unit_b_token), ME, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    assert!(message.contains("deactivated"));
    app.try_login("czj", PASSWORD)
        .await
        .expect_error("UNAUTHENTICATED");

    app.clock.advance(Duration::minutes(16));
    let message = app
        .gql(Some(&world.unit_a_token), ME, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    assert!(message.contains("expired"));
}

#[tokio::test]
async fn change_password_checks_the_current_one_and_signs_out_other_sessions() {
    let app = TestApp::spawn().await;
    World::build(&app).await;
    let (access, refresh) = app.login("fgw", PASSWORD).await;
    let change = "mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) { user { username } } }";

    let wrong = app
        .gql(
            Some(&access),
            change,
            json!({ "c": "not-it-123", "n": "violet-anchor-meadow-31" }),
        )
        .await;
    wrong.expect_error("BAD_USER_INPUT");
    assert_eq!(
        wrong.0.pointer("/errors/0/extensions/field").unwrap(),
        "currentPassword"
    );
    let short = app
        .gql(
            Some(&access),
            change,
            json!({ "c": PASSWORD, "n": "short" }),
        )
        .await;
    assert!(short.expect_error("BAD_USER_INPUT").contains("at least 12"));
    // Long enough, but among the first guesses of any attacker, or made of the username.
    for weak in [
        "password1234",
        "123456789012",
        "qwertyuiopas",
        "fgw-fgw-fgw-2026",
        "            ",
    ] {
        let refused = app
            .gql(Some(&access), change, json!({ "c": PASSWORD, "n": weak }))
            .await;
        refused.expect_error("BAD_USER_INPUT");
        assert_eq!(
            refused.0.pointer("/errors/0/extensions/field").unwrap(),
            "newPassword",
            "{weak}"
        );
    }

    app.gql(
        Some(&access),
        change,
        json!({ "c": PASSWORD, "n": "violet-anchor-meadow-31" }),
    )
    .await
    .data("/changePassword/user/username");
    app.try_login("fgw", PASSWORD)
        .await
        .expect_error("UNAUTHENTICATED");
    app.login("fgw", "violet-anchor-meadow-31").await;
    app.gql(None, REFRESH, json!({ "t": refresh }))
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn an_account_that_lost_its_unit_or_leader_is_refused_not_shown_nothing() {
    let app = TestApp::spawn().await;
    let world = World::build(&app).await;
    // What a deleted unit or leader leaves behind: the foreign key clears the account's link.
    for (column, username) in [("unit_id", "fgw"), ("leader_id", "liuzhen")] {
        app.db
            .execute_unprepared(&format!(
                "UPDATE users SET {column} = NULL WHERE username = '{username}'"
            ))
            .await
            .unwrap();
    }
    for token in [&world.unit_a_token, &world.liu_token] {
        let message = app
            .gql(
                Some(token),
                "{ me { username } tasks { totalCount } }",
                json!({}),
            )
            .await
            .expect_error("UNAUTHENTICATED");
        assert!(message.contains("not linked"), "{message}");
    }
    // Accounts with their links keep working.
    let tasks = app
        .gql(
            Some(&world.unit_b_token),
            "{ tasks { totalCount } }",
            json!({}),
        )
        .await;
    assert!(tasks.data("/tasks/totalCount").as_i64().unwrap() > 0);
}

#[tokio::test]
async fn usernames_are_one_name_whatever_their_case_width_or_look_alike_letters() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let create = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { username } } }";
    for look_alike in ["Admin", "ADMIN", "ａｄｍｉｎ", "\u{430}dmin"] {
        let message = app
            .gql(
                Some(&admin),
                create,
                json!({ "i": { "username": look_alike, "password": PASSWORD, "role": "BUREAU" } }),
            )
            .await
            .expect_error("CONFLICT");
        assert!(
            message.contains("reads as `admin`"),
            "{look_alike}: {message}"
        );
    }
    // Signing in accepts the same spellings of the name; the account is the one `admin`.
    for spelling in ["Admin", "ADMIN", " admin "] {
        let signed_in = app.try_login(spelling, tests::ADMIN_PASSWORD).await;
        assert_eq!(
            signed_in.data("/login/user/username"),
            "admin",
            "{spelling}"
        );
    }
    // A Chinese username is a name like any other.
    app.gql(
        Some(&admin),
        create,
        json!({ "i": { "username": "督查员张", "password": PASSWORD, "role": "BUREAU" } }),
    )
    .await
    .data("/createUser/user/username");
}

#[tokio::test]
async fn signing_out_everywhere_or_a_new_password_ends_every_access_token_at_once() {
    let app = TestApp::spawn().await;
    World::build(&app).await;
    let (phone, _) = app.login("fgw", PASSWORD).await;
    let (desk, _) = app.login("fgw", PASSWORD).await;
    app.gql(
        Some(&phone),
        "mutation { logout(input: {allSessions: true}) { revoked } }",
        json!({}),
    )
    .await
    .data("/logout/revoked");
    for token in [&phone, &desk] {
        let message = app
            .gql(Some(token), ME, json!({}))
            .await
            .expect_error("UNAUTHENTICATED");
        assert!(message.contains("signed out"), "{message}");
    }
    // A new sign-in works at once.
    let (fresh, _) = app.login("fgw", PASSWORD).await;
    let (other, _) = app.login("fgw", PASSWORD).await;
    app.gql(
        Some(&fresh),
        "mutation($n: String!) { changePassword(input: {currentPassword: \"plum-orbit-canvas-47\", newPassword: $n}) { user { username } } }",
        json!({ "n": "violet-anchor-meadow-31" }),
    )
    .await
    .data("/changePassword/user/username");
    app.gql(Some(&other), ME, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    let (after, _) = app.login("fgw", "violet-anchor-meadow-31").await;
    app.gql(Some(&after), ME, json!({}))
        .await
        .data("/me/username");
}

/// Past the sign-in rate, the answer says when to come back: `extensions.retryAfter` and the
/// `Retry-After` header, as HTTP clients and proxies read it.
#[tokio::test]
async fn a_refusal_for_the_rate_says_when_to_come_back() {
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.trust_forwarded_for = true;
        config.login_attempts_per_minute = 2;
    })
    .await;
    let attempt = || {
        app.client
            .post(format!("{}/graphql", app.address))
            .header("X-Forwarded-For", "10.0.0.1, 203.0.113.9")
            .json(&json!({
                "query": "mutation { login(input: {username: \"admin\", password: \"wrong-guess-1\"}) { accessToken } }"
            }))
            .send()
    };
    for _ in 0..2 {
        let answer: serde_json::Value = attempt().await.unwrap().json().await.unwrap();
        assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
    let refused = attempt().await.unwrap();
    let header = refused
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .expect("a Retry-After header");
    let answer: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(answer["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    let seconds = answer["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap();
    assert!((1..=60).contains(&seconds), "{seconds}");
    assert_eq!(header, seconds);
}
