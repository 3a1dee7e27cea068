//! The outbox: for what a unit is told (a reminder, a returned report, a notice naming it), a
//! row for each of the unit's contacts on other channels (and, for a notice, its supervising
//! leaders'), each written by an `INSERT … SELECT` in the transaction of the change, so that a
//! delivery exists exactly when its event committed, whatever happens to the process after.
//! An event's webhook deliveries are written by the database itself, by a trigger on `events`
//! (migration 35) in the statement that stores the event: no statement here for them. The
//! `webhooks::worker` and `notify` workers send both.
//! No statement for most events, one or two for those that notify.

use chrono::{DateTime, Utc};
use entity::{contacts, leader_units, notifications};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, StatementBuilder};

use super::EventKind;
use crate::error::AppResult;

/// Queues event `event_id` of `kind` for the contacts of the unit it tells, if it tells one.
pub async fn enqueue(
    txn: &DatabaseTransaction,
    event_id: i64,
    kind: EventKind,
    unit_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(unit_id) = unit_id else {
        return Ok(());
    };
    if !matches!(
        kind,
        EventKind::ReminderSent | EventKind::ReportReturned | EventKind::NoticePublished
    ) {
        return Ok(());
    }
    let backend = txn.get_database_backend();
    let mut whose = vec![Expr::col(contacts::Column::UnitId).eq(unit_id)];
    if kind == EventKind::NoticePublished {
        whose.push(
            Expr::col(contacts::Column::LeaderId).in_subquery(
                Query::select()
                    .column(leader_units::Column::LeaderId)
                    .from(leader_units::Entity)
                    .and_where(Expr::col(leader_units::Column::UnitId).eq(unit_id))
                    .to_owned(),
            ),
        );
    }
    for condition in whose {
        use notifications::Column as N;
        let addressed = Query::select()
            .expr(Expr::val(event_id))
            .column(contacts::Column::Id)
            .column(contacts::Column::Channel)
            .column(contacts::Column::Address)
            .expr(Expr::val("PENDING"))
            .expr(Expr::val(0_i32))
            .expr(Expr::val(now))
            .from(contacts::Entity)
            .and_where(condition)
            .to_owned();
        let insert = Query::insert()
            .into_table(notifications::Entity)
            .columns([
                N::EventId,
                N::ContactId,
                N::Channel,
                N::Address,
                N::State,
                N::Attempts,
                N::NextAttemptAt,
            ])
            .select_from(addressed)
            .map_err(|err| crate::error::AppError::Internal(err.into()))?
            .to_owned();
        txn.execute(StatementBuilder::build(&insert, &backend))
            .await?;
    }
    Ok(())
}
