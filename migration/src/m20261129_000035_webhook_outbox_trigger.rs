//! An event's webhook deliveries written by the database as the event is: a trigger on
//! `events` inserts a `webhook_deliveries` row for every webhook that wants the event's kind,
//! in the statement that stores the event.
//!
//! It did the same as an `INSERT … SELECT` sent after every event (`events::outbox`): one more
//! round trip for every change the API makes, nearly always writing nothing (few webhooks, few
//! kinds). The trigger keeps the outbox's guarantee (a delivery exists exactly when its event
//! committed) without it. A delivery is due when its event happened (`next_attempt_at` is the
//! event's `created_at`, the time the change was made, as the statement used to set).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::helpers::drop_triggers;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The deliveries of the event row `NEW`, on both backends.
const DELIVERIES: &str = "INSERT INTO webhook_deliveries \
     (webhook_id, event_id, attempts, next_attempt_at) \
     SELECT webhook_id, NEW.id, 0, NEW.created_at FROM webhook_kinds WHERE kind = NEW.kind;";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER events_webhooks AFTER INSERT ON events BEGIN {DELIVERIES} END"
                ))
                .await?;
            }
            DatabaseBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION duban_event_webhooks() RETURNS trigger LANGUAGE plpgsql \
                     AS $$ BEGIN {DELIVERIES} RETURN NULL; END $$"
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER events_webhooks AFTER INSERT ON events \
                     FOR EACH ROW EXECUTE FUNCTION duban_event_webhooks()",
                )
                .await?;
            }
            DatabaseBackend::MySql => {
                return Err(DbErr::Migration("MySQL is not supported".to_owned()));
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_triggers(
            manager,
            "events",
            &["events_webhooks"],
            &["duban_event_webhooks"],
        )
        .await
    }
}
