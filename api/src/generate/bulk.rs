//! Writing rows in bulk: multi-row INSERTs in one transaction per table, each statement binding
//! at most `db::MAX_BINDS` values (rows × columns), so that a province's hundreds of thousands
//! of rows go in hundreds of statements rather than one per row, and no statement comes near
//! either backend's parameter limit. Rows carry their ids (the generator numbers them, so that
//! children can point at parents without reading anything back); `reset_sequences` then moves
//! PostgreSQL's id sequences past them (SQLite's AUTOINCREMENT follows explicit ids itself).

use std::time::Instant;

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, IntoActiveModel, Iterable, Statement, TransactionTrait,
};

use crate::db::MAX_BINDS;

/// Rows between two progress lines of one table.
const PROGRESS_EVERY: u64 = 200_000;

/// How many rows a table got and how long it took.
#[derive(Debug, Clone)]
pub struct Written {
    pub table: &'static str,
    pub rows: u64,
    pub seconds: f64,
}

/// Prints one progress line to standard error.
pub fn report(written: &Written) {
    eprintln!(
        "  {:<22} {:>10} rows {:>8.1} s",
        written.table, written.rows, written.seconds
    );
}

/// Rows of one table on their way in: buffered up to one statement's worth, inserted in the
/// table's transaction, committed by `finish`.
pub struct Bulk<A: ActiveModelTrait> {
    txn: DatabaseTransaction,
    table: &'static str,
    buffer: Vec<A>,
    per_statement: usize,
    rows: u64,
    started: Instant,
}

impl<A> Bulk<A>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    /// Opens the table's transaction. Rows are written with every column set, so a statement
    /// of `MAX_BINDS / columns` rows binds at most `MAX_BINDS` values.
    pub async fn begin(db: &DatabaseConnection, table: &'static str) -> Result<Self, DbErr> {
        let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
        let per_statement = (MAX_BINDS / columns).max(1);
        Ok(Self {
            txn: db.begin().await?,
            table,
            buffer: Vec::with_capacity(per_statement),
            per_statement,
            rows: 0,
            started: Instant::now(),
        })
    }

    pub async fn push(&mut self, row: impl IntoActiveModel<A>) -> Result<(), DbErr> {
        self.buffer.push(row.into_active_model());
        if self.buffer.len() >= self.per_statement {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), DbErr> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let rows = std::mem::replace(&mut self.buffer, Vec::with_capacity(self.per_statement));
        let count = rows.len() as u64;
        <A::Entity as EntityTrait>::insert_many(rows)
            .exec_without_returning(&self.txn)
            .await?;
        // A line now and then for the long tables, so a run at scale shows it is moving.
        if (self.rows + count) / PROGRESS_EVERY > self.rows / PROGRESS_EVERY {
            eprintln!(
                "  {:<22} {:>10} rows so far, {:.1} s",
                self.table,
                self.rows + count,
                self.started.elapsed().as_secs_f64()
            );
        }
        self.rows += count;
        Ok(())
    }

    /// Writes what is buffered, commits and prints the table's line.
    pub async fn finish(mut self) -> Result<Written, DbErr> {
        self.flush().await?;
        self.txn.commit().await?;
        let written = Written {
            table: self.table,
            rows: self.rows,
            seconds: self.started.elapsed().as_secs_f64(),
        };
        report(&written);
        Ok(written)
    }
}

/// The largest id of `table`, 0 when it is empty.
pub async fn max_id(db: &DatabaseConnection, table: &str) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let row = db
        .query_one(Statement::from_string(
            backend,
            format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}"),
        ))
        .await?;
    match row {
        Some(row) => row.try_get::<i64>("", "m"),
        None => Ok(0),
    }
}

/// Moves each table's id sequence past its largest id (PostgreSQL; nothing to do on SQLite).
pub async fn reset_sequences(db: &DatabaseConnection, tables: &[&str]) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for table in tables {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .await?;
    }
    Ok(())
}
