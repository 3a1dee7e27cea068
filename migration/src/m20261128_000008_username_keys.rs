//! Two things of an account's sign-in:
//!
//! - Usernames compare by a key: NFKC, case-folded, and reduced to the Unicode confusables
//!   skeleton, so that `Admin`, `ADMIN` and a Cyrillic `аdmin` are one name. The key is
//!   computed by the application (`api::users::names`); existing rows get theirs at the next
//!   start. NULL for a row whose key would collide with another's (such accounts sign in by
//!   their exact name).
//! - A session epoch, carried by every access token: signing out of every session or changing
//!   the password moves it on, and the access tokens issued before stop working at once.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::name;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("users"))
                    .add_column(string_null(name("username_key")))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("users"))
                    .add_column(integer(name("session_epoch")).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("users_username_key")
                    .table(name("users"))
                    .col(name("username_key"))
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("users_username_key")
                    .table(name("users"))
                    .to_owned(),
            )
            .await?;
        for column in ["username_key", "session_epoch"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("users"))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
