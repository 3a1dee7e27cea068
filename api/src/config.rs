//! Typed configuration, parsed once at start from flags and the environment (clap with `env`).
//! Every variable is documented in `.env.example`; secrets are `SecretString`, so they never
//! show up in `Debug` output or logs.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, ValueEnum};
use secrecy::SecretString;

/// Where the server runs. Production hides GraphiQL and introspection unless configured, and
/// without `JWT_SECRET` keeps a generated secret in `DATA_DIR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

/// How log lines are written: readable text for a terminal, JSON for a log collector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// All settings of the server. Defaults make `cargo run -p api` work on a fresh machine.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Database to use: `sqlite://FILE?mode=rwc` or `postgres://USER:PASS@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://duban.db?mode=rwc"
    )]
    pub database_url: String,

    /// Largest number of pooled database connections.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 10)]
    pub database_max_connections: u32,

    /// Address and port the HTTP server listens on.
    #[arg(long, env = "BIND_ADDR", default_value = "127.0.0.1:8000")]
    pub bind_addr: SocketAddr,

    /// `development` or `production`.
    #[arg(
        long = "env",
        env = "DUBAN_ENV",
        value_enum,
        default_value = "development"
    )]
    pub environment: Environment,

    /// Secret for signing access tokens (HS256), at least 32 bytes; empty counts as unset.
    /// Unset: random per run in development, kept in `DATA_DIR/jwt-secret` in production.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<SecretString>,

    /// `iss` claim of the access tokens.
    #[arg(long, env = "JWT_ISSUER", default_value = "duban")]
    pub jwt_issuer: String,

    /// `aud` claim of the access tokens.
    #[arg(long, env = "JWT_AUDIENCE", default_value = "duban-api")]
    pub jwt_audience: String,

    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "ACCESS_TOKEN_TTL_SECS", default_value_t = 900)]
    pub access_token_ttl_secs: u64,

    /// Lifetime of a refresh token, in seconds.
    #[arg(long, env = "REFRESH_TOKEN_TTL_SECS", default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl_secs: u64,

    /// Password for the `admin` user created on first start. Random (and logged once) if unset.
    #[arg(long, env = "DUBAN_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<SecretString>,

    /// Whether `GET /graphql` serves GraphiQL. Default: on in development, off in production.
    #[arg(long, env = "GRAPHIQL")]
    pub graphiql: Option<bool>,

    /// Whether the schema answers introspection queries (and suggests field names in errors).
    /// Default: on in development, off in production; `api print-schema` prints it either way.
    #[arg(long, env = "GRAPHQL_INTROSPECTION")]
    pub graphql_introspection: Option<bool>,

    /// Web origins whose pages may call the API from a browser (CORS), comma-separated, e.g.
    /// `https://console.example.gov.cn`. Unset: none in production; in development any page
    /// served from localhost.
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub cors_allowed_origins: Option<Vec<String>>,

    /// The bearer token a scraper sends to read `/metrics`; empty counts as unset. Unset: served
    /// to anyone in development, not served in production.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<SecretString>,

    /// Whether responses carry `Strict-Transport-Security` (set it when clients reach the
    /// server over HTTPS, through a proxy that terminates TLS).
    #[arg(long, env = "HSTS", default_value_t = false)]
    pub hsts: bool,

    /// Sign-in attempts one client address may make a minute (`RATE_LIMITED` past it).
    #[arg(long, env = "LOGIN_ATTEMPTS_PER_MINUTE", default_value_t = 20)]
    pub login_attempts_per_minute: u32,

    /// Requests a signed-in account may make a minute on one instance (`RATE_LIMITED` past
    /// it; 0: no limit).
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = 3000)]
    pub rate_limit_per_minute: u32,

    /// Requests an API key may make a minute on one instance (`RATE_LIMITED` past it; 0: no
    /// limit).
    #[arg(long, env = "API_KEY_RATE_LIMIT_PER_MINUTE", default_value_t = 1200)]
    pub api_key_rate_limit_per_minute: u32,

    /// Whether the last address of `X-Forwarded-For` is the client's (set it behind a reverse
    /// proxy that appends it; without one a client could claim any address).
    #[arg(long, env = "TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    /// How long a connection may take to send a request's headers, and may stay idle between
    /// requests, in seconds.
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,

    /// How long reading a request body may take, in seconds (a 25 MiB upload over a slow line
    /// takes a while; a body sent a byte a minute is cut off).
    #[arg(long, env = "BODY_READ_TIMEOUT_SECS", default_value_t = 120)]
    pub body_read_timeout_secs: u64,

    /// How long a shutdown waits for requests in flight, in seconds, before it closes the
    /// connections that remain.
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,

    /// How long a request waits for a database connection before it is told
    /// `SERVICE_UNAVAILABLE`, in seconds: an outage fails fast instead of hanging requests.
    #[arg(long, env = "DATABASE_ACQUIRE_TIMEOUT_SECS", default_value_t = 5)]
    pub database_acquire_timeout_secs: u64,

    /// How long a pooled PostgreSQL connection may sit idle before it is closed, in seconds
    /// (the pool keeps one open): each holds a backend process in PostgreSQL, and its statement
    /// cache and buffers here.
    #[arg(long, env = "DATABASE_IDLE_TIMEOUT_SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub database_idle_timeout_secs: u64,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Largest accepted multipart request (file upload), in bytes.
    #[arg(long, env = "MAX_UPLOAD_BYTES", default_value_t = 25 * 1024 * 1024)]
    pub max_upload_bytes: usize,

    /// Directory for stored files (attachments live in its `attachments/` folder). Back it up
    /// together with the database: rows name files here by key.
    #[arg(long, env = "DATA_DIR", default_value = "data")]
    pub data_dir: std::path::PathBuf,

    /// Largest accepted attachment, in bytes.
    #[arg(long, env = "MAX_ATTACHMENT_BYTES", default_value_t = 20 * 1024 * 1024)]
    pub max_attachment_bytes: u64,

    /// Uploads one user may keep not yet submitted, in files and in bytes.
    #[arg(long, env = "MAX_PENDING_UPLOADS", default_value_t = 20)]
    pub max_pending_uploads: u64,
    #[arg(long, env = "MAX_PENDING_UPLOAD_BYTES", default_value_t = 200 * 1024 * 1024)]
    pub max_pending_upload_bytes: u64,

    /// Deepest GraphQL selection accepted, the introspection fields `__schema` and `__type`
    /// aside.
    #[arg(long, env = "GRAPHQL_MAX_DEPTH", default_value_t = 12)]
    pub graphql_max_depth: usize,

    /// Highest GraphQL query complexity accepted (list fields count once per requested item).
    #[arg(long, env = "GRAPHQL_MAX_COMPLEXITY", default_value_t = 10_000)]
    pub graphql_max_complexity: usize,

    /// Longest a GraphQL request may run, in milliseconds; past it the work is stopped and the
    /// client told `SERVICE_UNAVAILABLE`. Subscriptions are not bounded by it. On PostgreSQL
    /// every statement of the requests' pool is bounded by it plus `db::STATEMENT_GRACE`.
    #[arg(long, env = "REQUEST_TIMEOUT_MILLIS", default_value_t = 30_000)]
    pub request_timeout_millis: u64,

    /// Largest GraphQL response sent, in bytes; a larger one is replaced by an error asking for
    /// less.
    #[arg(long, env = "MAX_RESPONSE_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_response_bytes: usize,

    /// Most fields one GraphQL operation may ask for, counted after its fragments are expanded.
    #[arg(long, env = "GRAPHQL_MAX_FIELDS", default_value_t = 2_000)]
    pub graphql_max_fields: usize,

    /// Most aliased fields in one GraphQL operation.
    #[arg(long, env = "GRAPHQL_MAX_ALIASES", default_value_t = 100)]
    pub graphql_max_aliases: usize,

    /// Most root fields in one GraphQL operation.
    #[arg(long, env = "GRAPHQL_MAX_ROOT_FIELDS", default_value_t = 30)]
    pub graphql_max_root_fields: usize,

    /// How long a DataLoader of a WebSocket connection waits to batch the keys of one level, in
    /// microseconds. HTTP requests batch deterministically and do not wait.
    #[arg(long, env = "DATALOADER_DELAY_MICROS", default_value_t = 200)]
    pub dataloader_delay_micros: u64,

    /// How often the deadline job (automatic reminders, task statuses) runs, in seconds, besides
    /// just after each midnight in Beijing; 0 turns it off on this instance. Several instances
    /// may run it: each reminder is sent once.
    #[arg(long, env = "REMINDER_INTERVAL_SECS", default_value_t = 600)]
    pub reminder_interval_secs: u64,

    /// A task turns YELLOW when an obligation without a submitted report is due within this
    /// many days (0: on the due day only).
    #[arg(long, env = "WARNING_YELLOW_DAYS", default_value_t = 3)]
    pub warning_yellow_days: u32,

    /// A task turns RED when such an obligation is more than this many days past its due day
    /// (0: as soon as the due day has ended).
    #[arg(long, env = "WARNING_RED_DAYS", default_value_t = 0)]
    pub warning_red_days: u32,

    /// A task is behind schedule (序时进度) when its percent complete is more than this many
    /// points below the percent expected by today on a straight line from the document's issue
    /// date to the task's deadline.
    #[arg(long, env = "SCHEDULE_MARGIN_PERCENT", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(0..=100))]
    pub schedule_margin_percent: u32,

    /// How long an access token's principal is kept before the token is verified and its
    /// account read again, in milliseconds (0: on every request; the token's expiry is checked
    /// on every request either way). Any change to accounts, leaders or units reads
    /// them again at once, on every instance (`auth::cache`); this bounds only changes made
    /// outside the API.
    #[arg(long, env = "PRINCIPAL_CACHE_MILLIS", default_value_t = 30_000)]
    pub principal_cache_millis: u64,

    /// How long a document, category, unit, leader or period read for a task, and a task read by
    /// id for the bureau and service accounts, is kept before it is read again, in milliseconds
    /// (0: read on every request). Any change made through the API reads them again at once, on
    /// every instance (`reference_cache`); this bounds only changes made outside it.
    #[arg(long, env = "REFERENCE_CACHE_MILLIS", default_value_t = 30_000)]
    pub reference_cache_millis: u64,

    /// How often new events are looked for, in milliseconds: the delay of live updates on
    /// SQLite, and the safety net behind PostgreSQL's notifications.
    #[arg(long, env = "LIVE_POLL_MILLIS", default_value_t = 250)]
    pub live_poll_millis: u64,

    /// How often the webhook worker looks for deliveries due, in milliseconds (0: this
    /// instance delivers none; another instance on the database does).
    #[arg(long, env = "WEBHOOK_POLL_MILLIS", default_value_t = 1000)]
    pub webhook_poll_millis: u64,

    /// The gateway notifications to other channels (SMS, WeCom, DingTalk) are posted to;
    /// unset: in app only.
    #[arg(long, env = "NOTIFY_GATEWAY_URL")]
    pub notify_gateway_url: Option<String>,

    /// The secret that signs the posts to the gateway (as webhooks are signed).
    #[arg(long, env = "NOTIFY_GATEWAY_SECRET", hide_env_values = true)]
    pub notify_gateway_secret: Option<SecretString>,

    /// `text` or `json`.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

