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
