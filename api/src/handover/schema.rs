//! GraphQL face of receipts (签收), hand-back requests (退办/转办) and the working-day calendar.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{calendar_days, handback_requests, task_receipts};

use crate::deadline::today_in_china;
use crate::error::AppError;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{self, Conn, Kind, expect_id};
use crate::handover::calendar::{self, DayChange};
use crate::handover::handbacks;
use crate::handover::receipts::{self, ReceiptFilter};
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// A unit's receipt (签收) of a task it was assigned.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct TaskReceipt {
    pub id: ID,
    /// When the unit was assigned the task.
    pub assigned_at: DateTime<Utc>,
    /// The last day to acknowledge it: the notice's working days after the assignment.
    pub due_on: NaiveDate,
    /// The last day the unit may ask to hand the task back.
    pub handback_until: NaiveDate,
    pub acknowledged_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub row: task_receipts::Model,
}

impl From<task_receipts::Model> for TaskReceipt {
    fn from(r: task_receipts::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Receipt, r.id),
            assigned_at: r.assigned_at,
            due_on: r.due_on,
            handback_until: r.handback_until,
            acknowledged_at: r.acknowledged_at,
            row: r,
        }
    }
}

#[ComplexObject]
impl TaskReceipt {
    /// Not acknowledged and past its last day (in Beijing).
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        receipts::is_overdue(&self.row, today_in_china(ctx.now()))
    }

    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        load(ctx, VisibleTaskById(self.row.task_id)).await
    }

    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.row.unit_id)).await
    }
}

/// Where a receipt stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::handover::receipts::ReceiptState")]
pub enum ReceiptState {
    /// Not yet acknowledged; the window is open.
    Awaiting,
    /// Not acknowledged and the window has passed.
    Overdue,
    Acknowledged,
}

/// The state of a request to hand a task back.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::HandbackState")]
pub enum HandbackState {
    /// Awaiting the bureau's decision.
    Pending,
    /// The bureau passed the unit's part to another unit (转办).
    Transferred,
    /// The bureau kept the task with the unit.
    Refused,
}

/// A unit's request to hand a task back (退办), with the bureau's decision.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct HandbackRequest {
    pub id: ID,
    pub state: HandbackState,
    pub reason: String,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    #[graphql(skip)]
    pub row: handback_requests::Model,
}

impl From<handback_requests::Model> for HandbackRequest {
    fn from(h: handback_requests::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Handback, h.id),
            state: h.state.into(),
            reason: h.reason.clone(),
            requested_at: h.requested_at,
            decided_at: h.decided_at,
            decision_comment: h.decision_comment.clone(),
            row: h,
        }
    }
}

#[ComplexObject]
impl HandbackRequest {
    /// The task, while the caller may see it (a unit that handed it on no longer does).
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        load(ctx, VisibleTaskById(self.row.task_id)).await
    }

    /// The unit that asked.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.row.unit_id)).await
    }

    /// The unit the asking unit believes should take the task, if it named one.
    async fn suggested_unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        match self.row.suggested_unit_id {
            Some(id) => load(ctx, UnitById(id)).await,
            None => Ok(None),
        }
    }

    /// The unit the bureau transferred the task to.
    async fn transferred_to(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        match self.row.transferred_to_unit_id {
            Some(id) => load(ctx, UnitById(id)).await,
            None => Ok(None),
        }
    }
}

/// A day that is not what its weekday says: a holiday on a weekday, or a make-up working day
/// on a weekend.
#[derive(SimpleObject, Debug, Clone)]
pub struct CalendarDay {
    pub day: NaiveDate,
    pub working: bool,
    pub note: Option<String>,
}

impl From<calendar_days::Model> for CalendarDay {
    fn from(d: calendar_days::Model) -> Self {
        Self {
            day: d.day,
            working: d.working,
            note: d.note,
        }
    }
}

#[derive(InputObject, Debug, Default)]
pub struct ReceiptFilterInput {
    pub task_id: Option<ID>,
    pub unit_id: Option<ID>,
    pub state: Option<ReceiptState>,
    /// Only those not acknowledged (AWAITING and OVERDUE together).
    #[graphql(default)]
    pub unacknowledged: bool,
}

#[derive(InputObject, Debug)]
pub struct RequestHandbackInput {
    pub task_id: ID,
    pub reason: String,
    /// The unit the task belongs to, in the asking unit's view.
    pub suggested_unit_id: Option<ID>,
}

#[derive(InputObject, Debug)]
pub struct DecideHandbackInput {
    pub id: ID,
    /// Transfer the asking unit's part to this unit; omit to refuse.
    pub transfer_to_unit_id: Option<ID>,
    /// Required when refusing.
    pub comment: Option<String>,
}

#[derive(InputObject, Debug)]
pub struct CalendarDayInput {
    pub day: NaiveDate,
    /// true: a make-up working day; false: a holiday; null: remove the exception.
    pub working: Option<bool>,
    pub note: Option<String>,
}

#[derive(SimpleObject, Debug)]
pub struct AcknowledgeTaskPayload {
    pub receipt: TaskReceipt,
}

