//! Live tasks counted as they change, so that the bureau's `totalCount` of every task (or of a
//! document's, or of some statuses) is a sum over a few hundred rows instead of a count of every
//! task: 6 ms for a province's 100,000 tasks, on every page that asks for it.
//!
//! Two tables, written only by triggers on `tasks` and by the fold (`tasks::counts`):
//!
//! - `task_count_deltas`: append-only, one row of +1 or −1 per live task that appears, moves
//!   (document or status) or goes. A writer only ever inserts here, so two transactions that
//!   change tasks of one document never wait for each other on a shared counter row, and a
//!   transaction that changes many tasks (the deadline job's status sweep) cannot deadlock
//!   against one that changes a single task through it.
//! - `task_counts`: the folded sums by document and status. Only the fold writes it: it moves
//!   the deltas into it, in one transaction.
//!
//! A count is the sum over both. The triggers fire only when a task's document, status or
//! liveness changes (a write that sets the same values adds nothing).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, string};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::helpers::{create_index, drop_triggers, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Whether a change of a row moves its count: its document, its status or whether it is live.
const MOVES_PG: &str = "OLD.document_id IS DISTINCT FROM NEW.document_id \
     OR OLD.status IS DISTINCT FROM NEW.status \
     OR (OLD.deleted_at IS NULL) IS DISTINCT FROM (NEW.deleted_at IS NULL)";
const MOVES_SQLITE: &str = "OLD.document_id IS NOT NEW.document_id \
     OR OLD.status IS NOT NEW.status \
     OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("task_counts"))
                    .col(big_integer(name("document_id")))
                    .col(string(name("status")))
                    .col(big_integer(name("n")))
                    .primary_key(Index::create().col(name("document_id")).col(name("status")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("task_count_deltas"))
                    .col(id("id"))
                    .col(big_integer(name("document_id")))
                    .col(string(name("status")))
                    .col(big_integer(name("n")))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "task_count_deltas", &["document_id", "status"]).await?;

        let db = manager.get_connection();
        // The tasks stored so far, counted once.
        db.execute_unprepared(
            "INSERT INTO task_counts (document_id, status, n) \
             SELECT document_id, status, COUNT(*) FROM tasks WHERE deleted_at IS NULL \
             GROUP BY document_id, status",
        )
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                let out = "INSERT INTO task_count_deltas (document_id, status, n) \
                           VALUES (OLD.document_id, OLD.status, -1);";
                let into = "INSERT INTO task_count_deltas (document_id, status, n) \
                            VALUES (NEW.document_id, NEW.status, 1);";
                for statement in [
                    format!(
                        "CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks \
                         WHEN NEW.deleted_at IS NULL BEGIN {into} END"
                    ),
                    format!(
                        "CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks \
                         WHEN OLD.deleted_at IS NULL BEGIN {out} END"
                    ),
                    // Out of the old place when it was live, into the new one when it is.
                    format!(
                        "CREATE TRIGGER tasks_count_update AFTER UPDATE ON tasks \
                         WHEN {MOVES_SQLITE} BEGIN \
                         INSERT INTO task_count_deltas (document_id, status, n) \
                         SELECT OLD.document_id, OLD.status, -1 WHERE OLD.deleted_at IS NULL; \
                         INSERT INTO task_count_deltas (document_id, status, n) \
                         SELECT NEW.document_id, NEW.status, 1 WHERE NEW.deleted_at IS NULL; \
                         END"
                    ),
                ] {
                    db.execute_unprepared(&statement).await?;
                }
            }
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION duban_task_count() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN \
                     IF TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL THEN \
                       INSERT INTO task_count_deltas (document_id, status, n) \
                       VALUES (OLD.document_id, OLD.status, -1); \
                     END IF; \
                     IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN \
                       INSERT INTO task_count_deltas (document_id, status, n) \
                       VALUES (NEW.document_id, NEW.status, 1); \
                     END IF; \
                     RETURN NULL; END $$",
                )
                .await?;
                for statement in [
                    "CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks FOR EACH ROW \
                     EXECUTE FUNCTION duban_task_count()"
                        .to_owned(),
                    "CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks FOR EACH ROW \
                     EXECUTE FUNCTION duban_task_count()"
                        .to_owned(),
                    format!(
                        "CREATE TRIGGER tasks_count_update AFTER UPDATE ON tasks FOR EACH ROW \
                         WHEN ({MOVES_PG}) EXECUTE FUNCTION duban_task_count()"
                    ),
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
        drop_triggers(
            manager,
            "tasks",
            &[
                "tasks_count_insert",
                "tasks_count_delete",
                "tasks_count_update",
            ],
            &["duban_task_count"],
        )
        .await?;
        for table in ["task_count_deltas", "task_counts"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
