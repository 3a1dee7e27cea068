//! GraphQL face of the figures and the ranking: `reportingFigures`, `figuresBy`, `ranking`,
//! `scoringWeights` and `setScoringWeights`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use crate::graphql::context::ContextExt;
use crate::graphql::enums::TaskStatus;
use crate::graphql::relay::{Kind, expect_id, expect_optional_id, global_id};
use crate::obligations::ObligationFilter;
use crate::stats::groups::Grouping;
use crate::stats::ranking::{self, RankingScope, Weights};
use crate::stats::service::{self, DueDateBasis, Figures, GroupFigures};
use crate::tasks::progress::WarningLevel;

/// Which obligations to count; all given conditions hold.
#[derive(InputObject, Debug, Default)]
pub struct FiguresFilter {
    pub document_id: Option<ID>,
    pub unit_id: Option<ID>,
    pub leader_id: Option<ID>,
    pub period_id: Option<ID>,
}

impl FiguresFilter {
    fn decode(self) -> Result<ObligationFilter> {
        Ok(crate::obligations::schema::decode_filter(
            [
                self.document_id.as_ref(),
                self.period_id.as_ref(),
                self.unit_id.as_ref(),
                self.leader_id.as_ref(),
            ],
            Vec::new(),
        )?)
    }
}

/// How many tasks have a status.
#[derive(SimpleObject, Debug, Clone)]
pub struct StatusCount {
    pub status: TaskStatus,
    pub tasks: u32,
}

/// How many tasks are at a warning level.
#[derive(SimpleObject, Debug, Clone)]
pub struct WarningCount {
    pub level: WarningLevel,
    pub tasks: u32,
}

/// Reporting figures over a set of obligations (one unit's report on one task for one period)
/// and their tasks.
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
    /// The distinct tasks of these obligations.
    pub tasks: u32,
    /// Those tasks by status (statuses with none left out).
    pub tasks_by_status: Vec<StatusCount>,
    /// Those tasks by warning level now (levels with none left out).
    pub tasks_by_warning: Vec<WarningCount>,
    /// The mean percent complete of those tasks; null without tasks.
    pub average_percent: Option<f64>,
    /// Those tasks' indicators by how their latest reported values stand against the targets.
    pub targets: TargetFigures,
}

/// Indicators (measurable targets) by how their latest reported values stand against them,
/// compared as `Indicator.verdict` says.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct TargetFigures {
    pub indicators: u32,
    /// With a value reported.
    pub reported: u32,
    pub met: u32,
    pub not_met: u32,
    /// Reported with no number, or in another unit than the target's.
    pub not_comparable: u32,
}

/// The parts of `ReportingFigures` a selection asks for: the task figures are a statement of
/// their own, the targets more work within it; each is computed only when asked for.
pub(crate) fn selected_parts(look: &async_graphql::Lookahead<'_>) -> service::Parts {
    service::Parts {
        tasks: [
            "tasks",
            "tasksByStatus",
            "tasksByWarning",
            "averagePercent",
            "targets",
        ]
        .into_iter()
        .any(|field| look.field(field).exists()),
        targets: look.field("targets").exists(),
    }
}

impl ReportingFigures {
    pub(crate) fn new(basis: DueDateBasis, f: Figures) -> Self {
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
            tasks: f.tasks,
            tasks_by_status: f
                .tasks_by_status
                .into_iter()
                .map(|(status, tasks)| StatusCount {
                    status: status.into(),
                    tasks,
                })
                .collect(),
            tasks_by_warning: f
                .tasks_by_warning
                .into_iter()
                .map(|(level, tasks)| WarningCount { level, tasks })
                .collect(),
            average_percent: f.average_percent,
            targets: TargetFigures {
                indicators: f.targets.indicators,
                reported: f.targets.reported,
                met: f.targets.met,
                not_met: f.targets.not_met,
                not_comparable: f.targets.not_comparable,
            },
        }
    }
}

/// The figures of one unit, leader, document, category or period.
#[derive(SimpleObject, Debug, Clone)]
pub struct FiguresRow {
    pub group_by: Grouping,
    /// The group's global ID (a `Unit`, `Leader`, `Document`, `Category` or `ReportingPeriod`);
    /// null for the row of tasks without a category.
    pub group_id: Option<ID>,
    /// The unit's or leader's name, the document's or category's title, the period's label.
    pub name: String,
    pub figures: ReportingFigures,
}

