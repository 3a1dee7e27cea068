//! What each generated task's units reported: for every obligation (owing unit × period, by the
//! document's rule, `obligations::owing_units`) due before `--today`, a submitted report for
//! about three in ten (tasks differ: some units report diligently, most rarely), one in five of
//! them late (`late_seconds` by `deadline::lateness` against the unit's due date, an approved
//! extension's when there is one), most reviewed and accepted, some returned and a few of those
//! resubmitted; a few drafts; an extension request for about one obligation in a hundred, mostly
//! approved. Pure and deterministic from the task's seed, so the same plan is made again for
//! each table written, in the same order, instead of being held in memory whole.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::{ExtensionState, ReportState, ReviewDecision, TaskStatus};
use entity::task_units;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::at_china;
use super::documents::DocPlan;
use super::tasks::TaskPlan;
use crate::deadline::{due_end, lateness, today_in_china};
use crate::obligations::{ObligationState, owing_units, state_from};
use crate::tasks::progress::ObligationFacts;

/// Mixed into a task's seed for its reports, so that they do not repeat its text's draws.
const STREAM: u64 = 0x5245_504f_5254_5321;

/// What the plans need besides the task.
pub struct Ctx<'a> {
    pub docs: &'a [DocPlan],
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

#[derive(Debug)]
pub struct VersionPlan {
    pub submitted_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub late_seconds: Option<i64>,
    pub percent: i32,
    /// Seeds the version's texts.
    pub text_seed: u64,
    /// The bureau's decision, when it has made one: when, which, and the seed of its comment.
    pub review: Option<(DateTime<Utc>, ReviewDecision, u64)>,
}

#[derive(Debug)]
pub struct DraftPlan {
    pub saved_at: DateTime<Utc>,
    pub percent: i32,
    pub text_seed: u64,
}

#[derive(Debug)]
pub struct ReportPlan {
    /// Index into the document's periods.
    pub period: usize,
    pub unit_id: i64,
    pub state: ReportState,
    pub versions: Vec<VersionPlan>,
    pub draft: Option<DraftPlan>,
}

impl ReportPlan {
    /// `progress_reports.version`: 1 at creation, one more for each save, submission and
    /// review, as the services count.
    pub fn row_version(&self) -> i32 {
        let reviews = self.versions.iter().filter(|v| v.review.is_some()).count();
        1 + i32::from(self.draft.is_some()) + (self.versions.len() + reviews) as i32
    }

