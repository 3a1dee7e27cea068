//! The GraphQL schema as served: one `Query`, `Mutation` and `Subscription` merged from the
//! domain modules' schema parts, the Relay `Node` resolution (`node`), and the limits every
//! request runs under. This is the top of the crate: it imports every domain's `schema`, and
//! nothing below imports it (only `http`, `startup` and `cli` do).

mod execution;
mod fields;
pub mod node;
mod parsed;

pub use execution::{Execution, Executor};

use std::sync::Arc;

use async_graphql::extensions::Tracing;
use async_graphql::extensions::apollo_persisted_queries::LruCacheStorage;
use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::attachments::schema::AttachmentMutation;
use crate::audit::schema::AuditQuery;
use crate::auth::keys_schema::{ApiKeyMutation, ApiKeyQuery};
use crate::auth::schema::AuthMutation;
use crate::documents::schema::{DocumentMutation, DocumentQuery};
use crate::escalations::schema::{EscalationMutation, EscalationQuery};
use crate::extensions::schema::{ExtensionMutation, ExtensionQuery};
use crate::graphql::budget::Budget;
use crate::handover::schema::{HandoverMutation, HandoverQuery};
use crate::import::schema::ImportMutation;
use crate::instructions::schema::InstructionMutation;
use crate::leaders::schema::{LeaderMutation, LeaderQuery};
use crate::ledger::schema::LedgerMutation;
use crate::live::schema::{FeedQuery, LiveSubscription};
use crate::materials::schema::{MaterialMutation, MaterialQuery};
use crate::notices::schema::{NoticeMutation, NoticeQuery};
use crate::notify::schema::{NotifyMutation, NotifyQuery};
use crate::obligations::schema::ObligationQuery;
use crate::pages::schema::PageQuery;
use crate::periods::schema::PeriodMutation;
use crate::proposals::follow_up_schema::{FollowUpMutation, ProposalQuery};
use crate::proposals::schema::ProposalMutation;
use crate::provenance::schema::ProvenanceMutation;
use crate::reminders::schema::{ReminderMutation, ReminderQuery};
use crate::reports::contribution_schema::{ContributionMutation, ContributionQuery};
use crate::reports::schema::IndicatorMutation;
use crate::reports::schema::{ReportMutation, ReportQuery};
use crate::reports::signoff_schema::{SignoffMutation, SignoffQuery};
use crate::stats::schema::{StatsMutation, StatsQuery};
use crate::tasks::mutations::TaskMutation;
use crate::tasks::schema::TaskQuery;
use crate::units::schema::{UnitMutation, UnitQuery};
use crate::users::schema::{UserMutation, UserQuery};
use crate::webhooks::schema::{WebhookMutation, WebhookQuery};

// Merged in groups: a flat merge of every domain's part nests as deep as the list is long,
// past the compiler's default recursion limit for the resolvers' futures.

#[derive(MergedObject, Default)]
pub struct Query(RegistryQuery, WorkflowQuery, IntegrationQuery);

/// Who and what: accounts, units, leaders, documents, tasks, the audit trail.
#[derive(MergedObject, Default)]
pub struct RegistryQuery(
    node::NodeQuery,
    UserQuery,
    UnitQuery,
    LeaderQuery,
    DocumentQuery,
    TaskQuery,
    AuditQuery,
);

/// Reporting and its top: reports, obligations, reminders, extensions, receipts and hand-backs,
/// the escalation ladder, figures, notices, pages.
#[derive(MergedObject, Default)]
pub struct WorkflowQuery(
    ReportQuery,
    SignoffQuery,
    ContributionQuery,
    ObligationQuery,
    ReminderQuery,
    ExtensionQuery,
    HandoverQuery,
    EscalationQuery,
    MaterialQuery,
    ProposalQuery,
    StatsQuery,
    NoticeQuery,
    PageQuery,
);

/// Other systems: the change feed, API keys, webhooks, notifications.
#[derive(MergedObject, Default)]
pub struct IntegrationQuery(FeedQuery, ApiKeyQuery, WebhookQuery, NotifyQuery);

#[derive(MergedObject, Default)]
pub struct Mutation(RegistryMutation, WorkflowMutation, IntegrationMutation);

#[derive(MergedObject, Default)]
pub struct RegistryMutation(
    AuthMutation,
    UserMutation,
    UnitMutation,
    LeaderMutation,
    DocumentMutation,
    TaskMutation,
    ImportMutation,
    PeriodMutation,
    ProvenanceMutation,
);

#[derive(MergedObject, Default)]
pub struct WorkflowMutation(
    ReportMutation,
    SignoffMutation,
    ContributionMutation,
    ReminderMutation,
    ExtensionMutation,
    HandoverMutation,
    EscalationMutation,
    MaterialMutation,
    InstructionMutation,
    LedgerMutation,
    AttachmentMutation,
    ProposalMutation,
    FollowUpMutation,
    StatsMutation,
    NoticeMutation,
);

#[derive(MergedObject, Default)]
pub struct IntegrationMutation(
    ApiKeyMutation,
    WebhookMutation,
    IndicatorMutation,
    NotifyMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(LiveSubscription);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Limits that protect the server from expensive queries.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    /// Fields of an operation once its fragments are expanded (`graphql::budget`).
    pub max_fields: usize,
    pub max_aliases: usize,
    pub max_root_fields: usize,
    /// Whether introspection is answered, and field names suggested in errors (both tell the
    /// schema to whoever asks).
    pub introspection: bool,
}

