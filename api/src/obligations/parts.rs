//! A unit's part in a task: the one answer to "is this unit on this task, and does it owe the
//! reports", which reports, extensions, motions, ledgers, attachments and reminders all ask.

use entity::enums::{ObligationRule, UnitRole};
use entity::{documents, reporting_periods, task_units, tasks};
use sea_orm::sea_query::{Expr, IntoCondition};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QueryResult, QuerySelect, QueryTrait,
};

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::obligations::owing_units;

/// Which report: a unit's report on a task for a period.
#[derive(Debug, Clone, Copy)]
pub struct ReportKey {
    pub task_id: i64,
    pub period_id: i64,
}

/// A unit assigned to a task, with the task's assignments (to tell whether it owes reports).
#[derive(Debug, Clone)]
pub struct Part {
    pub unit_id: i64,
    /// The unit's role in the task (the first, if it was listed twice).
    pub role: UnitRole,
    assignments: Vec<task_units::Model>,
}

impl Part {
    /// Whether the unit owes reports on the task under its document's rule (the caller has the
    /// document, or reads it once).
    pub fn owes(&self, rule: ObligationRule) -> bool {
        owing_units(rule, &self.assignments).contains(&self.unit_id)
    }
}

/// `unit_id`'s part in `task`, if it has one. One statement.
pub async fn part_of(
    db: &impl ConnectionTrait,
    task: &tasks::Model,
    unit_id: i64,
) -> AppResult<Option<Part>> {
    let assignments = task_units::Entity::find()
        .filter(task_units::Column::TaskId.eq(task.id))
        .all(db)
        .await?;
    let role = assignments
        .iter()
        .find(|a| a.unit_id == unit_id)
        .map(|a| a.role);
    Ok(role.map(|role| Part {
        unit_id,
        role,
        assignments,
    }))
}

/// The acting unit's part in `task` (which the actor has already been allowed to see), or
/// FORBIDDEN: for other roles, and for a unit with no part in the task.
pub async fn assigned_unit(
    actor: &Principal,
    db: &impl ConnectionTrait,
    task: &tasks::Model,
) -> AppResult<Part> {
    let Some(unit_id) = actor.unit_id() else {
        return Err(AppError::forbidden("only a unit of the task may do this"));
    };
    part_of(db, task, unit_id)
        .await?
        .ok_or_else(|| AppError::forbidden("your unit has no part in this task"))
}

/// The unit the actor reports for and the period, after checking the period belongs to the
/// task's document and the unit owes the report.
pub async fn owing_unit(
    actor: &Principal,
    db: &impl ConnectionTrait,
    key: ReportKey,
) -> AppResult<(i64, reporting_periods::Model)> {
    let (unit_id, period, _, _) = owing_unit_under(actor, db, key).await?;
    Ok((unit_id, period))
}

/// `owing_unit`, with the document's obligation rule it read (a submission consolidates
/// partners' contributions only under `LEAD_CONSOLIDATING`) and the task as read in `db`'s
/// transaction (a submission restatuses it without reading it again).
pub async fn owing_unit_under(
    actor: &Principal,
    db: &impl ConnectionTrait,
    key: ReportKey,
) -> AppResult<(i64, reporting_periods::Model, ObligationRule, tasks::Model)> {
    if actor.unit_id().is_none() {
        return Err(AppError::forbidden(
            "only the unit that owes a report writes it",
        ));
    }
    // The task (if the actor may see it), the period (if it is of the task's document) and the
    // document, in one statement: a submission's every statement counts.
    let period_of_task = tasks::Entity::belongs_to(reporting_periods::Entity)
        .from(tasks::Column::DocumentId)
        .to(reporting_periods::Column::DocumentId)
        .on_condition(move |_, _| {
            Expr::col((reporting_periods::Entity, reporting_periods::Column::Id))
                .eq(key.period_id)
                .into_condition()
        })
        .into();
    let document_of_task = tasks::Entity::belongs_to(documents::Entity)
        .from(tasks::Column::DocumentId)
        .to(documents::Column::Id)
        .into();
    let select = tasks::Entity::find_by_id(key.task_id)
        .filter(crate::tasks::access::visible(actor))
        .join(JoinType::LeftJoin, period_of_task)
        .join(JoinType::InnerJoin, document_of_task)
        .select_also(reporting_periods::Entity)
        .column_as(documents::Column::ObligationRule, OBLIGATION_RULE)
        .limit(1);
    let TaskPeriodRule { task, period, rule } =
        TaskPeriodRule::find_by_statement(select.build(db.get_database_backend()))
            .one(db)
            .await?
            .ok_or_else(|| AppError::not_found("task"))?;
    let period = period.ok_or_else(|| {
        AppError::bad_field(
            "periodId",
            "no such reporting period of the task's document",
        )
    })?;
    let part = assigned_unit(actor, db, &task).await?;
    if !part.owes(rule) {
        return Err(AppError::forbidden(
            "your unit does not owe a report on this task",
        ));
    }
    Ok((part.unit_id, period, rule, task))
}

/// The row `owing_unit_under` reads: the task, the period if it is of the task's document, and
/// of the document only its rule. The whole document row would carry the notice's original
/// text (tens of KiB for a real notice) into every submission, which has no use for it.
struct TaskPeriodRule {
    task: tasks::Model,
    period: Option<reporting_periods::Model>,
    rule: ObligationRule,
}

/// The alias of the document's rule in `TaskPeriodRule`'s statement.
const OBLIGATION_RULE: &str = "document_obligation_rule";

impl FromQueryResult for TaskPeriodRule {
    /// The prefixes are `select_also`'s: `A_` for the task's columns, `B_` for the period's,
    /// read as `select_also` reads them (no period when the join found none: its columns are
    /// null).
    fn from_query_result(row: &QueryResult, _: &str) -> Result<Self, DbErr> {
        Ok(Self {
            task: tasks::Model::from_query_result(row, "A_")?,
            period: reporting_periods::Model::from_query_result_optional(row, "B_")?,
            rule: row.try_get("", OBLIGATION_RULE)?,
        })
    }
}
