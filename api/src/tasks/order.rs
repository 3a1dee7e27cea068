//! The orders of the task list and its keyset: each order's sort key, the `ORDER BY` that
//! follows it, and the condition "after this key" that starts the next page.
//!
//! Invariant: `ordered`, `key_of` and `after` agree column for column; the id ends every order,
//! so keys are unique and pages neither overlap nor skip. The sequence order is read either from
//! the task's columns or from their copies on a unit's assignment (`Sequence::Assignment`,
//! migration 34): the same values, so a cursor is valid in both. Tasks without a deadline come last in
//! both directions, on both backends (PostgreSQL and SQLite put NULLs at opposite ends unless
//! told).

use chrono::{DateTime, NaiveDate, Utc};
use entity::{task_units, tasks};
use sea_orm::sea_query::{Alias, Expr, NullOrdering, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, Order, QueryOrder, Select};
use serde_json::Value;

use crate::error::AppResult;
use crate::pagination::{SortKey, key_value};

/// What to sort tasks by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaskOrderField {
    /// Document, then the order the items are written in.
    #[default]
    Sequence,
    Deadline,
    UpdatedAt,
    CreatedAt,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct TaskOrder {
    pub field: TaskOrderField,
    pub descending: bool,
}

impl TaskOrder {
    /// The name a cursor of this order carries: a cursor is valid only in the order it came from.
    fn name(self) -> &'static str {
        match (self.field, self.descending) {
            (TaskOrderField::Sequence, false) => "TASK_SEQUENCE_ASC",
            (TaskOrderField::Sequence, true) => "TASK_SEQUENCE_DESC",
            (TaskOrderField::Deadline, false) => "TASK_DEADLINE_ASC",
            (TaskOrderField::Deadline, true) => "TASK_DEADLINE_DESC",
            (TaskOrderField::UpdatedAt, false) => "TASK_UPDATED_ASC",
            (TaskOrderField::UpdatedAt, true) => "TASK_UPDATED_DESC",
            (TaskOrderField::CreatedAt, false) => "TASK_CREATED_ASC",
            (TaskOrderField::CreatedAt, true) => "TASK_CREATED_DESC",
        }
    }

    fn direction(self) -> Order {
        if self.descending {
            Order::Desc
        } else {
            Order::Asc
        }
    }
}

/// Where the sequence order's columns are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sequence {
    /// The task's own `(document_id, sort_order, id)`, which `tasks`' index serves.
    Task,
    /// Their copies on the unit's assignment joined to the task (`access::assigned_to`), which
    /// the index `(unit_id, document_id, sort_order, task_id)` of `task_units` serves.
    Assignment,
}

impl Sequence {
    /// The order's columns, the id last.
    fn columns(self) -> [SimpleExpr; 3] {
        match self {
            Sequence::Task => [
                col(tasks::Column::DocumentId),
                col(tasks::Column::SortOrder),
                col(tasks::Column::Id),
            ],
            Sequence::Assignment => {
                let copy = |name: &str| Expr::col((task_units::Entity, Alias::new(name))).into();
                [
                    copy("document_id"),
                    copy("sort_order"),
                    Expr::col((task_units::Entity, task_units::Column::TaskId)).into(),
                ]
            }
        }
    }
}

/// `query` in `order`, the id breaking ties; the sequence read `from` the task or the
/// assignment.
pub fn ordered(
    query: Select<tasks::Entity>,
    order: TaskOrder,
    from: Sequence,
) -> Select<tasks::Entity> {
    let direction = order.direction();
    let (query, id) = match order.field {
        TaskOrderField::Sequence => {
            let [document, sort, id] = from.columns();
            let query = query
                .order_by(document, direction.clone())
                .order_by(sort, direction.clone());
            (query, id)
        }
        TaskOrderField::Deadline => (
            query.order_by_with_nulls(
                tasks::Column::Deadline,
                direction.clone(),
                NullOrdering::Last,
            ),
            col(tasks::Column::Id),
        ),
        TaskOrderField::UpdatedAt => (
            query.order_by(tasks::Column::UpdatedAt, direction.clone()),
            col(tasks::Column::Id),
        ),
        TaskOrderField::CreatedAt => (
            query.order_by(tasks::Column::CreatedAt, direction.clone()),
            col(tasks::Column::Id),
        ),
    };
    query.order_by(id, direction)
}

