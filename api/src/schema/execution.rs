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
use async_graphql::parser::Positioned;
use async_graphql::parser::types::{
    Directive, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{Data, Request, Response};
use async_graphql_value::{Name, Value};

use super::AppSchema;
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
    documents: moka::sync::Cache<String, Arc<ExecutableDocument>>,
}

/// The longest query text whose document is kept: an application's queries are a few hundred
/// bytes to a few kilobytes each.
const KEPT_TEXT_BYTES: usize = 16 << 10;
/// What the kept documents may hold in all, by `weight`'s estimate: a few hundred of an
/// application's queries, or two of the largest texts made of nothing but fields.
const KEPT_DOCUMENTS_BYTES: u64 = 4 << 20;
/// A parsed node's share of memory in `weight`: about what async-graphql's parser allocates for
/// a field (its `Positioned` item, name, argument and directive vectors, selection set).
const NODE_BYTES: usize = 256;

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
            documents: moka::sync::Cache::builder()
                .max_capacity(KEPT_DOCUMENTS_BYTES)
                .weigher(|text: &String, document: &Arc<ExecutableDocument>| weight(text, document))
                .build(),
        }
    }

    /// Gives `request` the document of its query: the one parsed for the same text before, else
    /// parsed now and kept. An application sends the same few queries over and over, and
    /// parsing was the largest share of the server's own work on a small query (`perf` of task
    /// by id: pest and the parser at 13 % of its CPU, against a copy of the kept document). A
    /// query that does not parse is left as it came: it fails later with its syntax error.
    pub fn parse(&self, request: &mut Request) {
        if request.query.is_empty() || request.query.len() > KEPT_TEXT_BYTES {
            return;
        }
        if let Some(document) = self.documents.get(request.query.as_str()) {
            request.set_parsed_query(ExecutableDocument::clone(&document));
        } else if let Ok(document) = request.parsed_query() {
            let document = Arc::new(document.clone());
            self.documents.insert(request.query.clone(), document);
        }
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

/// An estimate of what `document`, parsed from `text`, holds in memory: its text and
/// `NODE_BYTES` for each selection, argument, value, directive and variable. The bound on the
/// kept documents is in these terms, not in bytes of text: a 16 KiB text of bare fields
/// (`{ a a a … }`) parses into some 8,000 of them, about 2 MiB. Iterative, as a text of 16 KiB
/// may nest thousands deep before async-graphql's depth check refuses it.
fn weight(text: &str, document: &ExecutableDocument) -> u32 {
    let mut stack: Vec<Parsed<'_>> = Vec::new();
    let mut nodes = 0_usize;
    for (_, operation) in document.operations.iter() {
        nodes += operation.node.variable_definitions.len();
        nodes += directives(&operation.node.directives, &mut stack);
        stack.push(Parsed::Selections(&operation.node.selection_set.node));
    }
    for fragment in document.fragments.values() {
        nodes += directives(&fragment.node.directives, &mut stack);
        stack.push(Parsed::Selections(&fragment.node.selection_set.node));
    }
    while let Some(node) = stack.pop() {
        nodes += match node {
            Parsed::Selections(set) => {
                set.items.len()
                    + set
                        .items
                        .iter()
                        .map(|item| match &item.node {
                            Selection::Field(field) => {
                                stack.push(Parsed::Selections(&field.node.selection_set.node));
                                arguments(&field.node.arguments, &mut stack)
                                    + directives(&field.node.directives, &mut stack)
                            }
                            Selection::FragmentSpread(spread) => {
                                directives(&spread.node.directives, &mut stack)
                            }
                            Selection::InlineFragment(inline) => {
                                stack.push(Parsed::Selections(&inline.node.selection_set.node));
                                directives(&inline.node.directives, &mut stack)
                            }
                        })
                        .sum::<usize>()
            }
            Parsed::Value(Value::List(items)) => {
                stack.extend(items.iter().map(Parsed::Value));
                items.len()
            }
            Parsed::Value(Value::Object(fields)) => {
                stack.extend(fields.values().map(Parsed::Value));
                fields.len()
            }
            Parsed::Value(_) => 0,
        };
    }
    let bytes = text.len().saturating_add(nodes.saturating_mul(NODE_BYTES));
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

/// A part of a parsed document still to be counted by `weight`.
enum Parsed<'a> {
    Selections(&'a SelectionSet),
    Value(&'a Value),
}

/// The count of `arguments`, their values left on `stack`.
fn arguments<'a>(
    arguments: &'a [(Positioned<Name>, Positioned<Value>)],
    stack: &mut Vec<Parsed<'a>>,
) -> usize {
    stack.extend(
        arguments
            .iter()
            .map(|(_, value)| Parsed::Value(&value.node)),
    );
    arguments.len()
}

/// The count of `directives` and their arguments, the arguments' values left on `stack`.
fn directives<'a>(directives: &'a [Positioned<Directive>], stack: &mut Vec<Parsed<'a>>) -> usize {
    directives.len()
        + directives
            .iter()
            .map(|directive| arguments(&directive.node.arguments, stack))
            .sum::<usize>()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Limits, executor};

    fn parsed(executor: &Executor, text: &str) -> Request {
        let mut request = Request::new(text);
        executor.parse(&mut request);
        executor.documents.run_pending_tasks();
        request
    }

    #[test]
    fn a_query_text_is_kept_once_and_its_copies_are_the_document() {
        let executor = executor(Limits::none(), |builder| builder);
        let text = "query Kept($id: ID!) { task(id: $id) { seq } } query Other { me { id } }";
        let mut first = parsed(&executor, text);
        let mut again = parsed(&executor, text);
        assert_eq!(executor.documents.entry_count(), 1);
        let document = |request: &mut Request| format!("{:?}", request.parsed_query().unwrap());
        assert_eq!(document(&mut first), document(&mut again));
        assert!(document(&mut again).contains("Other"));

        // Neither a text that does not parse nor one longer than the bound is kept.
        let mut broken = parsed(&executor, "query { task(id: ");
        assert!(broken.parsed_query().is_err());
        let long = format!("{{ __typename }} #{}", "x".repeat(KEPT_TEXT_BYTES));
        assert!(parsed(&executor, &long).parsed_query().is_ok());
        assert_eq!(executor.documents.entry_count(), 1);
    }

    fn weighed(text: &str) -> usize {
        let document = async_graphql::parser::parse_query(text).unwrap();
        weight(text, &document) as usize
    }

    #[test]
    fn a_document_weighs_its_nodes_and_its_text() {
        // A variable, `task`, its argument, `id`, `seq`.
        let small = "query($id: ID!) { task(id: $id) { id seq } }";
        assert_eq!(weighed(small), small.len() + 5 * NODE_BYTES);
        // `tasks`, `filter`, its two fields, their three items, `@include`, `if`, `id`.
        let values =
            r#"{ tasks(filter: { ids: ["a", "b"], status: [OPEN] }) @include(if: true) { id } }"#;
        assert_eq!(weighed(values), values.len() + 10 * NODE_BYTES);
        // A fragment counts where it is defined and where it is spread.
        let fragment = "{ me { ...F } } fragment F on User { id }";
        assert_eq!(weighed(fragment), fragment.len() + 3 * NODE_BYTES);

        // The largest kept text of bare fields weighs what its fields hold, not its 16 KiB.
        let fields = format!("{{ {} }}", "a ".repeat(KEPT_TEXT_BYTES / 2 - 2));
        assert!(fields.len() <= KEPT_TEXT_BYTES);
        assert!(weighed(&fields) > 2_000_000, "{}", weighed(&fields));
        // Nesting is counted without recursion.
        let depth = KEPT_TEXT_BYTES / 4;
        let nested = format!("{}{}", "{ a ".repeat(depth), "}".repeat(depth));
        if let Ok(document) = async_graphql::parser::parse_query(&nested) {
            assert_eq!(
                weight(&nested, &document) as usize,
                nested.len() + depth * NODE_BYTES
            );
        }
    }
}
