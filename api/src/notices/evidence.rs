//! A notice's evidence: every obligation counted for a unit it names, with the rows it came
//! from (`collect`), and the recomputation of the notice's figures from the append-only history
//! as of the time they were computed (`verify`).
//!
//! The outcome of an obligation is decided by its report's first version (`report_versions` is
//! append-only): on time when its day in China is not after the due date, late when it is,
//! missing when there was none by the time of computing and the due day had ended. A report the
//! bureau returned counts as returned too (`report_reviews`). The ranking counts the same way
//! (`stats::ranking`), from the stored obligations.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{EvidenceOutcome, ReviewDecision};
use entity::{
    notice_evidence, notice_figures, obligations, progress_reports, report_reviews, report_versions,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::deadline::today_in_china as day_in_china;
use crate::error::AppResult;
use crate::stats::ranking::{RankingScope, Weights};

/// One obligation counted for a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub unit_id: i64,
    pub task_id: i64,
    pub period_id: i64,
    pub due_on: NaiveDate,
    pub outcome: EvidenceOutcome,
    pub report_id: Option<i64>,
    pub first_version_id: Option<i64>,
    pub returned_review_id: Option<i64>,
}

/// The obligations counted for `units` in `scope` on `today`: those submitted, and those due
/// with nothing submitted; with the first version and the first returning review of each.
pub async fn collect(
    db: &impl ConnectionTrait,
    scope: RankingScope,
    today: NaiveDate,
    units: &[i64],
) -> AppResult<Vec<Counted>> {
    use obligations::Column as O;
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let rows = crate::stats::ranking::in_scope(scope)
        .filter(O::UnitId.is_in(units.iter().copied()))
        .filter(
            Condition::any()
                .add(O::FirstSubmittedOn.is_not_null())
                .add(O::DueOn.lt(today)),
        )
        .order_by_asc(O::UnitId)
        .order_by_asc(O::DueOn)
        .order_by_asc(O::TaskId)
        .all(db)
        .await?;
    let report_ids: Vec<i64> = rows.iter().filter_map(|r| r.report_id).collect();
    let firsts = first_versions(db, &report_ids).await?;
    let returns = first_returns(db, &report_ids, None).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let outcome = match row.first_submitted_on {
                Some(day) if day <= row.due_on => EvidenceOutcome::OnTime,
                Some(_) => EvidenceOutcome::Late,
                None => EvidenceOutcome::Missing,
            };
            let first = row.report_id.and_then(|r| firsts.get(&r));
            Counted {
                unit_id: row.unit_id,
                task_id: row.task_id,
                period_id: row.period_id,
                due_on: row.due_on,
                outcome,
                report_id: row.report_id,
                first_version_id: first
                    .filter(|_| outcome != EvidenceOutcome::Missing)
                    .map(|v| v.id),
                returned_review_id: row.report_id.and_then(|r| returns.get(&r).copied()),
            }
        })
        .collect())
}

/// The first version of each report (version 1), by report.
async fn first_versions(
    db: &impl ConnectionTrait,
    report_ids: &[i64],
) -> AppResult<HashMap<i64, report_versions::Model>> {
    Ok(crate::db::in_chunks(report_ids, |chunk| {
        report_versions::Entity::find()
            .filter(report_versions::Column::ReportId.is_in(chunk))
            .filter(report_versions::Column::Version.eq(1))
            .all(db)
    })
    .await?
    .into_iter()
    .map(|v| (v.report_id, v))
    .collect())
}

/// The first review that returned each report (made by `until`, when given), by report.
async fn first_returns(
    db: &impl ConnectionTrait,
    report_ids: &[i64],
    until: Option<DateTime<Utc>>,
) -> AppResult<HashMap<i64, i64>> {
    let reviews = crate::db::in_chunks(report_ids, |chunk| {
        let mut query = report_reviews::Entity::find()
            .filter(report_reviews::Column::ReportId.is_in(chunk))
            .filter(report_reviews::Column::Decision.eq(ReviewDecision::Returned));
        if let Some(until) = until {
            query = query.filter(report_reviews::Column::CreatedAt.lte(until));
        }
        query.order_by_asc(report_reviews::Column::Id).all(db)
    })
    .await?;
    let mut first = HashMap::new();
    for review in reviews {
        first.entry(review.report_id).or_insert(review.id);
    }
    Ok(first)
}

/// One way the notice's figures and the history disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub unit_id: i64,
    /// The obligation concerned, when the difference is one obligation's.
    pub task_id: Option<i64>,
    pub period_id: Option<i64>,
    /// What differs: `outcome`, `firstVersion`, `returned`, `onTime`, `late`, `missing`,
    /// `rank`…
    pub what: String,
    pub stated: String,
    pub recomputed: String,
}

