//! Test support: boots the real application in-process on a free port, against a fresh
//! database, and talks to it over real HTTP.
//!
//! - SQLite by default: a new database file in a temporary directory per test.
//! - PostgreSQL when `TEST_DATABASE_URL` is set (e.g. `postgres://duban@127.0.0.1:5432/postgres`):
//!   a new database per test, created through that URL.
//!
//! The server's clock is a `ManualClock` the test controls, and every SQL statement the server
//! runs is counted, so tests can assert on N+1 behaviour.

pub mod receiver;
pub mod world;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use api::clock::ManualClock;
use api::config::Config;
use api::startup::Application;
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use secrecy::SecretString;
use serde_json::{Value, json};

/// The JWT secret the test server signs with, so tests can forge and tamper with tokens.
pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-for-hs256-0123456789";
/// The password of the `admin` user created on first start.
pub const ADMIN_PASSWORD: &str = "kettle-harbor-mosaic-9";

/// A running server with its database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// A connection to the same database, for assertions the API does not expose.
    pub db: DatabaseConnection,
    pub clock: ManualClock,
    statements: Arc<AtomicUsize>,
    /// The text of recent statements, when `log_statements` is on.
    statement_log: Arc<Mutex<Option<Vec<String>>>>,
    shutdown: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    server: Mutex<Option<tokio::task::JoinHandle<anyhow::Result<()>>>>,
    /// The database this server created, removed when the test ends (none for a second instance).
    _database: Option<OwnedDatabase>,
    /// Where this server stores attachment files.
    pub data_dir: tempfile::TempDir,
    database_url: String,
}

/// A GraphQL response, with helpers to read data and errors.
#[derive(Debug, Clone)]
pub struct GqlResponse(pub Value);

impl GqlResponse {
    /// The data at a JSON pointer (`/tasks/totalCount`); panics with the whole response if the
    /// request had errors, so a failing test shows what went wrong.
    pub fn data(&self, pointer: &str) -> &Value {
        assert!(
            self.0.get("errors").is_none_or(Value::is_null),
            "unexpected errors: {:#}",
            self.0
        );
        self.0
            .pointer(&format!("/data{pointer}"))
            .unwrap_or_else(|| panic!("no data at {pointer} in {:#}", self.0))
    }

    /// The `extensions.code` of the first error, if any.
    pub fn error_code(&self) -> Option<&str> {
        self.0
            .pointer("/errors/0/extensions/code")
            .and_then(Value::as_str)
    }

    pub fn error_message(&self) -> Option<&str> {
        self.0.pointer("/errors/0/message").and_then(Value::as_str)
    }

    /// Asserts the first error has `code`; returns its message.
    pub fn expect_error(&self, code: &str) -> String {
        assert_eq!(
            self.error_code(),
            Some(code),
            "expected {code}, got {:#}",
            self.0
        );
        self.error_message().unwrap_or_default().to_owned()
    }
}

