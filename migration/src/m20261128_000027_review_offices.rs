//! Reviewing offices: a document can name an office other than the bureau that reviews its
//! reports (a leading group's office hosted by a unit, "领导小组办公室设在市工业和信息化局").
//!
//! - `documents.reviewing_office_id`: the office, a unit of the registry (usually a child of
//!   its host). NULL: the bureau alone reviews, as before.
//! - An office's staff are accounts with the role `OFFICE`, linked to the office through
//!   `users.unit_id` (roles are strings; no schema change for the role itself).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("documents"))
                    .add_column(big_integer_null(name("reviewing_office_id")))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "documents", &["reviewing_office_id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("documents"))
                    .drop_column(name("reviewing_office_id"))
                    .to_owned(),
            )
            .await
    }
}
