//! Notifications out to other channels (SMS, WeCom, DingTalk gateways): `contacts` are a unit's
//! or a leader's addresses on each channel (their channel preferences: no row, in-app only);
//! `notifications` is their outbox and delivery log, a row per event and contact, written in
//! the event's transaction and sent by the worker that delivers webhooks.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("contacts"))
                    .col(id("id"))
                    .col(big_integer_null(name("unit_id")))
                    .col(big_integer_null(name("leader_id")))
                    .col(string_len(name("channel"), 16))
                    .col(string_len(name("address"), 200))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "contacts",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "contacts",
                        "leader_id",
                        "leaders",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "contacts", &["unit_id"]).await?;
        create_index(manager, "contacts", &["leader_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("notifications"))
                    .col(id("id"))
                    .col(big_integer(name("event_id")))
                    .col(big_integer(name("contact_id")))
                    .col(string_len(name("channel"), 16))
                    .col(string_len(name("address"), 200))
                    .col(string_len(name("state"), 16))
                    .col(integer(name("attempts")))
                    .col(timestamp_with_time_zone(name("next_attempt_at")))
                    .col(timestamp_with_time_zone_null(name("claimed_until")))
                    .col(integer_null(name("last_status")))
                    .col(text_null(name("last_error")))
                    .col(timestamp_with_time_zone_null(name("delivered_at")))
                    .foreign_key(&mut fk(
                        "notifications",
                        "event_id",
                        "events",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "notifications",
                        "contact_id",
                        "contacts",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "notifications", &["state", "next_attempt_at"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["notifications", "contacts"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
