//! Building and running the application: database, migrations, first-start admin, schema,
//! router and listener. `main.rs` and the tests both go through `Application::build*`.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;

use crate::auth::TokenKeys;
use crate::auth::tokens::{MIN_SECRET_BYTES, random_secret};
use crate::clock::{SharedClock, SystemClock};
use crate::config::{Config, Environment};
use crate::http::{self, AppState};
use crate::schema::{self, Limits};
use crate::state::AppData;
use crate::storage::Storage;

/// A server bound to its port, ready to run.
pub struct Application {
    db: DatabaseConnection,
    listener: TcpListener,
    router: axum::Router,
    address: SocketAddr,
    timeouts: crate::server::Timeouts,
}

impl Application {
    /// Connects to the configured database and builds the application on it.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        // Refuse a bad configuration before touching the database: a failed start must not
        // have migrated or created the first admin (and logged its password) already.
        validate(&config)?;
        let db = crate::db::connect_for_requests(&config).await?;
        Self::build_with(config, db, Arc::new(SystemClock)).await
    }

    /// Builds the application on a given connection for its requests (`db::connect_for_requests`)
    /// and a clock (tests pass their own).
    pub async fn build_with(
        config: Config,
        db: DatabaseConnection,
        clock: SharedClock,
    ) -> anyhow::Result<Self> {
        // The metrics recorder, before anything is counted.
        crate::metrics::handle();
        let keys = Arc::new(token_keys(&config)?);
        // Background work, unbounded by the request timeout, on a pool of its own on PostgreSQL:
        // migrations, the first start's fills, the deadline job and the webhook worker.
        let jobs = match db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => crate::db::connect_for_jobs(&config).await?,
            _ => db.clone(),
        };
        crate::db::migrate(&jobs).await?;
        let keyed = crate::users::service::fill_username_keys(&jobs)
            .await
            .map_err(|err| anyhow::anyhow!("cannot give the accounts their name keys: {err}"))?;
        if keyed > 0 {
            tracing::info!(accounts = keyed, "usernames now compare by their keys");
        }
        // The first start after obligations came to be stored: fill them from what is owed.
        let filled = crate::obligations::store::fill_if_empty(&jobs)
            .await
            .map_err(|err| anyhow::anyhow!("cannot store the obligations: {err}"))?;
        if filled > 0 {
            tracing::info!(obligations = filled, "obligations stored");
        }
        // The first start after indicators kept their latest values: judge those it copied.
        let judged = crate::reports::values::judge_unjudged(&jobs)
            .await
            .map_err(|err| anyhow::anyhow!("cannot judge the indicators' values: {err}"))?;
        if judged > 0 {
            tracing::info!(indicators = judged, "latest indicator values judged");
        }
        // Unset or empty: generate one and show it once.
        let admin_password = config
            .admin_password
            .as_ref()
            .map(|secret| secret.expose_secret().to_owned())
            .filter(|password| !password.is_empty());
        if let Some(generated) =
            crate::users::service::bootstrap_admin(&db, clock.now(), admin_password)
                .await
                .map_err(|err| anyhow::anyhow!("cannot create the first admin: {err}"))?
        {
            // Shown once, on the first start only; the hash is all that is stored.
            tracing::warn!(
                username = "admin",
                password = %generated,
                "created the first BUREAU user with a generated password; change it after signing in"
            );
        }
        let storage = Storage::new(&config.data_dir, config.max_attachment_bytes).with_quota(
            crate::storage::Quota {
                files: config.max_pending_uploads,
                bytes: config.max_pending_upload_bytes,
            },
        );
        // What uploads interrupted by a crash or a kill left behind.
        match storage.sweep_temporary() {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "unfinished uploads removed"),
            Err(err) => tracing::warn!(error = %err, "cannot sweep the temporary upload directory"),
        }
        let bus = crate::live::relay::EventBus::default();
        let app = Arc::new(AppData {
            db: db.clone(),
            keys,
            clock: clock.clone(),
            warnings: config.warning_thresholds(),
            storage: storage.clone(),
            throttle: Arc::new(crate::auth::throttle::Throttle::new(
                config.login_attempts_per_minute,
            )),
            limits: Arc::new(crate::auth::limits::RequestLimits::new(
                config.rate_limit_per_minute,
                config.api_key_rate_limit_per_minute,
            )),
            principals: crate::auth::cache::PrincipalCache::new(std::time::Duration::from_millis(
                config.principal_cache_millis,
            )),
            references: crate::reference_cache::ReferenceCache::new(
                std::time::Duration::from_millis(config.reference_cache_millis),
            ),
            deadline_job: Arc::new(crate::state::Heartbeat::new(
                (config.reminder_interval_secs > 0)
                    .then(|| std::time::Duration::from_secs(config.reminder_interval_secs)),
            )),
        });
        let executor = schema::executor(
            Limits {
                max_depth: config.graphql_max_depth,
                max_complexity: config.graphql_max_complexity,
                max_fields: config.graphql_max_fields,
                max_aliases: config.graphql_max_aliases,
                max_root_fields: config.graphql_max_root_fields,
                introspection: config.introspection_enabled(),
            },
            |builder| {
                builder
                    .data(app.clone())
                    .data(app.principals.clone())
                    .data(app.references.clone())
                    .data(bus.clone())
            },
        );
        crate::live::relay::start(
            crate::db::connect_for_relay(&config).await?,
            bus,
            std::time::Duration::from_millis(config.live_poll_millis),
            app.principals.clone(),
            app.references.clone(),
        )
        .await;
        if config.webhook_poll_millis > 0 {
            tokio::spawn(crate::webhooks::worker::schedule(
                jobs.clone(),
                clock.clone(),
                std::time::Duration::from_millis(config.webhook_poll_millis),
                config.notify_gateway_url.clone().map(|url| {
                    let secret = config
                        .notify_gateway_secret
                        .as_ref()
                        .map(|s| s.expose_secret().to_owned())
                        .unwrap_or_default();
                    (url, secret)
                }),
            ));
        }
        if config.reminder_interval_secs > 0 {
            tokio::spawn(crate::reminders::rules::schedule(
                jobs.clone(),
                clock.clone(),
                storage.clone(),
                std::time::Duration::from_secs(config.reminder_interval_secs),
                app.deadline_job.clone(),
            ));
        }
        let state = AppState {
            executor: Arc::new(executor),
            graphiql: config.graphiql_enabled(),
            app,
            loader_delay: config.dataloader_delay(),
            trust_forwarded_for: config.trust_forwarded_for,
            limits: http::RequestLimits {
                operation_bytes: config.max_body_bytes,
                response_bytes: config.max_response_bytes,
                timeout: std::time::Duration::from_millis(config.request_timeout_millis),
            },
        };
        let router = http::router(
            state,
            http::BodyLimits {
                json: config.max_body_bytes,
                upload: config.max_upload_bytes,
                body_read_timeout: std::time::Duration::from_secs(config.body_read_timeout_secs),
            },
            &http::Exposure {
                hsts: config.hsts,
                cors: config.cors_origins(),
                metrics: config.metrics_access(),
            },
        );
        let listener = TcpListener::bind(config.bind_addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind_addr))?;
        let address = listener.local_addr()?;
        Ok(Self {
            db,
            listener,
            router,
            address,
            timeouts: crate::server::Timeouts {
                header_read: std::time::Duration::from_secs(config.header_read_timeout_secs),
                grace: std::time::Duration::from_secs(config.shutdown_grace_secs),
            },
        })
    }

    /// The database the application runs on (the CLI prepares demo data through it).
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The address actually bound (the port is chosen by the OS when configured as 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `signal` completes, then lets in-flight requests finish.
    pub async fn run_until(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(address = %self.address, "Duban is listening; GraphiQL at http://{}/graphql", self.address);
        crate::server::serve(self.listener, self.router, self.timeouts, signal)
            .await
            .context("server error")
    }
}

