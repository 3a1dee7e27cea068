//! How recorded changes look through the API. `events.payload` and `audit_log.before/after`
//! are stored as they were written (the rows and summaries of the code of the day, snake_case,
//! with row ids); that is the record and it stays untouched. The API shows them the way the rest
//! of it speaks: keys in camelCase, and every id it can name as a global ID (`taskId`,
//! `createdBy`, the row's own `id`), so a client can pass them to `node(id:)` or to any
//! mutation. A row with no global ID of its own (a task's leader line, a report version)
//! keeps its number as `id`.

use async_graphql::ID;
use serde_json::{Map, Value};

use crate::events::EntityType;
use crate::graphql::relay::{self, Kind};

/// The global ID kind of an entity type's rows.
pub fn kind_of(entity: EntityType) -> Kind {
    match entity {
        EntityType::User => Kind::User,
        EntityType::Unit => Kind::Unit,
        EntityType::Leader => Kind::Leader,
        EntityType::Document => Kind::Document,
        EntityType::Category => Kind::Category,
        EntityType::Period => Kind::Period,
        EntityType::Task => Kind::Task,
        EntityType::Report => Kind::Report,
        EntityType::Reminder => Kind::Reminder,
        EntityType::Extension => Kind::Extension,
        EntityType::Receipt => Kind::Receipt,
        EntityType::Handback => Kind::Handback,
        EntityType::Escalation => Kind::Escalation,
        EntityType::MaterialRequest => Kind::MaterialRequest,
        EntityType::Signoff => Kind::Signoff,
        EntityType::Instruction => Kind::Instruction,
        EntityType::LedgerEntry => Kind::LedgerEntry,
        EntityType::Attachment => Kind::Attachment,
        EntityType::Notice => Kind::Notice,
        EntityType::Webhook => Kind::Webhook,
    }
}

/// The entity type of a global ID's kind, if changes are recorded about that kind.
pub fn entity_of(kind: Kind) -> Option<EntityType> {
    EntityType::ALL
        .iter()
        .copied()
        .find(|&entity| kind_of(entity) == kind)
}

/// The global ID of the row a change names, when it names one.
pub fn entity_id(entity_type: &str, id: Option<i64>) -> Option<ID> {
    let entity = EntityType::parse(entity_type)?;
    Some(relay::global_id(kind_of(entity), id?))
}

/// A stored payload as the API shows it. `row`: the kind of the rows it holds at its top (the
/// entity's own, or the rows of a list, such as the periods a schedule generated).
pub fn present(value: &Value, row: Option<Kind>) -> Value {
    match value {
        Value::Object(fields) => {
            let mut shown = Map::with_capacity(fields.len());
            for (key, value) in fields {
                let name = camel_case(key);
                let shown_value = match (id_kind(key, row), value) {
                    (Some(kind), Value::Number(n)) => n
                        .as_i64()
                        .map(|id| Value::String(relay::global_id(kind, id).0))
                        .unwrap_or_else(|| value.clone()),
                    (Some(kind), Value::Array(ids)) => Value::Array(
                        ids.iter()
                            .map(|id| match id.as_i64() {
                                Some(id) => Value::String(relay::global_id(kind, id).0),
                                None => id.clone(),
                            })
                            .collect(),
                    ),
                    // A nested row: its kind comes from the key that holds it (`"unit": {…}`).
                    _ => present(
                        value,
                        row_kind(key).or(if key == "id" { row } else { None }),
                    ),
                };
                shown.insert(name, shown_value);
            }
            Value::Object(shown)
        }
        Value::Array(items) => Value::Array(items.iter().map(|item| present(item, row)).collect()),
        other => other.clone(),
    }
}

