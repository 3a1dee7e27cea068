//! GraphQL face of the figures: `reportingFigures`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::context::ContextExt;
use crate::graphql::enums::TaskStatus;
use crate::graphql::relay::{Kind, expect_optional_id};
use crate::obligations::ObligationFilter;
use crate::stats::service::{self, DueDateBasis, Figures};

/// Which obligations to count; all given conditions hold.
#[derive(InputObject, Debug, Default)]
pub struct FiguresFilter {
    pub document_id: Option<ID>,
    pub unit_id: Option<ID>,
    pub leader_id: Option<ID>,
    pub period_id: Option<ID>,
}

/// How many tasks have a status.
#[derive(SimpleObject, Debug, Clone)]
pub struct StatusCount {
    pub status: TaskStatus,
    pub tasks: u32,
}

/// Reporting figures over a set of obligations (one unit's report on one task for one period).
#[derive(SimpleObject, Debug, Clone)]
pub struct ReportingFigures {
    pub basis: DueDateBasis,
    pub obligations: u32,
    /// Whose due day has ended.
    pub due: u32,
    /// First submitted by the end of the due day.
    pub on_time: u32,
    /// First submitted after the due day.
    pub late: u32,
    /// Due with nothing submitted.
    pub missing: u32,
    /// On time among on time, late and missing; null when there are none.
    pub on_time_rate: Option<f64>,
    pub awaiting_review: u32,
    pub returned: u32,
    pub accepted: u32,
    /// The tasks of these obligations by status.
    pub tasks_by_status: Vec<StatusCount>,
}

impl ReportingFigures {
    fn new(basis: DueDateBasis, f: Figures) -> Self {
        Self {
            basis,
            on_time_rate: f.on_time_rate(),
            obligations: f.obligations,
            due: f.due,
            on_time: f.on_time,
            late: f.late,
            missing: f.missing,
            awaiting_review: f.awaiting_review,
            returned: f.returned,
            accepted: f.accepted,
            tasks_by_status: f
                .tasks_by_status
                .into_iter()
                .map(|(status, tasks)| StatusCount {
                    status: status.into(),
                    tasks,
                })
                .collect(),
        }
    }
}

#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// Reporting figures over the obligations the caller may see: a unit its own, a leader
    /// those of their tasks, the bureau and machine accounts all. `basis` picks the due date
    /// on-time figures are measured against. Costly: each aggregates every stored obligation
    /// in view, so it counts for 2,000 against the complexity limit (and appears at most 3
    /// times).
    #[graphql(complexity = 2000)]
    async fn reporting_figures(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: FiguresFilter,
        #[graphql(default)] basis: DueDateBasis,
    ) -> Result<ReportingFigures> {
        let actor = ctx.actor()?;
        let filter = ObligationFilter {
            document_id: expect_optional_id(
                "filter.documentId",
                filter.document_id.as_ref(),
                Kind::Document,
            )?,
            unit_id: expect_optional_id("filter.unitId", filter.unit_id.as_ref(), Kind::Unit)?,
            leader_id: expect_optional_id(
                "filter.leaderId",
                filter.leader_id.as_ref(),
                Kind::Leader,
            )?,
            period_id: expect_optional_id(
                "filter.periodId",
                filter.period_id.as_ref(),
                Kind::Period,
            )?,
            states: Vec::new(),
        };
        let figures = service::reporting(actor, ctx.db(), ctx.now(), filter, basis).await?;
        Ok(ReportingFigures::new(basis, figures))
    }
}
