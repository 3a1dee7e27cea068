//! GraphQL face of documents and their category trees.

use async_graphql::{
    ComplexObject, Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject,
};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{categories, documents};

use crate::documents::categories::{NewCategory, create_category};
use crate::documents::loaders::{CategoryById, ChildCategoriesOf, DocumentById, RootCategoriesOf};
use crate::documents::schedule::{ReportingSchedule, ScheduleKind};
use crate::documents::service::{self, DocumentChanges, DocumentSearch, NewDocument};
use crate::graphql::context::{ContextExt, load};
use crate::graphql::enums::{DocumentKind, ObligationRule};
use crate::graphql::relay::{self, Conn, Kind, expect_id, expect_optional_id};
use crate::tasks::loaders::VisibleTasksOfDocument;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// When progress reports are due.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "ReportingSchedule")]
pub struct ScheduleOutput {
    pub kind: ScheduleKind,
    /// For MONTHLY: reports are due by this day of each month.
    pub day_of_month: Option<u32>,
    /// For QUARTERLY, DATES and ONCE: the due dates; for MONTHLY, summary dates besides the
    /// months (半年总结, 全年总结).
    pub dates: Vec<NaiveDate>,
    /// For MONTHLY: each month's report is due in the next month (`每月5日前报送上月进展`).
    pub previous_month: bool,
    /// The document's own sentence stating the rule.
    pub as_written: Option<String>,
}

impl From<ReportingSchedule> for ScheduleOutput {
    fn from(s: ReportingSchedule) -> Self {
        Self {
            kind: s.kind,
            day_of_month: s.day_of_month,
            dates: s.dates,
            previous_month: s.previous_month,
            as_written: s.as_written,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
#[graphql(name = "ReportingScheduleInput")]
pub struct ScheduleInput {
    pub kind: ScheduleKind,
    pub day_of_month: Option<u32>,
    #[graphql(default)]
    pub dates: Vec<NaiveDate>,
    #[graphql(default)]
    pub previous_month: bool,
    pub as_written: Option<String>,
}

impl From<ScheduleInput> for ReportingSchedule {
    fn from(s: ScheduleInput) -> Self {
        Self {
            kind: s.kind,
            day_of_month: s.day_of_month,
            dates: s.dates,
            previous_month: s.previous_month,
            as_written: s.as_written,
        }
    }
}

/// An official notice carrying a task list.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Document {
    pub id: ID,
    /// 文号, e.g. 汴政办〔2024〕3号.
    pub doc_number: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub year: i32,
    pub kind: DocumentKind,
    pub schedule: Option<ScheduleOutput>,
    pub obligation_rule: ObligationRule,
    /// The item count the document states (共 63 项), if it states one.
    pub declared_total: Option<i32>,
    /// Working days a unit has to acknowledge (签收) a task of this notice after it is assigned.
    pub receipt_working_days: i32,
    /// Working days after an assignment in which a unit may ask to hand the task back (退办).
    pub handback_working_days: i32,
    /// Days overdue that take a report to 催办 automatically (null: only the bureau does).
    pub urge_after_days: Option<i32>,
    /// Days overdue that issue a 督办单 automatically.
    pub notice_after_days: Option<i32>,
    /// Days overdue that schedule a 约谈 automatically.
    pub interview_after_days: Option<i32>,
    /// Of a PROPOSAL document: the share of motions to be rated 满意 or 基本满意, in percent.
    pub satisfaction_target: i32,
    /// Under `LEAD_CONSOLIDATING`: working days before the lead's due date that the partners'
    /// contributions are due.
    pub contribution_lead_days: i32,
    /// The document's text as it was given, unchanged.
    pub original_text: Option<String>,
    /// Its contact lines (联系人, 电话, 邮箱), each as written and as read.
    pub contacts: Vec<crate::documents::contacts::Contact>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row_id: i64,
    #[graphql(skip)]
    pub reviewing_office_id: Option<i64>,
}

impl From<documents::Model> for Document {
    fn from(doc: documents::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Document, doc.id),
            doc_number: doc.doc_number,
            title: doc.title,
            issuer: doc.issuer,
            issued_on: doc.issued_on,
            year: doc.year,
            kind: doc.kind.into(),
            contacts: doc
                .contacts
                .as_ref()
                .and_then(|json| serde_json::from_value::<Vec<String>>(json.clone()).ok())
                .unwrap_or_default()
                .iter()
                .map(|line| crate::documents::contacts::read(line))
                .collect(),
            schedule: doc
                .schedule
                .as_ref()
                .and_then(ReportingSchedule::from_json)
                .map(Into::into),
            obligation_rule: doc.obligation_rule.into(),
            declared_total: doc.declared_total,
            receipt_working_days: doc.receipt_working_days,
            handback_working_days: doc.handback_working_days,
            urge_after_days: doc.urge_after_days,
            notice_after_days: doc.notice_after_days,
            interview_after_days: doc.interview_after_days,
            satisfaction_target: doc.satisfaction_target,
            contribution_lead_days: doc.contribution_lead_days,
            original_text: doc.original_text,
            created_at: doc.created_at,
            updated_at: doc.updated_at,
            row_id: doc.id,
            reviewing_office_id: doc.reviewing_office_id,
        }
    }
}

