//! The rules of notices (通报): the bureau drafts one from a ranking (its figures and evidence
//! computed once, in one snapshot), edits the text, publishes it with a number and date, or
//! discards the draft. Drafts are the bureau's alone; a published notice is read by everyone
//! signed in, and each unit it names hears of it (and so do the leaders who supervise it).
//! A notice's evidence is read by row: the bureau and machine accounts all, a unit its own, a
//! leader the units they supervise.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::NoticeKind;
use entity::{leader_units, notice_evidence, notice_figures, notice_units, notices};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend,
    DatabaseTransaction, EntityTrait, IsolationLevel, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use super::evidence::{self, Counted, Difference};
use crate::audit::service::{Change, Private, record};
use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::deadline::today_in_china;
use crate::error::{AppError, AppResult};
use crate::events::{EntityType, Event, EventKind};
use crate::pagination::{Page, PageRequest};
use crate::stats::ranking::{self, RankingScope, Weights};
use crate::validation;

/// The most units one notice names.
pub const MAX_NAMED: usize = 50;

/// What a draft is made from.
#[derive(Debug, Clone)]
pub struct DraftRequest {
    pub kind: NoticeKind,
    pub scope: RankingScope,
    /// How many units to name: the best (praise) or the worst (criticism).
    pub count: usize,
    /// Criticism only: name every unit with a missing report instead of the worst `count`.
    pub overdue_only: bool,
}

