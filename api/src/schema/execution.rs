//! How a GraphQL request runs: on the schema with its rules (`fields::RequestRules`), or on the
//! same schema without them when none of their per-field work can apply.
//!
//! Once any extension is registered, async-graphql wraps *every* field of every request in the
//! extensions' field hook (`extensions.is_empty()` in its container and list resolvers): a
//! boxed future per field, the field's type looked up in the registry, and for every item of a
//! list the list's type name formatted anew. A unit's page of 50 tasks with their units,
//! leaders and reports is some 2,500 fields, and that wrapping was the largest single share of
//! the server's CPU on it (`perf`: the hook, its chain and their allocations). Of the rules,
//! three act on fields, and each only on some requests:
//!
//! - a key's scopes: only for a principal signed in with an API key;
//! - the caches moved after a mutation: only for mutations;
//! - the spec's null propagation: only when a field fails.
//!
//! The others run once per request, and the lean path runs them itself: the budget, and the
//! lookup of an automatic persisted query by its hash (in the store the full path's extension
//! keeps). A report of the cost (`"extensions": {"cost": true}`) needs async-graphql's
//! validation figures, which only the extension sees: such a request takes the full path.
//!
//! So a document of queries only, sent without uploads by a principal that is not an API key,
//! whose text the budget accepts (or whose hash is known), runs first on the lean schema: the
//! same types, limits and data, no extension. Its response is the answer when it has no error
//! at all, for then the rules would not have changed a byte of it. Otherwise the request runs
//! again, from what the client sent, on the full schema, and that response is the answer: what
//! a failed field looks like is decided in one place. A query changes nothing (it is what
//! `GET /graphql` serves), so running it twice is safe; it costs twice only when it fails.
//!
//! Invariant 26 of ARCHITECTURE.md: the lean build is a private field of `Executor`, and
//! `execute` is the one place that runs a request on it.

use std::sync::Arc;

use async_graphql::extensions::apollo_persisted_queries::{CacheStorage, LruCacheStorage};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Request, Response};

use super::AppSchema;
use crate::auth::AuthState;
use crate::graphql::budget::{self, Budget};

/// The schema a request ran on, for the metrics and the request log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Execution {
    /// The lean schema, and its answer was sent.
    Lean,
    /// The full schema, directly.
    Full,
    /// The lean schema first; a field failed, so the full schema again.
    FullAfterLean,
}

impl Execution {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lean => "lean",
            Self::Full => "full",
            Self::FullAfterLean => "full_after_lean",
        }
    }
}

/// The two schemas and what the lean path needs of the rules.
#[derive(Clone)]
pub struct Executor {
    full: AppSchema,
    /// `None` when async-graphql's tracing is on: its spans are per field, so every request
    /// takes the full path.
    lean: Option<AppSchema>,
    budget: Arc<Budget>,
    persisted: LruCacheStorage,
}

impl Executor {
    /// `full` carries the rules built from `budget` and `persisted`; `lean` is the same schema
    /// without them.
    pub fn new(
        full: AppSchema,
        lean: Option<AppSchema>,
        budget: Arc<Budget>,
        persisted: LruCacheStorage,
    ) -> Self {
        Self {
            full,
            lean,
            budget,
            persisted,
        }
    }

    /// The schema with its rules: for subscriptions, which run on it only.
    pub fn full(&self) -> &AppSchema {
        &self.full
    }

    /// Runs `request` for `auth`; `data` makes the request's data (its loader, its principal),
    /// once per run.
    pub async fn execute(
        &self,
        mut request: Request,
        auth: &AuthState,
        data: impl Fn() -> Data,
    ) -> (Response, Execution) {
        let lean = match &self.lean {
            Some(lean) if may_run_lean(auth, &request) => lean,
            _ => return (self.run_full(request, data()).await, Execution::Full),
        };
        let again = resend(&request);
        if !self.prepare(&mut request).await {
            return (self.run_full(request, data()).await, Execution::Full);
        }
        request.data = data();
        let response = lean.execute(request).await;
        if response.errors.is_empty() {
            return (response, Execution::Lean);
        }
        let again = self.full.execute(again(data())).await;
        (again, Execution::FullAfterLean)
    }

    async fn run_full(&self, mut request: Request, data: Data) -> Response {
        request.data = data;
        self.full.execute(request).await
    }

    /// Readies `request` for the lean schema as the rules would (its persisted query looked up,
    /// its budget checked), and says whether it may run there: every operation of its document
    /// a query. A request refused here runs on the full path, which refuses it in its words.
    async fn prepare(&self, request: &mut Request) -> bool {
        if let Some(persisted) = request.extensions.get("persistedQuery") {
            // A registration (text and hash) is the full path's to check and keep.
            if !request.query.is_empty() {
                return false;
            }
            let Some(hash) = persisted_hash(persisted) else {
                return false;
            };
            let Some(document) = self.persisted.get(hash).await else {
                return false;
            };
            request.extensions.remove("persistedQuery");
            request.set_parsed_query(document);
        } else {
            let operation_name = request.operation_name.clone();
            let Ok(document) = request.parsed_query() else {
                return false;
            };
            if self
                .budget
                .check(document, operation_name.as_deref())
                .is_err()
            {
                return false;
            }
        }
        request.parsed_query().is_ok_and(|document| {
            document
                .operations
                .iter()
                .all(|(_, operation)| operation.node.ty == OperationType::Query)
        })
    }
}

/// What the client sent, to run again on the full schema with fresh data.
fn resend(request: &Request) -> impl FnOnce(Data) -> Request + use<> {
    let query = request.query.clone();
    let operation_name = request.operation_name.clone();
    let variables = request.variables.clone();
    let extensions = request.extensions.clone();
    let introspection_mode = request.introspection_mode;
    move |data| {
        let mut request = Request::new(query).variables(variables);
        request.operation_name = operation_name;
        request.extensions = extensions;
        request.introspection_mode = introspection_mode;
        request.data = data;
        request
    }
}

/// Whether nothing about who asks or what they sent needs the rules on every field.
fn may_run_lean(auth: &AuthState, request: &Request) -> bool {
    let principal_without_key = match auth {
        AuthState::Authenticated(principal) => principal.key.is_none(),
        AuthState::Anonymous => true,
        AuthState::Invalid(_) => false,
    };
    principal_without_key && request.uploads.is_empty() && !budget::asks_cost(request)
}

/// The hash of an automatic persisted query (`{"version": 1, "sha256Hash": "…"}`).
fn persisted_hash(extension: &async_graphql::Value) -> Option<String> {
    let async_graphql::Value::Object(fields) = extension else {
        return None;
    };
    let version = fields.get("version")?;
    if *version != async_graphql::Value::from(1) {
        return None;
    }
    match fields.get("sha256Hash")? {
        async_graphql::Value::String(hash) => Some(hash.clone()),
        _ => None,
    }
}
