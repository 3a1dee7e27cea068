//! GraphQL face of task changes: creating, editing, deleting tasks, setting their leaders and
//! units, and the bureau's decisions (complete, cancel, reopen). All bureau-only.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::NaiveDate;

use crate::graphql::context::ContextExt;
use crate::graphql::enums::{Comparator, LeaderRole, UnitRole};
use crate::graphql::relay::{Kind, expect_id, expect_optional_id};
use crate::tasks::assignments::{self, NewTaskLeader, NewTaskUnit};
use crate::tasks::decisions::{self, Decision};
use crate::tasks::service::{self, NewIndicator, NewTask, TaskChanges};
use crate::tasks::types::Task;

/// One leader of a task: exactly one of `leaderId`, `post` and `collective`.
#[derive(InputObject, Debug, Clone)]
pub struct TaskLeaderInput {
    pub leader_id: Option<ID>,
    pub post: Option<String>,
    pub collective: Option<String>,
    pub role: LeaderRole,
    pub name_as_written: Option<String>,
}

/// One unit of a task.
#[derive(InputObject, Debug, Clone)]
pub struct TaskUnitInput {
    pub unit_id: ID,
    pub role: UnitRole,
    #[graphql(default)]
    pub is_local: bool,
    pub name_as_written: Option<String>,
}

fn decode_leaders(
    field: &str,
    leaders: Vec<TaskLeaderInput>,
) -> Result<Vec<NewTaskLeader>, crate::error::AppError> {
    leaders
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            Ok(NewTaskLeader {
                leader_id: expect_optional_id(
                    &format!("{field}[{i}].leaderId"),
                    l.leader_id.as_ref(),
                    Kind::Leader,
                )?,
                post: l.post,
                collective: l.collective,
                role: l.role.into(),
                name_as_written: l.name_as_written,
            })
        })
        .collect()
}

fn decode_units(
    field: &str,
    units: Vec<TaskUnitInput>,
) -> Result<Vec<NewTaskUnit>, crate::error::AppError> {
    units
        .into_iter()
        .enumerate()
        .map(|(i, u)| {
            Ok(NewTaskUnit {
                unit_id: expect_id(&format!("{field}[{i}].unitId"), &u.unit_id, Kind::Unit)?,
                role: u.role.into(),
                is_local: u.is_local,
                name_as_written: u.name_as_written,
            })
        })
        .collect()
}

#[derive(InputObject, Debug)]
pub struct CreateTaskInput {
    pub document_id: ID,
    pub category_id: Option<ID>,
    /// For a sub-point: the item it belongs to.
    pub parent_task_id: Option<ID>,
    pub seq: String,
    pub text: String,
    pub deadline: Option<NaiveDate>,
    pub external_id: Option<String>,
    #[graphql(default)]
    pub leaders: Vec<TaskLeaderInput>,
    #[graphql(default)]
    pub units: Vec<TaskUnitInput>,
    /// Measurable targets (新建充电桩 700 个), in written order.
    #[graphql(default)]
    pub indicators: Vec<IndicatorInput>,
}

#[derive(InputObject, Debug)]
pub struct IndicatorInput {
    pub phrase: String,
    pub target: Option<String>,
    pub measure_unit: Option<String>,
    #[graphql(default_with = "Comparator::About")]
    pub comparator: Comparator,
}

#[derive(InputObject, Debug)]
pub struct UpdateTaskInput {
    pub id: ID,
    /// The `version` read; a task changed since gives CONFLICT.
    pub version: i32,
    pub category_id: MaybeUndefined<ID>,
    pub seq: Option<String>,
    pub text: Option<String>,
    pub deadline: MaybeUndefined<NaiveDate>,
    pub percent: Option<i32>,
    pub external_id: MaybeUndefined<String>,
    pub sort_order: Option<i32>,
}

/// The bureau's decision on a task: complete (办结), cancel or reopen it.
#[derive(InputObject, Debug)]
pub struct DecideTaskInput {
    pub id: ID,
    /// The `version` read; a task changed since gives CONFLICT.
    pub version: i32,
    /// Why; required to reopen a task.
    pub comment: Option<String>,
}

#[derive(InputObject, Debug)]
pub struct DeleteTaskInput {
    pub id: ID,
    /// When given, a task changed since gives CONFLICT.
    pub version: Option<i32>,
}

#[derive(InputObject, Debug)]
pub struct SetTaskLeadersInput {
    pub task_id: ID,
    pub version: Option<i32>,
    /// The complete new list, in order.
    pub leaders: Vec<TaskLeaderInput>,
}

#[derive(InputObject, Debug)]
pub struct SetTaskUnitsInput {
    pub task_id: ID,
    pub version: Option<i32>,
    /// The complete new list, in order.
    pub units: Vec<TaskUnitInput>,
}

#[derive(SimpleObject, Debug)]
pub struct CreateTaskPayload {
    pub task: Task,
}

#[derive(SimpleObject, Debug)]
pub struct UpdateTaskPayload {
    pub task: Task,
}

#[derive(SimpleObject, Debug)]
pub struct DeleteTaskPayload {
    pub deleted_task_id: ID,
}