impl FiguresRow {
    pub(crate) fn new(group_by: Grouping, basis: DueDateBasis, row: GroupFigures) -> Self {
        let kind = match group_by {
            Grouping::Unit => Kind::Unit,
            Grouping::Leader => Kind::Leader,
            Grouping::Document => Kind::Document,
            Grouping::Category => Kind::Category,
            Grouping::Period => Kind::Period,
        };
        Self {
            group_by,
            group_id: row.key.map(|key| global_id(kind, key)),
            name: row.name,
            figures: ReportingFigures::new(basis, row.figures),
        }
    }
}

/// Points per obligation in a ranking: earned for an on-time report, taken off for a late,
/// missing or returned one (given as positive numbers).
#[derive(SimpleObject, InputObject, Debug, Clone, Copy)]
#[graphql(input_name = "ScoringWeightsInput")]
pub struct ScoringWeights {
    /// Points earned per on-time report (1–100).
    pub on_time: i32,
    /// Points taken off per late report (0–100).
    pub late: i32,
    /// Points taken off per missing report (0–100).
    pub missing: i32,
    /// Points taken off per report returned at least once (0–100).
    pub returned: i32,
}

impl From<Weights> for ScoringWeights {
    fn from(w: Weights) -> Self {
        Self {
            on_time: w.on_time,
            late: w.late,
            missing: w.missing,
            returned: w.returned,
        }
    }
}

impl From<ScoringWeights> for Weights {
    fn from(w: ScoringWeights) -> Self {
        Self {
            on_time: w.on_time,
            late: w.late,
            missing: w.missing,
            returned: w.returned,
        }
    }
}

/// A document's weights, and whether they are the defaults.
#[derive(SimpleObject, Debug, Clone)]
pub struct DocumentWeights {
    pub weights: ScoringWeights,
    pub is_default: bool,
}

/// One ranked unit and what its score is made of.
#[derive(SimpleObject, Debug, Clone)]
pub struct RankingRow {
    /// Its place: 1 for the first; no two rows share one (ties are ordered by name).
    pub rank: u32,
    pub unit_id: ID,
    pub unit_name: String,
    /// onTime + late + missing.
    pub counted: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    /// Reports returned at least once (also counted as on time or late).
    pub returned: u32,
    pub on_time_rate: f64,
    pub points: i64,
    pub score: f64,
}

/// Units ranked by the formula in `formula`, with the weights used.
#[derive(SimpleObject, Debug, Clone)]
pub struct Ranking {
    pub document_id: Option<ID>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    pub formula: String,
    pub weights: ScoringWeights,
    /// Whether `weights` are the defaults (no document, or none set for it).
    pub default_weights: bool,
    pub computed_at: DateTime<Utc>,
    /// The day in China up to which due reports with nothing submitted count as missing.
    pub as_of: NaiveDate,
    /// How many units were ranked (the caller may read fewer rows).
    pub ranked: u32,
    /// The rows the caller may read: all for the bureau and machine accounts, the units they
    /// supervise for a leader, its own for a unit.
    pub rows: Vec<RankingRow>,
}

