//! The append-only audit log and event table.

use sea_orm_migration::{prelude::*, schema::*};

use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::helpers::{create_index, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("audit_log"))
                    .col(id("id"))
                    .col(big_integer_null(name("actor_user_id")))
                    .col(string(name("actor")))
                    .col(string(name("action")))
                    .col(string(name("entity_type")))
                    .col(big_integer_null(name("entity_id")))
                    .col(json_null(name("before")))
                    .col(json_null(name("after")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "audit_log", &["entity_type", "entity_id"]).await?;
        create_index(manager, "audit_log", &["actor_user_id"]).await?;
        create_index(manager, "audit_log", &["created_at"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("events"))
                    .col(id("id"))
                    .col(string(name("kind")))
                    .col(string(name("entity_type")))
                    .col(big_integer_null(name("entity_id")))
                    .col(big_integer_null(name("task_id")))
                    .col(big_integer_null(name("unit_id")))
                    .col(json(name("payload")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "events", &["created_at"]).await?;
        create_index(manager, "events", &["task_id"]).await?;
        create_index(manager, "events", &["unit_id"]).await?;
        // Report versions are listed too: nothing a unit submitted may be overwritten.
        for table in ["audit_log", "events", "report_versions"] {
            forbid_update_and_delete(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["events", "audit_log"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Makes `table` append-only in the database itself, so that no code path (nor a hand-written
/// SQL session) can rewrite history. The trigger syntax is the one place the backends differ.
async fn forbid_update_and_delete(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DatabaseBackend::Sqlite => {
            for op in ["UPDATE", "DELETE"] {
                let lower = op.to_lowercase();
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_no_{lower} BEFORE {op} ON {table} \
                     BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                ))
                .await?;
            }
        }
        DatabaseBackend::Postgres => {
            db.execute_unprepared(
                "CREATE OR REPLACE FUNCTION duban_append_only() RETURNS trigger \
                 LANGUAGE plpgsql AS $$ BEGIN \
                 RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
            )
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION duban_append_only()"
            ))
            .await?;
        }
        DatabaseBackend::MySql => {
            return Err(DbErr::Migration("MySQL is not supported".to_owned()));
        }
    }
    Ok(())
}
