//! Every root query and mutation field against an API key's scopes, generated from the schema:
//! each is called with placeholder arguments by a key with `tasks:read` only, then by a key
//! with every scope but `admin`, and is refused for the scope exactly when
//! `auth::scopes::required` says the key lacks it. (The calls themselves may fail for other
//! reasons — a machine account changes nothing the bureau alone may change — but never for the
//! scope when the key has it.)

use std::collections::{HashMap, HashSet};

use api::auth::scopes::{ApiScope, required};
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use serde_json::json;
use tests::TestApp;
use tests::world::{PASSWORD, World};

/// The schema's input objects (their required fields), enums, and the names of leaf types.
struct Types {
    inputs: HashMap<String, Vec<(String, Type)>>,
    enums: HashMap<String, String>,
    leaves: HashSet<String>,
}

impl Types {
    /// A literal for a value of `ty`, or `None` when none can be written inline (uploads).
    fn literal(&self, ty: &Type) -> Option<String> {
        match &ty.base {
            BaseType::List(_) => Some("[]".to_owned()),
            BaseType::Named(name) => Some(match name.as_str() {
                "ID" | "String" => "\"x\"".to_owned(),
                "Int" => "1".to_owned(),
                "Float" => "1.0".to_owned(),
                "Boolean" => "true".to_owned(),
                "NaiveDate" => "\"2026-01-01\"".to_owned(),
                "DateTime" => "\"2026-01-01T00:00:00Z\"".to_owned(),
                "JSON" => "{}".to_owned(),
                "Upload" => return None,
                other => match (self.enums.get(other), self.inputs.get(other)) {
                    (Some(first), _) => first.clone(),
                    (_, Some(fields)) => {
                        let mut parts = Vec::new();
                        for (field, ty) in fields {
                            parts.push(format!("{field}: {}", self.literal(ty)?));
                        }
                        format!("{{ {} }}", parts.join(", "))
                    }
                    _ => "\"x\"".to_owned(),
                },
            }),
        }
    }

    fn is_leaf(&self, ty: &Type) -> bool {
        match &ty.base {
            BaseType::List(inner) => self.is_leaf(inner),
            BaseType::Named(name) => self.leaves.contains(name.as_str()),
        }
    }
}

/// Every root field of `Query` and `Mutation` as a one-field operation, with its parent.
fn operations() -> Vec<(&'static str, String, String)> {
    let sdl = api::schema::sdl();
    let document = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
    let mut types = Types {
        inputs: HashMap::new(),
        enums: HashMap::new(),
        leaves: ["ID", "String", "Int", "Float", "Boolean"]
            .map(str::to_owned)
            .into(),
    };
    let mut roots = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let name = ty.node.name.node.to_string();
        match &ty.node.kind {
            TypeKind::Scalar => {
                types.leaves.insert(name);
            }
            TypeKind::Enum(e) => {
                types.leaves.insert(name.clone());
                types
                    .enums
                    .insert(name, e.values[0].node.value.node.to_string());
            }
            TypeKind::InputObject(input) => {
                let required = input
                    .fields
                    .iter()
                    .filter(|f| !f.node.ty.node.nullable && f.node.default_value.is_none())
                    .map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone()))
                    .collect();
                types.inputs.insert(name, required);
            }
            TypeKind::Object(object) if name == "Query" || name == "Mutation" => {
                roots.push((name, object.fields.clone()));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (parent, fields) in roots {
        let parent: &'static str = if parent == "Query" {
            "Query"
        } else {
            "Mutation"
        };
        'field: for field in fields {
            let field = &field.node;
            let mut args = Vec::new();
            for arg in &field.arguments {
                let arg = &arg.node;
                if arg.ty.node.nullable || arg.default_value.is_some() {
                    continue;
                }
                let Some(value) = types.literal(&arg.ty.node) else {
                    continue 'field;
                };
                args.push(format!("{}: {value}", arg.name.node));
            }
            let args = if args.is_empty() {
                String::new()
            } else {
                format!("({})", args.join(", "))
            };
            let selection = if types.is_leaf(&field.ty.node) {
                ""
            } else {
                " { __typename }"
            };
            let keyword = if parent == "Query" {
                "query"
            } else {
                "mutation"
            };
            out.push((
                parent,
                field.name.node.to_string(),
                format!("{keyword} {{ {}{args}{selection} }}", field.name.node),
            ));
        }
    }
    out
}

async fn key_with(
    app: &TestApp,
    w: &World,
    account: &serde_json::Value,
    scopes: &[ApiScope],
) -> String {
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    app.gql(
        Some(&w.bureau),
        "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }",
        json!({ "i": { "userId": account, "name": "scopes", "scopes": scopes } }),
    )
    .await
    .data("/createApiKey/key")
    .as_str()
    .unwrap()
    .to_owned()
}

#[tokio::test]
async fn every_root_field_is_open_or_closed_to_a_key_as_its_scope_says() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let every_but_admin: Vec<ApiScope> = ApiScope::ALL
        .into_iter()
        .filter(|s| *s != ApiScope::Admin)
        .collect();
    let account = app
        .gql(
            Some(&w.bureau),
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
            json!({ "i": { "username": "scopes-probe", "password": PASSWORD, "role": "SERVICE",
                           "scopes": every_but_admin.iter().map(|s| s.as_str()).collect::<Vec<_>>() } }),
        )
        .await
        .data("/createUser/user/id")
        .clone();
    let operations = operations();
    assert!(operations.len() > 80, "{} root fields", operations.len());
    for scopes in [vec![ApiScope::TasksRead], every_but_admin] {
        let secret = key_with(&app, &w, &account, &scopes).await;
        let (mut opened, mut closed) = (0, 0);
        for (parent, field, operation) in &operations {
            let needed = required(parent, field);
            let allowed = needed.is_none_or(|s| scopes.contains(&s));
            let answer = app.gql(Some(&secret), operation, json!({})).await;
            let refused_for_scope = answer.0["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| {
                    e["extensions"]["code"] == "FORBIDDEN"
                        && e["message"]
                            .as_str()
                            .is_some_and(|m| m.contains("does not carry the scope"))
                });
            assert_eq!(
                refused_for_scope, !allowed,
                "{parent}.{field} with {scopes:?}: {operation}\n{:#}",
                answer.0
            );
            if allowed {
                opened += 1;
            } else {
                closed += 1;
            }
        }
        // The downloads by the same rule: the task ledger is tasks:read, the rest reports:read.
        for (path, needed) in [
            ("/exports/tasks.csv", ApiScope::TasksRead),
            ("/exports/obligations.csv", ApiScope::ReportsRead),
            ("/exports/figures.xlsx?groupBy=unit", ApiScope::ReportsRead),
            ("/exports/ranking.csv", ApiScope::ReportsRead),
            ("/exports/notice.docx?id=Tm90aWNlOjE", ApiScope::ReportsRead),
            ("/attachments/QXR0YWNobWVudDox", ApiScope::ReportsRead),
        ] {
            let status = app
                .client
                .get(format!("{}{path}", app.address))
                .bearer_auth(&secret)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(
                status == 403,
                !scopes.contains(&needed),
                "{path} with {scopes:?}: {status}"
            );
        }
        // Both ways happen in each pass: some fields open to the key, some closed.
        assert!(
            opened > 10 && closed > 10,
            "{scopes:?}: {opened} open, {closed} closed"
        );
    }
}
