//! Business rules of documents and their category trees.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::enums::{DocumentKind, ObligationRule};
use entity::{categories, documents};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::documents::schedule::ReportingSchedule;
use crate::error::{AppError, AppResult};
use crate::pagination::{Page, PageRequest};
use crate::validation::{
    NAME_MAX, TEXT_MAX, TITLE_MAX, in_range, like_pattern, optional_text, required_text,
};

/// Largest original text kept with a document (a long notice is some 100 KB).
const ORIGINAL_TEXT_MAX: usize = 2_000_000;

/// A new document.
#[derive(Debug)]
pub struct NewDocument {
    pub doc_number: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    /// Defaults to the year of `issued_on`.
    pub year: Option<i32>,
    pub kind: DocumentKind,
    pub schedule: Option<ReportingSchedule>,
    pub obligation_rule: Option<ObligationRule>,
    pub declared_total: Option<i32>,
    pub original_text: Option<String>,
}

/// Changes to a document; `Some(None)` clears an optional field.
#[derive(Debug, Default)]
pub struct DocumentChanges {
    pub doc_number: Option<Option<String>>,
    pub title: Option<String>,
    pub issuer: Option<Option<String>>,
    pub issued_on: Option<Option<NaiveDate>>,
    pub year: Option<i32>,
    pub kind: Option<DocumentKind>,
    pub schedule: Option<Option<ReportingSchedule>>,
    pub obligation_rule: Option<ObligationRule>,
    pub declared_total: Option<Option<i32>>,
}

/// How to search documents.
#[derive(Debug, Default)]
pub struct DocumentSearch {
    pub year: Option<i32>,
    pub kind: Option<DocumentKind>,
    /// Matches part of the title or the document number.
    pub text: Option<String>,
}

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

/// Lists documents, newest year first. Any signed-in principal may read documents: they are
/// the public notices that tasks come from. Their tasks are row-scoped separately.
pub async fn search(
    _actor: &Principal,
    db: &impl ConnectionTrait,
    search: DocumentSearch,
    page: PageRequest,
) -> AppResult<Page<documents::Model>> {
    let mut query = documents::Entity::find();
    if let Some(year) = search.year {
        query = query.filter(documents::Column::Year.eq(year));
    }
    if let Some(kind) = search.kind {
        query = query.filter(documents::Column::Kind.eq(kind));
    }
    if let Some(text) = search
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let pattern = like_pattern(text);
        query = query.filter(
            Condition::any()
                .add(Expr::col(documents::Column::Title).like(LikeExpr::new(&pattern).escape('\\')))
                .add(
                    Expr::col(documents::Column::DocNumber)
                        .like(LikeExpr::new(&pattern).escape('\\')),
                ),
        );
    }
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_desc(documents::Column::Year)
        .order_by_desc(documents::Column::Id)
        .offset(page.offset)
        .limit(page.limit)
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

pub async fn get(
    _actor: &Principal,
    db: &impl ConnectionTrait,
    id: i64,
) -> AppResult<documents::Model> {
    documents::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("document"))
}

/// Documents by id, for DataLoaders.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, documents::Model>> {
    Ok(documents::Entity::find()
        .filter(documents::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|doc| (doc.id, doc))
        .collect())
}

fn validate_year(year: i32) -> AppResult<i32> {
    in_range("year", year, 1949, 2200)
}

fn validate_declared(field: &str, count: Option<i32>) -> AppResult<Option<i32>> {
    count.map(|n| in_range(field, n, 0, 100_000)).transpose()
}

async fn ensure_number_free(
    db: &impl ConnectionTrait,
    number: &str,
    except: Option<i64>,
) -> AppResult<()> {
    let existing = documents::Entity::find()
        .filter(documents::Column::DocNumber.eq(number))
        .one(db)
        .await?;
    match existing {
        Some(doc) if Some(doc.id) != except => Err(AppError::conflict(format!(
            "docNumber: a document numbered `{number}` already exists"
        ))),
        _ => Ok(()),
    }
}

