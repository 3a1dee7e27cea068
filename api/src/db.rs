//! Opening the database and bringing its schema up to date.
//!
//! SQLite is the embedded default and PostgreSQL the production database; both go through the
//! same SeaORM connection type, so no other module needs to know which one it talks to.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::config::Config;

/// How much longer than `REQUEST_TIMEOUT_MILLIS` a request's statement may run: the request's
/// own timeout answers the client first, and the database then stops the statement the
/// abandoned request left running, instead of finishing work nobody will read.
pub const STATEMENT_GRACE: Duration = Duration::from_secs(1);

/// The pool the server's requests use: as `connect`, and on PostgreSQL every statement bounded
/// by the request timeout plus `STATEMENT_GRACE` (`statement_timeout`). Background work
/// (migrations, the deadline job, the webhook worker) runs on `connect`'s unbounded pool.
pub async fn connect_for_requests(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let bound = Duration::from_millis(config.request_timeout_millis) + STATEMENT_GRACE;
    open_bounded(config, config.database_max_connections, Some(bound)).await
}

/// Connects to `DATABASE_URL`, statements unbounded: for the command line and background work.
///
/// SQLite runs in WAL mode with a busy timeout and foreign keys on. It gets a single pooled
/// connection: SQLite allows one writer at a time anyway, and a deferred transaction that reads
/// and then writes on a second connection can fail at once with "database is locked"
/// (`SQLITE_BUSY_SNAPSHOT`, which the busy timeout does not cover). Serialising on one connection
/// removes that failure mode; the production database is PostgreSQL, pooled by configuration.
pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    open(config, config.database_max_connections).await
}

/// A small pool of its own for the live-update relay, which waits on notifications and tails
/// the events table: it must neither hold a connection requests need nor queue behind them.
/// (On SQLite it only reads, which WAL allows beside the writer.)
pub async fn connect_for_relay(config: &Config) -> anyhow::Result<DatabaseConnection> {
    open(config, 2).await
}

/// A small unbounded pool for the server's background work beside `connect_for_requests`
/// (PostgreSQL only; on SQLite the one connection is shared, as it must be).
pub async fn connect_for_jobs(config: &Config) -> anyhow::Result<DatabaseConnection> {
    open(config, 2).await
}

async fn open(config: &Config, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    open_bounded(config, max_connections, None).await
}

async fn open_bounded(
    config: &Config,
    max_connections: u32,
    statement_timeout: Option<Duration>,
) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(config.database_url.clone());
    options
        .acquire_timeout(Duration::from_secs(config.database_acquire_timeout_secs))
        .sqlx_logging(false);
    if config.database_url.starts_with("sqlite:") {
        options
            .max_connections(1)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
    } else {
        // PostgreSQL's JIT compiles a statement whose estimated cost is high, and the figures'
        // aggregates (many CASE expressions over a million rows) are estimated high: measured
        // at province scale, a document's figures spent 283 ms compiling and 72 ms running.
        // Every statement here is short and planned anew; none gains from compiling.
        //
        // A burst opens the whole pool, and sqlx's default keeps each connection for ten idle
        // minutes: a PostgreSQL backend process each, `max_connections` the other instances
        // cannot use, and its statement cache and buffers here. Closed after
        // `DATABASE_IDLE_TIMEOUT_SECS`; the next burst reconnects, a few milliseconds each.
        options
            .max_connections(max_connections)
            .min_connections(1)
            .idle_timeout(Duration::from_secs(config.database_idle_timeout_secs))
            .map_sqlx_postgres_opts(move |opts| {
                let opts = opts.options([("jit", "off")]);
                match statement_timeout {
                    Some(bound) => {
                        opts.options([("statement_timeout", bound.as_millis().to_string())])
                    }
                    None => opts,
                }
            });
    }
    Database::connect(options).await.with_context(|| {
        format!(
            "cannot open the database at {}",
            redact(&config.database_url)
        )
    })
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("database migration failed")
}

/// How many migrations this binary knows that the database has not run.
pub async fn pending_migrations(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let pending =
        tokio::time::timeout(Duration::from_secs(1), Migrator::get_pending_migrations(db))
            .await
            .context("the migration table did not answer within a second")??;
    Ok(pending.len())
}

/// Answers whether the database responds within a second, for `/readyz`: a load balancer
/// asking during an outage is told at once, not after the pool's acquire timeout.
pub async fn ping(db: &DatabaseConnection) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(1), db.ping()).await,
        Ok(Ok(()))
    )
}

/// The most values one statement binds in an `IN (…)` list. PostgreSQL's protocol allows 65,535
/// parameters a statement and SQLite 32,766; a province has 100,000 tasks. Lists of ids that
/// can grow with the data go through `in_chunks`.
pub const MAX_BINDS: usize = 10_000;

/// Runs `query` for each slice of `ids` of at most `MAX_BINDS` and concatenates the rows. The
/// rows of one id are all in one slice, so grouping them after is safe.
pub async fn in_chunks<T, F, Fut>(ids: &[i64], mut query: F) -> Result<Vec<T>, sea_orm::DbErr>
where
    F: FnMut(Vec<i64>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, sea_orm::DbErr>>,
{
    let mut rows = Vec::new();
    for chunk in ids.chunks(MAX_BINDS) {
        rows.extend(query(chunk.to_vec()).await?);
    }
    Ok(rows)
}

/// The pool's connections in use and idle, and its most, for `/metrics`.
pub fn pool_sizes(db: &DatabaseConnection) -> (u32, u32, u32) {
    fn sizes<D: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<D>) -> (u32, u32, u32) {
        let size = pool.size();
        let idle = u32::try_from(pool.num_idle()).unwrap_or(size);
        (
            size.saturating_sub(idle),
            idle,
            pool.options().get_max_connections(),
        )
    }
    match sea_orm::ConnectionTrait::get_database_backend(db) {
        sea_orm::DatabaseBackend::Postgres => sizes(db.get_postgres_connection_pool()),
        sea_orm::DatabaseBackend::Sqlite => sizes(db.get_sqlite_connection_pool()),
        _ => (0, 0, 0),
    }
}

/// The database URL without its password, for log lines and error messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// `COALESCE(SUM(value), 0)` as a 64-bit integer on both backends (PostgreSQL sums `BIGINT`
/// to `NUMERIC`; SQLite's empty sum is NULL).
pub fn sum_of(value: sea_orm::sea_query::SimpleExpr) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
    SimpleExpr::from(Func::coalesce([
        Func::sum(value).into(),
        Expr::val(0_i64).into(),
    ]))
    .cast_as(Alias::new("BIGINT"))
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden_in_database_urls() {
        assert_eq!(
            redact("postgres://duban:s3cret@db:5432/duban"),
            "postgres://duban:***@db:5432/duban"
        );
        assert_eq!(
            redact("postgres://duban@db/duban"),
            "postgres://duban@db/duban"
        );
        assert_eq!(
            redact("sqlite://duban.db?mode=rwc"),
            "sqlite://duban.db?mode=rwc"
        );
    }
}
