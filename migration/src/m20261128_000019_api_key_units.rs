//! The units an API key may report for (a machine writing reports on behalf of named units,
//! with `reports:write`): a JSON list of unit ids, empty for none.

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
                    .table(name("api_keys"))
                    .add_column(json_null(name("unit_ids")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("api_keys"))
                    .drop_column(name("unit_ids"))
                    .to_owned(),
            )
            .await
    }
}
