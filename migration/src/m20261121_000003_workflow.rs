//! The supervision workflow: periods, reports and their versions, reviews, reminders, ledgers, instructions, extensions, notices, attachments.

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
                    .table(name("reporting_periods"))
                    .col(id("id"))
                    .col(big_integer(name("document_id")))
                    .col(string(name("label")))
                    .col(date_null(name("starts_on")))
                    .col(date(name("due_on")))
                    .col(date(name("original_due_on")))
                    .col(integer(name("position")))
                    .foreign_key(&mut fk(
                        "reporting_periods",
                        "document_id",
                        "documents",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "reporting_periods", &["document_id", "label"]).await?;
        create_index(manager, "reporting_periods", &["due_on"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("progress_reports"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("period_id")))
                    .col(big_integer(name("unit_id")))
                    .col(string_len(name("state"), 32))
                    .col(integer(name("current_version")))
                    .col(text_null(name("draft_progress")))
                    .col(text_null(name("draft_problems")))
                    .col(text_null(name("draft_next_steps")))
                    .col(integer_null(name("draft_percent")))
                    .col(big_integer_null(name("draft_updated_by")))
                    .col(integer(name("version")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .foreign_key(&mut fk(
                        "progress_reports",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "progress_reports",
                        "period_id",
                        "reporting_periods",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "progress_reports",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "progress_reports",
                        "draft_updated_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(
            manager,
            "progress_reports",
            &["task_id", "period_id", "unit_id"],
        )
        .await?;
        create_index(manager, "progress_reports", &["period_id"]).await?;
        create_index(manager, "progress_reports", &["unit_id", "state"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("report_versions"))
                    .col(id("id"))
                    .col(big_integer(name("report_id")))
                    .col(integer(name("version")))
                    .col(text(name("progress")))
                    .col(text_null(name("problems")))
                    .col(text_null(name("next_steps")))
                    .col(integer_null(name("percent")))
                    .col(big_integer(name("submitted_by")))
                    .col(timestamp_with_time_zone(name("submitted_at")))
                    .col(date(name("due_on")))
                    .col(big_integer_null(name("late_seconds")))
                    .col(string(name("idempotency_key")))
                    .foreign_key(&mut fk(
                        "report_versions",
                        "report_id",
                        "progress_reports",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "report_versions",
                        "submitted_by",
                        "users",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "report_versions", &["report_id", "version"]).await?;
        create_unique_index(
            manager,
            "report_versions",
            &["report_id", "idempotency_key"],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("report_indicator_values"))
                    .col(id("id"))
                    .col(big_integer(name("version_id")))
                    .col(big_integer(name("indicator_id")))
                    .col(string_null(name("value")))
                    .col(text_null(name("note")))
                    .foreign_key(&mut fk(
                        "report_indicator_values",
                        "version_id",
                        "report_versions",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "report_indicator_values",
                        "indicator_id",
                        "indicators",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(
            manager,
            "report_indicator_values",
            &["version_id", "indicator_id"],
        )
        .await?;
        create_index(manager, "report_indicator_values", &["indicator_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("report_reviews"))
                    .col(id("id"))
                    .col(big_integer(name("report_id")))
                    .col(big_integer(name("version_id")))
                    .col(big_integer(name("reviewer_id")))
                    .col(string_len(name("decision"), 32))
                    .col(text_null(name("comment")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "report_reviews",
                        "report_id",
                        "progress_reports",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "report_reviews",
                        "version_id",
                        "report_versions",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "report_reviews",
                        "reviewer_id",
                        "users",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "report_reviews", &["version_id"]).await?;
        create_index(manager, "report_reviews", &["report_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("reminders"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer_null(name("period_id")))
                    .col(big_integer(name("unit_id")))
                    .col(big_integer_null(name("sender_id")))
                    .col(string(name("rule")))
                    .col(string_null(name("dedup_key")))
                    .col(text(name("message")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .col(timestamp_with_time_zone_null(name("acknowledged_at")))
                    .col(big_integer_null(name("acknowledged_by")))
                    .foreign_key(&mut fk(
                        "reminders",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "reminders",
                        "period_id",
                        "reporting_periods",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "reminders",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "reminders",
                        "sender_id",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "reminders",
                        "acknowledged_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "reminders", &["dedup_key"]).await?;
        create_index(manager, "reminders", &["unit_id", "created_at"]).await?;
        create_index(manager, "reminders", &["task_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("ledger_entries"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("unit_id")))
                    .col(text(name("title")))
                    .col(text_null(name("detail")))
                    .col(date_null(name("time_node")))
                    .col(string_null(name("responsible_leader")))
                    .col(string_null(name("responsible_person")))
                    .col(string_null(name("phone")))
                    .col(string_len(name("state"), 32))
                    .col(integer(name("position")))
                    .col(integer(name("version")))
                    .col(big_integer_null(name("created_by")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .col(timestamp_with_time_zone_null(name("deleted_at")))
                    .foreign_key(&mut fk(
                        "ledger_entries",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "ledger_entries",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "ledger_entries",
                        "created_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "ledger_entries", &["task_id", "unit_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("instructions"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer_null(name("report_id")))
                    .col(big_integer_null(name("parent_id")))
                    .col(big_integer(name("author_id")))
                    .col(string_len(name("kind"), 32))
                    .col(text(name("body")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "instructions",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "instructions",
                        "report_id",
                        "progress_reports",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "instructions",
                        "parent_id",
                        "instructions",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "instructions",
                        "author_id",
                        "users",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "instructions", &["task_id", "created_at"]).await?;
        create_index(manager, "instructions", &["report_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("extension_requests"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("unit_id")))
                    .col(big_integer_null(name("period_id")))
                    .col(date(name("original_due_on")))
                    .col(date(name("requested_due_on")))
                    .col(text(name("reason")))
                    .col(string_len(name("state"), 32))
                    .col(big_integer(name("requested_by")))
                    .col(timestamp_with_time_zone(name("requested_at")))
                    .col(big_integer_null(name("decided_by")))
                    .col(timestamp_with_time_zone_null(name("decided_at")))
                    .col(text_null(name("decision_comment")))
                    .foreign_key(&mut fk(
                        "extension_requests",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "extension_requests",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "extension_requests",
                        "period_id",
                        "reporting_periods",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "extension_requests",
                        "requested_by",
                        "users",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "extension_requests",
                        "decided_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "extension_requests", &["task_id", "unit_id"]).await?;
        create_index(manager, "extension_requests", &["state"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("notices"))
                    .col(id("id"))
                    .col(string_len(name("kind"), 32))
                    .col(text(name("title")))
                    .col(text(name("body")))
                    .col(big_integer_null(name("document_id")))
                    .col(big_integer_null(name("period_id")))
                    .col(timestamp_with_time_zone_null(name("published_at")))
                    .col(big_integer_null(name("created_by")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "notices",
                        "document_id",
                        "documents",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "notices",
                        "period_id",
                        "reporting_periods",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "notices",
                        "created_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "notices", &["published_at"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("notice_units"))
                    .col(id("id"))
                    .col(big_integer(name("notice_id")))
                    .col(big_integer(name("unit_id")))
                    .col(text_null(name("reason")))
                    .foreign_key(&mut fk(
                        "notice_units",
                        "notice_id",
                        "notices",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "notice_units",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "notice_units", &["notice_id", "unit_id"]).await?;
        create_index(manager, "notice_units", &["unit_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("attachments"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer_null(name("report_id")))
                    .col(big_integer_null(name("version_id")))
                    .col(big_integer_null(name("instruction_id")))
                    .col(string(name("file_name")))
                    .col(string(name("content_type")))
                    .col(big_integer(name("size_bytes")))
                    .col(string(name("sha256")))
                    .col(string(name("storage_key")))
                    .col(big_integer_null(name("uploaded_by")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "attachments",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "attachments",
                        "report_id",
                        "progress_reports",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "attachments",
                        "version_id",
                        "report_versions",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "attachments",
                        "instruction_id",
                        "instructions",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "attachments",
                        "uploaded_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "attachments", &["storage_key"]).await?;
        create_index(manager, "attachments", &["task_id"]).await?;
        create_index(manager, "attachments", &["report_id"]).await?;
        create_index(manager, "attachments", &["version_id"]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "attachments",
            "notice_units",
            "notices",
            "extension_requests",
            "instructions",
            "ledger_entries",
            "reminders",
            "report_reviews",
            "report_indicator_values",
            "report_versions",
            "progress_reports",
            "reporting_periods",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
