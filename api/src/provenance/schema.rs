//! GraphQL face of carry-over, task links and source citations.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{task_citations, task_links};

use crate::documents::loaders::DocumentById;
use crate::documents::schema::Document;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{Kind, expect_id};
use crate::provenance::service;
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;

/// How one task is linked to another.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::TaskLinkKind")]
pub enum TaskLinkKind {
    /// 结转: carried into the next year's notice.
    CarriedOver,
    /// 与…合并起草: drafted and reported together.
    DraftedTogether,
    Related,
}

/// Which way a link points, seen from the task it is read on.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkDirection {
    /// This task is the link's origin (for a carry-over: the old task).
    Outgoing,
    /// This task is the link's target (for a carry-over: the new task).
    Incoming,
}

/// A link from the task it is read on to another task.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct TaskLink {
    pub kind: TaskLinkKind,
    pub direction: LinkDirection,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub other_task_id: i64,
}

impl TaskLink {
    /// The link as seen from `task_id`, one of its ends.
    pub fn seen_from(task_id: i64, row: task_links::Model) -> Self {
        let outgoing = row.task_id == task_id;
        Self {
            kind: row.kind.into(),
            direction: if outgoing {
                LinkDirection::Outgoing
            } else {
                LinkDirection::Incoming
            },
            note: row.note,
            created_at: row.created_at,
            other_task_id: if outgoing {
                row.linked_task_id
            } else {
                row.task_id
            },
        }
    }
}

#[ComplexObject]
impl TaskLink {
    /// The task at the other end, if the caller may see it.
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        load(ctx, VisibleTaskById(self.other_task_id)).await
    }
}

/// A passage of another document that a task comes from, quoted exactly.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct SourceCitation {
    pub passage: String,
    /// Where the passage starts in the document's original text, in characters.
    pub char_offset: i32,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub document_id: i64,
}

impl From<task_citations::Model> for SourceCitation {
    fn from(c: task_citations::Model) -> Self {
        Self {
            passage: c.passage,
            char_offset: c.char_offset,
            created_at: c.created_at,
            document_id: c.document_id,
        }
    }
}

#[ComplexObject]
impl SourceCitation {
    async fn document(&self, ctx: &Context<'_>) -> Result<Option<Document>> {
        load(ctx, DocumentById(self.document_id)).await
    }
}

#[derive(InputObject, Debug)]
pub struct CarryOverTasksInput {
    pub from_document_id: ID,
    /// A later year's notice.
    pub to_document_id: ID,
    /// Only these tasks (unfinished ones of the first notice); all unfinished when omitted.
    pub task_ids: Option<Vec<ID>>,
    /// The carried tasks' deadline; none when omitted.
    pub deadline: Option<NaiveDate>,
}

/// An old task and the task it was carried into.
#[derive(SimpleObject, Debug)]
#[graphql(complex)]
pub struct CarriedTask {
    pub task: Task,
    #[graphql(skip)]
    pub from_task_id: i64,
}

#[ComplexObject]
impl CarriedTask {
    async fn from(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        load(ctx, VisibleTaskById(self.from_task_id)).await
    }
}

#[derive(SimpleObject, Debug)]
#[graphql(complex)]
pub struct CarryOverTasksPayload {
    pub carried: Vec<CarriedTask>,
    #[graphql(skip)]
    pub already: Vec<i64>,
}

#[ComplexObject]
impl CarryOverTasksPayload {
    /// Tasks carried into the notice before, left as they were.
    async fn already_carried(&self, ctx: &Context<'_>) -> Result<Vec<Task>> {
        let mut found = ctx
            .loader()
            .load_many(self.already.iter().map(|id| VisibleTaskById(*id)))
            .await?;
        Ok(self
            .already
            .iter()
            .filter_map(|id| found.remove(&VisibleTaskById(*id)))
            .map(Into::into)
            .collect())
    }
}

#[derive(InputObject, Debug)]
pub struct LinkTasksInput {
    pub task_id: ID,
    pub linked_task_id: ID,
    /// `DRAFTED_TOGETHER` or `RELATED`.
    pub kind: TaskLinkKind,
    pub note: Option<String>,
}

