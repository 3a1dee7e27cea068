//! The rows that tasks and reports refer to (documents, categories, units, leaders, reporting
//! periods) kept in the process, so that a page of tasks does not read them again on every
//! request. They are few (a province has 50 documents, 560 categories, 2,000 units, 300 leaders
//! and 570 periods against 100,000 tasks) and the bureau changes them rarely, while every list
//! of tasks names them.
//!
//! Correctness rests on dropping the cache, not on its time to live, as for the principal cache
//! (`auth::cache`, whose scheme this follows). An entry remembers the generation read *before*
//! its row was read, and is served only while the generation has not moved. It moves:
//!
//! - on the instance that made a change, when a mutation has been resolved, but for the
//!   reporting work that writes none of these rows (`auth::cache::KEEPS`): the next request
//!   reads them again (`after_field`);
//! - on every instance, when its relay reads an event that is not of that reporting work
//!   (`changed_by`): every write to these tables is made in a transaction that records an event
//!   (a document's, a unit's, an import's, …), and a kind left off `REPORTING` moves the
//!   generation, a new kind included.
//!
//! Beside them, under a generation of their own that every mutation and every event moves, the
//! cache keeps a live task by id (for those who see every live task) and each task's leaders
//! and units as written, by the task's version (`TaskVersion`; for anyone who has been allowed
//! the task: they carry no rule of their own). Their rows are written only by a task's
//! creation or edit, a handback's transfer, an import or a unit merge, each in a transaction
//! that records an event.
//!
//! A request that runs a mutation reads none of these rows from the process from its first
//! mutation field to the end of its operation (`graphql::loaders::DbLoader::mutation_began`):
//! its payload shows what it wrote, and the generations move only once the field has resolved.
//!
//! The time to live (`REFERENCE_CACHE_MILLIS`, 0 turns the cache off) bounds only what a change
//! made outside the API (an operator's SQL) can leave. A document is served from here only to
//! those who may read every document (`documents::service::reads_every_document`); a reviewing
//! office's staff read theirs from the database.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_graphql::extensions::ExtensionContext;
use chrono::NaiveDate;
use entity::{
    categories, documents, events, leaders, reporting_periods, task_leaders, task_units, tasks,
    units,
};

use crate::error::AppResult;
use crate::events::EventKind;
use crate::leaders::service::LeaderRef;

/// Rows of one kind by key, each with the generation it was read in.
#[derive(Clone)]
pub struct Shelf<K, V> {
    entries: Option<moka::sync::Cache<K, (Arc<V>, u64)>>,
    /// The generation every shelf of the cache shares.
    generation: Generation,
}

impl<K, V> std::fmt::Debug for Shelf<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shelf")
            .field("on", &self.entries.is_some())
            .finish()
    }
}

impl<K, V> Shelf<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// Keeps up to `capacity` weight units for `ttl`, an entry weighing `weigh`; a zero `ttl`
    /// keeps nothing.
    fn new(generation: &Generation, ttl: Duration, capacity: u64, weigh: fn(&V) -> u32) -> Self {
        Self {
            generation: generation.clone(),
            entries: (!ttl.is_zero()).then(|| {
                moka::sync::Cache::builder()
                    .max_capacity(capacity)
                    .weigher(move |_: &K, (row, _): &(Arc<V>, u64)| weigh(row))
                    .time_to_live(ttl)
                    .build()
            }),
        }
    }

    /// The row of `key` when it is kept and the generation has not moved since it was read.
    pub fn fresh(&self, key: &K) -> Option<V> {
        let (row, at) = self.entries.as_ref()?.get(key)?;
        (at == self.generation.current()).then(|| V::clone(&row))
    }

    /// The rows of `keys`: those kept since the generation last moved, and the others by
    /// `read`, which are then kept. The generation is read before `read` runs, so a row read
    /// while a change commits is kept under the older generation and never served.
    pub async fn through<F, Fut>(&self, keys: &[K], read: F) -> AppResult<HashMap<K, V>>
    where
        F: FnOnce(Vec<K>) -> Fut,
        Fut: Future<Output = AppResult<HashMap<K, V>>>,
    {
        let Some(entries) = &self.entries else {
            return read(keys.to_vec()).await;
        };
        let read_at = self.generation.current();
        let mut found = HashMap::with_capacity(keys.len());
        let mut missing = Vec::new();
        for key in keys {
            match entries.get(key) {
                Some((row, at)) if at == read_at => {
                    found.insert(key.clone(), V::clone(&row));
                }
                _ => missing.push(key.clone()),
            }
        }
        if !missing.is_empty() {
            for (key, row) in read(missing).await? {
                entries.insert(key.clone(), (Arc::new(row.clone()), read_at));
                found.insert(key, row);
            }
        }
        Ok(found)
    }
}