    pub fn created_at(&self) -> DateTime<Utc> {
        match (&self.draft, self.versions.first()) {
            (Some(draft), _) => draft.saved_at,
            (None, Some(first)) => first.submitted_at,
            (None, None) => DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    pub fn updated_at(&self) -> DateTime<Utc> {
        let last = self
            .versions
            .last()
            .map(|v| v.review.map_or(v.submitted_at, |r| r.0));
        last.or(self.draft.as_ref().map(|d| d.saved_at))
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
    }
}

#[derive(Debug)]
pub struct ExtensionPlan {
    pub period: usize,
    pub unit_id: i64,
    pub original_due_on: NaiveDate,
    pub requested_due_on: NaiveDate,
    pub state: ExtensionState,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub text_seed: u64,
}

#[derive(Debug, Default)]
pub struct TaskReports {
    pub reports: Vec<ReportPlan>,
    pub extensions: Vec<ExtensionPlan>,
    /// Every obligation of the task, as `tasks::progress::derive_status` reads them.
    pub facts: Vec<ObligationFacts>,
    /// The percent of the latest submitted version, if any.
    pub latest_percent: Option<i32>,
    /// The last submission or review.
    pub last_activity: Option<DateTime<Utc>>,
}

/// The owing units' reports and extension requests on `task`.
pub fn plan(ctx: &Ctx<'_>, task: &TaskPlan) -> TaskReports {
    let mut rng = StdRng::seed_from_u64(task.seed ^ STREAM);
    let doc = &ctx.docs[task.doc];
    let assignments: Vec<task_units::Model> = task
        .units
        .iter()
        .map(|&(unit_id, role)| task_units::Model {
            id: 0,
            task_id: task.id,
            unit_id,
            role,
            position: 0,
            name_as_written: String::new(),
            is_local: false,
        })
        .collect();
    let completed = matches!(task.closed, Some((TaskStatus::Completed, _)));
    // How often the task's units report: completed tasks' fairly often; of the others, one in
    // seven diligently, three in ten now and then, the rest rarely. About 30% in all.
    let diligence = match rng.random_range(0..100) {
        _ if completed => 0.6,
        0..15 => 0.85,
        15..45 => 0.25,
        _ => 0.06,
    };
    // Nothing falls due after the day a task was closed (`obligations`), so nothing is reported.
    let closed_on = task.closed.map(|(_, at)| today_in_china(at));
    let periods = doc.periods.len().max(1) as i32;
    let mut out = TaskReports::default();
    let mut latest: Option<(DateTime<Utc>, i32)> = None;
    for unit_id in owing_units(doc.rule, &assignments) {
        for (index, period) in doc.periods.iter().enumerate() {
            if closed_on.is_some_and(|day| period.due_on > day) {
                continue;
            }
            let mut due_on = period.due_on;
            let mut earliest = task.created_at;
            if rng.random_bool(0.01)
                && let Some(extension) = extension(
                    &mut rng,
                    ctx,
                    index,
                    unit_id,
                    period.due_on,
                    task.created_at,
                )
            {
                if extension.state == ExtensionState::Approved {
                    due_on = extension.requested_due_on;
                    earliest = extension.decided_at.unwrap_or(earliest);
                }
                out.extensions.push(extension);
            }
            if let Some(start) = period.starts_on {
                earliest = earliest.max(at_china(start, 9));
            }
            let base = ((index as i32 + 1) * 100 / periods).clamp(1, 100);
            let percent = if completed {
                (base + 20).min(100)
            } else {
                (base + rng.random_range(-10..=5)).clamp(1, 99)
            };
            let report = if period.due_on < ctx.today && rng.random_bool(diligence) {
                submitted(&mut rng, ctx, earliest, due_on, percent)
            } else if rng.random_bool(0.02) {
                draft(&mut rng, ctx, earliest, percent)
            } else {
                None
            };
            let report = report.map(|(state, versions, draft)| ReportPlan {
                period: index,
                unit_id,
                state,
                versions,
                draft,
            });
            let late = report
                .as_ref()
                .and_then(|r| r.versions.last())
                .is_some_and(|v| v.late_seconds.is_some());
            let state: ObligationState =
                state_from(report.as_ref().map(|r| r.state), late, due_on, ctx.today);
            out.facts.push(ObligationFacts { state, due_on });
            if let Some(report) = report {
                for version in &report.versions {
                    if latest.is_none_or(|(at, _)| version.submitted_at > at) {
                        latest = Some((version.submitted_at, version.percent));
                    }
                    let last = version.review.map_or(version.submitted_at, |r| r.0);
                    out.last_activity = out.last_activity.max(Some(last));
                }
                out.reports.push(report);
            }
        }
    }
    out.latest_percent = latest.map(|(_, percent)| percent);
    out
}

type Planned = (ReportState, Vec<VersionPlan>, Option<DraftPlan>);

/// A submitted report: one version, or two when the first was returned and the unit
/// resubmitted; each reviewed if the bureau has got to it by now.
fn submitted(
    rng: &mut StdRng,
    ctx: &Ctx<'_>,
    earliest: DateTime<Utc>,
    due_on: NaiveDate,
    percent: i32,
) -> Option<Planned> {
    let end = due_end(due_on);
    let latest = ctx.now - Duration::minutes(30);
    let mut at = if rng.random_bool(0.8) {
        end - Duration::minutes(rng.random_range(60..8 * 24 * 60))
    } else {
        end + Duration::minutes(rng.random_range(60..20 * 24 * 60))
    };
    if at < earliest {
        at = earliest + Duration::minutes(rng.random_range(30..600));
    }
    if at > latest {
        at = latest - Duration::minutes(rng.random_range(0..600));
    }
    if at < earliest {
        return None;
    }
    let mut versions = Vec::new();
    let mut percent = percent;
    loop {
        let review_at = at + Duration::minutes(rng.random_range(240..5 * 24 * 60));
        let review = (review_at < latest).then(|| {
            let accept = if versions.is_empty() { 0.9 } else { 0.95 };
            let decision = if rng.random_bool(accept) {
                ReviewDecision::Accepted
            } else {
                ReviewDecision::Returned
            };
            (review_at, decision, rng.random())
        });
        versions.push(VersionPlan {
            submitted_at: at,
            due_on,
            late_seconds: lateness(due_on, at).map(|late| late.num_seconds()),
            percent,
            text_seed: rng.random(),
            review,
        });
        match review {
            None => return Some((ReportState::Submitted, versions, None)),
            Some((_, ReviewDecision::Accepted, _)) => {
                return Some((ReportState::Accepted, versions, None));
            }
            Some((returned_at, ReviewDecision::Returned, _)) => {
                let again = returned_at + Duration::minutes(rng.random_range(60..4 * 24 * 60));
                if versions.len() >= 2 || again >= latest || !rng.random_bool(0.6) {
                    return Some((ReportState::Returned, versions, None));
                }
                at = again;
                percent = (percent + rng.random_range(0..=5)).min(100);
            }
        }
    }
}

/// A draft saved and not submitted, for a period that has begun.
fn draft(
    rng: &mut StdRng,
    ctx: &Ctx<'_>,
    earliest: DateTime<Utc>,
    percent: i32,
) -> Option<Planned> {
    let latest = ctx.now - Duration::hours(1);
    let span = (latest - earliest).num_minutes();
    if span <= 0 {
        return None;
    }
    let saved_at = earliest + Duration::minutes(rng.random_range(0..span));
    let draft = DraftPlan {
        saved_at,
        percent,
        text_seed: rng.random(),
    };
    Some((ReportState::Draft, Vec::new(), Some(draft)))
}

/// An extension request, asked before the due date (as `extensions::request` requires) and
/// before now; mostly approved, some rejected, some still pending.
fn extension(
    rng: &mut StdRng,
    ctx: &Ctx<'_>,
    period: usize,
    unit_id: i64,
    due_on: NaiveDate,
    created_at: DateTime<Utc>,
) -> Option<ExtensionPlan> {
    let requested_at = due_end(due_on)
        - Duration::days(rng.random_range(1..6))
        - Duration::minutes(rng.random_range(0..600));
    let requested_due_on = due_on + Duration::days(rng.random_range(7..=30));
    let roll = rng.random_range(0..100);
    let decided_at = requested_at + Duration::hours(rng.random_range(2..30));
    let text_seed = rng.random();
    if requested_at <= created_at || requested_at >= ctx.now - Duration::hours(2) {
        return None;
    }
    let (state, decided_at) = match roll {
        _ if decided_at >= ctx.now => (ExtensionState::Pending, None),
        0..80 => (ExtensionState::Approved, Some(decided_at)),
        80..90 => (ExtensionState::Rejected, Some(decided_at)),
        _ => (ExtensionState::Pending, None),
    };
    Some(ExtensionPlan {
        period,
        unit_id,
        original_due_on: due_on,
        requested_due_on,
        state,
        requested_at,
        decided_at,
        text_seed,
    })
}

/// Report and version ids for a task's reports, continuing from the counters: (report id,
/// first version id) for each report, in order.
pub fn numbered(
    plan: &TaskReports,
    next_report: &mut i64,
    next_version: &mut i64,
) -> Vec<(i64, i64)> {
    plan.reports
        .iter()
        .map(|report| {
            let ids = (*next_report, *next_version);
            *next_report += 1;
            *next_version += report.versions.len() as i64;
            ids
        })
        .collect()
}