#[derive(InputObject, Debug)]
pub struct UnlinkTasksInput {
    pub task_id: ID,
    pub linked_task_id: ID,
    pub kind: TaskLinkKind,
}

#[derive(InputObject, Debug)]
pub struct CiteSourceInput {
    pub task_id: ID,
    pub document_id: ID,
    /// Exactly as the document's text has it.
    pub passage: String,
    /// Which occurrence, when the passage appears more than once (1: the first).
    pub occurrence: Option<u32>,
}

#[derive(SimpleObject, Debug)]
pub struct LinkTasksPayload {
    pub link: TaskLink,
}

#[derive(SimpleObject, Debug)]
pub struct UnlinkTasksPayload {
    pub removed: bool,
}

#[derive(SimpleObject, Debug)]
pub struct CiteSourcePayload {
    pub citation: SourceCitation,
}

#[derive(Default)]
pub struct ProvenanceMutation;

#[Object]
impl ProvenanceMutation {
    /// Carries the unfinished tasks of a notice into a later year's (BUREAU, 结转): new tasks
    /// with the same text, leaders, units and indicators, linked both ways; the old tasks keep
    /// their reports. Tasks carried before are left alone.
    async fn carry_over_tasks(
        &self,
        ctx: &Context<'_>,
        input: CarryOverTasksInput,
    ) -> Result<CarryOverTasksPayload> {
        let actor = ctx.actor()?;
        let from = expect_id("fromDocumentId", &input.from_document_id, Kind::Document)?;
        let to = expect_id("toDocumentId", &input.to_document_id, Kind::Document)?;
        let only = input
            .task_ids
            .map(|ids| {
                ids.iter()
                    .map(|id| expect_id("taskIds", id, Kind::Task))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let outcome =
            service::carry_over(actor, ctx.db(), ctx.now(), from, to, only, input.deadline).await?;
        Ok(CarryOverTasksPayload {
            carried: outcome
                .carried
                .into_iter()
                .map(|(from_task_id, task)| CarriedTask {
                    task: task.into(),
                    from_task_id,
                })
                .collect(),
            already: outcome.already,
        })
    }

    /// Links two tasks (BUREAU): drafted together (与…合并起草) or related.
    async fn link_tasks(
        &self,
        ctx: &Context<'_>,
        input: LinkTasksInput,
    ) -> Result<LinkTasksPayload> {
        let actor = ctx.actor()?;
        let task_id = expect_id("taskId", &input.task_id, Kind::Task)?;
        let other = expect_id("linkedTaskId", &input.linked_task_id, Kind::Task)?;
        let link = service::link(
            actor,
            ctx.db(),
            ctx.now(),
            task_id,
            other,
            input.kind.into(),
            input.note,
        )
        .await?;
        Ok(LinkTasksPayload {
            link: TaskLink::seen_from(task_id, link),
        })
    }

    /// Removes a link between two tasks (BUREAU); a carry-over stays.
    async fn unlink_tasks(
        &self,
        ctx: &Context<'_>,
        input: UnlinkTasksInput,
    ) -> Result<UnlinkTasksPayload> {
        let actor = ctx.actor()?;
        let task_id = expect_id("taskId", &input.task_id, Kind::Task)?;
        let other = expect_id("linkedTaskId", &input.linked_task_id, Kind::Task)?;
        service::unlink(
            actor,
            ctx.db(),
            ctx.now(),
            task_id,
            other,
            input.kind.into(),
        )
        .await?;
        Ok(UnlinkTasksPayload { removed: true })
    }

    /// Records the passage of another document (a `SOURCE` work report) a task comes from
    /// (BUREAU), matched exactly against its original text.
    async fn cite_source(
        &self,
        ctx: &Context<'_>,
        input: CiteSourceInput,
    ) -> Result<CiteSourcePayload> {
        let actor = ctx.actor()?;
        let task_id = expect_id("taskId", &input.task_id, Kind::Task)?;
        let document_id = expect_id("documentId", &input.document_id, Kind::Document)?;
        let citation = service::cite(
            actor,
            ctx.db(),
            ctx.now(),
            task_id,
            document_id,
            &input.passage,
            input.occurrence,
        )
        .await?;
        Ok(CiteSourcePayload {
            citation: citation.into(),
        })
    }
}
