//! The request budget: what one GraphQL document may ask for, checked right after parsing and
//! before anything else runs (async-graphql's own checks, validation, complexity, execution).
//!
//! A document is small on the wire but can be enormous once its fragments are expanded: ten
//! fragments that each spread the previous one twice are a thousand fields, twenty-six are
//! sixty-seven million, and async-graphql's own validation (complexity, depth, overlapping
//! fields) walks the expanded form. So the size is computed here first, in one pass over the
//! document with each fragment's size memoised (linear in the text, whatever it expands to), with
//! saturating arithmetic, and the request is refused above the limit before anything expensive
//! happens. The same pass counts aliases, root fields, and each root field by name, so that
//! side-effecting or costly fields (`login`, `uploadAttachment`, `reportingFigures`…) run at
//! most a few times per request whatever the aliases say.
//!
//! Every operation of the document is checked, not only the one the request names: the
//! conservative choice, and it needs no operation name.
//!
//! A request with `"extensions": {"cost": true}` is told what it cost against each limit, in
//! the response's `extensions.cost` (`{"complexity": {"used": 41, "limit": 10000}, "depth": …}`):
//! what a client tunes its queries by.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Positioned, Request, ServerError, ServerResult};
use async_graphql::{Response, ValidationResult};

/// The limits of one document.
#[derive(Clone, Debug)]
pub struct Budget {
    /// Fields in an operation once its fragments are expanded.
    pub max_fields: usize,
    /// Nesting of fields (`{ a { b } }` is 2), not counting the introspection fields
    /// `__schema` and `__type`: the standard introspection query that GraphiQL, IDE plugins and
    /// code generators send nests type references nine deep, and costs little.
    pub max_depth: usize,
    /// Aliased fields in an operation, once its fragments are expanded.
    pub max_aliases: usize,
    /// Fields at the root of an operation.
    pub max_root_fields: usize,
    /// The complexity limit async-graphql applies after validation; here to be reported.
    pub max_complexity: usize,
    /// How many times a root field may appear in one operation, by name; fields not named here
    /// may appear up to `max_root_fields` times.
    pub per_root_field: &'static [(&'static str, usize)],
}

/// What a document asks for, counted over its expanded form.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Cost {
    pub fields: usize,
    /// Deepest nesting of fields.
    pub depth: usize,
    /// The same, counting a `__schema` or `__type` field of this level as nothing: at an
    /// operation's root, the depth the limit applies to.
    pub depth_beside_introspection: usize,
    pub aliases: usize,
    pub root_fields: usize,
    /// Root fields by name.
    pub roots: HashMap<String, usize>,
}

impl Budget {
    /// Checks every operation of `document`, returning the first excess found, or the cost of
    /// the operation the request runs (`operation_name`, or the only one).
    pub fn check(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
    ) -> Result<Option<Cost>, String> {
        let mut sizes = Sizes::new(document);
        let mut runs = None;
        for (name, operation) in operations(document) {
            let cost = sizes.cost(&operation.node.selection_set.node);
            self.within(&cost)?;
            if name.is_none() || name == operation_name {
                runs = Some(cost);
            }
        }
        Ok(runs)
    }

    fn within(&self, cost: &Cost) -> Result<(), String> {
        if cost.fields > self.max_fields {
            return Err(format!(
                "the operation asks for {} fields once its fragments are expanded; at most {} \
                 are served in one request",
                shown(cost.fields),
                self.max_fields
            ));
        }
        if cost.depth_beside_introspection > self.max_depth {
            return Err(format!(
                "the operation nests fields {} deep; at most {} are served",
                cost.depth_beside_introspection, self.max_depth
            ));
        }
        for (name, limit) in self.per_root_field {
            let count = cost.roots.get(*name).copied().unwrap_or(0);
            if count > *limit {
                return Err(format!(
                    "`{name}` appears {} times in the operation; at most {limit} in one request",
                    shown(count)
                ));
            }
        }
        if cost.aliases > self.max_aliases {
            return Err(format!(
                "the operation has {} aliased fields; at most {} are served in one request",
                shown(cost.aliases),
                self.max_aliases
            ));
        }
        if cost.root_fields > self.max_root_fields {
            return Err(format!(
                "the operation has {} root fields; at most {} are served in one request",
                shown(cost.root_fields),
                self.max_root_fields
            ));
        }
        Ok(())
    }
}

