//! The weights of a document's ranking (考核): how many points an on-time report earns and a
//! late, missing or returned one costs. One row per document that the bureau has set; a
//! document without a row is ranked with the defaults (`stats::ranking::Weights::DEFAULT`).
//! Kept apart from `documents` so that an import, which rewrites a document, never touches them.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("scoring_weights"))
                    .col(big_integer(name("document_id")).primary_key())
                    .col(integer(name("on_time")))
                    .col(integer(name("late")))
                    .col(integer(name("missing")))
                    .col(integer(name("returned")))
                    .col(big_integer_null(name("updated_by")))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .foreign_key(&mut fk(
                        "scoring_weights",
                        "document_id",
                        "documents",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "scoring_weights",
                        "updated_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("scoring_weights")).to_owned())
            .await
    }
}
