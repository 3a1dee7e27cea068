//! GraphQL face of the escalation ladder.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::escalations;

use crate::escalations::service::{self, EscalationFilter, NewEscalation, Outcome};
use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{self, Conn, Kind, expect_id};
use crate::obligations::ReportKey;
use crate::periods::loaders::PeriodById;
use crate::periods::schema::ReportingPeriod;
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// A step of the escalation ladder (三色督办), after the automatic reminder (提醒).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::EscalationLevel")]
pub enum EscalationLevel {
    /// 催办: a formal prompt.
    Urge,
    /// 督办单: a numbered supervision notice to the unit.
    SupervisionNotice,
    /// 约谈: an interview with the unit's head, recorded.
    Interview,
}

/// A step taken with a unit about an overdue report, with its reply and outcome.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Escalation {
    pub id: ID,
    pub level: EscalationLevel,
    /// A 督办单's number (督办〔2026〕3号).
    pub number: Option<String>,
    pub reason: String,
    /// Days past the due date when the step was taken.
    pub days_overdue: i32,
    pub issued_at: DateTime<Utc>,
    /// Taken by the deadline job at the days overdue the notice sets, not by a person.
    pub automatic: bool,
    /// The unit's reply (整改情况).
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    /// What the bureau recorded to close the step.
    pub outcome: Option<String>,
    /// For a 约谈: who was interviewed, and when.
    pub interviewee: Option<String>,
    pub held_on: Option<NaiveDate>,
    pub outcome_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub row: escalations::Model,
}

impl From<escalations::Model> for Escalation {
    fn from(e: escalations::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Escalation, e.id),
            level: e.level.into(),
            number: e.number.clone(),
            reason: e.reason.clone(),
            days_overdue: e.days_overdue,
            issued_at: e.issued_at,
            automatic: e.issued_by.is_none(),
            reply: e.reply.clone(),
            replied_at: e.replied_at,
            outcome: e.outcome.clone(),
            interviewee: e.interviewee.clone(),
            held_on: e.held_on,
            outcome_at: e.outcome_at,
            row: e,
        }
    }
}

#[ComplexObject]
impl Escalation {
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        load(ctx, VisibleTaskById(self.row.task_id)).await
    }

    async fn period(&self, ctx: &Context<'_>) -> Result<Option<ReportingPeriod>> {
        load(ctx, PeriodById(self.row.period_id)).await
    }

    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.row.unit_id)).await
    }
}

/// Steps of one level in a year.
#[derive(SimpleObject, Debug, Clone)]
pub struct EscalationCount {
    pub level: EscalationLevel,
    pub count: u64,
}

/// A unit that received 督办单 in the year, with how many.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct NoticedUnit {
    pub notices: u64,
    #[graphql(skip)]
    pub unit_id: i64,
}

#[ComplexObject]
impl NoticedUnit {
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.unit_id)).await
    }
}

/// A year of the ladder as the caller may see it.
#[derive(SimpleObject, Debug, Clone)]
pub struct EscalationFigures {
    pub year: i32,
    /// Steps taken, by level (every level, zeros included).
    pub by_level: Vec<EscalationCount>,
    /// The units that received a 督办单, most first.
    pub units_with_supervision_notices: Vec<NoticedUnit>,
}

#[derive(InputObject, Debug, Default)]
pub struct EscalationFilterInput {
    pub unit_id: Option<ID>,
    pub task_id: Option<ID>,
    pub level: Option<EscalationLevel>,
    /// Issued in this year (in Beijing).
    pub year: Option<i32>,
    /// Only those the unit has not replied to.
    #[graphql(default)]
    pub unreplied: bool,
}

#[derive(InputObject, Debug)]
pub struct EscalateInput {
    pub task_id: ID,
    pub period_id: ID,
    pub unit_id: ID,
    pub level: EscalationLevel,
    pub reason: String,
}

#[derive(InputObject, Debug)]
pub struct ReplyToEscalationInput {
    pub id: ID,
    pub reply: String,
}

