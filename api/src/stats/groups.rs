//! What figures can be grouped by, and how: each grouping's key in the obligations' query, the
//! join a leader's key needs, and the groups' names and order for the rows.

use std::collections::HashMap;

use entity::{
    categories, documents, leaders, obligations, reporting_periods, task_leaders, tasks, units,
};
use sea_orm::sea_query::{Alias, Expr, Query, SimpleExpr, UnionType};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryTrait, Select};

use crate::error::AppResult;

/// The rows of grouped figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
#[graphql(name = "FigureGrouping")]
pub enum Grouping {
    /// One row per unit owing the reports.
    Unit,
    /// One row per leader named by a task, in person or by the post they hold.
    Leader,
    Document,
    /// One row per category a task is filed under directly; tasks without one make a row of
    /// their own.
    Category,
    /// One row per reporting period.
    Period,
}

/// The name of the row of tasks without a category.
pub const NO_CATEGORY: &str = "未分类";

/// The grouping's key in a query over `obligations` joined to `tasks` (and, for leaders, to
/// `join_task_leaders`).
pub fn key(grouping: Grouping) -> SimpleExpr {
    use obligations::Column as O;
    match grouping {
        Grouping::Unit => Expr::col((obligations::Entity, O::UnitId)).into(),
        Grouping::Document => Expr::col((obligations::Entity, O::DocumentId)).into(),
        Grouping::Period => Expr::col((obligations::Entity, O::PeriodId)).into(),
        Grouping::Category => Expr::col((tasks::Entity, tasks::Column::CategoryId)).into(),
        Grouping::Leader => Expr::col((Alias::new("task_leader"), Alias::new("leader_id"))).into(),
    }
}

/// Joins each obligation to the leaders of its task, once per leader: those named in person and
/// the active holders of a post a task names (the same reading as `tasks::access`, less the
/// collective words, which name no one in particular). A `UNION` of two equality joins, so
/// both databases hash them rather than test every leader against every row.
pub fn join_task_leaders(mut query: Select<obligations::Entity>) -> Select<obligations::Entity> {
    let in_person = Query::select()
        .column(task_leaders::Column::TaskId)
        .column(task_leaders::Column::LeaderId)
        .from(task_leaders::Entity)
        .and_where(task_leaders::Column::LeaderId.is_not_null())
        .to_owned();
    let by_post = Query::select()
        .column((task_leaders::Entity, task_leaders::Column::TaskId))
        .expr_as(
            Expr::col((leaders::Entity, leaders::Column::Id)),
            Alias::new("leader_id"),
        )
        .from(task_leaders::Entity)
        .inner_join(
            leaders::Entity,
            Expr::col((leaders::Entity, leaders::Column::Post))
                .equals((task_leaders::Entity, task_leaders::Column::Post)),
        )
        .and_where(Expr::col((leaders::Entity, leaders::Column::IsActive)).eq(true))
        .to_owned();
    let mut both = in_person;
    both.union(UnionType::Distinct, by_post);
    let alias = Alias::new("task_leader");
    QueryTrait::query(&mut query).join_subquery(
        sea_orm::sea_query::JoinType::InnerJoin,
        both,
        alias.clone(),
        Expr::col((alias, Alias::new("task_id")))
            .equals((obligations::Entity, obligations::Column::TaskId)),
    );
    query
}

/// A group's name, and where its row goes.
#[derive(Debug, Clone)]
pub struct GroupName {
    pub name: String,
    pub order: (i64, i64, String),
}

/// The names of the groups with these keys: one statement (keys are bound in chunks).
pub async fn names(
    db: &impl ConnectionTrait,
    grouping: Grouping,
    keys: &[i64],
) -> AppResult<HashMap<i64, GroupName>> {
    let named = |id: i64, name: String, order: (i64, i64, String)| (id, GroupName { name, order });
    let rows: Vec<(i64, GroupName)> = match grouping {
        Grouping::Unit => crate::db::in_chunks(keys, |chunk| {
            units::Entity::find()
                .filter(units::Column::Id.is_in(chunk))
                .all(db)
        })
        .await?
        .into_iter()
        .map(|u| named(u.id, u.name.clone(), (i64::from(u.sort_order), 0, u.name)))
        .collect(),
        Grouping::Leader => crate::db::in_chunks(keys, |chunk| {
            leaders::Entity::find()
                .filter(leaders::Column::Id.is_in(chunk))
                .all(db)
        })
        .await?
        .into_iter()
        .map(|l| named(l.id, l.name.clone(), (i64::from(l.sort_order), 0, l.name)))
        .collect(),
        Grouping::Document => crate::db::in_chunks(keys, |chunk| {
            documents::Entity::find()
                .filter(documents::Column::Id.is_in(chunk))
                .all(db)
        })
        .await?
        .into_iter()
        .map(|d| named(d.id, d.title, (-i64::from(d.year), d.id, String::new())))
        .collect(),
        Grouping::Category => crate::db::in_chunks(keys, |chunk| {
            categories::Entity::find()
                .filter(categories::Column::Id.is_in(chunk))
                .all(db)
        })
        .await?
        .into_iter()
        .map(|c| {
            // Paths are `2.10`: pad each number so that 2.10 sorts after 2.9.
            let path = c
                .path
                .split('.')
                .map(|n| format!("{n:0>6}"))
                .collect::<Vec<_>>();
            named(c.id, c.title, (c.document_id, 0, path.join(".")))
        })
        .collect(),
        Grouping::Period => crate::db::in_chunks(keys, |chunk| {
            reporting_periods::Entity::find()
                .filter(reporting_periods::Column::Id.is_in(chunk))
                .all(db)
        })
        .await?
        .into_iter()
        .map(|p| {
            let day = i64::from(chrono::Datelike::num_days_from_ce(&p.due_on));
            named(p.id, p.label, (day, p.document_id, String::new()))
        })
        .collect(),
    };
    Ok(rows.into_iter().collect())
}
