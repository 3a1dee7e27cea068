//! The command line: `api [serve]`, `api migrate`, `api create-user`, `api print-schema`.
//! Configuration comes from the environment (see `.env.example`) or the matching flags.

use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use secrecy::{ExposeSecret, SecretString};

use crate::auth::Principal;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
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
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a user account.
    CreateUser(CreateUserArgs),
    /// Print the GraphQL schema (SDL) to standard output.
    PrintSchema,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    Bureau,
    Leader,
    Unit,
    Service,
}

impl From<RoleArg> for entity::enums::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Bureau => Self::Bureau,
            RoleArg::Leader => Self::Leader,
            RoleArg::Unit => Self::Unit,
            RoleArg::Service => Self::Service,
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
    /// Row id of the unit (role unit).
    #[arg(long)]
    pub unit_id: Option<i64>,
    /// Row id of the leader (role leader).
    #[arg(long)]
    pub leader_id: Option<i64>,
    /// The password; a random one is generated and printed when omitted.
    #[arg(long, env = "DUBAN_NEW_USER_PASSWORD", hide_env_values = true)]
    pub password: Option<SecretString>,
}

/// Runs the command the user asked for.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    crate::telemetry::init(cli.config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            Application::build(cli.config)
                .await?
                .run_until_stopped()
                .await
        }
        Command::Migrate => {
            let db = crate::db::connect(&cli.config).await?;
            crate::db::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::CreateUser(args) => create_user(&cli.config, args).await,
        Command::PrintSchema => {
            print!("{}", crate::graphql::sdl());
            Ok(())
        }
    }
}

async fn create_user(config: &Config, args: CreateUserArgs) -> anyhow::Result<()> {
    let db = crate::db::connect(config).await?;
    crate::db::migrate(&db).await?;
    let generated = args.password.is_none();
    let password = args
        .password
        .map(|secret| secret.expose_secret().to_owned())
        .unwrap_or_else(crate::auth::password::generate);
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
            unit_id: args.unit_id,
            leader_id: args.leader_id,
            scopes: Vec::new(),
        },
    )
    .await
    .map_err(|err| anyhow::anyhow!("{err}"))?;
    println!("created user `{}` (id {})", user.username, user.id);
    if generated {
        println!("password: {password}");
    }
    Ok(())
}
