//! Business rules of the unit registry.
//!
//! A name is unique across unit names *and* aliases, because the importer resolves a written
//! name to exactly one unit. Merging duplicates lives in `merge`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::enums::{AliasSource, UnitKind};
use entity::{unit_aliases, units};
use itertools::Itertools;
use sea_orm::sea_query::{Expr, LikeExpr, Query};
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
use crate::validation::{NAME_MAX, like_pattern, required_text};

/// A new unit.
#[derive(Debug)]
pub struct NewUnit {
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    pub aliases: Vec<String>,
}

/// Changes to a unit; `None` leaves a field as it is. `parent_id: Some(None)` clears the parent.
#[derive(Debug, Default)]
pub struct UnitChanges {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    pub parent_id: Option<Option<i64>>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
    pub signoff_required: Option<bool>,
}

/// How to search the registry.
#[derive(Debug, Default)]
pub struct UnitSearch {
    /// Matches part of the name or of any alias.
    pub text: Option<String>,
    pub kind: Option<UnitKind>,
    pub parent_id: Option<i64>,
    /// Also list deactivated and merged units.
    pub include_inactive: bool,
}

/// Lists units matching the search, in registry order. Any signed-in principal may read the
/// registry: units need the names of the units they cooperate with.
pub async fn search(
    _actor: &Principal,
    db: &impl ConnectionTrait,
    search: UnitSearch,
    page: PageRequest,
) -> AppResult<Page<units::Model>> {
    let mut query = units::Entity::find();
    if let Some(text) = search
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let pattern = like_pattern(text);
        query = query.filter(
            Condition::any()
                .add(Expr::col(units::Column::Name).like(LikeExpr::new(&pattern).escape('\\')))
                .add(
                    units::Column::Id.in_subquery(
                        Query::select()
                            .column(unit_aliases::Column::UnitId)
                            .from(unit_aliases::Entity)
                            .and_where(
                                Expr::col(unit_aliases::Column::Alias)
                                    .like(LikeExpr::new(&pattern).escape('\\')),
                            )
                            .to_owned(),
                    ),
                ),
        );
    }
    if let Some(kind) = search.kind {
        query = query.filter(units::Column::Kind.eq(kind));
    }
    if let Some(parent_id) = search.parent_id {
        query = query.filter(units::Column::ParentId.eq(parent_id));
    }
    if !search.include_inactive {
        query = query.filter(units::Column::IsActive.eq(true));
    }
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_asc(units::Column::SortOrder)
        .order_by_asc(units::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

/// One unit by id.
pub async fn get(
    _actor: &Principal,
    db: &impl ConnectionTrait,
    id: i64,
) -> AppResult<units::Model> {
    units::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("unit"))
}

/// Units by id, for DataLoaders.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, units::Model>> {
    Ok(units::Entity::find()
        .filter(units::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|unit| (unit.id, unit))
        .collect())
}

/// Every unit's name by id, for tables that name many units (exports, notices): the registry
/// is small (a province has a few thousand units), so one statement without a filter.
pub async fn names(db: &impl ConnectionTrait) -> AppResult<HashMap<i64, String>> {
    Ok(units::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|unit| (unit.id, unit.name))
        .collect())
}

/// The aliases of each unit, for DataLoaders.
pub async fn aliases_of(
    db: &impl ConnectionTrait,
    unit_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<unit_aliases::Model>>> {
    Ok(unit_aliases::Entity::find()
        .filter(unit_aliases::Column::UnitId.is_in(unit_ids.iter().copied()))
        .order_by_asc(unit_aliases::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .into_group_map_by(|alias| alias.unit_id))
}

/// Fails with CONFLICT if `name` is already a unit's name or alias (other than `except`'s).
async fn ensure_name_free(
    db: &impl ConnectionTrait,
    field: &str,
    name: &str,
    except: Option<i64>,
) -> AppResult<()> {
    let by_name = units::Entity::find()
        .filter(units::Column::Name.eq(name))
        .one(db)
        .await?;
    if let Some(unit) = by_name.filter(|unit| Some(unit.id) != except) {
        return Err(AppError::conflict(format!(
            "{field}: `{name}` is already the name of unit {}",
            unit.id
        )));
    }
    let by_alias = unit_aliases::Entity::find()
        .filter(unit_aliases::Column::Alias.eq(name))
        .one(db)
        .await?;
    if let Some(alias) = by_alias.filter(|alias| Some(alias.unit_id) != except) {
        return Err(AppError::conflict(format!(
            "{field}: `{name}` is already an alias of unit {}",
            alias.unit_id
        )));
    }
    Ok(())
}

async fn ensure_parent(
    db: &impl ConnectionTrait,
    unit_id: Option<i64>,
    parent_id: i64,
) -> AppResult<()> {
    // Walk up from the proposed parent: reaching the unit itself would make a cycle.
    let mut cursor = Some(parent_id);
    let mut steps = 0;
    while let Some(id) = cursor {
        if Some(id) == unit_id {
            return Err(AppError::bad_field(
                "parentId",
                "would make the unit its own ancestor",
            ));
        }
        let unit = units::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::bad_field("parentId", "no such unit"))?;
        cursor = unit.parent_id;
        steps += 1;
        if steps > 64 {
            return Err(AppError::bad_field("parentId", "the unit tree is too deep"));
        }
    }
    Ok(())
}

/// Creates a unit with its aliases. Bureau only.
pub async fn create(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewUnit,
) -> AppResult<units::Model> {
    actor.require_bureau()?;
    let name = required_text("name", &input.name, NAME_MAX)?;
    let mut aliases = Vec::new();
    for alias in &input.aliases {
        let alias = required_text("aliases", alias, NAME_MAX)?;
        if alias != name && !aliases.contains(&alias) {
            aliases.push(alias);
        }
    }
    let txn = db.begin().await?;
    ensure_name_free(&txn, "name", &name, None).await?;
    for alias in &aliases {
        ensure_name_free(&txn, "aliases", alias, None).await?;
    }
    if let Some(parent_id) = input.parent_id {
        ensure_parent(&txn, None, parent_id).await?;
    }
    let unit = units::ActiveModel {
        name: Set(name),
        kind: Set(input.kind),
        parent_id: Set(input.parent_id),
        merged_into_id: Set(None),
        is_active: Set(true),
        sort_order: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut stored_aliases = Vec::new();
    for alias in aliases {
        stored_aliases.push(insert_alias(&txn, unit.id, alias, AliasSource::Manual, now).await?);
    }
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::UnitCreated,
            EntityType::Unit,
            Some(unit.id),
            &serde_json::json!({ "unit": unit, "aliases": stored_aliases }),
        ),
    )
    .await?;
    crate::events::registry(
        &txn,
        now,
        EventKind::UnitCreated,
        (EntityType::Unit, unit.id),
        &unit,
    )
    .await?;
    txn.commit().await?;
    Ok(unit)
}