/// The sort key of `task` in `order`, which its edge's cursor carries.
pub fn key_of(task: &tasks::Model, order: TaskOrder) -> SortKey {
    let values = match order.field {
        TaskOrderField::Sequence => vec![
            task.document_id.into(),
            task.sort_order.into(),
            task.id.into(),
        ],
        TaskOrderField::Deadline => {
            vec![task.deadline.map(|d| d.to_string()).into(), task.id.into()]
        }
        TaskOrderField::UpdatedAt => vec![json_time(task.updated_at), task.id.into()],
        TaskOrderField::CreatedAt => vec![json_time(task.created_at), task.id.into()],
    };
    SortKey::new(order.name(), values)
}

/// The tasks after `key` in `order`: the condition that starts the next page.
pub fn after(key: &SortKey, order: TaskOrder, from: Sequence) -> AppResult<Condition> {
    let id = |v: &Value| key_value::<i64>(v);
    let cond = match order.field {
        TaskOrderField::Sequence => {
            let [document, sort, task] = key.expect(order.name())?;
            beyond(
                order,
                from.columns().to_vec(),
                vec![
                    key_value::<i64>(document)?.into(),
                    key_value::<i32>(sort)?.into(),
                    id(task)?.into(),
                ],
            )
        }
        TaskOrderField::Deadline => {
            let [deadline, task] = key.expect(order.name())?;
            let deadline = key_value::<Option<NaiveDate>>(deadline)?;
            let task = id(task)?;
            let id_beyond = if order.descending {
                tasks::Column::Id.lt(task)
            } else {
                tasks::Column::Id.gt(task)
            };
            match deadline {
                // Past the last dated task: only undated ones remain, by id.
                None => Condition::all()
                    .add(tasks::Column::Deadline.is_null())
                    .add(id_beyond),
                Some(day) => Condition::any()
                    .add(if order.descending {
                        tasks::Column::Deadline.lt(day)
                    } else {
                        tasks::Column::Deadline.gt(day)
                    })
                    .add(
                        Condition::all()
                            .add(tasks::Column::Deadline.eq(day))
                            .add(id_beyond),
                    )
                    .add(tasks::Column::Deadline.is_null()),
            }
        }
        TaskOrderField::UpdatedAt | TaskOrderField::CreatedAt => {
            let [at, task] = key.expect(order.name())?;
            let column = if order.field == TaskOrderField::UpdatedAt {
                tasks::Column::UpdatedAt
            } else {
                tasks::Column::CreatedAt
            };
            beyond(
                order,
                vec![col(column), col(tasks::Column::Id)],
                vec![key_value::<DateTime<Utc>>(at)?.into(), id(task)?.into()],
            )
        }
    };
    Ok(cond)
}

fn col(column: tasks::Column) -> SimpleExpr {
    Expr::col((tasks::Entity, column)).into()
}

/// `(columns) > (values)`, or `<` descending: a row-value comparison, which both backends
/// evaluate in the tuple's order and PostgreSQL answers from the matching index.
fn beyond(order: TaskOrder, columns: Vec<SimpleExpr>, values: Vec<SimpleExpr>) -> Condition {
    let (columns, values) = (Expr::tuple(columns), Expr::tuple(values));
    Condition::all().add(if order.descending {
        columns.lt(values)
    } else {
        columns.gt(values)
    })
}

/// A timestamp in a key: RFC 3339 with every fraction digit, so it binds back to the very value.
fn json_time(at: DateTime<Utc>) -> Value {
    at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
        .into()
}
