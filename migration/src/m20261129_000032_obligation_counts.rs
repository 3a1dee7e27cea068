//! The figures of every obligation without reading every obligation: what `reportingFigures`
//! counts of the stored obligations, kept as they change, and what it needs of each task.
//!
//! - `obligation_count_deltas` (append-only, written by triggers on `obligations`) and
//!   `obligation_counts` (written by the fold alone): the obligations by document, due date,
//!   original due date, whether and how their first version came in (on time against either
//!   date) and their report's state (`''` for none: a key column must not be NULL for the fold's
//!   upsert to find its row). The figures of a day are sums over a few thousand rows: which due
//!   dates have passed is a condition on the key. The same scheme as migration 31's task counts,
//!   for the same reasons: writers only append, so submissions never wait on a shared counter.
//! - Two columns of `tasks`, kept by the same triggers: `obligations_owed` (how many obligations
//!   the task has) and `earliest_open_due` (the earliest due date of those not yet in: nothing
//!   submitted, a draft, or returned), what a task's warning level is derived from. They are not
//!   in the `tasks` entity, so that no write through the model can overwrite them.
//!
//! On PostgreSQL the triggers run once per statement, over its transition tables (a bulk insert
//! of obligations appends one delta per key and updates each task once); SQLite has only
//! row-level triggers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, date, date_null, small_integer, string};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::helpers::{create_index, create_unique_index, drop_triggers, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The key columns of both tables, in this order.
const KEYS: &str =
    "document_id, due_on, original_due_on, submitted, on_time, on_time_original, report_state";

/// The key of an obligation row `r` (`NEW`, `OLD` or a transition table's alias), in `KEYS`'
/// order, on both backends.
fn key_of(r: &str) -> String {
    format!(
        "{r}.document_id, {r}.due_on, {r}.original_due_on, \
         CASE WHEN {r}.first_submitted_on IS NULL THEN 0 ELSE 1 END, \
         CASE WHEN {r}.first_submitted_on <= {r}.due_on THEN 1 ELSE 0 END, \
         CASE WHEN {r}.first_submitted_on <= {r}.original_due_on THEN 1 ELSE 0 END, \
         COALESCE({r}.report_state, '')"
    )
}

/// Open: nothing in yet, a draft, or returned (`stats` and `tasks::progress` say the same).
fn open(r: &str) -> String {
    format!("({r}.report_state IS NULL OR {r}.report_state IN ('DRAFT', 'RETURNED'))")
}

/// The earliest open due date of the task whose id is `task`.
fn earliest(task: &str) -> String {
    format!(
        "(SELECT MIN(o.due_on) FROM obligations o WHERE o.task_id = {task} AND {})",
        open("o")
    )
}

