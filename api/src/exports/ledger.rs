//! The task ledger (任务台账) of a document, or of all, in the layout of the official list: 序号, 类别, 工作任务,
//! 责任领导, 牵头单位, 责任单位, 配合单位, 完成时限, then where each task stands: 状态, 预警,
//! 最新进展, 最近报送, 审核. The tasks the caller may see (`tasks::access`), in the notice's
//! order, read a slice at a time by keyset (document, sort order, id), with one statement per slice for
//! each of leaders, units, obligations, latest versions and latest reviews.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::enums::{ReviewDecision, TaskStatus, UnitRole};
use entity::{
    categories, progress_reports, report_reviews, report_versions, task_leaders, task_units, tasks,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::sheets::{SLICE, send};
use super::table::{Cell, Column, Rows, Table};
use crate::auth::Principal;
use crate::deadline::{Thresholds, today_in_china};
use crate::error::{AppError, AppResult};
use crate::tasks::progress::{self, WarningLevel};

pub fn table() -> Table {
    let col = |header, width| Column { header, width };
    Table {
        sheet: "任务台账".to_owned(),
        columns: vec![
            col("序号", 7.0),
            col("类别", 18.0),
            col("工作任务", 60.0),
            col("责任领导", 14.0),
            col("牵头单位", 22.0),
            col("责任单位", 22.0),
            col("配合单位", 22.0),
            col("完成时限", 14.0),
            col("状态", 8.0),
            col("预警", 6.0),
            col("最新进展", 60.0),
            col("最近报送", 17.0),
            col("审核", 17.0),
        ],
    }
}

/// The ledger of the tasks `actor` may see: of one document, or of all (document by document).
pub async fn rows(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    thresholds: Thresholds,
    document_id: Option<i64>,
    sink: Rows,
) -> AppResult<()> {
    let mut categories = categories::Entity::find();
    if let Some(id) = document_id {
        entity::documents::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::not_found("document"))?;
        categories = categories.filter(categories::Column::DocumentId.eq(id));
    }
    let today = today_in_china(now);
    let units = crate::units::service::names(db).await?;
    let categories: HashMap<i64, String> = categories
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let mut after: Option<(i64, i32, i64)> = None;
    loop {
        let mut query = tasks::Entity::find().filter(crate::tasks::access::visible(actor));
        if let Some(id) = document_id {
            query = query.filter(tasks::Column::DocumentId.eq(id));
        }
        if let Some(key) = after {
            query = query.filter(after_key(key));
        }
        let slice = query
            .order_by_asc(tasks::Column::DocumentId)
            .order_by_asc(tasks::Column::SortOrder)
            .order_by_asc(tasks::Column::Id)
            .limit(SLICE)
            .all(db)
            .await?;
        let Some(last) = slice.last() else {
            return Ok(());
        };
        after = Some((last.document_id, last.sort_order, last.id));
        let ids: Vec<i64> = slice.iter().map(|t| t.id).collect();
        let parts = Parts::read(db, &slice, &ids, now).await?;
        let rows = slice
            .iter()
            .map(|task| {
                let leaders = parts.leaders.get(&task.id).map(|l| l.join("、"));
                let units_in = |role: UnitRole| {
                    parts
                        .units
                        .get(&task.id)
                        .into_iter()
                        .flatten()
                        .filter(|(r, _)| *r == role)
                        .filter_map(|(_, id)| units.get(id).cloned())
                        .collect::<Vec<_>>()
                        .join("、")
                };
                let facts = parts.facts.get(&task.id).map_or(&[][..], Vec::as_slice);
                let level = progress::warning_level(task, facts, today, thresholds);
                let latest = parts.latest.get(&task.id);
                let review = parts.reviews.get(&task.id);
                let deadline = task
                    .deadline_as_written
                    .clone()
                    .or_else(|| task.deadline.map(|d| d.to_string()));
                vec![
                    Cell::from(task.seq.as_str()),
                    Cell::from(task.category_id.and_then(|c| categories.get(&c).cloned())),
                    Cell::from(task.text.as_str()),
                    Cell::from(leaders),
                    Cell::from(units_in(UnitRole::Lead)),
                    Cell::from(units_in(UnitRole::Responsible)),
                    Cell::from(units_in(UnitRole::Cooperating)),
                    Cell::from(deadline),
                    Cell::from(status_label(task.status)),
                    Cell::from(warning_label(level)),
                    Cell::from(latest.map(|(text, _)| text.clone())),
                    Cell::from(latest.map(|(_, at)| china_time(*at))),
                    Cell::from(review.map(|(decision, at)| {
                        format!("{} {}", decision_label(*decision), china_time(*at))
                    })),
                ]
            })
            .collect();
        send(&sink, rows).await?;
    }
}

