//! The command line: `api [serve]`, `api migrate`, `api import`, `api seed-registry`,
//! `api create-user`, `api gen-data` (a generated province for load tests, see `generate`),
//! `api check-obligations`, `api print-schema`. Configuration comes from the environment (see `.env.example`) or the
//! matching flags.

use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use sea_orm::DatabaseConnection;
use secrecy::{ExposeSecret, SecretString};

use crate::auth::Principal;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::graphql::relay::{self, Kind};
use crate::startup::Application;
use crate::users::service::{NewUser, create};

#[derive(Debug, Parser)]
#[command(
    name = "api",
    version,
    about = "Duban: the GraphQL API of government task supervision (督查督办)"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import a notice (.txt, .md or .docx): parse it, resolve its names and store it.
    Import(ImportArgs),
    /// Add the default registry (the units and leaders of the bundled notices).
    SeedRegistry,
    /// Create a user account.
    CreateUser(CreateUserArgs),
    /// Fill a database without tasks with a generated province (2,000 units, 100,000 tasks
    /// and a year of reports by default), deterministic for a seed; for load tests.
    GenData(crate::generate::GenDataArgs),
    /// Compare the stored obligations with the ones the rules derive; with `--repair`, rewrite
    /// what differs. Fails (status 1) when they differ and nothing was repaired.
    CheckObligations(CheckObligationsArgs),
    /// Print the GraphQL schema (SDL) to standard output.
    PrintSchema,
}

#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Start on a fresh SQLite database with the bundled notices imported and demo accounts.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The notice: a .txt, .md or .docx file.
    pub file: std::path::PathBuf,
    /// Parse and resolve only; store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the parse as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Update an existing document with the same number in place.
    #[arg(long)]
    pub replace: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    Bureau,
    Leader,
    Unit,
    Service,
    Office,
}

impl From<RoleArg> for entity::enums::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Bureau => Self::Bureau,
            RoleArg::Leader => Self::Leader,
            RoleArg::Unit => Self::Unit,
            RoleArg::Service => Self::Service,
            RoleArg::Office => Self::Office,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    pub username: String,
    #[arg(long, value_enum)]
    pub role: RoleArg,
    #[arg(long)]
    pub display_name: Option<String>,
    /// The unit (role unit), or the office a reviewing office's staff belong to (role office): its ID as the API shows it (`units { nodes { id name } }`), or
    /// its exact name.
    #[arg(long, alias = "unit-id")]
    pub unit: Option<String>,
    /// The leader (role leader): their ID as the API shows it, or their exact name.
    #[arg(long, alias = "leader-id")]
    pub leader: Option<String>,
    /// The password; a random one is generated and printed when omitted.
    #[arg(long, env = "DUBAN_NEW_USER_PASSWORD", hide_env_values = true)]
    pub password: Option<SecretString>,
}

/// Runs the command the user asked for, with logging set up as configured.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    crate::telemetry::init(cli.config.log_format);
    execute(cli).await
}