impl Config {
    pub fn access_token_ttl(&self) -> Duration {
        Duration::from_secs(self.access_token_ttl_secs)
    }

    pub fn refresh_token_ttl(&self) -> Duration {
        Duration::from_secs(self.refresh_token_ttl_secs)
    }

    pub fn warning_thresholds(&self) -> crate::deadline::Thresholds {
        crate::deadline::Thresholds {
            yellow_days: i64::from(self.warning_yellow_days),
            red_days: i64::from(self.warning_red_days),
            schedule_margin: i64::from(self.schedule_margin_percent),
        }
    }

    /// Whether GraphiQL is served: as configured, else in development only.
    pub fn graphiql_enabled(&self) -> bool {
        self.graphiql
            .unwrap_or(self.environment == Environment::Development)
    }

    /// Whether introspection is answered: as configured, else in development only.
    pub fn introspection_enabled(&self) -> bool {
        self.graphql_introspection
            .unwrap_or(self.environment == Environment::Development)
    }

    /// Who may read `/metrics`.
    pub fn metrics_access(&self) -> MetricsAccess {
        use secrecy::ExposeSecret;

        match &self.metrics_token {
            Some(token) if !token.expose_secret().trim().is_empty() => {
                MetricsAccess::Token(token.clone())
            }
            _ if self.environment == Environment::Development => MetricsAccess::Open,
            _ => MetricsAccess::Off,
        }
    }

