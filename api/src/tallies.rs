//! Counts kept with the rows: for lists and figures that would otherwise count every row they
//! cover on every request (a province's 100,000 tasks, its 1.38 million obligations).
//!
//! Each tally is two tables with the same key columns. Triggers on the counted table append
//! +1 / −1 rows to the deltas table whenever a row appears, goes or changes key (migrations
//! 31 to 33, 37); `fold` moves the deltas into the base table, summed by key. A count is the sum
//! over both, so it is exact whether folded or not, and inside a transaction it sees that
//! transaction's own changes. Writers only ever append: two transactions changing rows of one
//! key never wait for each other on a counter row, and none can deadlock on one.
//!
//! Invariant: the base tables are written by `fold` alone, the deltas by the triggers alone
//! (ARCHITECTURE.md, invariant 25). `tasks::counts` reads the task tally, `stats` the
//! obligations' (figures) and the units' (the ranking).

use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, TransactionTrait};

use crate::error::AppResult;

/// One tally: its tables and key columns.
#[derive(Debug, Clone, Copy)]
pub struct Tally {
    /// The folded sums, unique by key.
    pub base: &'static str,
    /// The +1 / −1 rows not yet folded, with an increasing `id`.
    pub deltas: &'static str,
    /// The key columns, as written in SQL.
    pub keys: &'static str,
    /// The summed columns.
    pub values: &'static [&'static str],
    /// The key of PostgreSQL's advisory lock that lets one fold of this tally run at a time.
    lock: i64,
}

/// Live tasks by document and status (migration 31).
pub const TASKS: Tally = Tally {
    base: "task_counts",
    deltas: "task_count_deltas",
    keys: "document_id, status",
    values: &["n"],
    lock: 0x6475_6261_6e31,
};

/// Stored obligations by document, due dates, how their first version came in and their
/// report's state (migration 32).
pub const OBLIGATIONS: Tally = Tally {
    base: "obligation_counts",
    deltas: "obligation_count_deltas",
    keys: "document_id, due_on, original_due_on, submitted, on_time, on_time_original, \
           report_state",
    values: &["n"],
    lock: 0x6475_6261_6e32,
};

/// The live tasks that owe anything, by document, status, deadline and earliest open due date
/// (9999-12-31 for none), with their percent complete summed (migration 33).
pub const TASK_FIGURES: Tally = Tally {
    base: "task_figure_counts",
    deltas: "task_figure_count_deltas",
    keys: "document_id, status, deadline, earliest_open_due",
    values: &["n", "percent_sum"],
    lock: 0x6475_6261_6e33,
};

/// Stored obligations by document, unit, due date, how their first version came in
/// (`outcome`: 0 nothing, 1 on or before the due date, 2 after it) and whether their report was
/// ever returned (`returned`: 0 or 1), for the ranking (migration 37).
pub const UNIT_OBLIGATIONS: Tally = Tally {
    base: "unit_obligation_counts",
    deltas: "unit_obligation_count_deltas",
    keys: "document_id, unit_id, due_on, outcome, returned",
    values: &["n"],
    lock: 0x6475_6261_6e34,
};

/// Every tally, for the deadline job's fold.
pub const ALL: [Tally; 4] = [TASKS, OBLIGATIONS, TASK_FIGURES, UNIT_OBLIGATIONS];

/// Every row a count of `tally` sums: its folded rows and its deltas (`UNION ALL`), with the key
/// and value columns, of one document when it is given. Readers select their sums over it.
pub fn rows(tally: Tally, document_id: Option<i64>) -> SelectStatement {
    let of_table = |table: &str| {
        let mut select = Query::select();
        select
            .columns(
                tally
                    .keys
                    .split(',')
                    .chain(tally.values.iter().copied())
                    .map(|column| Alias::new(column.trim())),
            )
            .from(Alias::new(table));
        if let Some(document_id) = document_id {
            select.and_where(Expr::col(Alias::new("document_id")).eq(document_id));
        }
        select
    };
    let mut rows = of_table(tally.base);
    rows.union(UnionType::All, of_table(tally.deltas));
    rows
}

/// Moves the deltas of `tally` written so far into its base table, in one transaction; returns
/// how many base rows it wrote. Safe beside writers and other folds:
///
/// - On PostgreSQL the deltas are deleted and summed in one statement (`WITH moved AS (DELETE …
///   RETURNING …) INSERT …`), so a delta is summed exactly when it is deleted: one committed
///   meanwhile is left for the next fold. An advisory lock lets one fold run at a time, the
///   others returning at once.
/// - SQLite has one writer: the fold reads the last delta's id, then sums and deletes the
///   deltas up to it.
pub async fn fold(db: &DatabaseConnection, tally: Tally) -> AppResult<u64> {
    let Tally {
        base,
        deltas,
        keys,
        values,
        ..
    } = tally;
    let listed = values.join(", ");
    let sums = values
        .iter()
        .map(|v| format!("SUM({v})"))
        .collect::<Vec<_>>()
        .join(", ");
    let added = |qualified: bool| {
        values
            .iter()
            .map(|v| {
                if qualified {
                    format!("{v} = {base}.{v} + EXCLUDED.{v}")
                } else {
                    format!("{v} = {v} + excluded.{v}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let written = match backend {
        DatabaseBackend::Postgres => {
            let locked = txn
                .query_one(Statement::from_string(
                    backend,
                    format!("SELECT pg_try_advisory_xact_lock({}) AS locked", tally.lock),
                ))
                .await?
                .map(|row| row.try_get::<bool>("", "locked"))
                .transpose()?
                .unwrap_or(false);
            if !locked {
                return Ok(0);
            }
            txn.execute_unprepared(&format!(
                "WITH moved AS (DELETE FROM {deltas} RETURNING {keys}, {listed}) \
                 INSERT INTO {base} ({keys}, {listed}) SELECT {keys}, {sums} FROM moved \
                 GROUP BY {keys} ON CONFLICT ({keys}) DO UPDATE SET {}",
                added(true)
            ))
            .await?
            .rows_affected()
        }
        _ => {
            let last = txn
                .query_one(Statement::from_string(
                    backend,
                    format!("SELECT MAX(id) AS last FROM {deltas}"),
                ))
                .await?
                .map(|row| row.try_get::<Option<i64>>("", "last"))
                .transpose()?
                .flatten();
            let Some(last) = last else {
                return Ok(0);
            };
            let written = txn
                .execute_unprepared(&format!(
                    "INSERT INTO {base} ({keys}, {listed}) SELECT {keys}, {sums} FROM {deltas} \
                     WHERE id <= {last} GROUP BY {keys} \
                     ON CONFLICT ({keys}) DO UPDATE SET {}",
                    added(false)
                ))
                .await?
                .rows_affected();
            txn.execute_unprepared(&format!("DELETE FROM {deltas} WHERE id <= {last}"))
                .await?;
            written
        }
    };
    txn.commit().await?;
    Ok(written)
}

/// `fold` of every tally; returns the base rows written.
pub async fn fold_all(db: &DatabaseConnection) -> AppResult<u64> {
    let mut written = 0;
    for tally in ALL {
        written += fold(db, tally).await?;
    }
    Ok(written)
}