/// A count as a message shows it: a saturated one is "more than …".
fn shown(count: usize) -> String {
    if count == usize::MAX {
        format!("more than {}", usize::MAX - 1)
    } else {
        count.to_string()
    }
}

fn operations(
    document: &ExecutableDocument,
) -> Vec<(
    Option<&str>,
    &Positioned<async_graphql::parser::types::OperationDefinition>,
)> {
    match &document.operations {
        DocumentOperations::Single(operation) => vec![(None, operation)],
        DocumentOperations::Multiple(operations) => operations
            .iter()
            .map(|(name, operation)| (Some(name.as_str()), operation))
            .collect(),
    }
}

/// The expanded sizes of a document's fragments, each computed once.
struct Sizes<'a> {
    fragments: &'a HashMap<async_graphql::Name, Positioned<FragmentDefinition>>,
    /// `None` while a fragment is being computed: a spread of it inside itself is a cycle,
    /// which validation refuses later; here it counts as nothing.
    memo: HashMap<&'a str, Option<Cost>>,
}

impl<'a> Sizes<'a> {
    fn new(document: &'a ExecutableDocument) -> Self {
        Self {
            fragments: &document.fragments,
            memo: HashMap::new(),
        }
    }

    /// The cost of a selection set, expanded: its fields and aliases at every level, and its
    /// own level's fields by name (`roots`, `root_fields`), through fragments and inline
    /// fragments. For an operation's selection set, that level is the root.
    fn cost(&mut self, set: &'a SelectionSet) -> Cost {
        let mut cost = Cost::default();
        for selection in &set.items {
            let part = match &selection.node {
                Selection::Field(field) => {
                    let inner = self.cost(&field.node.selection_set.node);
                    let depth = inner.depth.saturating_add(1);
                    let introspection =
                        matches!(field.node.name.node.as_str(), "__schema" | "__type");
                    Cost {
                        depth,
                        depth_beside_introspection: if introspection { 0 } else { depth },
                        fields: inner.fields.saturating_add(1),
                        aliases: inner
                            .aliases
                            .saturating_add(usize::from(field.node.alias.is_some())),
                        root_fields: 1,
                        roots: HashMap::from([(field.node.name.node.to_string(), 1)]),
                    }
                }
                Selection::InlineFragment(fragment) => self.cost(&fragment.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str())
                }
            };
            cost.add(part);
        }
        cost
    }

    fn fragment(&mut self, name: &'a str) -> Cost {
        match self.memo.get(name) {
            Some(Some(cost)) => return cost.clone(),
            Some(None) => return Cost::default(),
            None => {}
        }
        let Some(definition) = self.fragments.get(name) else {
            // An unknown fragment is refused by validation.
            return Cost::default();
        };
        self.memo.insert(name, None);
        let cost = self.cost(&definition.node.selection_set.node);
        self.memo.insert(name, Some(cost.clone()));
        cost
    }
}

impl Cost {
    /// Adds another part of the same selection set, saturating.
    fn add(&mut self, part: Cost) {
        self.depth = self.depth.max(part.depth);
        self.depth_beside_introspection = self
            .depth_beside_introspection
            .max(part.depth_beside_introspection);
        self.fields = self.fields.saturating_add(part.fields);
        self.aliases = self.aliases.saturating_add(part.aliases);
        self.root_fields = self.root_fields.saturating_add(part.root_fields);
        for (name, count) in part.roots {
            let total = self.roots.entry(name).or_default();
            *total = total.saturating_add(count);
        }
    }
}

/// The longest query kept as an automatic persisted query: the cache holds at most a few hundred,
/// so their size bounds its memory.
pub const MAX_PERSISTED_QUERY_BYTES: usize = 64 * 1024;

/// The budget's check of one request (`schema::fields`, the schema's one extension, calls its
/// hooks), with what it measured for the response.
pub struct BudgetCheck(Arc<Budget>, std::sync::Mutex<Report>);

/// What a request that asked for it (`"extensions": {"cost": true}`) is told it cost.
#[derive(Default)]
struct Report {
    asked: bool,
    cost: Option<Cost>,
    complexity: Option<usize>,
}