/// The generation the entries are read under; it moves when something they hold may have
/// changed.
#[derive(Clone, Debug, Default)]
struct Generation(Arc<AtomicU64>);

impl Generation {
    fn current(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The cached rows, by kind.
#[derive(Clone, Debug)]
pub struct ReferenceCache {
    generation: Generation,
    pub documents: Shelf<i64, documents::Model>,
    pub categories: Shelf<i64, categories::Model>,
    pub units: Shelf<i64, units::Model>,
    /// A leader by id, or a post's current active holder.
    pub leaders: Shelf<LeaderRef, leaders::Model>,
    pub periods: Shelf<i64, reporting_periods::Model>,
    /// The generation of `tasks`, which any event and any mutation move.
    task_generation: Generation,
    /// A live task by id, for those who see every live task.
    pub tasks: Shelf<i64, CachedTask>,
    /// A task's leaders as written, in listing order (`tasks::query::leaders_of`).
    pub task_leaders: Shelf<TaskVersion, Vec<task_leaders::Model>>,
    /// A task's units as written, in listing order (`tasks::query::units_of`).
    pub task_units: Shelf<TaskVersion, Vec<task_units::Model>>,
}

/// A task as of one version: the key of its kept leaders and units. A resolver holds a task row
/// and asks for the parts of its version, so a row read after an edit of its leaders or units
/// (which moves the version) never takes the parts kept before it, even on an instance whose
/// relay has not yet read the edit's event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaskVersion {
    pub id: i64,
    pub version: i32,
}

impl From<&tasks::Model> for TaskVersion {
    fn from(task: &tasks::Model) -> Self {
        Self {
            id: task.id,
            version: task.version,
        }
    }
}

/// A live task as the shelf keeps it: its row, with its trigger-kept earliest open due date
/// (`tasks::query::TaskRow`, which this module cannot name: it sits below `tasks`).
pub type CachedTask = (tasks::Model, Option<NaiveDate>);

/// Each kind's bound: about 4 MiB of documents (their original text counted), and 20,000 rows
/// of each other kind, ten times a province's.
const DOCUMENT_BYTES: u64 = 4 << 20;
const ROWS: u64 = 20_000;
/// About 4 MiB of tasks, their texts counted: some 5,000 of a province's at their usual length,
/// the ones being looked at.
const TASK_BYTES: u64 = 4 << 20;
/// About 2 MiB of each kind of a task's parts, their names counted: those of some 4,000 tasks.
const PART_BYTES: u64 = 2 << 20;

impl ReferenceCache {
    /// Keeps each row for `ttl`; a zero `ttl` caches nothing.
    pub fn new(ttl: Duration) -> Self {
        let generation = Generation::default();
        let task_generation = Generation::default();
        Self {
            tasks: Shelf::new(&task_generation, ttl, TASK_BYTES, task_bytes),
            task_leaders: Shelf::new(&task_generation, ttl, PART_BYTES, |rows| {
                leaders_bytes(rows)
            }),
            task_units: Shelf::new(&task_generation, ttl, PART_BYTES, |rows| units_bytes(rows)),
            task_generation,
            documents: Shelf::new(&generation, ttl, DOCUMENT_BYTES, document_bytes),
            categories: Shelf::new(&generation, ttl, ROWS, one),
            units: Shelf::new(&generation, ttl, ROWS, one),
            leaders: Shelf::new(&generation, ttl, ROWS, one),
            periods: Shelf::new(&generation, ttl, ROWS, one),
            generation,
        }
    }

