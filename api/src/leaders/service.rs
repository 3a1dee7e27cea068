//! Business rules of the leader registry.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{leader_units, leaders, units};
use itertools::Itertools;
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::pagination::{Page, PageRequest};
use crate::validation::{NAME_MAX, like_pattern, optional_text, required_text};

/// A new leader.
#[derive(Debug)]
pub struct NewLeader {
    pub name: String,
    pub post: Option<String>,
    pub supervised_unit_ids: Vec<i64>,
}

/// Changes to a leader; `None` leaves a field as it is, `post: Some(None)` clears the post.
#[derive(Debug, Default)]
pub struct LeaderChanges {
    pub name: Option<String>,
    pub post: Option<Option<String>>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
    pub supervised_unit_ids: Option<Vec<i64>>,
}

/// How to search leaders.
#[derive(Debug, Default)]
pub struct LeaderSearch {
    /// Matches part of the name or the post.
    pub text: Option<String>,
    pub include_inactive: bool,
}

/// Lists leaders. Any signed-in principal may read them.
pub async fn search(
    _actor: &Principal,
    db: &impl ConnectionTrait,
    search: LeaderSearch,
    page: PageRequest,
) -> AppResult<Page<leaders::Model>> {
    let mut query = leaders::Entity::find();
    if let Some(text) = search
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let pattern = like_pattern(text);
        query = query.filter(
            Condition::any()
                .add(Expr::col(leaders::Column::Name).like(LikeExpr::new(&pattern).escape('\\')))
                .add(Expr::col(leaders::Column::Post).like(LikeExpr::new(&pattern).escape('\\'))),
        );
    }
    if !search.include_inactive {
        query = query.filter(leaders::Column::IsActive.eq(true));
    }
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_asc(leaders::Column::SortOrder)
        .order_by_asc(leaders::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

pub async fn get(
    _actor: &Principal,
    db: &impl ConnectionTrait,
    id: i64,
) -> AppResult<leaders::Model> {
    leaders::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("leader"))
}

/// Leaders by id, for DataLoaders.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, leaders::Model>> {
    Ok(leaders::Entity::find()
        .filter(leaders::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|leader| (leader.id, leader))
        .collect())
}

/// How a task names a leader: in person, or by the post they hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LeaderRef {
    Id(i64),
    /// Resolves to the post's current active holder (the first in registry order if several).
    Post(String),
}

/// Resolves leader references in one statement, for DataLoaders. A post nobody holds now is
/// left out of the map.
pub async fn resolve_refs(
    db: &impl ConnectionTrait,
    refs: &[LeaderRef],
) -> AppResult<HashMap<LeaderRef, leaders::Model>> {
    let ids: Vec<i64> = refs
        .iter()
        .filter_map(|r| match r {
            LeaderRef::Id(id) => Some(*id),
            LeaderRef::Post(_) => None,
        })
        .collect();
    let posts: Vec<String> = refs
        .iter()
        .filter_map(|r| match r {
            LeaderRef::Post(post) => Some(post.clone()),
            LeaderRef::Id(_) => None,
        })
        .collect();
    let rows = leaders::Entity::find()
        .filter(
            Condition::any().add(leaders::Column::Id.is_in(ids)).add(
                Condition::all()
                    .add(leaders::Column::Post.is_in(posts))
                    .add(leaders::Column::IsActive.eq(true)),
            ),
        )
        .order_by_asc(leaders::Column::SortOrder)
        .order_by_asc(leaders::Column::Id)
        .all(db)
        .await?;
    let mut map = HashMap::new();
    for leader in rows {
        if refs.contains(&LeaderRef::Id(leader.id)) {
            map.insert(LeaderRef::Id(leader.id), leader.clone());
        }
        // Rows come in registry order, so the first holder of a post wins. Only for the posts
        // asked for: a leader read by id may hold a post whose first holder was not read, and
        // the answer is kept (`reference_cache`) under each of its keys.
        if let Some(post) = leader.post.clone().filter(|_| leader.is_active) {
            let post = LeaderRef::Post(post);
            if refs.contains(&post) {
                map.entry(post).or_insert(leader);
            }
        }
    }
    Ok(map)
}