/// Whether `request` asks what it cost (`"extensions": {"cost": true}`).
pub fn asks_cost(request: &Request) -> bool {
    request
        .extensions
        .get("cost")
        .is_some_and(|value| *value == async_graphql::Value::Boolean(true))
}

/// The check runs when the request is prepared, on the document parsed there (and kept for
/// execution): async-graphql's own first pass over a parsed document, its recursion-depth
/// check, already expands fragments, so it must not see a document the budget refuses.
impl BudgetCheck {
    /// The check of one request against `budget`.
    pub fn new(budget: Arc<Budget>) -> Self {
        Self(budget, Default::default())
    }

    /// When the request is prepared, before the persisted queries fill in a hash's document:
    /// the request, or why it is refused.
    pub fn prepare(&self, mut request: Request) -> ServerResult<Request> {
        if request.extensions.contains_key("persistedQuery") {
            // An automatic persisted query: a hash alone runs a document checked when it was
            // registered; a registration is checked here like any query, and kept small.
            if request.query.is_empty() {
                return Ok(request);
            }
            if request.query.len() > MAX_PERSISTED_QUERY_BYTES {
                return Err(ServerError::new(
                    format!(
                        "a persisted query may have at most {MAX_PERSISTED_QUERY_BYTES} bytes; \
                         send this one without `persistedQuery`"
                    ),
                    None,
                ));
            }
        }
        let asked = asks_cost(&request);
        let operation_name = request.operation_name.clone();
        let document = request.parsed_query()?;
        let cost = self
            .0
            .check(document, operation_name.as_deref())
            .map_err(|message| ServerError::new(message, None))?;
        *self.report() = Report {
            asked,
            cost,
            complexity: None,
        };
        Ok(request)
    }

    /// After validation: the complexity async-graphql computed.
    pub fn validated(&self, result: &ValidationResult) {
        self.report().complexity = Some(result.complexity);
    }

    /// The response, with what it cost when the request asked.
    pub fn finish(&self, mut response: Response) -> Response {
        let report = std::mem::take(&mut *self.report());
        if report.asked {
            let mut cost = async_graphql::indexmap::IndexMap::new();
            let mut put = |name: &str, value: usize, limit: usize| {
                cost.insert(
                    async_graphql::Name::new(name),
                    async_graphql::value!({ "used": value, "limit": limit }),
                );
            };
            if let Some(complexity) = report.complexity {
                put("complexity", complexity, self.0.max_complexity);
            }
            if let Some(cost) = &report.cost {
                put("depth", cost.depth_beside_introspection, self.0.max_depth);
                put("fields", cost.fields, self.0.max_fields);
                put("aliases", cost.aliases, self.0.max_aliases);
                put("rootFields", cost.root_fields, self.0.max_root_fields);
            }
            response
                .extensions
                .insert("cost".to_owned(), async_graphql::Value::Object(cost));
        }
        response
    }
}

impl BudgetCheck {
    fn report(&self) -> std::sync::MutexGuard<'_, Report> {
        // A panic elsewhere cannot leave the report half-written: take it as it is.
        self.1
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn budget() -> Budget {
        Budget {
            max_fields: 1_000,
            max_depth: 4,
            max_aliases: 50,
            max_root_fields: 20,
            max_complexity: 10_000,
            per_root_field: &[("login", 1)],
        }
    }

    fn cost(query: &str) -> Cost {
        let document = parse_query(query).unwrap();
        let mut sizes = Sizes::new(&document);
        let (_, operation) = operations(&document)[0];
        sizes.cost(&operation.node.selection_set.node)
    }

    /// `query { ...F<n> }` where each fragment spreads the previous one twice.
    fn doubling(levels: usize) -> String {
        let mut query = format!("query {{ ...F{levels} }} fragment F0 on Query {{ __typename }}");
        for level in 1..=levels {
            let below = level - 1;
            query.push_str(&format!(
                " fragment F{level} on Query {{ ...F{below} ...F{below} }}"
            ));
        }
        query
    }

    #[test]
    fn fragments_count_as_often_as_they_are_spread() {
        assert_eq!(cost("{ me { id username } }").fields, 3);
        assert_eq!(
            cost("{ a: me { id } b: me { ...U } } fragment U on User { id username }").fields,
            5
        );
        assert_eq!(cost(&doubling(10)).fields, 1024);
        assert_eq!(cost(&doubling(10)).root_fields, 1024);
        assert_eq!(cost(&doubling(10)).roots["__typename"], 1024);
    }

