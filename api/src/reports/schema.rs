//! GraphQL face of progress reports: `Task.reports`, `report(id:)`, drafts, submission and
//! review. Relation fields go through the DataLoader; a unit reads only its own unit's reports.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::progress_reports;

use crate::graphql::context::{ContextExt, load};
use crate::graphql::enums::ReportState;
use crate::graphql::relay::{self, Kind, expect_id, expect_ids, expect_optional_id};
use crate::obligations::ReportKey;
use crate::periods::loaders::PeriodById;
use crate::periods::schema::ReportingPeriod;
use crate::reports::loaders::VersionsOfReport;
use crate::reports::service::{self, ReportContent};
use crate::reports::submit::Extras;
use crate::reports::values::IndicatorValue;
pub use crate::reports::version_schema::{IndicatorActual, ReportReview, ReportVersion};
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// One unit's report on one task for one period.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct ProgressReport {
    pub id: ID,
    pub state: ReportState,
    /// The number of the latest submitted version; 0 before the first submission.
    pub current_version: i32,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row: progress_reports::Model,
}

impl From<progress_reports::Model> for ProgressReport {
    fn from(r: progress_reports::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Report, r.id),
            state: r.state.into(),
            current_version: r.current_version,
            updated_at: r.updated_at,
            row: r,
        }
    }
}

/// What the unit is writing and has not submitted.
#[derive(SimpleObject, Debug, Clone)]
pub struct ReportDraft {
    pub progress: Option<String>,
    pub problems: Option<String>,
    pub next_steps: Option<String>,
    pub percent: Option<i32>,
    /// The indicator values entered so far.
    pub indicator_values: Vec<DraftIndicatorValue>,
}

/// An indicator value in a draft.
#[derive(SimpleObject, Debug, Clone)]
pub struct DraftIndicatorValue {
    pub indicator_id: ID,
    pub value: String,
    pub note: Option<String>,
}

#[ComplexObject]
impl ProgressReport {
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        load(ctx, VisibleTaskById(self.row.task_id)).await
    }

    async fn period(&self, ctx: &Context<'_>) -> Result<Option<ReportingPeriod>> {
        load(ctx, PeriodById(self.row.period_id)).await
    }

    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.row.unit_id)).await
    }

    /// The unsubmitted draft: only the reporting unit sees it.
    async fn draft(&self, ctx: &Context<'_>) -> Result<Option<ReportDraft>> {
        let actor = ctx.actor()?;
        if actor.unit_id() != Some(self.row.unit_id) {
            return Ok(None);
        }
        Ok(Some(ReportDraft {
            progress: self.row.draft_progress.clone(),
            problems: self.row.draft_problems.clone(),
            next_steps: self.row.draft_next_steps.clone(),
            percent: self.row.draft_percent,
            indicator_values: service::draft_values(&self.row)
                .into_iter()
                .map(|v| DraftIndicatorValue {
                    indicator_id: relay::global_id(Kind::Indicator, v.indicator_id),
                    value: v.value,
                    note: v.note,
                })
                .collect(),
        }))
    }

    /// Every submitted version, oldest first. None is ever changed or removed.
    async fn versions(&self, ctx: &Context<'_>) -> Result<Vec<ReportVersion>> {
        let versions = ctx.loader().load_one(VersionsOfReport(self.row.id)).await?;
        Ok(versions
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// One report: units read their own unit's, leaders their tasks', the bureau all.
    /// Null, with an error saying why, when there is no such report or the caller may not see
    /// it: the other fields of the request are answered all the same.
    async fn report(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ProgressReport>> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &id, Kind::Report)?;
        Ok(Some(service::get(actor, ctx.db(), id).await?.into()))
    }
}

