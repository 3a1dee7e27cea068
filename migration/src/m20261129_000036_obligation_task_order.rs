//! A document's obligations, and all of them, in the list's order without sorting thousands:
//! each obligation carries its task's written order, so that the first page is a range read of
//! one index, stopped after the page.
//!
//! The list is ordered by due date, document, the task's order, task, unit and period
//! (`obligations::list`). The task's order lived on `tasks` only, so the first page of a
//! document's obligations read and sorted every obligation of the first due date with a probe of
//! `tasks` each (3,213 rows and 6.4 of the statement's 9 ms on the bench's province), and the
//! bureau's unfiltered list every obligation of the first due date of all documents.
//! `obligations.sort_order` is a copy of the task's, kept by triggers as `task_units`' is
//! (migration 34): set when an obligation is written, moved when a task is renumbered. It is not
//! in the entity, so that no write through the model can set it; `api check-obligations`
//! compares it with the tasks. The two indexes that began with `document_id, due_on` and with
//! `due_on` now go on with `document_id, sort_order, task_id`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::integer;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::helpers::{create_index, drop_index, drop_triggers, name, update_obligations_uncounted};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The indexes the list's pages read: a document's, and everyone's.
const DOCUMENT: [&str; 4] = ["document_id", "due_on", "sort_order", "task_id"];
const ALL: [&str; 4] = ["due_on", "document_id", "sort_order", "task_id"];

/// The indexes they replace (migration 10).
const DOCUMENT_BEFORE: [&str; 2] = ["document_id", "due_on"];
const ALL_BEFORE: [&str; 1] = ["due_on"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // NOT NULL with a default: on SQLite the row is inserted first and its copy set by the
        // trigger that follows, in the same statement.
        manager
            .alter_table(
                Table::alter()
                    .table(name("obligations"))
                    .add_column(integer(name("sort_order")).default(0).to_owned())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let fill = "UPDATE obligations SET sort_order = \
                    (SELECT t.sort_order FROM tasks t WHERE t.id = obligations.task_id)";
        update_obligations_uncounted(manager, fill).await?;
        create_index(manager, "obligations", &DOCUMENT).await?;
        create_index(manager, "obligations", &ALL).await?;
        drop_index(manager, "obligations", &DOCUMENT_BEFORE).await?;
        drop_index(manager, "obligations", &ALL_BEFORE).await?;

        // A task renumbered: its obligations follow.
        let follow = "UPDATE obligations SET sort_order = NEW.sort_order WHERE task_id = NEW.id;";
        match backend {
            DatabaseBackend::Sqlite => {
                // SQLite's triggers cannot set NEW: the row is written, then corrected.
                let copy = "UPDATE obligations SET sort_order = \
                     (SELECT t.sort_order FROM tasks t WHERE t.id = NEW.task_id) \
                     WHERE id = NEW.id;";
                for statement in [
                    format!(
                        "CREATE TRIGGER obligations_order_insert AFTER INSERT ON obligations \
                         BEGIN {copy} END"
                    ),
                    format!(
                        "CREATE TRIGGER obligations_order_update AFTER UPDATE OF task_id \
                         ON obligations BEGIN {copy} END"
                    ),
                    format!(
                        "CREATE TRIGGER tasks_order_follow_obligations AFTER UPDATE OF \
                         sort_order ON tasks WHEN OLD.sort_order IS NOT NEW.sort_order \
                         BEGIN {follow} END"
                    ),
                ] {
                    db.execute_unprepared(&statement).await?;
                }
            }
            DatabaseBackend::Postgres => {
                for statement in [
                    "CREATE FUNCTION duban_obligations_order() RETURNS trigger LANGUAGE plpgsql \
                     AS $$ BEGIN \
                     SELECT t.sort_order INTO NEW.sort_order FROM tasks t WHERE t.id = NEW.task_id; \
                     RETURN NEW; END $$"
                        .to_owned(),
                    format!(
                        "CREATE FUNCTION duban_tasks_order_follow_obligations() RETURNS trigger \
                         LANGUAGE plpgsql AS $$ BEGIN {follow} RETURN NULL; END $$"
                    ),
                    "CREATE TRIGGER obligations_order BEFORE INSERT OR UPDATE OF task_id \
                     ON obligations FOR EACH ROW EXECUTE FUNCTION duban_obligations_order()"
                        .to_owned(),
                    "CREATE TRIGGER tasks_order_follow_obligations AFTER UPDATE OF sort_order \
                     ON tasks FOR EACH ROW WHEN (OLD.sort_order IS DISTINCT FROM \
                     NEW.sort_order) EXECUTE FUNCTION duban_tasks_order_follow_obligations()"
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
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
        drop_triggers(
            manager,
            "tasks",
            &["tasks_order_follow_obligations"],
            if postgres {
                &["duban_tasks_order_follow_obligations"]
            } else {
                &[]
            },
        )
        .await?;
        let (triggers, functions): (&[&str], &[&str]) = if postgres {
            (&["obligations_order"], &["duban_obligations_order"])
        } else {
            (
                &["obligations_order_insert", "obligations_order_update"],
                &[],
            )
        };
        drop_triggers(manager, "obligations", triggers, functions).await?;
        create_index(manager, "obligations", &DOCUMENT_BEFORE).await?;
        create_index(manager, "obligations", &ALL_BEFORE).await?;
        drop_index(manager, "obligations", &DOCUMENT).await?;
        drop_index(manager, "obligations", &ALL).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("obligations"))
                    .drop_column(name("sort_order"))
                    .to_owned(),
            )
            .await
    }
}