    /// The web origins allowed to call the API from a browser.
    pub fn cors_origins(&self) -> CorsOrigins {
        let listed: Vec<String> = self
            .cors_allowed_origins
            .iter()
            .flatten()
            .map(|origin| origin.trim().trim_end_matches('/').to_owned())
            .filter(|origin| !origin.is_empty())
            .collect();
        match (listed.is_empty(), self.environment) {
            (false, _) => CorsOrigins::Listed(listed),
            (true, Environment::Development) => CorsOrigins::Localhost,
            (true, Environment::Production) => CorsOrigins::None,
        }
    }

    pub fn dataloader_delay(&self) -> Duration {
        Duration::from_micros(self.dataloader_delay_micros)
    }

    /// A configuration with every default, for tests and tools that build one by hand.
    pub fn from_defaults() -> Self {
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            config: Config,
        }
        <Wrapper as clap::Parser>::parse_from(["duban"]).config
    }
}

/// The web origins whose pages may call the API (CORS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorsOrigins {
    /// No cross-origin calls (production's default).
    None,
    /// Pages served from this machine, any port (development's default).
    Localhost,
    /// Exactly these origins (`https://console.example.gov.cn`).
    Listed(Vec<String>),
}

/// Who may read `/metrics`.
#[derive(Clone, Debug)]
pub enum MetricsAccess {
    /// Not served (production without `METRICS_TOKEN`).
    Off,
    /// Anyone who reaches the server (development).
    Open,
    /// A scraper sending `Authorization: Bearer <METRICS_TOKEN>`.
    Token(secrecy::SecretString),
}
