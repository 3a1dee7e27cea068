//! A draft keeps the indicator values the unit has entered so far, beside its texts, so that a
//! report started on one device and submitted later loses nothing.

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
                    .table(name("progress_reports"))
                    .add_column(json_null(name("draft_indicator_values")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("progress_reports"))
                    .drop_column(name("draft_indicator_values"))
                    .to_owned(),
            )
            .await
    }
}
