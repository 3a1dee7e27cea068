//! The GraphQL schema is a reviewed artefact: the SDL must equal the checked-in
//! `schema.graphql`. After an intended change, regenerate it with
//! `cargo run -p api -- print-schema > schema.graphql` (or run this test with
//! `UPDATE_SCHEMA=1`) and review the diff.

#[test]
fn sdl_matches_the_checked_in_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let actual = api::schema::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &actual).expect("schema.graphql is writable");
    }
    let expected = std::fs::read_to_string(path).expect("schema.graphql exists");
    assert!(
        expected == actual,
        "the schema changed; run `UPDATE_SCHEMA=1 cargo test -p tests sdl` and review schema.graphql"
    );
}

/// The API speaks one language of identity and kinds, checked by walking the schema the server
/// serves (introspection over HTTP, as a client sees it): an id is a global `ID`, never an
/// `Int` a client could not pass back; a kind, action, rule, role, state or status is an enum,
/// never a free `String`; every object with an `id` implements `Node`, so `node(id:)` reads it.
#[tokio::test]
async fn ids_are_global_kinds_are_enums_and_every_object_with_an_id_is_a_node() {
    use serde_json::{Value, json};

    let app = tests::TestApp::spawn().await;
    let introspection = app
        .gql(
            None,
            "{ __schema { types { name kind interfaces { name }
                fields { name type { ...T } args { name type { ...T } } }
                inputFields { name type { ...T } } } } }
             fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }",
            json!({}),
        )
        .await;
    fn base(ty: &Value) -> &str {
        match ty["ofType"].is_null() {
            true => ty["name"].as_str().unwrap_or_default(),
            false => base(&ty["ofType"]),
        }
    }
    let id_like = |name: &str| name == "id" || name.ends_with("Id") || name.ends_with("Ids");
    let kind_like = |name: &str| {
        let lower = name.to_lowercase();
        ["kind", "type", "action", "rule", "role", "state", "status", "level"]
            .iter()
            .any(|word| lower.ends_with(word))
            // A file's media type is a string by nature.
            && name != "contentType"
    };
    let mut wrong = Vec::new();
    for ty in introspection.data("/__schema/types").as_array().unwrap() {
        let name = ty["name"].as_str().unwrap();
        if name.starts_with("__") {
            continue;
        }
        let mut members: Vec<(String, &Value)> = Vec::new();
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().unwrap();
            members.push((format!("{name}.{field_name}"), &field["type"]));
            for arg in field["args"].as_array().into_iter().flatten() {
                members.push((
                    format!("{name}.{field_name}({})", arg["name"].as_str().unwrap()),
                    &arg["type"],
                ));
            }
        }
        for field in ty["inputFields"].as_array().into_iter().flatten() {
            members.push((
                format!("{name}.{}", field["name"].as_str().unwrap()),
                &field["type"],
            ));
        }
        for (path, ty) in &members {
            let member = path
                .rsplit(['.', '('])
                .next()
                .unwrap()
                .trim_end_matches(')');
            let base = base(ty);
            // An id from another system (`externalId`) is its text, not one of ours.
            if id_like(member) && base == "Int" {
                wrong.push(format!("{path}: Int id, not a global ID"));
            }
            if kind_like(member) && base == "String" {
                wrong.push(format!("{path}: String kind, not an enum"));
            }
        }
        let has_id = ty["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|field| field["name"] == "id" && base(&field["type"]) == "ID");
        let is_node = ty["interfaces"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|interface| interface["name"] == "Node");
        if ty["kind"] == "OBJECT" && has_id && !is_node {
            wrong.push(format!("{name}: has an id but does not implement Node"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
