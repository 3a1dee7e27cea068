//! Business rules of documents. Their category trees live in `categories`.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::documents;
use entity::enums::{DocumentKind, ObligationRule};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::documents::schedule::ReportingSchedule;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::pagination::{Page, PageRequest};
use crate::validation::{
    NAME_MAX, TITLE_MAX, in_range, like_pattern, optional_text, required_text,
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
    pub receipt_working_days: Option<i32>,
    pub handback_working_days: Option<i32>,
    pub urge_after_days: Option<Option<i32>>,
    pub notice_after_days: Option<Option<i32>>,
    pub interview_after_days: Option<Option<i32>>,
    pub satisfaction_target: Option<i32>,
    pub contribution_lead_days: Option<i32>,
    /// The unit that is the document's reviewing office, or `Some(None)` for the bureau alone.
    pub reviewing_office_id: Option<Option<i64>>,
}

/// A window in working days: at least one, at most six weeks' worth.
fn validate_window(field: &str, days: i32) -> AppResult<i32> {
    if (1..=30).contains(&days) {
        Ok(days)
    } else {
        Err(AppError::bad_field(field, "must be 1 to 30 working days"))
    }
}

/// How to search documents.
#[derive(Debug, Default)]
pub struct DocumentSearch {
    pub year: Option<i32>,
    pub kind: Option<DocumentKind>,
    /// Matches part of the title or the document number.
    pub text: Option<String>,
}

/// The documents `actor` may read. Documents are the public notices tasks come from, so every
/// signed-in principal reads them all (their tasks are row-scoped separately), except a
/// reviewing office's staff: they read the documents naming their office, and nothing of any
/// other.
fn readable(actor: &Principal) -> Condition {
    match actor.scope {
        Scope::Office { office_id } => {
            Condition::all().add(documents::Column::ReviewingOfficeId.eq(office_id))
        }
        Scope::Bureau | Scope::Service | Scope::Leader { .. } | Scope::Unit { .. } => {
            Condition::all()
        }
    }
}

/// Whether `readable` lets `actor` read every document, so that a document read for anyone
/// may be served to them (`reference_cache`).
pub fn reads_every_document(actor: &Principal) -> bool {
    !matches!(actor.scope, Scope::Office { .. })
}

/// Lists the documents `actor` may read, newest year first.
pub async fn search(
    actor: &Principal,
    db: &impl ConnectionTrait,
    search: DocumentSearch,
    page: PageRequest,
) -> AppResult<Page<documents::Model>> {
    let mut query = documents::Entity::find().filter(readable(actor));
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
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_desc(documents::Column::Year)
        .order_by_desc(documents::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

pub async fn get(
    actor: &Principal,
    db: &impl ConnectionTrait,
    id: i64,
) -> AppResult<documents::Model> {
    documents::Entity::find_by_id(id)
        .filter(readable(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("document"))
}

/// The documents among `ids` that `actor` may read, for DataLoaders.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, documents::Model>> {
    Ok(documents::Entity::find()
        .filter(readable(actor))
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

pub(crate) fn validate_declared(field: &str, count: Option<i32>) -> AppResult<Option<i32>> {
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
        Change::after(
            EventKind::DocumentCreated,
            EntityType::Document,
            Some(document.id),
            &document,
        ),
    )
    .await?;
    crate::events::registry(
        &txn,
        now,
        EventKind::DocumentCreated,
        (EntityType::Document, document.id),
        &document,
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
    // Windows already opened keep their dates; the new ones apply to assignments from now on.
    if let Some(days) = changes.receipt_working_days {
        active.receipt_working_days = Set(validate_window("receiptWorkingDays", days)?);
    }
    if let Some(days) = changes.handback_working_days {
        active.handback_working_days = Set(validate_window("handbackWorkingDays", days)?);
    }
    if let Some(office) = changes.reviewing_office_id {
        if let Some(id) = office {
            let unit = entity::units::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .filter(|unit| unit.merged_into_id.is_none())
                .ok_or_else(|| {
                    AppError::bad_field("reviewingOfficeId", "no such unit (or it was merged)")
                })?;
            active.reviewing_office_id = Set(Some(unit.id));
        } else {
            active.reviewing_office_id = Set(None);
        }
    }
    if let Some(days) = changes.contribution_lead_days {
        active.contribution_lead_days = Set(validate_window("contributionLeadDays", days)?);
    }
    if let Some(target) = changes.satisfaction_target {
        if !(1..=100).contains(&target) {
            return Err(AppError::bad_field(
                "satisfactionTarget",
                "must be 1 to 100 (percent)",
            ));
        }
        active.satisfaction_target = Set(target);
    }
    // The escalation ladder: each step's days overdue, or none (the bureau's alone).
    for (field, days, column) in [
        (
            "urgeAfterDays",
            changes.urge_after_days,
            &mut active.urge_after_days,
        ),
        (
            "noticeAfterDays",
            changes.notice_after_days,
            &mut active.notice_after_days,
        ),
        (
            "interviewAfterDays",
            changes.interview_after_days,
            &mut active.interview_after_days,
        ),
    ] {
        if let Some(days) = days {
            if days.is_some_and(|d| !(1..=365).contains(&d)) {
                return Err(AppError::bad_field(field, "must be 1 to 365 days, or null"));
            }
            *column = Set(days);
        }
    }
    active.updated_at = Set(now);
    let after = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::DocumentUpdated,
            EntityType::Document,
            Some(id),
            &before,
            &after,
        ),
    )
    .await?;
    crate::events::registry(
        &txn,
        now,
        EventKind::DocumentUpdated,
        (EntityType::Document, id),
        &after,
    )
    .await?;
    if after.obligation_rule != before.obligation_rule {
        // Who owes reports for every task of the document changed with the rule.
        crate::tasks::progress::refresh_document(&txn, now, id).await?;
    }
    txn.commit().await?;
    Ok(after)
}
