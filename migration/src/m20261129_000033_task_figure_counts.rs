//! The tasks' half of the figures without reading every task: the live tasks that owe anything,
//! counted by document, status, deadline and earliest open due date (migration 32's column),
//! with their percent complete summed. A task's warning level on any day is a condition on that
//! key, so the figures of every task are sums over a few thousand rows (4,454 on a province of
//! 100,000 tasks) instead of an aggregate over every task (34 ms there).
//!
//! Same scheme as migrations 31 and 32: `task_figure_count_deltas` gets +1 / −1 rows (with
//! ± the percent) from triggers on `tasks` whenever a counted task appears, goes or changes key
//! or percent, including the changes migration 32's triggers make to `obligations_owed` and
//! `earliest_open_due`; `task_figure_counts` is written by the fold alone. A date a task lacks
//! (no deadline, nothing open) is keyed as 9999-12-31, which no day reaches: a key column must
//! not be NULL for the fold's upsert to find its row.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, date, string};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::helpers::{create_index, create_unique_index, drop_triggers, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The key and value columns of both tables, in this order.
const COLUMNS: &str = "document_id, status, deadline, earliest_open_due, n, percent_sum";

/// The date keyed for a task without one.
const NONE: &str = "'9999-12-31'";

/// The row of `task` (`NEW`, `OLD` or an alias) in `COLUMNS`' order, counted `sign` times.
fn row_of(task: &str, sign: &str) -> String {
    format!(
        "{task}.document_id, {task}.status, COALESCE({task}.deadline, {NONE}), \
         COALESCE({task}.earliest_open_due, {NONE}), {sign}1, {sign}{task}.percent"
    )
}

/// Whether `task` is counted: live, and owing anything.
fn counted(task: &str) -> String {
    format!("{task}.deleted_at IS NULL AND {task}.obligations_owed > 0")
}

const MOVES_SQLITE: &str = "OLD.document_id IS NOT NEW.document_id OR OLD.status IS NOT NEW.status \
     OR OLD.deadline IS NOT NEW.deadline OR OLD.earliest_open_due IS NOT NEW.earliest_open_due \
     OR OLD.percent IS NOT NEW.percent \
     OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL) \
     OR (OLD.obligations_owed > 0) IS NOT (NEW.obligations_owed > 0)";
const MOVES_PG: &str = "OLD.document_id IS DISTINCT FROM NEW.document_id \
     OR OLD.status IS DISTINCT FROM NEW.status OR OLD.deadline IS DISTINCT FROM NEW.deadline \
     OR OLD.earliest_open_due IS DISTINCT FROM NEW.earliest_open_due \
     OR OLD.percent IS DISTINCT FROM NEW.percent \
     OR (OLD.deleted_at IS NULL) IS DISTINCT FROM (NEW.deleted_at IS NULL) \
     OR (OLD.obligations_owed > 0) IS DISTINCT FROM (NEW.obligations_owed > 0)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["task_figure_counts", "task_figure_count_deltas"] {
            let mut create = Table::create();
            create.table(name(table));
            if table == "task_figure_count_deltas" {
                create.col(id("id"));
            }
            create
                .col(big_integer(name("document_id")))
                .col(string(name("status")))
                .col(date(name("deadline")))
                .col(date(name("earliest_open_due")))
                .col(big_integer(name("n")))
                .col(big_integer(name("percent_sum")));
            manager.create_table(create.to_owned()).await?;
        }
        create_unique_index(
            manager,
            "task_figure_counts",
            &["document_id", "status", "deadline", "earliest_open_due"],
        )
        .await?;
        create_index(manager, "task_figure_count_deltas", &["document_id"]).await?;

        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "INSERT INTO task_figure_counts ({COLUMNS}) \
             SELECT document_id, status, COALESCE(deadline, {NONE}), \
             COALESCE(earliest_open_due, {NONE}), COUNT(*), SUM(percent) \
             FROM tasks t WHERE {} GROUP BY 1, 2, 3, 4",
            counted("t")
        ))
        .await?;

        let out = format!(
            "INSERT INTO task_figure_count_deltas ({COLUMNS}) SELECT {} WHERE {};",
            row_of("OLD", "-"),
            counted("OLD")
        );
        let into = format!(
            "INSERT INTO task_figure_count_deltas ({COLUMNS}) SELECT {} WHERE {};",
            row_of("NEW", ""),
            counted("NEW")
        );
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for statement in [
                    format!(
                        "CREATE TRIGGER tasks_figures_insert AFTER INSERT ON tasks BEGIN {into} END"
                    ),
                    format!(
                        "CREATE TRIGGER tasks_figures_delete AFTER DELETE ON tasks BEGIN {out} END"
                    ),
                    format!(
                        "CREATE TRIGGER tasks_figures_update AFTER UPDATE ON tasks \
                         WHEN {MOVES_SQLITE} BEGIN {out} {into} END"
                    ),
                ] {
                    db.execute_unprepared(&statement).await?;
                }
            }
            DatabaseBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION duban_task_figures() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN \
                     IF TG_OP <> 'INSERT' THEN {out} END IF; \
                     IF TG_OP <> 'DELETE' THEN {into} END IF; \
                     RETURN NULL; END $$"
                ))
                .await?;
                for statement in [
                    "CREATE TRIGGER tasks_figures_insert AFTER INSERT ON tasks FOR EACH ROW \
                     EXECUTE FUNCTION duban_task_figures()"
                        .to_owned(),
                    "CREATE TRIGGER tasks_figures_delete AFTER DELETE ON tasks FOR EACH ROW \
                     EXECUTE FUNCTION duban_task_figures()"
                        .to_owned(),
                    format!(
                        "CREATE TRIGGER tasks_figures_update AFTER UPDATE ON tasks FOR EACH ROW \
                         WHEN ({MOVES_PG}) EXECUTE FUNCTION duban_task_figures()"
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
                "tasks_figures_insert",
                "tasks_figures_delete",
                "tasks_figures_update",
            ],
            &["duban_task_figures"],
        )
        .await?;
        for table in ["task_figure_count_deltas", "task_figure_counts"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
