//! GraphQL face of notices (通报).

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{notice_evidence, notices};

use super::loaders::{CountedOfNotice, NamedUnitsOfNotice};
use super::service::{self, DraftRequest, Named};
use crate::documents::loaders::DocumentById;
use crate::documents::schema::Document;
use crate::graphql::context::{ContextExt, load, load_all};
use crate::graphql::enums::{EvidenceOutcome, NoticeKind};
use crate::graphql::relay::{self, Conn, Kind, expect_id, expect_optional_id, global_id};
use crate::periods::loaders::PeriodById;
use crate::periods::schema::ReportingPeriod;
use crate::stats::ranking::{RankingScope, Weights};
use crate::stats::schema::ScoringWeights;
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// Whether a notice is the bureau's draft or published.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeState {
    Draft,
    Published,
}

/// A praise or criticism notice (通报).
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Notice {
    pub id: ID,
    pub kind: NoticeKind,
    pub state: NoticeState,
    pub title: String,
    pub body: String,
    /// The number it was published under (督查通报〔2026〕3号).
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// When its figures were computed: `verifyNotice` recomputes them as of this time.
    pub computed_at: Option<DateTime<Utc>>,
    /// The due dates its figures cover (inclusive; null: open).
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    /// The ranking's formula its figures were computed by, and the weights used.
    pub formula: Option<String>,
    pub weights: Option<ScoringWeights>,
    /// The version read, for `updateNotice` and `publishNotice`.
    pub version: i32,
    #[graphql(skip)]
    pub row: notices::Model,
}

impl From<notices::Model> for Notice {
    fn from(n: notices::Model) -> Self {
        let weights = n
            .weights
            .clone()
            .and_then(|w| serde_json::from_value::<Weights>(w).ok())
            .map(ScoringWeights::from);
        Self {
            id: global_id(Kind::Notice, n.id),
            kind: n.kind.into(),
            state: if n.published_at.is_some() {
                NoticeState::Published
            } else {
                NoticeState::Draft
            },
            title: n.title.clone(),
            body: n.body.clone(),
            doc_number: n.doc_number.clone(),
            issuer: n.issuer.clone(),
            issued_on: n.issued_on,
            published_at: n.published_at,
            created_at: n.created_at,
            computed_at: n.computed_at,
            due_from: n.due_from,
            due_to: n.due_to,
            formula: n.formula.clone(),
            weights,
            version: n.version,
            row: n,
        }
    }
}

/// A unit a notice names, why, and its figures as stated.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct NamedUnit {
    pub reason: Option<String>,
    pub rank: Option<i32>,
    pub on_time: Option<i32>,
    pub late: Option<i32>,
    pub missing: Option<i32>,
    pub returned: Option<i32>,
    pub points: Option<i64>,
    #[graphql(skip)]
    pub unit_id: i64,
}

impl From<Named> for NamedUnit {
    fn from(n: Named) -> Self {
        let f = n.figures.as_ref();
        Self {
            reason: n.reason.clone(),
            rank: f.map(|f| f.rank),
            on_time: f.map(|f| f.on_time),
            late: f.map(|f| f.late),
            missing: f.map(|f| f.missing),
            returned: f.map(|f| f.returned),
            points: f.map(|f| f.points),
            unit_id: n.unit_id,
        }
    }
}

#[ComplexObject]
impl NamedUnit {
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.unit_id)).await
    }
}

/// One obligation counted for a named unit: what it was, how it came out, and where from.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct CountedObligation {
    /// The due date the figures used (the period's, or an approved extension).
    pub due_on: NaiveDate,
    pub outcome: EvidenceOutcome,
    /// The report (a `ProgressReport` ID), if one was written.
    pub report_id: Option<ID>,
    /// The first submitted version, which decides on time or late.
    pub first_version: Option<i32>,
    /// Whether the bureau had returned the report.
    pub returned: bool,
    #[graphql(skip)]
    pub row: notice_evidence::Model,
}

impl From<notice_evidence::Model> for CountedObligation {
    fn from(e: notice_evidence::Model) -> Self {
        Self {
            due_on: e.due_on,
            outcome: e.outcome.into(),
            report_id: e.report_id.map(|r| global_id(Kind::Report, r)),
            first_version: e.first_version_id.map(|_| 1),
            returned: e.returned_review_id.is_some(),
            row: e,
        }
    }
}

