//! The outbox: an event's row for each webhook that wants its kind, and, for what a unit is
//! told (a reminder, a returned report, a notice naming it), a row for each of the unit's
//! contacts on other channels (and, for a notice, its supervising leaders'), each written by an
//! `INSERT … SELECT` in the transaction of the change, so that a delivery exists exactly when
//! its event committed, whatever happens to the process after (`webhooks::worker` sends them).
//! One statement per event, two or three for those that notify.

use chrono::{DateTime, Utc};
use entity::{contacts, leader_units, notifications, webhook_deliveries, webhook_kinds};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, StatementBuilder};

use super::EventKind;
use crate::error::AppResult;

/// Queues event `event_id` of `kind` for every webhook that wants the kind.
pub async fn enqueue(
    txn: &DatabaseTransaction,
    event_id: i64,
    kind: EventKind,
    unit_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use webhook_deliveries::Column as D;
    let wanting = Query::select()
        .column(webhook_kinds::Column::WebhookId)
        .expr(Expr::val(event_id))
        .expr(Expr::val(0_i32))
        .expr(Expr::val(now))
        .from(webhook_kinds::Entity)
        .and_where(Expr::col(webhook_kinds::Column::Kind).eq(kind.as_str()))
        .to_owned();
    let insert = Query::insert()
        .into_table(webhook_deliveries::Entity)
        .columns([D::WebhookId, D::EventId, D::Attempts, D::NextAttemptAt])
        .select_from(wanting)
        .map_err(|err| crate::error::AppError::Internal(err.into()))?
        .to_owned();
    let backend = txn.get_database_backend();
    txn.execute(StatementBuilder::build(&insert, &backend))
        .await?;
    let Some(unit_id) = unit_id else {
        return Ok(());
    };
    if !matches!(
        kind,
        EventKind::ReminderSent | EventKind::ReportReturned | EventKind::NoticePublished
    ) {
        return Ok(());
    }
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
