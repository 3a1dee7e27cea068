//! An index on `task_leaders.collective`: a leader's visibility ORs the leader's id, post and
//! the collective words that include the post (各位副市长), and without this index the third
//! branch scanned every row (a parallel full scan for each count at a province's 200,000 rows).

use sea_orm_migration::prelude::*;

use crate::helpers::{create_index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_index(manager, "task_leaders", &["collective"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_task_leaders_collective")
                    .table(name("task_leaders"))
                    .to_owned(),
            )
            .await
    }
}
