//! Who has which page, and what only a page asks for. A leader's page is the signed-in
//! leader's, a unit's the signed-in unit's: the bureau and machine accounts read the same parts
//! through the general queries (`reportingFigures`, `figuresBy`, `obligations`, …), which
//! show them everything.

use chrono::{DateTime, Utc};
use entity::enums::InstructionKind;
use entity::{instructions, progress_reports, report_versions};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
};

use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::deadline::Thresholds;
use crate::error::{AppError, AppResult};
use crate::obligations::{self, Obligation, ObligationFilter, ObligationState};
use crate::pagination::PageRequest;
use crate::stats::{
    self,
    groups::Grouping,
    service::{DueDateBasis, GroupFigures},
};
use crate::tasks;

/// At most this many rows in each list of a page; the general queries page further.
pub const MAX_ROWS: u64 = 50;

/// The signed-in leader's id, or FORBIDDEN for every other role.
pub fn leader_of(actor: &Principal) -> AppResult<i64> {
    match actor.scope {
        Scope::Leader { leader_id, .. } => Ok(leader_id),
        _ => Err(AppError::forbidden(
            "a leader's page is for a leader's account",
        )),
    }
}

/// The signed-in unit's id, or FORBIDDEN for every other role.
pub fn unit_of(actor: &Principal) -> AppResult<i64> {
    actor
        .unit_id()
        .ok_or_else(|| AppError::forbidden("a unit's page is for a unit's account"))
}

/// The leader's own instructions (批示) on tasks they still see that nobody has replied to yet,
/// newest first.
pub async fn instructions_awaiting_reply(
    actor: &Principal,
    db: &impl ConnectionTrait,
    limit: u64,
) -> AppResult<Vec<instructions::Model>> {
    leader_of(actor)?;
    let Some(user_id) = actor.user_id else {
        return Ok(Vec::new());
    };
    let replies = Alias::new("replies");
    let replied = Query::select()
        .expr(Expr::val(1))
        .from_as(instructions::Entity, replies.clone())
        .and_where(
            Expr::col((replies, instructions::Column::ParentId))
                .equals((instructions::Entity, instructions::Column::Id)),
        )
        .to_owned();
    Ok(instructions::Entity::find()
        .filter(instructions::Column::AuthorId.eq(user_id))
        .filter(instructions::Column::Kind.eq(InstructionKind::Instruction))
        .filter(instructions::Column::ParentId.is_null())
        .filter(Expr::exists(replied).not())
        .filter(instructions::Column::TaskId.in_subquery(tasks::query::visible_ids(actor)))
        .order_by_desc(instructions::Column::CreatedAt)
        .order_by_desc(instructions::Column::Id)
        .limit(limit.min(MAX_ROWS))
        .all(db)
        .await?)
}

/// The latest submitted report versions on the leader's tasks, newest first, each with its
/// report (task, unit, period). Two statements.
pub async fn latest_reports(
    actor: &Principal,
    db: &impl ConnectionTrait,
    limit: u64,
) -> AppResult<Vec<(report_versions::Model, progress_reports::Model)>> {
    leader_of(actor)?;
    let to_report = report_versions::Entity::belongs_to(progress_reports::Entity)
        .from(report_versions::Column::ReportId)
        .to(progress_reports::Column::Id);
    let versions = report_versions::Entity::find()
        .join(JoinType::InnerJoin, to_report.into())
        .filter(progress_reports::Column::TaskId.in_subquery(tasks::query::visible_ids(actor)))
        .order_by_desc(report_versions::Column::SubmittedAt)
        .order_by_desc(report_versions::Column::Id)
        .limit(limit.min(MAX_ROWS))
        .all(db)
        .await?;
    let reports: std::collections::HashMap<i64, progress_reports::Model> =
        progress_reports::Entity::find()
            .filter(progress_reports::Column::Id.is_in(versions.iter().map(|v| v.report_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    Ok(versions
        .into_iter()
        .filter_map(|v| reports.get(&v.report_id).cloned().map(|r| (v, r)))
        .collect())
}

/// The figures of each unit the leader supervises (分管), over all the units' obligations,
/// not only those of the leader's own tasks: the units are theirs to answer for, as in the
/// ranking, which shows a leader the same units' rows.
pub async fn supervised_figures(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    basis: DueDateBasis,
    thresholds: Thresholds,
    targets: bool,
) -> AppResult<Vec<GroupFigures>> {
    let leader_id = leader_of(actor)?;
    let filter = ObligationFilter {
        supervised_by: Some(leader_id),
        ..ObligationFilter::default()
    };
    // The rows are chosen by the filter above, by the rule this function states; the system
    // principal only lifts the rule of the leader's own tasks.
    stats::service::grouped(
        &Principal::system(),
        db,
        now,
        filter,
        basis,
        thresholds,
        Grouping::Unit,
        targets,
    )
    .await
}

/// What the signed-in unit owes next (overdue first, then by due date), or what was returned
/// to it, up to `limit`.
pub async fn unit_obligations(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    states: Vec<ObligationState>,
    limit: u64,
) -> AppResult<Vec<Obligation>> {
    unit_of(actor)?;
    let first = i32::try_from(limit.min(MAX_ROWS)).unwrap_or(1);
    // A list, not a connection: no total is shown, so none is counted.
    let page = PageRequest::new(Some(first), None)?.counting(false);
    let filter = ObligationFilter {
        states,
        ..ObligationFilter::default()
    };
    Ok(obligations::list::list(actor, db, now, filter, page, None)
        .await?
        .items)
}
