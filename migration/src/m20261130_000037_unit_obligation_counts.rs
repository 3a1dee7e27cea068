//! The ranking's counts without reading every obligation: the stored obligations by document,
//! unit, due date, how their first version came in and whether the bureau ever returned their
//! report, kept as they change.
//!
//! A ranking (`stats::ranking`) counts, for every unit in scope, its obligations in on time, in
//! late, and due with nothing in. Counted from the rows, that is an aggregate over every
//! obligation of the scope, joined to every returning review: 1.38 million obligations for a
//! province's ranking across documents, some 0.5 s on PostgreSQL, paid by every unit opening
//! its page. Kept here, it is a sum over a few rows per unit and due date.
//!
//! - `obligations.was_returned`: whether a review returned the report at least once, which the
//!   ranking takes points off for. `obligations::store` derives it from `report_reviews` and
//!   sets it when a review returns the report; filled here from the reviews so far.
//! - `unit_obligation_count_deltas` (append-only, written by the triggers below) and
//!   `unit_obligation_counts` (written by the fold alone): `outcome` is 0 for nothing submitted,
//!   1 for a first version on or before the due date, 2 for one after it; `returned` is 1 when
//!   `was_returned` holds. Which due dates have passed (what makes nothing submitted
//!   "missing") is a condition on the key, as in migration 32.
//! - The same scheme as migrations 31 to 33, for the same reasons: writers only append, so two
//!   submissions never wait on a shared counter row.
//!
//! On PostgreSQL the triggers run once per statement, over its transition tables; SQLite has
//! only row-level triggers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, boolean, date, small_integer};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::helpers::{
    create_index, create_unique_index, drop_triggers, id, name, update_obligations_uncounted,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The key columns of both tables, in this order.
const KEYS: &str = "document_id, unit_id, due_on, outcome, returned";

/// The key of an obligation row `r` (`NEW`, `OLD` or a transition table's alias), in `KEYS`'
/// order, on both backends.
fn key_of(r: &str) -> String {
    format!(
        "{r}.document_id, {r}.unit_id, {r}.due_on, \
         CASE WHEN {r}.first_submitted_on IS NULL THEN 0 \
         WHEN {r}.first_submitted_on <= {r}.due_on THEN 1 ELSE 2 END, \
         CASE WHEN {r}.was_returned THEN 1 ELSE 0 END"
    )
}

/// Whether an update of an obligation row moves its key.
const MOVES_SQLITE: &str = "OLD.document_id IS NOT NEW.document_id \
     OR OLD.unit_id IS NOT NEW.unit_id OR OLD.due_on IS NOT NEW.due_on \
     OR OLD.first_submitted_on IS NOT NEW.first_submitted_on \
     OR OLD.was_returned IS NOT NEW.was_returned";

const TRIGGERS: [&str; 3] = [
    "unit_obligations_count_insert",
    "unit_obligations_count_delete",
    "unit_obligations_count_update",
];

