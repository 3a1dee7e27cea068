//! `api gen-data`: a whole province of supervision data, generated deterministically from a
//! seed, so that load tests, query plans and the console are tried at the scale a province
//! runs at (by default 2,000 units, 300 leaders, 50 documents and 100,000 tasks with their
//! leaders, units, monthly periods, about a year of reports, reviews and extensions) rather
//! than on the demo's 216 tasks.
//!
//! - `names` and `text`: the words (cities, organisations, posts, names; task and report texts).
//! - `registry`: units, leaders and who supervises what; `documents`: documents, categories
//!   and periods; `tasks`: tasks with their deadlines, units and leaders; `reports`: each
//!   task's reports and extension requests, from the task's own seed. All pure planning from
//!   one `StdRng`, checked by `tests` without a database.
//! - `bulk`, `write`, `workflow`: the rows, in multi-row statements under `db::MAX_BINDS`, a
//!   transaction per table, with the ids the plan gave them; `summary`: what was made.
//!
//! The data obeys the rules the services enforce: statuses are what `tasks::progress` derives
//! from the reports on `--today`; periods are those `periods::calendar` makes from each
//! schedule from the issue date on; lateness is `deadline::lateness` against the unit's due
//! date; only owing units (`obligations::owing_units`) report. It writes no `events` or
//! `audit_log` rows of its own (the four accounts are made by `users::service`, which audits
//! them), then fills the stored obligations with `obligations::store::rebuild_all` and folds
//! the counts its inserts appended (`tallies::fold_all`).

mod bulk;
mod documents;
mod names;
mod registry;
mod reports;
mod summary;
mod tasks;
#[cfg(test)]
mod tests;
mod text;
mod workflow;
mod write;

use std::collections::HashSet;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::{Role, TaskStatus};
use entity::{documents as documents_table, tasks as tasks_table, units, users};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use secrecy::{ExposeSecret, SecretString};

use crate::auth::Principal;
use crate::config::Config;
use crate::users::service::NewUser;

/// `api gen-data` flags.
#[derive(Debug, clap::Args)]
pub struct GenDataArgs {
    /// Units of the registry (cities' departments, counties, party organs, companies, zones…).
    #[arg(long, default_value_t = 2000)]
    pub units: usize,
    /// Leaders, each with a post of their city (市长, 常务副市长, 副市长, 秘书长 …).
    #[arg(long, default_value_t = 300)]
    pub leaders: usize,
    /// Documents (notices), each with a monthly reporting schedule.
    #[arg(long, default_value_t = 50)]
    pub documents: usize,
    /// Tasks, spread over the documents.
    #[arg(long, default_value_t = 100_000)]
    pub tasks: usize,
    /// The same seed makes the same province.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The day the data is as of: reports are due and submitted before it.
    #[arg(long, default_value = "2026-11-28")]
    pub today: NaiveDate,
    /// The password of the accounts bureau, unit, leader and service.
    #[arg(long, env = "DUBAN_GEN_PASSWORD", hide_env_values = true)]
    pub password: SecretString,
}

/// The accounts made, by user id.
#[derive(Debug, Clone, Copy)]
pub struct Accounts {
    pub bureau: i64,
    pub unit: i64,
    pub leader: i64,
    pub service: i64,
}

const USERNAMES: [&str; 4] = ["bureau", "unit", "leader", "service"];

/// The next id of each table written, from the largest already there.
#[derive(Debug, Clone)]
pub struct Ids {
    next: [i64; 13],
}

impl Ids {
    pub const UNITS: usize = 0;
    pub const LEADERS: usize = 1;
    pub const LEADER_UNITS: usize = 2;
    pub const DOCUMENTS: usize = 3;
    pub const CATEGORIES: usize = 4;
    pub const PERIODS: usize = 5;
    pub const TASKS: usize = 6;
    pub const TASK_LEADERS: usize = 7;
    pub const TASK_UNITS: usize = 8;
    pub const EXTENSIONS: usize = 9;
    pub const REPORTS: usize = 10;
    pub const VERSIONS: usize = 11;
    pub const REVIEWS: usize = 12;
    /// The tables, in the order of the constants.
    pub const TABLES: [&'static str; 13] = [
        "units",
        "leaders",
        "leader_units",
        "documents",
        "categories",
        "reporting_periods",
        "tasks",
        "task_leaders",
        "task_units",
        "extension_requests",
        "progress_reports",
        "report_versions",
        "report_reviews",
    ];