/// Creates a document. Bureau only.
pub async fn create(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewDocument,
) -> AppResult<documents::Model> {
    actor.require_bureau()?;
    let doc_number = optional_text("docNumber", input.doc_number.as_deref(), NAME_MAX)?;
    let title = required_text("title", &input.title, TITLE_MAX)?;
    let issuer = optional_text("issuer", input.issuer.as_deref(), TITLE_MAX)?;
    let year = match (input.year, input.issued_on) {
        (Some(year), _) => validate_year(year)?,
        (None, Some(date)) => validate_year(date.year())?,
        (None, None) => {
            return Err(AppError::bad_field(
                "year",
                "give the year or the issue date",
            ));
        }
    };
    let schedule = input
        .schedule
        .map(ReportingSchedule::validated)
        .transpose()?;
    let declared_total = validate_declared("declaredTotal", input.declared_total)?;
    if let Some(text) = &input.original_text
        && text.chars().count() > ORIGINAL_TEXT_MAX
    {
        return Err(AppError::bad_field(
            "originalText",
            format!("must be at most {ORIGINAL_TEXT_MAX} characters"),
        ));
    }
    let txn = db.begin().await?;
    if let Some(number) = &doc_number {
        ensure_number_free(&txn, number, None).await?;
    }
    let document = documents::ActiveModel {
        doc_number: Set(doc_number),
        title: Set(title),
        issuer: Set(issuer),
        issued_on: Set(input.issued_on),
        year: Set(year),
        kind: Set(input.kind),
        schedule: Set(schedule.as_ref().map(ReportingSchedule::to_json)),
        obligation_rule: Set(input
            .obligation_rule
            .unwrap_or(ObligationRule::LeadElseResponsible)),
        declared_total: Set(declared_total),
        contacts: Set(None),
        // The original text is data: stored exactly as given, never trimmed.
        original_text: Set(input.original_text),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::<(), _> {
            action: "document.create",
            entity_type: "document",
            entity_id: Some(document.id),
            before: None,
            after: Some(&document),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(document)
}

/// Changes a document. Bureau only.
pub async fn update(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    changes: DocumentChanges,
) -> AppResult<documents::Model> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let before = get(actor, &txn, id).await?;
    let mut active = before.clone().into_active_model();
    if let Some(number) = &changes.doc_number {
        let number = optional_text("docNumber", number.as_deref(), NAME_MAX)?;
        if let Some(number) = &number {
            ensure_number_free(&txn, number, Some(id)).await?;
        }
        active.doc_number = Set(number);
    }
    if let Some(title) = &changes.title {
        active.title = Set(required_text("title", title, TITLE_MAX)?);
    }
    if let Some(issuer) = &changes.issuer {
        active.issuer = Set(optional_text("issuer", issuer.as_deref(), TITLE_MAX)?);
    }
    if let Some(issued_on) = changes.issued_on {
        active.issued_on = Set(issued_on);
    }
    if let Some(year) = changes.year {
        active.year = Set(validate_year(year)?);
    }
    if let Some(kind) = changes.kind {
        active.kind = Set(kind);
    }
    if let Some(schedule) = changes.schedule {
        let schedule = schedule.map(ReportingSchedule::validated).transpose()?;
        active.schedule = Set(schedule.as_ref().map(ReportingSchedule::to_json));
    }
    if let Some(rule) = changes.obligation_rule {
        active.obligation_rule = Set(rule);
    }
    if let Some(total) = changes.declared_total {
        active.declared_total = Set(validate_declared("declaredTotal", total)?);
    }
    active.updated_at = Set(now);
    let after = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change {
            action: "document.update",
            entity_type: "document",
            entity_id: Some(id),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
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
        Change::<(), _> {
            action: "category.create",
            entity_type: "category",
            entity_id: Some(category.id),
            before: None,
            after: Some(&category),
        },
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
    let mut map: HashMap<i64, Vec<categories::Model>> = HashMap::new();
    for category in categories::Entity::find()
        .filter(categories::Column::DocumentId.is_in(document_ids.iter().copied()))
        .filter(categories::Column::ParentId.is_null())
        .order_by_asc(categories::Column::Position)
        .all(db)
        .await?
    {
        map.entry(category.document_id).or_default().push(category);
    }
    Ok(map)
}

/// The sub-categories of each category, in order, for DataLoaders.
pub async fn child_categories_of(
    db: &impl ConnectionTrait,
    parent_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<categories::Model>>> {
    let mut map: HashMap<i64, Vec<categories::Model>> = HashMap::new();
    for category in categories::Entity::find()
        .filter(categories::Column::ParentId.is_in(parent_ids.iter().copied()))
        .order_by_asc(categories::Column::Position)
        .all(db)
        .await?
    {
        if let Some(parent_id) = category.parent_id {
            map.entry(parent_id).or_default().push(category);
        }
    }
    Ok(map)
}
