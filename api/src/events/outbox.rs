//! The outbox of webhook deliveries: an event's row for each webhook that wants its kind,
//! written by one `INSERT … SELECT` in the transaction of the change, so that a delivery exists
//! exactly when its event committed, whatever happens to the process after (`webhooks::worker`
//! delivers them, in event order per webhook). One statement per event, whether or not any
//! webhook wants it.

use chrono::{DateTime, Utc};
use entity::{webhook_deliveries, webhook_kinds};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, StatementBuilder};

use super::EventKind;
use crate::error::AppResult;

/// Queues event `event_id` of `kind` for every webhook that wants the kind.
pub async fn enqueue(
    txn: &DatabaseTransaction,
    event_id: i64,
    kind: EventKind,
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
    txn.execute(StatementBuilder::build(
        &insert,
        &txn.get_database_backend(),
    ))
    .await?;
    Ok(())
}
