//! The escalation ladder (三色督办): the steps the bureau takes with a unit whose report is
//! overdue, after the automatic reminder (提醒): 催办 (`URGE`), a numbered 督办单
//! (`SUPERVISION_NOTICE`), a recorded 约谈 (`INTERVIEW`) with the unit's head.
//!
//! - `documents.urge_after_days` / `notice_after_days` / `interview_after_days`: how many days
//!   overdue take an obligation to each step automatically (NULL: only when the bureau says);
//!   3 and 10 days and no automatic 约谈 for new notices, none for those already stored.
//! - `escalations`: each step taken, with who (NULL: the deadline job), when, how overdue, the
//!   notice's number, the unit's reply and the bureau's recorded outcome. One step of each level
//!   per obligation (task × period × unit), the unique key deciding races between instances.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_index, create_unique_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (column, days) in [
            ("urge_after_days", Some(3)),
            ("notice_after_days", Some(10)),
            ("interview_after_days", None),
        ] {
            let mut column = integer_null(name(column));
            if let Some(days) = days {
                column.default(days);
            }
            manager
                .alter_table(
                    Table::alter()
                        .table(name("documents"))
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // The notices already stored keep no automatic ladder: switching one on at upgrade would
        // issue a numbered 督办单 for every report already ten days late at the first run. New
        // notices get the defaults; the bureau sets an old one's with `updateDocument`.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE documents SET urge_after_days = NULL, notice_after_days = NULL",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("escalations"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("period_id")))
                    .col(big_integer(name("unit_id")))
                    .col(string_len(name("level"), 32))
                    .col(string_len_null(name("number"), 64))
                    .col(text(name("reason")))
                    .col(integer(name("days_overdue")))
                    .col(big_integer_null(name("issued_by")))
                    .col(timestamp_with_time_zone(name("issued_at")))
                    .col(text_null(name("reply")))
                    .col(big_integer_null(name("replied_by")))
                    .col(timestamp_with_time_zone_null(name("replied_at")))
                    .col(text_null(name("outcome")))
                    .col(string_len_null(name("interviewee"), 100))
                    .col(date_null(name("held_on")))
                    .col(big_integer_null(name("outcome_by")))
                    .col(timestamp_with_time_zone_null(name("outcome_at")))
                    .foreign_key(&mut fk(
                        "escalations",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "escalations",
                        "period_id",
                        "reporting_periods",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "escalations",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "escalations",
                        "issued_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "escalations",
                        "replied_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "escalations",
                        "outcome_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(
            manager,
            "escalations",
            &["task_id", "period_id", "unit_id", "level"],
        )
        .await?;
        create_unique_index(manager, "escalations", &["number"]).await?;
        create_index(manager, "escalations", &["unit_id", "issued_at"]).await?;
        create_index(manager, "escalations", &["level", "issued_at"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("escalations")).to_owned())
            .await?;
        for column in [
            "interview_after_days",
            "notice_after_days",
            "urge_after_days",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("documents"))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
