//! Business rules of extension requests.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::ExtensionState;
use entity::extension_requests;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::deadline::today_in_china;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::events::{self, Event};
use crate::obligations::{ReportKey, effective_due, owing_unit};
use crate::pagination::{Page, PageRequest};
use crate::validation::{TEXT_MAX, optional_text, required_text};

/// Asks for a later due date (UNIT that owes the report), before the current one has passed.
pub async fn request(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    key: ReportKey,
    requested_due_on: NaiveDate,
    reason: &str,
) -> AppResult<extension_requests::Model> {
    let reason = required_text("reason", reason, TEXT_MAX)?;
    let txn = db.begin().await?;
    let (unit_id, period) = owing_unit(actor, &txn, key).await?;
    let current = effective_due(&txn, key, unit_id, &period).await?;
    if today_in_china(now) > current {
        return Err(AppError::conflict(format!(
            "the due date {current} has passed; an extension is asked for before it"
        )));
    }
    if requested_due_on <= current {
        return Err(AppError::bad_field(
            "requestedDueOn",
            format!("must be after the current due date {current}"),
        ));
    }
    let pending = extension_requests::Entity::find()
        .filter(extension_requests::Column::TaskId.eq(key.task_id))
        .filter(extension_requests::Column::PeriodId.eq(key.period_id))
        .filter(extension_requests::Column::UnitId.eq(unit_id))
        .filter(extension_requests::Column::State.eq(ExtensionState::Pending))
        .count(&txn)
        .await?;
    if pending > 0 {
        return Err(AppError::conflict(
            "a request for this task and period is already awaiting a decision",
        ));
    }
    let stored = extension_requests::ActiveModel {
        task_id: Set(key.task_id),
        unit_id: Set(unit_id),
        period_id: Set(Some(key.period_id)),
        original_due_on: Set(period.original_due_on),
        requested_due_on: Set(requested_due_on),
        reason: Set(reason),
        state: Set(ExtensionState::Pending),
        requested_by: Set(actor
            .user_id
            .ok_or_else(|| AppError::forbidden("the system does not ask for extensions"))?),
        requested_at: Set(now),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_comment: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::ExtensionRequested,
            EntityType::Extension,
            Some(stored.id),
            &stored,
        ),
    )
    .await?;
    events::record(
        &txn,
        now,
        Event {
            kind: EventKind::ExtensionRequested,
            entity_type: EntityType::Extension,
            entity_id: stored.id,
            task_id: Some(stored.task_id),
            unit_id: Some(unit_id),
            payload: &stored,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(stored)
}

/// Approves or rejects a pending request (BUREAU). A rejection says why.
pub async fn decide(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    approve: bool,
    comment: Option<String>,
) -> AppResult<extension_requests::Model> {
    actor.require_bureau()?;
    let comment = optional_text("comment", comment.as_deref(), TEXT_MAX)?;
    if !approve && comment.is_none() {
        return Err(AppError::bad_field(
            "comment",
            "say why the request is rejected",
        ));
    }
    let txn = db.begin().await?;
    let before = extension_requests::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("extension request"))?;
    let state = if approve {
        ExtensionState::Approved
    } else {
        ExtensionState::Rejected
    };
    // Conditional on PENDING: of two concurrent decisions only one applies.
    let updated = extension_requests::Entity::update_many()
        .col_expr(extension_requests::Column::State, Expr::value(state))
        .col_expr(
            extension_requests::Column::DecidedBy,
            Expr::value(actor.user_id),
        )
        .col_expr(extension_requests::Column::DecidedAt, Expr::value(now))
        .col_expr(
            extension_requests::Column::DecisionComment,
            Expr::value(comment),
        )
        .filter(extension_requests::Column::Id.eq(id))
        .filter(extension_requests::Column::State.eq(ExtensionState::Pending))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict(format!(
            "the request has already been decided ({:?})",
            before.state
        )));
    }
    let after = extension_requests::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("extension request"))?;
    let kind = if approve {
        EventKind::ExtensionApproved
    } else {
        EventKind::ExtensionRejected
    };
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(kind, EntityType::Extension, Some(id), &before, &after),
    )
    .await?;
    events::record(
        &txn,
        now,
        Event {
            kind,
            entity_type: EntityType::Extension,
            entity_id: id,
            task_id: Some(after.task_id),
            unit_id: Some(after.unit_id),
            payload: &after,
        },
    )
    .await?;
    crate::tasks::progress::refresh(&txn, now, &[after.task_id]).await?;
    txn.commit().await?;
    Ok(after)
}

/// The requests among `ids` that `actor` may read, for `nodes`.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, extension_requests::Model>> {
    let mut condition = Condition::all()
        .add(extension_requests::Column::Id.is_in(ids.iter().copied()))
        .add(
            extension_requests::Column::TaskId.in_subquery(crate::tasks::query::visible_ids(actor)),
        );
    if let Some(unit_id) = actor.unit_id() {
        condition = condition.add(extension_requests::Column::UnitId.eq(unit_id));
    }
    Ok(extension_requests::Entity::find()
        .filter(condition)
        .all(db)
        .await?
        .into_iter()
        .map(|request| (request.id, request))
        .collect())
}

/// The requests `actor` may read, newest first: a unit its own, a leader its tasks', the bureau
/// and machine accounts all.
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    state: Option<ExtensionState>,
    page: PageRequest,
) -> AppResult<Page<extension_requests::Model>> {
    let visible_tasks = crate::tasks::query::visible_ids(actor);
    let mut condition =
        Condition::all().add(extension_requests::Column::TaskId.in_subquery(visible_tasks));
    if let Some(unit_id) = actor.unit_id() {
        condition = condition.add(extension_requests::Column::UnitId.eq(unit_id));
    }
    if let Some(state) = state {
        condition = condition.add(extension_requests::Column::State.eq(state));
    }
    let query = extension_requests::Entity::find().filter(condition);
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_desc(extension_requests::Column::RequestedAt)
        .order_by_desc(extension_requests::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}
