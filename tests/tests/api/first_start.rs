//! A first start that cannot fail: empty settings mean unset, a missing admin password is
//! generated, and production without `JWT_SECRET` keeps a generated one with its data.

use secrecy::SecretString;
use tests::TestApp;

#[tokio::test]
async fn empty_settings_count_as_unset_in_development() {
    // What `JWT_SECRET=` and `DUBAN_ADMIN_PASSWORD=` from a copied `.env.example` give.
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.jwt_secret = Some(SecretString::from(""));
        config.admin_password = Some(SecretString::from(""));
    })
    .await;
    assert_eq!(app.count_rows("users WHERE username = 'admin'").await, 1);
    app.gql(None, "{ __typename }", serde_json::json!({}))
        .await
        .data("/__typename");
}

#[tokio::test]
async fn production_without_a_secret_keeps_one_with_its_data() {
    let app = TestApp::spawn_configured(chrono::Utc::now(), |config| {
        config.environment = api::config::Environment::Production;
        config.jwt_secret = None;
    })
    .await;
    let kept = app.data_dir.path().join("jwt-secret");
    assert!(kept.exists(), "no secret kept in the data directory");
    // Tokens are signed with it and accepted.
    let token = app.admin_token().await;
    app.gql(Some(&token), "{ me { username } }", serde_json::json!({}))
        .await
        .data("/me/username");
}