#[ComplexObject]
impl Document {
    /// The office that reviews this document's reports beside the bureau (a leading group's
    /// office hosted by a unit, 领导小组办公室); null when the bureau alone reviews them.
    async fn reviewing_office(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        let Some(id) = self.reviewing_office_id else {
            return Ok(None);
        };
        load(ctx, UnitById(id)).await
    }

    /// The top of the category tree; each category lists its children.
    async fn categories(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        let roots = ctx.loader().load_one(RootCategoriesOf(self.row_id)).await?;
        Ok(roots
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// When progress on the document's tasks is due, by due date.
    async fn reporting_periods(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::periods::schema::ReportingPeriod>> {
        let periods = ctx
            .loader()
            .load_one(crate::periods::loaders::PeriodsOfDocument(self.row_id))
            .await?;
        Ok(periods
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The document's tasks that the caller may see, in written order.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Task>> {
        let page = relay::page_request(ctx, first, after.as_deref())?;
        let tasks = ctx
            .loader()
            .load_one(VisibleTasksOfDocument(self.row_id))
            .await?
            .unwrap_or_default();
        Ok(relay::connection(page.slice(&tasks)))
    }
}

/// A numbered heading of a document (一、 / （一）).
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Category {
    pub id: ID,
    /// The ordinal as written: 一, （三）.
    pub ordinal: String,
    pub title: String,
    /// 1-based position among its siblings.
    pub position: i32,
    /// Positions from the root, e.g. `2.3`.
    pub path: String,
    /// The item count the heading states (（3 项）), if it states one.
    pub declared_count: Option<i32>,
    #[graphql(skip)]
    pub row_id: i64,
    #[graphql(skip)]
    pub document_id: i64,
    #[graphql(skip)]
    pub parent_id: Option<i64>,
}

impl From<categories::Model> for Category {
    fn from(c: categories::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Category, c.id),
            ordinal: c.ordinal,
            title: c.title,
            position: c.position,
            path: c.path,
            declared_count: c.declared_count,
            row_id: c.id,
            document_id: c.document_id,
            parent_id: c.parent_id,
        }
    }
}

#[ComplexObject]
impl Category {
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        let children = ctx
            .loader()
            .load_one(ChildCategoriesOf(self.row_id))
            .await?;
        Ok(children
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Category>> {
        let Some(parent_id) = self.parent_id else {
            return Ok(None);
        };
        load(ctx, CategoryById(parent_id)).await
    }

    async fn document(&self, ctx: &Context<'_>) -> Result<Option<Document>> {
        load(ctx, DocumentById(self.document_id)).await
    }
}

#[derive(Default)]
pub struct DocumentQuery;

#[Object]
impl DocumentQuery {
    /// Documents, newest year first.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn documents(
        &self,
        ctx: &Context<'_>,
        year: Option<i32>,
        kind: Option<DocumentKind>,
        #[graphql(desc = "Part of the title or the document number.")] search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Document>> {
        let actor = ctx.actor()?;
        let page = relay::page_request(ctx, first, after.as_deref())?;
        let search = DocumentSearch {
            year,
            kind: kind.map(Into::into),
            text: search,
        };
        Ok(relay::connection(
            service::search(actor, ctx.db(), search, page).await?,
        ))
    }

    /// Null, with an error saying why, when there is no such document or the caller may not see
    /// it: the other fields of the request are answered all the same.
    async fn document(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Document>> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &id, Kind::Document)?;
        Ok(Some(service::get(actor, ctx.db(), id).await?.into()))
    }
}

#[derive(InputObject, Debug)]
pub struct CreateDocumentInput {
    pub doc_number: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    /// Defaults to the year of `issuedOn`.
    pub year: Option<i32>,
    pub kind: DocumentKind,
    pub schedule: Option<ScheduleInput>,
    pub obligation_rule: Option<ObligationRule>,
    pub declared_total: Option<i32>,
    /// The full text of the notice, stored exactly as given.
    pub original_text: Option<String>,
}

#[derive(InputObject, Debug)]
pub struct UpdateDocumentInput {
    pub id: ID,
    pub doc_number: MaybeUndefined<String>,
    pub title: Option<String>,
    pub issuer: MaybeUndefined<String>,
    pub issued_on: MaybeUndefined<NaiveDate>,
    pub year: Option<i32>,
    pub kind: Option<DocumentKind>,
    pub schedule: MaybeUndefined<ScheduleInput>,
    pub obligation_rule: Option<ObligationRule>,
    pub declared_total: MaybeUndefined<i32>,
    /// 1 to 30.
    pub receipt_working_days: Option<i32>,
    /// 1 to 30.
    pub handback_working_days: Option<i32>,
    /// 1 to 365 days overdue, or null: the bureau alone takes the step.
    pub urge_after_days: MaybeUndefined<i32>,
    pub notice_after_days: MaybeUndefined<i32>,
    pub interview_after_days: MaybeUndefined<i32>,
    /// 1 to 100 (percent).
    pub satisfaction_target: Option<i32>,
    /// 1 to 30 working days.
    pub contribution_lead_days: Option<i32>,
    /// The unit whose staff (accounts with the role `OFFICE`) review this document's reports
    /// and see its figures; null: the bureau alone.
    pub reviewing_office_id: MaybeUndefined<ID>,
}

#[derive(InputObject, Debug)]
pub struct CreateCategoryInput {
    pub document_id: ID,
    /// Omit for a top-level heading.
    pub parent_id: Option<ID>,
    pub ordinal: String,
    pub title: String,
    pub declared_count: Option<i32>,
}

#[derive(SimpleObject, Debug)]
pub struct CreateDocumentPayload {
    pub document: Document,
}

#[derive(SimpleObject, Debug)]
pub struct UpdateDocumentPayload {
    pub document: Document,
}

#[derive(SimpleObject, Debug)]
pub struct CreateCategoryPayload {
    pub category: Category,
}

#[derive(Default)]
pub struct DocumentMutation;

#[Object]
impl DocumentMutation {
    async fn create_document(
        &self,
        ctx: &Context<'_>,
        input: CreateDocumentInput,
    ) -> Result<CreateDocumentPayload> {
        let actor = ctx.actor()?;
        let new = NewDocument {
            doc_number: input.doc_number,
            title: input.title,
            issuer: input.issuer,
            issued_on: input.issued_on,
            year: input.year,
            kind: input.kind.into(),
            schedule: input.schedule.map(Into::into),
            obligation_rule: input.obligation_rule.map(Into::into),
            declared_total: input.declared_total,
            original_text: input.original_text,
        };
        let document = service::create(actor, ctx.db(), ctx.now(), new).await?;
        Ok(CreateDocumentPayload {
            document: document.into(),
        })
    }