#[derive(SimpleObject, Debug)]
pub struct SetTaskLeadersPayload {
    pub task: Task,
}

#[derive(SimpleObject, Debug)]
pub struct SetTaskUnitsPayload {
    pub task: Task,
}

#[derive(Default)]
pub struct TaskMutation;

#[Object]
impl TaskMutation {
    async fn create_task(
        &self,
        ctx: &Context<'_>,
        input: CreateTaskInput,
    ) -> Result<CreateTaskPayload> {
        let actor = ctx.actor()?;
        let new = NewTask {
            document_id: expect_id("documentId", &input.document_id, Kind::Document)?,
            category_id: expect_optional_id(
                "categoryId",
                input.category_id.as_ref(),
                Kind::Category,
            )?,
            parent_task_id: expect_optional_id(
                "parentTaskId",
                input.parent_task_id.as_ref(),
                Kind::Task,
            )?,
            seq: input.seq,
            text: input.text,
            deadline: input.deadline,
            external_id: input.external_id,
            leaders: decode_leaders("leaders", input.leaders)?,
            units: decode_units("units", input.units)?,
            indicators: input
                .indicators
                .into_iter()
                .map(|i| NewIndicator {
                    phrase: i.phrase,
                    target: i.target,
                    measure_unit: i.measure_unit,
                    comparator: i.comparator.into(),
                })
                .collect(),
        };
        let task = service::create(actor, ctx.db(), ctx.now(), new).await?;
        Ok(CreateTaskPayload { task: task.into() })
    }

    async fn update_task(
        &self,
        ctx: &Context<'_>,
        input: UpdateTaskInput,
    ) -> Result<UpdateTaskPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Task)?;
        let category: Option<Option<ID>> = input.category_id.into();
        let changes = TaskChanges {
            version: input.version,
            category_id: category
                .map(|c| expect_optional_id("categoryId", c.as_ref(), Kind::Category))
                .transpose()?,
            seq: input.seq,
            text: input.text,
            deadline: input.deadline.into(),
            percent: input.percent,
            external_id: input.external_id.into(),
            sort_order: input.sort_order,
        };
        let task = service::update(actor, ctx.db(), ctx.now(), id, changes).await?;
        Ok(UpdateTaskPayload { task: task.into() })
    }

    /// Confirms completion (办结). Bureau only. The status stays COMPLETED until reopened.
    async fn complete_task(
        &self,
        ctx: &Context<'_>,
        input: DecideTaskInput,
    ) -> Result<UpdateTaskPayload> {
        decide(ctx, input, Decision::Complete).await
    }

    /// Drops a task: it stays listed as CANCELLED and owes nothing more. Bureau only.
    async fn cancel_task(
        &self,
        ctx: &Context<'_>,
        input: DecideTaskInput,
    ) -> Result<UpdateTaskPayload> {
        decide(ctx, input, Decision::Cancel).await
    }

    /// Opens a completed or cancelled task again, with a reason; its status is derived anew
    /// from its reports and deadlines. Bureau only.
    async fn reopen_task(
        &self,
        ctx: &Context<'_>,
        input: DecideTaskInput,
    ) -> Result<UpdateTaskPayload> {
        decide(ctx, input, Decision::Reopen).await
    }

    /// Removes a task from every listing; its row, history and reports stay.
    async fn delete_task(
        &self,
        ctx: &Context<'_>,
        input: DeleteTaskInput,
    ) -> Result<DeleteTaskPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Task)?;
        service::delete(actor, ctx.db(), ctx.now(), id, input.version).await?;
        Ok(DeleteTaskPayload {
            deleted_task_id: input.id,
        })
    }

    async fn set_task_leaders(
        &self,
        ctx: &Context<'_>,
        input: SetTaskLeadersInput,
    ) -> Result<SetTaskLeadersPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("taskId", &input.task_id, Kind::Task)?;
        let leaders = decode_leaders("leaders", input.leaders)?;
        let task = assignments::set_leaders(actor, ctx.db(), ctx.now(), id, input.version, leaders)
            .await?;
        Ok(SetTaskLeadersPayload { task: task.into() })
    }

    async fn set_task_units(
        &self,
        ctx: &Context<'_>,
        input: SetTaskUnitsInput,
    ) -> Result<SetTaskUnitsPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("taskId", &input.task_id, Kind::Task)?;
        let units = decode_units("units", input.units)?;
        let task =
            assignments::set_units(actor, ctx.db(), ctx.now(), id, input.version, units).await?;
        Ok(SetTaskUnitsPayload { task: task.into() })
    }
}

async fn decide(
    ctx: &Context<'_>,
    input: DecideTaskInput,
    decision: Decision,
) -> Result<UpdateTaskPayload> {
    let actor = ctx.actor()?;
    let id = expect_id("id", &input.id, Kind::Task)?;
    let task = decisions::decide(
        actor,
        ctx.db(),
        ctx.now(),
        id,
        input.version,
        decision,
        input.comment.as_deref(),
    )
    .await?;
    Ok(UpdateTaskPayload { task: task.into() })
}
