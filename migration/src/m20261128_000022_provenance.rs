//! Where a task comes from and where it goes: links between tasks (carried over into the next
//! year's notice, 结转; drafted together, 与…合并起草; related), and the passages of a source
//! document (the work report itself, kind `SOURCE`) a task cites.

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
                    .table(name("task_links"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("linked_task_id")))
                    .col(string_len(name("kind"), 32))
                    .col(text_null(name("note")))
                    .col(big_integer_null(name("created_by")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "task_links",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "task_links",
                        "linked_task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "task_links",
                        "created_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(
            manager,
            "task_links",
            &["task_id", "linked_task_id", "kind"],
        )
        .await?;
        create_index(manager, "task_links", &["linked_task_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("task_citations"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("document_id")))
                    .col(text(name("passage")))
                    .col(integer(name("char_offset")))
                    .col(big_integer_null(name("created_by")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "task_citations",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "task_citations",
                        "document_id",
                        "documents",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "task_citations",
                        "created_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(
            manager,
            "task_citations",
            &["task_id", "document_id", "char_offset"],
        )
        .await?;
        create_index(manager, "task_citations", &["document_id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["task_citations", "task_links"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
