//! The rows of each export, read through the same services and row rules as the API: the
//! ranking, grouped figures, a period's (or a document's) obligations. The task ledger, the
//! longest, is in `ledger`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::obligations;
use sea_orm::{ConnectionTrait, QueryOrder, QuerySelect};

use super::table::{Cell, Column, Rows, Table};
use crate::auth::Principal;
use crate::deadline::{Thresholds, today_in_china};
use crate::error::{AppError, AppResult};
use crate::obligations::{ObligationFilter, ObligationState};
use crate::stats::groups::Grouping;
use crate::stats::ranking::{self, RankingScope};
use crate::stats::service::{self, DueDateBasis};

/// How many rows are read and sent at once.
pub const SLICE: u64 = 1_000;

pub fn ranking_table() -> Table {
    let col = |header, width| Column { header, width };
    Table {
        sheet: "排名".to_owned(),
        columns: vec![
            col("名次", 6.0),
            col("单位", 30.0),
            col("得分", 9.0),
            col("积分", 8.0),
            col("计入", 7.0),
            col("按时", 7.0),
            col("逾期报送", 9.0),
            col("逾期未报", 9.0),
            col("被退回", 8.0),
            col("按时率", 8.0),
            col("计分规则", 60.0),
        ],
    }
}

/// The ranking's rows the caller may read, each carrying the formula and weights that made it.
pub async fn ranking(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    scope: RankingScope,
    sink: Rows,
) -> AppResult<()> {
    let r = ranking::rank(actor, db, now, scope).await?;
    let w = r.weights;
    let rule = format!(
        "{}（按时 +{}，逾期报送 −{}，逾期未报 −{}，被退回 −{}；截至 {}）",
        ranking::FORMULA,
        w.on_time,
        w.late,
        w.missing,
        w.returned,
        r.as_of
    );
    let rows = r
        .rows
        .iter()
        .map(|row| {
            vec![
                Cell::from(row.rank),
                Cell::from(row.unit_name.as_str()),
                Cell::from((row.score(w) * 100.0).round() / 100.0),
                Cell::from(row.points),
                Cell::from(row.counted()),
                Cell::from(row.on_time),
                Cell::from(row.late),
                Cell::from(row.missing),
                Cell::from(row.returned),
                Cell::from((row.on_time_rate() * 10_000.0).round() / 10_000.0),
                Cell::from(rule.as_str()),
            ]
        })
        .collect();
    send(&sink, rows).await
}

pub fn figures_table(grouping: Grouping) -> Table {
    let col = |header, width| Column { header, width };
    let (sheet, first) = match grouping {
        Grouping::Unit => ("按单位", "单位"),
        Grouping::Leader => ("按领导", "领导"),
        Grouping::Document => ("按文件", "文件"),
        Grouping::Category => ("按类别", "类别"),
        Grouping::Period => ("按报告期", "报告期"),
    };
    Table {
        sheet: sheet.to_owned(),
        columns: vec![
            col(first, 30.0),
            col("应报", 7.0),
            col("已到期", 8.0),
            col("按时", 7.0),
            col("逾期报送", 9.0),
            col("逾期未报", 9.0),
            col("按时率", 8.0),
            col("待审核", 8.0),
            col("已退回", 8.0),
            col("已通过", 8.0),
            col("任务数", 8.0),
            col("滞后任务", 9.0),
            col("红色预警", 9.0),
            col("黄色预警", 9.0),
            col("平均完成率", 10.0),
            col("指标数", 8.0),
            col("指标达标", 9.0),
            col("指标未达标", 10.0),
            col("指标不可比", 10.0),
        ],
    }
}