/// Whether an update of an obligation row moves its key or its task's earliest open due date.
const MOVES_SQLITE: &str = "OLD.document_id IS NOT NEW.document_id OR OLD.due_on IS NOT NEW.due_on \
     OR OLD.original_due_on IS NOT NEW.original_due_on \
     OR OLD.first_submitted_on IS NOT NEW.first_submitted_on \
     OR OLD.report_state IS NOT NEW.report_state OR OLD.task_id IS NOT NEW.task_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["obligation_counts", "obligation_count_deltas"] {
            let mut create = Table::create();
            create.table(name(table));
            if table == "obligation_count_deltas" {
                create.col(id("id"));
            }
            create
                .col(big_integer(name("document_id")))
                .col(date(name("due_on")))
                .col(date(name("original_due_on")))
                .col(small_integer(name("submitted")))
                .col(small_integer(name("on_time")))
                .col(small_integer(name("on_time_original")))
                .col(string(name("report_state")))
                .col(big_integer(name("n")));
            manager.create_table(create.to_owned()).await?;
        }
        let keys: Vec<&str> = KEYS.split(", ").collect();
        create_unique_index(manager, "obligation_counts", &keys).await?;
        create_index(manager, "obligation_count_deltas", &["document_id"]).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("tasks"))
                    .add_column(big_integer(name("obligations_owed")).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("tasks"))
                    .add_column(date_null(name("earliest_open_due")))
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        // What is stored so far, counted once.
        db.execute_unprepared(&format!(
            "INSERT INTO obligation_counts ({KEYS}, n) \
             SELECT {}, COUNT(*) FROM obligations r GROUP BY {}",
            key_of("r"),
            key_of("r")
        ))
        .await?;
        db.execute_unprepared(&format!(
            "UPDATE tasks SET \
             obligations_owed = (SELECT COUNT(*) FROM obligations o WHERE o.task_id = tasks.id), \
             earliest_open_due = {}",
            earliest("tasks.id")
        ))
        .await?;

        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                let delta = |r: &str, n: i32| {
                    format!(
                        "INSERT INTO obligation_count_deltas ({KEYS}, n) SELECT {}, {n};",
                        key_of(r)
                    )
                };
                // The task of row `r`: its count moved by `owed`, its earliest open due date read
                // again, when `only` holds.
                let task = |r: &str, owed: &str, only: &str| {
                    format!(
                        "UPDATE tasks SET obligations_owed = obligations_owed + {owed}, \
                         earliest_open_due = {} WHERE id = {r}.task_id AND {only};",
                        earliest(&format!("{r}.task_id"))
                    )
                };
                // An update moves a row between tasks only if its task changes: otherwise the
                // one task is written once, its count as it was.
                let moved = "OLD.task_id IS NOT NEW.task_id";
                for statement in [
                    format!(
                        "CREATE TRIGGER obligations_count_insert AFTER INSERT ON obligations \
                         BEGIN {} {} END",
                        delta("NEW", 1),
                        task("NEW", "1", "1")
                    ),
                    format!(
                        "CREATE TRIGGER obligations_count_delete AFTER DELETE ON obligations \
                         BEGIN {} {} END",
                        delta("OLD", -1),
                        task("OLD", "-1", "1")
                    ),
                    format!(
                        "CREATE TRIGGER obligations_count_update AFTER UPDATE ON obligations \
                         WHEN {MOVES_SQLITE} BEGIN {} {} {} {} END",
                        delta("OLD", -1),
                        delta("NEW", 1),
                        task("OLD", "-1", moved),
                        task(
                            "NEW",
                            &format!("(CASE WHEN {moved} THEN 1 ELSE 0 END)"),
                            "1"
                        )
                    ),
                ] {
                    db.execute_unprepared(&statement).await?;
                }
            }
            DatabaseBackend::Postgres => {
                // The deltas of a statement's rows: +1 for each new row, −1 for each old one,
                // summed by key (a row that kept its key adds nothing).
                let deltas = |rows: &str| {
                    format!(
                        "INSERT INTO obligation_count_deltas ({KEYS}, n) \
                         SELECT {KEYS}, SUM(n) FROM ({rows}) d GROUP BY {KEYS} \
                         HAVING SUM(n) <> 0;"
                    )
                };
                let keyed = |table: &str, n: i32| {
                    format!("SELECT {}, {n}, r.task_id FROM {table} r", key_of("r"))
                };
                // Each task of the statement's rows: its count moved by the rows, its earliest
                // open due date read again (written only when it changed).
                let tasks = |rows: &str| {
                    format!(
                        "UPDATE tasks t SET obligations_owed = t.obligations_owed + c.n, \
                         earliest_open_due = c.earliest \
                         FROM (SELECT task_id, SUM(n) AS n, {} AS earliest \
                               FROM ({rows}) d GROUP BY task_id) c \
                         WHERE t.id = c.task_id AND (c.n <> 0 \
                           OR t.earliest_open_due IS DISTINCT FROM c.earliest);",
                        earliest("d.task_id")
                    )
                };
                let named = |rows: String| {
                    // The key columns named as `KEYS`, and the task.
                    format!(
                        "SELECT document_id, due_on, original_due_on, submitted, on_time, \
                         on_time_original, report_state, n, task_id FROM ({rows}) AS k \
                         (document_id, due_on, original_due_on, submitted, on_time, \
                          on_time_original, report_state, n, task_id)"
                    )
                };
                let inserted = named(keyed("new_rows", 1));
                let deleted = named(keyed("old_rows", -1));
                let updated = format!(
                    "{} UNION ALL {}",
                    keyed("old_rows", -1),
                    keyed("new_rows", 1)
                );
                let updated = named(updated);
                for (function, rows) in [
                    ("duban_obligations_inserted", inserted),
                    ("duban_obligations_deleted", deleted),
                    ("duban_obligations_updated", updated),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                         BEGIN {} {} RETURN NULL; END $$",
                        deltas(&rows),
                        tasks(&rows)
                    ))
                    .await?;
                }
                for statement in [
                    "CREATE TRIGGER obligations_count_insert AFTER INSERT ON obligations \
                     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT \
                     EXECUTE FUNCTION duban_obligations_inserted()",
                    "CREATE TRIGGER obligations_count_delete AFTER DELETE ON obligations \
                     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT \
                     EXECUTE FUNCTION duban_obligations_deleted()",
                    "CREATE TRIGGER obligations_count_update AFTER UPDATE ON obligations \
                     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT \
                     EXECUTE FUNCTION duban_obligations_updated()",
                ] {
                    db.execute_unprepared(statement).await?;
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
            "obligations",
            &[
                "obligations_count_insert",
                "obligations_count_delete",
                "obligations_count_update",
            ],
            &[
                "duban_obligations_inserted",
                "duban_obligations_deleted",
                "duban_obligations_updated",
            ],
        )
        .await?;
        for column in ["obligations_owed", "earliest_open_due"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("tasks"))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        for table in ["obligation_count_deltas", "obligation_counts"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
