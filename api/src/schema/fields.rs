//! The rules applied to every field a request resolves, in one extension: a key's scope
//! (`auth::scopes::refusal`), null propagation (`graphql::nulls::Caught`) and the principal
//! cache after a mutation (`auth::cache::after_field`).
//!
//! One extension and not one each because async-graphql wraps every field's resolution in a
//! boxed future per extension: a page of 50 tasks resolves thousands of fields, and at a
//! province's scale the wrapped futures of the requests in flight were the largest share of the
//! heap at its peak (heaptrack, 16 connections: about 25 MB of 110 MB in the three rules' and
//! the tracing extension's layers).
//!
//! Order: the scope is checked first, and a refusal is caught like any error (a field a key may
//! not read is null with its error, when it is nullable); the cache moves after the field has
//! resolved, its mutation committed.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, ResolveInfo,
};
use async_graphql::{Response, ServerResult, Value};

use crate::graphql::nulls::Caught;

/// The extension's factory: one instance per request, for its caught errors.
pub struct FieldRules;

impl ExtensionFactory for FieldRules {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerRequest::default())
    }
}

#[derive(Default)]
struct PerRequest {
    caught: Caught,
}

#[async_graphql::async_trait::async_trait]
impl Extension for PerRequest {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // What the rules need of the field once it has run (`info` goes to the resolver).
        let (parent_type, name, return_type) = (info.parent_type, info.name, info.return_type);
        let result = match crate::auth::scopes::refusal(ctx, &info) {
            Some(refusal) => Err(refusal),
            None => {
                let result = next.run(ctx, info).await;
                crate::auth::cache::after_field(ctx, parent_type, name);
                result
            }
        };
        self.caught.field(return_type, result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        self.caught.finish(next.run(ctx, operation_name).await)
    }
}
