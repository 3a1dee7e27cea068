//! A task's deadline as the notice writes it (`2025年6月底`, `长期坚持`), kept beside the date the
//! importer derived from it (`tasks.deadline`), or as the only record when the words mean no
//! date.

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
                    .table(name("tasks"))
                    .add_column(text_null(name("deadline_as_written")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("tasks"))
                    .drop_column(name("deadline_as_written"))
                    .to_owned(),
            )
            .await
    }
}
