//! The rows hanging off each imported task: its leaders, units and indicators, numbered in the
//! order the notice writes them, each name once per role; and how they are cleared when a
//! re-import updates the task in place, and inserted in chunks.

use std::collections::{HashMap, HashSet};

use entity::enums::{LeaderRole, UnitRole};
use entity::{indicators, task_leaders, task_units};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::{Overrides, Writer};
use crate::error::AppResult;
use crate::import::preview::PreviewTask;

impl Writer<'_> {
    /// The task's leader rows. A post (市长) or a collective word (各位副市长) is stored as
    /// written, without a leader; a name not in the registry becomes a new leader.
    pub(super) async fn leader_rows(
        &mut self,
        task_id: i64,
        task: &PreviewTask,
    ) -> AppResult<Vec<task_leaders::ActiveModel>> {
        let mut rows = Vec::new();
        let mut seen = HashSet::new();
        let mut positions: HashMap<LeaderRole, i32> = HashMap::new();
        for leader in &task.leaders {
            let leader_id = match (leader.leader_id, &leader.post, &leader.collective) {
                (_, Some(_), _) | (_, _, Some(_)) => None,
                (Some(id), _, _) => Some(id),
                _ => Some(
                    self.new_leader(leader.name.as_deref().unwrap_or(&leader.as_written))
                        .await?,
                ),
            };
            let key = (
                leader_id,
                leader.post.clone(),
                leader.collective.clone(),
                leader.role,
            );
            if !seen.insert(key) {
                continue;
            }
            let position = positions.entry(leader.role).or_default();
            *position += 1;
            rows.push(task_leaders::ActiveModel {
                task_id: Set(task_id),
                leader_id: Set(leader_id),
                post: Set(leader.post.clone()),
                collective: Set(leader.collective.clone()),
                name_as_written: Set(leader.as_written.clone()),
                role: Set(leader.role),
                position: Set(*position),
                ..Default::default()
            });
        }
        Ok(rows)
    }

    /// The task's unit rows: one written name may stand for several units (a list of counties),
    /// and the clerk's choices in `overrides` win over the resolver's.
    pub(super) async fn unit_rows(
        &mut self,
        task_id: i64,
        task: &PreviewTask,
        overrides: &Overrides,
    ) -> AppResult<Vec<task_units::ActiveModel>> {
        let mut rows = Vec::new();
        let mut seen = HashSet::new();
        let mut positions: HashMap<UnitRole, i32> = HashMap::new();
        for unit in &task.units {
            for (unit_id, is_local) in self.unit_ids(unit, overrides).await? {
                if !seen.insert((unit_id, unit.role)) {
                    continue;
                }
                let position = positions.entry(unit.role).or_default();
                *position += 1;
                rows.push(task_units::ActiveModel {
                    task_id: Set(task_id),
                    unit_id: Set(unit_id),
                    role: Set(unit.role),
                    position: Set(*position),
                    name_as_written: Set(unit.as_written.clone()),
                    is_local: Set(is_local),
                    ..Default::default()
                });
            }
        }
        Ok(rows)
    }
}

/// The task's indicator rows, in the order the text gives them.
pub(super) fn indicator_rows_of(task_id: i64, task: &PreviewTask) -> Vec<indicators::ActiveModel> {
    task.indicators
        .iter()
        .enumerate()
        .map(|(i, indicator)| indicators::ActiveModel {
            task_id: Set(task_id),
            phrase: Set(indicator.phrase.clone()),
            value: Set(Some(indicator.value.clone())),
            measure_unit: Set(Some(indicator.unit.clone())),
            comparator: Set(indicator.comparator),
            position: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
            ..Default::default()
        })
        .collect()
}

/// The rows hanging off a task that an in-place update rewrites.
#[derive(Clone, Copy)]
pub(super) enum TaskChild {
    Leaders,
    Units,
    Indicators,
}

impl TaskChild {
    pub(super) async fn clear(self, db: &impl ConnectionTrait, task_id: i64) -> AppResult<()> {
        match self {
            Self::Leaders => {
                task_leaders::Entity::delete_many()
                    .filter(task_leaders::Column::TaskId.eq(task_id))
                    .exec(db)
                    .await?;
            }
            Self::Units => {
                task_units::Entity::delete_many()
                    .filter(task_units::Column::TaskId.eq(task_id))
                    .exec(db)
                    .await?;
            }
            Self::Indicators => {
                // Indicators that reports already measured against stay: a report keeps its
                // values. Only unmeasured ones are replaced.
                indicators::Entity::delete_many()
                    .filter(indicators::Column::TaskId.eq(task_id))
                    .filter(
                        indicators::Column::Id.not_in_subquery(
                            sea_orm::sea_query::Query::select()
                                .column(entity::report_indicator_values::Column::IndicatorId)
                                .from(entity::report_indicator_values::Entity)
                                .to_owned(),
                        ),
                    )
                    .exec(db)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Inserts rows in chunks that stay under the bind-parameter limits of both backends.
pub(super) async fn insert_chunks<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> AppResult<()>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(200).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec(db)
            .await?;
    }
    Ok(())
}
