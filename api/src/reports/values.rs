//! The actual values a report gives for its task's indicators (e.g. 新建充电桩 → 420 个): one
//! per indicator and version, stored with the version they were submitted in.

use std::collections::{HashMap, HashSet};

use entity::{indicators, report_indicator_values};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::targets;

use crate::error::{AppError, AppResult};
use crate::validation::{NAME_MAX, TEXT_MAX, optional_text, required_text};

/// One value as the unit writes it. Values are text: targets are written as `6%左右`, `6.24万`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorValue {
    pub indicator_id: i64,
    pub value: String,
    pub note: Option<String>,
}

/// Checks the values against the task's indicators: each known, none twice, a value given.
pub async fn validated(
    db: &impl ConnectionTrait,
    task_id: i64,
    values: &[IndicatorValue],
) -> AppResult<Vec<IndicatorValue>> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let known: HashSet<i64> = indicators::Entity::find()
        .filter(indicators::Column::TaskId.eq(task_id))
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let mut seen = HashSet::new();
    values
        .iter()
        .map(|v| {
            if !known.contains(&v.indicator_id) {
                return Err(AppError::bad_field(
                    "indicatorValues",
                    "names an indicator that is not one of the task's",
                ));
            }
            if !seen.insert(v.indicator_id) {
                return Err(AppError::bad_field(
                    "indicatorValues",
                    "gives the same indicator twice",
                ));
            }
            Ok(IndicatorValue {
                indicator_id: v.indicator_id,
                value: required_text("indicatorValues.value", &v.value, NAME_MAX)?,
                note: optional_text("indicatorValues.note", v.note.as_deref(), TEXT_MAX)?,
            })
        })
        .collect()
}

/// Stores the values of a version. Call it in the submission's transaction.
pub async fn store(
    db: &impl ConnectionTrait,
    version_id: i64,
    values: &[IndicatorValue],
) -> AppResult<()> {
    if values.is_empty() {
        return Ok(());
    }
    report_indicator_values::Entity::insert_many(values.iter().map(|v| {
        report_indicator_values::ActiveModel {
            version_id: Set(version_id),
            indicator_id: Set(v.indicator_id),
            value: Set(Some(v.value.clone())),
            note: Set(v.note.clone()),
            ..Default::default()
        }
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Makes the values of `version_id` their indicators' latest, with each verdict against its
/// target (`targets::judge`). Conditional on the version, so that two submissions committing in
/// either order leave the later version's value. Call it in the submission's transaction.
pub async fn record_latest(
    db: &impl ConnectionTrait,
    version_id: i64,
    values: &[IndicatorValue],
) -> AppResult<()> {
    if values.is_empty() {
        return Ok(());
    }
    let targets: HashMap<i64, indicators::Model> = indicators::Entity::find()
        .filter(indicators::Column::Id.is_in(values.iter().map(|v| v.indicator_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    for value in values {
        let Some(indicator) = targets.get(&value.indicator_id) else {
            continue;
        };
        set_latest(db, indicator, version_id, &value.value).await?;
    }
    Ok(())
}

/// Stores `value` of `version_id` as `indicator`'s latest, unless a later version's is there.
async fn set_latest(
    db: &impl ConnectionTrait,
    indicator: &indicators::Model,
    version_id: i64,
    value: &str,
) -> AppResult<()> {
    let verdict = targets::judge(
        indicator.value.as_deref(),
        indicator.measure_unit.as_deref(),
        indicator.comparator,
        value,
    );
    indicators::Entity::update_many()
        .col_expr(indicators::Column::LatestVersionId, Expr::value(version_id))
        .col_expr(indicators::Column::LatestValue, Expr::value(value))
        .col_expr(indicators::Column::Verdict, Expr::value(verdict.as_str()))
        .filter(indicators::Column::Id.eq(indicator.id))
        .filter(
            Condition::any()
                .add(indicators::Column::LatestVersionId.is_null())
                .add(indicators::Column::LatestVersionId.lte(version_id)),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Gives a verdict to the latest values that have none: those the migration that added the
/// column copied, judged once at the first start after it. One cheap statement otherwise.
pub async fn judge_unjudged(db: &impl ConnectionTrait) -> AppResult<u64> {
    let (mut judged, mut after) = (0, 0);
    loop {
        let batch = indicators::Entity::find()
            .filter(indicators::Column::Id.gt(after))
            .filter(indicators::Column::LatestValue.is_not_null())
            .filter(indicators::Column::Verdict.is_null())
            .order_by_asc(indicators::Column::Id)
            .limit(500)
            .all(db)
            .await?;
        if batch.is_empty() {
            return Ok(judged);
        }
        for indicator in &batch {
            after = indicator.id;
            let (Some(version), Some(value)) =
                (indicator.latest_version_id, &indicator.latest_value)
            else {
                continue;
            };
            set_latest(db, indicator, version, value).await?;
            judged += 1;
        }
    }
}

/// The values of each version, with their indicators, in the indicators' written order.
pub async fn of_versions(
    db: &impl ConnectionTrait,
    version_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<(report_indicator_values::Model, indicators::Model)>>> {
    let values = report_indicator_values::Entity::find()
        .filter(report_indicator_values::Column::VersionId.is_in(version_ids.to_vec()))
        .all(db)
        .await?;
    let indicator_ids: Vec<i64> = values.iter().map(|v| v.indicator_id).collect();
    let indicators: HashMap<i64, indicators::Model> = indicators::Entity::find()
        .filter(indicators::Column::Id.is_in(indicator_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut by_version: HashMap<i64, Vec<_>> = HashMap::new();
    for value in values {
        if let Some(indicator) = indicators.get(&value.indicator_id) {
            by_version
                .entry(value.version_id)
                .or_default()
                .push((value, indicator.clone()));
        }
    }
    for list in by_version.values_mut() {
        list.sort_by_key(|(_, indicator)| indicator.position);
    }
    Ok(by_version)
}

/// The indicators among `ids` whose tasks `actor` may see, for `nodes`.
pub async fn visible_indicators_by_ids(
    actor: &crate::auth::Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, indicators::Model>> {
    Ok(indicators::Entity::find()
        .filter(indicators::Column::Id.is_in(ids.iter().copied()))
        .filter(indicators::Column::TaskId.in_subquery(crate::tasks::query::visible_ids(actor)))
        .all(db)
        .await?
        .into_iter()
        .map(|indicator| (indicator.id, indicator))
        .collect())
}

/// The indicators of each task, in written order.
pub async fn indicators_of(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<indicators::Model>>> {
    let mut by_task: HashMap<i64, Vec<_>> = HashMap::new();
    for indicator in indicators::Entity::find()
        .filter(indicators::Column::TaskId.is_in(task_ids.to_vec()))
        .order_by_asc(indicators::Column::Position)
        .all(db)
        .await?
    {
        by_task
            .entry(indicator.task_id)
            .or_default()
            .push(indicator);
    }
    Ok(by_task)
}
