//! Webhooks: URLs the bureau registers to be told of events of some kinds, each with a secret
//! that signs its deliveries; `webhook_kinds` the kinds each wants (a row each, so that the
//! outbox is filled by one `INSERT … SELECT` in the change's transaction); `webhook_deliveries`
//! the outbox and the delivery log at once: one row per webhook and event, attempted in event
//! order per webhook, with its attempts, last answer and when it was delivered. A lease on the
//! webhook row (`lease_owner`, `lease_until`) lets one instance deliver a webhook at a time.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_index, create_unique_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("webhooks"))
                    .col(id("id"))
                    .col(text(name("url")))
                    .col(string_len(name("secret"), 128))
                    .col(integer(name("failures")))
                    .col(timestamp_with_time_zone_null(name("paused_at")))
                    .col(string_len_null(name("lease_owner"), 64))
                    .col(timestamp_with_time_zone_null(name("lease_until")))
                    .col(big_integer_null(name("created_by")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "webhooks",
                        "created_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("webhook_kinds"))
                    .col(id("id"))
                    .col(big_integer(name("webhook_id")))
                    .col(string_len(name("kind"), 64))
                    .foreign_key(&mut fk(
                        "webhook_kinds",
                        "webhook_id",
                        "webhooks",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "webhook_kinds", &["kind", "webhook_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("webhook_deliveries"))
                    .col(id("id"))
                    .col(big_integer(name("webhook_id")))
                    .col(big_integer(name("event_id")))
                    .col(integer(name("attempts")))
                    .col(timestamp_with_time_zone(name("next_attempt_at")))
                    .col(timestamp_with_time_zone_null(name("last_attempt_at")))
                    .col(integer_null(name("last_status")))
                    .col(text_null(name("last_error")))
                    .col(timestamp_with_time_zone_null(name("delivered_at")))
                    .foreign_key(&mut fk(
                        "webhook_deliveries",
                        "webhook_id",
                        "webhooks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "webhook_deliveries",
                        "event_id",
                        "events",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "webhook_deliveries", &["webhook_id", "event_id"]).await?;
        create_index(
            manager,
            "webhook_deliveries",
            &["delivered_at", "next_attempt_at"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["webhook_deliveries", "webhook_kinds", "webhooks"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
