//! Partners' contributions to the lead (配合单位应提前5个工作日将相关情况函告牵头单位). Under a
//! document's `LEAD_CONSOLIDATING` rule, the lead units owe the report, and every other unit of
//! the task sends the lead its part for the period by `contribution_lead_days` working days
//! before the period's due date. The lead reads every contribution of its task; a partner only
//! its own; the lead's submitted version consolidates those in at that moment, and the bureau
//! reads them on the version. A partner's contribution has its state (pending, submitted, late,
//! missing) and is reminded once when missing past its date.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::ObligationRule;
use entity::{contributions, documents, reminders, reporting_periods, tasks};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::deadline::{lateness, today_in_china};
use crate::error::{AppError, AppResult};
use crate::events::{self, EntityType, Event, EventKind};
use crate::obligations::{ReportKey, owing_units, part_of};
use crate::reminders::ReminderRule;
use crate::reminders::automatic::{Due, send};
use crate::validation::{TEXT_MAX, required_text};

/// Where a partner's contribution stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContributionState {
    /// Not yet sent; its date has not passed.
    Pending,
    Submitted,
    /// Sent after its date.
    Late,
    /// Not sent, and its date has passed.
    Missing,
}

/// One partner's contribution for a task and period, sent or not.
#[derive(Debug, Clone)]
pub struct PartnerPart {
    pub unit_id: i64,
    pub due_on: NaiveDate,
    pub state: ContributionState,
    pub row: Option<contributions::Model>,
}

/// The task, its period, its document's lead days, the lead units and the partners of `key`,
/// after checking the document consolidates.
struct Setting {
    task: tasks::Model,
    period: reporting_periods::Model,
    /// The document's `contribution_lead_days`: of the document, only it and the rule are read
    /// (its row carries the notice's whole original text).
    lead_days: i32,
    leads: Vec<i64>,
    partners: Vec<i64>,
}

async fn setting(
    actor: &Principal,
    db: &impl ConnectionTrait,
    key: ReportKey,
) -> AppResult<Setting> {
    let task = crate::tasks::query::get(actor, db, key.task_id).await?;
    let (rule, lead_days): (ObligationRule, i32) = documents::Entity::find_by_id(task.document_id)
        .select_only()
        .column(documents::Column::ObligationRule)
        .column(documents::Column::ContributionLeadDays)
        .into_tuple()
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("document"))?;
    if rule != ObligationRule::LeadConsolidating {
        return Err(AppError::conflict(
            "the notice's units report for themselves: its rule is not LEAD_CONSOLIDATING",
        ));
    }
    let period = reporting_periods::Entity::find_by_id(key.period_id)
        .one(db)
        .await?
        .filter(|p| p.document_id == task.document_id)
        .ok_or_else(|| {
            AppError::bad_field(
                "periodId",
                "no such reporting period of the task's document",
            )
        })?;
    let mut units = crate::tasks::query::units_of(db, &[task.id]).await?;
    let assignments = units.remove(&task.id).unwrap_or_default();
    let leads = owing_units(rule, &assignments);
    let mut partners: Vec<i64> = assignments
        .iter()
        .map(|a| a.unit_id)
        .filter(|u| !leads.contains(u))
        .collect();
    partners.dedup();
    Ok(Setting {
        task,
        period,
        lead_days,
        leads,
        partners,
    })
}

/// The partners' date: `lead_days` working days before the period's due date.
async fn due_on(
    db: &impl ConnectionTrait,
    period: &reporting_periods::Model,
    lead_days: i32,
) -> AppResult<NaiveDate> {
    let back = period.due_on - chrono::Days::new(u64::from(lead_days.max(0).unsigned_abs()) * 3);
    let calendar = crate::handover::receipts::calendar_from(db, back).await?;
    Ok(calendar.sub_working_days(period.due_on, lead_days.max(0).unsigned_abs()))
}

