//! A unit's own sign-off (审核签发). In a unit that requires it (`units.signoff_required`),
//! its clerk (经办人) puts a report to the unit's head (单位负责人) instead of submitting it; the
//! head approves, and the report goes to the bureau as a version that names who drafted it and
//! who approved it, measured for lateness when the head approved; or the head returns it to the
//! clerk with a comment, which stays inside the unit. Only a head submits directly.
//!
//! The step is the unit's business: its events are addressed to the unit without a task, so
//! the unit's accounts and the bureau hear them, not the task's leaders or other units.

use chrono::{DateTime, Utc};
use entity::enums::{SignoffState, UnitPost};
use entity::report_signoffs;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::error::{AppError, AppResult};
use crate::events::{self, EntityType, Event, EventKind};
use crate::obligations::{ReportKey, owing_unit};
use crate::pagination::{Page, PageRequest};
use crate::reports::posts::unit_rule;
use crate::reports::service::ReportContent;
use crate::reports::submit::Extras;
use crate::reports::values::IndicatorValue;
use crate::validation::{TEXT_MAX, required_text};

/// What the clerk submitted, kept until the head decides.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    pub progress: Option<String>,
    pub problems: Option<String>,
    pub next_steps: Option<String>,
    pub percent: Option<i32>,
    pub indicator_values: Option<Vec<IndicatorValue>>,
    pub attachment_ids: Vec<i64>,
}

/// Puts a report to the unit's head (a clerk of a unit that signs off). Idempotent by key.
pub async fn put_to_head(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    key: ReportKey,
    idempotency_key: &str,
    draft: Draft,
) -> AppResult<report_signoffs::Model> {
    let idempotency_key = required_text("idempotencyKey", idempotency_key, 100)?;
    let user_id = actor
        .user_id
        .ok_or_else(|| AppError::forbidden("the system does not draft reports"))?;
    if draft
        .progress
        .as_deref()
        .is_none_or(|p| p.trim().is_empty())
    {
        return Err(AppError::bad_field(
            "progress",
            "a report needs its progress (进展情况)",
        ));
    }
    let txn = db.begin().await?;
    let (unit_id, _) = owing_unit(actor, &txn, key).await?;
    match unit_rule(&txn, actor, unit_id).await? {
        (false, _) => {
            return Err(AppError::conflict(
                "the unit does not sign its reports off; submit the report (submitReport)",
            ));
        }
        (true, Some(UnitPost::Head)) => {
            return Err(AppError::conflict(
                "the head submits directly (submitReport)",
            ));
        }
        (true, _) => {}
    }
    let mine = report_signoffs::Entity::find()
        .filter(report_signoffs::Column::TaskId.eq(key.task_id))
        .filter(report_signoffs::Column::PeriodId.eq(key.period_id))
        .filter(report_signoffs::Column::UnitId.eq(unit_id));
    if let Some(retry) = mine
        .clone()
        .filter(report_signoffs::Column::IdempotencyKey.eq(&idempotency_key))
        .one(&txn)
        .await?
    {
        return Ok(retry);
    }
    if mine
        .filter(report_signoffs::Column::State.eq(SignoffState::Pending))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "a draft of this report is already with the head",
        ));
    }
    let stored = report_signoffs::ActiveModel {
        task_id: Set(key.task_id),
        period_id: Set(key.period_id),
        unit_id: Set(unit_id),
        idempotency_key: Set(idempotency_key),
        content: Set(serde_json::to_value(&draft).map_err(|e| AppError::Internal(e.into()))?),
        state: Set(SignoffState::Pending),
        drafted_by: Set(user_id),
        drafted_at: Set(now),
        decided_by: Set(None),
        decided_at: Set(None),
        comment: Set(None),
        version_id: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(&txn, actor, now, EventKind::SignoffRequested, None, &stored).await?;
    txn.commit().await?;
    Ok(stored)
}

/// The pending draft `id` of the head's own unit, or NOT_FOUND / FORBIDDEN.
async fn pending_for_head(
    actor: &Principal,
    txn: &DatabaseTransaction,
    id: i64,
) -> AppResult<report_signoffs::Model> {
    let unit_id = actor
        .unit_id()
        .ok_or_else(|| AppError::forbidden("the unit's head signs its reports off"))?;
    let row = report_signoffs::Entity::find_by_id(id)
        .filter(report_signoffs::Column::UnitId.eq(unit_id))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("draft"))?;
    if unit_rule(txn, actor, unit_id).await?.1 != Some(UnitPost::Head) {
        return Err(AppError::forbidden("the unit's head signs its reports off"));
    }
    if row.state != SignoffState::Pending {
        return Err(AppError::conflict(format!(
            "the draft was already decided ({:?})",
            row.state
        )));
    }
    Ok(row)
}

