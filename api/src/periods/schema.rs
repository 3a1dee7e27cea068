//! GraphQL face of reporting periods: `Document.reportingPeriods` and the bureau's mutations.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::reporting_periods;

use crate::deadline::{due_end, today_in_china};
use crate::graphql::context::ContextExt;
use crate::graphql::relay::{self, Kind, expect_id};
use crate::periods::service::{self, NewPeriod, PeriodChanges};

/// When progress is due: one quarter, month or node of a document's schedule.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct ReportingPeriod {
    pub id: ID,
    /// `2024-Q1`, `2022-03`, `节点1`.
    pub label: String,
    pub starts_on: Option<NaiveDate>,
    /// The last day to report on, in China time.
    pub due_on: NaiveDate,
    /// The first due date, before any move.
    pub original_due_on: NaiveDate,
    pub position: i32,
    #[graphql(skip)]
    pub row_id: i64,
}

impl From<reporting_periods::Model> for ReportingPeriod {
    fn from(p: reporting_periods::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Period, p.id),
            label: p.label,
            starts_on: p.starts_on,
            due_on: p.due_on,
            original_due_on: p.original_due_on,
            position: p.position,
            row_id: p.id,
        }
    }
}

#[ComplexObject]
impl ReportingPeriod {
    /// The instant the period ends: midnight after `dueOn` in Beijing, in UTC.
    async fn due_at(&self) -> DateTime<Utc> {
        due_end(self.due_on)
    }

    /// Whether `dueOn` has passed in China time.
    async fn is_past(&self, ctx: &Context<'_>) -> bool {
        self.due_on < today_in_china(ctx.now())
    }
}

#[derive(InputObject, Debug)]
pub struct GenerateReportingPeriodsInput {
    pub document_id: ID,
}

#[derive(InputObject, Debug)]
pub struct AddReportingPeriodInput {
    pub document_id: ID,
    pub label: String,
    pub starts_on: Option<NaiveDate>,
    pub due_on: NaiveDate,
}

#[derive(InputObject, Debug)]
pub struct UpdateReportingPeriodInput {
    pub id: ID,
    pub label: Option<String>,
    pub due_on: Option<NaiveDate>,
}

#[derive(InputObject, Debug)]
pub struct DeleteReportingPeriodInput {
    pub id: ID,
}

#[derive(SimpleObject, Debug)]
pub struct GenerateReportingPeriodsPayload {
    /// All periods of the document, the existing and the new ones.
    pub periods: Vec<ReportingPeriod>,
}

#[derive(SimpleObject, Debug)]
pub struct ReportingPeriodPayload {
    pub period: ReportingPeriod,
}

#[derive(SimpleObject, Debug)]
pub struct DeleteReportingPeriodPayload {
    pub deleted_period_id: ID,
}

#[derive(Default)]
pub struct PeriodMutation;

#[Object]
impl PeriodMutation {
    /// Creates the periods of the document's schedule that do not exist yet.
    async fn generate_reporting_periods(
        &self,
        ctx: &Context<'_>,
        input: GenerateReportingPeriodsInput,
    ) -> Result<GenerateReportingPeriodsPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("documentId", &input.document_id, Kind::Document)?;
        let periods = service::generate(actor, ctx.db(), ctx.now(), id).await?;
        Ok(GenerateReportingPeriodsPayload {
            periods: periods.into_iter().map(Into::into).collect(),
        })
    }

    async fn add_reporting_period(
        &self,
        ctx: &Context<'_>,
        input: AddReportingPeriodInput,
    ) -> Result<ReportingPeriodPayload> {
        let actor = ctx.actor()?;
        let new = NewPeriod {
            document_id: expect_id("documentId", &input.document_id, Kind::Document)?,
            label: input.label,
            starts_on: input.starts_on,
            due_on: input.due_on,
        };
        let period = service::add(actor, ctx.db(), ctx.now(), new).await?;
        Ok(ReportingPeriodPayload {
            period: period.into(),
        })
    }

    /// Moves or renames a period that is not yet due.
    async fn update_reporting_period(
        &self,
        ctx: &Context<'_>,
        input: UpdateReportingPeriodInput,
    ) -> Result<ReportingPeriodPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Period)?;
        let changes = PeriodChanges {
            label: input.label,
            due_on: input.due_on,
        };
        let period = service::update(actor, ctx.db(), ctx.now(), id, changes).await?;
        Ok(ReportingPeriodPayload {
            period: period.into(),
        })
    }

    /// Removes a period that is not yet due and has no report.
    async fn delete_reporting_period(
        &self,
        ctx: &Context<'_>,
        input: DeleteReportingPeriodInput,
    ) -> Result<DeleteReportingPeriodPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Period)?;
        service::delete(actor, ctx.db(), ctx.now(), id).await?;
        Ok(DeleteReportingPeriodPayload {
            deleted_period_id: input.id,
        })
    }
}
