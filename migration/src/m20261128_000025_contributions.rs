//! Partners' contributions to the lead unit (配合单位函告牵头单位): under a document's
//! `LEAD_CONSOLIDATING` rule, each cooperating unit sends the lead its part for the period
//! `contribution_lead_days` working days before the lead's due date, and the lead's submitted
//! version consolidates them.
//!
//! - `documents.contribution_lead_days`: 5 unless the notice says otherwise.
//! - `contributions`: one per task, period and partner, with its due date, first submission
//!   (lateness is measured from it), the text as last written, and the lead's version it went
//!   into (after which it is fixed).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_unique_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("documents"))
                    .add_column(integer(name("contribution_lead_days")).default(5))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("contributions"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("period_id")))
                    .col(big_integer(name("unit_id")))
                    .col(date(name("due_on")))
                    .col(text(name("text")))
                    .col(big_integer(name("submitted_by")))
                    .col(timestamp_with_time_zone(name("submitted_at")))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .col(boolean(name("late")))
                    .col(big_integer_null(name("version_id")))
                    .foreign_key(&mut fk(
                        "contributions",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "contributions",
                        "period_id",
                        "reporting_periods",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "contributions",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "contributions",
                        "submitted_by",
                        "users",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "contributions",
                        "version_id",
                        "report_versions",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(
            manager,
            "contributions",
            &["task_id", "period_id", "unit_id"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("contributions")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("documents"))
                    .drop_column(name("contribution_lead_days"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
