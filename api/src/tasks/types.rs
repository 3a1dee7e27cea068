//! The GraphQL output types of tasks: `Task` with its relation fields, `TaskLeader`, `TaskUnit`.
//! Every relation goes through `graphql::context`'s loads: a row the instance keeps (`Kept`), or
//! the request's DataLoader.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{task_leaders, task_units, tasks};

use crate::attachments::loaders::MyPendingUploads;
use crate::attachments::schema::Attachment;
use crate::deadline::today_in_china;
use crate::documents::loaders::{CategoryById, DocumentById};
use crate::documents::schema::{Category, Document};
use crate::graphql::context::{ContextExt, load, load_all, load_row};
use crate::graphql::enums::{Comparator, LeaderRole, TaskStatus, UnitRole};
use crate::graphql::relay::{self, Kind};
use crate::leaders::loaders::LeaderOf;
use crate::leaders::schema::Leader;
use crate::leaders::service::LeaderRef;
use crate::proposals::loaders::ProposalOfTask;
use crate::proposals::schema::Proposal;
use crate::reports::loaders::IndicatorsOfTask;
use crate::reports::targets::Verdict;
use crate::tasks::loaders::{EarliestOpenDue, LeadersOfTask, UnitsOfTask, VisibleTaskById};
use crate::tasks::progress::{self, WarningLevel};
use crate::tasks::query::TaskRow;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// One numbered item of a document.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Task {
    pub id: ID,
    /// The sequence number as written in the document.
    pub seq: String,
    pub sort_order: i32,
    /// The item's full text.
    pub text: String,
    pub deadline: Option<NaiveDate>,
    /// The deadline as the notice wrote it (`2025年6月底`, `长期坚持`), for imported tasks.
    pub deadline_as_written: Option<String>,
    pub status: TaskStatus,
    /// Percent complete, 0 to 100.
    pub percent: i32,
    /// Send this back with `updateTask`; it changes with every edit of the task (not when its
    /// status is derived anew).
    pub version: i32,
    /// The task's id in another government system.
    pub external_id: Option<String>,
    /// When the bureau completed (办结) or cancelled the task; nothing falls due after it.
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The row itself, for the relation and derived fields.
    #[graphql(skip)]
    pub model: tasks::Model,
    /// The earliest due date of its open obligations, when read with the row (`TaskRow`):
    /// `None` when not read, `Some(None)` when nothing is open.
    #[graphql(skip)]
    pub earliest_open_due: Option<Option<NaiveDate>>,
}

impl From<TaskRow> for Task {
    fn from(row: TaskRow) -> Self {
        Self {
            earliest_open_due: Some(row.earliest_open_due),
            ..row.task.into()
        }
    }
}

impl From<tasks::Model> for Task {
    fn from(t: tasks::Model) -> Self {
        let model = t.clone();
        Self {
            model,
            earliest_open_due: None,
            id: relay::global_id(Kind::Task, t.id),
            seq: t.seq,
            sort_order: t.sort_order,
            text: t.text,
            deadline: t.deadline,
            deadline_as_written: t.deadline_as_written,
            status: t.status.into(),
            percent: t.percent,
            version: t.version,
            external_id: t.external_id,
            completed_at: t.completed_at,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A measurable target written in a task (新建充电桩 700 个).
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Indicator {
    pub id: ID,
    /// What is measured, as written.
    pub phrase: String,
    /// The target value as written (`6`, `6.24`), if any.
    pub target: Option<String>,
    /// The unit of measure as written (`%`, `万人`, `个`).
    pub measure_unit: Option<String>,
    pub comparator: Comparator,
    /// The latest reported value against the target (`MET`, `NOT_MET`, `NOT_COMPARABLE` when
    /// there is no number or the units differ); null while nothing is reported. Compared in one
    /// unit after scaling (`万人` and `人`); at least for a bare target (`700 个`), within 5% for
    /// `ABOUT`.
    pub verdict: Option<Verdict>,
    #[graphql(skip)]
    latest_value: Option<String>,
}

#[ComplexObject]
impl Indicator {
    /// The latest actual value reported for this indicator, as written, by whichever unit
    /// reported last. Null for a unit's account: units read only their own reports (their
    /// values are in their reports' versions); the verdict is the task's, like its percent.
    async fn latest_value(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(match ctx.actor()?.role() {
            entity::enums::Role::Unit => None,
            _ => self.latest_value.clone(),
        })
    }
}

impl From<entity::indicators::Model> for Indicator {
    fn from(i: entity::indicators::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Indicator, i.id),
            phrase: i.phrase,
            target: i.value,
            measure_unit: i.measure_unit,
            comparator: i.comparator.into(),
            verdict: i.verdict.as_deref().and_then(Verdict::parse),
            latest_value: i.latest_value,
        }
    }
}

#[ComplexObject]
impl Task {
    /// The People's Congress motion this task answers (tasks of PROPOSAL documents).
    async fn proposal(&self, ctx: &Context<'_>) -> Result<Option<Proposal>> {
        load(ctx, ProposalOfTask(self.model.id)).await
    }