#[ComplexObject]
impl CountedObligation {
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.row.unit_id)).await
    }

    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        load(ctx, VisibleTaskById(self.row.task_id)).await
    }

    async fn period(&self, ctx: &Context<'_>) -> Result<Option<ReportingPeriod>> {
        load(ctx, PeriodById(self.row.period_id)).await
    }
}

#[ComplexObject]
impl Notice {
    async fn document(&self, ctx: &Context<'_>) -> Result<Option<Document>> {
        let Some(id) = self.row.document_id else {
            return Ok(None);
        };
        load(ctx, DocumentById(id)).await
    }

    /// The units it names, in its order, each with the figures stated for it.
    async fn named_units(&self, ctx: &Context<'_>) -> Result<Vec<NamedUnit>> {
        load_all(ctx, NamedUnitsOfNotice(self.row.id)).await
    }

    /// The obligations counted for the units it names (or for `unitId`), by row: the bureau and
    /// machine accounts all, a unit its own, a leader the units they supervise. A criticised
    /// unit sees here exactly which reports were counted late or missing.
    async fn counted_obligations(
        &self,
        ctx: &Context<'_>,
        unit_id: Option<ID>,
    ) -> Result<Vec<CountedObligation>> {
        let unit = expect_optional_id("unitId", unit_id.as_ref(), Kind::Unit)?;
        let rows: Vec<CountedObligation> = load_all(ctx, CountedOfNotice(self.row.id)).await?;
        Ok(rows
            .into_iter()
            .filter(|row| unit.is_none_or(|u| row.row.unit_id == u))
            .collect())
    }
}

/// A difference between what a notice states and what the history says.
#[derive(SimpleObject, Debug, Clone)]
pub struct NoticeDifference {
    pub unit_id: ID,
    pub task_id: Option<ID>,
    pub period_id: Option<ID>,
    /// `outcome`, `firstVersion` or `returned` of one obligation; `onTime`, `late`, `missing`,
    /// `returned`, `points` or `rank` of a unit.
    pub what: String,
    pub stated: String,
    pub recomputed: String,
}

/// A notice's figures checked against the history.
#[derive(SimpleObject, Debug, Clone)]
pub struct NoticeVerification {
    pub computed_at: DateTime<Utc>,
    pub verified_at: DateTime<Utc>,
    /// True when nothing differs in the rows the caller may read.
    pub consistent: bool,
    pub differences: Vec<NoticeDifference>,
}

#[derive(Default)]
pub struct NoticeQuery;

#[Object]
impl NoticeQuery {
    /// Notices, newest first: every published one for anyone signed in; the bureau's drafts
    /// too, for the bureau.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn notices(
        &self,
        ctx: &Context<'_>,
        kind: Option<NoticeKind>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Notice>> {
        let actor = ctx.actor()?;
        let page = relay::page_request(ctx, first, after.as_deref())?;
        Ok(relay::connection(
            service::list(actor, ctx.db(), kind.map(Into::into), page).await?,
        ))
    }