pub(crate) async fn insert_alias(
    db: &impl ConnectionTrait,
    unit_id: i64,
    alias: String,
    source: AliasSource,
    now: DateTime<Utc>,
) -> AppResult<unit_aliases::Model> {
    Ok(unit_aliases::ActiveModel {
        unit_id: Set(unit_id),
        alias: Set(alias),
        source: Set(source),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Changes a unit. Bureau only.
pub async fn update(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    changes: UnitChanges,
) -> AppResult<units::Model> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let before = get(actor, &txn, id).await?;
    let mut active = before.clone().into_active_model();
    if let Some(name) = &changes.name {
        let name = required_text("name", name, NAME_MAX)?;
        if name != before.name {
            ensure_name_free(&txn, "name", &name, Some(id)).await?;
            // The old name stays findable: documents written before the rename still use it.
            if unit_aliases::Entity::find()
                .filter(unit_aliases::Column::Alias.eq(&before.name))
                .one(&txn)
                .await?
                .is_none()
            {
                insert_alias(&txn, id, before.name.clone(), AliasSource::Manual, now).await?;
            }
            // The new name must not linger as an alias of the same unit.
            unit_aliases::Entity::delete_many()
                .filter(unit_aliases::Column::Alias.eq(&name))
                .filter(unit_aliases::Column::UnitId.eq(id))
                .exec(&txn)
                .await?;
        }
        active.name = Set(name);
    }
    if let Some(kind) = changes.kind {
        active.kind = Set(kind);
    }
    if let Some(parent_id) = changes.parent_id {
        if let Some(parent_id) = parent_id {
            ensure_parent(&txn, Some(id), parent_id).await?;
        }
        active.parent_id = Set(parent_id);
    }
    if let Some(is_active) = changes.is_active {
        active.is_active = Set(is_active);
    }
    if let Some(sort_order) = changes.sort_order {
        active.sort_order = Set(sort_order);
    }
    // Drafts already put to the head stay with it; from now on the unit's clerks submit as
    // the setting says.
    if let Some(required) = changes.signoff_required {
        active.signoff_required = Set(required);
    }
    active.updated_at = Set(now);
    let after = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::UnitUpdated,
            EntityType::Unit,
            Some(id),
            &before,
            &after,
        ),
    )
    .await?;
    crate::events::registry(
        &txn,
        now,
        EventKind::UnitUpdated,
        (EntityType::Unit, id),
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Adds an alias to a unit. Adding an alias the unit already has changes nothing. Bureau only.
pub async fn add_alias(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    unit_id: i64,
    alias: &str,
) -> AppResult<units::Model> {
    actor.require_bureau()?;
    let alias = required_text("alias", alias, NAME_MAX)?;
    let txn = db.begin().await?;
    let unit = get(actor, &txn, unit_id).await?;
    ensure_name_free(&txn, "alias", &alias, Some(unit_id)).await?;
    let exists = unit_aliases::Entity::find()
        .filter(unit_aliases::Column::Alias.eq(&alias))
        .one(&txn)
        .await?
        .is_some();
    if alias != unit.name && !exists {
        let stored = insert_alias(&txn, unit_id, alias, AliasSource::Manual, now).await?;
        audit::record(
            &txn,
            actor,
            now,
            Change::after(
                EventKind::UnitAliasAdded,
                EntityType::Unit,
                Some(unit_id),
                &stored,
            ),
        )
        .await?;
        crate::events::registry(
            &txn,
            now,
            EventKind::UnitAliasAdded,
            (EntityType::Unit, unit_id),
            &stored,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(unit)
}
