//! API keys of machine accounts (SERVICE users): each with a name, the scopes it carries (never
//! more than its account's), an expiry, its last use and its revocation. Only a SHA-256 of the
//! key is kept; `prefix` (unique) finds the row and names the key in lists and logs.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("api_keys"))
                    .col(id("id"))
                    .col(big_integer(name("user_id")))
                    .col(string_len(name("name"), 200))
                    .col(string_len_uniq(name("prefix"), 32))
                    .col(string_len(name("secret_hash"), 64))
                    .col(json(name("scopes")))
                    .col(timestamp_with_time_zone_null(name("expires_at")))
                    .col(timestamp_with_time_zone_null(name("last_used_at")))
                    .col(timestamp_with_time_zone_null(name("revoked_at")))
                    .col(big_integer_null(name("created_by")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "api_keys",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "api_keys",
                        "created_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "api_keys", &["user_id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("api_keys")).to_owned())
            .await
    }
}
