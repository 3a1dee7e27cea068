//! A first start that cannot fail: empty settings mean unset, a missing admin password is
//! generated, and production without `JWT_SECRET` keeps a generated one with its data.

use secrecy::SecretString;
use serde_json::json;
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

/// `api create-user` names the unit or leader as the API does (its global ID) or by its exact
/// name, never by a row id the API does not show.
#[tokio::test]
async fn the_command_line_takes_global_ids_and_names() {
    use clap::Parser;

    let app = TestApp::spawn().await;
    let w = tests::world::World::build(&app).await;
    let create = |username: &str, flags: &[&str]| {
        let mut args = vec![
            "api".to_owned(),
            "--database-url".to_owned(),
            app.database_url().to_owned(),
            "create-user".to_owned(),
            "--username".to_owned(),
            username.to_owned(),
            "--password".to_owned(),
            tests::world::PASSWORD.to_owned(),
        ];
        args.extend(flags.iter().map(|flag| (*flag).to_owned()));
        api::cli::execute(api::cli::Cli::try_parse_from(args).expect("arguments parse"))
    };
    create("cli-unit", &["--role", "unit", "--unit", &w.unit_a])
        .await
        .expect("a unit's global ID is accepted");
    create("cli-leader", &["--role", "leader", "--leader", "刘震"])
        .await
        .expect("a leader's exact name is accepted");
    let refused = create("cli-wrong", &["--role", "unit", "--unit", &w.leader_liu])
        .await
        .expect_err("a leader's ID is not a unit");
    assert!(refused.to_string().contains("Leader ID"), "{refused}");
    create("cli-nobody", &["--role", "unit", "--unit", "3"])
        .await
        .expect_err("a row id names nothing");

    let (token, _) = app.login("cli-unit", tests::world::PASSWORD).await;
    let me = app
        .gql(Some(&token), "{ me { unit { id } } }", json!({}))
        .await;
    assert_eq!(me.data("/me/unit/id"), &w.unit_a);
    let (token, _) = app.login("cli-leader", tests::world::PASSWORD).await;
    let me = app
        .gql(Some(&token), "{ me { leader { id } } }", json!({}))
        .await;
    assert_eq!(me.data("/me/leader/id"), &w.leader_liu);
}

/// `docker-compose.yml` is a valid Compose file, checked against the Compose Specification's
/// schema by check-jsonschema (`.ci/run` installs it; there is no Docker engine here to ask).
#[test]
fn the_compose_file_follows_the_compose_specification() {
    let compose = concat!(env!("CARGO_MANIFEST_DIR"), "/../docker-compose.yml");
    let checked = std::process::Command::new("check-jsonschema")
        .args(["--builtin-schema", "vendor.compose-spec", compose])
        .output();
    let Ok(output) = checked else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must validate docker-compose.yml, but check-jsonschema is missing"
        );
        eprintln!("skipped: no check-jsonschema here (.ci/run installs it)");
        return;
    };
    assert!(
        output.status.success(),
        "docker-compose.yml: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
