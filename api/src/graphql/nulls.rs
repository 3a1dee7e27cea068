//! Null propagation as the GraphQL spec says it: a field whose resolver failed is `null` in
//! `data`, with its error; when the field is non-null, the null moves up to the nearest
//! nullable field, or makes `data` itself null.
//!
//! async-graphql instead leaves the failed field's key out of its parent (and drops a failing
//! non-null field's siblings' parent key the same way), so a client typed from the schema holds
//! an object without a field the schema promises. `Caught` catches the error at every
//! nullable field (`ResolveInfo::return_type` has no trailing `!`), answers `null` there and
//! keeps the error for the response; a non-null field's error passes on to its parent, as the
//! spec wants. An error that reaches the root (a non-null root field) makes `data` null.
//!
//! Subscriptions run their events without the `execute` hook: there a failed nullable field is
//! null and its error is not sent.

use std::sync::Mutex;

use async_graphql::{Response, ServerError, ServerResult, Value};

/// The errors caught at nullable fields of one request, for its response. The schema's
/// per-field extension (`schema::fields`) holds one per request and calls `field` with each
/// field's result, and `finish` with the response.
#[derive(Default)]
pub struct Caught(Mutex<Vec<ServerError>>);

impl Caught {
    /// A field's result as its parent sees it: a failed nullable field is null, its error kept.
    /// `return_type` is the field's (`ResolveInfo::return_type`).
    pub fn field(
        &self,
        return_type: &str,
        result: ServerResult<Option<Value>>,
    ) -> ServerResult<Option<Value>> {
        let nullable = !return_type.ends_with('!');
        match result {
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

    /// The response with the errors caught, in the order of the query.
    pub fn finish(&self, mut response: Response) -> Response {
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
