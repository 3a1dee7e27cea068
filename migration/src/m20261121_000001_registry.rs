//! The registry: units, their aliases, leaders, users and refresh tokens.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_index, create_unique_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("units"))
                    .col(id("id"))
                    .col(string(name("name")))
                    .col(string_len(name("kind"), 32))
                    .col(big_integer_null(name("parent_id")))
                    .col(big_integer_null(name("merged_into_id")))
                    .col(boolean(name("is_active")))
                    .col(integer(name("sort_order")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .foreign_key(&mut fk(
                        "units",
                        "parent_id",
                        "units",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "units",
                        "merged_into_id",
                        "units",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "units", &["name"]).await?;
        create_index(manager, "units", &["parent_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("unit_aliases"))
                    .col(id("id"))
                    .col(big_integer(name("unit_id")))
                    .col(string(name("alias")))
                    .col(string_len(name("source"), 32))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "unit_aliases",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "unit_aliases", &["alias"]).await?;
        create_index(manager, "unit_aliases", &["unit_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("leaders"))
                    .col(id("id"))
                    .col(string(name("name")))
                    .col(string_null(name("post")))
                    .col(boolean(name("is_active")))
                    .col(integer(name("sort_order")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "leaders", &["name"]).await?;
        create_index(manager, "leaders", &["post"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("leader_units"))
                    .col(id("id"))
                    .col(big_integer(name("leader_id")))
                    .col(big_integer(name("unit_id")))
                    .foreign_key(&mut fk(
                        "leader_units",
                        "leader_id",
                        "leaders",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "leader_units",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "leader_units", &["leader_id", "unit_id"]).await?;
        create_index(manager, "leader_units", &["unit_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("users"))
                    .col(id("id"))
                    .col(string(name("username")))
                    .col(string(name("display_name")))
                    .col(string_len(name("role"), 32))
                    .col(big_integer_null(name("unit_id")))
                    .col(big_integer_null(name("leader_id")))
                    .col(string(name("password_hash")))
                    .col(boolean(name("is_active")))
                    .col(integer(name("failed_login_count")))
                    .col(timestamp_with_time_zone_null(name("locked_until")))
                    .col(json(name("scopes")))
                    .col(timestamp_with_time_zone_null(name("last_login_at")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .foreign_key(&mut fk(
                        "users",
                        "unit_id",
                        "units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "users",
                        "leader_id",
                        "leaders",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "users", &["username"]).await?;
        create_index(manager, "users", &["unit_id"]).await?;
        create_index(manager, "users", &["leader_id"]).await?;
        manager
            .create_table(
                Table::create()
                    .table(name("refresh_tokens"))
                    .col(id("id"))
                    .col(big_integer(name("user_id")))
                    .col(string(name("token_hash")))
                    .col(string(name("family_id")))
                    .col(timestamp_with_time_zone(name("issued_at")))
                    .col(timestamp_with_time_zone(name("expires_at")))
                    .col(timestamp_with_time_zone_null(name("used_at")))
                    .col(timestamp_with_time_zone_null(name("revoked_at")))
                    .foreign_key(&mut fk(
                        "refresh_tokens",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "refresh_tokens", &["token_hash"]).await?;
        create_index(manager, "refresh_tokens", &["family_id"]).await?;
        create_index(manager, "refresh_tokens", &["user_id"]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "refresh_tokens",
            "users",
            "leader_units",
            "leaders",
            "unit_aliases",
            "units",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
