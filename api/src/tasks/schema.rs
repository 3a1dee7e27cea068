//! GraphQL face of tasks: the `tasks` and `task` queries. The mutations live in `mutations`,
//! the output types in `types`.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::NaiveDate;

use crate::graphql::context::ContextExt;
use crate::graphql::enums::{TaskStatus, UnitRole};
use crate::graphql::relay::{self, Conn, Kind, expect_id, expect_optional_id};
use crate::tasks::query::{self, TaskFilter, TaskOrder, TaskOrderField};
pub use crate::tasks::types::{Task, TaskLeader, TaskUnit};

/// Which tasks to list; all given conditions must hold.
#[derive(InputObject, Debug, Default)]
#[graphql(name = "TaskFilter")]
pub struct TaskFilterInput {
    pub document_id: Option<ID>,
    /// The category or any category below it.
    pub category_id: Option<ID>,
    pub unit_id: Option<ID>,
    /// With `unitId`: only where the unit holds this role.
    pub unit_role: Option<UnitRole>,
    /// Tasks naming the leader in person or through the post they hold.
    pub leader_id: Option<ID>,
    /// Any of these statuses.
    pub status: Option<Vec<TaskStatus>>,
    /// Part of the text, or the exact sequence number.
    pub search: Option<String>,
    pub deadline_from: Option<NaiveDate>,
    pub deadline_to: Option<NaiveDate>,
    /// Behind schedule (序时进度) or not: see `Task.behindSchedule`.
    pub behind_schedule: Option<bool>,
}

impl TaskFilterInput {
    /// The filter, with `behindSchedule` read on `today` with `margin` points.
    fn decode(self, today: NaiveDate, margin: i64) -> Result<TaskFilter, crate::error::AppError> {
        Ok(TaskFilter {
            document_id: expect_optional_id(
                "filter.documentId",
                self.document_id.as_ref(),
                Kind::Document,
            )?,
            category_id: expect_optional_id(
                "filter.categoryId",
                self.category_id.as_ref(),
                Kind::Category,
            )?,
            unit_id: expect_optional_id("filter.unitId", self.unit_id.as_ref(), Kind::Unit)?,
            unit_role: self.unit_role.map(Into::into),
            leader_id: expect_optional_id(
                "filter.leaderId",
                self.leader_id.as_ref(),
                Kind::Leader,
            )?,
            statuses: self
                .status
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            text: self.search,
            deadline_from: self.deadline_from,
            deadline_to: self.deadline_to,
            behind_schedule: self
                .behind_schedule
                .map(|behind| crate::tasks::query::Schedule {
                    behind,
                    today,
                    margin,
                }),
        })
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TaskOrderBy {
    /// Document, then the order the items are written in.
    #[default]
    Sequence,
    /// Tasks without a deadline come last, in either direction.
    Deadline,
    UpdatedAt,
    CreatedAt,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

/// The order of `tasks`. Its cursors carry the sort key of their task, so a page resumes right
/// after that task whatever was added or removed before it; a cursor is valid only with the
/// order it came with.
#[derive(InputObject, Debug, Default)]
#[graphql(name = "TaskOrder")]
pub struct TaskOrderInput {
    #[graphql(default)]
    pub field: TaskOrderBy,
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<TaskOrderInput> for TaskOrder {
    fn from(o: TaskOrderInput) -> Self {
        Self {
            field: match o.field {
                TaskOrderBy::Sequence => TaskOrderField::Sequence,
                TaskOrderBy::Deadline => TaskOrderField::Deadline,
                TaskOrderBy::UpdatedAt => TaskOrderField::UpdatedAt,
                TaskOrderBy::CreatedAt => TaskOrderField::CreatedAt,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}

#[derive(Default)]
pub struct TaskQuery;

#[Object]
impl TaskQuery {
    /// The tasks the caller may see: all for the bureau, their own for units and leaders.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilterInput>,
        order_by: Option<TaskOrderInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Task>> {
        let actor = ctx.actor()?;
        let (page, after) = relay::keyset_request(ctx, first, after.as_deref())?;
        let filter = filter.unwrap_or_default().decode(
            crate::deadline::today_in_china(ctx.now()),
            ctx.app().warnings.schedule_margin,
        )?;
        let order = order_by.unwrap_or_default().into();
        Ok(relay::connection(
            query::list(actor, ctx.db(), filter, order, page, after.as_ref()).await?,
        ))
    }

    /// Null, with an error saying why, when there is no such task or the caller may not see
    /// it: the other fields of the request are answered all the same.
    async fn task(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Task>> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &id, Kind::Task)?;
        let cache = &ctx.app().references.tasks;
        Ok(Some(
            query::get_row(actor, ctx.db(), cache, id).await?.into(),
        ))
    }
}
