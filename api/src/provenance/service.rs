//! Business rules of task links, carry-over and source citations. Writes are the bureau's,
//! each in one transaction with its audit row and an event on the task; reads follow the task
//! (whoever sees a task sees its links and citations; the other end of a link shows only to
//! those who may see that task too).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{DocumentKind, TaskLinkKind};
use entity::{indicators, task_citations, task_links, tasks};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::Serialize;

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::{EntityType, EventKind};
use crate::tasks::assignments::{NewTaskLeader, NewTaskUnit};
use crate::tasks::service::{NewIndicator, NewTask};
use crate::validation::{TEXT_MAX, optional_text};

/// The longest passage a task cites.
const PASSAGE_MAX: usize = 2_000;

/// What a carry-over did.
#[derive(Debug, Clone, Default)]
pub struct CarriedOver {
    /// (old task, new task), in the old notice's order.
    pub carried: Vec<(i64, tasks::Model)>,
    /// Old tasks already carried into the target notice, left as they were.
    pub already: Vec<i64>,
}

/// Carries the unfinished tasks of `from` (all, or the `only` ones) into next year's `to` (结转)
/// as new tasks with the same text, leaders, units and indicators, each linked back to its old
/// task, whose reports stay with it. `deadline`: the new tasks' deadline (none when omitted).
/// Tasks carried before are left alone, so a second call carries only what the first did not.
pub async fn carry_over(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    from: i64,
    to: i64,
    only: Option<Vec<i64>>,
    deadline: Option<NaiveDate>,
) -> AppResult<CarriedOver> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let source = crate::documents::service::get(actor, &txn, from)
        .await
        .map_err(|_| AppError::bad_field("fromDocumentId", "no such document"))?;
    let target = crate::documents::service::get(actor, &txn, to)
        .await
        .map_err(|_| AppError::bad_field("toDocumentId", "no such document"))?;
    if target.year <= source.year {
        return Err(AppError::bad_field(
            "toDocumentId",
            format!(
                "tasks are carried into a later year's notice (from {}, to {})",
                source.year, target.year
            ),
        ));
    }
    if target.kind == DocumentKind::Source {
        return Err(AppError::bad_field(
            "toDocumentId",
            "a source document has no tasks",
        ));
    }
    let mut old = tasks::Entity::find()
        .filter(tasks::Column::DocumentId.eq(from))
        .filter(tasks::Column::DeletedAt.is_null())
        .order_by_asc(tasks::Column::SortOrder)
        .order_by_asc(tasks::Column::Id)
        .all(&txn)
        .await?;
    if let Some(only) = &only {
        let wanted: HashSet<i64> = only.iter().copied().collect();
        let found: HashSet<i64> = old.iter().map(|t| t.id).collect();
        if let Some(stranger) = only.iter().find(|id| !found.contains(id)) {
            return Err(AppError::bad_field(
                "taskIds",
                format!("task {stranger} is not a task of the notice carried from"),
            ));
        }
        old.retain(|t| wanted.contains(&t.id));
        if let Some(done) = old
            .iter()
            .find(|t| crate::tasks::progress::is_closed(t.status))
        {
            return Err(AppError::bad_field(
                "taskIds",
                format!(
                    "task {} is closed; only unfinished tasks are carried over",
                    done.seq
                ),
            ));
        }
    } else {
        old.retain(|t| !crate::tasks::progress::is_closed(t.status));
    }
    let ids: Vec<i64> = old.iter().map(|t| t.id).collect();
    // Carried into this notice before: the link's target is a live task of `to`.
    let before: HashSet<i64> = task_links::Entity::find()
        .filter(task_links::Column::Kind.eq(TaskLinkKind::CarriedOver))
        .filter(task_links::Column::TaskId.is_in(ids.iter().copied()))
        .filter(
            task_links::Column::LinkedTaskId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(tasks::Column::Id)
                    .from(tasks::Entity)
                    .and_where(tasks::Column::DocumentId.eq(to))
                    .and_where(tasks::Column::DeletedAt.is_null())
                    .to_owned(),
            ),
        )
        .all(&txn)
        .await?
        .into_iter()
        .map(|l| l.task_id)
        .collect();
    let leaders = crate::tasks::query::leaders_of(&txn, &ids).await?;
    let units = crate::tasks::query::units_of(&txn, &ids).await?;
    let mut measures: HashMap<i64, Vec<indicators::Model>> = HashMap::new();
    for indicator in indicators::Entity::find()
        .filter(indicators::Column::TaskId.is_in(ids.iter().copied()))
        .order_by_asc(indicators::Column::Position)
        .all(&txn)
        .await?
    {
        measures
            .entry(indicator.task_id)
            .or_default()
            .push(indicator);
    }
    let mut outcome = CarriedOver::default();
    for task in old {
        if before.contains(&task.id) {
            outcome.already.push(task.id);
            continue;
        }
        let input = NewTask {
            document_id: to,
            category_id: None,
            parent_task_id: None,
            seq: format!("结转{}", task.seq),
            text: task.text.clone(),
            deadline,
            external_id: None,
            leaders: leaders
                .get(&task.id)
                .into_iter()
                .flatten()
                .map(|l| NewTaskLeader {
                    leader_id: l.leader_id,
                    post: l.post.clone(),
                    collective: l.collective.clone(),
                    role: l.role,
                    name_as_written: Some(l.name_as_written.clone()),
                })
                .collect(),
            units: units
                .get(&task.id)
                .into_iter()
                .flatten()
                .map(|u| NewTaskUnit {
                    unit_id: u.unit_id,
                    role: u.role,
                    is_local: u.is_local,
                    name_as_written: Some(u.name_as_written.clone()),
                })
                .collect(),
            indicators: measures
                .get(&task.id)
                .into_iter()
                .flatten()
                .map(|i| NewIndicator {
                    phrase: i.phrase.clone(),
                    target: i.value.clone(),
                    measure_unit: i.measure_unit.clone(),
                    comparator: i.comparator,
                })
                .collect(),
        };
        let carried = crate::tasks::service::create(actor, &txn, now, input).await?;
        let link = insert_link(
            &txn,
            actor,
            now,
            task.id,
            carried.id,
            TaskLinkKind::CarriedOver,
            Some(format!("由{}年第{}项结转", source.year, task.seq)),
        )
        .await?;
        record(
            &txn,
            actor,
            now,
            EventKind::TaskCarriedOver,
            carried.id,
            &link,
        )
        .await?;
        outcome.carried.push((task.id, carried));
    }
    txn.commit().await?;
    Ok(outcome)
}

