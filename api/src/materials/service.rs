//! Business rules of leaders' material: the bureau asks, the leader (or their secretary) sends,
//! and who reads what.
//!
//! A request is owed by a leader, never a unit, so none of the units' rules apply: the rows are
//! read by the leader they are asked of, the bureau and machine accounts; units and reviewing
//! offices are refused, since the material is the city leadership's own.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{leaders, material_requests, material_submissions};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::deadline::{lateness, today_in_china};
use crate::error::{AppError, AppResult};
use crate::events::{self, EntityType, Event, EventKind};
use crate::pagination::{Page, PageRequest};
use crate::validation::{TEXT_MAX, TITLE_MAX, required_text};

/// At most this many leaders are asked in one call (a city has some twenty).
const LEADERS_MAX: usize = 100;

/// Where a request stands: computed on read from its first submission and the day in China.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaterialState {
    /// Nothing sent; not yet due.
    Pending,
    /// Nothing sent, and the due day has ended.
    Overdue,
    /// First sent by the end of the due day.
    Submitted,
    /// First sent after the due day.
    Late,
}

impl MaterialState {
    /// The state of a request with its first submission (if any), on `today` in China.
    pub fn of(
        request: &material_requests::Model,
        first: Option<&material_submissions::Model>,
        today: NaiveDate,
    ) -> Self {
        match first {
            Some(sent) if sent.is_late => Self::Late,
            Some(_) => Self::Submitted,
            None if request.due_on < today => Self::Overdue,
            None => Self::Pending,
        }
    }
}

/// What the bureau asks for.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub document_id: i64,
    pub leader_ids: Vec<i64>,
    pub title: String,
    pub due_on: NaiveDate,
}

/// What a leader sends.
#[derive(Debug, Clone)]
pub struct NewMaterial {
    pub request_id: i64,
    pub text: String,
    pub idempotency_key: String,
}

/// The payload of a request's events: the leader it is addressed to decides who hears it
/// (`live::access`).
#[derive(Serialize)]
struct Addressed<'a> {
    leader_id: i64,
    document_id: i64,
    title: &'a str,
    due_on: NaiveDate,
    version: Option<i32>,
    is_late: Option<bool>,
}