const FUNCTIONS: [&str; 3] = [
    "duban_unit_obligations_inserted",
    "duban_unit_obligations_deleted",
    "duban_unit_obligations_updated",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("obligations"))
                    .add_column(boolean(name("was_returned")).default(false))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // A deleted task owes nothing (`obligations::store`), but a replacing import removed
        // tasks without syncing their obligations until this release: they go before anything
        // is counted (migration 32's triggers take them out of its counts).
        db.execute_unprepared(
            "DELETE FROM obligations WHERE task_id IN (SELECT id FROM tasks \
             WHERE deleted_at IS NOT NULL)",
        )
        .await?;
        let fill = "UPDATE obligations SET was_returned = TRUE WHERE report_id IN \
                    (SELECT report_id FROM report_reviews WHERE decision = 'RETURNED')";
        update_obligations_uncounted(manager, fill).await?;

        for table in ["unit_obligation_counts", "unit_obligation_count_deltas"] {
            let mut create = Table::create();
            create.table(name(table));
            if table == "unit_obligation_count_deltas" {
                create.col(id("id"));
            }
            create
                .col(big_integer(name("document_id")))
                .col(big_integer(name("unit_id")))
                .col(date(name("due_on")))
                .col(small_integer(name("outcome")))
                .col(small_integer(name("returned")))
                .col(big_integer(name("n")));
            manager.create_table(create.to_owned()).await?;
        }
        let keys: Vec<&str> = KEYS.split(", ").collect();
        create_unique_index(manager, "unit_obligation_counts", &keys).await?;
        create_index(manager, "unit_obligation_count_deltas", &["document_id"]).await?;

        // What is stored so far, counted once.
        db.execute_unprepared(&format!(
            "INSERT INTO unit_obligation_counts ({KEYS}, n) \
             SELECT {}, COUNT(*) FROM obligations r GROUP BY {}",
            key_of("r"),
            key_of("r")
        ))
        .await?;

        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                let delta = |r: &str, n: i32| {
                    format!(
                        "INSERT INTO unit_obligation_count_deltas ({KEYS}, n) SELECT {}, {n};",
                        key_of(r)
                    )
                };
                for statement in [
                    format!(
                        "CREATE TRIGGER {} AFTER INSERT ON obligations BEGIN {} END",
                        TRIGGERS[0],
                        delta("NEW", 1)
                    ),
                    format!(
                        "CREATE TRIGGER {} AFTER DELETE ON obligations BEGIN {} END",
                        TRIGGERS[1],
                        delta("OLD", -1)
                    ),
                    format!(
                        "CREATE TRIGGER {} AFTER UPDATE ON obligations WHEN {MOVES_SQLITE} \
                         BEGIN {} {} END",
                        TRIGGERS[2],
                        delta("OLD", -1),
                        delta("NEW", 1)
                    ),
                ] {
                    db.execute_unprepared(&statement).await?;
                }
            }
            DatabaseBackend::Postgres => {
                let keyed =
                    |table: &str, n: i32| format!("SELECT {}, {n} FROM {table} r", key_of("r"));
                // The deltas of a statement's rows: +1 for each new row, −1 for each old one,
                // summed by key (a row that kept its key adds nothing).
                let deltas = |rows: String| {
                    format!(
                        "INSERT INTO unit_obligation_count_deltas ({KEYS}, n) \
                         SELECT {KEYS}, SUM(n) FROM ({rows}) AS d ({KEYS}, n) GROUP BY {KEYS} \
                         HAVING SUM(n) <> 0;"
                    )
                };
                let bodies = [
                    deltas(keyed("new_rows", 1)),
                    deltas(keyed("old_rows", -1)),
                    deltas(format!(
                        "{} UNION ALL {}",
                        keyed("old_rows", -1),
                        keyed("new_rows", 1)
                    )),
                ];
                for (function, body) in FUNCTIONS.iter().zip(bodies) {
                    db.execute_unprepared(&format!(
                        "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                         BEGIN {body} RETURN NULL; END $$"
                    ))
                    .await?;
                }
                for statement in [
                    format!(
                        "CREATE TRIGGER {} AFTER INSERT ON obligations \
                         REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT \
                         EXECUTE FUNCTION {}()",
                        TRIGGERS[0], FUNCTIONS[0]
                    ),
                    format!(
                        "CREATE TRIGGER {} AFTER DELETE ON obligations \
                         REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT \
                         EXECUTE FUNCTION {}()",
                        TRIGGERS[1], FUNCTIONS[1]
                    ),
                    format!(
                        "CREATE TRIGGER {} AFTER UPDATE ON obligations \
                         REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows \
                         FOR EACH STATEMENT EXECUTE FUNCTION {}()",
                        TRIGGERS[2], FUNCTIONS[2]
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
        drop_triggers(manager, "obligations", &TRIGGERS, &FUNCTIONS).await?;
        for table in ["unit_obligation_count_deltas", "unit_obligation_counts"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(name("obligations"))
                    .drop_column(name("was_returned"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
