//! Every reply to a People's Congress motion, round by round, with the deputies' rating. The
//! motion's current state stays in `task_proposals`; a 不满意 rating opens another round, and the
//! earlier replies stay here unchanged.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_unique_index, fk, id, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("proposal_replies"))
                    .col(id("id"))
                    .col(big_integer(name("task_id")))
                    .col(integer(name("round")))
                    .col(text(name("reply_text")))
                    .col(string_len(name("reply_class"), 32))
                    .col(date(name("replied_on")))
                    .col(big_integer_null(name("replied_by")))
                    .col(string_len_null(name("rating"), 32))
                    .col(timestamp_with_time_zone_null(name("rated_at")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .foreign_key(&mut fk(
                        "proposal_replies",
                        "task_id",
                        "tasks",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "proposal_replies",
                        "replied_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // One reply per round: a second reply in the same round is a conflict, not a new row.
        create_unique_index(manager, "proposal_replies", &["task_id", "round"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("proposal_replies")).to_owned())
            .await
    }
}
