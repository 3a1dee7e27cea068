//! Receiving and handing back tasks (签收, 退办/转办), and the working-day calendar their windows
//! are counted in.
//!
//! - `documents.receipt_working_days` / `handback_working_days`: the notice's own windows ("收到
//!   任务后2个工作日内签收"), 2 and 5 working days unless the bureau says otherwise.
//! - `calendar_days`: the exceptions to Monday–Friday that the State Council announces each year
//!   (holidays on weekdays, make-up working days on weekends), kept by the bureau.
//! - `task_receipts`: one row per unit and task it is assigned to (whatever its roles), opened
//!   when the assignment appears, acknowledged by the unit, withdrawn when the unit leaves the
//!   task. Assignments made before this migration are recorded as received when their task was
//!   created: nobody is asked to acknowledge last year's work.
//! - `handback_requests`: a unit's request to hand a task back, with the bureau's decision and,
//!   for a transfer, the unit that took the task over.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_index, create_unique_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (column, days) in [("receipt_working_days", 2), ("handback_working_days", 5)] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("documents"))
                        .add_column(integer(name(column)).default(days))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(name("calendar_days"))
                    .col(date(name("day")).primary_key())
                    .col(boolean(name("working")))
                    .col(string_len_null(name("note"), 100))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("task_receipts"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("unit_id")))
                    .col(timestamp_with_time_zone(name("assigned_at")))
                    .col(date(name("due_on")))
                    .col(date(name("handback_until")))
                    .col(timestamp_with_time_zone_null(name("acknowledged_at")))
                    .col(big_integer_null(name("acknowledged_by")))
                    .col(timestamp_with_time_zone_null(name("withdrawn_at")))
                    .foreign_key(&mut fk(
                        "task_receipts",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "task_receipts",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "task_receipts",
                        "acknowledged_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "task_receipts", &["task_id", "unit_id"]).await?;
        create_index(manager, "task_receipts", &["unit_id", "acknowledged_at"]).await?;
        create_index(manager, "task_receipts", &["acknowledged_at", "due_on"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("handback_requests"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(big_integer(name("unit_id")))
                    .col(text(name("reason")))
                    .col(big_integer_null(name("suggested_unit_id")))
                    .col(string_len(name("state"), 32))
                    .col(big_integer(name("requested_by")))
                    .col(timestamp_with_time_zone(name("requested_at")))
                    .col(big_integer_null(name("decided_by")))
                    .col(timestamp_with_time_zone_null(name("decided_at")))
                    .col(text_null(name("decision_comment")))
                    .col(big_integer_null(name("transferred_to_unit_id")))
                    .foreign_key(&mut fk(
                        "handback_requests",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "handback_requests",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "handback_requests",
                        "suggested_unit_id",
                        "units",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "handback_requests",
                        "requested_by",
                        "users",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "handback_requests",
                        "decided_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "handback_requests",
                        "transferred_to_unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "handback_requests", &["task_id", "unit_id"]).await?;
        create_index(manager, "handback_requests", &["state"]).await?;

        // Assignments already made count as received when their task was created (its date in
        // Beijing, the one place the two backends spell differently).
        let china_date = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => "date(t.created_at, '+8 hours')",
            _ => "CAST(t.created_at AT TIME ZONE 'Asia/Shanghai' AS DATE)",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO task_receipts (task_id, unit_id, assigned_at, due_on, handback_until, \
                 acknowledged_at) \
                 SELECT t.id, u.unit_id, t.created_at, {china_date}, {china_date}, t.created_at \
                 FROM tasks t JOIN (SELECT DISTINCT task_id, unit_id FROM task_units) u \
                 ON u.task_id = t.id"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["handback_requests", "task_receipts", "calendar_days"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        for column in ["handback_working_days", "receipt_working_days"] {
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
