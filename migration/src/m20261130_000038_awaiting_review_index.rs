//! The bureau's review queue in the list's order without walking every obligation: a partial
//! index of the obligations whose report awaits review.
//!
//! The queue is `obligations(filter: { state: [SUBMITTED, LATE] })`, read in the list's order
//! (due date, document, the task's order, task: migration 36's index). On the bench's province
//! 4,905 of 1.38 million obligations await review, and those of the earliest due dates were
//! reviewed long ago: the first page walked 1.14 million entries of the order index to find
//! its 101 rows (833 ms under `EXPLAIN ANALYZE`). This index holds only the reports awaiting
//! review, in the same order. The list writes the state into its statement rather than binding
//! it (`obligations::list::awaiting_review`), so that every plan on both backends can prove the
//! index's condition. Its cost: a submission or review changes `report_state`, now an indexed
//! condition, so PostgreSQL updates the row's index entries instead of a heap-only update.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_obligations_awaiting_review ON obligations \
                 (due_on, document_id, sort_order, task_id) WHERE report_state = 'SUBMITTED'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX idx_obligations_awaiting_review")
            .await?;
        Ok(())
    }
}