/// Sends (or rewrites, until the lead has consolidated it) the signed-in partner's part.
pub async fn submit(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    key: ReportKey,
    text: &str,
) -> AppResult<contributions::Model> {
    let unit_id = actor
        .unit_id()
        .ok_or_else(|| AppError::forbidden("a partner unit sends its contribution"))?;
    let user_id = actor
        .user_id
        .ok_or_else(|| AppError::forbidden("the system does not contribute"))?;
    let text = required_text("text", text, TEXT_MAX)?;
    let txn = db.begin().await?;
    let s = setting(actor, &txn, key).await?;
    if s.leads.contains(&unit_id) {
        return Err(AppError::conflict(
            "the lead consolidates its partners' contributions into its own report",
        ));
    }
    if part_of(&txn, &s.task, unit_id).await?.is_none() {
        return Err(AppError::forbidden("your unit has no part in this task"));
    }
    let existing = contributions::Entity::find()
        .filter(contributions::Column::TaskId.eq(key.task_id))
        .filter(contributions::Column::PeriodId.eq(key.period_id))
        .filter(contributions::Column::UnitId.eq(unit_id))
        .one(&txn)
        .await?;
    let stored = match existing {
        Some(row) if row.version_id.is_some() => {
            return Err(AppError::conflict(
                "the lead has consolidated this contribution into its report",
            ));
        }
        Some(row) => {
            let mut active = row.into_active_model();
            active.text = Set(text);
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            let due_on = due_on(&txn, &s.period, s.lead_days).await?;
            contributions::ActiveModel {
                task_id: Set(key.task_id),
                period_id: Set(key.period_id),
                unit_id: Set(unit_id),
                due_on: Set(due_on),
                text: Set(text),
                submitted_by: Set(user_id),
                submitted_at: Set(now),
                updated_at: Set(now),
                late: Set(lateness(due_on, now).is_some()),
                version_id: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::ContributionSubmitted,
            EntityType::Task,
            Some(key.task_id),
            &stored,
        ),
    )
    .await?;
    // Told to the lead units (函告牵头单位), not to the other partners.
    for lead in &s.leads {
        events::record(
            &txn,
            now,
            Event {
                kind: EventKind::ContributionSubmitted,
                entity_type: EntityType::Task,
                entity_id: key.task_id,
                task_id: Some(key.task_id),
                unit_id: Some(*lead),
                payload: &serde_json::json!({
                    "task": key.task_id, "period": key.period_id, "unit": unit_id,
                    "late": stored.late,
                }),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(stored)
}

/// The partners' parts of `key` as `actor` may read them: the lead units, the task's leaders,
/// the bureau and machine accounts every partner's; a partner its own.
pub async fn parts(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    key: ReportKey,
) -> AppResult<Vec<PartnerPart>> {
    let s = setting(actor, db, key).await?;
    let shown: Vec<i64> = match actor.unit_id() {
        Some(mine) if s.leads.contains(&mine) => s.partners.clone(),
        Some(mine) if s.partners.contains(&mine) => vec![mine],
        Some(_) => return Err(AppError::forbidden("your unit has no part in this task")),
        None => s.partners.clone(),
    };
    let due = due_on(db, &s.period, s.lead_days).await?;
    let mut rows: HashMap<i64, contributions::Model> = contributions::Entity::find()
        .filter(contributions::Column::TaskId.eq(key.task_id))
        .filter(contributions::Column::PeriodId.eq(key.period_id))
        .filter(contributions::Column::UnitId.is_in(shown.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.unit_id, c))
        .collect();
    let today = today_in_china(now);
    Ok(shown
        .into_iter()
        .map(|unit_id| {
            let row = rows.remove(&unit_id);
            let due_on = row.as_ref().map_or(due, |r| r.due_on);
            let state = match &row {
                Some(r) if r.late => ContributionState::Late,
                Some(_) => ContributionState::Submitted,
                None if today > due_on => ContributionState::Missing,
                None => ContributionState::Pending,
            };
            PartnerPart {
                unit_id,
                due_on,
                state,
                row,
            }
        })
        .collect())
}

/// Consolidates the partners' contributions of `key` not yet consolidated into the lead's new
/// version, in the submission's transaction (`submit` calls it under `LEAD_CONSOLIDATING`
/// only). One statement.
pub async fn consolidate(
    txn: &DatabaseTransaction,
    key: ReportKey,
    version_id: i64,
) -> AppResult<()> {
    contributions::Entity::update_many()
        .col_expr(contributions::Column::VersionId, Expr::value(version_id))
        .filter(contributions::Column::TaskId.eq(key.task_id))
        .filter(contributions::Column::PeriodId.eq(key.period_id))
        .filter(contributions::Column::VersionId.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// The contributions consolidated into each of `version_ids` (the caller may read the
/// versions).
pub async fn of_versions(
    db: &impl ConnectionTrait,
    version_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<contributions::Model>>> {
    let mut by_version: HashMap<i64, Vec<contributions::Model>> = HashMap::new();
    for row in contributions::Entity::find()
        .filter(contributions::Column::VersionId.is_in(version_ids.iter().copied()))
        .order_by_asc(contributions::Column::Id)
        .all(db)
        .await?
    {
        if let Some(version) = row.version_id {
            by_version.entry(version).or_default().push(row);
        }
    }
    Ok(by_version)
}

/// Reminds each partner once whose contribution is missing past its date (the deadline job).
/// Per consolidating document and period past its partners' date: the tasks' partners without
/// a contribution; the keys already sent are read first.
pub async fn remind(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u32> {
    let today = today_in_china(now);
    let consolidating = documents::Entity::find()
        .filter(documents::Column::ObligationRule.eq(ObligationRule::LeadConsolidating))
        .all(db)
        .await?;
    let mut due = Vec::new();
    for document in consolidating {
        let periods = reporting_periods::Entity::find()
            .filter(reporting_periods::Column::DocumentId.eq(document.id))
            .filter(reporting_periods::Column::DueOn.gte(today))
            .all(db)
            .await?;
        for period in periods {
            let partners_due = due_on(db, &period, document.contribution_lead_days).await?;
            if today <= partners_due {
                continue;
            }
            let open: Vec<tasks::Model> = tasks::Entity::find()
                .filter(tasks::Column::DocumentId.eq(document.id))
                .filter(tasks::Column::DeletedAt.is_null())
                .filter(tasks::Column::Status.is_not_in([
                    entity::enums::TaskStatus::Completed,
                    entity::enums::TaskStatus::Cancelled,
                ]))
                .all(db)
                .await?;
            let ids: Vec<i64> = open.iter().map(|t| t.id).collect();
            let units = crate::tasks::query::units_of(db, &ids).await?;
            let sent: HashSet<(i64, i64)> = contributions::Entity::find()
                .select_only()
                .column(contributions::Column::TaskId)
                .column(contributions::Column::UnitId)
                .filter(contributions::Column::PeriodId.eq(period.id))
                .into_tuple()
                .all(db)
                .await?
                .into_iter()
                .collect();
            for task in &open {
                let assigned = units.get(&task.id).map(Vec::as_slice).unwrap_or_default();
                let leads = owing_units(document.obligation_rule, assigned);
                let mut partners: Vec<i64> = assigned
                    .iter()
                    .map(|a| a.unit_id)
                    .filter(|u| !leads.contains(u) && !sent.contains(&(task.id, *u)))
                    .collect();
                partners.dedup();
                for unit_id in partners {
                    let rule = ReminderRule::ContributionOverdue;
                    let key = format!("{}:{}:{}:{}", rule.as_str(), task.id, period.id, unit_id);
                    due.push(Due {
                        key: key.clone(),
                        row: reminders::ActiveModel {
                            task_id: Set(task.id),
                            period_id: Set(Some(period.id)),
                            unit_id: Set(unit_id),
                            sender_id: Set(None),
                            rule: Set(rule.as_str().to_owned()),
                            dedup_key: Set(Some(key)),
                            message: Set(format!(
                                "【自动提醒】第{}项 {} 应于{}前将配合情况函告牵头单位，尚未报送，请尽快报送。",
                                task.seq, period.label, partners_due
                            )),
                            created_at: Set(now),
                            acknowledged_at: Set(None),
                            acknowledged_by: Set(None),
                            ..Default::default()
                        },
                    });
                }
            }
        }
    }
    if due.is_empty() {
        return Ok(0);
    }
    let already: HashSet<String> = reminders::Entity::find()
        .select_only()
        .column(reminders::Column::DedupKey)
        .filter(reminders::Column::DedupKey.is_in(due.iter().map(|d| d.key.clone())))
        .into_tuple::<Option<String>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let mut missing: Vec<Due> = due
        .into_iter()
        .filter(|d| !already.contains(&d.key))
        .collect();
    if missing.is_empty() {
        return Ok(0);
    }
    missing.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    let txn = db.begin().await?;
    let mut created = 0;
    for reminder in &missing {
        if send(&txn, now, reminder).await? {
            created += 1;
        }
    }
    txn.commit().await?;
    Ok(created)
}
