//! Figures for the bureau's reports and rankings: how many reports were due, in on time, late or
//! missing, and where the tasks stand.
//!
//! - `service`: the counts, over the obligations the actor may see, in all or by group.
//! - `aggregate`: the statements that count them: from the obligations' rows in two shapes, or
//!   from the stored counts (`tallies`) for views of whole documents; `check` compares both.
//! - `groups`: what figures can be grouped by (unit, leader, document, category, period).
//! - `ranking`: units ranked by a stated formula with per-document weights (考核), counted from
//!   the units' tally; its `check` compares that with the rows. `check_counts` runs both
//!   checks.
//! - `schema`: `reportingFigures`, `figuresBy`, `ranking`, `scoringWeights`, `setScoringWeights`.
//!
//! On-time figures are computed against either due date a report had: the current one (the
//! period's date as the bureau last set it, or the unit's approved extension) or the original
//! one (the date first set for the period, without extensions). Both stay stored, so either
//! view can be asked for at any time.

mod aggregate;
pub mod groups;
pub mod ranking;
pub mod schema;
pub mod service;

/// Where the stored counts differ from those counted from the rows: the figures'
/// (`aggregate::check`) and the ranking's (`ranking::check`). Empty when they agree. For tests
/// and an operator (`api check-obligations`).
pub async fn check_counts(
    db: &impl sea_orm::ConnectionTrait,
    today: chrono::NaiveDate,
    thresholds: crate::deadline::Thresholds,
) -> crate::error::AppResult<Vec<String>> {
    use sea_orm::{EntityTrait, QuerySelect};
    let documents: Vec<i64> = entity::documents::Entity::find()
        .select_only()
        .column(entity::documents::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut differences = aggregate::check(db, today, thresholds, &documents).await?;
    differences.extend(ranking::check(db, today, &documents).await?);
    Ok(differences)
}