#[derive(SimpleObject, Debug)]
pub struct HandbackPayload {
    pub handback: HandbackRequest,
}

#[derive(SimpleObject, Debug)]
pub struct SetCalendarDaysPayload {
    /// The exceptions now recorded between the earliest and the latest day given.
    pub days: Vec<CalendarDay>,
}

#[derive(Default)]
pub struct HandoverQuery;

#[Object]
impl HandoverQuery {
    /// Receipts of assigned tasks, the earliest last day first: a unit its own, a leader those
    /// of its tasks, the bureau all. `state: OVERDUE` lists the assignments not acknowledged in
    /// time.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn task_receipts(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReceiptFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<TaskReceipt>> {
        let actor = ctx.actor()?;
        let filter = filter.unwrap_or_default();
        let filter = ReceiptFilter {
            task_id: filter
                .task_id
                .map(|id| expect_id("filter.taskId", &id, Kind::Task))
                .transpose()?,
            unit_id: filter
                .unit_id
                .map(|id| expect_id("filter.unitId", &id, Kind::Unit))
                .transpose()?,
            state: filter.state.map(Into::into),
            unacknowledged: filter.unacknowledged,
        };
        let page = relay::page_request(ctx, first, after.as_deref())?;
        Ok(relay::connection(
            receipts::list(actor, ctx.db(), ctx.now(), &filter, page).await?,
        ))
    }

    /// Requests to hand tasks back, newest first: a unit its own, a leader those of its tasks,
    /// the bureau all.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn handback_requests(
        &self,
        ctx: &Context<'_>,
        state: Option<HandbackState>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<HandbackRequest>> {
        let actor = ctx.actor()?;
        let page = relay::page_request(ctx, first, after.as_deref())?;
        Ok(relay::connection(
            handbacks::list(actor, ctx.db(), state.map(Into::into), page).await?,
        ))
    }

    /// The calendar's exceptions from `from` to `to` (at most a year apart).
    async fn calendar_days(
        &self,
        ctx: &Context<'_>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CalendarDay>> {
        ctx.actor()?;
        if to < from || (to - from).num_days() > 366 {
            return Err(AppError::bad_field("to", "must be within a year after from").into());
        }
        Ok(calendar::between(ctx.db(), from, to)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[derive(Default)]
pub struct HandoverMutation;

#[Object]
impl HandoverMutation {
    /// Acknowledges (签收) a task assigned to the signed-in UNIT. Acknowledging twice changes
    /// nothing.
    async fn acknowledge_task(
        &self,
        ctx: &Context<'_>,
        task_id: ID,
    ) -> Result<AcknowledgeTaskPayload> {
        let actor = ctx.actor()?;
        let task_id = expect_id("taskId", &task_id, Kind::Task)?;
        let receipt = receipts::acknowledge(actor, ctx.db(), ctx.now(), task_id).await?;
        Ok(AcknowledgeTaskPayload {
            receipt: receipt.into(),
        })
    }

    /// Asks to hand a task back (退办): the signed-in UNIT, within its window, with a reason.
    async fn request_handback(
        &self,
        ctx: &Context<'_>,
        input: RequestHandbackInput,
    ) -> Result<HandbackPayload> {
        let actor = ctx.actor()?;
        let task_id = expect_id("taskId", &input.task_id, Kind::Task)?;
        let suggested = input
            .suggested_unit_id
            .map(|id| expect_id("suggestedUnitId", &id, Kind::Unit))
            .transpose()?;
        let stored = handbacks::request(
            actor,
            ctx.db(),
            ctx.now(),
            task_id,
            &input.reason,
            suggested,
        )
        .await?;
        Ok(HandbackPayload {
            handback: stored.into(),
        })
    }

    /// Decides a pending request (BUREAU): transfer the unit's part to another unit (转办), or
    /// refuse with a comment.
    async fn decide_handback(
        &self,
        ctx: &Context<'_>,
        input: DecideHandbackInput,
    ) -> Result<HandbackPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Handback)?;
        let successor = input
            .transfer_to_unit_id
            .map(|id| expect_id("transferToUnitId", &id, Kind::Unit))
            .transpose()?;
        let decided =
            handbacks::decide(actor, ctx.db(), ctx.now(), id, successor, input.comment).await?;
        Ok(HandbackPayload {
            handback: decided.into(),
        })
    }

    /// Records holidays and make-up working days (BUREAU); windows opened after count with
    /// them.
    async fn set_calendar_days(
        &self,
        ctx: &Context<'_>,
        days: Vec<CalendarDayInput>,
    ) -> Result<SetCalendarDaysPayload> {
        let actor = ctx.actor()?;
        let days = days
            .into_iter()
            .map(|d| DayChange {
                day: d.day,
                working: d.working,
                note: d.note,
            })
            .collect();
        let stored = calendar::set_days(actor, ctx.db(), ctx.now(), days).await?;
        Ok(SetCalendarDaysPayload {
            days: stored.into_iter().map(Into::into).collect(),
        })
    }
}