async fn insert_link(
    txn: &DatabaseTransaction,
    actor: &Principal,
    now: DateTime<Utc>,
    task_id: i64,
    linked_task_id: i64,
    kind: TaskLinkKind,
    note: Option<String>,
) -> AppResult<task_links::Model> {
    Ok(task_links::ActiveModel {
        task_id: Set(task_id),
        linked_task_id: Set(linked_task_id),
        kind: Set(kind),
        note: Set(note),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// The audit row and the event (on `task_id`: its leaders and units hear of it) of a step.
async fn record<P: Serialize>(
    txn: &DatabaseTransaction,
    actor: &Principal,
    now: DateTime<Utc>,
    kind: EventKind,
    task_id: i64,
    payload: &P,
) -> AppResult<()> {
    audit::record(
        txn,
        actor,
        now,
        Change::after(kind, EntityType::Task, Some(task_id), payload),
    )
    .await?;
    crate::tasks::store::changed(txn, now, kind, task_id, payload).await
}

/// Links two tasks (BUREAU): drafted together (与…合并起草) or related. Carry-over links are
/// made by `carry_over` only.
pub async fn link(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    task_id: i64,
    linked_task_id: i64,
    kind: TaskLinkKind,
    note: Option<String>,
) -> AppResult<task_links::Model> {
    actor.require_bureau()?;
    if kind == TaskLinkKind::CarriedOver {
        return Err(AppError::bad_field(
            "kind",
            "tasks are carried over with carryOverTasks",
        ));
    }
    if task_id == linked_task_id {
        return Err(AppError::bad_field("linkedTaskId", "is the task itself"));
    }
    let note = optional_text("note", note.as_deref(), TEXT_MAX)?;
    let txn = db.begin().await?;
    for (field, id) in [("taskId", task_id), ("linkedTaskId", linked_task_id)] {
        crate::tasks::query::get(actor, &txn, id)
            .await
            .map_err(|_| AppError::bad_field(field, "no such task"))?;
    }
    // Either direction counts: a link reads the same from both ends.
    let existing = task_links::Entity::find()
        .filter(task_links::Column::Kind.eq(kind))
        .filter(between(task_id, linked_task_id))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(AppError::conflict("the tasks are already linked so"));
    }
    let link = insert_link(&txn, actor, now, task_id, linked_task_id, kind, note).await?;
    record(&txn, actor, now, EventKind::TaskLinked, task_id, &link).await?;
    txn.commit().await?;
    Ok(link)
}

/// The links of `kind` between two tasks, in either direction.
fn between(a: i64, b: i64) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(task_links::Column::TaskId.eq(a))
                .add(task_links::Column::LinkedTaskId.eq(b)),
        )
        .add(
            Condition::all()
                .add(task_links::Column::TaskId.eq(b))
                .add(task_links::Column::LinkedTaskId.eq(a)),
        )
}