/// Drafts a notice from the ranking of `request.scope` now (BUREAU).
pub async fn draft(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    request: DraftRequest,
) -> AppResult<notices::Model> {
    actor.require_bureau()?;
    if !(1..=MAX_NAMED).contains(&request.count) {
        return Err(AppError::bad_field(
            "count",
            format!("between 1 and {MAX_NAMED}"),
        ));
    }
    if request.overdue_only && request.kind == NoticeKind::Praise {
        return Err(AppError::bad_field(
            "overdueOnly",
            "only a criticism names the units with missing reports",
        ));
    }
    // One snapshot for the ranking and the evidence, so that they agree (PostgreSQL's
    // repeatable read; SQLite's single writer gives the same).
    let txn = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            db.begin_with_config(Some(IsolationLevel::RepeatableRead), None)
                .await?
        }
        _ => db.begin().await?,
    };
    let ranked = ranking::rank(&Principal::system(), &txn, now, request.scope).await?;
    let named: Vec<&ranking::Row> = match request.kind {
        NoticeKind::Praise => ranked.rows.iter().take(request.count).collect(),
        NoticeKind::Criticism if request.overdue_only => ranked
            .rows
            .iter()
            .rev()
            .filter(|r| r.missing > 0)
            .take(MAX_NAMED)
            .collect(),
        NoticeKind::Criticism => ranked.rows.iter().rev().take(request.count).collect(),
    };
    if named.is_empty() {
        return Err(AppError::bad_field(
            "scope",
            "no unit has reports counted in this scope, or none with a missing report",
        ));
    }
    let named_ids: Vec<i64> = named.iter().map(|r| r.unit_id).collect();
    let counted = evidence::collect(&txn, request.scope, ranked.as_of, &named_ids).await?;

    let document = match request.scope.document_id {
        Some(id) => entity::documents::Entity::find_by_id(id).one(&txn).await?,
        None => None,
    };
    let (title, body, reasons) = write_text(&request, &ranked, &named, document.as_ref());
    let notice = notices::ActiveModel {
        kind: Set(request.kind),
        title: Set(title),
        body: Set(body),
        document_id: Set(request.scope.document_id),
        period_id: Set(None),
        published_at: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        doc_number: Set(None),
        issuer: Set(None),
        issued_on: Set(None),
        version: Set(1),
        updated_at: Set(Some(now)),
        computed_at: Set(Some(now)),
        due_from: Set(request.scope.due_from),
        due_to: Set(request.scope.due_to),
        formula: Set(Some(ranking::FORMULA.to_owned())),
        weights: Set(Some(
            serde_json::to_value(ranked.weights).map_err(|e| AppError::Internal(e.into()))?,
        )),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    store_figures(
        &txn,
        notice.id,
        &ranked.rows,
        &named_ids,
        &reasons,
        &counted,
    )
    .await?;
    record(
        &txn,
        actor,
        now,
        Change::after(
            Private::NoticeDraft,
            EntityType::Notice,
            Some(notice.id),
            &notice,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(notice)
}

/// The figures of every ranked unit, the named units with their reasons, and the evidence.
async fn store_figures(
    txn: &DatabaseTransaction,
    notice_id: i64,
    rows: &[ranking::Row],
    named: &[i64],
    reasons: &HashMap<i64, String>,
    counted: &[Counted],
) -> AppResult<()> {
    let to_i32 = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    // Bounded by the bind limit: a few hundred rows a statement.
    for chunk in rows.chunks(500) {
        notice_figures::Entity::insert_many(chunk.iter().map(|r| notice_figures::ActiveModel {
            notice_id: Set(notice_id),
            unit_id: Set(r.unit_id),
            rank: Set(to_i32(r.rank)),
            on_time: Set(to_i32(r.on_time)),
            late: Set(to_i32(r.late)),
            missing: Set(to_i32(r.missing)),
            returned: Set(to_i32(r.returned)),
            points: Set(r.points),
            ..Default::default()
        }))
        .exec(txn)
        .await?;
    }
    notice_units::Entity::insert_many(named.iter().map(|unit| notice_units::ActiveModel {
        notice_id: Set(notice_id),
        unit_id: Set(*unit),
        reason: Set(reasons.get(unit).cloned()),
        ..Default::default()
    }))
    .exec(txn)
    .await?;
    for chunk in counted.chunks(500) {
        notice_evidence::Entity::insert_many(chunk.iter().map(|c| notice_evidence::ActiveModel {
            notice_id: Set(notice_id),
            unit_id: Set(c.unit_id),
            task_id: Set(c.task_id),
            period_id: Set(c.period_id),
            due_on: Set(c.due_on),
            outcome: Set(c.outcome),
            report_id: Set(c.report_id),
            first_version_id: Set(c.first_version_id),
            returned_review_id: Set(c.returned_review_id),
            ..Default::default()
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// The prefilled title, body and each named unit's line, in the bureau's usual wording.
fn write_text(
    request: &DraftRequest,
    ranked: &ranking::Ranking,
    named: &[&ranking::Row],
    document: Option<&entity::documents::Model>,
) -> (String, String, HashMap<i64, String>) {
    let subject = document.map_or_else(
        || "督办事项".to_owned(),
        |d| format!("《{}》确定事项", d.title),
    );
    let span = match (request.scope.due_from, request.scope.due_to) {
        (Some(from), Some(to)) => format!("{from}至{to}应报"),
        (Some(from), None) => format!("{from}以来应报"),
        (None, Some(to)) => format!("{to}前应报"),
        (None, None) => "应报".to_owned(),
    };
    let (title, heading, closing) = match request.kind {
        NoticeKind::Praise => (
            format!("关于{subject}落实情况较好单位的通报"),
            "一、落实情况较好的单位",
            "希望受到表扬的单位再接再厉，持续抓好各项任务落实；各单位要以先进为榜样，确保按时保质完成各项目标任务。",
        ),
        NoticeKind::Criticism => (
            format!("关于{subject}落实滞后单位的通报"),
            "一、落实滞后的单位",
            "请被通报单位高度重视，认真分析原因，明确整改措施和时限，于5个工作日内将整改情况书面报送市政府督查局。",
        ),
    };
    let counted: u32 = ranked.rows.iter().map(ranking::Row::counted).sum();
    let mut reasons = HashMap::new();
    let mut lines = Vec::new();
    for (i, row) in named.iter().enumerate() {
        let reason = format!(
            "按时报送{}项，逾期报送{}项，逾期未报{}项，被退回{}项，得分{:.2}，排名第{}（共{}家）",
            row.on_time,
            row.late,
            row.missing,
            row.returned,
            row.score(ranked.weights),
            row.rank,
            ranked.ranked
        );
        lines.push(format!("{}. {}：{reason}。", i + 1, row.unit_name));
        reasons.insert(row.unit_id, reason);
    }
    let body = format!(
        "截至{as_of}，市政府督查局对{subject}{span}的{counted}项报送任务进行了统计，共{ranked}家单位参与排名（{formula}）。现将有关情况通报如下：\n{heading}\n{lines}\n二、有关要求\n{closing}",
        as_of = ranked.as_of,
        ranked = ranked.ranked,
        formula = "按时报送加分，逾期报送、逾期未报、被退回减分",
        lines = lines.join("\n"),
    );
    (title, body, reasons)
}

/// Changes a draft's title or text, at the version read (BUREAU).
pub async fn update(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    version: i32,
    title: Option<String>,
    body: Option<String>,
) -> AppResult<notices::Model> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let before = draft_of(&txn, id).await?;
    let mut active = <notices::ActiveModel as Default>::default();
    if let Some(title) = title {
        active.title = Set(validation::required_text("title", &title, 200)?);
    }
    if let Some(body) = body {
        active.body = Set(validation::required_text("body", &body, 20_000)?);
    }
    active.updated_at = Set(Some(now));
    let after = write_versioned(&txn, id, version, active).await?;
    record(
        &txn,
        actor,
        now,
        Change::diff(
            Private::NoticeUpdate,
            EntityType::Notice,
            Some(id),
            &before,
            &after,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// What a notice is published with.
#[derive(Debug, Clone)]
pub struct Publication {
    /// Unique among notices.
    pub doc_number: String,
    /// Today in China if not given.
    pub issued_on: Option<NaiveDate>,
    pub issuer: Option<String>,
}

/// Publishes a draft with its number, date and issuer (BUREAU): read by everyone from then on;
/// each named unit is told (an event addressed to it).
pub async fn publish(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    version: i32,
    publication: Publication,
) -> AppResult<notices::Model> {
    actor.require_bureau()?;
    let Publication {
        doc_number,
        issued_on,
        issuer,
    } = publication;
    let doc_number = validation::required_text("docNumber", &doc_number, 100)?;
    let issuer = issuer
        .map(|i| validation::required_text("issuer", &i, 100))
        .transpose()?;
    let txn = db.begin().await?;
    draft_of(&txn, id).await?;
    let taken = notices::Entity::find()
        .filter(notices::Column::DocNumber.eq(doc_number.clone()))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(AppError::conflict(format!(
            "docNumber: {doc_number} is the number of another notice"
        )));
    }
    let active = notices::ActiveModel {
        doc_number: Set(Some(doc_number)),
        issued_on: Set(Some(issued_on.unwrap_or_else(|| today_in_china(now)))),
        issuer: Set(issuer),
        published_at: Set(Some(now)),
        updated_at: Set(Some(now)),
        ..Default::default()
    };
    let published = write_versioned(&txn, id, version, active).await?;
    let named = notice_units::Entity::find()
        .filter(notice_units::Column::NoticeId.eq(id))
        .all(&txn)
        .await?;
    let payload = serde_json::json!({
        "noticeId": id,
        "kind": published.kind,
        "title": published.title,
        "docNumber": published.doc_number,
    });
    // One event per named unit, addressed to it; the audit row is written once, with the
    // first (every unit's event is the same publication).
    for (i, unit) in named.iter().enumerate() {
        let event = Event {
            kind: EventKind::NoticePublished,
            entity_type: EntityType::Notice,
            entity_id: id,
            task_id: None,
            unit_id: Some(unit.unit_id),
            payload: &payload,
        };
        if i == 0 {
            record(
                &txn,
                actor,
                now,
                Change::after(
                    EventKind::NoticePublished,
                    EntityType::Notice,
                    Some(id),
                    &published,
                ),
            )
            .await?;
        }
        crate::events::record(&txn, now, event).await?;
    }
    txn.commit().await?;
    Ok(published)
}

/// Discards a draft (BUREAU); a published notice stays.
pub async fn discard(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
) -> AppResult<()> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let draft = draft_of(&txn, id).await?;
    notice_units::Entity::delete_many()
        .filter(notice_units::Column::NoticeId.eq(id))
        .exec(&txn)
        .await?;
    notices::Entity::delete_by_id(id).exec(&txn).await?;
    record(
        &txn,
        actor,
        now,
        Change::<_, ()> {
            action: Private::NoticeDiscard.into(),
            entity_type: EntityType::Notice,
            entity_id: Some(id),
            before: Some(&draft),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The notice `id` if it is still a draft: NOT_FOUND when there is none, CONFLICT once published.
async fn draft_of(txn: &DatabaseTransaction, id: i64) -> AppResult<notices::Model> {
    let notice = notices::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("notice"))?;
    if notice.published_at.is_some() {
        return Err(AppError::conflict(
            "the notice is published and can no longer change",
        ));
    }
    Ok(notice)
}

/// Writes `active` to the notice at the version read, bumping it; CONFLICT if it moved.
async fn write_versioned(
    txn: &DatabaseTransaction,
    id: i64,
    expected: i32,
    active: notices::ActiveModel,
) -> AppResult<notices::Model> {
    let updated = notices::Entity::update_many()
        .set(active)
        .col_expr(
            notices::Column::Version,
            Expr::col(notices::Column::Version).add(1),
        )
        .filter(notices::Column::Id.eq(id))
        .filter(notices::Column::Version.eq(expected))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict(format!(
            "the notice changed since version {expected} was read; read it again"
        )));
    }
    notices::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("notice"))
}

/// The notices `actor` may read: the bureau every one, drafts included; everyone else the
/// published ones.
fn readable(actor: &Principal) -> Condition {
    if actor.is_bureau() {
        Condition::all()
    } else {
        Condition::all().add(notices::Column::PublishedAt.is_not_null())
    }
}

/// Notices, newest first (drafts, for the bureau, before the published).
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    kind: Option<NoticeKind>,
    page: PageRequest,
) -> AppResult<Page<notices::Model>> {
    let mut query = notices::Entity::find().filter(readable(actor));
    if let Some(kind) = kind {
        query = query.filter(notices::Column::Kind.eq(kind));
    }
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_desc(Expr::col(notices::Column::PublishedAt).is_null())
        .order_by_desc(notices::Column::PublishedAt)
        .order_by_desc(notices::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

/// The notices among `ids` that `actor` may read, for loaders.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, notices::Model>> {
    Ok(notices::Entity::find()
        .filter(notices::Column::Id.is_in(ids.iter().copied()))
        .filter(readable(actor))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect())
}

/// A named unit with its reason and its stated figures.
#[derive(Debug, Clone)]
pub struct Named {
    pub unit_id: i64,
    pub reason: Option<String>,
    pub figures: Option<notice_figures::Model>,
}

/// The units each notice names, in the notice's order, with their figures: two statements.
pub async fn named_of(
    db: &impl ConnectionTrait,
    notice_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<Named>>> {
    let units = notice_units::Entity::find()
        .filter(notice_units::Column::NoticeId.is_in(notice_ids.iter().copied()))
        .order_by_asc(notice_units::Column::Id)
        .all(db)
        .await?;
    let figures: HashMap<(i64, i64), notice_figures::Model> = notice_figures::Entity::find()
        .filter(notice_figures::Column::NoticeId.is_in(notice_ids.iter().copied()))
        .filter(
            notice_figures::Column::UnitId
                .is_in(units.iter().map(|u| u.unit_id).collect::<HashSet<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|f| ((f.notice_id, f.unit_id), f))
        .collect();
    let mut named: HashMap<i64, Vec<Named>> = HashMap::new();
    for u in units {
        named.entry(u.notice_id).or_default().push(Named {
            figures: figures.get(&(u.notice_id, u.unit_id)).cloned(),
            unit_id: u.unit_id,
            reason: u.reason,
        });
    }
    Ok(named)
}

/// The units whose rows of a notice `actor` may read: all (`None`), or these.
async fn row_scope(
    actor: &Principal,
    db: &impl ConnectionTrait,
) -> AppResult<Option<HashSet<i64>>> {
    Ok(match &actor.scope {
        Scope::Bureau | Scope::Service => None,
        Scope::Unit { unit_id } => Some(HashSet::from([*unit_id])),
        // Notices rank units across documents: an office reads their text, not their rows.
        Scope::Office { .. } => Some(HashSet::new()),
        Scope::Leader { leader_id, .. } => Some(
            leader_units::Entity::find()
                .filter(leader_units::Column::LeaderId.eq(*leader_id))
                .all(db)
                .await?
                .into_iter()
                .map(|l| l.unit_id)
                .collect(),
        ),
    })
}

/// The evidence of each notice that `actor` may read, by notice: one statement (and one for a
/// leader's supervised units). The notices themselves were read through `readable_by_ids`.
pub async fn evidence_of(
    actor: &Principal,
    db: &impl ConnectionTrait,
    notice_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<notice_evidence::Model>>> {
    let mut query = notice_evidence::Entity::find()
        .filter(notice_evidence::Column::NoticeId.is_in(notice_ids.iter().copied()));
    if let Some(units) = row_scope(actor, db).await? {
        query = query.filter(notice_evidence::Column::UnitId.is_in(units));
    }
    let mut by_notice: HashMap<i64, Vec<notice_evidence::Model>> = HashMap::new();
    for row in query
        .order_by_asc(notice_evidence::Column::UnitId)
        .order_by_asc(notice_evidence::Column::DueOn)
        .order_by_asc(notice_evidence::Column::TaskId)
        .all(db)
        .await?
    {
        by_notice.entry(row.notice_id).or_default().push(row);
    }
    Ok(by_notice)
}

/// A notice checked against the history.
#[derive(Debug, Clone)]
pub struct Verification {
    pub computed_at: DateTime<Utc>,
    pub verified_at: DateTime<Utc>,
    /// Every difference found in the rows the caller may read (empty: the figures hold).
    pub differences: Vec<Difference>,
}

/// Recomputes the notice's figures from the append-only history as of when they were computed
/// (`evidence::verify`); the differences in the rows `actor` may read.
pub async fn verify(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    id: i64,
) -> AppResult<Verification> {
    let notice = readable_by_ids(actor, db, &[id])
        .await?
        .remove(&id)
        .ok_or_else(|| AppError::not_found("notice"))?;
    let computed_at = notice
        .computed_at
        .ok_or_else(|| AppError::bad_field("id", "this notice states no computed figures"))?;
    let weights: Weights = notice
        .weights
        .clone()
        .and_then(|w| serde_json::from_value(w).ok())
        .unwrap_or(Weights::DEFAULT);
    let evidence = notice_evidence::Entity::find()
        .filter(notice_evidence::Column::NoticeId.eq(id))
        .all(db)
        .await?;
    let figures = notice_figures::Entity::find()
        .filter(notice_figures::Column::NoticeId.eq(id))
        .all(db)
        .await?;
    let mut differences = evidence::verify(db, computed_at, weights, &evidence, &figures).await?;
    if let Some(units) = row_scope(actor, db).await? {
        differences.retain(|d| units.contains(&d.unit_id));
    }
    Ok(Verification {
        computed_at,
        verified_at: now,
        differences,
    })
}
