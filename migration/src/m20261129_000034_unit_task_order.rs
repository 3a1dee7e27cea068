//! A unit's tasks in the list's order without reading all of them: each assignment carries its
//! task's document and order, so that the first page of a unit's tasks is a range read of one
//! index, `(unit_id, document_id, sort_order, task_id)`, stopped after the page.
//!
//! Without them, the page read every task of the unit (700 at the bench's busiest unit) to sort
//! them and keep 51. `task_units.document_id` and `task_units.sort_order` are copies of the
//! task's, kept by triggers: set when an assignment is written, moved when a task is renumbered
//! or moved. Like `tasks.earliest_open_due` (migration 32) they are not in the entity, so that
//! no write through the model can set them; `api check-obligations` compares them with the
//! tasks.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, integer};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::helpers::{create_index, drop_triggers, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The copied columns, as `task_units` and `tasks` both name them.
const COPIED: [&str; 2] = ["document_id", "sort_order"];

/// The index the unit's page reads.
const INDEX: [&str; 4] = ["unit_id", "document_id", "sort_order", "task_id"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // NOT NULL with a default: on SQLite the row is inserted first and its copy set by the
        // trigger that follows, in the same statement.
        for column in [
            big_integer(name("document_id")).default(0).to_owned(),
            integer(name("sort_order")).default(0).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("task_units"))
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE task_units SET \
             document_id = (SELECT t.document_id FROM tasks t WHERE t.id = task_units.task_id), \
             sort_order = (SELECT t.sort_order FROM tasks t WHERE t.id = task_units.task_id)",
        )
        .await?;
        create_index(manager, "task_units", &INDEX).await?;

        // A task renumbered or moved to another document: its assignments follow.
        let follow = "UPDATE task_units SET document_id = NEW.document_id, \
                      sort_order = NEW.sort_order WHERE task_id = NEW.id;";
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                // SQLite's triggers cannot set NEW: the row is written, then corrected.
                let copy = "UPDATE task_units SET \
                     document_id = (SELECT t.document_id FROM tasks t WHERE t.id = NEW.task_id), \
                     sort_order = (SELECT t.sort_order FROM tasks t WHERE t.id = NEW.task_id) \
                     WHERE id = NEW.id;";
                for statement in [
                    format!(
                        "CREATE TRIGGER task_units_order_insert AFTER INSERT ON task_units \
                         BEGIN {copy} END"
                    ),
                    format!(
                        "CREATE TRIGGER task_units_order_update AFTER UPDATE OF task_id \
                         ON task_units BEGIN {copy} END"
                    ),
                    format!(
                        "CREATE TRIGGER tasks_order_follow AFTER UPDATE OF document_id, \
                         sort_order ON tasks WHEN OLD.document_id IS NOT NEW.document_id \
                         OR OLD.sort_order IS NOT NEW.sort_order BEGIN {follow} END"
                    ),
                ] {
                    db.execute_unprepared(&statement).await?;
                }
            }
            DatabaseBackend::Postgres => {
                for statement in [
                    "CREATE FUNCTION duban_task_units_order() RETURNS trigger LANGUAGE plpgsql \
                     AS $$ BEGIN \
                     SELECT t.document_id, t.sort_order INTO NEW.document_id, NEW.sort_order \
                     FROM tasks t WHERE t.id = NEW.task_id; \
                     RETURN NEW; END $$"
                        .to_owned(),
                    format!(
                        "CREATE FUNCTION duban_tasks_order_follow() RETURNS trigger \
                         LANGUAGE plpgsql AS $$ BEGIN {follow} RETURN NULL; END $$"
                    ),
                    "CREATE TRIGGER task_units_order BEFORE INSERT OR UPDATE OF task_id \
                     ON task_units FOR EACH ROW EXECUTE FUNCTION duban_task_units_order()"
                        .to_owned(),
                    "CREATE TRIGGER tasks_order_follow AFTER UPDATE OF document_id, sort_order \
                     ON tasks FOR EACH ROW WHEN (OLD.document_id IS DISTINCT FROM \
                     NEW.document_id OR OLD.sort_order IS DISTINCT FROM NEW.sort_order) \
                     EXECUTE FUNCTION duban_tasks_order_follow()"
                        .to_owned(),
                ] {
                    db.execute_unprepared(&statement).await?;
                }
            }
            DatabaseBackend::MySql => {
                return Err(DbErr::Migration("MySQL is not supported".to_owned()));
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_triggers(manager, "tasks", &["tasks_order_follow"], &[]).await?;
        let (unit_triggers, functions): (&[&str], &[&str]) = match manager.get_database_backend() {
            DatabaseBackend::Postgres => (
                &["task_units_order"],
                &["duban_task_units_order", "duban_tasks_order_follow"],
            ),
            _ => (&["task_units_order_insert", "task_units_order_update"], &[]),
        };
        drop_triggers(manager, "task_units", unit_triggers, functions).await?;
        manager
            .drop_index(
                Index::drop()
                    .name(format!("idx_task_units_{}", INDEX.join("_")))
                    .table(name("task_units"))
                    .to_owned(),
            )
            .await?;
        for column in COPIED {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("task_units"))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