    async fn load(db: &DatabaseConnection) -> anyhow::Result<Self> {
        let mut next = [1; 13];
        for (slot, table) in next.iter_mut().zip(Self::TABLES) {
            *slot = bulk::max_id(db, table).await? + 1;
        }
        Ok(Self { next })
    }

    pub fn next(&mut self, table: usize) -> i64 {
        let id = self.next[table];
        self.next[table] += 1;
        id
    }

    pub fn peek(&self, table: usize) -> i64 {
        self.next[table]
    }

    pub fn advance(&mut self, table: usize, by: i64) {
        self.next[table] += by;
    }
}

/// The instant `hour`:00 on `date` in China.
pub fn at_china(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    date.and_hms_opt(hour, 0, 0)
        .map_or(DateTime::<Utc>::UNIX_EPOCH, |t| {
            t.and_utc() - Duration::hours(8)
        })
}

/// Generates the province into the configured database, which must hold no tasks.
pub async fn run(config: &Config, args: GenDataArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let GenDataArgs {
        units: unit_count,
        leaders,
        documents: document_count,
        tasks: task_count,
        seed,
        today,
        password,
    } = args;
    anyhow::ensure!(
        unit_count >= 1 && leaders >= 1 && document_count >= 1,
        "--units, --leaders and --documents must each be at least 1"
    );
    let password = password.expose_secret().to_owned();
    for username in USERNAMES {
        crate::auth::password::validate_new_password("password", &password, username)
            .map_err(|err| anyhow::anyhow!("--password is refused for `{username}`: {err}"))?;
    }
    let db = crate::db::connect(config).await?;
    crate::db::migrate(&db).await?;
    let existing = tasks_table::Entity::find().count(&db).await?;
    anyhow::ensure!(
        existing == 0,
        "the database at {} already holds {existing} tasks; gen-data fills a database without \
         tasks (point DATABASE_URL at a new one)",
        crate::db::redact(&config.database_url)
    );
    let taken: Vec<String> = users::Entity::find()
        .filter(users::Column::Username.is_in(USERNAMES))
        .all(&db)
        .await?
        .into_iter()
        .map(|u| u.username)
        .collect();
    anyhow::ensure!(
        taken.is_empty(),
        "the database already has the account(s) {}; gen-data makes them",
        taken.join(", ")
    );
    let unit_names: HashSet<String> = units::Entity::find()
        .select_only()
        .column(units::Column::Name)
        .into_tuple::<String>()
        .all(&db)
        .await?
        .into_iter()
        .collect();
    let doc_numbers: HashSet<String> = documents_table::Entity::find()
        .select_only()
        .column(documents_table::Column::DocNumber)
        .into_tuple::<Option<String>>()
        .all(&db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let mut ids = Ids::load(&db).await?;
    let now = at_china(today, 18);
    let registry_at = at_china(today - Duration::days(360), 9).min(now);
    eprintln!(
        "gen-data: seed {seed}, as of {today}: {unit_count} units, {leaders} leaders, \
         {document_count} documents, {task_count} tasks into {}",
        crate::db::redact(&config.database_url)
    );
    let mut rng = StdRng::seed_from_u64(seed);
    let registry = registry::plan(
        &mut rng,
        unit_count,
        leaders,
        ids.peek(Ids::UNITS),
        ids.peek(Ids::LEADERS),
        &unit_names,
    );
    ids.advance(Ids::UNITS, registry.units.len() as i64);
    ids.advance(Ids::LEADERS, registry.leaders.len() as i64);
    let mut written = write::registry(&db, &registry, &mut ids, registry_at)
        .await
        .map_err(partial)?;
    let accounts = accounts(&db, &registry, &password, now)
        .await
        .map_err(partial)?;

    let planned = Instant::now();
    let (docs, mut tasks) = documents::plan(
        &mut rng,
        &registry,
        document_count,
        task_count,
        today,
        &mut ids,
        &doc_numbers,
    );
    let ctx = reports::Ctx {
        docs: &docs,
        today,
        now,
    };
    let mut figures = summary::Figures::default();
    for task in &mut tasks {
        let plan = reports::plan(&ctx, task);
        figures.add(&plan, today);
        match task.closed {
            Some((status, at)) => {
                task.status = status;
                task.percent = match status {
                    TaskStatus::Completed => 100,
                    _ => plan.latest_percent.unwrap_or(0),
                };
                task.updated_at = at;
            }
            None => {
                let doc = &docs[task.doc];
                let model = write::task_model(task, doc, String::new());
                task.status = crate::tasks::progress::derive_status(&model, &plan.facts, today);
                task.percent = plan.latest_percent.unwrap_or(0);
                task.updated_at = plan
                    .last_activity
                    .map_or(task.created_at, |at| at.max(task.created_at));
            }
        }
        figures.count_status(task.status);
    }
    eprintln!(
        "  planned {} tasks and their reports in {:.1} s",
        tasks.len(),
        planned.elapsed().as_secs_f64()
    );
    written.extend(
        write::documents(&db, &docs, accounts.bureau)
            .await
            .map_err(partial)?,
    );
    written.extend(
        write::tasks(&db, &registry, &docs, &tasks, &mut ids)
            .await
            .map_err(partial)?,
    );
    written.extend(
        workflow::write(&db, &ctx, &tasks, &accounts, &mut ids)
            .await
            .map_err(partial)?,
    );
    bulk::reset_sequences(&db, &Ids::TABLES)
        .await
        .map_err(partial)?;

    let rebuilding = Instant::now();
    let obligations = crate::obligations::store::rebuild_all(&db)
        .await
        .map_err(|err| anyhow::anyhow!("rebuilding the stored obligations failed: {err}"))?;
    bulk::report(&bulk::Written {
        table: "obligations (rebuilt)",
        rows: obligations,
        seconds: rebuilding.elapsed().as_secs_f64(),
    });
    // The triggers appended deltas for every task and obligation (`tallies`): moved into the
    // counts now, or every count would sum them until the deadline job's first tick.
    crate::tallies::fold_all(&db)
        .await
        .map_err(|err| anyhow::anyhow!("folding the counts failed: {err}"))?;
    crate::handover::receipts::record_all_received(&db)
        .await
        .map_err(|err| anyhow::anyhow!("recording the receipts failed: {err}"))?;
    summary::print(&written, &figures, &registry, &accounts, started);
    Ok(())
}

/// An error once rows have been written: the tables committed so far stay.
fn partial(err: impl Into<anyhow::Error>) -> anyhow::Error {
    err.into().context(
        "gen-data stopped part-way and the database now holds part of a province: drop it (or \
         point DATABASE_URL at a new one) before running again",
    )
}

/// Creates the four accounts through the users service (which hashes the password).
async fn accounts(
    db: &DatabaseConnection,
    registry: &registry::Registry,
    password: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Accounts> {
    let system = Principal::system();
    let unit = registry.units.first().context("no unit was generated")?;
    let leader = registry
        .leaders
        .first()
        .context("no leader was generated")?;
    let mut ids = Vec::new();
    for username in USERNAMES {
        let (role, display_name, unit_id, leader_id) = match username {
            "bureau" => (Role::Bureau, "督查局".to_owned(), None, None),
            "unit" => (Role::Unit, unit.name.clone(), Some(unit.id), None),
            "leader" => (Role::Leader, leader.name.clone(), None, Some(leader.id)),
            _ => (Role::Service, "数据共享服务".to_owned(), None, None),
        };
        let user = crate::users::service::create(
            &system,
            db,
            now,
            NewUser {
                username: username.to_owned(),
                display_name: Some(display_name),
                password: password.to_owned(),
                role,
                unit_id,
                leader_id,
                scopes: Vec::new(),
                unit_post: None,
            },
        )
        .await
        .map_err(|err| anyhow::anyhow!("creating the account `{username}` failed: {err}"))?;
        ids.push(user.id);
    }
    Ok(Accounts {
        bureau: ids[0],
        unit: ids[1],
        leader: ids[2],
        service: ids[3],
    })
}
