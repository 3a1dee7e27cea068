//! The category tree of a document (一、 / （一）): creation and the batch reads behind the tree
//! fields. Each category has a `path` of sibling positions (`2.3`), unique per document, which
//! orders the tree and lets a filter take a category with everything below it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::categories;
use itertools::Itertools;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::documents::service::{get, validate_declared};
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::validation::{TEXT_MAX, required_text};

/// A new category under a document or another category.
#[derive(Debug)]
pub struct NewCategory {
    pub document_id: i64,
    pub parent_id: Option<i64>,
    /// The ordinal as written: `一`, `（三）`, `1`.
    pub ordinal: String,
    pub title: String,
    pub declared_count: Option<i32>,
}

/// Adds a category at the end of its siblings. Bureau only.
pub async fn create_category(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewCategory,
) -> AppResult<categories::Model> {
    actor.require_bureau()?;
    let ordinal = required_text("ordinal", &input.ordinal, 20)?;
    let title = required_text("title", &input.title, TEXT_MAX)?;
    let declared_count = validate_declared("declaredCount", input.declared_count)?;
    let txn = db.begin().await?;
    get(actor, &txn, input.document_id)
        .await
        .map_err(|_| AppError::bad_field("documentId", "no such document"))?;
    let parent = match input.parent_id {
        Some(parent_id) => Some(
            categories::Entity::find_by_id(parent_id)
                .one(&txn)
                .await?
                .filter(|parent| parent.document_id == input.document_id)
                .ok_or_else(|| {
                    AppError::bad_field("parentId", "no such category in this document")
                })?,
        ),
        None => None,
    };
    let siblings = categories::Entity::find()
        .filter(categories::Column::DocumentId.eq(input.document_id))
        .filter(match &parent {
            Some(parent) => categories::Column::ParentId.eq(parent.id),
            None => categories::Column::ParentId.is_null(),
        })
        .count(&txn)
        .await?;
    let position = i32::try_from(siblings + 1).map_err(|err| AppError::Internal(err.into()))?;
    // The path ("2.3") orders the tree and is unique per document.
    let path = match &parent {
        Some(parent) => format!("{}.{position}", parent.path),
        None => position.to_string(),
    };
    let category = categories::ActiveModel {
        document_id: Set(input.document_id),
        parent_id: Set(parent.as_ref().map(|p| p.id)),
        ordinal: Set(ordinal),
        title: Set(title),
        position: Set(position),
        path: Set(path),
        declared_count: Set(declared_count),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::CategoryCreated,
            EntityType::Category,
            Some(category.id),
            &category,
        ),
    )
    .await?;
    crate::events::registry(
        &txn,
        now,
        EventKind::CategoryCreated,
        (EntityType::Category, category.id),
        &category,
    )
    .await?;
    txn.commit().await?;
    Ok(category)
}

/// Categories by id, for DataLoaders.
pub async fn categories_by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, categories::Model>> {
    Ok(categories::Entity::find()
        .filter(categories::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|category| (category.id, category))
        .collect())
}

/// The top-level categories of each document, in order, for DataLoaders.
pub async fn root_categories_of(
    db: &impl ConnectionTrait,
    document_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<categories::Model>>> {
    Ok(categories::Entity::find()
        .filter(categories::Column::DocumentId.is_in(document_ids.iter().copied()))
        .filter(categories::Column::ParentId.is_null())
        .order_by_asc(categories::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .into_group_map_by(|category| category.document_id))
}

/// The sub-categories of each category, in order, for DataLoaders.
pub async fn child_categories_of(
    db: &impl ConnectionTrait,
    parent_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<categories::Model>>> {
    Ok(categories::Entity::find()
        .filter(categories::Column::ParentId.is_in(parent_ids.iter().copied()))
        .order_by_asc(categories::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|category| Some((category.parent_id?, category)))
        .into_group_map())
}
