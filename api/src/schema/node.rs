//! The Relay `Node` interface, `node(id:)` and `nodes(ids:)`. Every object type with a global
//! ID implements `Node` (a test walks the schema for it), and each kind is read through a
//! loader that applies the same row-level rules as its own queries: a unit reads no other
//! unit's reports, reminders or ledger; only the bureau reads accounts and audit rows but its
//! own. Through the loader, `nodes` reads each kind once however many IDs it is given.

use async_graphql::{Context, ID, Interface, Object, Result};
use futures_util::future::join_all;

use crate::attachments::loaders::AttachmentReadableById;
use crate::audit::loaders::AuditEntryReadableById;
use crate::audit::schema::AuditEntry;
use crate::documents::loaders::{CategoryById, DocumentById};
use crate::documents::schema::{Category, Document};
use crate::error::AppError;
use crate::extensions::loaders::ExtensionReadableById;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{Kind, parse_global_id};
use crate::instructions::loaders::InstructionReadableById;
use crate::leaders::loaders::LeaderById;
use crate::leaders::schema::Leader;
use crate::ledger::loaders::LedgerEntryReadableById;
use crate::periods::loaders::PeriodById;
use crate::reminders::loaders::ReminderReadableById;
use crate::reports::loaders::{IndicatorVisibleById, ReportReadableById};
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;
use crate::users::loaders::UserReadableById;
use crate::users::schema::User;

/// The most IDs one `nodes` call takes.
pub const MAX_NODES: usize = 100;

/// An object with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "&ID"))]
#[allow(clippy::large_enum_variant)]
pub enum Node {
    User(User),
    Unit(Unit),
    Leader(Leader),
    Document(Document),
    Category(Category),
    Task(Task),
    ReportingPeriod(crate::periods::schema::ReportingPeriod),
    ProgressReport(crate::reports::schema::ProgressReport),
    Reminder(crate::reminders::schema::Reminder),
    ExtensionRequest(crate::extensions::schema::ExtensionRequest),
    TaskReceipt(crate::handover::schema::TaskReceipt),
    HandbackRequest(crate::handover::schema::HandbackRequest),
    Escalation(crate::escalations::schema::Escalation),
    MaterialRequest(crate::materials::schema::MaterialRequest),
    ReportSignoff(crate::reports::signoff_schema::ReportSignoff),
    FollowUp(crate::proposals::follow_up_schema::FollowUp),
    Instruction(crate::instructions::schema::Instruction),
    LedgerEntry(crate::ledger::schema::LedgerEntry),
    Indicator(crate::tasks::types::Indicator),
    Attachment(crate::attachments::schema::Attachment),
    AuditEntry(AuditEntry),
    Notice(crate::notices::schema::Notice),
    Webhook(crate::webhooks::schema::Webhook),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID, if the caller may see it: else null, with an error saying
    /// why, and the other fields of the request answered all the same.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        ctx.actor()?;
        let (kind, row) = parse(&id, "id")?;
        match fetch(ctx, kind, row).await? {
            Some(node) => Ok(Some(node)),
            None => Err(AppError::not_found(kind.name()).into()),
        }
    }

    /// Objects by their global IDs (at most 100), in the order given: null where an ID names
    /// nothing the caller may see. Each kind is read once, however many IDs name it.
    #[graphql(complexity = "ids.len() * child_complexity + 1")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        ctx.actor()?;
        if ids.len() > MAX_NODES {
            return Err(AppError::bad_field("ids", format!("at most {MAX_NODES} IDs")).into());
        }
        let parsed = ids
            .iter()
            .enumerate()
            .map(|(i, id)| parse(id, &format!("ids[{i}]")))
            .collect::<Result<Vec<_>, AppError>>()?;
        // Awaited together, so the loader batches the keys of each kind into one statement.
        join_all(parsed.into_iter().map(|(kind, row)| fetch(ctx, kind, row)))
            .await
            .into_iter()
            .collect()
    }
}

fn parse(id: &ID, field: &str) -> Result<(Kind, i64), AppError> {
    parse_global_id(id)
        .ok_or_else(|| AppError::bad_field(field, format!("`{}` is not a valid ID", id.as_str())))
}

/// The object of one global ID, if the caller may see it.
async fn fetch(ctx: &Context<'_>, kind: Kind, row: i64) -> Result<Option<Node>> {
    Ok(match kind {
        Kind::User => load(ctx, UserReadableById(row)).await?.map(Node::User),
        Kind::Unit => load(ctx, UnitById(row)).await?.map(Node::Unit),
        Kind::Leader => load(ctx, LeaderById(row)).await?.map(Node::Leader),
        Kind::Document => load(ctx, DocumentById(row)).await?.map(Node::Document),
        Kind::Category => load(ctx, CategoryById(row)).await?.map(Node::Category),
        Kind::Task => load(ctx, VisibleTaskById(row)).await?.map(Node::Task),
        Kind::Period => load(ctx, PeriodById(row)).await?.map(Node::ReportingPeriod),
        Kind::Report => load(ctx, ReportReadableById(row))
            .await?
            .map(Node::ProgressReport),
        Kind::Reminder => load(ctx, ReminderReadableById(row))
            .await?
            .map(Node::Reminder),
        Kind::Extension => load(ctx, ExtensionReadableById(row))
            .await?
            .map(Node::ExtensionRequest),
        Kind::Receipt => load(ctx, crate::handover::loaders::ReceiptReadableById(row))
            .await?
            .map(Node::TaskReceipt),
        Kind::Handback => load(ctx, crate::handover::loaders::HandbackReadableById(row))
            .await?
            .map(Node::HandbackRequest),
        Kind::Escalation => load(
            ctx,
            crate::escalations::loaders::EscalationReadableById(row),
        )
        .await?
        .map(Node::Escalation),
        Kind::MaterialRequest => load(
            ctx,
            crate::materials::loaders::MaterialRequestReadableById(row),
        )
        .await?
        .map(Node::MaterialRequest),
        Kind::Signoff => load(ctx, crate::reports::loaders::SignoffReadableById(row))
            .await?
            .map(Node::ReportSignoff),
        Kind::FollowUp => load(ctx, crate::proposals::loaders::FollowUpReadableById(row))
            .await?
            .map(Node::FollowUp),
        Kind::Instruction => load(ctx, InstructionReadableById(row))
            .await?
            .map(Node::Instruction),
        Kind::LedgerEntry => load(ctx, LedgerEntryReadableById(row))
            .await?
            .map(Node::LedgerEntry),
        Kind::Indicator => load(ctx, IndicatorVisibleById(row))
            .await?
            .map(Node::Indicator),
        Kind::Attachment => load(ctx, AttachmentReadableById(row))
            .await?
            .map(Node::Attachment),
        Kind::Notice => load(ctx, crate::notices::loaders::NoticeReadableById(row))
            .await?
            .map(Node::Notice),
        Kind::Webhook => load(ctx, crate::webhooks::loaders::WebhookReadableById(row))
            .await?
            .map(Node::Webhook),
        Kind::AuditEntry => match ctx.loader().load_one(AuditEntryReadableById(row)).await? {
            Some(entry) => Some(Node::AuditEntry(AuditEntry::try_from(entry)?)),
            None => None,
        },
    })
}
