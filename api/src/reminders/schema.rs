//! GraphQL face of reminders: `sendReminder` (BUREAU), `acknowledgeReminder` (the addressed
//! unit), `reminders` and `Task.reminders`.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::reminders;

use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{self, Conn, Kind, expect_id, expect_optional_id};
use crate::periods::loaders::PeriodById;
use crate::periods::schema::ReportingPeriod;
use crate::reminders::ReminderRule;
use crate::reminders::service::{self, NewReminder};
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// A prompt (催办) to a unit about a task and period.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Reminder {
    pub id: ID,
    pub message: String,
    /// `MANUAL` for the bureau's own reminders, otherwise the rule that sent it.
    pub rule: ReminderRule,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub row: reminders::Model,
}

impl From<reminders::Model> for Reminder {
    fn from(r: reminders::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Reminder, r.id),
            message: r.message.clone(),
            // Every writer stores one of the rules; a row from a newer version reads as manual.
            rule: ReminderRule::parse(&r.rule).unwrap_or(ReminderRule::Manual),
            created_at: r.created_at,
            acknowledged_at: r.acknowledged_at,
            row: r,
        }
    }
}

#[ComplexObject]
impl Reminder {
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        load(ctx, VisibleTaskById(self.row.task_id)).await
    }

    async fn period(&self, ctx: &Context<'_>) -> Result<Option<ReportingPeriod>> {
        let Some(id) = self.row.period_id else {
            return Ok(None);
        };
        load(ctx, PeriodById(id)).await
    }

    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.row.unit_id)).await
    }
}

#[derive(InputObject, Debug)]
pub struct SendReminderInput {
    pub task_id: ID,
    pub period_id: Option<ID>,
    pub unit_id: ID,
    pub message: String,
}

#[derive(InputObject, Debug)]
pub struct AcknowledgeReminderInput {
    pub id: ID,
}

#[derive(SimpleObject, Debug)]
pub struct ReminderPayload {
    pub reminder: Reminder,
}

#[derive(Default)]
pub struct ReminderQuery;

#[Object]
impl ReminderQuery {
    /// Reminders, newest first: a unit's own, a leader's tasks', all for the bureau.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn reminders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those not yet acknowledged.")] unacknowledged: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Reminder>> {
        let actor = ctx.actor()?;
        let page = relay::page_request(ctx, first, after.as_deref())?;
        Ok(relay::connection(
            service::list(actor, ctx.db(), unacknowledged.unwrap_or(false), page).await?,
        ))
    }
}

#[derive(Default)]
pub struct ReminderMutation;

#[Object]
impl ReminderMutation {
    /// Sends a reminder (催办) to a unit of a task (BUREAU).
    async fn send_reminder(
        &self,
        ctx: &Context<'_>,
        input: SendReminderInput,
    ) -> Result<ReminderPayload> {
        let actor = ctx.actor()?;
        let new = NewReminder {
            task_id: expect_id("taskId", &input.task_id, Kind::Task)?,
            period_id: expect_optional_id("periodId", input.period_id.as_ref(), Kind::Period)?,
            unit_id: expect_id("unitId", &input.unit_id, Kind::Unit)?,
            message: input.message,
        };
        let reminder = service::send(actor, ctx.db(), ctx.now(), new).await?;
        Ok(ReminderPayload {
            reminder: reminder.into(),
        })
    }

    /// Acknowledges a reminder addressed to the caller's unit (UNIT).
    async fn acknowledge_reminder(
        &self,
        ctx: &Context<'_>,
        input: AcknowledgeReminderInput,
    ) -> Result<ReminderPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Reminder)?;
        let reminder = service::acknowledge(actor, ctx.db(), ctx.now(), id).await?;
        Ok(ReminderPayload {
            reminder: reminder.into(),
        })
    }
}
