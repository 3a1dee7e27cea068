//! Writing what units reported: extension requests, progress reports, their versions and the
//! bureau's reviews, a table at a time. Each table is one pass over the tasks that makes every
//! task's report plan again from its seed (`reports::plan`) and numbers the rows in the same
//! order, so a version finds its report's id and a review its version's without the plans of a
//! province being held in memory together.

use chrono::{Datelike, Duration};
use entity::enums::{ExtensionState, ReportState};
use entity::{extension_requests, progress_reports, report_reviews, report_versions};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sea_orm::{DatabaseConnection, DbErr};

use super::bulk::{Bulk, Written};
use super::reports::{self, Ctx, ReportPlan, numbered};
use super::tasks::TaskPlan;
use super::{Accounts, Ids};
use crate::generate::text;

/// The four tables, in the order their foreign keys need.
pub async fn write(
    db: &DatabaseConnection,
    ctx: &Ctx<'_>,
    tasks: &[TaskPlan],
    accounts: &Accounts,
    ids: &mut Ids,
) -> Result<Vec<Written>, DbErr> {
    let mut written = Vec::new();
    written.push(extensions(db, ctx, tasks, accounts, ids).await?);

    let first_report = ids.peek(Ids::REPORTS);
    let first_version = ids.peek(Ids::VERSIONS);
    let (mut reports, mut versions) = (0, 0);
    let mut bulk = Bulk::<progress_reports::ActiveModel>::begin(db, "progress_reports").await?;
    for (task, report, id, _) in numbered_reports(ctx, tasks, first_report, first_version) {
        reports += 1;
        versions += report.versions.len() as i64;
        bulk.push(report_row(ctx, task, &report, id, accounts))
            .await?;
    }
    written.push(bulk.finish().await?);

    let mut bulk = Bulk::<report_versions::ActiveModel>::begin(db, "report_versions").await?;
    for (task, report, report_id, first) in
        numbered_reports(ctx, tasks, first_report, first_version)
    {
        let month = ctx.docs[task.doc].periods[report.period].due_on.month();
        for (n, version) in report.versions.iter().enumerate() {
            let mut rng = StdRng::seed_from_u64(version.text_seed);
            bulk.push(report_versions::Model {
                id: first + n as i64,
                report_id,
                version: n as i32 + 1,
                progress: text::progress(&mut rng, month, version.percent),
                problems: text::problems(&mut rng),
                next_steps: text::next_steps(&mut rng),
                percent: Some(version.percent),
                submitted_by: accounts.unit,
                submitted_at: version.submitted_at,
                due_on: version.due_on,
                late_seconds: version.late_seconds,
                idempotency_key: format!("gen-{:016x}", version.text_seed),
                drafted_by: None,
                approved_by: None,
            })
            .await?;
        }
    }
    written.push(bulk.finish().await?);

    let mut bulk = Bulk::<report_reviews::ActiveModel>::begin(db, "report_reviews").await?;
    for (_, report, report_id, first) in numbered_reports(ctx, tasks, first_report, first_version) {
        for (n, version) in report.versions.iter().enumerate() {
            let Some((at, decision, seed)) = version.review else {
                continue;
            };
            let comment = match decision {
                entity::enums::ReviewDecision::Returned => {
                    Some(text::return_comment(&mut StdRng::seed_from_u64(seed)))
                }
                entity::enums::ReviewDecision::Accepted => None,
            };
            bulk.push(report_reviews::Model {
                id: ids.next(Ids::REVIEWS),
                report_id,
                version_id: first + n as i64,
                reviewer_id: accounts.bureau,
                decision,
                comment,
                created_at: at,
            })
            .await?;
        }
    }
    written.push(bulk.finish().await?);
    ids.advance(Ids::REPORTS, reports);
    ids.advance(Ids::VERSIONS, versions);
    Ok(written)
}

/// Every task's reports in the order all three tables number them: (task, report, report id,
/// id of its first version). Each task's plan is made again from its seed as the pass reaches
/// it, so a province's plans are never held together.
fn numbered_reports<'a>(
    ctx: &'a Ctx<'_>,
    tasks: &'a [TaskPlan],
    first_report: i64,
    first_version: i64,
) -> impl Iterator<Item = (&'a TaskPlan, ReportPlan, i64, i64)> {
    let (mut next_report, mut next_version) = (first_report, first_version);
    tasks.iter().flat_map(move |task| {
        let plan = reports::plan(ctx, task);
        let ids = numbered(&plan, &mut next_report, &mut next_version);
        plan.reports
            .into_iter()
            .zip(ids)
            .map(move |(report, (id, first))| (task, report, id, first))
    })
}

/// The stored report: its state and counters, and the draft's texts when it is a draft.
fn report_row(
    ctx: &Ctx<'_>,
    task: &TaskPlan,
    report: &ReportPlan,
    id: i64,
    accounts: &Accounts,
) -> progress_reports::Model {
    let period = &ctx.docs[task.doc].periods[report.period];
    let draft = report
        .draft
        .as_ref()
        .filter(|_| report.state == ReportState::Draft);
    let (progress, problems, next_steps, percent) = match draft {
        Some(draft) => {
            let mut rng = StdRng::seed_from_u64(draft.text_seed);
            (
                Some(text::progress(
                    &mut rng,
                    period.due_on.month(),
                    draft.percent,
                )),
                text::problems(&mut rng),
                text::next_steps(&mut rng),
                Some(draft.percent),
            )
        }
        None => (None, None, None, None),
    };
    progress_reports::Model {
        id,
        task_id: task.id,
        period_id: period.id,
        unit_id: report.unit_id,
        state: report.state,
        current_version: report.versions.len() as i32,
        draft_progress: progress,
        draft_problems: problems,
        draft_next_steps: next_steps,
        draft_percent: percent,
        draft_indicator_values: None,
        draft_updated_by: draft.map(|_| accounts.unit),
        version: report.row_version(),
        created_at: report.created_at(),
        updated_at: report.updated_at(),
    }
}

async fn extensions(
    db: &DatabaseConnection,
    ctx: &Ctx<'_>,
    tasks: &[TaskPlan],
    accounts: &Accounts,
    ids: &mut Ids,
) -> Result<Written, DbErr> {
    let mut bulk = Bulk::<extension_requests::ActiveModel>::begin(db, "extension_requests").await?;
    for task in tasks {
        let plan = reports::plan(ctx, task);
        for extension in &plan.extensions {
            let period = &ctx.docs[task.doc].periods[extension.period];
            let mut rng = StdRng::seed_from_u64(extension.text_seed);
            let reason = text::extension_reason(&mut rng);
            let comment = match extension.state {
                ExtensionState::Rejected => Some(text::rejection_comment(&mut rng)),
                ExtensionState::Approved => Some("同意延期，请按新时限报送。".to_owned()),
                _ => None,
            };
            debug_assert!(
                extension.requested_due_on > extension.original_due_on + Duration::days(1)
            );
            bulk.push(extension_requests::Model {
                id: ids.next(Ids::EXTENSIONS),
                task_id: task.id,
                unit_id: extension.unit_id,
                period_id: Some(period.id),
                original_due_on: extension.original_due_on,
                requested_due_on: extension.requested_due_on,
                reason,
                state: extension.state,
                requested_by: accounts.unit,
                requested_at: extension.requested_at,
                decided_by: extension.decided_at.map(|_| accounts.bureau),
                decided_at: extension.decided_at,
                decision_comment: comment,
            })
            .await?;
        }
    }
    bulk.finish().await
}
