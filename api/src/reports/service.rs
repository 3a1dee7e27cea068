//! Progress reports: who may write and read them, drafts, and the reads behind the GraphQL
//! fields. Submission lives in `submit`, review in `review`.
//!
//! Rules:
//! - Only a unit that owes the report writes it; it sees only its own unit's reports. Leaders
//!   read the reports of their tasks; the bureau and machine accounts read all.
//! - A submission takes a client-chosen idempotency key: a retry with the same key returns the
//!   version already stored, however many arrive at once.
//! - Every submission is a new version; nothing submitted is overwritten. A version submitted
//!   after the end of the due day (China time) records how late it is.
//! - The bureau accepts or returns the version awaiting review; of two concurrent reviews one
//!   wins and the other gets CONFLICT. A returned report is revised and resubmitted.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::enums::ReportState;
use entity::{progress_reports, report_reviews, report_versions};
use itertools::Itertools;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QueryTrait, Set, TransactionTrait, UpdateMany,
};

use crate::audit::service::Private;
use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::obligations::{ReportKey, owing_unit};
use crate::reports::values::IndicatorValue;
use crate::tasks::query as tasks;
use crate::validation::{TEXT_MAX, in_range, optional_text};

/// What a unit writes.
#[derive(Debug, Default, Clone)]
pub struct ReportContent {
    pub progress: Option<String>,
    pub problems: Option<String>,
    pub next_steps: Option<String>,
    pub percent: Option<i32>,
}

/// The indicator values a draft keeps, as stored in its JSON column.
pub fn draft_values(report: &progress_reports::Model) -> Vec<IndicatorValue> {
    report
        .draft_indicator_values
        .clone()
        .and_then(|json| serde_json::from_value(json).ok())
        .unwrap_or_default()
}

pub(crate) fn validated(content: &ReportContent) -> AppResult<ReportContent> {
    Ok(ReportContent {
        progress: optional_text("progress", content.progress.as_deref(), TEXT_MAX)?,
        problems: optional_text("problems", content.problems.as_deref(), TEXT_MAX)?,
        next_steps: optional_text("nextSteps", content.next_steps.as_deref(), TEXT_MAX)?,
        percent: content
            .percent
            .map(|p| in_range("percent", p, 0, 100))
            .transpose()?,
    })
}

pub(crate) async fn find_report(
    db: &impl ConnectionTrait,
    key: ReportKey,
    unit_id: i64,
) -> AppResult<Option<progress_reports::Model>> {
    Ok(progress_reports::Entity::find()
        .filter(progress_reports::Column::TaskId.eq(key.task_id))
        .filter(progress_reports::Column::PeriodId.eq(key.period_id))
        .filter(progress_reports::Column::UnitId.eq(unit_id))
        .one(db)
        .await?)
}

/// The report row, created as an empty draft if the unit has none yet.
pub(crate) async fn report_row(
    db: &impl ConnectionTrait,
    key: ReportKey,
    unit_id: i64,
    now: DateTime<Utc>,
) -> AppResult<progress_reports::Model> {
    if let Some(report) = find_report(db, key, unit_id).await? {
        return Ok(report);
    }
    Ok(empty_draft(key, unit_id, now).insert(db).await?)
}

