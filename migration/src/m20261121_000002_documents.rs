//! Documents and what they carry: categories, tasks, proposals, task leaders and units, indicators.

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
                    .table(name("documents"))
                    .col(id("id"))
                    .col(string_null(name("doc_number")))
                    .col(text(name("title")))
                    .col(string_null(name("issuer")))
                    .col(date_null(name("issued_on")))
                    .col(integer(name("year")))
                    .col(string_len(name("kind"), 32))
                    .col(json_null(name("schedule")))
                    .col(string_len(name("obligation_rule"), 32))
                    .col(integer_null(name("declared_total")))
                    .col(json_null(name("contacts")))
                    .col(text_null(name("original_text")))
                    .col(big_integer_null(name("created_by")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .foreign_key(&mut fk(
                        "documents",
                        "created_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "documents", &["doc_number"]).await?;
        create_index(manager, "documents", &["year"]).await?;
        create_index(manager, "documents", &["kind"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("categories"))
                    .col(id("id"))
                    .col(big_integer(name("document_id")))
                    .col(big_integer_null(name("parent_id")))
                    .col(string(name("ordinal")))
                    .col(text(name("title")))
                    .col(integer(name("position")))
                    .col(string(name("path")))
                    .col(integer_null(name("declared_count")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "categories",
                        "document_id",
                        "documents",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "categories",
                        "parent_id",
                        "categories",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "categories", &["document_id", "path"]).await?;
        create_index(manager, "categories", &["parent_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("tasks"))
                    .col(id("id"))
                    .col(big_integer(name("document_id")))
                    .col(big_integer_null(name("category_id")))
                    .col(big_integer_null(name("parent_task_id")))
                    .col(string(name("seq")))
                    .col(integer(name("sort_order")))
                    .col(text(name("text")))
                    .col(date_null(name("deadline")))
                    .col(string_len(name("status"), 32))
                    .col(integer(name("percent")))
                    .col(integer(name("version")))
                    .col(string_null(name("external_id")))
                    .col(timestamp_with_time_zone_null(name("completed_at")))
                    .col(timestamp_with_time_zone_null(name("deleted_at")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .foreign_key(&mut fk(
                        "tasks",
                        "document_id",
                        "documents",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "tasks",
                        "category_id",
                        "categories",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "tasks",
                        "parent_task_id",
                        "tasks",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "tasks", &["external_id"]).await?;
        // A live task's sequence number is unique within its document: a re-import matches tasks
        // by it. Soft-deleted tasks are left out, so a number can be reused after a delete.
        // Partial indexes are spelt the same on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_tasks_document_id_seq_live \
                 ON tasks (document_id, seq) WHERE deleted_at IS NULL",
            )
            .await?;
        create_index(manager, "tasks", &["document_id", "sort_order"]).await?;
        create_index(manager, "tasks", &["category_id"]).await?;
        create_index(manager, "tasks", &["parent_task_id"]).await?;
        create_index(manager, "tasks", &["status"]).await?;
        create_index(manager, "tasks", &["deadline"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("task_proposals"))
                    .col(big_integer(name("task_id")).primary_key())
                    .col(text(name("proposers")))
                    .col(integer_null(name("deputy_count")))
                    .col(date_null(name("reply_deadline")))
                    .col(text_null(name("reply_text")))
                    .col(date_null(name("replied_on")))
                    .col(string_len_null(name("reply_class"), 32))
                    .col(string_len_null(name("rating"), 32))
                    .col(integer(name("round")))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .foreign_key(&mut fk(
                        "task_proposals",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("task_leaders"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer_null(name("leader_id")))
                    .col(string_null(name("post")))
                    .col(string_null(name("collective")))
                    .col(string(name("name_as_written")))
                    .col(string_len(name("role"), 32))
                    .col(integer(name("position")))
                    .foreign_key(&mut fk(
                        "task_leaders",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "task_leaders",
                        "leader_id",
                        "leaders",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "task_leaders", &["task_id", "role", "position"]).await?;
        create_index(manager, "task_leaders", &["leader_id"]).await?;
        create_index(manager, "task_leaders", &["post"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("task_units"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("unit_id")))
                    .col(string_len(name("role"), 32))
                    .col(integer(name("position")))
                    .col(string(name("name_as_written")))
                    .col(boolean(name("is_local")))
                    .foreign_key(&mut fk(
                        "task_units",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "task_units",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "task_units", &["task_id", "unit_id", "role"]).await?;
        create_index(manager, "task_units", &["unit_id", "role"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("indicators"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(text(name("phrase")))
                    .col(string_null(name("value")))
                    .col(string_null(name("measure_unit")))
                    .col(string_len(name("comparator"), 32))
                    .col(integer(name("position")))
                    .foreign_key(&mut fk(
                        "indicators",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "indicators", &["task_id"]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "indicators",
            "task_units",
            "task_leaders",
            "task_proposals",
            "tasks",
            "categories",
            "documents",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