    #[test]
    fn an_exploding_document_is_measured_at_once_and_refused() {
        let document = parse_query(doubling(200)).unwrap();
        let error = budget().check(&document, None).unwrap_err();
        assert!(error.contains("fields"), "{error}");
        assert_eq!(cost(&doubling(200)).fields, usize::MAX);
    }

    #[test]
    fn aliases_root_fields_and_named_roots_have_limits() {
        let aliased: String = (0..60).map(|i| format!("a{i}: me {{ id }} ")).collect();
        let document = parse_query(format!("{{ {aliased} }}")).unwrap();
        assert!(
            budget()
                .check(&document, None)
                .unwrap_err()
                .contains("aliased")
        );

        let logins = "mutation { a: login(input: {username: \"x\", password: \"y\"}) { accessToken } \
                      b: login(input: {username: \"x\", password: \"z\"}) { accessToken } }";
        let error = budget()
            .check(&parse_query(logins).unwrap(), None)
            .unwrap_err();
        assert!(error.contains("`login` appears 2 times"), "{error}");

        let through_fragments = "mutation { ...L ...L } fragment L on Mutation { login(input: {username: \"x\", password: \"y\"}) { accessToken } }";
        assert!(
            budget()
                .check(&parse_query(through_fragments).unwrap(), None)
                .is_err()
        );
        assert!(
            budget()
                .check(&parse_query("{ me { id } }").unwrap(), None)
                .is_ok()
        );
    }

    #[test]
    fn depth_counts_through_fragments_and_spares_introspection() {
        assert_eq!(cost("{ me { id } }").depth, 2);
        let deep = "{ a { b { ...F } } } fragment F on T { c { d { e } } }";
        assert_eq!(cost(deep).depth, 5);
        assert!(
            budget()
                .check(&parse_query(deep).unwrap(), None)
                .unwrap_err()
                .contains("5 deep")
        );
        let introspection =
            "{ __schema { types { fields { type { ofType { ofType { name } } } } } } }";
        assert_eq!(cost(introspection).depth, 7);
        assert!(
            budget()
                .check(&parse_query(introspection).unwrap(), None)
                .is_ok()
        );
        let smuggled = "{ __schema { types { name } } me { a { b { c { d } } } } }";
        assert!(
            budget()
                .check(&parse_query(smuggled).unwrap(), None)
                .is_err()
        );
    }

    #[test]
    fn a_fragment_cycle_is_left_to_validation() {
        let cyclic = "{ ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A }";
        assert!(budget().check(&parse_query(cyclic).unwrap(), None).is_ok());
    }

    mod generated {
        //! The budget's counts equal a naive expansion of the document, for generated documents
        //! of fields, aliases, nested selections, inline fragments and spreads (cycles
        //! included), so no accepted document costs more than the budget says.

        use super::*;
        use proptest::prelude::*;

        /// One selection: a field (alias?, children), a spread of fragment `n`, or an inline
        /// fragment.
        #[derive(Debug, Clone)]
        enum Item {
            Field(Option<u8>, Vec<Item>),
            Spread(u8),
            Inline(Vec<Item>),
        }

        fn items(depth: u32) -> impl Strategy<Value = Vec<Item>> {
            let leaf = prop_oneof![
                (proptest::option::of(0u8..4)).prop_map(|alias| Item::Field(alias, vec![])),
                (0u8..5).prop_map(Item::Spread),
            ];
            leaf.prop_recursive(depth, 48, 4, |inner| {
                prop_oneof![
                    (
                        proptest::option::of(0u8..4),
                        prop::collection::vec(inner.clone(), 1..4)
                    )
                        .prop_map(|(alias, children)| Item::Field(alias, children)),
                    prop::collection::vec(inner, 1..4).prop_map(Item::Inline),
                ]
            })
            .prop_map(|item| vec![item])
            .prop_flat_map(move |first| {
                prop::collection::vec(items_flat(), 0..3).prop_map(move |rest| {
                    let mut all = first.clone();
                    all.extend(rest);
                    all
                })
            })
        }

