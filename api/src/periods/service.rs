//! Business rules of reporting periods.
//!
//! Generation is idempotent: a period whose label exists is left alone, so the bureau can run it
//! again after changing the schedule. A period can be moved or removed only while it is not yet
//! due (in China time); `original_due_on` keeps its first due date, for on-time figures.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{documents, progress_reports, reporting_periods};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::deadline::today_in_china;
use crate::documents::schedule::ReportingSchedule;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::periods::calendar::periods_of;
use crate::periods::query::of_documents;
use crate::validation::required_text;

/// A period to add by hand.
#[derive(Debug)]
pub struct NewPeriod {
    pub document_id: i64,
    pub label: String,
    pub starts_on: Option<NaiveDate>,
    pub due_on: NaiveDate,
}

/// Changes to a period; only while it is not yet due.
#[derive(Debug, Default)]
pub struct PeriodChanges {
    pub label: Option<String>,
    pub due_on: Option<NaiveDate>,
}

/// Creates the periods of a document's schedule that do not exist yet. Bureau only.
pub async fn generate(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    document_id: i64,
) -> AppResult<Vec<reporting_periods::Model>> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let document = documents::Entity::find_by_id(document_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("document"))?;
    let schedule = document
        .schedule
        .as_ref()
        .and_then(ReportingSchedule::from_json)
        .ok_or_else(|| {
            AppError::bad_field(
                "documentId",
                "the document has no reporting schedule; set one first",
            )
        })?;
    let existing = of_documents(&txn, &[document_id])
        .await?
        .remove(&document_id)
        .unwrap_or_default();
    let mut position = existing.iter().map(|p| p.position).max().unwrap_or(0);
    let mut created = Vec::new();
    for (label, starts_on, due_on) in periods_of(&schedule, document.year) {
        if existing.iter().any(|p| p.label == label) {
            continue;
        }
        // Nothing is due before the notice asked for it: a notice of 21 March owes no report
        // for January or February.
        if document.issued_on.is_some_and(|issued| due_on < issued) {
            continue;
        }
        position += 1;
        created.push(
            reporting_periods::ActiveModel {
                document_id: Set(document_id),
                label: Set(label),
                starts_on: Set(starts_on),
                due_on: Set(due_on),
                original_due_on: Set(due_on),
                position: Set(position),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        );
    }
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::PeriodsGenerated,
            EntityType::Document,
            Some(document_id),
            &created,
        ),
    )
    .await?;
    changed(
        &txn,
        now,
        (EventKind::PeriodsGenerated, document_id),
        document_id,
        &created,
    )
    .await?;
    txn.commit().await?;
    Ok(of_documents(db, &[document_id])
        .await?
        .remove(&document_id)
        .unwrap_or_default())
}

/// Adds a period by hand. Bureau only.
pub async fn add(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewPeriod,
) -> AppResult<reporting_periods::Model> {
    actor.require_bureau()?;
    let label = required_text("label", &input.label, 40)?;
    if input.starts_on.is_some_and(|start| start > input.due_on) {
        return Err(AppError::bad_field("startsOn", "must not be after dueOn"));
    }
    let txn = db.begin().await?;
    documents::Entity::find_by_id(input.document_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::bad_field("documentId", "no such document"))?;
    let siblings = of_documents(&txn, &[input.document_id])
        .await?
        .remove(&input.document_id)
        .unwrap_or_default();
    if siblings.iter().any(|p| p.label == label) {
        return Err(AppError::conflict(format!(
            "label: the document already has a period `{label}`"
        )));
    }
    let period = reporting_periods::ActiveModel {
        document_id: Set(input.document_id),
        label: Set(label),
        starts_on: Set(input.starts_on),
        due_on: Set(input.due_on),
        original_due_on: Set(input.due_on),
        position: Set(siblings.iter().map(|p| p.position).max().unwrap_or(0) + 1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::PeriodAdded,
            EntityType::Period,
            Some(period.id),
            &period,
        ),
    )
    .await?;
    changed(
        &txn,
        now,
        (EventKind::PeriodAdded, period.id),
        period.document_id,
        &period,
    )
    .await?;
    txn.commit().await?;
    Ok(period)
}

async fn not_yet_due(
    db: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<reporting_periods::Model> {
    let period = reporting_periods::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("reporting period"))?;
    if period.due_on < today_in_china(now) {
        return Err(AppError::conflict(format!(
            "the period {} was due on {}; a past period cannot be changed",
            period.label, period.due_on
        )));
    }
    Ok(period)
}

/// Moves or renames a period that is not yet due. Bureau only.
pub async fn update(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    changes: PeriodChanges,
) -> AppResult<reporting_periods::Model> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let before = not_yet_due(&txn, id, now).await?;
    let mut active = before.clone().into_active_model();
    if let Some(label) = &changes.label {
        active.label = Set(required_text("label", label, 40)?);
    }
    if let Some(due_on) = changes.due_on {
        if due_on < today_in_china(now) {
            return Err(AppError::bad_field("dueOn", "must not be in the past"));
        }
        active.due_on = Set(due_on);
    }
    let after = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::PeriodMoved,
            EntityType::Period,
            Some(id),
            &before,
            &after,
        ),
    )
    .await?;
    changed(
        &txn,
        now,
        (EventKind::PeriodMoved, id),
        after.document_id,
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Removes a period that no unit has reported on, due or not: a period generated for months
/// before the notice, or one the bureau decides not to ask for. Bureau only.
pub async fn delete(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
) -> AppResult<()> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let before = reporting_periods::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("reporting period"))?;
    let reports = progress_reports::Entity::find()
        .filter(progress_reports::Column::PeriodId.eq(id))
        .count(&txn)
        .await?;
    if reports > 0 {
        return Err(AppError::conflict(format!(
            "the period {} already has {reports} report(s); a period reported on stays",
            before.label
        )));
    }
    reporting_periods::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::PeriodRemoved,
            EntityType::Period,
            Some(id),
            &before,
            &(),
        ),
    )
    .await?;
    changed(
        &txn,
        now,
        (EventKind::PeriodRemoved, id),
        before.document_id,
        &before,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Records the event of a change to a document's periods and refreshes the status of its tasks
/// (a moved due date can make a task delayed, or no longer), in the change's transaction.
async fn changed<P: serde::Serialize>(
    db: &DatabaseTransaction,
    now: DateTime<Utc>,
    (kind, entity_id): (EventKind, i64),
    document_id: i64,
    payload: &P,
) -> AppResult<()> {
    crate::events::record(
        db,
        now,
        crate::events::Event {
            kind,
            entity_type: EntityType::Period,
            entity_id,
            task_id: None,
            unit_id: None,
            payload,
        },
    )
    .await?;
    let task_ids: Vec<i64> = entity::tasks::Entity::find()
        .filter(entity::tasks::Column::DocumentId.eq(document_id))
        .filter(entity::tasks::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    crate::tasks::progress::refresh(db, now, &task_ids).await?;
    Ok(())
}
