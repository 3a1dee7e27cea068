//! The Relay `Node` interface and the `node(id:)` query. Each kind of ID is fetched through its
//! domain service, so the same access rules apply as to the dedicated query.

use async_graphql::{Context, ID, Interface, Object, Result};

use crate::documents::loaders::CategoryById;
use crate::documents::schema::{Category, Document};
use crate::error::AppError;
use crate::graphql::context::ContextExt;
use crate::graphql::relay::{Kind, parse_global_id};
use crate::leaders::schema::Leader;
use crate::tasks::schema::Task;
use crate::units::schema::Unit;
use crate::users::schema::User;

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
    ProgressReport(crate::reports::schema::ProgressReport),
    Reminder(crate::reminders::schema::Reminder),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID, if the caller may see it: else null, with an error saying
    /// why, and the other fields of the request answered all the same.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let actor = ctx.actor()?;
        let db = ctx.db();
        let (kind, row) = parse_global_id(&id).ok_or_else(|| {
            AppError::bad_field("id", format!("`{}` is not a valid ID", id.as_str()))
        })?;
        Ok(Some(match kind {
            Kind::User => Node::User(crate::users::service::get(actor, db, row).await?.into()),
            Kind::Unit => Node::Unit(crate::units::service::get(actor, db, row).await?.into()),
            Kind::Leader => {
                Node::Leader(crate::leaders::service::get(actor, db, row).await?.into())
            }
            Kind::Document => {
                Node::Document(crate::documents::service::get(actor, db, row).await?.into())
            }
            Kind::Category => Node::Category(
                ctx.loader()
                    .load_one(CategoryById(row))
                    .await?
                    .ok_or_else(|| AppError::not_found("category"))?
                    .into(),
            ),
            Kind::Task => Node::Task(crate::tasks::query::get(actor, db, row).await?.into()),
            Kind::Report => {
                Node::ProgressReport(crate::reports::service::get(actor, db, row).await?.into())
            }
            Kind::Reminder => {
                Node::Reminder(crate::reminders::service::get(actor, db, row).await?.into())
            }
            Kind::Period
            | Kind::Extension
            | Kind::Instruction
            | Kind::LedgerEntry
            | Kind::Indicator
            | Kind::Attachment => {
                return Err(AppError::bad_field(
                    "id",
                    "this kind of object is read through its task or its own query",
                )
                .into());
            }
            Kind::AuditEntry => {
                return Err(
                    AppError::bad_field("id", "audit entries are read through `auditLog`").into(),
                );
            }
        }))
    }
}
