//! Submitting a report: idempotent by a client-chosen key, a new version each time, lateness
//! measured against the unit's due date in China time.

use chrono::{DateTime, Utc};
use entity::enums::ReportState;
use entity::{progress_reports, report_versions};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use serde::Serialize;

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::deadline::lateness;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::events::{self, Event};
use crate::obligations::{ReportKey, effective_due, owing_unit_under};
use crate::reports::service::{ReportContent, empty_draft, find_report, validated};
use crate::reports::values::{self, IndicatorValue};
use crate::validation::required_text;

/// What a submission stored, for the audit log and events.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Submitted {
    version: i32,
    late_seconds: Option<i64>,
}

/// What a submission carries besides the text: indicator values and uploaded attachments.
#[derive(Debug, Default, Clone)]
pub struct Extras {
    /// `None`: the values saved with the draft.
    pub indicator_values: Option<Vec<IndicatorValue>>,
    /// Attachments the submitting user uploaded for this task and not yet submitted (or the
    /// drafting clerk did, when the head signs a draft off).
    pub attachment_ids: Vec<i64>,
    /// The clerk whose draft the unit's head is signing off (`reports::signoff`); `None` for a
    /// direct submission.
    pub drafted_by: Option<i64>,
}

/// Submits the report: the given content, or else the saved draft. Idempotent by key.
pub async fn submit(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    key: ReportKey,
    idempotency_key: &str,
    content: Option<ReportContent>,
    extras: Extras,
) -> AppResult<(progress_reports::Model, report_versions::Model)> {
    let idempotency_key = required_text("idempotencyKey", idempotency_key, 100)?;
    if idempotency_key.chars().count() < 8 {
        return Err(AppError::bad_field(
            "idempotencyKey",
            "must be at least 8 characters (a UUID is ideal)",
        ));
    }
    let content = content.as_ref().map(validated).transpose()?;
    // Racing retries meet at the unique indexes; the losers try again and find the winner's
    // version. Three rounds are more than enough: each round either stores or finds.
    for _ in 0..3 {
        match submit_once(
            actor,
            db,
            now,
            key,
            &idempotency_key,
            content.as_ref(),
            &extras,
        )
        .await
        {
            Err(AppError::Duplicate) => {}
            other => return other,
        }
    }
    Err(AppError::Duplicate)
}