#[derive(InputObject, Debug)]
pub struct SaveReportDraftInput {
    pub task_id: ID,
    pub period_id: ID,
    pub progress: Option<String>,
    pub problems: Option<String>,
    pub next_steps: Option<String>,
    pub percent: Option<i32>,
    /// The indicator values entered so far; the draft keeps exactly these.
    #[graphql(default)]
    pub indicator_values: Vec<IndicatorValueInput>,
    /// For another system's API key named for the unit: the unit it writes for.
    pub on_behalf_of_unit_id: Option<ID>,
}

#[derive(InputObject, Debug)]
pub struct SubmitReportInput {
    pub task_id: ID,
    pub period_id: ID,
    /// Chosen by the client, e.g. a UUID: a retry with the same key never makes a second report.
    pub idempotency_key: String,
    /// The content to submit; when all are omitted, the saved draft is submitted.
    pub progress: Option<String>,
    pub problems: Option<String>,
    pub next_steps: Option<String>,
    pub percent: Option<i32>,
    /// Actual values for the task's indicators, at most one per indicator; when omitted, the
    /// values saved with the draft.
    pub indicator_values: Option<Vec<IndicatorValueInput>>,
    /// Attachments uploaded with `uploadAttachment` for this task, to submit with this version.
    #[graphql(default)]
    pub attachment_ids: Vec<ID>,
    /// For another system's API key named for the unit (`createApiKey(unitIds:)`): the unit it
    /// reports for. The version records the machine account as its sender.
    pub on_behalf_of_unit_id: Option<ID>,
}

/// The actual value of one of the task's indicators, as written (`6.1%`, `420个`).
#[derive(InputObject, Debug)]
pub struct IndicatorValueInput {
    pub indicator_id: ID,
    pub value: String,
    pub note: Option<String>,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewAction {
    Accept,
    Return,
}

#[derive(InputObject, Debug)]
pub struct ReviewReportInput {
    pub report_id: ID,
    /// The version reviewed: it must still be the one awaiting review.
    pub version: i32,
    pub decision: ReviewAction,
    /// Required when returning.
    pub comment: Option<String>,
}

#[derive(SimpleObject, Debug)]
pub struct ReportPayload {
    pub report: ProgressReport,
}

#[derive(SimpleObject, Debug)]
pub struct SubmitReportPayload {
    pub report: ProgressReport,
    pub version: ReportVersion,
}

/// Who writes a report: the caller, or the unit its API key writes for.
fn acting(
    ctx: &Context<'_>,
    on_behalf_of: Option<&ID>,
) -> Result<crate::auth::Principal, crate::error::AppError> {
    let actor = ctx.actor()?;
    match on_behalf_of {
        None => Ok(actor.clone()),
        Some(id) => {
            let unit_id = expect_id("input.onBehalfOfUnitId", id, Kind::Unit)?;
            crate::auth::keys::on_behalf_of(actor, unit_id)
        }
    }
}

pub(crate) fn decode_values(
    values: Vec<IndicatorValueInput>,
) -> Result<Vec<IndicatorValue>, crate::error::AppError> {
    values
        .into_iter()
        .map(|v| {
            Ok(IndicatorValue {
                indicator_id: expect_id(
                    "indicatorValues.indicatorId",
                    &v.indicator_id,
                    Kind::Indicator,
                )?,
                value: v.value,
                note: v.note,
            })
        })
        .collect()
}

fn key(task_id: &ID, period_id: &ID) -> Result<ReportKey, crate::error::AppError> {
    Ok(ReportKey {
        task_id: expect_id("taskId", task_id, Kind::Task)?,
        period_id: expect_id("periodId", period_id, Kind::Period)?,
    })
}

#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Saves the unit's draft report (UNIT).
    async fn save_report_draft(
        &self,
        ctx: &Context<'_>,
        input: SaveReportDraftInput,
    ) -> Result<ReportPayload> {
        let actor = &acting(ctx, input.on_behalf_of_unit_id.as_ref())?;
        let content = ReportContent {
            progress: input.progress,
            problems: input.problems,
            next_steps: input.next_steps,
            percent: input.percent,
        };
        let values = decode_values(input.indicator_values)?;
        let report = service::save_draft(
            actor,
            ctx.db(),
            ctx.now(),
            key(&input.task_id, &input.period_id)?,
            content,
            &values,
        )
        .await?;
        Ok(ReportPayload {
            report: report.into(),
        })
    }

