//! Storing an import in one transaction: the document, its categories, tasks, leaders, units
//! and indicators, with the overrides the clerk chose. New units and leaders are created, and
//! every alias seen is remembered, so the next import resolves it exactly.
//!
//! A document number that already exists is a CONFLICT unless `replace` is set; then the
//! document is updated and its tasks are updated in place by sequence number (keeping their ids
//! and so their reports), new ones are added and the ones no longer listed are soft-deleted.
//!
//! `names` holds the writes to the registry an import makes: new units and leaders, and the
//! aliases it learns; `children` builds each task's leader, unit and indicator rows.

mod children;
mod names;

use children::{TaskChild, indicator_rows_of, insert_chunks};

pub use names::guess_kind;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::enums::{ObligationRule, TaskStatus, UnitKind};
use entity::{categories, documents, tasks};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    Set, TryIntoModel,
};
use serde::Serialize;

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::import::preview::Preview;
use crate::import::resolve::Registry;
use crate::tasks::store::{soft_delete_versioned, write_versioned};

/// The clerk's choice for one written unit name.
#[derive(Debug, Clone)]
pub enum UnitChoice {
    /// Use this registry unit.
    Existing(i64),
    /// Create a unit with this name and kind.
    New { name: String, kind: UnitKind },
}

/// What the clerk changed in the preview before committing.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub doc_number: Option<String>,
    pub title: Option<String>,
    pub kind: Option<entity::enums::DocumentKind>,
    pub schedule: Option<crate::documents::schedule::ReportingSchedule>,
    /// The deadline of the tasks whose notice gives none that means a date.
    pub default_deadline: Option<chrono::NaiveDate>,
    /// The document's year, when the notice states no date or year the parser found.
    pub year: Option<i32>,
    /// Choices by the unit name as written.
    pub units: HashMap<String, UnitChoice>,
}

/// What the commit stored.
#[derive(Debug, Clone)]
pub struct CommitOutcome {
    pub document: documents::Model,
    pub counts: ImportCounts,
}

/// How many rows the commit created, changed or removed (also written to the audit log).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportCounts {
    pub tasks_created: u32,
    pub tasks_updated: u32,
    pub tasks_removed: u32,
    pub units_created: u32,
    pub leaders_created: u32,
    pub aliases_learned: u32,
    pub replaced: bool,
}

/// The state of one commit: memos so each new unit or leader is created once.
struct Writer<'a> {
    txn: &'a DatabaseTransaction,
    registry: &'a Registry,
    now: DateTime<Utc>,
    new_units: HashMap<String, i64>,
    new_leaders: HashMap<String, i64>,
    known_names: HashSet<String>,
    outcome: ImportCounts,
}

/// One import to store: the preview, the text it came from and the clerk's decisions.
#[derive(Debug)]
pub struct Import<'a> {
    pub preview: Preview,
    pub text: &'a str,
    pub overrides: &'a Overrides,
    /// Update an existing document with the same number in place.
    pub replace: bool,
}

/// Stores the preview. The caller has checked the principal and opened `txn`.
pub async fn store(
    actor: &Principal,
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    registry: &Registry,
    import: Import<'_>,
) -> AppResult<CommitOutcome> {
    let Import {
        mut preview,
        text: original_text,
        overrides,
        replace,
    } = import;
    if let Some(number) = &overrides.doc_number {
        preview.document.doc_number = Some(number.clone());
    }
    if let Some(title) = &overrides.title {
        preview.document.title = Some(title.clone());
    }
    if let Some(kind) = overrides.kind {
        preview.document.kind = kind;
    }
    if let Some(schedule) = &overrides.schedule {
        preview.document.schedule = Some(schedule.clone().validated()?);
    }
    let title = preview.document.title.clone().ok_or_else(|| {
        AppError::bad_field(
            "overrides.title",
            "the notice has no title the parser could find; give one",
        )
    })?;
    if let Some(year) = overrides.year {
        preview.document.year = Some(crate::validation::in_range("year", year, 1949, 2200)?);
    }
    let year = preview.document.year.ok_or_else(|| {
        AppError::bad_field(
            "year",
            "the notice has no issue date or year the parser could find; give one",
        )
    })?;

    let existing = match &preview.document.doc_number {
        Some(number) => {
            documents::Entity::find()
                .filter(documents::Column::DocNumber.eq(number.as_str()))
                .one(txn)
                .await?
        }
        None => None,
    };
    if existing.is_some() && !replace {
        return Err(AppError::conflict(format!(
            "a document numbered {} already exists; import with replace: true to update it in place",
            preview.document.doc_number.as_deref().unwrap_or_default()
        )));
    }

    let mut writer = Writer {
        txn,
        registry,
        now,
        new_units: HashMap::new(),
        new_leaders: HashMap::new(),
        known_names: HashSet::new(),
        outcome: ImportCounts {
            replaced: existing.is_some(),
            ..ImportCounts::default()
        },
    };

    let doc = &preview.document;
    let mut document = match existing {
        Some(old) => old.into_active_model(),
        None => documents::ActiveModel {
            created_by: Set(actor.user_id),
            created_at: Set(now),
            obligation_rule: Set(ObligationRule::LeadElseResponsible),
            ..Default::default()
        },
    };
    document.doc_number = Set(doc.doc_number.clone());
    document.title = Set(title);
    document.issuer = Set(doc.issuer.clone());
    document.issued_on = Set(doc.issued_on);
    document.year = Set(year);
    document.kind = Set(doc.kind);
    document.schedule = Set(doc.schedule.as_ref().map(|s| s.to_json()));
    document.declared_total = Set(doc.declared_total);
    document.contacts = Set(Some(serde_json::json!(doc.contacts)));
    document.original_text = Set(Some(original_text.to_owned()));
    document.updated_at = Set(now);
    let document = document.save(txn).await?.try_into_model()?;

    let category_ids = writer.store_categories(document.id, &preview).await?;
    writer
        .store_tasks(document.id, &preview, &category_ids, overrides)
        .await?;
    Ok(CommitOutcome {
        document,
        counts: writer.outcome,
    })
}