/// The kind of the id a key holds, if it holds one with a global ID.
fn id_kind(key: &str, row: Option<Kind>) -> Option<Kind> {
    let kind = match key {
        "id" | "parent_id" | "parentId" => return row,
        "merged_into_id" | "mergedInto" | "mergedIntoId" => Kind::Unit,
        "supervisedUnitIds" | "supervised_unit_ids" | "unitIds" | "unit_ids" => Kind::Unit,
        "leaderIds" | "leader_ids" => Kind::Leader,
        "taskIds" | "task_ids" => Kind::Task,
        "acknowledged_by" | "actor_user_id" | "author_id" | "created_by" | "decided_by"
        | "draft_updated_by" | "replied_by" | "requested_by" | "reviewer_id" | "sender_id"
        | "submitted_by" | "uploaded_by" | "user_id" | "userId" => Kind::User,
        _ => {
            let stem = key.strip_suffix("_id").or_else(|| key.strip_suffix("Id"))?;
            row_kind(stem)?
        }
    };
    Some(kind)
}

/// The kind of a row held under a key (`"task"`, `"parent_task"`).
fn row_kind(key: &str) -> Option<Kind> {
    Some(match key {
        "task" | "parent_task" | "parentTask" => Kind::Task,
        "unit" => Kind::Unit,
        "leader" => Kind::Leader,
        "document" => Kind::Document,
        "category" => Kind::Category,
        "period" => Kind::Period,
        "report" => Kind::Report,
        "reminder" => Kind::Reminder,
        "extension" => Kind::Extension,
        "instruction" => Kind::Instruction,
        "indicator" => Kind::Indicator,
        "attachment" => Kind::Attachment,
        "user" => Kind::User,
        _ => return None,
    })
}

/// `task_id` → `taskId`; keys already in camelCase stay as they are.
fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for ch in key.chars() {
        if ch == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn id(kind: Kind, raw: i64) -> Value {
        Value::String(relay::global_id(kind, raw).0)
    }

    #[test]
    fn rows_show_global_ids_and_camel_case_keys() {
        let stored = json!({
            "id": 7, "task_id": 53, "unit_id": 4, "period_id": 2, "submitted_by": 9,
            "current_version": 3, "version_id": 11, "status_note": "按期"
        });
        assert_eq!(
            present(&stored, Some(Kind::Report)),
            json!({
                "id": id(Kind::Report, 7), "taskId": id(Kind::Task, 53),
                "unitId": id(Kind::Unit, 4), "periodId": id(Kind::Period, 2),
                "submittedBy": id(Kind::User, 9), "currentVersion": 3,
                "versionId": 11, "statusNote": "按期"
            })
        );
    }

    #[test]
    fn nested_rows_take_their_kind_from_their_key() {
        let stored = json!({
            "unit": { "id": 4, "parent_id": 1, "name": "市商务局" },
            "aliases": [{ "id": 12, "unit_id": 4, "alias": "商务局" }],
            "supervisedUnitIds": [4, 5],
            "leaders": [{ "id": 90, "task_id": 53, "leader_id": 8 }]
        });
        assert_eq!(
            present(&stored, Some(Kind::Unit)),
            json!({
                "unit": { "id": id(Kind::Unit, 4), "parentId": id(Kind::Unit, 1), "name": "市商务局" },
                "aliases": [{ "id": 12, "unitId": id(Kind::Unit, 4), "alias": "商务局" }],
                "supervisedUnitIds": [id(Kind::Unit, 4), id(Kind::Unit, 5)],
                "leaders": [{ "id": 90, "taskId": id(Kind::Task, 53), "leaderId": id(Kind::Leader, 8) }]
            })
        );
    }

    #[test]
    fn a_list_of_rows_and_plain_values() {
        let stored = json!([{ "id": 1, "document_id": 3, "label": "2024-Q1" }]);
        assert_eq!(
            present(&stored, Some(Kind::Period)),
            json!([{ "id": id(Kind::Period, 1), "documentId": id(Kind::Document, 3), "label": "2024-Q1" }])
        );
        assert_eq!(
            present(&json!({"from": "A", "to": "B"}), Some(Kind::Task)),
            json!({"from": "A", "to": "B"})
        );
        assert_eq!(camel_case("original_due_on"), "originalDueOn");
        assert_eq!(camel_case("docNumber"), "docNumber");
    }
}