/// Approves a draft (the unit's HEAD): it is submitted to the bureau now, naming its drafter
/// and its approver, with the drafter's attachments.
pub async fn approve(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
) -> AppResult<(
    report_signoffs::Model,
    entity::progress_reports::Model,
    entity::report_versions::Model,
)> {
    let txn = db.begin().await?;
    let before = pending_for_head(actor, &txn, id).await?;
    let draft: Draft =
        serde_json::from_value(before.content.clone()).map_err(|e| AppError::Internal(e.into()))?;
    let key = ReportKey {
        task_id: before.task_id,
        period_id: before.period_id,
    };
    let (report, version) = crate::reports::submit::submit(
        actor,
        &txn,
        now,
        key,
        &before.idempotency_key,
        Some(ReportContent {
            progress: draft.progress,
            problems: draft.problems,
            next_steps: draft.next_steps,
            percent: draft.percent,
        }),
        Extras {
            indicator_values: draft.indicator_values,
            attachment_ids: draft.attachment_ids,
            drafted_by: Some(before.drafted_by),
        },
    )
    .await?;
    let after = decide(
        &txn,
        actor,
        &before,
        SignoffState::Approved,
        None,
        Some(version.id),
        now,
    )
    .await?;
    record(
        &txn,
        actor,
        now,
        EventKind::SignoffApproved,
        Some(&before),
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok((after, report, version))
}

/// Returns a draft to its clerk (the unit's HEAD), saying why; nothing reaches the bureau.
pub async fn return_to_clerk(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    comment: &str,
) -> AppResult<report_signoffs::Model> {
    let comment = required_text("comment", comment, TEXT_MAX)?;
    let txn = db.begin().await?;
    let before = pending_for_head(actor, &txn, id).await?;
    let after = decide(
        &txn,
        actor,
        &before,
        SignoffState::Returned,
        Some(comment),
        None,
        now,
    )
    .await?;
    record(
        &txn,
        actor,
        now,
        EventKind::SignoffReturned,
        Some(&before),
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

async fn decide(
    txn: &DatabaseTransaction,
    actor: &Principal,
    before: &report_signoffs::Model,
    state: SignoffState,
    comment: Option<String>,
    version_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<report_signoffs::Model> {
    // Conditional on PENDING: of two heads deciding at once, one does.
    let updated = report_signoffs::Entity::update_many()
        .col_expr(report_signoffs::Column::State, Expr::value(state))
        .col_expr(
            report_signoffs::Column::DecidedBy,
            Expr::value(actor.user_id),
        )
        .col_expr(report_signoffs::Column::DecidedAt, Expr::value(now))
        .col_expr(report_signoffs::Column::Comment, Expr::value(comment))
        .col_expr(report_signoffs::Column::VersionId, Expr::value(version_id))
        .filter(report_signoffs::Column::Id.eq(before.id))
        .filter(report_signoffs::Column::State.eq(SignoffState::Pending))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict("the draft was decided meanwhile"));
    }
    report_signoffs::Entity::find_by_id(before.id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("draft"))
}

/// The audit row and the event of a step, addressed to the unit alone (no task: the task's
/// leaders and other units do not hear a unit's internal steps).
async fn record(
    txn: &DatabaseTransaction,
    actor: &Principal,
    now: DateTime<Utc>,
    kind: EventKind,
    before: Option<&report_signoffs::Model>,
    after: &report_signoffs::Model,
) -> AppResult<()> {
    let change = Change::step(kind, EntityType::Signoff, Some(after.id), before, after);
    audit::record(txn, actor, now, change).await?;
    events::record(
        txn,
        now,
        Event {
            kind,
            entity_type: EntityType::Signoff,
            entity_id: after.id,
            task_id: None,
            unit_id: Some(after.unit_id),
            payload: &serde_json::json!({
                "signoff": after.id,
                "task": after.task_id,
                "period": after.period_id,
                "state": after.state,
            }),
        },
    )
    .await
}

/// The drafts among `ids` that `actor` may read, for `nodes` (as `list`).
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, report_signoffs::Model>> {
    let condition = match &actor.scope {
        Scope::Unit { unit_id } => {
            Condition::all().add(report_signoffs::Column::UnitId.eq(*unit_id))
        }
        Scope::Bureau | Scope::Service => Condition::all(),
        Scope::Leader { .. } | Scope::Office { .. } => return Ok(Default::default()),
    };
    Ok(report_signoffs::Entity::find()
        .filter(condition.add(report_signoffs::Column::Id.is_in(ids.iter().copied())))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect())
}

/// Drafts `actor` may read: a unit's accounts their unit's; the bureau and machine accounts
/// all (to see how units work); a leader none (the step is inside the unit).
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    state: Option<SignoffState>,
    page: PageRequest,
) -> AppResult<Page<report_signoffs::Model>> {
    let mut condition = match &actor.scope {
        Scope::Unit { unit_id } => {
            Condition::all().add(report_signoffs::Column::UnitId.eq(*unit_id))
        }
        Scope::Bureau | Scope::Service => Condition::all(),
        Scope::Leader { .. } | Scope::Office { .. } => {
            return Err(AppError::forbidden(
                "a unit's drafts are its own and the bureau's to read",
            ));
        }
    };
    if let Some(state) = state {
        condition = condition.add(report_signoffs::Column::State.eq(state));
    }
    let query = report_signoffs::Entity::find().filter(condition);
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_desc(report_signoffs::Column::DraftedAt)
        .order_by_desc(report_signoffs::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}