#[derive(InputObject, Debug)]
pub struct ConcludeEscalationInput {
    pub id: ID,
    pub outcome: String,
    /// Required for a 约谈.
    pub interviewee: Option<String>,
    /// Required for a 约谈.
    pub held_on: Option<NaiveDate>,
}

#[derive(SimpleObject, Debug)]
pub struct EscalationPayload {
    pub escalation: Escalation,
}

#[derive(Default)]
pub struct EscalationQuery;

#[Object]
impl EscalationQuery {
    /// Steps of the ladder, newest first: a unit those addressed to it; a leader those on its
    /// tasks and those of the units it supervises; the bureau all.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn escalations(
        &self,
        ctx: &Context<'_>,
        filter: Option<EscalationFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Escalation>> {
        let actor = ctx.actor()?;
        let filter = filter.unwrap_or_default();
        let filter = EscalationFilter {
            unit_id: filter
                .unit_id
                .map(|id| expect_id("filter.unitId", &id, Kind::Unit))
                .transpose()?,
            task_id: filter
                .task_id
                .map(|id| expect_id("filter.taskId", &id, Kind::Task))
                .transpose()?,
            level: filter.level.map(Into::into),
            year: filter.year,
            unreplied: filter.unreplied,
        };
        let page = relay::page_request(ctx, first, after.as_deref())?;
        Ok(relay::connection(
            service::list(actor, ctx.db(), &filter, page).await?,
        ))
    }

    /// A year of the ladder: steps by level, and the units that received a 督办单. An
    /// aggregate: it counts for 2,000 against the complexity limit, like the other figures.
    #[graphql(complexity = 2000)]
    async fn escalation_figures(&self, ctx: &Context<'_>, year: i32) -> Result<EscalationFigures> {
        let actor = ctx.actor()?;
        let figures = service::figures(actor, ctx.db(), year).await?;
        Ok(EscalationFigures {
            year,
            by_level: figures
                .by_level
                .into_iter()
                .map(|(level, count)| EscalationCount {
                    level: level.into(),
                    count,
                })
                .collect(),
            units_with_supervision_notices: figures
                .units_with_notices
                .into_iter()
                .map(|(unit_id, notices)| NoticedUnit { notices, unit_id })
                .collect(),
        })
    }
}

#[derive(Default)]
pub struct EscalationMutation;

#[Object]
impl EscalationMutation {
    /// Takes a step of the ladder with a unit whose report is overdue (BUREAU). A 督办单 gets the
    /// year's next number.
    async fn escalate(&self, ctx: &Context<'_>, input: EscalateInput) -> Result<EscalationPayload> {
        let actor = ctx.actor()?;
        let input = NewEscalation {
            key: ReportKey {
                task_id: expect_id("taskId", &input.task_id, Kind::Task)?,
                period_id: expect_id("periodId", &input.period_id, Kind::Period)?,
            },
            unit_id: expect_id("unitId", &input.unit_id, Kind::Unit)?,
            level: input.level.into(),
            reason: input.reason,
        };
        let stored = service::issue(actor, ctx.db(), ctx.now(), input).await?;
        Ok(EscalationPayload {
            escalation: stored.into(),
        })
    }

    /// The unit's reply (整改情况) to a step addressed to it (UNIT), once.
    async fn reply_to_escalation(
        &self,
        ctx: &Context<'_>,
        input: ReplyToEscalationInput,
    ) -> Result<EscalationPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Escalation)?;
        let stored = service::reply(actor, ctx.db(), ctx.now(), id, &input.reply).await?;
        Ok(EscalationPayload {
            escalation: stored.into(),
        })
    }

    /// Records a step's outcome (BUREAU), once; a 约谈's names who was interviewed and when.
    async fn conclude_escalation(
        &self,
        ctx: &Context<'_>,
        input: ConcludeEscalationInput,
    ) -> Result<EscalationPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Escalation)?;
        let outcome = Outcome {
            outcome: input.outcome,
            interviewee: input.interviewee,
            held_on: input.held_on,
        };
        let stored = service::conclude(actor, ctx.db(), ctx.now(), id, outcome).await?;
        Ok(EscalationPayload {
            escalation: stored.into(),
        })
    }
}
