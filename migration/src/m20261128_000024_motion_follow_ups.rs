//! Motions' satisfaction target and follow-up reviews.
//!
//! - `documents.satisfaction_target`: the share of motions rated 满意 or 基本满意 the notice
//!   aims at, in percent (the notices say 100%).
//! - `proposal_follow_ups`: a follow-up review (回头看) of a motion after completion: scheduled
//!   by the bureau for a day, held and recorded with its findings.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("documents"))
                    .add_column(integer(name("satisfaction_target")).default(100))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("proposal_follow_ups"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(date(name("due_on")))
                    .col(text_null(name("note")))
                    .col(big_integer_null(name("scheduled_by")))
                    .col(timestamp_with_time_zone(name("scheduled_at")))
                    .col(date_null(name("held_on")))
                    .col(text_null(name("findings")))
                    .col(big_integer_null(name("recorded_by")))
                    .col(timestamp_with_time_zone_null(name("recorded_at")))
                    .foreign_key(&mut fk(
                        "proposal_follow_ups",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "proposal_follow_ups",
                        "scheduled_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "proposal_follow_ups",
                        "recorded_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(manager, "proposal_follow_ups", &["task_id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("proposal_follow_ups")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("documents"))
                    .drop_column(name("satisfaction_target"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