    /// Something the entries may hold has committed: every entry is read again, tasks too.
    pub fn changed(&self) {
        self.generation.0.fetch_add(1, Ordering::SeqCst);
        self.tasks_changed();
    }

    /// Something a task may hold has committed (reporting work, say): every task is read again.
    pub fn tasks_changed(&self) {
        self.task_generation.0.fetch_add(1, Ordering::SeqCst);
    }

    /// Moves the generations when the relay reads an event: the tasks' on every kind, the
    /// references' on every kind but `REPORTING`.
    pub fn changed_by(&self, event: &events::Model) {
        if REPORTING.iter().any(|kind| kind.as_str() == event.kind) {
            self.tasks_changed();
        } else {
            self.changed();
        }
    }
}

/// What a row weighs where rows are counted.
fn one<V>(_: &V) -> u32 {
    1
}

/// The bytes of the texts among `texts`.
fn text_bytes<'a>(texts: impl IntoIterator<Item = Option<&'a str>>) -> usize {
    texts.into_iter().flatten().map(str::len).sum()
}

/// `bytes` as a shelf's weight.
fn weight(bytes: usize) -> u32 {
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

/// What a task weighs: its texts and the rest of its row.
fn task_bytes((task, _): &CachedTask) -> u32 {
    let texts = text_bytes([
        Some(task.text.as_str()),
        Some(task.seq.as_str()),
        task.deadline_as_written.as_deref(),
        task.external_id.as_deref(),
    ]);
    weight(256 + texts)
}

/// What a task's leaders weigh: their names and posts as written and the rest of each row.
fn leaders_bytes(rows: &[task_leaders::Model]) -> u32 {
    let bytes = rows
        .iter()
        .map(|row| {
            let texts = text_bytes([
                Some(row.name_as_written.as_str()),
                row.post.as_deref(),
                row.collective.as_deref(),
            ]);
            128 + texts
        })
        .sum::<usize>();
    weight(64 + bytes)
}

/// What a task's units weigh: their names as written and the rest of each row.
fn units_bytes(rows: &[task_units::Model]) -> u32 {
    let bytes = rows
        .iter()
        .map(|row| 96 + row.name_as_written.len())
        .sum::<usize>();
    weight(64 + bytes)
}

/// What a document weighs: its texts, which can run to a whole notice, and the rest.
fn document_bytes(document: &documents::Model) -> u32 {
    let texts = text_bytes([
        document.original_text.as_deref(),
        Some(document.title.as_str()),
        document.doc_number.as_deref(),
        document.issuer.as_deref(),
    ]);
    let json = [&document.schedule, &document.contacts]
        .into_iter()
        .flatten()
        .map(|value| value.to_string().len())
        .sum::<usize>();
    weight(256 + texts + json)
}

/// The event kinds of the units' and reviewers' daily work and of the deadline job's reminders,
/// whose transactions write no document, category, unit, leader or period. Any other kind moves the
/// generation: being left off this list is the safe default.
const REPORTING: &[EventKind] = &[
    EventKind::ReportSubmitted,
    EventKind::ReportAccepted,
    EventKind::ReportReturned,
    EventKind::ReminderSent,
    EventKind::ReminderAcknowledged,
    EventKind::ContributionSubmitted,
    EventKind::SignoffRequested,
    EventKind::SignoffApproved,
    EventKind::SignoffReturned,
    EventKind::TaskAcknowledged,
    EventKind::TaskStatusChanged,
];

/// Moves the instance's generations once a mutation field has been resolved (called for every
/// field by the schema's per-field extension, `schema::fields`): the tasks' always, the
/// references' unless it is reporting work (`auth::cache::KEEPS`, which writes none of them).
pub fn after_field(ctx: &ExtensionContext<'_>, parent_type: &str, name: &str) {
    if parent_type != "Mutation" {
        return;
    }
    if let Some(references) = ctx.data_opt::<ReferenceCache>() {
        if crate::auth::cache::KEEPS.contains(&name) {
            references.tasks_changed();
        } else {
            references.changed();
        }
    }
}
