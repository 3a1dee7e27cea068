//! Business rules of the escalation ladder: the bureau's steps, the unit's reply, the recorded
//! outcome, who reads them, and the year's figures.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::enums::EscalationLevel;
use entity::{escalations, leader_units, obligations};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::deadline::{china, today_in_china};
use crate::error::{AppError, AppResult};
use crate::events::{self, EntityType, Event, EventKind};
use crate::obligations::ReportKey;
use crate::pagination::{Page, PageRequest};
use crate::validation::{NAME_MAX, TEXT_MAX, optional_text, required_text};

/// A step to take with a unit about one obligation.
#[derive(Debug, Clone)]
pub struct NewEscalation {
    pub key: ReportKey,
    pub unit_id: i64,
    pub level: EscalationLevel,
    pub reason: String,
}

/// Takes a step of the ladder (BUREAU) with a unit whose report is overdue. Each level once per
/// obligation; a 督办单 gets the year's next number.
pub async fn issue(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewEscalation,
) -> AppResult<escalations::Model> {
    actor.require_bureau()?;
    let reason = required_text("reason", &input.reason, TEXT_MAX)?;
    let txn = db.begin().await?;
    let today = today_in_china(now);
    let owed = obligations::Entity::find()
        .filter(obligations::Column::TaskId.eq(input.key.task_id))
        .filter(obligations::Column::PeriodId.eq(input.key.period_id))
        .filter(obligations::Column::UnitId.eq(input.unit_id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("obligation of that unit for the task and period"))?;
    if !is_overdue(&owed, today) {
        return Err(AppError::conflict(
            "the report is not overdue: the ladder is for reports missing past their due date",
        ));
    }
    let stored = insert(&txn, actor, now, &owed, input.level, reason, today)
        .await?
        .ok_or_else(|| AppError::conflict("that step was already taken for this report"))?;
    txn.commit().await?;
    Ok(stored)
}

/// Whether nothing is in for `owed` and its due day has passed (the `OVERDUE` state).
fn is_overdue(owed: &obligations::Model, today: NaiveDate) -> bool {
    use entity::enums::ReportState;
    matches!(owed.report_state, None | Some(ReportState::Draft)) && owed.due_on < today
}

/// Inserts a step with its audit row and event, numbering a 督办单; `None` when the step was
/// already taken for this obligation (by another instance, or before).
pub(super) async fn insert(
    txn: &DatabaseTransaction,
    actor: &Principal,
    now: DateTime<Utc>,
    owed: &obligations::Model,
    level: EscalationLevel,
    reason: String,
    today: NaiveDate,
) -> AppResult<Option<escalations::Model>> {
    let taken = || {
        escalations::Entity::find()
            .filter(escalations::Column::TaskId.eq(owed.task_id))
            .filter(escalations::Column::PeriodId.eq(owed.period_id))
            .filter(escalations::Column::UnitId.eq(owed.unit_id))
            .filter(escalations::Column::Level.eq(level))
            .one(txn)
    };
    if taken().await?.is_some() {
        return Ok(None);
    }
    // A number another instance took in the meantime is skipped: a few tries, then the next
    // run (or the bureau's retry) takes it.
    let mut next = match level {
        EscalationLevel::SupervisionNotice => Some(numbered_this_year(txn, today).await? + 1),
        _ => None,
    };
    for _ in 0..5 {
        let number = next.map(|n| format!("督办〔{}〕{n}号", today.year()));
        let row = escalations::ActiveModel {
            task_id: Set(owed.task_id),
            period_id: Set(owed.period_id),
            unit_id: Set(owed.unit_id),
            level: Set(level),
            number: Set(number.clone()),
            reason: Set(reason.clone()),
            days_overdue: Set(i32::try_from((today - owed.due_on).num_days()).unwrap_or(i32::MAX)),
            issued_by: Set(actor.user_id),
            issued_at: Set(now),
            ..Default::default()
        };
        let inserted = escalations::Entity::insert(row)
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(txn)
            .await?;
        if inserted == 1 {
            let stored = taken()
                .await?
                .ok_or_else(|| AppError::not_found("escalation"))?;
            record(txn, actor, now, EventKind::EscalationIssued, None, &stored).await?;
            return Ok(Some(stored));
        }
        if taken().await?.is_some() {
            return Ok(None);
        }
        next = next.map(|n| n + 1);
    }
    Err(AppError::conflict(
        "the supervision notice's number was taken meanwhile; try again",
    ))
}

/// How many 督办单 were numbered in `today`'s year.
async fn numbered_this_year(txn: &DatabaseTransaction, today: NaiveDate) -> AppResult<u64> {
    Ok(escalations::Entity::find()
        .filter(escalations::Column::Number.starts_with(format!("督办〔{}〕", today.year())))
        .count(txn)
        .await?)
}

/// The unit's reply (整改情况) to a step addressed to it: once.
pub async fn reply(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    text: &str,
) -> AppResult<escalations::Model> {
    let unit_id = actor
        .unit_id()
        .ok_or_else(|| AppError::forbidden("only the unit it is addressed to replies"))?;
    let text = required_text("reply", text, TEXT_MAX)?;
    let txn = db.begin().await?;
    let before = escalations::Entity::find_by_id(id)
        .filter(escalations::Column::UnitId.eq(unit_id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("escalation"))?;
    let updated = escalations::Entity::update_many()
        .col_expr(escalations::Column::Reply, Expr::value(text))
        .col_expr(escalations::Column::RepliedBy, Expr::value(actor.user_id))
        .col_expr(escalations::Column::RepliedAt, Expr::value(now))
        .filter(escalations::Column::Id.eq(id))
        .filter(escalations::Column::RepliedAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict("the unit has already replied"));
    }
    let after = reread(&txn, id).await?;
    record(
        &txn,
        actor,
        now,
        EventKind::EscalationReplied,
        Some(&before),
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// What the bureau records to close a step: its outcome, and for a 约谈 who was interviewed and
/// when.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub outcome: String,
    pub interviewee: Option<String>,
    pub held_on: Option<NaiveDate>,
}

/// Records a step's outcome (BUREAU): once.
pub async fn conclude(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    input: Outcome,
) -> AppResult<escalations::Model> {
    actor.require_bureau()?;
    let outcome = required_text("outcome", &input.outcome, TEXT_MAX)?;
    let interviewee = optional_text("interviewee", input.interviewee.as_deref(), NAME_MAX)?;
    let txn = db.begin().await?;
    let before = reread(&txn, id).await?;
    if before.level == EscalationLevel::Interview
        && (interviewee.is_none() || input.held_on.is_none())
    {
        return Err(AppError::bad_field(
            "interviewee",
            "an interview's outcome names who was interviewed and the day (heldOn)",
        ));
    }
    if input.held_on.is_some_and(|day| day > today_in_china(now)) {
        return Err(AppError::bad_field("heldOn", "is in the future"));
    }
    let updated = escalations::Entity::update_many()
        .col_expr(escalations::Column::Outcome, Expr::value(outcome))
        .col_expr(escalations::Column::Interviewee, Expr::value(interviewee))
        .col_expr(escalations::Column::HeldOn, Expr::value(input.held_on))
        .col_expr(escalations::Column::OutcomeBy, Expr::value(actor.user_id))
        .col_expr(escalations::Column::OutcomeAt, Expr::value(now))
        .filter(escalations::Column::Id.eq(id))
        .filter(escalations::Column::OutcomeAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict("the outcome is already recorded"));
    }
    let after = reread(&txn, id).await?;
    record(
        &txn,
        actor,
        now,
        EventKind::EscalationConcluded,
        Some(&before),
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

async fn reread(db: &impl ConnectionTrait, id: i64) -> AppResult<escalations::Model> {
    escalations::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("escalation"))
}

/// The audit row and the event of a step, addressed to its unit.
async fn record(
    txn: &DatabaseTransaction,
    actor: &Principal,
    now: DateTime<Utc>,
    kind: EventKind,
    before: Option<&escalations::Model>,
    after: &escalations::Model,
) -> AppResult<()> {
    let change = Change::step(kind, EntityType::Escalation, Some(after.id), before, after);
    audit::record(txn, actor, now, change).await?;
    events::record(
        txn,
        now,
        Event {
            kind,
            entity_type: EntityType::Escalation,
            entity_id: after.id,
            task_id: Some(after.task_id),
            unit_id: Some(after.unit_id),
            payload: after,
        },
    )
    .await
}

/// What `actor` reads: a unit the steps addressed to it; a leader those on its tasks and those
/// addressed to the units it supervises; a reviewing office those on the tasks it reviews; the
/// bureau and machine accounts all.
fn readable(actor: &Principal) -> Condition {
    match &actor.scope {
        Scope::Unit { unit_id } => Condition::all().add(escalations::Column::UnitId.eq(*unit_id)),
        Scope::Leader { leader_id, .. } => Condition::any()
            .add(escalations::Column::TaskId.in_subquery(crate::tasks::query::visible_ids(actor)))
            .add(
                escalations::Column::UnitId.in_subquery(
                    Query::select()
                        .column(leader_units::Column::UnitId)
                        .from(leader_units::Entity)
                        .and_where(leader_units::Column::LeaderId.eq(*leader_id))
                        .to_owned(),
                ),
            ),
        // An office the steps on the tasks it reviews.
        Scope::Office { .. } => Condition::all()
            .add(escalations::Column::TaskId.in_subquery(crate::tasks::query::visible_ids(actor))),
        Scope::Bureau | Scope::Service => Condition::all(),
    }
}

/// What a list of steps is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct EscalationFilter {
    pub unit_id: Option<i64>,
    pub task_id: Option<i64>,
    pub level: Option<EscalationLevel>,
    /// Issued in this year (in Beijing).
    pub year: Option<i32>,
    /// Not yet replied to by the unit.
    pub unreplied: bool,
}

/// The first instant of `year` in Beijing and of the year after.
fn year_bounds(year: i32) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
    let start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(china()).single())
            .map(|t| t.with_timezone(&Utc))
    };
    match (start(year), start(year + 1)) {
        (Some(from), Some(to)) if (2000..=2100).contains(&year) => Ok((from, to)),
        _ => Err(AppError::bad_field("year", "must be from 2000 to 2100")),
    }
}