    /// Your uploads for this task that are not submitted yet (name them in `submitReport`, or
    /// discard them). Empty for everyone else.
    async fn my_pending_uploads(&self, ctx: &Context<'_>) -> Result<Vec<Attachment>> {
        load_all(ctx, MyPendingUploads(self.model.id)).await
    }

    /// The task's measurable targets; reports give their actual values.
    async fn indicators(&self, ctx: &Context<'_>) -> Result<Vec<Indicator>> {
        load_all(ctx, IndicatorsOfTask(self.model.id)).await
    }

    /// How urgently the task needs attention now: RED when an open obligation (nothing
    /// submitted, or returned) or the task's deadline has passed, YELLOW when one is due within
    /// the configured days (3 by default), GREEN otherwise and for closed tasks.
    async fn warning_level(&self, ctx: &Context<'_>) -> Result<WarningLevel> {
        let earliest = match self.earliest_open_due {
            Some(earliest) => earliest,
            None => ctx
                .loader()
                .load_one(EarliestOpenDue(self.model.id))
                .await?
                .flatten(),
        };
        Ok(progress::warning_level_by(
            &self.model,
            earliest,
            today_in_china(ctx.now()),
            ctx.app().warnings,
        ))
    }

    /// The percent expected by today (序时进度): a straight line from the document's issue
    /// date (0) to the task's deadline (100). Null without either.
    async fn expected_percent(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        let document = load_row(ctx, DocumentById(self.model.document_id)).await?;
        Ok(progress::expected_percent(
            document.and_then(|d| d.issued_on),
            self.model.deadline,
            today_in_china(ctx.now()),
        ))
    }

    /// Whether the task is open and its percent complete (`percent`, the latest report's) is
    /// more than `SCHEDULE_MARGIN_PERCENT` (10) points below `expectedPercent`. Lists filter on
    /// it with `filter: { behindSchedule: true }`.
    async fn behind_schedule(&self, ctx: &Context<'_>) -> Result<bool> {
        let expected = self.expected_percent(ctx).await?;
        Ok(progress::behind_schedule(
            &self.model,
            expected,
            ctx.app().warnings.schedule_margin,
        ))
    }

    async fn document(&self, ctx: &Context<'_>) -> Result<Option<Document>> {
        load(ctx, DocumentById(self.model.document_id)).await
    }

    async fn category(&self, ctx: &Context<'_>) -> Result<Option<Category>> {
        let Some(id) = self.model.category_id else {
            return Ok(None);
        };
        load(ctx, CategoryById(id)).await
    }

