//! Reviewing a report: the bureau, or the reviewing office the task's document names, accepts
//! or returns the version awaiting review; one review per version, so of two concurrent
//! reviewers one wins.

use chrono::{DateTime, Utc};
use entity::enums::{ReportState, ReviewDecision};
use entity::{progress_reports, report_reviews, report_versions};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::events::{self, Event};
use crate::validation::{TEXT_MAX, optional_text};

/// The reviewer's decision on the version awaiting review: the bureau's on any report, a
/// reviewing office's on the reports of the documents naming it (which are the only tasks its
/// staff see: another document's report is NOT_FOUND to them).
pub async fn review(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    report_id: i64,
    version: i32,
    decision: ReviewDecision,
    comment: Option<String>,
) -> AppResult<progress_reports::Model> {
    if !matches!(actor.scope, Scope::Bureau | Scope::Office { .. }) {
        return Err(AppError::forbidden(
            "reports are reviewed by the bureau, or by the office their document names",
        ));
    }
    let comment = optional_text("comment", comment.as_deref(), TEXT_MAX)?;
    if decision == ReviewDecision::Returned && comment.is_none() {
        return Err(AppError::bad_field(
            "comment",
            "say why the report is returned",
        ));
    }
    let txn = db.begin().await?;
    let report = progress_reports::Entity::find_by_id(report_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("report"))?;
    if matches!(actor.scope, Scope::Office { .. }) {
        crate::tasks::query::get(actor, &txn, report.task_id)
            .await
            .map_err(|_| AppError::not_found("report"))?;
    }
    if report.state != ReportState::Submitted || report.current_version != version {
        return Err(AppError::conflict(format!(
            "version {version} is not awaiting review (the report is {:?} at version {})",
            report.state, report.current_version
        )));
    }
    let reviewed = report_versions::Entity::find()
        .filter(report_versions::Column::ReportId.eq(report_id))
        .filter(report_versions::Column::Version.eq(version))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("report version"))?;
    // One review per version, guaranteed by a unique index: a concurrent reviewer fails here.
    let stored = report_reviews::ActiveModel {
        report_id: Set(report_id),
        version_id: Set(reviewed.id),
        reviewer_id: Set(actor
            .user_id
            .ok_or_else(|| AppError::forbidden("the system does not review"))?),
        decision: Set(decision),
        comment: Set(comment),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|err| match AppError::from(err) {
        AppError::Duplicate => {
            AppError::conflict("this version has just been reviewed by someone else")
        }
        other => other,
    })?;
    let state = match decision {
        ReviewDecision::Accepted => ReportState::Accepted,
        ReviewDecision::Returned => ReportState::Returned,
    };
    let update = progress_reports::Entity::update_many()
        .col_expr(progress_reports::Column::State, Expr::value(state))
        .col_expr(progress_reports::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            progress_reports::Column::Version,
            Expr::col(progress_reports::Column::Version).add(1),
        )
        .filter(progress_reports::Column::Id.eq(report_id))
        .filter(progress_reports::Column::State.eq(ReportState::Submitted))
        .filter(progress_reports::Column::CurrentVersion.eq(version));
    let after = crate::reports::service::update_or_conflict(
        &txn,
        update,
        "this version has just been reviewed by someone else",
    )
    .await?;
    let kind = if decision == ReviewDecision::Accepted {
        EventKind::ReportAccepted
    } else {
        EventKind::ReportReturned
    };
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(kind, EntityType::Report, Some(report_id), &report, &stored),
    )
    .await?;
    events::record(
        &txn,
        now,
        Event {
            kind,
            entity_type: EntityType::Report,
            entity_id: report_id,
            task_id: Some(report.task_id),
            unit_id: Some(report.unit_id),
            payload: &stored,
        },
    )
    .await?;
    crate::obligations::store::report_changed(&txn, &after, None, None).await?;
    crate::tasks::progress::restatus(&txn, now, &[report.task_id]).await?;
    txn.commit().await?;
    Ok(after)
}
