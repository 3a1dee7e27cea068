//! GraphQL types of what was submitted: `ReportVersion` with its indicator values, attachments
//! and review. Reached only through a report the caller may read.

use async_graphql::{ComplexObject, Context, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{report_reviews, report_versions};

use crate::attachments::loaders::AttachmentsOfVersion;
use crate::attachments::schema::Attachment;
use crate::graphql::context::{ContextExt, load, load_all};
use crate::graphql::enums::ReviewDecision;
use crate::reports::loaders::{ReviewOfVersion, ValuesOfVersion};
use crate::tasks::types::Indicator;

/// A submitted version of a report.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct ReportVersion {
    pub version: i32,
    /// 进展情况
    pub progress: String,
    /// 存在问题
    pub problems: Option<String>,
    /// 下步打算
    pub next_steps: Option<String>,
    pub percent: Option<i32>,
    pub submitted_at: DateTime<Utc>,
    /// The due date it was measured against.
    pub due_on: NaiveDate,
    /// How late it was submitted, in seconds; null when on time.
    pub late_by_seconds: Option<i64>,
    #[graphql(skip)]
    pub row_id: i64,
    #[graphql(skip)]
    pub drafted_by: Option<i64>,
    #[graphql(skip)]
    pub approved_by: Option<i64>,
}

impl From<report_versions::Model> for ReportVersion {
    fn from(v: report_versions::Model) -> Self {
        Self {
            version: v.version,
            progress: v.progress,
            problems: v.problems,
            next_steps: v.next_steps,
            percent: v.percent,
            submitted_at: v.submitted_at,
            due_on: v.due_on,
            late_by_seconds: v.late_seconds,
            row_id: v.id,
            drafted_by: v.drafted_by,
            approved_by: v.approved_by,
        }
    }
}

#[ComplexObject]
impl ReportVersion {
    /// The clerk who drafted the version, when the unit's head signed it off (审核签发), if the
    /// caller may read that account.
    async fn drafted_by(&self, ctx: &Context<'_>) -> Result<Option<crate::users::schema::User>> {
        match self.drafted_by {
            Some(id) => load(ctx, crate::users::loaders::UserReadableById(id)).await,
            None => Ok(None),
        }
    }

    /// The partners' contributions the lead consolidated into this version
    /// (`LEAD_CONSOLIDATING`).
    async fn contributions(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::reports::contribution_schema::Contribution>> {
        load_all(
            ctx,
            crate::reports::loaders::ContributionsOfVersion(self.row_id),
        )
        .await
    }

    /// The unit's head who approved it.
    async fn approved_by(&self, ctx: &Context<'_>) -> Result<Option<crate::users::schema::User>> {
        match self.approved_by {
            Some(id) => load(ctx, crate::users::loaders::UserReadableById(id)).await,
            None => Ok(None),
        }
    }

    async fn is_late(&self) -> bool {
        self.late_by_seconds.is_some()
    }

    /// The actual values given for the task's indicators.
    async fn indicator_values(&self, ctx: &Context<'_>) -> Result<Vec<IndicatorActual>> {
        Ok(ctx
            .loader()
            .load_one(ValuesOfVersion(self.row_id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|(value, indicator)| IndicatorActual {
                value: value.value.unwrap_or_default(),
                note: value.note,
                indicator: indicator.into(),
            })
            .collect())
    }

    /// The files submitted with this version.
    async fn attachments(&self, ctx: &Context<'_>) -> Result<Vec<Attachment>> {
        load_all(ctx, AttachmentsOfVersion(self.row_id)).await
    }

    /// The bureau's decision on this version, once made.
    async fn review(&self, ctx: &Context<'_>) -> Result<Option<ReportReview>> {
        load(ctx, ReviewOfVersion(self.row_id)).await
    }
}

/// The value a version gives for one indicator.
#[derive(SimpleObject, Debug, Clone)]
pub struct IndicatorActual {
    pub indicator: Indicator,
    /// As written by the unit.
    pub value: String,
    pub note: Option<String>,
}

/// The reviewer's decision on a version: the bureau's, or the reviewing office's its document
/// names.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct ReportReview {
    pub decision: ReviewDecision,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub reviewer_id: i64,
}

#[ComplexObject]
impl ReportReview {
    /// Who reviewed: shown to those who may read accounts (the bureau, and the reviewer).
    async fn reviewer(&self, ctx: &Context<'_>) -> Result<Option<crate::users::schema::User>> {
        load(
            ctx,
            crate::users::loaders::UserReadableById(self.reviewer_id),
        )
        .await
    }
}

impl From<report_reviews::Model> for ReportReview {
    fn from(r: report_reviews::Model) -> Self {
        Self {
            decision: r.decision.into(),
            comment: r.comment,
            created_at: r.created_at,
            reviewer_id: r.reviewer_id,
        }
    }
}
