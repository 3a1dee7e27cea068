//! The GraphQL schema as served: one `Query`, `Mutation` and `Subscription` merged from the
//! domain modules' schema parts, the Relay `Node` resolution (`node`), and the limits every
//! request runs under. This is the top of the crate: it imports every domain's `schema`, and
//! nothing below imports it (only `http`, `startup` and `cli` do).

pub mod node;

use async_graphql::extensions::Tracing;
use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::attachments::schema::AttachmentMutation;
use crate::audit::schema::AuditQuery;
use crate::auth::schema::AuthMutation;
use crate::documents::schema::{DocumentMutation, DocumentQuery};
use crate::extensions::schema::{ExtensionMutation, ExtensionQuery};
use crate::import::schema::ImportMutation;
use crate::instructions::schema::InstructionMutation;
use crate::leaders::schema::{LeaderMutation, LeaderQuery};
use crate::ledger::schema::LedgerMutation;
use crate::live::schema::LiveSubscription;
use crate::obligations::schema::ObligationQuery;
use crate::periods::schema::PeriodMutation;
use crate::proposals::schema::ProposalMutation;
use crate::reminders::schema::{ReminderMutation, ReminderQuery};
use crate::reports::schema::{ReportMutation, ReportQuery};
use crate::stats::schema::StatsQuery;
use crate::tasks::mutations::TaskMutation;
use crate::tasks::schema::TaskQuery;
use crate::units::schema::{UnitMutation, UnitQuery};
use crate::users::schema::{UserMutation, UserQuery};

#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    UserQuery,
    UnitQuery,
    LeaderQuery,
    DocumentQuery,
    TaskQuery,
    AuditQuery,
    ReportQuery,
    ObligationQuery,
    ReminderQuery,
    ExtensionQuery,
    StatsQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    AuthMutation,
    UserMutation,
    UnitMutation,
    LeaderMutation,
    DocumentMutation,
    TaskMutation,
    ImportMutation,
    PeriodMutation,
    ReportMutation,
    ReminderMutation,
    ExtensionMutation,
    InstructionMutation,
    LedgerMutation,
    AttachmentMutation,
    ProposalMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(LiveSubscription);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Limits that protect the server from expensive queries.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
}

/// The schema without data, for printing the SDL and as the base of `build`.
pub fn builder(limits: Limits) -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .extension(Tracing)
    .extension(crate::error::SubscriptionErrors)
}

/// The SDL of the schema, as checked into `schema.graphql`.
pub fn sdl() -> String {
    builder(Limits {
        max_depth: usize::MAX,
        max_complexity: usize::MAX,
    })
    .finish()
    .sdl()
}
