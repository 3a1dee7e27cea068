//! GraphQL face of obligations: `myObligations` for a unit, `obligations(filter:)` for the
//! bureau, leaders and machine accounts.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use crate::deadline::due_end;
use crate::error::AppError;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{self, Conn, Kind, expect_optional_id};
use crate::obligations::{self, Obligation, ObligationFilter, ObligationState};
use crate::periods::schema::ReportingPeriod;
use crate::reports::schema::ProgressReport;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// A report a unit owes for a task and period.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex, name = "Obligation")]
pub struct ObligationOutput {
    pub state: ObligationState,
    pub due_on: NaiveDate,
    pub task: Task,
    pub period: ReportingPeriod,
    /// The report, once the unit has started it.
    pub report: Option<ProgressReport>,
    #[graphql(skip)]
    pub unit_id: i64,
}

impl From<Obligation> for ObligationOutput {
    fn from(o: Obligation) -> Self {
        Self {
            state: o.state,
            due_on: o.due_on,
            task: o.task.into(),
            period: o.period.into(),
            report: o.report.map(Into::into),
            unit_id: o.unit_id,
        }
    }
}

#[ComplexObject]
impl ObligationOutput {
    /// When the due day ends in Beijing.
    async fn due_at(&self) -> DateTime<Utc> {
        due_end(self.due_on)
    }

    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.unit_id)).await
    }
}

#[derive(InputObject, Debug, Default)]
#[graphql(name = "ObligationFilter")]
pub struct ObligationFilterInput {
    pub document_id: Option<ID>,
    pub period_id: Option<ID>,
    pub unit_id: Option<ID>,
    pub leader_id: Option<ID>,
    /// Any of these states.
    pub state: Option<Vec<ObligationState>>,
}

impl ObligationFilterInput {
    fn decode(self) -> Result<ObligationFilter, AppError> {
        decode_filter(
            [
                self.document_id.as_ref(),
                self.period_id.as_ref(),
                self.unit_id.as_ref(),
                self.leader_id.as_ref(),
            ],
            self.state.unwrap_or_default(),
        )
    }
}

/// A filter's document, period, unit and leader from their global IDs (`filter.documentId`…
/// named in the errors); shared with the figures' filter.
pub fn decode_filter(
    [document, period, unit, leader]: [Option<&ID>; 4],
    states: Vec<ObligationState>,
) -> Result<ObligationFilter, AppError> {
    Ok(ObligationFilter {
        document_id: expect_optional_id("filter.documentId", document, Kind::Document)?,
        period_id: expect_optional_id("filter.periodId", period, Kind::Period)?,
        unit_id: expect_optional_id("filter.unitId", unit, Kind::Unit)?,
        leader_id: expect_optional_id("filter.leaderId", leader, Kind::Leader)?,
        states,
        supervised_by: None,
    })
}

#[derive(Default)]
pub struct ObligationQuery;

#[Object]
impl ObligationQuery {
    /// What my unit owes, soonest due first (UNIT).
    #[graphql(complexity = "1000 + relay::connection_complexity(first, child_complexity)")]
    async fn my_obligations(
        &self,
        ctx: &Context<'_>,
        filter: Option<ObligationFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<ObligationOutput>> {
        let actor = ctx.actor()?;
        if actor.unit_id().is_none() {
            return Err(AppError::forbidden(
                "myObligations is a unit's view; use obligations(filter:)",
            )
            .into());
        }
        let (page, after) = relay::keyset_request(ctx, first, after.as_deref())?;
        let found = obligations::list(
            actor,
            ctx.db(),
            ctx.now(),
            filter.unwrap_or_default().decode()?,
            page,
            after.as_ref(),
        )
        .await?;
        Ok(relay::connection(found))
    }

    /// Obligations by unit, leader, document, period or state (BUREAU, LEADER for their tasks,
    /// SERVICE).
    #[graphql(complexity = "1000 + relay::connection_complexity(first, child_complexity)")]
    async fn obligations(
        &self,
        ctx: &Context<'_>,
        filter: Option<ObligationFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<ObligationOutput>> {
        let actor = ctx.actor()?;
        if actor.unit_id().is_some() {
            return Err(
                AppError::forbidden("a unit reads its own obligations with myObligations").into(),
            );
        }
        let (page, after) = relay::keyset_request(ctx, first, after.as_deref())?;
        let found = obligations::list(
            actor,
            ctx.db(),
            ctx.now(),
            filter.unwrap_or_default().decode()?,
            page,
            after.as_ref(),
        )
        .await?;
        Ok(relay::connection(found))
    }
}
