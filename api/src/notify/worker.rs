//! Sending the notifications due: each row claimed by one instance (a conditional update of
//! `claimed_until`; a claim that lapses, after a crash, is taken again), sent by the notifier
//! that serves its channel, then `SENT`; on failure retried after the webhooks' backoff, and
//! `FAILED` after `GIVE_UP` attempts. With no notifier for its channel a row is `SKIPPED`: in
//! app only. Called on each run of the webhooks' worker.

use chrono::Duration;
use entity::{events, notifications};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::Channel;
use super::gateway::{Message, Notifier};
use crate::clock::SharedClock;
use crate::error::AppResult;

/// Attempts after which a notification is given up.
pub const GIVE_UP: i32 = 8;

/// How long a claim lasts: longer than a gateway's timeout.
const CLAIM: Duration = Duration::seconds(60);

/// Rows looked at in one run.
const PER_RUN: u64 = 100;

/// Sends what is due; returns how many were sent.
pub async fn run(
    db: &DatabaseConnection,
    notifier: Option<&dyn Notifier>,
    clock: &SharedClock,
) -> AppResult<usize> {
    let now = clock.now();
    let due = notifications::Entity::find()
        .filter(notifications::Column::State.eq("PENDING"))
        .filter(notifications::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(notifications::Column::ClaimedUntil.is_null())
                .add(notifications::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(notifications::Column::Id)
        .limit(PER_RUN)
        .all(db)
        .await?;
    // The rows' events in one statement, not one per row.
    let events: std::collections::HashMap<i64, events::Model> = events::Entity::find()
        .filter(events::Column::Id.is_in(due.iter().map(|row| row.event_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|event| (event.id, event))
        .collect();
    let mut sent = 0;
    for row in due {
        let now = clock.now();
        let claimed = notifications::Entity::update_many()
            .col_expr(
                notifications::Column::ClaimedUntil,
                Expr::value(now + CLAIM),
            )
            .filter(notifications::Column::Id.eq(row.id))
            .filter(notifications::Column::State.eq("PENDING"))
            .filter(
                Condition::any()
                    .add(notifications::Column::ClaimedUntil.is_null())
                    .add(notifications::Column::ClaimedUntil.lt(now)),
            )
            .exec(db)
            .await?;
        if claimed.rows_affected == 0 {
            continue;
        }
        let channel = Channel::parse(&row.channel);
        let Some(notifier) = notifier.filter(|n| channel.is_some_and(|c| n.serves(c))) else {
            notifications::Entity::update_many()
                .col_expr(notifications::Column::State, Expr::value("SKIPPED"))
                .col_expr(
                    notifications::Column::LastError,
                    Expr::value("no gateway for this channel: in app only"),
                )
                .filter(notifications::Column::Id.eq(row.id))
                .exec(db)
                .await?;
            continue;
        };
        let Some(event) = events.get(&row.event_id) else {
            continue;
        };
        let message = Message {
            notification_id: row.id.to_string(),
            channel: channel.map_or("SMS", Channel::as_str),
            to: row.address.clone(),
            text: text(event),
            event: serde_json::json!({ "sequence": event.id, "kind": event.kind }),
        };
        let result = notifier.send(&message, now.timestamp()).await;
        let now = clock.now();
        let attempts = row.attempts + 1;
        let mut update = notifications::Entity::update_many()
            .col_expr(notifications::Column::Attempts, Expr::value(attempts))
            .col_expr(
                notifications::Column::ClaimedUntil,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .filter(notifications::Column::Id.eq(row.id));
        match result {
            Ok(status) => {
                update = update
                    .col_expr(notifications::Column::State, Expr::value("SENT"))
                    .col_expr(notifications::Column::LastStatus, Expr::value(status))
                    .col_expr(notifications::Column::DeliveredAt, Expr::value(now));
                sent += 1;
            }
            Err(failure) => {
                let state = if attempts >= GIVE_UP {
                    "FAILED"
                } else {
                    "PENDING"
                };
                update = update
                    .col_expr(notifications::Column::State, Expr::value(state))
                    .col_expr(
                        notifications::Column::LastStatus,
                        Expr::value(failure.status),
                    )
                    .col_expr(notifications::Column::LastError, Expr::value(failure.error))
                    .col_expr(
                        notifications::Column::NextAttemptAt,
                        Expr::value(now + crate::webhooks::retry::backoff(row.attempts)),
                    );
            }
        }
        update.exec(db).await?;
    }
    Ok(sent)
}

/// The text of a notification: what the unit is told, in Chinese, from the event's record.
fn text(event: &events::Model) -> String {
    let field = |name: &str| {
        event
            .payload
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    match event.kind.as_str() {
        "reminder.sent" => format!("【督查督办】催办：{}", field("message")),
        "report.returned" => {
            let comment = field("comment");
            if comment.is_empty() {
                "【督查督办】您单位报送的进展报告被退回，请修改后重新报送。".to_owned()
            } else {
                format!("【督查督办】您单位报送的进展报告被退回：{comment}")
            }
        }
        "notice.published" => format!("【督查督办】通报：{}", field("title")),
        _ => "【督查督办】您有一条新消息，请登录查看。".to_owned(),
    }
}
