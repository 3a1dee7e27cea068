//! The schema's one extension: every rule async-graphql runs a request through, in one
//! extension. When a request is prepared, the budget (`graphql::budget`) and then the automatic
//! persisted queries (async-graphql's own, which this extension delegates to); after validation,
//! the complexity for the budget's report; on every field, a key's scope
//! (`auth::scopes::refusal`), null propagation (`graphql::nulls::Caught`), the request's loader
//! told when a mutation begins and when its operation ends (`graphql::context::mutation_began`,
//! `mutations_ended`: its payload reads nothing the process keeps) and the principal and
//! reference caches moved after a mutation (`auth::cache::after_field`,
//! `reference_cache::after_field`); on every subscription response, the errors as clients see
//! them (`error::subscription_response`).
//!
//! A query none of the per-field rules can touch runs without this extension at all, on the
//! lean schema (`execution`), which then does the budget's and the persisted queries' work
//! itself.
//!
//! One extension and not one each because async-graphql wraps every field's resolution in a
//! boxed future per registered extension, whether or not it has a hook for fields: a page of
//! 50 tasks resolves thousands of fields. At a province's scale the wrapped futures of the
//! requests in flight were the largest share of the heap at its peak (heaptrack, 16
//! connections: about 25 MB of 110 MB in the three field rules' and the tracing extension's
//! layers), and with four extensions their layers were a fifth of the server's CPU on a page of
//! tasks (`perf`).
//!
//! Order: the budget checks a document before the persisted queries register it; the scope is
//! checked first on a field, and a refusal is caught like any error (a field a key may not read
//! is null with its error, when it is nullable); the cache moves after the field has resolved,
//! its mutation committed; the cost is reported on the response after null propagation.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::extensions::apollo_persisted_queries::{
    ApolloPersistedQueries, LruCacheStorage,
};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest, NextResolve,
    NextSubscribe, NextValidation, ResolveInfo,
};
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Value};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use crate::graphql::budget::{Budget, BudgetCheck};
use crate::graphql::nulls::Caught;

/// The extension's factory, built once with the schema (`schema::executor`): one instance per
/// request.
pub struct RequestRules {
    budget: Arc<Budget>,
    persisted: ApolloPersistedQueries<LruCacheStorage>,
}

impl RequestRules {
    /// The rules with `budget`, keeping automatic persisted queries in `persisted` (Apollo's
    /// link and urql's send the hash of a query they sent before instead of its text).
    pub fn new(budget: Arc<Budget>, persisted: LruCacheStorage) -> Self {
        Self {
            budget,
            persisted: ApolloPersistedQueries::new(persisted),
        }
    }
}

impl ExtensionFactory for RequestRules {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerRequest {
            budget: BudgetCheck::new(self.budget.clone()),
            persisted: self.persisted.create(),
            caught: Caught::default(),
            mutation_fields: AtomicUsize::new(0),
        })
    }
}

struct PerRequest {
    budget: BudgetCheck,
    /// async-graphql's persisted queries, whose hook this one's calls.
    persisted: Arc<dyn Extension>,
    caught: Caught,
    /// The mutation fields this operation has begun, for the loader once it ends.
    mutation_fields: AtomicUsize,
}

#[async_graphql::async_trait::async_trait]
impl Extension for PerRequest {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let request = self.budget.prepare(request)?;
        self.persisted.prepare_request(ctx, request, next).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        self.budget.validated(&result);
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = self.caught.finish(next.run(ctx, operation_name).await);
        let mutations = self.mutation_fields.swap(0, Ordering::SeqCst);
        if mutations > 0 {
            crate::graphql::context::mutations_ended(ctx, mutations);
        }
        self.budget.finish(response)
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // What the rules need of the field once it has run (`info` goes to the resolver).
        let (parent_type, name, return_type) = (info.parent_type, info.name, info.return_type);
        if parent_type == "Mutation" {
            self.mutation_fields.fetch_add(1, Ordering::SeqCst);
            crate::graphql::context::mutation_began(ctx);
        }
        let result = match crate::auth::scopes::refusal(ctx, &info) {
            Some(refusal) => Err(refusal),
            None => {
                let result = next.run(ctx, info).await;
                crate::auth::cache::after_field(ctx, parent_type, name);
                crate::reference_cache::after_field(ctx, parent_type, name);
                result
            }
        };
        self.caught.field(return_type, result)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(crate::error::subscription_response)
            .boxed()
    }
}
