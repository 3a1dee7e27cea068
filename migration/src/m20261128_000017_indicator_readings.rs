//! Actual values of indicators posted by another system (the statistics bureau's), apart from
//! units' reports: each with the machine account it came from, the period it is for, and the
//! idempotency key of the request that posted it (a retry stores nothing twice).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_unique_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("indicator_readings"))
                    .col(id("id"))
                    .col(big_integer(name("indicator_id")))
                    .col(big_integer_null(name("period_id")))
                    .col(string_len(name("value"), 200))
                    .col(text_null(name("note")))
                    .col(big_integer(name("source_user_id")))
                    .col(string_len(name("idempotency_key"), 100))
                    .col(timestamp_with_time_zone(name("recorded_at")))
                    .foreign_key(&mut fk(
                        "indicator_readings",
                        "indicator_id",
                        "indicators",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "indicator_readings",
                        "period_id",
                        "reporting_periods",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "indicator_readings",
                        "source_user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(
            manager,
            "indicator_readings",
            &["source_user_id", "idempotency_key", "indicator_id"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("indicator_readings")).to_owned())
            .await
    }
}