impl Limits {
    /// No limit at all: for printing the SDL.
    pub fn none() -> Self {
        Self {
            max_depth: usize::MAX,
            max_complexity: usize::MAX,
            max_fields: usize::MAX,
            max_aliases: usize::MAX,
            max_root_fields: usize::MAX,
            introspection: true,
        }
    }
}

/// Root fields that act on the world or cost much more than a field, and how often each may
/// appear in one request (aliases and fragments included). One sign-in, refresh or password
/// change per request: each is a password guess or a session. A few uploads, imports,
/// submissions and figures: each is disk, a transaction or a pass over every obligation.
pub const PER_REQUEST: &[(&str, usize)] = &[
    ("login", 1),
    ("refreshToken", 1),
    ("logout", 1),
    ("changePassword", 1),
    ("createUser", 5),
    ("uploadAttachment", 5),
    ("previewImport", 1),
    ("commitImport", 1),
    ("submitReport", 5),
    ("saveReportDraft", 5),
    ("reportingFigures", 3),
    ("figuresBy", 3),
    ("ranking", 3),
    ("escalationFigures", 3),
    ("proposalFigures", 3),
    ("materialFigures", 3),
    ("draftNotice", 1),
    ("verifyNotice", 3),
    ("obligations", 3),
    ("myObligations", 3),
];

/// The schema's types and limits, without data or rules: for printing the SDL, and the base of
/// both schemas of `executor`.
pub fn builder(limits: Limits) -> SchemaBuilder<Query, Mutation, Subscription> {
    let builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    // Depth is the budget's: it spares the introspection fields, which async-graphql's own
    // limit does not (and the standard introspection query nests deeper than any real one).
    .limit_complexity(limits.max_complexity);
    if limits.introspection {
        builder
    } else {
        builder.disable_introspection().disable_suggestions()
    }
}

/// The schema as served, twice from one definition (`execution`): with every rule of a request
/// in one extension (`fields`), and lean, without it, for the queries none of its per-field
/// rules can touch. `data` gives both the same data.
///
/// The rules: the budget first, when a request is prepared, then the automatic persisted
/// queries, which check a query when it is registered so that a hash alone then runs that
/// checked document. The most recently used 256 queries are kept, in one store both paths read.
pub fn executor(
    limits: Limits,
    data: impl Fn(
        SchemaBuilder<Query, Mutation, Subscription>,
    ) -> SchemaBuilder<Query, Mutation, Subscription>,
) -> Executor {
    let budget = Arc::new(Budget {
        max_fields: limits.max_fields,
        max_depth: limits.max_depth,
        max_aliases: limits.max_aliases,
        max_root_fields: limits.max_root_fields,
        max_complexity: limits.max_complexity,
        per_root_field: PER_REQUEST,
    });
    let persisted = LruCacheStorage::new(256);
    let full =
        builder(limits).extension(fields::RequestRules::new(budget.clone(), persisted.clone()));
    // async-graphql's spans (a span per field) only when the log filter would keep them: the
    // default filter does not (`async_graphql=warn`). With them, every request takes the full
    // path: the lean one has no extension at all.
    let tracing = tracing::enabled!(target: "async_graphql::graphql", tracing::Level::INFO);
    let (full, lean) = if tracing {
        (full.extension(Tracing), None)
    } else {
        (full, Some(data(builder(limits)).finish()))
    };
    Executor::new(data(full).finish(), lean, budget, persisted)
}

/// The SDL of the schema, as checked into `schema.graphql`.
pub fn sdl() -> String {
    builder(Limits::none()).finish().sdl()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::scopes::{ApiScope, required};

    /// A root field that needs `admin` of a key is a decision, not a default: every query and
    /// subscription field is named in `auth::scopes::required` (mutations default to `admin`,
    /// which is what a write the table does not name should need).
    #[test]
    fn every_root_field_is_classified_for_api_keys() {
        let sdl = builder(Limits::none()).finish().sdl();
        let document = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
        let admin_on_purpose = [
            ("Query", "users"),
            ("Query", "auditLog"),
            ("Query", "apiKeys"),
            ("Query", "webhooks"),
            ("Query", "contacts"),
            ("Query", "notifications"),
        ];
        let mut unclassified = Vec::new();
        for definition in document.definitions {
            let async_graphql::parser::types::TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let name = ty.node.name.node.to_string();
            let async_graphql::parser::types::TypeKind::Object(object) = &ty.node.kind else {
                continue;
            };
            if !["Query", "Subscription"].contains(&name.as_str()) {
                continue;
            }
            for field in &object.fields {
                let field = field.node.name.node.to_string();
                if required(&name, &field) == Some(ApiScope::Admin)
                    && !admin_on_purpose.contains(&(name.as_str(), field.as_str()))
                {
                    unclassified.push(format!("{name}.{field}"));
                }
            }
        }
        assert!(
            unclassified.is_empty(),
            "classify these for API keys: {unclassified:?}"
        );
    }
}
