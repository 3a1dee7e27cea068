//! Business rules of the unit registry.
//!
//! A name is unique across unit names *and* aliases, because the importer resolves a written
//! name to exactly one unit. Merging moves every reference from the source unit to the target,
//! keeps the source's names as aliases of the target and leaves the source inactive with
//! `merged_into_id` set, so history stays readable.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::enums::{AliasSource, UnitKind};
use entity::{
    extension_requests, leader_units, ledger_entries, notice_units, progress_reports, reminders,
    task_units, unit_aliases, units, users,
};
use sea_orm::sea_query::{Expr, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
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

/// What a merge moved, for the client and the audit row.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeCounts {
    pub aliases: u64,
    pub task_assignments: u64,
    pub duplicate_assignments_dropped: u64,
    pub supervising_leaders: u64,
    pub users: u64,
    pub child_units: u64,
    pub reports: u64,
    pub reminders: u64,
    pub ledger_entries: u64,
    pub extension_requests: u64,
    pub notices: u64,
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
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_asc(units::Column::SortOrder)
        .order_by_asc(units::Column::Id)
        .offset(page.offset)
        .limit(page.limit)
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

/// The aliases of each unit, for DataLoaders.
pub async fn aliases_of(
    db: &impl ConnectionTrait,
    unit_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<unit_aliases::Model>>> {
    let mut map: HashMap<i64, Vec<unit_aliases::Model>> = HashMap::new();
    for alias in unit_aliases::Entity::find()
        .filter(unit_aliases::Column::UnitId.is_in(unit_ids.iter().copied()))
        .order_by_asc(unit_aliases::Column::Id)
        .all(db)
        .await?
    {
        map.entry(alias.unit_id).or_default().push(alias);
    }
    Ok(map)
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
        Change::<(), _> {
            action: "unit.create",
            entity_type: "unit",
            entity_id: Some(unit.id),
            before: None,
            after: Some(&serde_json::json!({ "unit": unit, "aliases": stored_aliases })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(unit)
}

async fn insert_alias(
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
    active.updated_at = Set(now);
    let after = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change {
            action: "unit.update",
            entity_type: "unit",
            entity_id: Some(id),
            before: Some(&before),
            after: Some(&after),
        },
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
            Change::<(), _> {
                action: "unit.add_alias",
                entity_type: "unit",
                entity_id: Some(unit_id),
                before: None,
                after: Some(&stored),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(unit)
}

/// Merges `source_id` into `target_id`. Bureau only.
///
/// Every reference moves: aliases (and the source's own name, which becomes an alias), task
/// assignments, supervising leaders, users, child units, reports, reminders, ledger entries,
/// extension requests and notices. Where the target already holds the same role on a task or
/// the same leader link, the source's duplicate row is dropped (the target's stands for both)
/// and counted. Two reports of the two units for the same task and period cannot be merged
/// without losing one, so that case is refused with CONFLICT.
pub async fn merge(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    source_id: i64,
    target_id: i64,
) -> AppResult<(units::Model, MergeCounts)> {
    actor.require_bureau()?;
    if source_id == target_id {
        return Err(AppError::bad_field("targetId", "must differ from sourceId"));
    }
    let txn = db.begin().await?;
    let source = get(actor, &txn, source_id)
        .await
        .map_err(|_| AppError::not_found("source unit"))?;
    let target = get(actor, &txn, target_id)
        .await
        .map_err(|_| AppError::not_found("target unit"))?;
    if source.merged_into_id.is_some() {
        return Err(AppError::conflict(
            "the source unit has already been merged",
        ));
    }
    if target.merged_into_id.is_some() {
        return Err(AppError::conflict(
            "the target unit has itself been merged into another unit",
        ));
    }
    if is_ancestor(&txn, source_id, target_id).await? {
        return Err(AppError::bad_field(
            "targetId",
            "is a sub-unit of the source unit",
        ));
    }

    let report_key = |report: progress_reports::Model| (report.task_id, report.period_id);
    let target_reports: std::collections::HashSet<(i64, i64)> = progress_reports::Entity::find()
        .filter(progress_reports::Column::UnitId.eq(target_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(report_key)
        .collect();
    let clashing_reports = progress_reports::Entity::find()
        .filter(progress_reports::Column::UnitId.eq(source_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(report_key)
        .filter(|key| target_reports.contains(key))
        .count();
    if clashing_reports > 0 {
        return Err(AppError::conflict(format!(
            "both units reported on the same task and period {clashing_reports} time(s); \
             resolve those reports before merging"
        )));
    }

    let mut counts = MergeCounts::default();

    // Task assignments: drop the source's rows that duplicate a target row, move the rest.
    let source_rows = task_units::Entity::find()
        .filter(task_units::Column::UnitId.eq(source_id))
        .all(&txn)
        .await?;
    let target_rows: std::collections::HashSet<(i64, entity::enums::UnitRole)> =
        task_units::Entity::find()
            .filter(task_units::Column::UnitId.eq(target_id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|row| (row.task_id, row.role))
            .collect();
    let (dupes, moves): (Vec<_>, Vec<_>) = source_rows
        .into_iter()
        .partition(|row| target_rows.contains(&(row.task_id, row.role)));
    if !dupes.is_empty() {
        counts.duplicate_assignments_dropped = task_units::Entity::delete_many()
            .filter(task_units::Column::Id.is_in(dupes.iter().map(|row| row.id)))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    if !moves.is_empty() {
        counts.task_assignments = task_units::Entity::update_many()
            .col_expr(task_units::Column::UnitId, Expr::value(target_id))
            .filter(task_units::Column::Id.is_in(moves.iter().map(|row| row.id)))
            .exec(&txn)
            .await?
            .rows_affected;
    }

    // Leader links: same approach.
    let target_leaders: Vec<i64> = leader_units::Entity::find()
        .filter(leader_units::Column::UnitId.eq(target_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|row| row.leader_id)
        .collect();
    leader_units::Entity::delete_many()
        .filter(leader_units::Column::UnitId.eq(source_id))
        .filter(leader_units::Column::LeaderId.is_in(target_leaders))
        .exec(&txn)
        .await?;
    counts.supervising_leaders = leader_units::Entity::update_many()
        .col_expr(leader_units::Column::UnitId, Expr::value(target_id))
        .filter(leader_units::Column::UnitId.eq(source_id))
        .exec(&txn)
        .await?
        .rows_affected;

    counts.aliases = unit_aliases::Entity::update_many()
        .col_expr(unit_aliases::Column::UnitId, Expr::value(target_id))
        .filter(unit_aliases::Column::UnitId.eq(source_id))
        .exec(&txn)
        .await?
        .rows_affected;
    insert_alias(
        &txn,
        target_id,
        source.name.clone(),
        AliasSource::Merge,
        now,
    )
    .await?;
    counts.aliases += 1;

    macro_rules! move_unit_refs {
        ($entity:ident, $column:expr) => {
            $entity::Entity::update_many()
                .col_expr($column, Expr::value(target_id))
                .filter($column.eq(source_id))
                .exec(&txn)
                .await?
                .rows_affected
        };
    }
    counts.users = move_unit_refs!(users, users::Column::UnitId);
    counts.child_units = move_unit_refs!(units, units::Column::ParentId);
    counts.reports = move_unit_refs!(progress_reports, progress_reports::Column::UnitId);
    counts.reminders = move_unit_refs!(reminders, reminders::Column::UnitId);
    counts.ledger_entries = move_unit_refs!(ledger_entries, ledger_entries::Column::UnitId);
    counts.extension_requests =
        move_unit_refs!(extension_requests, extension_requests::Column::UnitId);
    notice_units::Entity::delete_many()
        .filter(notice_units::Column::UnitId.eq(source_id))
        .filter(
            notice_units::Column::NoticeId.in_subquery(
                Query::select()
                    .column(notice_units::Column::NoticeId)
                    .from(notice_units::Entity)
                    .and_where(notice_units::Column::UnitId.eq(target_id))
                    .to_owned(),
            ),
        )
        .exec(&txn)
        .await?;
    counts.notices = move_unit_refs!(notice_units, notice_units::Column::UnitId);

    let mut retired = source.clone().into_active_model();
    retired.is_active = Set(false);
    retired.merged_into_id = Set(Some(target_id));
    retired.parent_id = Set(None);
    retired.updated_at = Set(now);
    retired.update(&txn).await?;

    audit::record(
        &txn,
        actor,
        now,
        Change {
            action: "unit.merge",
            entity_type: "unit",
            entity_id: Some(source_id),
            before: Some(&source),
            after: Some(&serde_json::json!({ "mergedInto": target_id, "moved": counts })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((target, counts))
}

/// Whether `ancestor` is above `unit` in the tree.
async fn is_ancestor(db: &impl ConnectionTrait, ancestor: i64, unit: i64) -> AppResult<bool> {
    let mut cursor = units::Entity::find_by_id(unit)
        .one(db)
        .await?
        .and_then(|u| u.parent_id);
    let mut steps = 0;
    while let Some(id) = cursor {
        if id == ancestor {
            return Ok(true);
        }
        cursor = units::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|u| u.parent_id);
        steps += 1;
        if steps > 64 {
            break;
        }
    }
    Ok(false)
}