/// The units each leader supervises, for DataLoaders.
pub async fn supervised_units_of(
    db: &impl ConnectionTrait,
    leader_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<units::Model>>> {
    let links = leader_units::Entity::find()
        .filter(leader_units::Column::LeaderId.is_in(leader_ids.iter().copied()))
        .order_by_asc(leader_units::Column::Id)
        .all(db)
        .await?;
    let units = crate::units::service::by_ids(
        db,
        &links.iter().map(|link| link.unit_id).collect::<Vec<_>>(),
    )
    .await?;
    Ok(links
        .into_iter()
        .filter_map(|link| Some((link.leader_id, units.get(&link.unit_id)?.clone())))
        .into_group_map())
}

async fn set_supervised_units(
    db: &impl ConnectionTrait,
    leader_id: i64,
    unit_ids: &[i64],
) -> AppResult<Vec<i64>> {
    let mut unique = Vec::new();
    for id in unit_ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    let found = crate::units::service::by_ids(db, &unique).await?;
    if let Some(missing) = unique.iter().find(|id| !found.contains_key(id)) {
        return Err(AppError::bad_field(
            "supervisedUnitIds",
            format!("no unit with id {missing}"),
        ));
    }
    leader_units::Entity::delete_many()
        .filter(leader_units::Column::LeaderId.eq(leader_id))
        .exec(db)
        .await?;
    for unit_id in &unique {
        leader_units::ActiveModel {
            leader_id: Set(leader_id),
            unit_id: Set(*unit_id),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(unique)
}

/// Creates a leader. Bureau only.
pub async fn create(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewLeader,
) -> AppResult<leaders::Model> {
    actor.require_bureau()?;
    let name = required_text("name", &input.name, NAME_MAX)?;
    let post = optional_text("post", input.post.as_deref(), NAME_MAX)?;
    let txn = db.begin().await?;
    let leader = leaders::ActiveModel {
        name: Set(name),
        post: Set(post),
        is_active: Set(true),
        sort_order: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let supervised = set_supervised_units(&txn, leader.id, &input.supervised_unit_ids).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::LeaderCreated,
            EntityType::Leader,
            Some(leader.id),
            &serde_json::json!({ "leader": leader, "supervisedUnitIds": supervised }),
        ),
    )
    .await?;
    crate::events::registry(
        &txn,
        now,
        EventKind::LeaderCreated,
        (EntityType::Leader, leader.id),
        &leader,
    )
    .await?;
    txn.commit().await?;
    Ok(leader)
}

/// Changes a leader. Bureau only.
pub async fn update(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    changes: LeaderChanges,
) -> AppResult<leaders::Model> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let before = get(actor, &txn, id).await?;
    let mut active = before.clone().into_active_model();
    if let Some(name) = &changes.name {
        active.name = Set(required_text("name", name, NAME_MAX)?);
    }
    if let Some(post) = &changes.post {
        active.post = Set(optional_text("post", post.as_deref(), NAME_MAX)?);
    }
    if let Some(is_active) = changes.is_active {
        active.is_active = Set(is_active);
    }
    if let Some(sort_order) = changes.sort_order {
        active.sort_order = Set(sort_order);
    }
    active.updated_at = Set(now);
    let after = active.update(&txn).await?;
    let supervised = match &changes.supervised_unit_ids {
        Some(ids) => Some(set_supervised_units(&txn, id, ids).await?),
        None => None,
    };
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::LeaderUpdated,
            EntityType::Leader,
            Some(id),
            &before,
            &serde_json::json!({ "leader": after, "supervisedUnitIds": supervised }),
        ),
    )
    .await?;
    crate::events::registry(
        &txn,
        now,
        EventKind::LeaderUpdated,
        (EntityType::Leader, id),
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
