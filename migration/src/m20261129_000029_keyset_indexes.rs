//! Indexes for the task list's keyset pages: each order's columns with the id that ends it, so
//! that "the 20 tasks after this key" is a range read of one index however deep the page. They
//! replace the indexes on `(document_id, sort_order)` and `(deadline)`, which they extend.

use sea_orm_migration::prelude::*;

use crate::helpers::{create_index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

const ORDERS: [&[&str]; 4] = [
    &["document_id", "sort_order", "id"],
    &["deadline", "id"],
    &["updated_at", "id"],
    &["created_at", "id"],
];

async fn drop(manager: &SchemaManager<'_>, index: &str) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(index).table(name("tasks")).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for columns in ORDERS {
            create_index(manager, "tasks", columns).await?;
        }
        drop(manager, "idx_tasks_document_id_sort_order").await?;
        drop(manager, "idx_tasks_deadline").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_index(manager, "tasks", &["document_id", "sort_order"]).await?;
        create_index(manager, "tasks", &["deadline"]).await?;
        for columns in ORDERS {
            drop(manager, &format!("idx_tasks_{}", columns.join("_"))).await?;
        }
        Ok(())
    }
}