async fn submit_once(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    key: ReportKey,
    idempotency_key: &str,
    content: Option<&ReportContent>,
    extras: &Extras,
) -> AppResult<(progress_reports::Model, report_versions::Model)> {
    let txn = db.begin().await?;
    let (unit_id, period, rule, task) = owing_unit_under(actor, &txn, key).await?;
    if extras.drafted_by.is_none() {
        crate::reports::posts::ensure_may_submit(actor, &txn, unit_id).await?;
    }
    // A report the unit has not started has no row yet. Its row is written here once, already
    // submitted, instead of a draft's insert and then the submission's update (a submission's
    // every statement counts: most at a deadline are first ones). Its row version (a count of
    // the row's changes) is 2, as if it had been created (1) and then submitted (2): the row
    // is the same either way. `report` is the row as the rules and the audit log see it before
    // the submission: that empty draft. An error below rolls the insert back with the rest.
    let (report, written) = match find_report(&txn, key, unit_id).await? {
        Some(report) => (report, None),
        None => {
            let mut row = empty_draft(key, unit_id, now);
            row.state = Set(ReportState::Submitted);
            row.current_version = Set(1);
            row.version = Set(2);
            let written = row.insert(&txn).await?;
            let draft = progress_reports::Model {
                state: ReportState::Draft,
                current_version: 0,
                version: 1,
                ..written.clone()
            };
            (draft, Some(written))
        }
    };
    // A report with no version yet has no key to find: the first submission skips the read.
    let existing = if report.current_version == 0 {
        None
    } else {
        report_versions::Entity::find()
            .filter(report_versions::Column::ReportId.eq(report.id))
            .filter(report_versions::Column::IdempotencyKey.eq(idempotency_key))
            .one(&txn)
            .await?
    };
    if let Some(version) = existing {
        // A retry: the first submission stands.
        txn.commit().await?;
        return Ok((report, version));
    }
    if matches!(report.state, ReportState::Submitted) {
        return Err(AppError::conflict(
            "the report is already submitted and awaiting review",
        ));
    }
    let given = match &extras.indicator_values {
        Some(given) => given.clone(),
        None => crate::reports::service::draft_values(&report),
    };
    let values = values::validated(&txn, key.task_id, &given).await?;
    let progress = content
        .and_then(|c| c.progress.clone())
        .or_else(|| report.draft_progress.clone())
        .ok_or_else(|| AppError::bad_field("progress", "a report needs its progress (进展情况)"))?;
    let pick = |given: Option<&Option<String>>, draft: &Option<String>| match given {
        Some(value) => value.clone(),
        None => draft.clone(),
    };
    let number = report.current_version + 1;
    // Measured against the unit's due date: the period's, or an approved extension's, which
    // the obligation's stored row returns as it records the submission.
    let recorded = crate::obligations::store::submitting(
        &txn,
        key,
        unit_id,
        report.id,
        number == 1,
        crate::deadline::today_in_china(now),
    )
    .await?;
    let due_on = match recorded {
        Some(due_on) => due_on,
        None => effective_due(&txn, key, unit_id, &period).await?,
    };
    let late = lateness(due_on, now).map(|d| d.num_seconds());
    let version = report_versions::ActiveModel {
        report_id: Set(report.id),
        version: Set(number),
        progress: Set(progress),
        problems: Set(pick(content.map(|c| &c.problems), &report.draft_problems)),
        next_steps: Set(pick(
            content.map(|c| &c.next_steps),
            &report.draft_next_steps,
        )),
        percent: Set(content.and_then(|c| c.percent).or(report.draft_percent)),
        submitted_by: Set(actor
            .user_id
            .ok_or_else(|| AppError::forbidden("the system does not submit reports"))?),
        submitted_at: Set(now),
        due_on: Set(due_on),
        late_seconds: Set(late),
        idempotency_key: Set(idempotency_key.to_owned()),
        drafted_by: Set(extras.drafted_by),
        approved_by: Set(extras.drafted_by.and(actor.user_id)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    values::store(&txn, version.id, &values).await?;
    // Under LEAD_CONSOLIDATING, the partners' contributions sent so far go into this version.
    if rule == entity::enums::ObligationRule::LeadConsolidating {
        crate::reports::contributions::consolidate(&txn, key, version.id).await?;
    }
    values::record_latest(&txn, version.id, &values).await?;
    // The task's percent complete is the latest report's that gives one: derived, like its
    // status, so it does not move the task's version (a clerk's edit must not conflict with a
    // unit's report); the submission's event carries it.
    if let Some(percent) = version.percent {
        entity::tasks::Entity::update_many()
            .col_expr(entity::tasks::Column::Percent, Expr::value(percent))
            .filter(entity::tasks::Column::Id.eq(key.task_id))
            .exec(&txn)
            .await?;
    }
    crate::attachments::service::attach_to_version(
        extras.drafted_by.or(actor.user_id),
        &txn,
        &extras.attachment_ids,
        key.task_id,
        report.id,
        version.id,
    )
    .await?;
    let after = match written {
        Some(written) => written,
        None => submitted(&txn, &report, number, now).await?,
    };
    let summary = Submitted {
        version: number,
        late_seconds: late,
    };
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::ReportSubmitted,
            EntityType::Report,
            Some(report.id),
            &report,
            &version,
        ),
    )
    .await?;
    events::record(
        &txn,
        now,
        Event {
            kind: EventKind::ReportSubmitted,
            entity_type: EntityType::Report,
            entity_id: report.id,
            task_id: Some(key.task_id),
            unit_id: Some(unit_id),
            payload: &summary,
        },
    )
    .await?;
    // The report's one obligation has followed (`submitting`) or, with no row, the task's
    // obligations sync; the task's status follows them.
    if recorded.is_none() {
        crate::obligations::store::report_changed(
            &txn,
            &after,
            Some(late.is_some()),
            (number == 1).then_some(now),
        )
        .await?;
    }
    crate::tasks::progress::restatus_read(&txn, now, std::slice::from_ref(&task)).await?;
    txn.commit().await?;
    Ok((after, version))
}

/// Moves the stored `report` to SUBMITTED at version `number`, unless another change moved its
/// current version meanwhile (CONFLICT).
async fn submitted(
    txn: &DatabaseTransaction,
    report: &progress_reports::Model,
    number: i32,
    now: DateTime<Utc>,
) -> AppResult<progress_reports::Model> {
    let update = progress_reports::Entity::update_many()
        .col_expr(
            progress_reports::Column::State,
            Expr::value(ReportState::Submitted),
        )
        .col_expr(
            progress_reports::Column::CurrentVersion,
            Expr::value(number),
        )
        .col_expr(progress_reports::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            progress_reports::Column::Version,
            Expr::col(progress_reports::Column::Version).add(1),
        )
        .filter(progress_reports::Column::Id.eq(report.id))
        .filter(progress_reports::Column::CurrentVersion.eq(report.current_version));
    crate::reports::service::update_or_conflict(
        txn,
        update,
        "the report changed meanwhile; reload it",
    )
    .await
}
