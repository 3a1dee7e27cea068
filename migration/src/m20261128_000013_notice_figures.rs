//! Praise and criticism notices (通报) get their workflow and their evidence. `notices` gains
//! what a published notice carries (number, issuer, date, a version for edits of the draft)
//! and the scope and time its figures were computed for; `notice_figures` keeps every ranked
//! unit's counts as the notice states them; `notice_evidence` keeps, for each unit the notice
//! names, every obligation counted (task, period, unit, the due date used, the outcome) with
//! the report version and review it was computed from, so that `verifyNotice` can recompute the
//! figures from the append-only history as of `computed_at`.
//!
//! Evidence names tasks, periods and report versions by id and does not cascade from them: a
//! notice is a published record, and the rows it cites are never deleted while it exists
//! (tasks are soft-deleted; versions are append-only).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_index, create_unique_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        let columns = [
            string_null(name("doc_number")),
            string_null(name("issuer")),
            date_null(name("issued_on")),
            integer(name("version")).default(1).take(),
            timestamp_with_time_zone_null(name("updated_at")),
            timestamp_with_time_zone_null(name("computed_at")),
            date_null(name("due_from")),
            date_null(name("due_to")),
            text_null(name("formula")),
            json_null(name("weights")),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("notices"))
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        create_unique_index(manager, "notices", &["doc_number"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(name("notice_figures"))
                    .col(id("id"))
                    .col(big_integer(name("notice_id")))
                    .col(big_integer(name("unit_id")))
                    .col(integer(name("rank")))
                    .col(integer(name("on_time")))
                    .col(integer(name("late")))
                    .col(integer(name("missing")))
                    .col(integer(name("returned")))
                    .col(big_integer(name("points")))
                    .foreign_key(&mut fk(
                        "notice_figures",
                        "notice_id",
                        "notices",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "notice_figures",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "notice_figures", &["notice_id", "unit_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(name("notice_evidence"))
                    .col(id("id"))
                    .col(big_integer(name("notice_id")))
                    .col(big_integer(name("unit_id")))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("period_id")))
                    .col(date(name("due_on")))
                    .col(string_len(name("outcome"), 16))
                    .col(big_integer_null(name("report_id")))
                    .col(big_integer_null(name("first_version_id")))
                    .col(big_integer_null(name("returned_review_id")))
                    .foreign_key(&mut fk(
                        "notice_evidence",
                        "notice_id",
                        "notices",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "notice_evidence", &["notice_id", "unit_id"]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["notice_evidence", "notice_figures"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