impl From<ranking::Ranking> for Ranking {
    fn from(r: ranking::Ranking) -> Self {
        let weights = r.weights;
        Self {
            document_id: r.scope.document_id.map(|id| global_id(Kind::Document, id)),
            due_from: r.scope.due_from,
            due_to: r.scope.due_to,
            formula: ranking::FORMULA.to_owned(),
            weights: weights.into(),
            default_weights: r.default_weights,
            computed_at: r.computed_at,
            as_of: r.as_of,
            ranked: r.ranked,
            rows: r
                .rows
                .into_iter()
                .map(|row| RankingRow {
                    rank: row.rank,
                    unit_id: global_id(Kind::Unit, row.unit_id),
                    counted: row.counted(),
                    on_time_rate: row.on_time_rate(),
                    score: row.score(weights),
                    unit_name: row.unit_name,
                    on_time: row.on_time,
                    late: row.late,
                    missing: row.missing,
                    returned: row.returned,
                    points: row.points,
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
    /// on-time figures are measured against. Costly: it aggregates the stored obligations in
    /// view, so it counts for 2,000 against the complexity limit (and appears at most 3 times).
    #[graphql(complexity = 2000)]
    async fn reporting_figures(
        &self,
        ctx: &Context<'_>,
        filter: Option<FiguresFilter>,
        #[graphql(default)] basis: DueDateBasis,
    ) -> Result<ReportingFigures> {
        let actor = ctx.actor()?;
        let app = ctx.app();
        // The task figures are a statement of their own: read only when asked for, as a
        // list's total is (`pagination`).
        let look = ctx.look_ahead();
        let parts = selected_parts(&look);
        let figures = service::reporting(
            actor,
            ctx.db(),
            ctx.now(),
            filter.unwrap_or_default().decode()?,
            basis,
            app.warnings,
            parts,
        )
        .await?;
        Ok(ReportingFigures::new(basis, figures))
    }

    /// The same figures, one row per unit, leader, document, category or period with
    /// obligations the caller may see, in the registry's order (units and leaders), newest
    /// documents first, categories in the notice's order, periods by due date. A leader's row
    /// counts the tasks naming them in person or by their post; tasks named only collectively
    /// (各位副市长) are in no leader's row. Costly like `reportingFigures` (2,000; at most 3).
    #[graphql(complexity = 2000)]
    async fn figures_by(
        &self,
        ctx: &Context<'_>,
        group_by: Grouping,
        filter: Option<FiguresFilter>,
        #[graphql(default)] basis: DueDateBasis,
    ) -> Result<Vec<FiguresRow>> {
        let actor = ctx.actor()?;
        let rows = service::grouped(
            actor,
            ctx.db(),
            ctx.now(),
            filter.unwrap_or_default().decode()?,
            basis,
            ctx.app().warnings,
            group_by,
            ctx.look_ahead().field("figures").field("targets").exists(),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| FiguresRow::new(group_by, basis, row))
            .collect())
    }

    /// Units ranked (考核) over a document's obligations, or all, due from `dueFrom` to `dueTo`
    /// (inclusive days; either may be left open):
    /// points = onTime × w.onTime − late × w.late − missing × w.missing − returned × w.returned;
    /// score = 100 × points ÷ (w.onTime × counted), counted = onTime + late + missing;
    /// ordered by score, then on-time rate, then unit name. On time and late follow the first
    /// submission against the due date (the period's or an approved extension); missing is due
    /// with nothing submitted; returned is a report returned at least once. Weights are the
    /// document's (`setScoringWeights`) or the defaults (2, 1, 3, 1). Every unit is ranked
    /// against all others in scope; the bureau and machine accounts read every row, a leader
    /// the units they supervise, a unit its own. Costly (2,000; at most 3 per request).
    #[graphql(complexity = 2000)]
    async fn ranking(
        &self,
        ctx: &Context<'_>,
        document_id: Option<ID>,
        due_from: Option<NaiveDate>,
        due_to: Option<NaiveDate>,
    ) -> Result<Ranking> {
        let actor = ctx.actor()?;
        let scope = RankingScope {
            document_id: expect_optional_id("documentId", document_id.as_ref(), Kind::Document)?,
            due_from,
            due_to,
        };
        Ok(ranking::rank(actor, ctx.db(), ctx.now(), scope)
            .await?
            .into())
    }

    /// The weights a document's ranking uses. Anyone signed in may read them: a unit is
    /// entitled to know how it is scored.
    async fn scoring_weights(&self, ctx: &Context<'_>, document_id: ID) -> Result<DocumentWeights> {
        ctx.actor()?;
        let id = expect_id("documentId", &document_id, Kind::Document)?;
        entity_exists(ctx, id).await?;
        let (weights, is_default) = ranking::weights_of(ctx.db(), id).await?;
        Ok(DocumentWeights {
            weights: weights.into(),
            is_default,
        })
    }
}

async fn entity_exists(ctx: &Context<'_>, document_id: i64) -> Result<()> {
    use sea_orm::EntityTrait;
    entity::documents::Entity::find_by_id(document_id)
        .one(ctx.db())
        .await
        .map_err(crate::error::AppError::from)?
        .ok_or_else(|| crate::error::AppError::not_found("document"))?;
    Ok(())
}

#[derive(Default)]
pub struct StatsMutation;

#[Object]
impl StatsMutation {
    /// Sets the weights of a document's ranking (bureau only); audited.
    async fn set_scoring_weights(
        &self,
        ctx: &Context<'_>,
        document_id: ID,
        weights: ScoringWeights,
    ) -> Result<DocumentWeights> {
        let actor = ctx.actor()?;
        let id = expect_id("documentId", &document_id, Kind::Document)?;
        let weights = ranking::set_weights(actor, ctx.db(), ctx.now(), id, weights.into()).await?;
        Ok(DocumentWeights {
            weights: weights.into(),
            is_default: false,
        })
    }
}