impl TestApp {
    /// Boots a server on a fresh database.
    pub async fn spawn() -> Self {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 1, 0, 0).unwrap();
        Self::spawn_configured(start, |_| {}).await
    }

    /// Boots a server as `spawn` does, with the reference cache off: for the tests that count
    /// the statements of every relation of a page (no N+1), which a warm cache would hide.
    pub async fn spawn_without_reference_cache() -> Self {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 1, 0, 0).unwrap();
        Self::spawn_configured(start, |config| config.reference_cache_millis = 0).await
    }

    /// Boots a server on a fresh database with its clock at `start` and the test's own changes
    /// to the configuration, applied over the harness's.
    pub async fn spawn_configured(
        start: DateTime<Utc>,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        let (database_url, database) = fresh_database().await;
        let clock = ManualClock::new(start);
        Self::spawn_on(database_url, Some(database), clock, configure).await
    }

    /// Boots a server on a database the test made itself (and removes itself), with the test's
    /// changes to the configuration.
    pub async fn spawn_on_database(
        database_url: String,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 1, 0, 0).unwrap();
        Self::spawn_on(database_url, None, ManualClock::new(start), configure).await
    }

    /// Boots a second server instance on this one's database, with its own connections and
    /// the same clock: what a deployment with several instances looks like.
    pub async fn spawn_second_instance(&self) -> Self {
        self.spawn_second_instance_with(|_| {}).await
    }

    /// The same, with the test's changes to the second instance's configuration.
    pub async fn spawn_second_instance_with(&self, configure: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_on(
            self.database_url.clone(),
            None,
            self.clock.clone(),
            configure,
        )
        .await
    }

    async fn spawn_on(
        database_url: String,
        database: Option<OwnedDatabase>,
        clock: ManualClock,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config::from_defaults();
        config.database_url = database_url.clone();
        config.database_max_connections = 5;
        config.bind_addr = "127.0.0.1:0".parse().expect("valid address");
        config.jwt_secret = Some(SecretString::from(JWT_SECRET));
        config.admin_password = Some(SecretString::from(ADMIN_PASSWORD));
        // Tests run the automatic reminders themselves, at the times they choose.
        config.reminder_interval_secs = 0;
        // No webhook worker unless a test asks for one: its polling would count in the tests
        // that count statements.
        config.webhook_poll_millis = 0;
        // Every test client signs in from 127.0.0.1, many times a minute; the throttle's own
        // tests set a realistic limit.
        config.login_attempts_per_minute = 100_000;
        let data_dir = tempfile::tempdir().expect("a temporary data directory");
        config.data_dir = data_dir.path().to_owned();
        configure(&mut config);
        let mut db = api::db::connect_for_requests(&config)
            .await
            .expect("database opens");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        let statement_log: Arc<Mutex<Option<Vec<String>>>> = Arc::default();
        let log = statement_log.clone();
        db.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::SeqCst);
            if let Some(log) = log.lock().expect("log mutex").as_mut() {
                log.push(info.statement.sql.clone());
            }
        });
        let app = Application::build_with(config, db.clone(), Arc::new(clock.clone()))
            .await
            .expect("application builds");
        let address = format!("http://{}", app.address());
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            stop.await.ok();
        }));
        Self {
            address,
            client: reqwest::Client::new(),
            db,
            clock,
            statements,
            statement_log,
            shutdown: Mutex::new(Some(shutdown)),
            server: Mutex::new(Some(server)),
            _database: database,
            data_dir,
            database_url,
        }
    }

    /// Signals the server to shut down (as SIGTERM would): it stops accepting connections and
    /// finishes the requests in flight.
    pub fn begin_shutdown(&self) {
        if let Some(shutdown) = self.shutdown.lock().expect("shutdown mutex").take() {
            let _ = shutdown.send(());
        }
    }

    /// Waits until the server task has ended; returns what `run_until` returned.
    pub async fn wait_for_server(&self) -> anyhow::Result<()> {
        let handle = self.server.lock().expect("server mutex").take();
        match handle {
            Some(handle) => handle.await?,
            None => Ok(()),
        }
    }

    /// `GET /metrics` with a bearer token when given: its status and its text.
    pub async fn scrape_metrics(&self, token: Option<&str>) -> (u16, String) {
        let mut request = self.client.get(format!("{}/metrics", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request is sent");
        (
            response.status().as_u16(),
            response.text().await.expect("a text body"),
        )
    }

    /// Posts a GraphQL request, with a bearer token when given.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> GqlResponse {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request is sent");
        GqlResponse(response.json().await.expect("response is JSON"))
    }

    /// Signs in and returns `(accessToken, refreshToken)`; panics on failure.
    pub async fn login(&self, username: &str, password: &str) -> (String, String) {
        let response = self.try_login(username, password).await;
        let access = response
            .data("/login/accessToken")
            .as_str()
            .unwrap()
            .to_owned();
        let refresh = response
            .data("/login/refreshToken")
            .as_str()
            .unwrap()
            .to_owned();
        (access, refresh)
    }

    /// Signs in as a client at `address` would behind a proxy that sets `X-Forwarded-For` (the
    /// server must trust it: `trust_forwarded_for`).
    pub async fn try_login_from(
        &self,
        address: &str,
        username: &str,
        password: &str,
    ) -> GqlResponse {
        let body = json!({
            "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            "variables": { "i": { "username": username, "password": password } },
        });
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .header("X-Forwarded-For", format!("10.0.0.1, {address}"))
            .json(&body)
            .send()
            .await
            .expect("request is sent");
        GqlResponse(response.json().await.expect("a JSON response"))
    }

    pub async fn try_login(&self, username: &str, password: &str) -> GqlResponse {
        self.gql(
            None,
            "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken refreshToken expiresAt user { username role } } }",
            json!({ "u": username, "p": password }),
        )
        .await
    }

    /// An access token of the first-start admin (BUREAU).
    pub async fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await.0
    }

    /// What `token` hears on the change feed from its start, as (kind, task number or `-`):
    /// every page, after a short wait for the relay's horizon to reach the last commit.
    pub async fn heard(&self, token: &str) -> Vec<(String, String)> {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let mut cursor: Option<String> = None;
        let mut heard = Vec::new();
        for _ in 0..100 {
            let page = self
                .gql(
                    Some(token),
                    "query($after: String) { changes(after: $after, first: 500) { endCursor hasMore changes { kind task { seq } } } }",
                    json!({ "after": cursor }),
                )
                .await;
            let page = page.data("/changes").clone();
            for change in page["changes"].as_array().expect("changes") {
                heard.push((
                    change["kind"].as_str().expect("kind").to_owned(),
                    change["task"]["seq"].as_str().unwrap_or("-").to_owned(),
                ));
            }
            cursor = page["endCursor"].as_str().map(str::to_owned);
            if !page["hasMore"].as_bool().unwrap_or(false) {
                break;
            }
        }
        heard
    }

    /// The kinds of `heard` that start with `prefix`, in order.
    pub async fn heard_kinds(&self, token: &str, prefix: &str) -> Vec<String> {
        self.heard(token)
            .await
            .into_iter()
            .map(|(kind, _)| kind)
            .filter(|kind| kind.starts_with(prefix))
            .collect()
    }

    /// The server's current time as a Unix timestamp.
    pub fn clock_now_timestamp(&self) -> i64 {
        use api::clock::Clock;
        self.clock.now().timestamp()
    }

    /// How many SQL statements the server has run so far.
    pub fn statements(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    /// Starts recording the text of every statement the server runs.
    pub fn log_statements(&self) {
        *self.statement_log.lock().expect("log mutex") = Some(Vec::new());
    }

    /// Returns and clears the statements recorded since `log_statements`.
    pub fn take_statement_log(&self) -> Vec<String> {
        self.statement_log
            .lock()
            .expect("log mutex")
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Loads the default registry (what `api seed-registry` does), through the real service.
    pub async fn seed_registry(&self) {
        use api::clock::Clock;
        api::import::seed::seed_registry(
            &api::auth::Principal::system(),
            &self.db,
            self.clock.now(),
        )
        .await
        .expect("the registry seeds");
    }

    /// Posts a GraphQL multipart request (file upload) whose `variables.input.file` is `file`.
    pub async fn upload(
        &self,
        token: &str,
        query: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> (u16, GqlResponse) {
        self.upload_with(Some(token), query, json!({}), file_name, bytes)
            .await
    }

    /// Like `upload`, with other fields of `$input` beside the file; anonymous without a token.
    pub async fn upload_with(
        &self,
        token: Option<&str>,
        query: &str,
        mut input: Value,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> (u16, GqlResponse) {
        input["file"] = Value::Null;
        let operations = json!({ "query": query, "variables": { "input": input } });
        let map = json!({ "0": ["variables.input.file"] });
        self.multipart(token, operations, map, vec![("0", file_name, bytes)])
            .await
    }

    /// Posts a GraphQL multipart request: `operations` as given, `map` from part names to the
    /// variables they fill, and the file parts.
    pub async fn multipart(
        &self,
        token: Option<&str>,
        operations: Value,
        map: Value,
        files: Vec<(&str, &str, Vec<u8>)>,
    ) -> (u16, GqlResponse) {
        let mut form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", map.to_string());
        for (part, file_name, bytes) in files {
            form = form.part(
                part.to_owned(),
                reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
            );
        }
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .multipart(form);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request is sent");
        let status = response.status().as_u16();
        (
            status,
            GqlResponse(response.json().await.unwrap_or(Value::Null)),
        )
    }

    /// The URL of this server's database, for commands run beside it (`api create-user`).
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// Whether this server runs on PostgreSQL (the suite runs on both backends).
    pub fn is_postgres(&self) -> bool {
        self.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres
    }

    /// A connection of the test's own to the server's database, outside the server's pool:
    /// for holding a transaction open while the server works (races, locks).
    pub async fn separate_connection(&self) -> DatabaseConnection {
        Database::connect(&self.database_url)
            .await
            .expect("a second connection opens")
    }

    /// Counts the rows of a table, straight from the database.
    pub async fn count_rows(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count query runs")
            .expect("count returns a row");
        row.try_get::<i64>("", "n").expect("count is an integer")
    }
}

/// A test's own database: a SQLite file in a temporary directory, or a PostgreSQL database on
/// the cluster `TEST_DATABASE_URL` names. Either is removed when the test ends, so a suite run
/// does not leave hundreds of databases behind; a failed test keeps its PostgreSQL database,
/// and says its name, for a look afterwards.
enum OwnedDatabase {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { admin_url: String, name: String },
}

impl Drop for OwnedDatabase {
    fn drop(&mut self) {
        let OwnedDatabase::Postgres { admin_url, name } = self else {
            return;
        };
        if std::thread::panicking() {
            eprintln!("the failed test's database is kept: {name}");
            return;
        }
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop cannot await, and the test's runtime may be a single thread already blocked
        // here; a short-lived runtime on its own thread does the work. FORCE ends the
        // server's own connections, which are still open at this point.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let admin = Database::connect(&admin_url).await?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
                admin.close().await?;
                anyhow::Ok(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("a test database could not be removed: {dropped:?}");
        }
    }
}

/// Creates the database for one test.
async fn fresh_database() -> (String, OwnedDatabase) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            let name = format!("duban_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url)
                .await
                .expect("PostgreSQL answers");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("test database is created");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map(|(base, _)| base)
                .expect("TEST_DATABASE_URL ends with a database name");
            let url = format!("{base}/{name}");
            (url, OwnedDatabase::Postgres { admin_url, name })
        }
        _ => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}/duban.db?mode=rwc", dir.path().display());
            (url, OwnedDatabase::Sqlite { _dir: dir })
        }
    }
}

/// The value of the first sample in a `/metrics` scrape whose line starts with `series`.
pub fn metric_sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|line| line.starts_with(series))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

/// `query { ...F<n> }` where each fragment spreads the previous one twice: `2^n` fields once
/// expanded, about 60 bytes a level (the fragment explosion of a hostile client).
pub fn doubling_fragments(levels: usize, leaf: &str) -> String {
    let mut query = format!("query {{ ...F{levels} }} fragment F0 on Query {{ {leaf} }}");
    for level in 1..=levels {
        let below = level - 1;
        query.push_str(&format!(
            " fragment F{level} on Query {{ ...F{below} ...F{below} }}"
        ));
    }
    query
}