/// Recomputes a notice's figures as of `computed_at` from the history, for the units named:
/// each evidence row's outcome, first version and return from the append-only versions and the
/// reviews made by then; each unit's stated counts from its evidence; the stated ranks from the
/// stated counts and the weights.
pub async fn verify(
    db: &impl ConnectionTrait,
    computed_at: DateTime<Utc>,
    weights: Weights,
    evidence: &[notice_evidence::Model],
    figures: &[notice_figures::Model],
) -> AppResult<Vec<Difference>> {
    let mut differences = Vec::new();
    let as_of = day_in_china(computed_at);
    // The report of each obligation now (a report may have been written after the evidence
    // said there was none: its versions say whether that was before the computation).
    let keys: Vec<(i64, i64, i64)> = evidence
        .iter()
        .map(|e| (e.task_id, e.period_id, e.unit_id))
        .collect();
    let task_ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
    let reports: HashMap<(i64, i64, i64), i64> = crate::db::in_chunks(&task_ids, |chunk| {
        progress_reports::Entity::find()
            .filter(progress_reports::Column::TaskId.is_in(chunk))
            .all(db)
    })
    .await?
    .into_iter()
    .map(|r| ((r.task_id, r.period_id, r.unit_id), r.id))
    .collect();
    let report_ids: Vec<i64> = reports.values().copied().collect();
    let firsts = first_versions(db, &report_ids).await?;
    let returns = first_returns(db, &report_ids, Some(computed_at)).await?;

    let mut counts: BTreeMap<i64, [i64; 4]> = BTreeMap::new();
    for e in evidence {
        let report = reports.get(&(e.task_id, e.period_id, e.unit_id)).copied();
        let first = report
            .and_then(|r| firsts.get(&r))
            .filter(|v| v.submitted_at <= computed_at);
        let outcome = match first {
            Some(v) if day_in_china(v.submitted_at) <= e.due_on => Some(EvidenceOutcome::OnTime),
            Some(_) => Some(EvidenceOutcome::Late),
            None if e.due_on < as_of => Some(EvidenceOutcome::Missing),
            None => None,
        };
        let mut differ = |what: &str, stated: String, recomputed: String| {
            if stated != recomputed {
                differences.push(Difference {
                    unit_id: e.unit_id,
                    task_id: Some(e.task_id),
                    period_id: Some(e.period_id),
                    what: what.to_owned(),
                    stated,
                    recomputed,
                });
            }
        };
        differ(
            "outcome",
            format!("{:?}", e.outcome),
            outcome.map_or_else(|| "not counted".to_owned(), |o| format!("{o:?}")),
        );
        differ(
            "firstVersion",
            format!("{:?}", e.first_version_id),
            format!("{:?}", first.map(|v| v.id)),
        );
        let returned = report.and_then(|r| returns.get(&r).copied());
        differ(
            "returned",
            format!("{:?}", e.returned_review_id),
            format!("{returned:?}"),
        );
        let unit = counts.entry(e.unit_id).or_default();
        match e.outcome {
            EvidenceOutcome::OnTime => unit[0] += 1,
            EvidenceOutcome::Late => unit[1] += 1,
            EvidenceOutcome::Missing => unit[2] += 1,
        }
        if e.returned_review_id.is_some() {
            unit[3] += 1;
        }
    }

    // The stated counts of the named units against their evidence.
    for f in figures {
        let Some(c) = counts.get(&f.unit_id) else {
            continue;
        };
        for (what, stated, counted) in [
            ("onTime", f.on_time, c[0]),
            ("late", f.late, c[1]),
            ("missing", f.missing, c[2]),
            ("returned", f.returned, c[3]),
        ] {
            if i64::from(stated) != counted {
                differences.push(Difference {
                    unit_id: f.unit_id,
                    task_id: None,
                    period_id: None,
                    what: what.to_owned(),
                    stated: stated.to_string(),
                    recomputed: counted.to_string(),
                });
            }
        }
    }
    // The stated places and points against the stated counts, by the formula.
    let mut rows: Vec<crate::stats::ranking::Row> = figures
        .iter()
        .map(|f| crate::stats::ranking::Row {
            rank: 0,
            unit_id: f.unit_id,
            unit_name: String::new(),
            on_time: u32::try_from(f.on_time).unwrap_or(0),
            late: u32::try_from(f.late).unwrap_or(0),
            missing: u32::try_from(f.missing).unwrap_or(0),
            returned: u32::try_from(f.returned).unwrap_or(0),
            points: i64::from(f.on_time) * i64::from(weights.on_time)
                - i64::from(f.late) * i64::from(weights.late)
                - i64::from(f.missing) * i64::from(weights.missing)
                - i64::from(f.returned) * i64::from(weights.returned),
        })
        .collect();
    let names: HashMap<i64, String> = crate::units::service::names(db).await?;
    for row in &mut rows {
        row.unit_name = names.get(&row.unit_id).cloned().unwrap_or_default();
    }
    crate::stats::ranking::place(&mut rows);
    let stated: HashMap<i64, &notice_figures::Model> =
        figures.iter().map(|f| (f.unit_id, f)).collect();
    for row in rows {
        let Some(f) = stated.get(&row.unit_id) else {
            continue;
        };
        for (what, stated, recomputed) in [
            ("points", f.points, row.points),
            ("rank", i64::from(f.rank), i64::from(row.rank)),
        ] {
            if stated != recomputed {
                differences.push(Difference {
                    unit_id: row.unit_id,
                    task_id: None,
                    period_id: None,
                    what: what.to_owned(),
                    stated: stated.to_string(),
                    recomputed: recomputed.to_string(),
                });
            }
        }
    }
    Ok(differences)
}