/// Runs the command (the caller has set up logging, or wants none: tests).
pub async fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) if args.demo => serve_demo(cli.config).await,
        Command::Serve(_) => {
            Application::build(cli.config)
                .await?
                .run_until_stopped()
                .await
        }
        Command::Import(args) => import(&cli.config, args).await,
        Command::SeedRegistry => {
            let db = crate::db::connect(&cli.config).await?;
            crate::db::migrate(&db).await?;
            let outcome =
                crate::import::seed::seed_registry(&Principal::system(), &db, SystemClock.now())
                    .await
                    .map_err(|err| anyhow::anyhow!("{err}"))?;
            println!(
                "registry seeded: {} units, {} aliases, {} leaders added",
                outcome.units, outcome.aliases, outcome.leaders
            );
            Ok(())
        }
        Command::Migrate => {
            let db = crate::db::connect(&cli.config).await?;
            crate::db::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::CreateUser(args) => create_user(&cli.config, args).await,
        Command::GenData(args) => crate::generate::run(&cli.config, args).await,
        Command::CheckObligations(args) => check_obligations(&cli.config, args).await,
        Command::PrintSchema => {
            print!("{}", crate::schema::sdl());
            Ok(())
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CheckObligationsArgs {
    /// Rewrite the stored obligations that differ from the derived ones.
    #[arg(long)]
    pub repair: bool,
}

/// `api check-obligations`: the consistency check of `obligations::store`, then of the counts
/// kept with the rows (`tallies`), for an operator.
async fn check_obligations(config: &Config, args: CheckObligationsArgs) -> anyhow::Result<()> {
    let db = crate::db::connect(config).await?;
    crate::db::migrate(&db).await?;
    let drift = crate::obligations::store::check(&db)
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    for difference in drift.iter().take(20) {
        println!("{difference:?}");
    }
    if drift.is_empty() {
        println!("the stored obligations equal the derived ones");
        return check_counts(&db, config.warning_thresholds()).await;
    }
    if !args.repair {
        anyhow::bail!(
            "{} difference(s) between the stored and the derived obligations; \
             `--repair` rewrites them",
            drift.len()
        );
    }
    println!("{} difference(s)", drift.len());
    let written = crate::obligations::store::rebuild_all(&db)
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    println!("repaired: {written} row(s) written");
    Ok(())
}

/// The counts kept with the rows (`tallies`) against the rows they count: the live tasks', and
/// the figures and rankings of every document from them against those counted from the
/// obligations.
async fn check_counts(
    db: &sea_orm::DatabaseConnection,
    thresholds: crate::deadline::Thresholds,
) -> anyhow::Result<()> {
    let tasks = crate::tasks::counts::check(db)
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    let today = crate::deadline::today_in_china(chrono::Utc::now());
    let figures = crate::stats::check_counts(db, today, thresholds)
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    for difference in tasks.iter().take(20) {
        println!("task count: {difference:?}");
    }
    for difference in figures.iter().take(20) {
        println!("figures or ranking: {difference}");
    }
    if tasks.is_empty() && figures.is_empty() {
        println!("the stored counts equal the rows they count");
        return Ok(());
    }
    anyhow::bail!(
        "{} difference(s) between the stored counts and the rows; the triggers of migrations \
         31 to 33 and 37 keep them, so a difference means rows were written with the triggers off",
        tasks.len() + figures.len()
    )
}

async fn create_user(config: &Config, args: CreateUserArgs) -> anyhow::Result<()> {
    let db = crate::db::connect(config).await?;
    crate::db::migrate(&db).await?;
    let generated = args.password.is_none();
    let password = args
        .password
        .map(|secret| secret.expose_secret().to_owned())
        .unwrap_or_else(crate::auth::password::generate);
    let unit_id = match &args.unit {
        Some(unit) => Some(row_of(&db, unit, Kind::Unit).await?),
        None => None,
    };
    let leader_id = match &args.leader {
        Some(leader) => Some(row_of(&db, leader, Kind::Leader).await?),
        None => None,
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let user = create(
        &Principal::system(),
        &db,
        clock.now(),
        NewUser {
            username: args.username,
            display_name: args.display_name,
            password: password.clone(),
            role: args.role.into(),
            unit_id,
            leader_id,
            scopes: Vec::new(),
            unit_post: None,
        },
    )
    .await
    .map_err(|err| anyhow::anyhow!("{err}"))?;
    println!(
        "created user `{}` (id {})",
        user.username,
        relay::global_id(Kind::User, user.id).as_str()
    );
    if generated {
        println!("password: {password}");
    }
    Ok(())
}

/// The row a command-line argument names: a global ID of `kind`, or the exact name of one unit
/// or leader.
async fn row_of(db: &DatabaseConnection, given: &str, kind: Kind) -> anyhow::Result<i64> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    if let Some((found, row)) = relay::parse_global_id(&async_graphql::ID(given.to_owned())) {
        anyhow::ensure!(
            found == kind,
            "`{given}` is a {} ID, not a {} ID",
            found.name(),
            kind.name()
        );
        return Ok(row);
    }
    let rows: Vec<i64> = match kind {
        Kind::Unit => entity::units::Entity::find()
            .filter(entity::units::Column::Name.eq(given))
            .all(db)
            .await?
            .into_iter()
            .map(|unit| unit.id)
            .collect(),
        _ => entity::leaders::Entity::find()
            .filter(entity::leaders::Column::Name.eq(given))
            .all(db)
            .await?
            .into_iter()
            .map(|leader| leader.id)
            .collect(),
    };
    match rows.as_slice() {
        [row] => Ok(*row),
        [] => anyhow::bail!("no {} has the ID or name `{given}`", kind.name()),
        _ => anyhow::bail!(
            "several of {} are named `{given}`: give the ID",
            kind.name()
        ),
    }
}

async fn serve_demo(mut config: Config) -> anyhow::Result<()> {
    config.database_url = crate::demo::database_url();
    let app = Application::build(config).await?;
    let now = SystemClock.now();
    let played = crate::demo::prepare(app.db(), now).await?;
    let year = crate::demo::shift::demo_year(crate::deadline::today_in_china(now));
    println!(
        "\nDemo data is ready: two notices of 开封市 with 216 tasks, moved to {year} and played \
         to today ({} reports submitted, {} reviewed, {} reminders, {} notices published).",
        played.submissions, played.reviews, played.reminders, played.notices
    );
    println!("Sign in at http://{}/graphql with one of:", app.address());
    for account in crate::demo::ACCOUNTS {
        println!(
            "  {:<10} password {:<15} {}",
            account.username, account.password, account.note
        );
    }
    println!(
        "  every other unit that owes reports: unit<id>, password {}",
        crate::demo::play::UNIT_PASSWORD
    );
    println!();
    app.run_until_stopped().await
}

async fn import(config: &Config, args: ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", args.file.display()))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let source = crate::import::service::Source::file(&name, &bytes)
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    let db = crate::db::connect(config).await?;
    crate::db::migrate(&db).await?;
    let system = Principal::system();
    let preview = if args.dry_run {
        crate::import::service::preview(&system, &db, &source, None).await
    } else {
        crate::import::service::commit(
            &system,
            &db,
            SystemClock.now(),
            &source,
            &crate::import::commit::Overrides::default(),
            args.replace,
        )
        .await
        .map(|(outcome, preview)| {
            eprintln!(
                "stored document {} ({}): {} tasks created, {} updated, {} removed; {} units, {} leaders created; {} aliases learned",
                outcome.document.id,
                outcome.document.doc_number.as_deref().unwrap_or("no number"),
                outcome.counts.tasks_created,
                outcome.counts.tasks_updated,
                outcome.counts.tasks_removed,
                outcome.counts.units_created,
                outcome.counts.leaders_created,
                outcome.counts.aliases_learned,
            );
            preview
        })
    }
    .map_err(|err| anyhow::anyhow!("{err}"))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&preview)?);
    } else {
        println!(
            "{} {}: {} categories, {} tasks, {} warnings",
            preview
                .document
                .doc_number
                .as_deref()
                .unwrap_or("(no number)"),
            preview.document.title.as_deref().unwrap_or("(no title)"),
            preview.categories.len(),
            preview.tasks.len(),
            preview.warnings.len()
        );
        for warning in &preview.warnings {
            println!("  line {}: {}", warning.line, warning.message);
        }
    }
    Ok(())
}
