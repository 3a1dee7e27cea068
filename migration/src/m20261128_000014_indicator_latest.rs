//! Each indicator's latest actual value, kept on the indicator beside the target it is measured
//! against, and the verdict derived from the two (`MET`, `NOT_MET`, `NOT_COMPARABLE`), so that
//! figures count targets met in the database. The value is a copy of the latest
//! `report_indicator_values` row (by version), which stays the record; the verdict is computed
//! by the server (`reports::targets`), which fills the ones this migration leaves empty when it
//! starts.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::name;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            big_integer_null(name("latest_version_id")),
            text_null(name("latest_value")),
            string_len_null(name("verdict"), 32),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("indicators"))
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Values already reported: the latest by version, in portable SQL.
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE indicators SET latest_version_id = (SELECT MAX(v.version_id) \
             FROM report_indicator_values v WHERE v.indicator_id = indicators.id)",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE indicators SET latest_value = (SELECT v.value FROM report_indicator_values v \
             WHERE v.indicator_id = indicators.id AND v.version_id = indicators.latest_version_id) \
             WHERE latest_version_id IS NOT NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["verdict", "latest_value", "latest_version_id"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("indicators"))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
