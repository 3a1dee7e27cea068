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
//! So a document of queries only, sent without uploads by a signed-in user (not an API key),
//! whose text the budget accepts (or whose hash is known), runs first on the lean schema: the
//! same types, limits and data, no extension. Its response is the answer when it has no error
//! at all, for then the rules would not have changed a byte of it. Otherwise the request runs
//! again, from what the client sent, on the full schema, and that response is the answer: what
//! a failed field looks like is decided in one place. A query changes nothing (it is what
//! `GET /graphql` serves), so running it twice is safe; it costs twice only when it fails.
//!
//! Invariant 26 of ARCHITECTURE.md: the lean build is a private field of `Executor`, and
//! `execute` is the one place that runs a request on it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::extensions::apollo_persisted_queries::{CacheStorage, LruCacheStorage};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Data, Request, Response};

use super::AppSchema;
use super::parsed::KeptDocuments;
use crate::auth::AuthState;
use crate::error::AppError;
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
    /// Neither: the request was refused before it ran (too large).
    Refused,
}

impl Execution {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lean => "lean",
            Self::Full => "full",
            Self::FullAfterLean => "full_after_lean",
            Self::Refused => "refused",
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
    /// Documents parsed before, by their text (`parse`).
    parsed: KeptDocuments,
}

impl Executor {
    /// `full` carries the rules built from `budget` and `persisted`; `lean` is the same schema
    /// without them.
    pub(super) fn new(
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
            parsed: KeptDocuments::new(),
        }
    }

    /// Gives `request` the document of its query, kept or parsed now (`parsed`).
    pub fn parse(&self, request: &mut Request) {
        self.parsed.parse(request);
    }

    /// The document a request's persisted-query hash stands for, when the request sends a hash
    /// alone and the hash is known.
    pub async fn persisted(&self, request: &Request) -> Option<ExecutableDocument> {
        if !request.query.is_empty() {
            return None;
        }
        let hash = persisted_hash(request.extensions.get("persistedQuery")?)?;
        self.persisted.get(hash).await
    }

    /// The schema with its rules: for subscriptions, which run on it only.
    pub fn full(&self) -> &AppSchema {
        &self.full
    }

    /// Runs `request` for `auth`, each run within `timeout`; `data` makes the request's data
    /// (its loader, its principal), once per run.
    pub async fn execute(
        &self,
        mut request: Request,
        auth: &AuthState,
        data: impl Fn() -> Data,
        timeout: Duration,
    ) -> (Response, Execution) {
        let lean = match &self.lean {
            Some(lean) if may_run_lean(auth, &request) => lean,
            _ => {
                return (
                    self.run_full(request, data(), timeout).await,
                    Execution::Full,
                );
            }
        };
        let again = resend(&request);
        let persisted = request.extensions.contains_key("persistedQuery");
        if !self.prepare(&mut request).await {
            return (
                self.run_full(request, data(), timeout).await,
                Execution::Full,
            );
        }
        // A persisted query runs again from the document found by its hash: the store may have
        // let it go by then.
        let found = persisted
            .then(|| request.parsed_query().ok().cloned())
            .flatten();
        request.data = data();
        // A lean run stopped by the timeout is not run again: it would take as long.
        let Some(response) = within(timeout, lean.execute(request)).await else {
            return (timed_out(timeout), Execution::Lean);
        };
        if response.errors.is_empty() {
            return (response, Execution::Lean);
        }
        // The second run has a timeout of its own: a query that fails is not cut short for
        // having run twice.
        let again = again(data(), found);
        let response = within(timeout, self.full.execute(again)).await;
        (
            response.unwrap_or_else(|| timed_out(timeout)),
            Execution::FullAfterLean,
        )
    }

    async fn run_full(&self, mut request: Request, data: Data, timeout: Duration) -> Response {
        request.data = data;
        within(timeout, self.full.execute(request))
            .await
            .unwrap_or_else(|| timed_out(timeout))
    }

    /// Readies `request` for the lean schema as the rules would (its persisted query looked up,
    /// its budget checked), and says whether it may run there: every operation of its document
    /// a query. A request refused here runs on the full path, which refuses it in its words.
    async fn prepare(&self, request: &mut Request) -> bool {
        if request.extensions.contains_key("persistedQuery") {
            // A registration (text and hash) is the full path's to check and keep.
            if !request.query.is_empty() {
                return false;
            }
            let Some(document) = self.persisted(request).await else {
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

/// What the client sent, to run again on the full schema: with the run's data, and with the
/// document found in place of a persisted query's hash when given.
fn resend(request: &Request) -> impl FnOnce(Data, Option<ExecutableDocument>) -> Request + use<> {
    let query = request.query.clone();
    let operation_name = request.operation_name.clone();
    let variables = request.variables.clone();
    let extensions = request.extensions.clone();
    let introspection_mode = request.introspection_mode;
    move |data, document| {
        let mut request = Request::new(query).variables(variables);
        request.operation_name = operation_name;
        request.extensions = extensions;
        request.introspection_mode = introspection_mode;
        request.data = data;
        if let Some(document) = document {
            request.extensions.remove("persistedQuery");
            request.set_parsed_query(document);
        }
        request
    }
}

/// `run`'s response, or `None` when it ran longer than `timeout` (its work dropped, and a
/// transaction it held rolled back).
async fn within(timeout: Duration, run: impl Future<Output = Response>) -> Option<Response> {
    tokio::time::timeout(timeout, run).await.ok()
}

/// The answer to a request stopped after `timeout`.
fn timed_out(timeout: Duration) -> Response {
    Response::from_errors(vec![
        async_graphql::Error::from(AppError::Unavailable(format!(
            "the request ran longer than {} ms and was stopped; ask for less",
            timeout.as_millis()
        )))
        .into_server_error(Default::default()),
    ])
}

/// Whether nothing about who asks or what they sent needs the rules on every field.
fn may_run_lean(auth: &AuthState, request: &Request) -> bool {
    // Signed out, nearly every query fails (`UNAUTHENTICATED`) and would run twice.
    let principal_without_key = match auth {
        AuthState::Authenticated(principal) => principal.key.is_none(),
        AuthState::Anonymous | AuthState::Invalid(_) => false,
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
