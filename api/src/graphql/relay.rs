//! Relay conventions: opaque global IDs (`base64url("Task:42")`), opaque cursors and
//! connections with `pageInfo` and `totalCount`.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{ID, OutputType, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{AppError, AppResult};
use crate::pagination::{Page, PageRequest, SortKey};

/// Declares `Kind` from one list: each variant with the GraphQL type name its IDs carry.
macro_rules! kinds {
    ($($kind:ident => $name:literal,)*) => {
        /// The object types that have global IDs.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Kind {
            $($kind,)*
        }

        impl Kind {
            const ALL: &[Kind] = &[$(Kind::$kind,)*];

            /// The GraphQL type name, which global IDs spell out.
            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$kind => $name,)*
                }
            }
        }
    };
}

kinds! {
    User => "User",
    Unit => "Unit",
    Leader => "Leader",
    Document => "Document",
    Category => "Category",
    Task => "Task",
    AuditEntry => "AuditEntry",
    Period => "ReportingPeriod",
    Report => "ProgressReport",
    Reminder => "Reminder",
    Extension => "ExtensionRequest",
    Receipt => "TaskReceipt",
    Handback => "HandbackRequest",
    Escalation => "Escalation",
    MaterialRequest => "MaterialRequest",
    Signoff => "ReportSignoff",
    FollowUp => "FollowUp",
    Instruction => "Instruction",
    LedgerEntry => "LedgerEntry",
    Indicator => "Indicator",
    Attachment => "Attachment",
    Notice => "Notice",
    Webhook => "Webhook",
}

