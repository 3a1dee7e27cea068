//! Stored obligations: the `obligations` table holds one row per owing unit × task × period,
//! derived from tasks, their units, the documents' rules, periods, reports, their versions and
//! approved extensions. Lists, figures and reminders read the rows with indexes; nothing reads
//! the derivation but the writers below and the consistency check.
//!
//! Invariants:
//! - `derive` is the one definition of who owes what. The table equals `derive` over every live
//!   task: `check` compares both (`api check-obligations`, and the property test over random
//!   sequences of changes).
//! - Every change that can move an obligation calls `sync` with the tasks it touched, in its own
//!   transaction: `tasks::progress::refresh` does, and every writer of tasks, their units,
//!   periods, reports, extensions and rules calls that (or `sync` itself, where no status can
//!   move). `sync` writes only the rows that differ, so two changes to different units of one
//!   task never write the same row.
//! - The state (NOT_STARTED, OVERDUE, …) is not stored: it depends on the day, and is computed
//!   on read from the report's state, its lateness and the due date (`state_of`, and the same
//!   rule in SQL in `list`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{ObligationRule, ReportState, ReviewDecision, TaskStatus};
use entity::{documents, obligations, progress_reports, report_reviews, report_versions, tasks};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::owing_units;
use crate::error::AppResult;

/// The columns an obligation row binds: inserts go in slices that stay below `MAX_BINDS`.
const COLUMNS: usize = 11;

/// The obligations on `tasks` as the rules define them (ids 0): every owing unit × every
/// period of the task's document, except, on a completed or cancelled task, periods due after
/// the day it was closed that nothing was reported for. Deleted tasks owe nothing. A few
/// statements whatever the number of tasks.
pub async fn derive(
    db: &impl ConnectionTrait,
    tasks: &[tasks::Model],
) -> AppResult<Vec<obligations::Model>> {
    let tasks: Vec<&tasks::Model> = tasks.iter().filter(|t| t.deleted_at.is_none()).collect();
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let task_ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let document_ids: Vec<i64> = tasks
        .iter()
        .map(|t| t.document_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let rules = rules_of(db, &document_ids).await?;
    let periods = crate::periods::query::of_documents(db, &document_ids).await?;
    let assignments = crate::tasks::query::units_of(db, &task_ids).await?;
    let reports: HashMap<(i64, i64, i64), progress_reports::Model> =
        crate::db::in_chunks(&task_ids, |chunk| {
            progress_reports::Entity::find()
                .filter(progress_reports::Column::TaskId.is_in(chunk))
                .all(db)
        })
        .await?
        .into_iter()
        .map(|r| ((r.task_id, r.period_id, r.unit_id), r))
        .collect();
    let submissions =
        submissions_of(db, &reports.values().map(|r| r.id).collect::<Vec<_>>()).await?;
    let extended = super::approved_dues(db, &task_ids).await?;
    let mut rows = Vec::new();
    for task in tasks {
        let rule = rules
            .get(&task.document_id)
            .copied()
            .unwrap_or(ObligationRule::LeadElseResponsible);
        let owing = owing_units(
            rule,
            assignments.get(&task.id).map_or(&[][..], Vec::as_slice),
        );
        let closed_on = matches!(task.status, TaskStatus::Completed | TaskStatus::Cancelled)
            .then(|| crate::deadline::today_in_china(task.completed_at.unwrap_or(task.updated_at)));
        for unit_id in owing {
            for period in periods.get(&task.document_id).into_iter().flatten() {
                let report = reports.get(&(task.id, period.id, unit_id));
                if report.is_none() && closed_on.is_some_and(|day| period.due_on > day) {
                    continue;
                }
                let submitted = report.and_then(|r| submissions.get(&r.id));
                rows.push(obligations::Model {
                    id: 0,
                    task_id: task.id,
                    period_id: period.id,
                    unit_id,
                    document_id: task.document_id,
                    due_on: extended
                        .get(&(task.id, period.id, unit_id))
                        .copied()
                        .unwrap_or(period.due_on),
                    original_due_on: period.original_due_on,
                    report_id: report.map(|r| r.id),
                    report_state: report.map(|r| r.state),
                    late: report
                        .zip(submitted)
                        .is_some_and(|(r, s)| s.late_versions.contains(&r.current_version)),
                    first_submitted_on: submitted.and_then(|s| s.first),
                    was_returned: submitted.is_some_and(|s| s.returned),
                });
            }
        }
    }
    Ok(rows)
}

/// What the versions of a report say about its obligation.
#[derive(Default)]
struct Submissions {
    /// The day in China version 1 was submitted.
    first: Option<NaiveDate>,
    /// The versions submitted after their due day.
    late_versions: Vec<i32>,
    /// Whether a review returned any version.
    returned: bool,
}

async fn submissions_of(
    db: &impl ConnectionTrait,
    report_ids: &[i64],
) -> AppResult<HashMap<i64, Submissions>> {
    use sea_orm::sea_query::{Expr, Query};
    // Whether the version's review (at most one: `report_reviews.version_id` is unique)
    // returned it, read in the same statement.
    let returned = || {
        Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(report_reviews::Entity)
                .and_where(
                    Expr::col((report_reviews::Entity, report_reviews::Column::VersionId))
                        .equals((report_versions::Entity, report_versions::Column::Id)),
                )
                .and_where(report_reviews::Column::Decision.eq(ReviewDecision::Returned))
                .to_owned(),
        )
    };
    /// A version: its report, number, time of submission, seconds late and whether returned.
    type Version = (i64, i32, DateTime<Utc>, Option<i64>, bool);
    let versions: Vec<Version> = crate::db::in_chunks(report_ids, |chunk| {
        report_versions::Entity::find()
            .select_only()
            .column(report_versions::Column::ReportId)
            .column(report_versions::Column::Version)
            .column(report_versions::Column::SubmittedAt)
            .column(report_versions::Column::LateSeconds)
            .column_as(returned(), "returned")
            .filter(report_versions::Column::ReportId.is_in(chunk))
            .into_tuple()
            .all(db)
    })
    .await?;
    let mut map: HashMap<i64, Submissions> = HashMap::new();
    for (report_id, version, submitted_at, late_seconds, returned) in versions {
        let entry = map.entry(report_id).or_default();
        if version == 1 {
            entry.first = Some(crate::deadline::today_in_china(submitted_at));
        }
        if late_seconds.is_some() {
            entry.late_versions.push(version);
        }
        entry.returned |= returned;
    }
    Ok(map)
}

