//! A motion spanning several tasks: the motion is recorded on one task (its `task_proposals`
//! row, with the one reply and rating per round its lead unit makes); `proposal_tasks` names
//! the other tasks it covers, whose reports the lead unit reads to write the reply.

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
                    .table(name("proposal_tasks"))
                    .col(id("id"))
                    .col(big_integer(name("motion_task_id")))
                    .col(big_integer(name("task_id")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "proposal_tasks",
                        "motion_task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "proposal_tasks",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(manager, "proposal_tasks", &["motion_task_id", "task_id"]).await?;
        create_index(manager, "proposal_tasks", &["task_id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("proposal_tasks")).to_owned())
            .await
    }
}