/// The global ID of a row.
pub fn global_id(kind: Kind, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// Decodes any global ID into its kind and row id.
pub fn parse_global_id(id: &ID) -> Option<(Kind, i64)> {
    let decoded = URL_SAFE_NO_PAD.decode(id.as_str()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (name, raw) = text.split_once(':')?;
    let kind = Kind::ALL.iter().copied().find(|kind| kind.name() == name)?;
    Some((kind, raw.parse().ok()?))
}

/// Decodes a global ID that must be of `kind`; the error names the input field.
pub fn expect_id(field: &str, id: &ID, kind: Kind) -> AppResult<i64> {
    match parse_global_id(id) {
        Some((found, raw)) if found == kind => Ok(raw),
        Some((found, _)) => Err(AppError::bad_field(
            field,
            format!("expected a {} ID, got a {} ID", kind.name(), found.name()),
        )),
        None => Err(AppError::bad_field(
            field,
            format!("`{}` is not a valid ID", id.as_str()),
        )),
    }
}

/// Like `expect_id` for an optional field.
pub fn expect_optional_id(field: &str, id: Option<&ID>, kind: Kind) -> AppResult<Option<i64>> {
    id.map(|id| expect_id(field, id, kind)).transpose()
}

/// Like `expect_id` for a list field.
pub fn expect_ids(field: &str, ids: &[ID], kind: Kind) -> AppResult<Vec<i64>> {
    ids.iter().map(|id| expect_id(field, id, kind)).collect()
}

fn encode_cursor(offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

/// What follows `prefix` in a cursor, decoded, or BAD_USER_INPUT naming `after`.
fn decode_prefixed<T>(
    cursor: &str,
    prefix: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> AppResult<T> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(prefix).and_then(parse))
        .ok_or_else(|| AppError::bad_field("after", "is not a cursor returned by this API"))
}

fn decode_cursor(cursor: &str) -> AppResult<u64> {
    decode_prefixed(cursor, "offset:", |n| n.parse().ok())
}

fn encode_key(key: &SortKey) -> String {
    // A key is a JSON array of numbers, strings and nulls: serialising it cannot fail.
    let json = serde_json::to_string(&key.0).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(format!("key:{json}"))
}

fn decode_key(cursor: &str) -> AppResult<SortKey> {
    decode_prefixed(cursor, "key:", |json| {
        serde_json::from_str(json).ok().map(SortKey)
    })
}

/// The page a keyset connection field asks for, and the sort key its `after` cursor carries
/// (which the list decodes against its order). The total is counted only when selected, the
/// rows read only when something of them is.
pub fn keyset_request(
    ctx: &async_graphql::Context<'_>,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<(PageRequest, Option<SortKey>)> {
    let after = after.map(decode_key).transpose()?;
    Ok((
        selected(ctx, PageRequest::new(first, None)?).keyset(),
        after,
    ))
}

/// `request` counting the total only when `totalCount` is selected, and reading rows only
/// when something of them is.
fn selected(ctx: &async_graphql::Context<'_>, request: PageRequest) -> PageRequest {
    let ahead = ctx.look_ahead();
    let rows = ["nodes", "edges", "pageInfo"]
        .iter()
        .any(|field| ahead.field(field).exists());
    request
        .counting(ahead.field("totalCount").exists())
        .reading_rows(rows)
}

/// The page a connection field asks for; the total is counted only when the client selected
/// `totalCount`, and the rows read only when it selected something of them.
pub fn page_request(
    ctx: &async_graphql::Context<'_>,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<PageRequest> {
    let request = PageRequest::new(first, after.map(decode_cursor).transpose()?)?;
    Ok(selected(ctx, request))
}

/// Fields every connection carries besides `edges`, `nodes` and `pageInfo`.
#[derive(SimpleObject, Debug)]
pub struct ConnectionFields {
    /// How many items match, across all pages.
    pub total_count: u64,
}

/// A connection of `O`, built from a page of service results.
pub type Conn<O> = Connection<String, O, ConnectionFields, EmptyFields>;

/// Builds a connection from a page, converting each item to its output type.
pub fn connection<T, O>(page: Page<T>) -> Conn<O>
where
    O: OutputType + From<T>,
{
    let mut connection = Connection::with_additional_fields(
        page.has_previous(),
        page.has_next(),
        ConnectionFields {
            total_count: page.total_or_known(),
        },
    );
    let offset = page.offset;
    let cursors: Vec<String> = match page.sort_keys() {
        Some(keys) => keys.iter().map(encode_key).collect(),
        None => (0..page.items.len())
            .map(|i| encode_cursor(offset + i as u64))
            .collect(),
    };
    connection.edges.extend(
        page.items
            .into_iter()
            .zip(cursors)
            .map(|(item, cursor)| Edge::new(cursor, O::from(item))),
    );
    connection
}

/// The complexity of a connection field: each requested item costs what its selection costs.
pub fn connection_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let first = first.map_or(crate::pagination::DEFAULT_PAGE_SIZE as usize, |n| {
        n.max(1) as usize
    });
    first.saturating_mul(child_complexity).saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_name_their_kind() {
        let id = global_id(Kind::Task, 42);
        assert_eq!(parse_global_id(&id), Some((Kind::Task, 42)));
        assert_eq!(expect_id("id", &id, Kind::Task).unwrap(), 42);
        let wrong = expect_id("unitId", &id, Kind::Unit).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "unitId: expected a Unit ID, got a Task ID"
        );
        for bad in ["", "42", "VGFzazo", "not base64!"] {
            assert!(
                expect_id("id", &ID(bad.to_owned()), Kind::Task).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn cursors_resume_after_the_item_they_name() {
        let request =
            PageRequest::new(Some(10), Some(decode_cursor(&encode_cursor(19)).unwrap())).unwrap();
        assert_eq!(
            request,
            PageRequest {
                offset: 20,
                limit: 10,
                count: true,
                keyset: false,
                rows: true,
            }
        );
        assert!(decode_cursor("bogus").is_err());
    }

    #[test]
    fn key_cursors_round_trip_and_are_not_offsets() {
        let key = SortKey::new("TASK_SEQUENCE_ASC", vec![3.into(), 12.into(), 4511.into()]);
        let cursor = encode_key(&key);
        assert_eq!(decode_key(&cursor).unwrap(), key);
        assert!(decode_cursor(&cursor).is_err());
        assert!(decode_key(&encode_cursor(19)).is_err());
        assert!(key.expect::<3>("TASK_SEQUENCE_ASC").is_ok());
        assert!(key.expect::<3>("TASK_SEQUENCE_DESC").is_err());
        assert!(key.expect::<2>("TASK_SEQUENCE_ASC").is_err());
    }
}