/// Removes a link of `kind` between two tasks (BUREAU), whichever direction it was made in.
/// Carry-over links stay: they are the history of the carried task.
pub async fn unlink(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    task_id: i64,
    linked_task_id: i64,
    kind: TaskLinkKind,
) -> AppResult<()> {
    actor.require_bureau()?;
    if kind == TaskLinkKind::CarriedOver {
        return Err(AppError::bad_field(
            "kind",
            "a carry-over is history and stays linked",
        ));
    }
    let txn = db.begin().await?;
    let link = task_links::Entity::find()
        .filter(task_links::Column::Kind.eq(kind))
        .filter(between(task_id, linked_task_id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("link"))?;
    task_links::Entity::delete_by_id(link.id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::TaskUnlinked,
            EntityType::Task,
            Some(task_id),
            &link,
            &(),
        ),
    )
    .await?;
    crate::tasks::store::changed(&txn, now, EventKind::TaskUnlinked, task_id, &link).await?;
    txn.commit().await?;
    Ok(())
}

/// Records that a task comes from a passage of a document (BUREAU). The passage is quoted
/// exactly as the document's original text has it (no normalising: the citation is the text),
/// at its first occurrence, or the `occurrence`-th (1-based) when it appears more than once.
pub async fn cite(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    task_id: i64,
    document_id: i64,
    passage: &str,
    occurrence: Option<u32>,
) -> AppResult<task_citations::Model> {
    actor.require_bureau()?;
    if passage.trim().is_empty() {
        return Err(AppError::bad_field("passage", "must not be empty"));
    }
    if passage.chars().count() > PASSAGE_MAX {
        return Err(AppError::bad_field(
            "passage",
            format!("must be at most {PASSAGE_MAX} characters"),
        ));
    }
    let txn = db.begin().await?;
    let task = crate::tasks::query::get(actor, &txn, task_id)
        .await
        .map_err(|_| AppError::bad_field("taskId", "no such task"))?;
    let document = crate::documents::service::get(actor, &txn, document_id)
        .await
        .map_err(|_| AppError::bad_field("documentId", "no such document"))?;
    if document.id == task.document_id {
        return Err(AppError::bad_field(
            "documentId",
            "is the task's own notice; cite the text it comes from",
        ));
    }
    let text = document.original_text.as_deref().unwrap_or_default();
    let nth = occurrence.unwrap_or(1).max(1) as usize;
    let Some((byte, _)) = text.match_indices(passage).nth(nth - 1) else {
        return Err(AppError::bad_field(
            "passage",
            "does not occur in the document's text as given (it is matched exactly)",
        ));
    };
    let char_offset = i32::try_from(text[..byte].chars().count())
        .map_err(|_| AppError::bad_field("passage", "lies too far into the document"))?;
    let exists = task_citations::Entity::find()
        .filter(task_citations::Column::TaskId.eq(task_id))
        .filter(task_citations::Column::DocumentId.eq(document_id))
        .filter(task_citations::Column::CharOffset.eq(char_offset))
        .one(&txn)
        .await?;
    if exists.is_some() {
        return Err(AppError::conflict("the task already cites that passage"));
    }
    let citation = task_citations::ActiveModel {
        task_id: Set(task_id),
        document_id: Set(document_id),
        passage: Set(passage.to_owned()),
        char_offset: Set(char_offset),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(
        &txn,
        actor,
        now,
        EventKind::TaskSourceCited,
        task_id,
        &citation,
    )
    .await?;
    txn.commit().await?;
    Ok(citation)
}

/// The links of `task_ids`, in both directions, keyed by each end (the caller has seen the
/// tasks; the other ends are checked when they are read).
pub async fn links_of(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<task_links::Model>>> {
    let rows = task_links::Entity::find()
        .filter(
            Condition::any()
                .add(task_links::Column::TaskId.is_in(task_ids.iter().copied()))
                .add(task_links::Column::LinkedTaskId.is_in(task_ids.iter().copied())),
        )
        .order_by_asc(task_links::Column::Id)
        .all(db)
        .await?;
    let wanted: HashSet<i64> = task_ids.iter().copied().collect();
    let mut by_task: HashMap<i64, Vec<task_links::Model>> = HashMap::new();
    for row in rows {
        for end in [row.task_id, row.linked_task_id] {
            if wanted.contains(&end) {
                by_task.entry(end).or_default().push(row.clone());
            }
        }
    }
    Ok(by_task)
}

/// The citations of `task_ids`, in the order they were made.
pub async fn citations_of(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<task_citations::Model>>> {
    let mut by_task: HashMap<i64, Vec<task_citations::Model>> = HashMap::new();
    for row in task_citations::Entity::find()
        .filter(task_citations::Column::TaskId.is_in(task_ids.iter().copied()))
        .order_by_asc(task_citations::Column::Id)
        .all(db)
        .await?
    {
        by_task.entry(row.task_id).or_default().push(row);
    }
    Ok(by_task)
}
