//! GraphQL face of the pages: `leaderPage` and `unitPage`. Each field asks its own domain when
//! it is selected, so a client takes the parts it shows and pays for nothing else.

use async_graphql::{Context, Object, Result, SimpleObject};

use crate::auth::Principal;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{Kind, expect_optional_id};
use crate::instructions::schema::Instruction;
use crate::leaders::loaders::LeaderById;
use crate::leaders::schema::Leader;
use crate::obligations::ObligationState;
use crate::obligations::schema::ObligationOutput;
use crate::pages::service;
use crate::reminders::schema::Reminder;
use crate::reports::schema::ProgressReport;
use crate::reports::version_schema::ReportVersion;
use crate::stats::ranking::{self, RankingScope};
use crate::stats::schema::{FiguresRow, Ranking, ReportingFigures};
use crate::stats::service::DueDateBasis;
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// How many rows a page's list gives when `first` is not said.
const DEFAULT_ROWS: i32 = 10;

/// `first` as a row count: 1 to `service::MAX_ROWS`.
fn rows(first: i32) -> Result<u64> {
    match u64::try_from(first) {
        Ok(n) if (1..=service::MAX_ROWS).contains(&n) => Ok(n),
        _ => Err(crate::error::AppError::bad_field(
            "first",
            format!("must be from 1 to {}", service::MAX_ROWS),
        )
        .into()),
    }
}

#[derive(Default)]
pub struct PageQuery;

#[Object]
impl PageQuery {
    /// The signed-in leader's page in one query: their tasks' figures (by status and warning
    /// level), the figures of the units they supervise, their instructions waiting for a
    /// reply and the latest reports on their tasks. A leader's account only (FORBIDDEN for
    /// others: the bureau reads the same through `reportingFigures` and `figuresBy`).
    async fn leader_page(&self, ctx: &Context<'_>) -> Result<LeaderPage> {
        let leader_id = service::leader_of(ctx.actor()?)?;
        Ok(LeaderPage { leader_id })
    }

    /// The signed-in unit's page in one query: what it owes next, what was returned to it,
    /// reminders it has not acknowledged, its figures and its place in the ranking. A unit's
    /// account only (FORBIDDEN for others).
    async fn unit_page(&self, ctx: &Context<'_>) -> Result<UnitPage> {
        let unit_id = service::unit_of(ctx.actor()?)?;
        Ok(UnitPage { unit_id })
    }
}

/// A leader's page. Its lists are the newest or most pressing `first` rows (at most 50).
pub struct LeaderPage {
    leader_id: i64,
}

/// An instruction and the task it is on.
#[derive(SimpleObject, Debug, Clone)]
pub struct InstructionOnTask {
    pub instruction: Instruction,
    pub task: Task,
}

/// A submitted version and its report (task, unit, period).
#[derive(SimpleObject, Debug, Clone)]
pub struct LatestReport {
    pub version: ReportVersion,
    pub report: ProgressReport,
}

#[Object]
impl LeaderPage {
    async fn leader(&self, ctx: &Context<'_>) -> Result<Option<Leader>> {
        load(ctx, LeaderById(self.leader_id)).await
    }