    async fn update_document(
        &self,
        ctx: &Context<'_>,
        input: UpdateDocumentInput,
    ) -> Result<UpdateDocumentPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Document)?;
        let schedule: Option<Option<ScheduleInput>> = input.schedule.into();
        let changes = DocumentChanges {
            doc_number: input.doc_number.into(),
            title: input.title,
            issuer: input.issuer.into(),
            issued_on: input.issued_on.into(),
            year: input.year,
            kind: input.kind.map(Into::into),
            schedule: schedule.map(|s| s.map(Into::into)),
            obligation_rule: input.obligation_rule.map(Into::into),
            declared_total: input.declared_total.into(),
            receipt_working_days: input.receipt_working_days,
            handback_working_days: input.handback_working_days,
            urge_after_days: input.urge_after_days.into(),
            notice_after_days: input.notice_after_days.into(),
            interview_after_days: input.interview_after_days.into(),
            satisfaction_target: input.satisfaction_target,
            contribution_lead_days: input.contribution_lead_days,
            reviewing_office_id: match input.reviewing_office_id {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(id) => {
                    Some(Some(expect_id("reviewingOfficeId", &id, Kind::Unit)?))
                }
            },
        };
        let document = service::update(actor, ctx.db(), ctx.now(), id, changes).await?;
        Ok(UpdateDocumentPayload {
            document: document.into(),
        })
    }

    async fn create_category(
        &self,
        ctx: &Context<'_>,
        input: CreateCategoryInput,
    ) -> Result<CreateCategoryPayload> {
        let actor = ctx.actor()?;
        let new = NewCategory {
            document_id: expect_id("documentId", &input.document_id, Kind::Document)?,
            parent_id: expect_optional_id("parentId", input.parent_id.as_ref(), Kind::Category)?,
            ordinal: input.ordinal,
            title: input.title,
            declared_count: input.declared_count,
        };
        let category = create_category(actor, ctx.db(), ctx.now(), new).await?;
        Ok(CreateCategoryPayload {
            category: category.into(),
        })
    }
}