fn condition(actor: &Principal, filter: &EscalationFilter) -> AppResult<Condition> {
    let mut condition = Condition::all().add(readable(actor));
    if let Some(unit_id) = filter.unit_id {
        condition = condition.add(escalations::Column::UnitId.eq(unit_id));
    }
    if let Some(task_id) = filter.task_id {
        condition = condition.add(escalations::Column::TaskId.eq(task_id));
    }
    if let Some(level) = filter.level {
        condition = condition.add(escalations::Column::Level.eq(level));
    }
    if filter.unreplied {
        condition = condition.add(escalations::Column::RepliedAt.is_null());
    }
    if let Some(year) = filter.year {
        let (from, to) = year_bounds(year)?;
        condition = condition
            .add(escalations::Column::IssuedAt.gte(from))
            .add(escalations::Column::IssuedAt.lt(to));
    }
    Ok(condition)
}

/// Steps `actor` may read, newest first.
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    filter: &EscalationFilter,
    page: PageRequest,
) -> AppResult<Page<escalations::Model>> {
    let query = escalations::Entity::find().filter(condition(actor, filter)?);
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_desc(escalations::Column::IssuedAt)
        .order_by_desc(escalations::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

/// The steps among `ids` that `actor` may read, for `nodes`.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, escalations::Model>> {
    Ok(escalations::Entity::find()
        .filter(readable(actor).add(escalations::Column::Id.is_in(ids.iter().copied())))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect())
}

/// A year of the ladder as `actor` may see it: steps of each level, and the units that received
/// a 督办单 (most first, then by id).
#[derive(Debug, Clone, Default)]
pub struct YearFigures {
    pub by_level: Vec<(EscalationLevel, u64)>,
    pub units_with_notices: Vec<(i64, u64)>,
}

/// The year's figures, in two aggregate statements.
pub async fn figures(
    actor: &Principal,
    db: &impl ConnectionTrait,
    year: i32,
) -> AppResult<YearFigures> {
    let filter = EscalationFilter {
        year: Some(year),
        ..Default::default()
    };
    let by_level: Vec<(EscalationLevel, i64)> = escalations::Entity::find()
        .select_only()
        .column(escalations::Column::Level)
        .column_as(escalations::Column::Id.count(), "n")
        .filter(condition(actor, &filter)?)
        .group_by(escalations::Column::Level)
        .into_tuple()
        .all(db)
        .await?;
    let mut units: Vec<(i64, i64)> = escalations::Entity::find()
        .select_only()
        .column(escalations::Column::UnitId)
        .column_as(escalations::Column::Id.count(), "n")
        .filter(condition(actor, &filter)?)
        .filter(escalations::Column::Level.eq(EscalationLevel::SupervisionNotice))
        .group_by(escalations::Column::UnitId)
        .into_tuple()
        .all(db)
        .await?;
    units.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let count = |level| {
        by_level
            .iter()
            .find(|(l, _)| *l == level)
            .map_or(0, |(_, n)| n.unsigned_abs())
    };
    Ok(YearFigures {
        by_level: [
            EscalationLevel::Urge,
            EscalationLevel::SupervisionNotice,
            EscalationLevel::Interview,
        ]
        .into_iter()
        .map(|level| (level, count(level)))
        .collect(),
        units_with_notices: units
            .into_iter()
            .map(|(unit, n)| (unit, n.unsigned_abs()))
            .collect(),
    })
}
