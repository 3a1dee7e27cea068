//! `api serve --demo`: a fresh database with the default registry, the two bundled notices
//! moved to the year being played (`shift`) and imported with their reporting periods, one
//! account per role, and the year to date played through the services (`year`): reports on
//! time, late, returned and missing, reminders, extensions, instructions and published notices,
//! so that every page, figure and ranking shows something the minute the server starts.
//!
//! - `shift` (pure): the year the demo plays and the notices' years moved to it.
//! - `plan` (pure, from a fixed seed): the year's steps; `play` carries them out.

pub mod plan;
pub mod play;
pub mod shift;

use chrono::{DateTime, Utc};
use entity::enums::Role;
use entity::{leaders, units, users};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::auth::Principal;
use crate::deadline::today_in_china;
use crate::import::commit::Overrides;
use crate::users::service::NewUser;

/// The notices bundled with Duban, as published, with the year each was written for.
pub const NOTICES: [(&str, &str, i32); 2] = [
    (
        "work-report-breakdown-2024.txt",
        include_str!("../../fixtures/work-report-breakdown-2024.txt"),
        2024,
    ),
    (
        "livelihood-tasks-2022.txt",
        include_str!("../../fixtures/livelihood-tasks-2022.txt"),
        2022,
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

/// Seeds the registry, imports the notices moved to the demo's year, creates the demo
/// accounts and plays the year to `now`.
pub async fn prepare(db: &DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<play::Played> {
    let system = Principal::system();
    let fail = |err: crate::error::AppError| anyhow::anyhow!("demo setup failed: {err}");
    crate::import::seed::seed_registry(&system, db, now)
        .await
        .map_err(fail)?;
    let played_year = shift::demo_year(today_in_china(now));
    for (name, text, written_for) in NOTICES {
        let text = shift::shift_years(text, played_year - written_for);
        let source = crate::import::service::Source::text(&text).map_err(fail)?;
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
            year = played_year,
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
    let mut made = Vec::new();
    for account in ACCOUNTS {
        let (unit_id, leader_id) = match account.role {
            Role::Leader => (None, leader.as_ref().map(|l| l.id)),
            Role::Unit => (unit.as_ref().map(|u| u.id), None),
            _ => (None, None),
        };
        made.push(
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
                    unit_post: None,
                },
            )
            .await
            .map_err(fail)?,
        );
    }
    let find = |role: Role| made.iter().find(|u: &&users::Model| u.role == role);
    let bureau = find(Role::Bureau).ok_or_else(|| anyhow::anyhow!("no demo bureau account"))?;
    let played = play::play(db, now, played_year, bureau, find(Role::Leader)).await?;
    tracing::info!(
        submissions = played.submissions,
        reviews = played.reviews,
        reminders = played.reminders,
        completed = played.completed,
        notices = played.notices,
        "demo year played"
    );
    Ok(played)
}

/// A fresh SQLite database file for a demo run.
pub fn database_url() -> String {
    let path = std::env::temp_dir().join(format!("duban-demo-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    format!("sqlite://{}?mode=rwc", path.display())
}
