//! Material owed by leaders (领导材料): a planning call asks each vice mayor for a report and a
//! project list. The obligation is the leader's, not a unit's, so it is a table of its own
//! rather than a row of `obligations` (whose owner is a unit).
//!
//! - `material_requests`: what the bureau asked of a leader under a document, and by when. One
//!   per document, leader and title (a second identical request is the first).
//! - `material_submissions`: what the leader (or their secretary, from an account linked to the
//!   same leader) sent: numbered versions, each with who sent it, when, and whether it was late;
//!   a retry with the same idempotency key is the stored version.

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
                    .table(name("material_requests"))
                    .col(id("id"))
                    .col(big_integer(name("document_id")))
                    .col(big_integer(name("leader_id")))
                    .col(string_len(name("title"), 500))
                    .col(date(name("due_on")))
                    .col(big_integer_null(name("requested_by")))
                    .col(timestamp_with_time_zone(name("requested_at")))
                    .foreign_key(&mut fk(
                        "material_requests",
                        "document_id",
                        "documents",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "material_requests",
                        "leader_id",
                        "leaders",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(
            manager,
            "material_requests",
            &["document_id", "leader_id", "title"],
        )
        .await?;
        create_index(manager, "material_requests", &["leader_id", "due_on"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("material_submissions"))
                    .col(id("id"))
                    .col(big_integer(name("request_id")))
                    .col(integer(name("version")))
                    .col(text(name("text")))
                    .col(string_len(name("idempotency_key"), 100))
                    .col(boolean(name("is_late")))
                    .col(big_integer(name("submitted_by")))
                    .col(timestamp_with_time_zone(name("submitted_at")))
                    .foreign_key(&mut fk(
                        "material_submissions",
                        "request_id",
                        "material_requests",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "material_submissions", &["request_id", "version"]).await?;
        create_unique_index(
            manager,
            "material_submissions",
            &["request_id", "idempotency_key"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["material_submissions", "material_requests"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