/// The key of an obligation: which unit owes which task's report for which period.
type Key = (i64, i64, i64);

fn key(row: &obligations::Model) -> Key {
    (row.task_id, row.period_id, row.unit_id)
}

/// Brings the stored obligations of `task_ids` (live or deleted) in line with `derive`, in the
/// caller's transaction; returns how many rows it wrote. Rows that did not change are not
/// touched.
pub async fn sync(txn: &DatabaseTransaction, task_ids: &[i64]) -> AppResult<u64> {
    if task_ids.is_empty() {
        return Ok(0);
    }
    let tasks = crate::db::in_chunks(task_ids, |chunk| {
        tasks::Entity::find()
            .filter(tasks::Column::Id.is_in(chunk))
            .all(txn)
    })
    .await?;
    sync_tasks(txn, &tasks).await
}

/// `sync` for tasks the caller has read in its transaction (live or deleted).
pub async fn sync_tasks(txn: &DatabaseTransaction, tasks: &[tasks::Model]) -> AppResult<u64> {
    let task_ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let derived = derive(txn, tasks).await?;
    let stored = crate::db::in_chunks(&task_ids, |chunk| {
        obligations::Entity::find()
            .filter(obligations::Column::TaskId.is_in(chunk))
            .all(txn)
    })
    .await?;
    write_difference(txn, derived, stored).await
}

/// How the stored rows of some tasks differ from the derived ones. Rows to update carry the
/// stored row's id.
#[derive(Default)]
struct Difference {
    missing: Vec<obligations::Model>,
    extra: Vec<obligations::Model>,
    /// (stored, derived)
    changed: Vec<(obligations::Model, obligations::Model)>,
}

fn difference(derived: Vec<obligations::Model>, stored: Vec<obligations::Model>) -> Difference {
    let mut stored: HashMap<Key, obligations::Model> =
        stored.into_iter().map(|row| (key(&row), row)).collect();
    let mut difference = Difference::default();
    for mut row in derived {
        match stored.remove(&key(&row)) {
            None => difference.missing.push(row),
            Some(old) => {
                row.id = old.id;
                if row != old {
                    difference.changed.push((old, row));
                }
            }
        }
    }
    difference.extra = stored.into_values().collect();
    difference
}