/// The row of a report the unit has not started: an empty draft at version 1. A submission
/// that finds no row writes this one already submitted (`reports::submit`).
pub(crate) fn empty_draft(
    key: ReportKey,
    unit_id: i64,
    now: DateTime<Utc>,
) -> progress_reports::ActiveModel {
    progress_reports::ActiveModel {
        task_id: Set(key.task_id),
        period_id: Set(key.period_id),
        unit_id: Set(unit_id),
        state: Set(ReportState::Draft),
        current_version: Set(0),
        draft_progress: Set(None),
        draft_problems: Set(None),
        draft_next_steps: Set(None),
        draft_percent: Set(None),
        draft_indicator_values: Set(None),
        draft_updated_by: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Saves the unit's draft. A submitted report awaiting review cannot be edited; a returned or
/// accepted one can, to be submitted again.
pub async fn save_draft(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    key: ReportKey,
    content: ReportContent,
    indicator_values: &[IndicatorValue],
) -> AppResult<progress_reports::Model> {
    let content = validated(&content)?;
    let txn = db.begin().await?;
    let (unit_id, _) = owing_unit(actor, &txn, key).await?;
    let values = crate::reports::values::validated(&txn, key.task_id, indicator_values).await?;
    let values = serde_json::to_value(&values).map_err(|err| AppError::Internal(err.into()))?;
    let report = report_row(&txn, key, unit_id, now).await?;
    if report.state == ReportState::Submitted {
        return Err(AppError::conflict(
            "the report is awaiting review; it can be edited once it is returned",
        ));
    }
    let update = progress_reports::Entity::update_many()
        .col_expr(
            progress_reports::Column::DraftProgress,
            Expr::value(content.progress),
        )
        .col_expr(
            progress_reports::Column::DraftProblems,
            Expr::value(content.problems),
        )
        .col_expr(
            progress_reports::Column::DraftNextSteps,
            Expr::value(content.next_steps),
        )
        .col_expr(
            progress_reports::Column::DraftPercent,
            Expr::value(content.percent),
        )
        .col_expr(
            progress_reports::Column::DraftIndicatorValues,
            Expr::value(values),
        )
        .col_expr(
            progress_reports::Column::DraftUpdatedBy,
            Expr::value(actor.user_id),
        )
        .col_expr(progress_reports::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            progress_reports::Column::Version,
            Expr::col(progress_reports::Column::Version).add(1),
        )
        .filter(progress_reports::Column::Id.eq(report.id))
        .filter(progress_reports::Column::Version.eq(report.version));
    let after = update_or_conflict(&txn, update, "the report changed meanwhile; reload it").await?;
    // A first draft moves the obligation from NOT_STARTED to DRAFT.
    crate::obligations::store::report_changed(&txn, &after, None, None).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            Private::ReportSaveDraft,
            EntityType::Report,
            Some(report.id),
            &report,
            &after,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// The condition for the reports `actor` may read: a unit only its own unit's.
/// Runs a conditional update of one report and returns the row as stored, in one statement
/// (`UPDATE … RETURNING`, which PostgreSQL and SQLite 3.35+ both answer), or CONFLICT with
/// `message` when its condition no longer held: someone changed the report first.
pub(crate) async fn update_or_conflict(
    db: &impl ConnectionTrait,
    update: UpdateMany<progress_reports::Entity>,
    message: &str,
) -> AppResult<progress_reports::Model> {
    let mut statement = update.into_query();
    statement.returning_all();
    progress_reports::Entity::find()
        .from_raw_sql(db.get_database_backend().build(&statement))
        .one(db)
        .await?
        .ok_or_else(|| AppError::conflict(message))
}

fn readable(actor: &Principal) -> Condition {
    match actor.unit_id() {
        Some(unit_id) => Condition::all().add(progress_reports::Column::UnitId.eq(unit_id)),
        None => Condition::all(),
    }
}

/// One report, if `actor` may read it (its task must be visible too).
pub async fn get(
    actor: &Principal,
    db: &impl ConnectionTrait,
    id: i64,
) -> AppResult<progress_reports::Model> {
    let report = progress_reports::Entity::find_by_id(id)
        .filter(readable(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("report"))?;
    tasks::get(actor, db, report.task_id)
        .await
        .map_err(|_| AppError::not_found("report"))?;
    Ok(report)
}

/// The reports among `ids` that `actor` may read (their tasks visible too), for `nodes`.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, progress_reports::Model>> {
    Ok(progress_reports::Entity::find()
        .filter(progress_reports::Column::Id.is_in(ids.iter().copied()))
        .filter(readable(actor))
        .filter(progress_reports::Column::TaskId.in_subquery(tasks::visible_ids(actor)))
        .all(db)
        .await?
        .into_iter()
        .map(|report| (report.id, report))
        .collect())
}

/// The ids of the reports `actor` may read, as a subquery (attachments follow their report).
pub fn readable_ids(actor: &Principal) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(progress_reports::Column::Id)
        .from(progress_reports::Entity)
        .cond_where(
            readable(actor)
                .add(progress_reports::Column::TaskId.in_subquery(tasks::visible_ids(actor))),
        )
        .to_owned()
}

/// The reports of each task that `actor` may read, for DataLoaders. The tasks have passed the
/// access check already.
pub async fn readable_of_tasks(
    actor: &Principal,
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<progress_reports::Model>>> {
    Ok(progress_reports::Entity::find()
        .filter(progress_reports::Column::TaskId.is_in(task_ids.iter().copied()))
        .filter(readable(actor))
        .order_by_asc(progress_reports::Column::PeriodId)
        .order_by_asc(progress_reports::Column::UnitId)
        .all(db)
        .await?
        .into_iter()
        .into_group_map_by(|report| report.task_id))
}

/// The submitted versions of each report, oldest first, for DataLoaders.
pub async fn versions_of(
    db: &impl ConnectionTrait,
    report_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<report_versions::Model>>> {
    Ok(report_versions::Entity::find()
        .filter(report_versions::Column::ReportId.is_in(report_ids.iter().copied()))
        .order_by_asc(report_versions::Column::Version)
        .all(db)
        .await?
        .into_iter()
        .into_group_map_by(|version| version.report_id))
}

/// The review of each version, for DataLoaders.
pub async fn reviews_of(
    db: &impl ConnectionTrait,
    version_ids: &[i64],
) -> AppResult<HashMap<i64, report_reviews::Model>> {
    Ok(report_reviews::Entity::find()
        .filter(report_reviews::Column::VersionId.is_in(version_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|review| (review.version_id, review))
        .collect())
}
