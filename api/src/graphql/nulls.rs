//! Null propagation as the GraphQL spec says it: a field whose resolver failed is `null` in
//! `data`, with its error; when the field is non-null, the null moves up to the nearest
//! nullable field, or makes `data` itself null.
//!
//! async-graphql instead leaves the failed field's key out of its parent (and drops a failing
//! non-null field's siblings' parent key the same way), so a client typed from the schema holds
//! an object without a field the schema promises. This extension catches the error at every
//! nullable field (`ResolveInfo::return_type` has no trailing `!`), answers `null` there and
//! keeps the error for the response; a non-null field's error passes on to its parent, as the
//! spec wants. An error that reaches the root (a non-null root field) makes `data` null.
//!
//! Subscriptions run their events without the `execute` hook: there a failed nullable field is
//! null and its error is not sent.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, ResolveInfo,
};
use async_graphql::{Response, ServerError, ServerResult, Value};

/// The extension (one instance per request).
pub struct NullPropagation;

impl ExtensionFactory for NullPropagation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Caught::default())
    }
}

/// The errors caught at nullable fields of one request, for its response.
#[derive(Default)]
struct Caught(Mutex<Vec<ServerError>>);

#[async_graphql::async_trait::async_trait]
impl Extension for Caught {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let nullable = !info.return_type.ends_with('!');
        match next.run(ctx, info).await {
            Err(error) if nullable => {
                match self.0.lock() {
                    Ok(mut caught) => caught.push(error),
                    Err(_) => tracing::error!(message = %error.message, "an error was lost"),
                }
                Ok(Some(Value::Null))
            }
            other => other,
        }
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        // An error nobody caught reached the root: a non-null root field failed.
        let reached_root = response.errors.iter().any(|error| !error.path.is_empty());
        if reached_root {
            response.data = Value::Null;
        }
        if let Ok(mut caught) = self.0.lock() {
            response.errors.append(&mut caught);
        }
        response
            .errors
            .sort_by_key(|error| error.locations.first().map(|pos| (pos.line, pos.column)));
        response
    }
}
