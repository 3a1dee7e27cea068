//! Actual values of a task's indicators posted by another system (the statistics bureau's)
//! rather than reported by a unit: a machine account whose API key carries `indicators:write`
//! (or the bureau) posts them for a task and, optionally, a period. Idempotent by the request's
//! key: a retry with the same values returns what was stored, with other values is CONFLICT.
//! Each is kept with the account it came from (`indicator_readings`), and becomes its
//! indicator's latest value, judged against the target as a report's would be.

use chrono::{DateTime, Utc};
use entity::{indicator_readings, indicators, reporting_periods};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::targets;
use super::values::{self, IndicatorValue};
use crate::audit::action::Private;
use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::auth::scopes::ApiScope;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::tasks::query as tasks;
use crate::validation::required_text;

/// Stores the values and makes them their indicators' latest; returns the task's indicators.
pub async fn record(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    task_id: i64,
    period_id: Option<i64>,
    given: &[IndicatorValue],
    idempotency_key: &str,
) -> AppResult<Vec<indicators::Model>> {
    match (&actor.scope, &actor.key) {
        (Scope::Bureau, _) => {}
        (Scope::Service, Some(_)) => actor.require_scope(ApiScope::IndicatorsWrite)?,
        _ => {
            return Err(AppError::forbidden(
                "indicator values come from units' reports, or from another system's API key \
                 with `indicators:write`",
            ));
        }
    }
    let source = actor
        .user_id
        .ok_or_else(|| AppError::forbidden("the system does not post values"))?;
    let key = required_text("idempotencyKey", idempotency_key, 100)?;
    if given.is_empty() {
        return Err(AppError::bad_field("values", "give at least one value"));
    }
    let txn = db.begin().await?;
    let task = tasks::get(actor, &txn, task_id).await?;
    if let Some(period_id) = period_id {
        reporting_periods::Entity::find_by_id(period_id)
            .one(&txn)
            .await?
            .filter(|p| p.document_id == task.document_id)
            .ok_or_else(|| {
                AppError::bad_field(
                    "periodId",
                    "no such reporting period of the task's document",
                )
            })?;
    }
    let values = values::validated(&txn, task.id, given).await?;
    // A retry: the same request's rows, compared.
    let stored = indicator_readings::Entity::find()
        .filter(indicator_readings::Column::SourceUserId.eq(source))
        .filter(indicator_readings::Column::IdempotencyKey.eq(&key))
        .all(&txn)
        .await?;
    if !stored.is_empty() {
        let same = stored.len() == values.len()
            && values.iter().all(|v| {
                stored.iter().any(|s| {
                    s.indicator_id == v.indicator_id
                        && s.value == v.value
                        && s.note == v.note
                        && s.period_id == period_id
                })
            });
        if !same {
            return Err(AppError::conflict(
                "idempotencyKey: already used for other values",
            ));
        }
        return indicators_of(&txn, task.id).await;
    }
    let rows: Vec<indicator_readings::ActiveModel> = values
        .iter()
        .map(|v| indicator_readings::ActiveModel {
            indicator_id: Set(v.indicator_id),
            period_id: Set(period_id),
            value: Set(v.value.clone()),
            note: Set(v.note.clone()),
            source_user_id: Set(source),
            idempotency_key: Set(key.clone()),
            recorded_at: Set(now),
            ..Default::default()
        })
        .collect();
    indicator_readings::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    let targets: Vec<indicators::Model> = indicators_of(&txn, task.id).await?;
    for v in &values {
        let Some(indicator) = targets.iter().find(|i| i.id == v.indicator_id) else {
            continue;
        };
        let verdict = targets::judge(
            indicator.value.as_deref(),
            indicator.measure_unit.as_deref(),
            indicator.comparator,
            &v.value,
        );
        // The latest value now, whoever gave it; a unit's later report takes over again.
        indicators::Entity::update_many()
            .col_expr(
                indicators::Column::LatestValue,
                Expr::value(v.value.clone()),
            )
            .col_expr(indicators::Column::Verdict, Expr::value(verdict.as_str()))
            .col_expr(
                indicators::Column::LatestVersionId,
                Expr::value(Option::<i64>::None),
            )
            .filter(indicators::Column::Id.eq(indicator.id))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            Private::IndicatorRecord,
            EntityType::Task,
            Some(task.id),
            &serde_json::json!({ "periodId": period_id, "idempotencyKey": key, "values": values }),
        ),
    )
    .await?;
    let after = indicators_of(&txn, task.id).await?;
    txn.commit().await?;
    Ok(after)
}

async fn indicators_of(
    db: &impl ConnectionTrait,
    task_id: i64,
) -> AppResult<Vec<indicators::Model>> {
    Ok(indicators::Entity::find()
        .filter(indicators::Column::TaskId.eq(task_id))
        .order_by_asc(indicators::Column::Position)
        .all(db)
        .await?)
}