    /// The item this task is a sub-point of (一是 … 二是 …), if any.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        let Some(id) = self.model.parent_task_id else {
            return Ok(None);
        };
        load(ctx, VisibleTaskById(id)).await
    }

    /// The progress reports on this task the caller may read (a unit: its own unit's only).
    async fn reports(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::reports::schema::ProgressReport>> {
        let reports = ctx
            .loader()
            .load_one(crate::reports::loaders::ReportsOfTask(self.model.id))
            .await?;
        Ok(reports
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The reminders about this task the caller may read (a unit: those addressed to it).
    async fn reminders(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::reminders::schema::Reminder>> {
        let reminders = ctx
            .loader()
            .load_one(crate::reminders::loaders::RemindersOfTask(self.model.id))
            .await?;
        Ok(reminders
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Links to other tasks, both ways: carried over from or into another year's notice (结转),
    /// drafted together, related. The other task shows if the caller may see it.
    async fn links(&self, ctx: &Context<'_>) -> Result<Vec<crate::provenance::schema::TaskLink>> {
        let rows = ctx
            .loader()
            .load_one(crate::provenance::loaders::LinksOfTask(self.model.id))
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|row| crate::provenance::schema::TaskLink::seen_from(self.model.id, row))
            .collect())
    }

    /// The passages of other documents (a `SOURCE` work report) this task comes from.
    async fn citations(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::provenance::schema::SourceCitation>> {
        load_all(
            ctx,
            crate::provenance::loaders::CitationsOfTask(self.model.id),
        )
        .await
    }

    /// The units' receipts (签收) of this task the caller may read (a unit: its own).
    async fn receipts(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::handover::schema::TaskReceipt>> {
        load_all(ctx, crate::handover::loaders::ReceiptsOfTask(self.model.id)).await
    }

    /// The task's thread of instructions and replies, oldest first.
    async fn instructions(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::instructions::schema::Instruction>> {
        let thread = ctx
            .loader()
            .load_one(crate::instructions::loaders::InstructionsOfTask(
                self.model.id,
            ))
            .await?;
        Ok(thread
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The units' ledgers (工作台账) for this task: a unit sees its own, the others all.
    async fn ledger(&self, ctx: &Context<'_>) -> Result<Vec<crate::ledger::schema::LedgerEntry>> {
        let entries = ctx
            .loader()
            .load_one(crate::ledger::loaders::LedgerOfTask(self.model.id))
            .await?;
        Ok(entries
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Leaders answerable for the task: lead leaders first, then in written order.
    async fn leaders(&self, ctx: &Context<'_>) -> Result<Vec<TaskLeader>> {
        let rows = load_row(ctx, LeadersOfTask((&self.model).into())).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Units of the task: lead, responsible, cooperating, each in written order.
    async fn units(&self, ctx: &Context<'_>, role: Option<UnitRole>) -> Result<Vec<TaskUnit>> {
        let rows = load_row(ctx, UnitsOfTask((&self.model).into())).await?;
        let role = role.map(entity::enums::UnitRole::from);
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .filter(|row| role.is_none_or(|role| row.role == role))
            .map(Into::into)
            .collect())
    }
}

/// A leader's part in a task.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct TaskLeader {
    pub role: LeaderRole,
    /// Order within the role, from 1.
    pub position: i32,
    /// The name as the document writes it (`刘 震`, `常务副市长`, `各位市长`).
    pub name_as_written: String,
    /// Set when the task names a post rather than a person.
    pub post: Option<String>,
    /// Set for a collective reference such as 各位市长.
    pub collective: Option<String>,
    #[graphql(skip)]
    pub leader_id: Option<i64>,
}

impl From<task_leaders::Model> for TaskLeader {
    fn from(row: task_leaders::Model) -> Self {
        Self {
            role: row.role.into(),
            position: row.position,
            name_as_written: row.name_as_written,
            post: row.post,
            collective: row.collective,
            leader_id: row.leader_id,
        }
    }
}

#[ComplexObject]
impl TaskLeader {
    /// The person: named directly, or whoever holds the post now (the first, if several do).
    async fn leader(&self, ctx: &Context<'_>) -> Result<Option<Leader>> {
        let reference = match (self.leader_id, &self.post) {
            (Some(id), _) => LeaderRef::Id(id),
            (None, Some(post)) => LeaderRef::Post(post.clone()),
            (None, None) => return Ok(None),
        };
        load(ctx, LeaderOf(reference)).await
    }
}

/// A unit's part in a task.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct TaskUnit {
    pub role: UnitRole,
    /// Order within the role, from 1; the first RESPONSIBLE unit is the main one.
    pub position: i32,
    pub name_as_written: String,
    /// A county or district taking part (listed after `，`).
    pub is_local: bool,
    #[graphql(skip)]
    pub unit_id: i64,
}

impl From<task_units::Model> for TaskUnit {
    fn from(row: task_units::Model) -> Self {
        Self {
            role: row.role.into(),
            position: row.position,
            name_as_written: row.name_as_written,
            is_local: row.is_local,
            unit_id: row.unit_id,
        }
    }
}

#[ComplexObject]
impl TaskUnit {
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.unit_id)).await
    }
}
