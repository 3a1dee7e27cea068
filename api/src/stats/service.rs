//! Counting reporting obligations and the tasks they belong to, in the database: the whole set
//! the actor may see (`reporting`) or one row per unit, leader, document, category or period
//! (`grouped`), in one or two aggregate statements whatever the number of rows (`aggregate`).

use chrono::{DateTime, Utc};
use entity::enums::TaskStatus;
use sea_orm::ConnectionTrait;

use super::aggregate::aggregate;
use super::groups::{self, Grouping};
use crate::auth::Principal;
use crate::deadline::{Thresholds, today_in_china};
use crate::error::AppResult;
use crate::obligations::ObligationFilter;
use crate::tasks::progress::WarningLevel;

/// Which due date on-time figures are measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, async_graphql::Enum)]
pub enum DueDateBasis {
    /// The period's due date as it stands, or the unit's approved extension.
    #[default]
    Current,
    /// The date first set for the period, ignoring moves and extensions.
    Original,
}

/// The counts over a set of obligations (one unit, one task, one period each) and their tasks.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Figures {
    pub obligations: u32,
    /// Whose due day (by the basis) has ended.
    pub due: u32,
    /// First submitted by the end of the due day.
    pub on_time: u32,
    /// First submitted after it.
    pub late: u32,
    /// Due, and nothing submitted.
    pub missing: u32,
    pub awaiting_review: u32,
    pub returned: u32,
    pub accepted: u32,
    /// The distinct tasks of those obligations.
    pub tasks: u32,
    /// The same tasks by status (statuses with none left out).
    pub tasks_by_status: Vec<(TaskStatus, u32)>,
    /// The same tasks by warning level now (levels with none left out).
    pub tasks_by_warning: Vec<(WarningLevel, u32)>,
    /// The mean of those tasks' percent complete; `None` without tasks.
    pub average_percent: Option<f64>,
    /// The indicators (measurable targets) of those tasks, and how their latest reported values
    /// stand against them (`reports::targets`).
    pub targets: Targets,
}

/// Indicators by how their latest actual values stand against their targets.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub indicators: u32,
    /// With a reported value.
    pub reported: u32,
    pub met: u32,
    pub not_met: u32,
    /// Reported, but with no number or in another unit than the target's.
    pub not_comparable: u32,
}

impl Figures {
    /// On-time submissions among those that were due or are in: `None` when there are none.
    pub fn on_time_rate(&self) -> Option<f64> {
        let counted = self.on_time + self.late + self.missing;
        (counted > 0).then(|| f64::from(self.on_time) / f64::from(counted))
    }
}

/// The figures of one group: its key (`None` for tasks without a category) and name.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFigures {
    pub key: Option<i64>,
    pub name: String,
    pub figures: Figures,
}

/// Which figures beside the obligations' counts to compute: each is more work, so each is
/// computed only when asked for (the schema looks ahead at the selected fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// The tasks' figures (`tasks`, by status and warning, mean percent): a statement more.
    pub tasks: bool,
    /// The indicators by target (`Figures::targets`), within the tasks' statement.
    pub targets: bool,
}

impl Parts {
    pub const ALL: Parts = Parts {
        tasks: true,
        targets: true,
    };
}

/// The figures of the obligations `actor` may see that match `filter`, at `now`, with the
/// `parts` asked for.
pub async fn reporting(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: ObligationFilter,
    basis: DueDateBasis,
    thresholds: Thresholds,
    parts: Parts,
) -> AppResult<Figures> {
    let today = today_in_china(now);
    let rows = aggregate(actor, db, today, &filter, basis, thresholds, None, parts).await?;
    Ok(rows.into_iter().next().map(|(_, f)| f).unwrap_or_default())
}

/// The same figures, one row per group (units, leaders, documents, categories or periods that
/// have obligations in view), in the group's own order (`groups::names`). A leader's row counts
/// the tasks that name them in person or by the post they hold; tasks named only collectively
/// (各位副市长) are in no leader's row.
#[allow(clippy::too_many_arguments)] // the figures' scope, basis and parts, each needed
pub async fn grouped(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: ObligationFilter,
    basis: DueDateBasis,
    thresholds: Thresholds,
    grouping: Grouping,
    targets: bool,
) -> AppResult<Vec<GroupFigures>> {
    let parts = Parts {
        tasks: true,
        targets,
    };
    let rows = aggregate(
        actor,
        db,
        today_in_china(now),
        &filter,
        basis,
        thresholds,
        Some(grouping),
        parts,
    )
    .await?;
    let keys: Vec<i64> = rows.iter().filter_map(|(key, _)| *key).collect();
    let names = groups::names(db, grouping, &keys).await?;
    let mut out: Vec<GroupFigures> = rows
        .into_iter()
        .map(|(key, figures)| {
            let name = key
                .and_then(|k| names.get(&k).map(|n| n.name.clone()))
                .unwrap_or_else(|| groups::NO_CATEGORY.to_owned());
            GroupFigures { key, name, figures }
        })
        .collect();
    out.sort_by_key(|row| {
        (
            row.key.is_none(),
            row.key.and_then(|k| names.get(&k).map(|n| n.order.clone())),
        )
    });
    Ok(out)
}
