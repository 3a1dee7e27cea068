//! A unit's own sign-off (审核签发): a clerk (经办人) drafts, the unit's head (单位负责人) approves
//! before the report goes to the bureau, or returns it inside the unit.
//!
//! - `units.signoff_required`: whether the unit's reports go through its head (small units skip
//!   the step: false, the default).
//! - `users.unit_post`: `CLERK` or `HEAD` for a unit's account (NULL: an account of a unit that
//!   does not sign off, which submits as before).
//! - `report_versions.drafted_by` / `approved_by`: who drafted a submitted version and which
//!   head approved it (both NULL for versions submitted before, or without the step).
//! - `report_signoffs`: a draft put to the head, with its content, the head's decision and the
//!   version it became. One pending per report (a partial unique index).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("units"))
                    .add_column(boolean(name("signoff_required")).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("users"))
                    .add_column(string_len_null(name("unit_post"), 16))
                    .to_owned(),
            )
            .await?;
        for column in ["drafted_by", "approved_by"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("report_versions"))
                        .add_column(big_integer_null(name(column)))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(name("report_signoffs"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("period_id")))
                    .col(big_integer(name("unit_id")))
                    .col(string_len(name("idempotency_key"), 100))
                    .col(json(name("content")))
                    .col(string_len(name("state"), 32))
                    .col(big_integer(name("drafted_by")))
                    .col(timestamp_with_time_zone(name("drafted_at")))
                    .col(big_integer_null(name("decided_by")))
                    .col(timestamp_with_time_zone_null(name("decided_at")))
                    .col(text_null(name("comment")))
                    .col(big_integer_null(name("version_id")))
                    .foreign_key(&mut fk(
                        "report_signoffs",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "report_signoffs",
                        "period_id",
                        "reporting_periods",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "report_signoffs",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "report_signoffs",
                        "drafted_by",
                        "users",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "report_signoffs",
                        "decided_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "report_signoffs",
                        "version_id",
                        "report_versions",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "report_signoffs", &["unit_id", "state"]).await?;
        // One draft awaiting the head per report; partial indexes read the same on both backends.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_report_signoffs_pending \
                 ON report_signoffs (task_id, period_id, unit_id) WHERE state = 'PENDING'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("report_signoffs")).to_owned())
            .await?;
        for (table, column) in [
            ("report_versions", "approved_by"),
            ("report_versions", "drafted_by"),
            ("users", "unit_post"),
            ("units", "signoff_required"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name(table))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
