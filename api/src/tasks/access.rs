//! Row-level access to tasks. This is the one place that says who sees which task:
//!
//! - BUREAU and SERVICE see every live task.
//! - UNIT sees the tasks where its unit holds any role (lead, responsible, cooperating).
//! - LEADER sees the tasks that name them, either in person or through the post they hold now.
//!
//! Soft-deleted tasks are invisible to everyone. Everything hanging off a task (its leaders,
//! units, and later its reports) is reachable only through a task that passed this check.

use entity::enums::Role;
use entity::{task_leaders, task_units, tasks};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition};

use crate::auth::Principal;

/// The condition a `tasks` query must carry for `actor`.
pub fn visible(actor: &Principal) -> Condition {
    let live = Condition::all().add(tasks::Column::DeletedAt.is_null());
    match actor.role {
        Role::Bureau | Role::Service => live,
        Role::Unit => match actor.unit_id {
            Some(unit_id) => live.add(
                tasks::Column::Id.in_subquery(
                    Query::select()
                        .column(task_units::Column::TaskId)
                        .from(task_units::Entity)
                        .and_where(task_units::Column::UnitId.eq(unit_id))
                        .to_owned(),
                ),
            ),
            None => live.add(nothing()),
        },
        Role::Leader => {
            let mut named = Condition::any();
            if let Some(leader_id) = actor.leader_id {
                named = named.add(task_leaders::Column::LeaderId.eq(leader_id));
            }
            if let Some(post) = &actor.leader_post {
                named = named.add(task_leaders::Column::Post.eq(post.clone()));
            }
            if named.is_empty() {
                return live.add(nothing());
            }
            live.add(
                tasks::Column::Id.in_subquery(
                    Query::select()
                        .column(task_leaders::Column::TaskId)
                        .from(task_leaders::Entity)
                        .cond_where(named)
                        .to_owned(),
                ),
            )
        }
    }
}

/// A condition no row meets.
fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}
