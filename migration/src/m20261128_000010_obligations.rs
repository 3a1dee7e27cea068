//! Obligations stored: one row per owing unit × task × period, with its due date (the period's
//! or an approved extension) and where its report stands. Before this they were computed in
//! memory from every task, period and report a list touched; at a province's scale (a million
//! obligations) that cost a full scan per page. The rows are derived data: the server fills the
//! table on its first start after this migration (`obligations::store::fill_if_empty`) and
//! keeps it in the transaction of every change that moves it.
//!
//! The foreign keys cascade: an obligation has no meaning without its task, period, unit or
//! document, and nothing but the derivation writes it.

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
                    .table(name("obligations"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("period_id")))
                    .col(big_integer(name("unit_id")))
                    .col(big_integer(name("document_id")))
                    .col(date(name("due_on")))
                    .col(date(name("original_due_on")))
                    .col(big_integer_null(name("report_id")))
                    .col(string_len_null(name("report_state"), 32))
                    .col(boolean(name("late")))
                    .col(date_null(name("first_submitted_on")))
                    .foreign_key(&mut fk(
                        "obligations",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "obligations",
                        "period_id",
                        "reporting_periods",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "obligations",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "obligations",
                        "document_id",
                        "documents",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "obligations",
                        "report_id",
                        "progress_reports",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // One row per obligation; also the task's view (task_id leads).
        create_unique_index(manager, "obligations", &["task_id", "period_id", "unit_id"]).await?;
        // A unit's, a document's and a period's view, each in due order; and every obligation
        // due around a day (the reminder pass).
        create_index(manager, "obligations", &["unit_id", "due_on"]).await?;
        create_index(manager, "obligations", &["document_id", "due_on"]).await?;
        create_index(manager, "obligations", &["period_id"]).await?;
        create_index(manager, "obligations", &["due_on"]).await?;
        create_index(manager, "obligations", &["report_id"]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("obligations")).to_owned())
            .await
    }
}
