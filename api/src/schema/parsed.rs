//! The parsed documents of the query texts the server has been sent, kept so that a text sent
//! again is not parsed again (`KeptDocuments`, which `schema::execution::Executor` holds).
//! "Document" here is GraphQL's (an operation's parsed text), not a notice (`crate::documents`).
//!
//! An application sends the same few queries over and over, and parsing was the largest share
//! of the server's own work on a small query (`perf` of task by id: pest and the parser at 13 %
//! of its CPU, against a copy of the kept document). A request runs on its own copy: the
//! operation it names, its variables and async-graphql's checks (depth, directives,
//! validation, the budget) are applied per request, as before. The bound is on what the
//! documents hold (`weight`), not on their text, as anyone may send a text.

use std::sync::Arc;

use async_graphql::Request;
use async_graphql::parser::Positioned;
use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use async_graphql_value::{Name, Value};

/// The longest query text whose document is kept: an application's queries are a few hundred
/// bytes to a few kilobytes each.
const KEPT_TEXT_BYTES: usize = 16 << 10;
/// What the kept documents may hold in all, by `weight`'s estimate: a few hundred of an
/// application's queries, or two of the largest texts made of nothing but fields.
const KEPT_DOCUMENTS_BYTES: u64 = 4 << 20;
/// A parsed node's share of memory in `weight`: about what async-graphql's parser allocates for
/// a field (its `Positioned` item, name, argument and directive vectors, selection set).
const NODE_BYTES: usize = 256;

/// Documents parsed before, by their text.
#[derive(Clone)]
pub struct KeptDocuments(moka::sync::Cache<String, Arc<ExecutableDocument>>);

impl KeptDocuments {
    pub fn new() -> Self {
        Self(
            moka::sync::Cache::builder()
                .max_capacity(KEPT_DOCUMENTS_BYTES)
                .weigher(|text: &String, document: &Arc<ExecutableDocument>| weight(text, document))
                .build(),
        )
    }

    /// Gives `request` the document of its query: the one parsed for the same text before, else
    /// parsed now and kept. A query that does not parse is left as it came: it fails later with
    /// its syntax error.
    pub fn parse(&self, request: &mut Request) {
        if request.query.is_empty() || request.query.len() > KEPT_TEXT_BYTES {
            return;
        }
        if let Some(document) = self.0.get(request.query.as_str()) {
            request.set_parsed_query(ExecutableDocument::clone(&document));
        } else if let Ok(document) = request.parsed_query() {
            let document = Arc::new(document.clone());
            self.0.insert(request.query.clone(), document);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(documents: &KeptDocuments, text: &str) -> Request {
        let mut request = Request::new(text);
        documents.parse(&mut request);
        documents.0.run_pending_tasks();
        request
    }

    #[test]
    fn a_query_text_is_kept_once_and_its_copies_are_the_document() {
        let documents = KeptDocuments::new();
        let text = "query Kept($id: ID!) { task(id: $id) { seq } } query Other { me { id } }";
        let mut first = parsed(&documents, text);
        let mut again = parsed(&documents, text);
        assert_eq!(documents.0.entry_count(), 1);
        let document = |request: &mut Request| format!("{:?}", request.parsed_query().unwrap());
        assert_eq!(document(&mut first), document(&mut again));
        assert!(document(&mut again).contains("Other"));

        // Neither a text that does not parse nor one longer than the bound is kept.
        let mut broken = parsed(&documents, "query { task(id: ");
        assert!(broken.parsed_query().is_err());
        let long = format!("{{ __typename }} #{}", "x".repeat(KEPT_TEXT_BYTES));
        assert!(parsed(&documents, &long).parsed_query().is_ok());
        assert_eq!(documents.0.entry_count(), 1);
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