/// Writes what differs between `derived` and `stored`: deletes what is no longer owed, inserts
/// what is newly owed, updates what moved (a few rows one by one, many by replacing them).
async fn write_difference(
    txn: &DatabaseTransaction,
    derived: Vec<obligations::Model>,
    stored: Vec<obligations::Model>,
) -> AppResult<u64> {
    /// Beyond this many changed rows (a period moved for a whole document), replacing them in
    /// bulk costs fewer round trips than one update each.
    const UPDATE_ONE_BY_ONE: usize = 20;
    let Difference {
        missing: mut inserts,
        extra,
        changed,
    } = difference(derived, stored);
    let mut updates: Vec<obligations::Model> = changed.into_iter().map(|(_, row)| row).collect();
    let mut deletes: Vec<i64> = extra.into_iter().map(|row| row.id).collect();
    let written = (inserts.len() + updates.len() + deletes.len()) as u64;
    if updates.len() > UPDATE_ONE_BY_ONE {
        deletes.extend(updates.iter().map(|row| row.id));
        inserts.append(&mut updates);
    }
    for chunk in deletes.chunks(crate::db::MAX_BINDS) {
        obligations::Entity::delete_many()
            .filter(obligations::Column::Id.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    for row in updates {
        obligations::Entity::update(obligations::ActiveModel::from(row).reset_all())
            .exec(txn)
            .await?;
    }
    insert(txn, inserts).await?;
    Ok(written)
}

/// Inserts rows in slices below the bind limit. A row another instance inserted meanwhile (two
/// servers filling a new table at once) is left as it is.
async fn insert(db: &impl ConnectionTrait, rows: Vec<obligations::Model>) -> AppResult<()> {
    for chunk in rows.chunks(crate::db::MAX_BINDS / COLUMNS) {
        let models = chunk.iter().cloned().map(|row| {
            let mut active = obligations::ActiveModel::from(row).reset_all();
            active.id = sea_orm::ActiveValue::NotSet;
            active
        });
        obligations::Entity::insert_many(models)
            .on_conflict(
                OnConflict::columns([
                    obligations::Column::TaskId,
                    obligations::Column::PeriodId,
                    obligations::Column::UnitId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .do_nothing()
            .exec(db)
            .await?;
    }
    Ok(())
}

/// How many tasks one transaction of `rebuild_all` or `check` reads.
const TASKS_PER_SLICE: u64 = 2_000;

/// Syncs the obligations of every task, a slice of tasks per transaction; returns the rows
/// written. For a database that has tasks but no stored obligations yet (after the migration
/// that added the table, or data loaded in bulk), and to repair what `check` found.
pub async fn rebuild_all(db: &DatabaseConnection) -> AppResult<u64> {
    let mut written = 0;
    let mut after = 0;
    loop {
        let ids = task_ids_after(db, after).await?;
        let Some(&last) = ids.last() else {
            break;
        };
        let txn = db.begin().await?;
        written += sync(&txn, &ids).await?;
        txn.commit().await?;
        after = last;
    }
    // Rows of tasks that no longer exist go with them (the foreign key cascades).
    Ok(written)
}

/// Fills the table when it is empty and there are tasks: the first start after the migration
/// that added it. One cheap statement when there is nothing to do.
pub async fn fill_if_empty(db: &DatabaseConnection) -> AppResult<u64> {
    let any = obligations::Entity::find()
        .select_only()
        .column(obligations::Column::Id)
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    if any.is_some() {
        return Ok(0);
    }
    rebuild_all(db).await
}

async fn task_ids_after(db: &impl ConnectionTrait, after: i64) -> AppResult<Vec<i64>> {
    Ok(tasks::Entity::find()
        .select_only()
        .column(tasks::Column::Id)
        .filter(tasks::Column::Id.gt(after))
        .order_by_asc(tasks::Column::Id)
        .limit(TASKS_PER_SLICE)
        .into_tuple()
        .all(db)
        .await?)
}

/// One difference between the stored obligations and the derived ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// Owed, but not stored.
    Missing(obligations::Model),
    /// Stored, but not owed.
    Extra(obligations::Model),
    /// Stored with other values than derived: (stored, derived).
    Differs(obligations::Model, obligations::Model),
}

/// Compares the stored obligations of every task with the derived ones; empty when they agree.
/// Reads a slice of tasks at a time, so it runs on a province's database.
pub async fn check(db: &impl ConnectionTrait) -> AppResult<Vec<Drift>> {
    let mut drift = Vec::new();
    let mut after = 0;
    loop {
        let ids = task_ids_after(db, after).await?;
        let Some(&last) = ids.last() else {
            break;
        };
        let tasks = tasks::Entity::find()
            .filter(tasks::Column::Id.is_in(ids.clone()))
            .all(db)
            .await?;
        let derived = derive(db, &tasks).await?;
        let stored = obligations::Entity::find()
            .filter(obligations::Column::TaskId.is_in(ids))
            .all(db)
            .await?;
        let found = difference(derived, stored);
        drift.extend(found.missing.into_iter().map(Drift::Missing));
        drift.extend(found.extra.into_iter().map(Drift::Extra));
        drift.extend(
            found
                .changed
                .into_iter()
                .map(|(old, new)| Drift::Differs(old, new)),
        );
        after = last;
    }
    // Rows whose task is gone cannot exist: the foreign key cascades.
    Ok(drift)
}

/// The state of a stored obligation on `today`.
pub fn state_of(row: &obligations::Model, today: NaiveDate) -> super::ObligationState {
    super::state_from(row.report_state, row.late, row.due_on, today)
}

/// The stored obligations of these tasks, of every owing unit or of `unit_scope` only.
pub async fn of_task_ids(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
    unit_scope: Option<i64>,
) -> AppResult<Vec<obligations::Model>> {
    Ok(crate::db::in_chunks(task_ids, |chunk| {
        let mut query =
            obligations::Entity::find().filter(obligations::Column::TaskId.is_in(chunk));
        if let Some(unit_id) = unit_scope {
            query = query.filter(obligations::Column::UnitId.eq(unit_id));
        }
        query.all(db)
    })
    .await?)
}

/// A version of the report `report_id` is being submitted on `today` (in Beijing): the
/// obligation's row records it and returns its due date (the period's, or an approved
/// extension's), with lateness judged in the same statement, so that a submission reads no due
/// date of its own. `None` when there is no row (the unit does not owe the report, or the task
/// was closed): the caller judges lateness itself and `report_changed` syncs the task.
pub async fn submitting(
    txn: &DatabaseTransaction,
    key: crate::obligations::ReportKey,
    unit_id: i64,
    report_id: i64,
    first: bool,
    today: NaiveDate,
) -> AppResult<Option<NaiveDate>> {
    use sea_orm::QueryTrait;
    use sea_orm::sea_query::Expr;
    let mut update = obligations::Entity::update_many()
        .col_expr(obligations::Column::ReportId, Expr::value(report_id))
        .col_expr(
            obligations::Column::ReportState,
            Expr::value(entity::enums::ReportState::Submitted),
        )
        // `deadline::lateness` in SQL: late once the due day has ended in Beijing.
        .col_expr(
            obligations::Column::Late,
            Expr::col(obligations::Column::DueOn).lt(today),
        );
    if first {
        update = update.col_expr(obligations::Column::FirstSubmittedOn, Expr::value(today));
    }
    let mut statement = update
        .filter(obligations::Column::TaskId.eq(key.task_id))
        .filter(obligations::Column::PeriodId.eq(key.period_id))
        .filter(obligations::Column::UnitId.eq(unit_id))
        .into_query();
    statement.returning_col(obligations::Column::DueOn);
    let row = txn
        .query_one(txn.get_database_backend().build(&statement))
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get::<NaiveDate>("", "due_on")?),
        None => None,
    })
}

/// A report moved (drafted, submitted, reviewed): its obligation's row follows in one
/// statement. `late`: whether the version just submitted came in late (`None`: no new
/// version); `first_submitted_at`: when version 1 was, if this change submitted it. Where there is no row to update (the unit does not owe the report, or the task
/// was closed), the task is synced in full.
pub async fn report_changed(
    txn: &DatabaseTransaction,
    report: &progress_reports::Model,
    late: Option<bool>,
    first_submitted_at: Option<DateTime<Utc>>,
) -> AppResult<()> {
    let first_submitted_on = first_submitted_at.map(crate::deadline::today_in_china);
    use sea_orm::sea_query::Expr;
    let mut update = obligations::Entity::update_many()
        .col_expr(obligations::Column::ReportId, Expr::value(report.id))
        .col_expr(obligations::Column::ReportState, Expr::value(report.state));
    if let Some(late) = late {
        update = update.col_expr(obligations::Column::Late, Expr::value(late));
    }
    if let Some(on) = first_submitted_on {
        update = update.col_expr(obligations::Column::FirstSubmittedOn, Expr::value(on));
    }
    // Reviews are never undone: once returned, the obligation stays returned.
    if report.state == ReportState::Returned {
        update = update.col_expr(obligations::Column::WasReturned, Expr::value(true));
    }
    let updated = update
        .filter(obligations::Column::TaskId.eq(report.task_id))
        .filter(obligations::Column::PeriodId.eq(report.period_id))
        .filter(obligations::Column::UnitId.eq(report.unit_id))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        sync(txn, &[report.task_id]).await?;
    }
    Ok(())
}

/// The obligation rule of each of `document_ids`. Of a document only its rule: the row carries
/// the notice's whole original text.
pub async fn rules_of(
    db: &impl ConnectionTrait,
    document_ids: &[i64],
) -> AppResult<HashMap<i64, ObligationRule>> {
    Ok(crate::db::in_chunks(document_ids, |chunk| {
        documents::Entity::find()
            .select_only()
            .column(documents::Column::Id)
            .column(documents::Column::ObligationRule)
            .filter(documents::Column::Id.is_in(chunk))
            .into_tuple()
            .all(db)
    })
    .await?
    .into_iter()
    .collect())
}