    /// A notice, if the caller may read it.
    async fn notice(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Notice>> {
        ctx.actor()?;
        let id = expect_id("id", &id, Kind::Notice)?;
        match load(ctx, super::loaders::NoticeReadableById(id)).await? {
            Some(notice) => Ok(Some(notice)),
            None => Err(crate::error::AppError::not_found("notice").into()),
        }
    }

    /// Recomputes a notice's figures from the append-only history (first versions, reviews) as
    /// of the time they were computed, and lists every difference in the rows the caller may
    /// read: each counted obligation's outcome, first version and return, each named unit's
    /// counts, and the points and places by the formula. Costly (500).
    #[graphql(complexity = 500)]
    async fn verify_notice(&self, ctx: &Context<'_>, id: ID) -> Result<NoticeVerification> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &id, Kind::Notice)?;
        let checked = service::verify(actor, ctx.db(), ctx.now(), id).await?;
        Ok(NoticeVerification {
            computed_at: checked.computed_at,
            verified_at: checked.verified_at,
            consistent: checked.differences.is_empty(),
            differences: checked
                .differences
                .into_iter()
                .map(|d| NoticeDifference {
                    unit_id: global_id(Kind::Unit, d.unit_id),
                    task_id: d.task_id.map(|t| global_id(Kind::Task, t)),
                    period_id: d.period_id.map(|p| global_id(Kind::Period, p)),
                    what: d.what,
                    stated: d.stated,
                    recomputed: d.recomputed,
                })
                .collect(),
        })
    }
}

#[derive(InputObject, Debug)]
pub struct DraftNoticeInput {
    pub kind: NoticeKind,
    /// The ranking's scope: a document's obligations, or all; due from and to (inclusive).
    pub document_id: Option<ID>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    /// How many units to name: the best for praise, the worst for criticism (1–50).
    #[graphql(default = 3)]
    pub count: i32,
    /// Criticism only: name every unit with a missing report instead (at most 50).
    #[graphql(default)]
    pub overdue_only: bool,
}

#[derive(InputObject, Debug)]
pub struct UpdateNoticeInput {
    pub id: ID,
    /// The `version` read; a notice changed since gives CONFLICT.
    pub version: i32,
    pub title: Option<String>,
    pub body: Option<String>,
}

#[derive(InputObject, Debug)]
pub struct PublishNoticeInput {
    pub id: ID,
    pub version: i32,
    /// Unique among notices.
    pub doc_number: String,
    /// The date on the notice; today in China if not given.
    pub issued_on: Option<NaiveDate>,
    pub issuer: Option<String>,
}

#[derive(InputObject, Debug)]
pub struct DiscardNoticeInput {
    pub id: ID,
}

#[derive(SimpleObject, Debug)]
pub struct NoticePayload {
    pub notice: Notice,
}

#[derive(SimpleObject, Debug)]
pub struct DiscardNoticePayload {
    /// The draft discarded.
    pub discarded_notice_id: ID,
}

#[derive(Default)]
pub struct NoticeMutation;

#[Object]
impl NoticeMutation {
    /// Drafts a praise or criticism notice from the ranking of a scope (BUREAU): title and text
    /// prefilled with the period, the figures and the units named; the figures and the
    /// obligations behind them are kept with it.
    async fn draft_notice(
        &self,
        ctx: &Context<'_>,
        input: DraftNoticeInput,
    ) -> Result<NoticePayload> {
        let actor = ctx.actor()?;
        let request = DraftRequest {
            kind: input.kind.into(),
            scope: RankingScope {
                document_id: expect_optional_id(
                    "documentId",
                    input.document_id.as_ref(),
                    Kind::Document,
                )?,
                due_from: input.due_from,
                due_to: input.due_to,
            },
            count: usize::try_from(input.count).unwrap_or(0),
            overdue_only: input.overdue_only,
        };
        let notice = service::draft(actor, ctx.db(), ctx.now(), request).await?;
        Ok(NoticePayload {
            notice: notice.into(),
        })
    }

    /// Changes a draft's title or text (BUREAU).
    async fn update_notice(
        &self,
        ctx: &Context<'_>,
        input: UpdateNoticeInput,
    ) -> Result<NoticePayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Notice)?;
        let notice = service::update(
            actor,
            ctx.db(),
            ctx.now(),
            id,
            input.version,
            input.title,
            input.body,
        )
        .await?;
        Ok(NoticePayload {
            notice: notice.into(),
        })
    }

    /// Publishes a draft with its number (BUREAU): everyone signed in reads it from then on,
    /// and each unit it names hears of it (`NOTICE_PUBLISHED`), as do the leaders who
    /// supervise that unit.
    async fn publish_notice(
        &self,
        ctx: &Context<'_>,
        input: PublishNoticeInput,
    ) -> Result<NoticePayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Notice)?;
        let notice = service::publish(
            actor,
            ctx.db(),
            ctx.now(),
            id,
            input.version,
            service::Publication {
                doc_number: input.doc_number,
                issued_on: input.issued_on,
                issuer: input.issuer,
            },
        )
        .await?;
        Ok(NoticePayload {
            notice: notice.into(),
        })
    }

    /// Discards a draft (BUREAU); a published notice cannot be.
    async fn discard_notice(
        &self,
        ctx: &Context<'_>,
        input: DiscardNoticeInput,
    ) -> Result<DiscardNoticePayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Notice)?;
        service::discard(actor, ctx.db(), ctx.now(), id).await?;
        Ok(DiscardNoticePayload {
            discarded_notice_id: input.id,
        })
    }
}