/// Asks each leader for the material (BUREAU). Idempotent: a leader already asked for the same
/// title under the document keeps the first request, which is returned with the new ones.
pub async fn request(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewRequest,
) -> AppResult<Vec<material_requests::Model>> {
    actor.require_bureau()?;
    let title = required_text("title", &input.title, TITLE_MAX)?;
    let mut leader_ids = input.leader_ids;
    leader_ids.sort_unstable();
    leader_ids.dedup();
    if leader_ids.is_empty() || leader_ids.len() > LEADERS_MAX {
        return Err(AppError::bad_field(
            "leaderIds",
            format!("name 1 to {LEADERS_MAX} leaders"),
        ));
    }
    if input.due_on < today_in_china(now) {
        return Err(AppError::bad_field("dueOn", "is in the past"));
    }
    let txn = db.begin().await?;
    crate::documents::service::get(actor, &txn, input.document_id).await?;
    let found = leaders::Entity::find()
        .filter(leaders::Column::Id.is_in(leader_ids.iter().copied()))
        .count(&txn)
        .await?;
    if found != leader_ids.len() as u64 {
        return Err(AppError::bad_field("leaderIds", "no such leader"));
    }
    let existing: HashMap<i64, material_requests::Model> = material_requests::Entity::find()
        .filter(material_requests::Column::DocumentId.eq(input.document_id))
        .filter(material_requests::Column::Title.eq(title.clone()))
        .filter(material_requests::Column::LeaderId.is_in(leader_ids.iter().copied()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| (r.leader_id, r))
        .collect();
    let mut requests = Vec::with_capacity(leader_ids.len());
    for leader_id in leader_ids {
        if let Some(asked) = existing.get(&leader_id) {
            requests.push(asked.clone());
            continue;
        }
        let stored = material_requests::ActiveModel {
            document_id: Set(input.document_id),
            leader_id: Set(leader_id),
            title: Set(title.clone()),
            due_on: Set(input.due_on),
            requested_by: Set(actor.user_id),
            requested_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|err| match AppError::from(err) {
            AppError::Duplicate => AppError::conflict("the same material was just asked for"),
            other => other,
        })?;
        record(
            &txn,
            actor,
            now,
            EventKind::MaterialRequested,
            &stored,
            None,
        )
        .await?;
        requests.push(stored);
    }
    txn.commit().await?;
    Ok(requests)
}

/// Sends the material asked of the signed-in leader (from their own account or their
/// secretary's, which is linked to the same leader). Every call with a new key is a new
/// version; a retry with a key already used returns the stored version.
pub async fn submit(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewMaterial,
) -> AppResult<(material_requests::Model, material_submissions::Model)> {
    let (Scope::Leader { leader_id, .. }, Some(user_id)) = (&actor.scope, actor.user_id) else {
        return Err(AppError::forbidden(
            "material is sent by the leader it is asked of, from their account or their \
             secretary's",
        ));
    };
    let text = required_text("text", &input.text, TEXT_MAX)?;
    let key = required_text("idempotencyKey", &input.idempotency_key, 100)?;
    let txn = db.begin().await?;
    let request = material_requests::Entity::find_by_id(input.request_id)
        .filter(material_requests::Column::LeaderId.eq(*leader_id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("material request"))?;
    let sent = |key: String| {
        material_submissions::Entity::find()
            .filter(material_submissions::Column::RequestId.eq(request.id))
            .filter(material_submissions::Column::IdempotencyKey.eq(key))
            .one(&txn)
    };
    if let Some(stored) = sent(key.clone()).await? {
        return Ok((request, stored));
    }
    let versions = material_submissions::Entity::find()
        .filter(material_submissions::Column::RequestId.eq(request.id))
        .count(&txn)
        .await?;
    let stored = material_submissions::ActiveModel {
        request_id: Set(request.id),
        version: Set(i32::try_from(versions + 1).unwrap_or(i32::MAX)),
        text: Set(text),
        idempotency_key: Set(key),
        is_late: Set(lateness(request.due_on, now).is_some()),
        submitted_by: Set(user_id),
        submitted_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|err| match AppError::from(err) {
        AppError::Duplicate => {
            AppError::conflict("another version was sent at the same moment; send again")
        }
        other => other,
    })?;
    record(
        &txn,
        actor,
        now,
        EventKind::MaterialSubmitted,
        &request,
        Some(&stored),
    )
    .await?;
    txn.commit().await?;
    Ok((request, stored))
}

/// The audit row and the event of a step, addressed to the request's leader.
async fn record(
    txn: &DatabaseTransaction,
    actor: &Principal,
    now: DateTime<Utc>,
    kind: EventKind,
    request: &material_requests::Model,
    submission: Option<&material_submissions::Model>,
) -> AppResult<()> {
    let payload = Addressed {
        leader_id: request.leader_id,
        document_id: request.document_id,
        title: &request.title,
        due_on: request.due_on,
        version: submission.map(|s| s.version),
        is_late: submission.map(|s| s.is_late),
    };
    audit::record(
        txn,
        actor,
        now,
        Change::after(
            kind,
            EntityType::MaterialRequest,
            Some(request.id),
            &payload,
        ),
    )
    .await?;
    events::record(
        txn,
        now,
        Event {
            kind,
            entity_type: EntityType::MaterialRequest,
            entity_id: request.id,
            task_id: None,
            unit_id: None,
            payload: &payload,
        },
    )
    .await
}

/// The leader whose material an event of `MaterialRequest` is about, from its payload.
pub fn addressee(payload: &serde_json::Value) -> Option<i64> {
    payload.get("leader_id").and_then(serde_json::Value::as_i64)
}

/// The requests `actor` may read: a leader their own, the bureau and machine accounts all;
/// units and reviewing offices none (FORBIDDEN).
fn readable(actor: &Principal) -> AppResult<Condition> {
    match &actor.scope {
        Scope::Bureau | Scope::Service => Ok(Condition::all()),
        Scope::Leader { leader_id, .. } => {
            Ok(Condition::all().add(material_requests::Column::LeaderId.eq(*leader_id)))
        }
        Scope::Unit { .. } | Scope::Office { .. } => Err(AppError::forbidden(
            "leaders' material is read by the leader asked and the bureau",
        )),
    }
}

/// What a list of requests is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct MaterialFilter {
    pub document_id: Option<i64>,
    pub leader_id: Option<i64>,
    pub state: Option<MaterialState>,
    /// Only those nothing has been sent for (pending or overdue).
    pub unsent: bool,
}

/// The condition of `filter`, the state in SQL as `MaterialState::of` says it in Rust.
fn condition(actor: &Principal, filter: &MaterialFilter, today: NaiveDate) -> AppResult<Condition> {
    let mut condition = readable(actor)?;
    if let Some(id) = filter.document_id {
        condition = condition.add(material_requests::Column::DocumentId.eq(id));
    }
    if let Some(id) = filter.leader_id {
        condition = condition.add(material_requests::Column::LeaderId.eq(id));
    }
    let first = |late: Option<bool>| {
        let mut first = Query::select()
            .expr(Expr::val(1))
            .from(material_submissions::Entity)
            .and_where(
                Expr::col((
                    material_submissions::Entity,
                    material_submissions::Column::RequestId,
                ))
                .equals((material_requests::Entity, material_requests::Column::Id)),
            )
            .and_where(material_submissions::Column::Version.eq(1))
            .to_owned();
        if let Some(late) = late {
            first.and_where(material_submissions::Column::IsLate.eq(late));
        }
        first
    };
    if filter.unsent {
        condition = condition.add(Expr::exists(first(None)).not());
    }
    if let Some(state) = filter.state {
        condition = condition.add(match state {
            MaterialState::Submitted => Condition::all().add(Expr::exists(first(Some(false)))),
            MaterialState::Late => Condition::all().add(Expr::exists(first(Some(true)))),
            MaterialState::Pending => Condition::all()
                .add(Expr::exists(first(None)).not())
                .add(material_requests::Column::DueOn.gte(today)),
            MaterialState::Overdue => Condition::all()
                .add(Expr::exists(first(None)).not())
                .add(material_requests::Column::DueOn.lt(today)),
        });
    }
    Ok(condition)
}

/// Requests `actor` may read, by due date.
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: &MaterialFilter,
    page: PageRequest,
) -> AppResult<Page<material_requests::Model>> {
    let query =
        material_requests::Entity::find().filter(condition(actor, filter, today_in_china(now))?);
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_asc(material_requests::Column::DueOn)
        .order_by_asc(material_requests::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

/// The requests among `ids` that `actor` may read, for `nodes` (none for a unit or an office).
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, material_requests::Model>> {
    let Ok(readable) = readable(actor) else {
        return Ok(HashMap::new());
    };
    Ok(material_requests::Entity::find()
        .filter(readable.add(material_requests::Column::Id.is_in(ids.iter().copied())))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// The versions sent for each of `request_ids`, oldest first. The requests were read through
/// `readable`, so their versions need no further check.
pub async fn submissions_of(
    db: &impl ConnectionTrait,
    request_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<material_submissions::Model>>> {
    let rows = crate::db::in_chunks(request_ids, |chunk| {
        material_submissions::Entity::find()
            .filter(material_submissions::Column::RequestId.is_in(chunk))
            .order_by_asc(material_submissions::Column::Version)
            .all(db)
    })
    .await?;
    let mut by_request: HashMap<i64, Vec<material_submissions::Model>> = HashMap::new();
    for row in rows {
        by_request.entry(row.request_id).or_default().push(row);
    }
    Ok(by_request)
}

/// How a document's requests stand, as `actor` may see them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MaterialFigures {
    pub requested: u64,
    pub pending: u64,
    pub overdue: u64,
    pub submitted: u64,
    pub late: u64,
}

/// The figures of the requests `actor` may read, of one document or all: two statements (the
/// requests, their first versions).
pub async fn figures(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    document_id: Option<i64>,
) -> AppResult<MaterialFigures> {
    let filter = MaterialFilter {
        document_id,
        ..Default::default()
    };
    let today = today_in_china(now);
    let requests = material_requests::Entity::find()
        .filter(condition(actor, &filter, today)?)
        .all(db)
        .await?;
    let ids: Vec<i64> = requests.iter().map(|r| r.id).collect();
    let firsts: HashMap<i64, material_submissions::Model> = crate::db::in_chunks(&ids, |chunk| {
        material_submissions::Entity::find()
            .filter(material_submissions::Column::RequestId.is_in(chunk))
            .filter(material_submissions::Column::Version.eq(1))
            .all(db)
    })
    .await?
    .into_iter()
    .map(|s| (s.request_id, s))
    .collect();
    let mut figures = MaterialFigures::default();
    for request in &requests {
        figures.requested += 1;
        match MaterialState::of(request, firsts.get(&request.id), today) {
            MaterialState::Pending => figures.pending += 1,
            MaterialState::Overdue => figures.overdue += 1,
            MaterialState::Submitted => figures.submitted += 1,
            MaterialState::Late => figures.late += 1,
        }
    }
    Ok(figures)
}
