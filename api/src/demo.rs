//! `api serve --demo`: a fresh database with the default registry, both bundled notices imported
//! and one account per role, so that a newcomer can query real data at once.

use chrono::{DateTime, Utc};
use entity::enums::Role;
use entity::{leaders, units};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::auth::Principal;
use crate::import::commit::Overrides;
use crate::users::service::NewUser;

/// The notices bundled with Duban, as published.
pub const NOTICES: [(&str, &str); 2] = [
    (
        "work-report-breakdown-2024.txt",
        include_str!("../fixtures/work-report-breakdown-2024.txt"),
    ),
    (
        "livelihood-tasks-2022.txt",
        include_str!("../fixtures/livelihood-tasks-2022.txt"),
    ),
];

/// A demo account: username, password, what it is.
pub struct DemoAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub note: &'static str,
}

pub const ACCOUNTS: [DemoAccount; 3] = [
    DemoAccount {
        username: "bureau",
        password: "amber-lantern-river-5",
        role: Role::Bureau,
        note: "督查局: everything",
    },
    DemoAccount {
        username: "liuzhen",
        password: "cedar-window-thunder-8",
        role: Role::Leader,
        note: "leader 刘震: his tasks",
    },
    DemoAccount {
        username: "shangwu",
        password: "saffron-bridge-pillow-3",
        role: Role::Unit,
        note: "unit 市商务局: its tasks",
    },
];

/// Seeds the registry, imports the notices and creates the demo accounts.
pub async fn prepare(db: &DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<()> {
    let system = Principal::system();
    let fail = |err: crate::error::AppError| anyhow::anyhow!("demo setup failed: {err}");
    crate::import::seed::seed_registry(&system, db, now)
        .await
        .map_err(fail)?;
    for (name, text) in NOTICES {
        let source = crate::import::service::Source::text(text).map_err(fail)?;
        let (outcome, _) =
            crate::import::service::commit(&system, db, now, &source, &Overrides::default(), false)
                .await
                .map_err(fail)?;
        // With its reporting periods, so that obligations, reminders and figures have content.
        let periods = crate::periods::service::generate(&system, db, now, outcome.document.id)
            .await
            .map_err(fail)?;
        tracing::info!(
            file = name,
            document = outcome.document.id,
            tasks = outcome.counts.tasks_created,
            periods = periods.len(),
            "demo notice imported"
        );
    }
    let leader = leaders::Entity::find()
        .filter(leaders::Column::Name.eq("刘震"))
        .one(db)
        .await?;
    let unit = units::Entity::find()
        .filter(units::Column::Name.eq("市商务局"))
        .one(db)
        .await?;
    for account in ACCOUNTS {
        let (unit_id, leader_id) = match account.role {
            Role::Leader => (None, leader.as_ref().map(|l| l.id)),
            Role::Unit => (unit.as_ref().map(|u| u.id), None),
            _ => (None, None),
        };
        crate::users::service::create(
            &system,
            db,
            now,
            NewUser {
                username: account.username.to_owned(),
                display_name: None,
                password: account.password.to_owned(),
                role: account.role,
                unit_id,
                leader_id,
                scopes: Vec::new(),
            },
        )
        .await
        .map_err(fail)?;
    }
    Ok(())
}

/// A fresh SQLite database file for a demo run.
pub fn database_url() -> String {
    let path = std::env::temp_dir().join(format!("duban-demo-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    format!("sqlite://{}?mode=rwc", path.display())
}