impl Writer<'_> {
    /// Replaces the document's categories (tasks keep pointing at them by path).
    async fn store_categories(
        &mut self,
        document_id: i64,
        preview: &Preview,
    ) -> AppResult<HashMap<String, i64>> {
        categories::Entity::delete_many()
            .filter(categories::Column::DocumentId.eq(document_id))
            .exec(self.txn)
            .await?;
        let mut ids: HashMap<String, i64> = HashMap::new();
        for category in &preview.categories {
            let (parent, position) = match category.path.rsplit_once('.') {
                Some((parent, position)) => (ids.get(parent).copied(), position),
                None => (None, category.path.as_str()),
            };
            let stored = categories::ActiveModel {
                document_id: Set(document_id),
                parent_id: Set(parent),
                ordinal: Set(category.ordinal.clone()),
                title: Set(category.title.clone()),
                position: Set(position.parse().unwrap_or(0)),
                path: Set(category.path.clone()),
                declared_count: Set(category.declared_count),
                created_at: Set(self.now),
                ..Default::default()
            }
            .insert(self.txn)
            .await?;
            ids.insert(category.path.clone(), stored.id);
        }
        Ok(ids)
    }

    async fn store_tasks(
        &mut self,
        document_id: i64,
        preview: &Preview,
        category_ids: &HashMap<String, i64>,
        overrides: &Overrides,
    ) -> AppResult<()> {
        let mut existing: HashMap<String, tasks::Model> = tasks::Entity::find()
            .filter(tasks::Column::DocumentId.eq(document_id))
            .filter(tasks::Column::DeletedAt.is_null())
            .all(self.txn)
            .await?
            .into_iter()
            .map(|t| (t.seq.clone(), t))
            .collect();
        let mut task_ids: HashMap<String, i64> = HashMap::new();
        let mut leader_rows = Vec::new();
        let mut unit_rows = Vec::new();
        let mut indicator_rows = Vec::new();
        for (index, task) in preview.tasks.iter().enumerate() {
            let category_id = task
                .category_path
                .as_ref()
                .and_then(|p| category_ids.get(p))
                .copied();
            let parent_task_id = task
                .parent_seq
                .as_ref()
                .and_then(|s| task_ids.get(s))
                .copied();
            let sort_order = i32::try_from(index + 1).unwrap_or(i32::MAX);
            let stored = match existing.remove(&task.seq) {
                Some(old) => {
                    // Updated in place: the id, status, reports and history stay.
                    for table in [TaskChild::Leaders, TaskChild::Units, TaskChild::Indicators] {
                        table.clear(self.txn, old.id).await?;
                    }
                    // At the version read above: a clerk's edit since then is a CONFLICT
                    // for the whole import, never overwritten (invariant 8).
                    let mut active = tasks::ActiveModel {
                        text: Set(task.text.clone()),
                        category_id: Set(category_id),
                        parent_task_id: Set(parent_task_id),
                        sort_order: Set(sort_order),
                        ..Default::default()
                    };
                    // A deadline the notice now states replaces the old one; none keeps it.
                    if task.deadline_as_written.is_some() {
                        active.deadline = Set(task.deadline.or(overrides.default_deadline));
                        active.deadline_as_written = Set(task.deadline_as_written.clone());
                    }
                    self.outcome.tasks_updated += 1;
                    write_versioned(self.txn, old.id, old.version, active, self.now)
                        .await
                        .map_err(|err| match err {
                            AppError::Conflict(_) => AppError::conflict(format!(
                                "task {} was changed while this import ran; nothing was \
                                 stored: import again to replace it as it is now",
                                task.seq
                            )),
                            other => other,
                        })?
                }
                None => {
                    self.outcome.tasks_created += 1;
                    tasks::ActiveModel {
                        document_id: Set(document_id),
                        category_id: Set(category_id),
                        parent_task_id: Set(parent_task_id),
                        seq: Set(task.seq.clone()),
                        sort_order: Set(sort_order),
                        text: Set(task.text.clone()),
                        deadline: Set(task.deadline.or(overrides.default_deadline)),
                        deadline_as_written: Set(task.deadline_as_written.clone()),
                        status: Set(TaskStatus::NotStarted),
                        percent: Set(0),
                        version: Set(1),
                        external_id: Set(None),
                        completed_at: Set(None),
                        deleted_at: Set(None),
                        created_at: Set(self.now),
                        updated_at: Set(self.now),
                        ..Default::default()
                    }
                    .insert(self.txn)
                    .await?
                }
            };
            task_ids.insert(task.seq.clone(), stored.id);

            leader_rows.extend(self.leader_rows(stored.id, task).await?);
            unit_rows.extend(self.unit_rows(stored.id, task, overrides).await?);
            indicator_rows.extend(indicator_rows_of(stored.id, task));
        }
        insert_chunks(self.txn, leader_rows).await?;
        insert_chunks(self.txn, unit_rows).await?;
        insert_chunks(self.txn, indicator_rows).await?;

        // Tasks the new text no longer lists: soft-deleted, their reports kept.
        // At the versions read, like the updates above.
        let gone: Vec<(i64, i32)> = existing.values().map(|t| (t.id, t.version)).collect();
        self.outcome.tasks_removed = u32::try_from(gone.len()).unwrap_or(u32::MAX);
        soft_delete_versioned(self.txn, &gone, self.now).await?;
        Ok(())
    }
}
