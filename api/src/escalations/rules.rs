//! The ladder's automatic steps: an obligation still overdue after its notice's
//! `urge_after_days`, `notice_after_days` or `interview_after_days` reaches that step, once.
//!
//! Per document and level, the obligations past the cutoff day that lack the step are read in
//! SQL (`due_on <= today - days`, the day computed here, so both backends compare dates), a
//! slice at a time; in the steady state every query comes back empty. The unique key of a step
//! decides races between instances, as for reminders.

use chrono::{DateTime, Utc};
use entity::enums::EscalationLevel;
use entity::{documents, escalations, obligations};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use crate::auth::Principal;
use crate::deadline::today_in_china;
use crate::error::AppResult;
use crate::obligations::ObligationState;

/// How many obligations one slice reads, and one transaction escalates.
const SLICE: u64 = 500;

/// Takes every automatic step due at `now`; returns how many this run took.
pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u32> {
    let today = today_in_china(now);
    let ladders = documents::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(documents::Column::UrgeAfterDays.is_not_null())
                .add(documents::Column::NoticeAfterDays.is_not_null())
                .add(documents::Column::InterviewAfterDays.is_not_null()),
        )
        .order_by_asc(documents::Column::Id)
        .all(db)
        .await?;
    let mut taken = 0;
    for document in ladders {
        for (level, days) in [
            (EscalationLevel::Urge, document.urge_after_days),
            (
                EscalationLevel::SupervisionNotice,
                document.notice_after_days,
            ),
            (EscalationLevel::Interview, document.interview_after_days),
        ] {
            let Some(days) = days else { continue };
            let cutoff = today - chrono::Days::new(u64::from(days.max(1).unsigned_abs()));
            let mut after = 0;
            loop {
                let rows = obligations::Entity::find()
                    .filter(obligations::Column::DocumentId.eq(document.id))
                    .filter(obligations::Column::Id.gt(after))
                    .filter(crate::obligations::list::state_condition(
                        ObligationState::Overdue,
                        today,
                    ))
                    .filter(obligations::Column::DueOn.lte(cutoff))
                    .filter(without(level))
                    .order_by_asc(obligations::Column::Id)
                    .limit(SLICE)
                    .all(db)
                    .await?;
                let Some(last) = rows.last() else { break };
                after = last.id;
                let txn = db.begin().await?;
                for owed in &rows {
                    let reason = message(level, owed, days);
                    let step = super::service::insert(
                        &txn,
                        &Principal::system(),
                        now,
                        owed,
                        level,
                        reason,
                        today,
                    )
                    .await?;
                    taken += u32::from(step.is_some());
                }
                txn.commit().await?;
            }
        }
    }
    Ok(taken)
}

/// No step of `level` was taken for the obligation.
fn without(level: EscalationLevel) -> sea_orm::sea_query::SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(escalations::Entity)
            .and_where(
                Expr::col((escalations::Entity, escalations::Column::TaskId))
                    .equals((obligations::Entity, obligations::Column::TaskId)),
            )
            .and_where(
                Expr::col((escalations::Entity, escalations::Column::PeriodId))
                    .equals((obligations::Entity, obligations::Column::PeriodId)),
            )
            .and_where(
                Expr::col((escalations::Entity, escalations::Column::UnitId))
                    .equals((obligations::Entity, obligations::Column::UnitId)),
            )
            .and_where(escalations::Column::Level.eq(level))
            .to_owned(),
    )
    .not()
}

/// The reason an automatic step gives.
fn message(level: EscalationLevel, owed: &obligations::Model, days: i32) -> String {
    let step = match level {
        EscalationLevel::Urge => "催办",
        EscalationLevel::SupervisionNotice => "下发督办单",
        EscalationLevel::Interview => "约谈单位负责人",
    };
    format!(
        "进展报告应于{}报送，逾期已超过{days}日仍未报送，按督办规则{step}。",
        owed.due_on
    )
}