/// The tasks after `(document, sort order, id)` in the ledger's order: the keyset of the next
/// slice, so that the last slice costs what the first does.
fn after_key((document, order, id): (i64, i32, i64)) -> Condition {
    Condition::any()
        .add(tasks::Column::DocumentId.gt(document))
        .add(
            Condition::all()
                .add(tasks::Column::DocumentId.eq(document))
                .add(tasks::Column::SortOrder.gt(order)),
        )
        .add(
            Condition::all()
                .add(tasks::Column::DocumentId.eq(document))
                .add(tasks::Column::SortOrder.eq(order))
                .add(tasks::Column::Id.gt(id)),
        )
}

/// What a slice of tasks needs besides the tasks themselves.
struct Parts {
    leaders: HashMap<i64, Vec<String>>,
    units: HashMap<i64, Vec<(UnitRole, i64)>>,
    facts: HashMap<i64, Vec<progress::ObligationFacts>>,
    /// The latest submitted version of any of the task's reports: its text and time.
    latest: HashMap<i64, (String, DateTime<Utc>)>,
    /// The latest review of any of the task's reports.
    reviews: HashMap<i64, (ReviewDecision, DateTime<Utc>)>,
}

impl Parts {
    async fn read(
        db: &impl ConnectionTrait,
        slice: &[tasks::Model],
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> AppResult<Self> {
        let mut leaders: HashMap<i64, Vec<String>> = HashMap::new();
        for l in task_leaders::Entity::find()
            .filter(task_leaders::Column::TaskId.is_in(ids.iter().copied()))
            .order_by_asc(task_leaders::Column::TaskId)
            .order_by_asc(task_leaders::Column::Position)
            .all(db)
            .await?
        {
            leaders
                .entry(l.task_id)
                .or_default()
                .push(l.name_as_written);
        }
        let mut units: HashMap<i64, Vec<(UnitRole, i64)>> = HashMap::new();
        for u in task_units::Entity::find()
            .filter(task_units::Column::TaskId.is_in(ids.iter().copied()))
            .order_by_asc(task_units::Column::TaskId)
            .order_by_asc(task_units::Column::Position)
            .all(db)
            .await?
        {
            units
                .entry(u.task_id)
                .or_default()
                .push((u.role, u.unit_id));
        }
        let facts = progress::facts_of(db, slice, now).await?;

        // Versions and reviews newest first: the first seen per task is its latest.
        let versions: Vec<(i64, String, DateTime<Utc>)> = report_versions::Entity::find()
            .select_only()
            .column(progress_reports::Column::TaskId)
            .column(report_versions::Column::Progress)
            .column(report_versions::Column::SubmittedAt)
            .join(JoinType::InnerJoin, version_report())
            .filter(progress_reports::Column::TaskId.is_in(ids.iter().copied()))
            .order_by_desc(report_versions::Column::SubmittedAt)
            .order_by_desc(report_versions::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        let mut latest = HashMap::new();
        for (task, text, at) in versions {
            latest.entry(task).or_insert((text, at));
        }
        let decisions: Vec<(i64, ReviewDecision, DateTime<Utc>)> = report_reviews::Entity::find()
            .select_only()
            .column(progress_reports::Column::TaskId)
            .column(report_reviews::Column::Decision)
            .column(report_reviews::Column::CreatedAt)
            .join(JoinType::InnerJoin, review_report())
            .filter(progress_reports::Column::TaskId.is_in(ids.iter().copied()))
            .order_by_desc(report_reviews::Column::CreatedAt)
            .order_by_desc(report_reviews::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        let mut reviews = HashMap::new();
        for (task, decision, at) in decisions {
            reviews.entry(task).or_insert((decision, at));
        }
        Ok(Self {
            leaders,
            units,
            facts,
            latest,
            reviews,
        })
    }
}

fn version_report() -> sea_orm::RelationDef {
    report_versions::Entity::belongs_to(progress_reports::Entity)
        .from(report_versions::Column::ReportId)
        .to(progress_reports::Column::Id)
        .into()
}

fn review_report() -> sea_orm::RelationDef {
    report_reviews::Entity::belongs_to(progress_reports::Entity)
        .from(report_reviews::Column::ReportId)
        .to(progress_reports::Column::Id)
        .into()
}

/// A time as the bureau reads it: Beijing time, to the minute.
fn china_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&crate::deadline::china())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub fn status_label(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::NotStarted => "未启动",
        TaskStatus::InProgress => "推进中",
        TaskStatus::Delayed => "滞后",
        TaskStatus::Completed => "已办结",
        TaskStatus::Cancelled => "已取消",
    }
}

pub fn warning_label(level: WarningLevel) -> &'static str {
    match level {
        WarningLevel::Green => "绿",
        WarningLevel::Yellow => "黄",
        WarningLevel::Red => "红",
    }
}

fn decision_label(decision: ReviewDecision) -> &'static str {
    match decision {
        ReviewDecision::Accepted => "通过",
        ReviewDecision::Returned => "退回",
    }
}