/// Grouped figures over what the caller may see, as `figuresBy` gives them.
#[allow(clippy::too_many_arguments)]
pub async fn figures(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: ObligationFilter,
    basis: DueDateBasis,
    thresholds: Thresholds,
    grouping: Grouping,
    sink: Rows,
) -> AppResult<()> {
    use crate::tasks::progress::WarningLevel;
    use entity::enums::TaskStatus;
    let groups =
        service::grouped(actor, db, now, filter, basis, thresholds, grouping, true).await?;
    let rows = groups
        .into_iter()
        .map(|g| {
            let f = &g.figures;
            let status = |s: TaskStatus| {
                f.tasks_by_status
                    .iter()
                    .find(|(k, _)| *k == s)
                    .map_or(0, |(_, n)| *n)
            };
            let level = |l: WarningLevel| {
                f.tasks_by_warning
                    .iter()
                    .find(|(k, _)| *k == l)
                    .map_or(0, |(_, n)| *n)
            };
            vec![
                Cell::from(g.name.as_str()),
                Cell::from(f.obligations),
                Cell::from(f.due),
                Cell::from(f.on_time),
                Cell::from(f.late),
                Cell::from(f.missing),
                Cell::from(f.on_time_rate().map(|r| (r * 10_000.0).round() / 10_000.0)),
                Cell::from(f.awaiting_review),
                Cell::from(f.returned),
                Cell::from(f.accepted),
                Cell::from(f.tasks),
                Cell::from(status(TaskStatus::Delayed)),
                Cell::from(level(WarningLevel::Red)),
                Cell::from(level(WarningLevel::Yellow)),
                Cell::from(f.average_percent.map(|p| (p * 100.0).round() / 100.0)),
                Cell::from(f.targets.indicators),
                Cell::from(f.targets.met),
                Cell::from(f.targets.not_met),
                Cell::from(f.targets.not_comparable),
            ]
        })
        .collect();
    send(&sink, rows).await
}

pub fn obligations_table() -> Table {
    let col = |header, width| Column { header, width };
    Table {
        sheet: "报送情况".to_owned(),
        columns: vec![
            col("序号", 7.0),
            col("工作任务", 50.0),
            col("单位", 28.0),
            col("报告期", 10.0),
            col("应报日期", 11.0),
            col("状态", 10.0),
            col("首次报送日期", 13.0),
            col("逾期", 6.0),
        ],
    }
}

/// The obligations the caller may see that match `filter`, in the list's order, a slice at a
/// time.
pub async fn obligations(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: ObligationFilter,
    sink: Rows,
) -> AppResult<()> {
    let today = today_in_china(now);
    let units = crate::units::service::names(db).await?;
    let query = crate::obligations::list::visible(actor, db, &filter, today).await?;
    let mut offset = 0;
    loop {
        let slice: Vec<obligations::Model> = query
            .clone()
            .order_by_asc(obligations::Column::DueOn)
            .order_by_asc(obligations::Column::DocumentId)
            .order_by_asc(entity::tasks::Column::SortOrder)
            .order_by_asc(obligations::Column::UnitId)
            .order_by_asc(obligations::Column::Id)
            .offset(offset)
            .limit(SLICE)
            .all(db)
            .await?;
        if slice.is_empty() {
            return Ok(());
        }
        offset += SLICE;
        // By the obligation's key, not by position: `hydrate` leaves out a row whose task or
        // period it cannot read, and the rest must not shift onto their neighbours' dates.
        let firsts: HashMap<(i64, i64, i64), Option<chrono::NaiveDate>> = slice
            .iter()
            .map(|o| ((o.task_id, o.period_id, o.unit_id), o.first_submitted_on))
            .collect();
        let items = crate::obligations::list::hydrate(db, &slice, today).await?;
        let rows = items
            .iter()
            .map(|o| {
                let first = firsts
                    .get(&(o.task.id, o.period.id, o.unit_id))
                    .copied()
                    .flatten();
                vec![
                    Cell::from(o.task.seq.as_str()),
                    Cell::from(o.task.text.as_str()),
                    Cell::from(units.get(&o.unit_id).map(String::as_str)),
                    Cell::from(o.period.label.as_str()),
                    Cell::from(o.due_on),
                    Cell::from(state_label(o.state)),
                    Cell::from(first),
                    Cell::from(first.map(|f| if f > o.due_on { "是" } else { "否" })),
                ]
            })
            .collect();
        send(&sink, rows).await?;
    }
}

/// An obligation's state as the bureau's tables write it.
pub fn state_label(state: ObligationState) -> &'static str {
    match state {
        ObligationState::NotStarted => "未报送",
        ObligationState::Draft => "草稿",
        ObligationState::Submitted => "已报送",
        ObligationState::Late => "逾期报送",
        ObligationState::Returned => "已退回",
        ObligationState::Accepted => "已通过",
        ObligationState::Overdue => "逾期未报",
    }
}

/// Hands a batch to the writer; a writer that stopped (it failed) ends the reading too.
pub async fn send(sink: &Rows, rows: Vec<Vec<Cell>>) -> AppResult<()> {
    sink.send(rows)
        .await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the export's writer stopped")))
}
