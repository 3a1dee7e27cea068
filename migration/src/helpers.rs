//! Small builders shared by the migrations, so that each table definition reads as a list of
//! columns and constraints rather than as sea-query boilerplate. Names of constraints and
//! indexes are derived from the table and columns, so they are stable and predictable.

use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::big_integer};

/// An identifier for a table or column given by name. The migrations are written against names,
/// not against the entity crate, so that old migrations never change when entities do.
pub fn name(ident: &str) -> Alias {
    Alias::new(ident)
}

/// A 64-bit auto-increment primary key. On SQLite this becomes `integer primary key
/// autoincrement`, the only form SQLite accepts; on PostgreSQL `bigserial`.
pub fn id(column: &str) -> ColumnDef {
    big_integer(name(column))
        .auto_increment()
        .primary_key()
        .take()
}

/// A foreign key from `table.column` to `target.id`. Declared inside `CREATE TABLE` because
/// SQLite cannot add constraints to an existing table.
pub fn fk(
    table: &str,
    column: &str,
    target: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(name(table), name(column))
        .to(name(target), name("id"))
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(table: &str, columns: &[&str], prefix: &str) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement
        .name(format!("{prefix}_{table}_{}", columns.join("_")))
        .table(name(table));
    for column in columns {
        statement.col(name(column));
    }
    statement
}

/// A plain index to serve a lookup or a filter the API offers.
pub async fn create_index(
    manager: &SchemaManager<'_>,
    table: &str,
    columns: &[&str],
) -> Result<(), DbErr> {
    manager.create_index(index(table, columns, "idx")).await
}

/// Drops the plain index `create_index` made on `table`'s `columns`.
pub async fn drop_index(
    manager: &SchemaManager<'_>,
    table: &str,
    columns: &[&str],
) -> Result<(), DbErr> {
    manager
        .drop_index(
            Index::drop()
                .name(format!("idx_{table}_{}", columns.join("_")))
                .table(name(table))
                .to_owned(),
        )
        .await
}

/// A unique index: the database, not the application, guarantees the rule.
pub async fn create_unique_index(
    manager: &SchemaManager<'_>,
    table: &str,
    columns: &[&str],
) -> Result<(), DbErr> {
    manager
        .create_index(index(table, columns, "uq").unique().to_owned())
        .await
}

/// Drops `table`'s triggers named `triggers`, and then on PostgreSQL the trigger functions
/// named `functions` (SQLite has none: its triggers carry their bodies). The `down` of the
/// migrations that add triggers (31 to 37).
pub async fn drop_triggers(
    manager: &SchemaManager<'_>,
    table: &str,
    triggers: &[&str],
    functions: &[&str],
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    for trigger in triggers {
        let statement = if postgres {
            format!("DROP TRIGGER {trigger} ON {table}")
        } else {
            format!("DROP TRIGGER {trigger}")
        };
        db.execute_unprepared(&statement).await?;
    }
    if postgres {
        for function in functions {
            db.execute_unprepared(&format!("DROP FUNCTION {function}()"))
                .await?;
        }
    }
    Ok(())
}

/// Runs `update`, a statement that changes `obligations` but nothing migration 32's counts key
/// on, without that migration's statement trigger on PostgreSQL: it would fold every row
/// updated to find that nothing it counts moved. SQLite's row trigger fires only when a
/// counted column changes. For the fills of migrations 36 and 37.
pub async fn update_obligations_uncounted(
    manager: &SchemaManager<'_>,
    update: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if manager.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared("ALTER TABLE obligations DISABLE TRIGGER obligations_count_update")
            .await?;
        db.execute_unprepared(update).await?;
        db.execute_unprepared("ALTER TABLE obligations ENABLE TRIGGER obligations_count_update")
            .await?;
    } else {
        db.execute_unprepared(update).await?;
    }
    Ok(())
}