    /// Submits the report (UNIT). Idempotent by `idempotencyKey`.
    async fn submit_report(
        &self,
        ctx: &Context<'_>,
        input: SubmitReportInput,
    ) -> Result<SubmitReportPayload> {
        let actor = &acting(ctx, input.on_behalf_of_unit_id.as_ref())?;
        let given = input.progress.is_some()
            || input.problems.is_some()
            || input.next_steps.is_some()
            || input.percent.is_some();
        let content = given.then_some(ReportContent {
            progress: input.progress,
            problems: input.problems,
            next_steps: input.next_steps,
            percent: input.percent,
        });
        let extras = Extras {
            indicator_values: input.indicator_values.map(decode_values).transpose()?,
            attachment_ids: expect_ids("attachmentIds", &input.attachment_ids, Kind::Attachment)?,
            drafted_by: None,
        };
        let (report, version) = crate::reports::submit::submit(
            actor,
            ctx.db(),
            ctx.now(),
            key(&input.task_id, &input.period_id)?,
            &input.idempotency_key,
            content,
            extras,
        )
        .await?;
        Ok(SubmitReportPayload {
            report: report.into(),
            version: version.into(),
        })
    }

    /// Accepts or returns the version awaiting review (BUREAU).
    async fn review_report(
        &self,
        ctx: &Context<'_>,
        input: ReviewReportInput,
    ) -> Result<ReportPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("reportId", &input.report_id, Kind::Report)?;
        let decision = match input.decision {
            ReviewAction::Accept => entity::enums::ReviewDecision::Accepted,
            ReviewAction::Return => entity::enums::ReviewDecision::Returned,
        };
        let report = crate::reports::review::review(
            actor,
            ctx.db(),
            ctx.now(),
            id,
            input.version,
            decision,
            input.comment,
        )
        .await?;
        Ok(ReportPayload {
            report: report.into(),
        })
    }
}

#[derive(InputObject, Debug)]
pub struct RecordIndicatorValuesInput {
    pub task_id: ID,
    /// The reporting period the values are for, if any.
    pub period_id: Option<ID>,
    pub values: Vec<IndicatorValueInput>,
    /// Chosen by the caller: a retry with the same key stores nothing twice.
    pub idempotency_key: String,
}

#[derive(SimpleObject, Debug)]
pub struct RecordIndicatorValuesPayload {
    /// The task's indicators, with their latest values and verdicts.
    pub indicators: Vec<crate::tasks::types::Indicator>,
}

#[derive(Default)]
pub struct IndicatorMutation;

#[Object]
impl IndicatorMutation {
    /// Actual values of a task's indicators from another system (an API key with
    /// `indicators:write`, or the bureau), kept as coming from that account; each becomes its
    /// indicator's latest value. Idempotent by `idempotencyKey`.
    async fn record_indicator_values(
        &self,
        ctx: &Context<'_>,
        input: RecordIndicatorValuesInput,
    ) -> Result<RecordIndicatorValuesPayload> {
        let actor = ctx.actor()?;
        let task_id = expect_id("input.taskId", &input.task_id, Kind::Task)?;
        let period_id =
            expect_optional_id("input.periodId", input.period_id.as_ref(), Kind::Period)?;
        let values = decode_values(input.values)?;
        let indicators = crate::reports::readings::record(
            actor,
            ctx.db(),
            ctx.now(),
            task_id,
            period_id,
            &values,
            &input.idempotency_key,
        )
        .await?;
        Ok(RecordIndicatorValuesPayload {
            indicators: indicators.into_iter().map(Into::into).collect(),
        })
    }
}