        fn items_flat() -> impl Strategy<Value = Item> {
            prop_oneof![
                (proptest::option::of(0u8..4)).prop_map(|alias| Item::Field(alias, vec![])),
                (0u8..5).prop_map(Item::Spread),
            ]
        }

        fn text(items: &[Item], out: &mut String, counter: &mut usize) {
            out.push_str("{ ");
            for item in items {
                match item {
                    Item::Field(alias, children) => {
                        *counter += 1;
                        if let Some(alias) = alias {
                            out.push_str(&format!("a{alias}_{counter}: "));
                        }
                        out.push_str(&format!("f{} ", *counter % 3));
                        if !children.is_empty() {
                            text(children, out, counter);
                        }
                    }
                    Item::Spread(n) => out.push_str(&format!("...F{n} ")),
                    Item::Inline(children) => {
                        out.push_str("... on T ");
                        text(children, out, counter);
                    }
                }
            }
            out.push_str("} ");
        }

        /// Fields and aliases of `items` expanded naively, giving up past `cap`.
        fn naive(
            items: &[Item],
            fragments: &[Vec<Item>],
            path: &mut Vec<u8>,
            cap: usize,
        ) -> (usize, usize) {
            let (mut fields, mut aliases) = (0usize, 0usize);
            for item in items {
                let (f, a) = match item {
                    Item::Field(alias, children) => {
                        let (f, a) = naive(children, fragments, path, cap);
                        (f + 1, a + usize::from(alias.is_some()))
                    }
                    Item::Inline(children) => naive(children, fragments, path, cap),
                    Item::Spread(n) => {
                        // Like the budget: a spread inside itself counts as nothing (it is a
                        // cycle, which validation refuses).
                        if path.contains(n) || usize::from(*n) >= fragments.len() {
                            (0, 0)
                        } else {
                            path.push(*n);
                            let cost = naive(&fragments[usize::from(*n)], fragments, path, cap);
                            path.pop();
                            cost
                        }
                    }
                };
                fields = fields.saturating_add(f).min(cap);
                aliases = aliases.saturating_add(a).min(cap);
            }
            (fields, aliases)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn counts_match_a_naive_expansion(
                operation in items(3),
                fragments in prop::collection::vec(items(2), 0..5),
            ) {
                let mut query = String::from("query ");
                let mut counter = 0;
                text(&operation, &mut query, &mut counter);
                for (n, fragment) in fragments.iter().enumerate() {
                    query.push_str(&format!("fragment F{n} on T "));
                    text(fragment, &mut query, &mut counter);
                }
                let document = parse_query(&query).unwrap();
                let mut sizes = Sizes::new(&document);
                let (_, op) = operations(&document)[0];
                let cost = sizes.cost(&op.node.selection_set.node);
                let cap = 1_000_000;
                let (fields, aliases) = naive(&operation, &fragments, &mut Vec::new(), cap);
                // With a cycle the document is refused by validation anyway (and the budget
                // counts the cycle as nothing); without one the counts are exact.
                let acyclic = !has_cycle(&fragments);
                if acyclic && fields < cap {
                    prop_assert_eq!(cost.fields, fields, "{}", query);
                    prop_assert_eq!(cost.aliases, aliases, "{}", query);
                }
                let limit = budget();
                if limit.check(&document, None).is_ok() && acyclic {
                    prop_assert!(fields <= limit.max_fields);
                    prop_assert!(aliases <= limit.max_aliases);
                }
            }
        }

        fn has_cycle(fragments: &[Vec<Item>]) -> bool {
            fn spreads(items: &[Item], out: &mut Vec<u8>) {
                for item in items {
                    match item {
                        Item::Field(_, children) | Item::Inline(children) => spreads(children, out),
                        Item::Spread(n) => out.push(*n),
                    }
                }
            }
            fn visit(n: usize, fragments: &[Vec<Item>], path: &mut Vec<usize>) -> bool {
                if path.contains(&n) {
                    return true;
                }
                let Some(items) = fragments.get(n) else {
                    return false;
                };
                let mut next = Vec::new();
                spreads(items, &mut next);
                path.push(n);
                let cyclic = next
                    .into_iter()
                    .any(|m| visit(usize::from(m), fragments, path));
                path.pop();
                cyclic
            }
            (0..fragments.len()).any(|n| visit(n, fragments, &mut Vec::new()))
        }
    }
}