    /// The figures of the obligations on the leader's tasks, with those tasks by status and
    /// warning level (as `reportingFigures` gives a leader). Costly (2,000).
    #[graphql(complexity = 2000)]
    async fn figures(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] basis: DueDateBasis,
    ) -> Result<ReportingFigures> {
        own_figures(ctx, basis).await
    }

    /// One row per unit the leader supervises (`Leader.supervisedUnits`) that owes reports:
    /// its figures over all its obligations, not only those of the leader's tasks. Costly
    /// (2,000).
    #[graphql(complexity = 2000)]
    async fn supervised_units(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] basis: DueDateBasis,
    ) -> Result<Vec<FiguresRow>> {
        let rows = service::supervised_figures(
            ctx.actor()?,
            ctx.db(),
            ctx.now(),
            basis,
            ctx.app().warnings,
            ctx.look_ahead().field("figures").field("targets").exists(),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| FiguresRow::new(crate::stats::groups::Grouping::Unit, basis, row))
            .collect())
    }

    /// The leader's instructions (批示) that nobody has replied to yet, newest first.
    #[graphql(complexity = "first.unwrap_or(DEFAULT_ROWS).max(1) as usize * child_complexity")]
    async fn instructions_awaiting_reply(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<InstructionOnTask>> {
        let actor = ctx.actor()?;
        let found = service::instructions_awaiting_reply(
            actor,
            ctx.db(),
            rows(first.unwrap_or(DEFAULT_ROWS))?,
        )
        .await?;
        let mut out = Vec::with_capacity(found.len());
        for instruction in found {
            // Through the loader: one statement for the whole list.
            if let Some(task) = load(ctx, VisibleTaskById(instruction.task_id)).await? {
                out.push(InstructionOnTask {
                    instruction: instruction.into(),
                    task,
                });
            }
        }
        Ok(out)
    }

    /// The latest reports submitted on the leader's tasks, newest first.
    #[graphql(complexity = "first.unwrap_or(DEFAULT_ROWS).max(1) as usize * child_complexity")]
    async fn latest_reports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<LatestReport>> {
        let found =
            service::latest_reports(ctx.actor()?, ctx.db(), rows(first.unwrap_or(DEFAULT_ROWS))?)
                .await?;
        Ok(found
            .into_iter()
            .map(|(version, report)| LatestReport {
                version: version.into(),
                report: report.into(),
            })
            .collect())
    }

    /// The material asked of the leader that nothing has been sent for yet (overdue first,
    /// then by due date).
    #[graphql(complexity = "first.unwrap_or(DEFAULT_ROWS).max(1) as usize * child_complexity")]
    async fn material_awaiting(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<crate::materials::schema::MaterialRequest>> {
        let first = i32::try_from(rows(first.unwrap_or(DEFAULT_ROWS))?).unwrap_or(1);
        let page = crate::pagination::PageRequest::new(Some(first), None)?.counting(false);
        let filter = crate::materials::service::MaterialFilter {
            unsent: true,
            ..Default::default()
        };
        Ok(
            crate::materials::service::list(ctx.actor()?, ctx.db(), ctx.now(), &filter, page)
                .await?
                .items
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }
}

/// A unit's page. Its lists are the most pressing or newest `first` rows (at most 50).
pub struct UnitPage {
    unit_id: i64,
}

#[Object]
impl UnitPage {
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.unit_id)).await
    }

    /// What the unit owes next: overdue first, then by due date (not started, or a draft).
    #[graphql(complexity = "first.unwrap_or(DEFAULT_ROWS).max(1) as usize * child_complexity")]
    async fn next_due(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<ObligationOutput>> {
        self.obligations(
            ctx,
            vec![
                ObligationState::Overdue,
                ObligationState::NotStarted,
                ObligationState::Draft,
            ],
            first,
        )
        .await
    }

    /// Reports the bureau returned, to revise and resubmit, by due date.
    #[graphql(complexity = "first.unwrap_or(DEFAULT_ROWS).max(1) as usize * child_complexity")]
    async fn returned(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<ObligationOutput>> {
        self.obligations(ctx, vec![ObligationState::Returned], first)
            .await
    }

    /// Reminders (催办) the unit has not acknowledged, newest first.
    #[graphql(complexity = "first.unwrap_or(DEFAULT_ROWS).max(1) as usize * child_complexity")]
    async fn unacknowledged_reminders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<Reminder>> {
        let actor = ctx.actor()?;
        let first = i32::try_from(rows(first.unwrap_or(DEFAULT_ROWS))?).unwrap_or(1);
        let page = crate::pagination::PageRequest::new(Some(first), None)?.counting(false);
        Ok(crate::reminders::service::list(actor, ctx.db(), true, page)
            .await?
            .items
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Tasks assigned to the unit that it has not acknowledged (签收), the earliest last day
    /// first (overdue ones among them).
    #[graphql(complexity = "first.unwrap_or(DEFAULT_ROWS).max(1) as usize * child_complexity")]
    async fn awaiting_receipt(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<crate::handover::schema::TaskReceipt>> {
        let actor = ctx.actor()?;
        let first = i32::try_from(rows(first.unwrap_or(DEFAULT_ROWS))?).unwrap_or(1);
        let page = crate::pagination::PageRequest::new(Some(first), None)?.counting(false);
        let filter = crate::handover::receipts::ReceiptFilter {
            unacknowledged: true,
            ..Default::default()
        };
        Ok(
            crate::handover::receipts::list(actor, ctx.db(), ctx.now(), &filter, page)
                .await?
                .items
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }

    /// The escalation steps (催办, 督办单, 约谈) addressed to the unit that it has not replied
    /// to, newest first.
    #[graphql(complexity = "first.unwrap_or(DEFAULT_ROWS).max(1) as usize * child_complexity")]
    async fn open_escalations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<crate::escalations::schema::Escalation>> {
        let actor = ctx.actor()?;
        let first = i32::try_from(rows(first.unwrap_or(DEFAULT_ROWS))?).unwrap_or(1);
        let page = crate::pagination::PageRequest::new(Some(first), None)?.counting(false);
        let filter = crate::escalations::service::EscalationFilter {
            unreplied: true,
            ..Default::default()
        };
        Ok(
            crate::escalations::service::list(actor, ctx.db(), &filter, page)
                .await?
                .items
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }

    /// The unit's own reporting figures, with its tasks by status and warning level. Costly
    /// (2,000).
    #[graphql(complexity = 2000)]
    async fn figures(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] basis: DueDateBasis,
    ) -> Result<ReportingFigures> {
        own_figures(ctx, basis).await
    }

    /// The unit's place in the ranking of a document, or of all (as `ranking` gives it: the
    /// unit's own row, and how many were ranked). Costly (2,000).
    #[graphql(complexity = 2000)]
    async fn ranking(
        &self,
        ctx: &Context<'_>,
        document_id: Option<async_graphql::ID>,
    ) -> Result<Ranking> {
        let scope = RankingScope {
            document_id: expect_optional_id("documentId", document_id.as_ref(), Kind::Document)?,
            due_from: None,
            due_to: None,
        };
        Ok(ranking::rank(ctx.actor()?, ctx.db(), ctx.now(), scope)
            .await?
            .into())
    }
}

/// The figures of what the signed-in principal sees, as `reportingFigures` gives them, with
/// the parts the page selected.
async fn own_figures(ctx: &Context<'_>, basis: DueDateBasis) -> Result<ReportingFigures> {
    let parts = crate::stats::schema::selected_parts(&ctx.look_ahead());
    let figures = crate::stats::service::reporting(
        ctx.actor()?,
        ctx.db(),
        ctx.now(),
        crate::obligations::ObligationFilter::default(),
        basis,
        ctx.app().warnings,
        parts,
    )
    .await?;
    Ok(ReportingFigures::new(basis, figures))
}

impl UnitPage {
    async fn obligations(
        &self,
        ctx: &Context<'_>,
        states: Vec<ObligationState>,
        first: Option<i32>,
    ) -> Result<Vec<ObligationOutput>> {
        let actor: &Principal = ctx.actor()?;
        let found = service::unit_obligations(
            actor,
            ctx.db(),
            ctx.now(),
            states,
            rows(first.unwrap_or(DEFAULT_ROWS))?,
        )
        .await?;
        Ok(found.into_iter().map(Into::into).collect())
    }
}
