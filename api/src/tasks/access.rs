//! Row-level access to tasks. This is the one place that says who sees which task:
//!
//! - BUREAU and SERVICE see every live task.
//! - UNIT sees the tasks where its unit holds any role (lead, responsible, cooperating).
//! - OFFICE (a reviewing office's staff) sees the tasks of the documents naming the office as
//!   their reviewer (`documents.reviewing_office_id`), and no other.
//! - LEADER sees the tasks that name them, either in person, through the post they hold now, or
//!   through a collective word that includes that post (各位副市长 names every 副市长 and
//!   常务副市长; 各位市领导 names every leader).
//!
//! Soft-deleted tasks are invisible to everyone. Everything hanging off a task (its leaders,
//! units, and later its reports) is reachable only through a task that passed this check.

use entity::{documents, task_leaders, task_units, tasks};
use sea_orm::sea_query::{Alias, Expr, JoinType, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, DbBackend, QueryTrait, Select};

use crate::auth::principal::{Principal, Scope};

/// The condition a `tasks` query must carry for `actor`.
pub fn visible(actor: &Principal) -> Condition {
    condition(actor, false)
}

/// `visible`, for a list read in an order of its own (a page of tasks, its count, obligations
/// joined to their tasks). On PostgreSQL the unit's, leader's or office's task set is fenced
/// (`OFFSET 0` keeps the subquery from being flattened into a semi-join): the planner then reads
/// that set once by its indexes and sorts it, instead of walking the order's index over every
/// task and probing each one. Measured at a province's scale, a leader's first page by deadline
/// went from 10.7 ms (4,271 tasks walked to find 21) to 0.95 ms. SQLite plans the subquery
/// once either way, and has no `OFFSET` without `LIMIT`.
pub fn visible_in_order(actor: &Principal, backend: DbBackend) -> Condition {
    condition(actor, backend == DbBackend::Postgres)
}

/// Whether `actor` sees every live task (`visible` is `live` alone for them, the first arm of
/// `condition`): the lists the stored counts answer (`counts::Tallied`) are theirs only.
pub fn sees_every_live_task(actor: &Principal) -> bool {
    matches!(actor.scope, Scope::Bureau | Scope::Service)
}

/// The unit a list of `actor`'s is better read from its assignments (`assigned_to`): a unit's
/// own list in the written order, which the copies of each task's order on `task_units`
/// (migration 34) and their index serve. Measured on the bench's busiest unit (700
/// assignments): the first page of 51 went from 6.9 ms, every task read and sorted, to 0.4 ms.
pub fn unit_of_own_list(actor: &Principal, sequence_order: bool) -> Option<i64> {
    match actor.scope {
        Scope::Unit { unit_id } if sequence_order => Some(unit_id),
        _ => None,
    }
}

/// `select` joined to `unit_id`'s assignments, one row per task: where the unit holds several
/// roles in a task, the assignment of its lowest role alone (the unique index on `(task_id,
/// unit_id, role)` answers the `NOT EXISTS`). With `live()` it is `visible` for that unit.
pub fn assigned_to(mut select: Select<tasks::Entity>, unit_id: i64) -> Select<tasks::Entity> {
    let lower = Alias::new("lower_role");
    let column = |column: task_units::Column| Expr::col((task_units::Entity, column));
    let lower_column = |column: task_units::Column| Expr::col((lower.clone(), column));
    let lower_role = Query::select()
        .expr(Expr::val(1))
        .from_as(task_units::Entity, lower.clone())
        .and_where(
            lower_column(task_units::Column::TaskId)
                .equals((task_units::Entity, task_units::Column::TaskId)),
        )
        .and_where(lower_column(task_units::Column::UnitId).eq(unit_id))
        .and_where(lower_column(task_units::Column::Role).lt(column(task_units::Column::Role)))
        .to_owned();
    QueryTrait::query(&mut select).join(
        JoinType::InnerJoin,
        task_units::Entity,
        Condition::all()
            .add(column(task_units::Column::TaskId).equals((tasks::Entity, tasks::Column::Id)))
            .add(column(task_units::Column::UnitId).eq(unit_id))
            .add(Expr::exists(lower_role).not()),
    );
    select
}

/// The part of `visible` every role shares: live tasks only. It is the whole rule for a read
/// whose rows are the principal's own by a rule of their own table, which implies the rest: a
/// unit's stored obligations exist only on tasks that assign the unit (`obligations::sync`).
pub fn live() -> Condition {
    Condition::all().add(tasks::Column::DeletedAt.is_null())
}

fn condition(actor: &Principal, fenced: bool) -> Condition {
    let live = live();
    let fence = |mut select: SelectStatement| {
        if fenced {
            select.offset(0);
        }
        select
    };
    match &actor.scope {
        Scope::Bureau | Scope::Service => live,
        Scope::Unit { unit_id } => live.add(
            tasks::Column::Id.in_subquery(fence(
                Query::select()
                    .column(task_units::Column::TaskId)
                    .from(task_units::Entity)
                    .and_where(task_units::Column::UnitId.eq(*unit_id))
                    .to_owned(),
            )),
        ),
        Scope::Office { office_id } => live.add(
            tasks::Column::DocumentId.in_subquery(
                Query::select()
                    .column(documents::Column::Id)
                    .from(documents::Entity)
                    .and_where(documents::Column::ReviewingOfficeId.eq(*office_id))
                    .to_owned(),
            ),
        ),
        Scope::Leader { leader_id, post } => {
            let mut named = Condition::any()
                .add(task_leaders::Column::LeaderId.eq(*leader_id))
                .add(
                    task_leaders::Column::Collective.is_in(collectives_including(post.as_deref())),
                );
            if let Some(post) = post {
                named = named.add(task_leaders::Column::Post.eq(post.clone()));
            }
            live.add(
                tasks::Column::Id.in_subquery(fence(
                    Query::select()
                        .column(task_leaders::Column::TaskId)
                        .from(task_leaders::Entity)
                        .cond_where(named)
                        .to_owned(),
                )),
            )
        }
    }
}

/// The collective words that include a leader with this post: every leader is among 各位市领导;
/// a post is among the words that name one of its endings (常务副市长 is a 副市长 and a 市长).
pub fn collectives_including(post: Option<&str>) -> Vec<String> {
    let mut words: Vec<String> = ["各位市领导", "全体市领导", "各位市政府领导"]
        .map(str::to_owned)
        .to_vec();
    if let Some(post) = post {
        let chars: Vec<char> = post.chars().collect();
        // Endings of at least two characters: 长 alone names nothing.
        for start in 0..chars.len().saturating_sub(1) {
            let ending: String = chars[start..].iter().collect();
            words.push(format!("各位{ending}"));
            words.push(format!("全体{ending}"));
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::collectives_including;

    #[test]
    fn collective_words_include_the_posts_they_name() {
        let deputy = collectives_including(Some("常务副市长"));
        for word in [
            "各位副市长",
            "各位市长",
            "全体副市长",
            "各位常务副市长",
            "各位市领导",
        ] {
            assert!(deputy.iter().any(|w| w == word), "{word}");
        }
        assert!(!deputy.iter().any(|w| w == "各位长"));
        let mayor = collectives_including(Some("市长"));
        assert!(mayor.iter().any(|w| w == "各位市长"));
        assert!(!mayor.iter().any(|w| w == "各位副市长"));
        // A leader without a post is still among all city leaders.
        assert_eq!(collectives_including(None).len(), 3);
    }
}