/// Checks the settings that can be checked without side effects.
fn validate(config: &Config) -> anyhow::Result<()> {
    if let Some(secret) = &config.jwt_secret
        && !secret.expose_secret().is_empty()
    {
        anyhow::ensure!(
            secret.expose_secret().len() >= MIN_SECRET_BYTES,
            "JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long"
        );
    }
    Ok(())
}

/// The signing key of access tokens: `JWT_SECRET` when it is set (and not empty); otherwise in
/// production the secret kept in `DATA_DIR/jwt-secret`, generated on the first start (so a
/// first start needs no setting, and tokens survive restarts; instances that share `DATA_DIR`
/// share it), and in development a random one for this run.
fn token_keys(config: &Config) -> anyhow::Result<TokenKeys> {
    let configured = config
        .jwt_secret
        .as_ref()
        .filter(|secret| !secret.expose_secret().is_empty());
    validate(config)?;
    let secret = match (configured, config.environment) {
        (Some(secret), _) => secret.clone(),
        (None, Environment::Production) => kept_secret(&config.data_dir)?,
        (None, Environment::Development) => {
            tracing::warn!(
                "JWT_SECRET is not set: using a random secret; tokens will not survive a restart"
            );
            random_secret()
        }
    };
    TokenKeys::new(
        &secret,
        &config.jwt_issuer,
        &config.jwt_audience,
        config.access_token_ttl(),
        config.refresh_token_ttl(),
    )
}

/// The secret in `data_dir/jwt-secret`, created (readable by this user only) if it is not
/// there. Of two instances starting at once, the second reads what the first wrote.
fn kept_secret(data_dir: &std::path::Path) -> anyhow::Result<SecretString> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let path = data_dir.join("jwt-secret");
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path);
    match created {
        Ok(mut file) => {
            let secret = random_secret();
            file.write_all(secret.expose_secret().as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            tracing::info!(path = %path.display(), "generated the access-token secret; keep it with the data");
            Ok(secret)
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let secret = text.trim().to_owned();
            anyhow::ensure!(
                secret.len() >= MIN_SECRET_BYTES,
                "{} must hold at least {MIN_SECRET_BYTES} bytes",
                path.display()
            );
            Ok(SecretString::from(secret))
        }
        Err(err) => Err(err).with_context(|| format!("cannot create {}", path.display())),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_secret_is_made_once_readable_by_its_owner_only_and_read_back() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().unwrap();
        let first = kept_secret(dir.path()).unwrap();
        assert!(first.expose_secret().len() >= MIN_SECRET_BYTES);
        let mode = std::fs::metadata(dir.path().join("jwt-secret"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = kept_secret(dir.path()).unwrap();
        assert_eq!(first.expose_secret(), again.expose_secret());
    }
}
