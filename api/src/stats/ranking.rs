//! Ranking units (考核): every unit with reports counted in a scope (a document or all, a range
//! of due dates) gets points per obligation, by weights the bureau sets per document:
//!
//! ```text
//! points  = onTime × w.onTime − late × w.late − missing × w.missing − returned × w.returned
//! score   = 100 × points ÷ (w.onTime × counted)        counted = onTime + late + missing
//! order   = score (high first), then on-time rate, then the unit's name, then its id
//! ```
//!
//! `onTime` and `late` follow the first submission against the due date (the period's, or an
//! approved extension); `missing` is due with nothing submitted; `returned` is a report the
//! bureau returned at least once (it also counts as on time or late). A unit with nothing
//! counted is not ranked. Scores compare exactly (cross-multiplied integers), so ties are real
//! ties and the order is stable. The counts are sums over the units' tally (`tallies`), which
//! `check` compares with an aggregate of the obligations' rows.
//!
//! Everyone ranked is ranked against everyone else in scope; who may read which rows is decided
//! after: the bureau and machine accounts all, a leader the units they supervise, a unit its own.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::ReviewDecision;
use entity::{leader_units, obligations, report_reviews, scoring_weights, tasks, units};
use sea_orm::sea_query::{Alias, Expr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect,
    QueryTrait, RelationDef, Select, StatementBuilder, TransactionTrait,
};
use serde::Serialize;

use super::aggregate::{count_if, weighted};
use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::deadline::today_in_china;
use crate::error::{AppError, AppResult};
use crate::tallies::UNIT_OBLIGATIONS;

/// The formula, as the API states it and every ranking carries.
pub const FORMULA: &str = "points = onTime × w.onTime − late × w.late − missing × w.missing − \
    returned × w.returned; score = 100 × points ÷ (w.onTime × counted), where counted = onTime + \
    late + missing; ordered by score (highest first), then on-time rate, then unit name";

/// Points per obligation: earned for an on-time report, taken off (a positive number) for a late,
/// missing or returned one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Weights {
    pub on_time: i32,
    pub late: i32,
    pub missing: i32,
    pub returned: i32,
}

impl Weights {
    /// The weights of a document the bureau has not set, and of a ranking across documents.
    pub const DEFAULT: Weights = Weights {
        on_time: 2,
        late: 1,
        missing: 3,
        returned: 1,
    };

    /// The largest weight accepted, so that points never overflow.
    pub const MAX: i32 = 100;

    fn check(self) -> AppResult<Self> {
        if !(1..=Self::MAX).contains(&self.on_time) {
            return Err(AppError::bad_field(
                "weights.onTime",
                format!("must be between 1 and {}", Self::MAX),
            ));
        }
        for (field, value) in [
            ("weights.late", self.late),
            ("weights.missing", self.missing),
            ("weights.returned", self.returned),
        ] {
            if !(0..=Self::MAX).contains(&value) {
                return Err(AppError::bad_field(
                    field,
                    format!("points taken off: between 0 and {}", Self::MAX),
                ));
            }
        }
        Ok(self)
    }
}

impl From<&scoring_weights::Model> for Weights {
    fn from(row: &scoring_weights::Model) -> Self {
        Self {
            on_time: row.on_time,
            late: row.late,
            missing: row.missing,
            returned: row.returned,
        }
    }
}

/// What is ranked: the obligations of a document (or of all), due within a range of days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RankingScope {
    pub document_id: Option<i64>,
    /// First due day counted (inclusive).
    pub due_from: Option<NaiveDate>,
    /// Last due day counted (inclusive).
    pub due_to: Option<NaiveDate>,
}

/// One ranked unit, with what its score is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1 for the first; every row has its own place (ties ordered by name).
    pub rank: u32,
    pub unit_id: i64,
    pub unit_name: String,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    pub returned: u32,
    pub points: i64,
}

impl Row {
    pub fn counted(&self) -> u32 {
        self.on_time + self.late + self.missing
    }

    pub fn on_time_rate(&self) -> f64 {
        f64::from(self.on_time) / f64::from(self.counted().max(1))
    }

    /// `100 × points ÷ (w.onTime × counted)`.
    #[allow(clippy::cast_precision_loss)]
    pub fn score(&self, weights: Weights) -> f64 {
        let scale = i64::from(weights.on_time) * i64::from(self.counted().max(1));
        100.0 * self.points as f64 / scale as f64
    }
}

/// A ranking as computed: its scope, weights, formula, time and rows.
#[derive(Debug, Clone)]
pub struct Ranking {
    pub scope: RankingScope,
    pub weights: Weights,
    /// Whether the weights are the defaults (the document has none set, or no document).
    pub default_weights: bool,
    pub computed_at: DateTime<Utc>,
    /// The day in China the ranking counts missing reports up to.
    pub as_of: NaiveDate,
    /// How many units were ranked, whatever rows the reader may see.
    pub ranked: u32,
    pub rows: Vec<Row>,
}

/// The weights a document is ranked with, and whether they are the defaults.
pub async fn weights_of(db: &impl ConnectionTrait, document_id: i64) -> AppResult<(Weights, bool)> {
    Ok(
        match scoring_weights::Entity::find_by_id(document_id)
            .one(db)
            .await?
        {
            Some(row) => (Weights::from(&row), false),
            None => (Weights::DEFAULT, true),
        },
    )
}

/// Sets a document's weights (the bureau's decision), audited.
pub async fn set_weights(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    document_id: i64,
    weights: Weights,
) -> AppResult<Weights> {
    actor.require_bureau()?;
    let weights = weights.check()?;
    let txn = db.begin().await?;
    entity::documents::Entity::find_by_id(document_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("document"))?;
    let (before, _) = weights_of(&txn, document_id).await?;
    let row = scoring_weights::ActiveModel {
        document_id: sea_orm::Set(document_id),
        on_time: sea_orm::Set(weights.on_time),
        late: sea_orm::Set(weights.late),
        missing: sea_orm::Set(weights.missing),
        returned: sea_orm::Set(weights.returned),
        updated_by: sea_orm::Set(actor.user_id),
        updated_at: sea_orm::Set(now),
    };
    scoring_weights::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(scoring_weights::Column::DocumentId)
                .update_columns([
                    scoring_weights::Column::OnTime,
                    scoring_weights::Column::Late,
                    scoring_weights::Column::Missing,
                    scoring_weights::Column::Returned,
                    scoring_weights::Column::UpdatedBy,
                    scoring_weights::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    crate::audit::service::record(
        &txn,
        actor,
        now,
        crate::audit::service::Change::diff(
            crate::audit::action::Private::ScoringSetWeights,
            crate::events::EntityType::Document,
            Some(document_id),
            &before,
            &weights,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(weights)
}

/// The ranking of `scope` at `now`, with the rows `actor` may read.
pub async fn rank(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    scope: RankingScope,
) -> AppResult<Ranking> {
    if let (Some(from), Some(to)) = (scope.due_from, scope.due_to)
        && from > to
    {
        return Err(AppError::bad_field("dueFrom", "is after dueTo"));
    }
    // A reviewing office ranks the units of a notice it reviews (read below, through the rule
    // of documents), whole, and nothing across notices.
    if matches!(actor.scope, Scope::Office { .. }) && scope.document_id.is_none() {
        return Err(AppError::forbidden(
            "a reviewing office ranks the units of a notice it reviews: name it",
        ));
    }
    let (weights, default_weights) = match scope.document_id {
        Some(id) => {
            crate::documents::service::get(actor, db, id).await?;
            weights_of(db, id).await?
        }
        None => (Weights::DEFAULT, true),
    };
    let today = today_in_china(now);
    let counts = counts(db, scope, today).await?;
    let ids: Vec<i64> = counts.iter().map(|c| c.unit_id).collect();
    let names: std::collections::HashMap<i64, String> = crate::db::in_chunks(&ids, |chunk| {
        units::Entity::find()
            .filter(units::Column::Id.is_in(chunk))
            .all(db)
    })
    .await?
    .into_iter()
    .map(|u| (u.id, u.name))
    .collect();
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    let mut rows: Vec<Row> = counts
        .into_iter()
        .filter(|c| c.on_time + c.late + c.missing > 0)
        .map(|c| Row {
            rank: 0,
            unit_name: names.get(&c.unit_id).cloned().unwrap_or_default(),
            unit_id: c.unit_id,
            on_time: n(c.on_time),
            late: n(c.late),
            missing: n(c.missing),
            returned: n(c.returned),
            points: c.on_time * i64::from(weights.on_time)
                - c.late * i64::from(weights.late)
                - c.missing * i64::from(weights.missing)
                - c.returned * i64::from(weights.returned),
        })
        .collect();
    place(&mut rows);
    let ranked = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    let rows = readable(actor, db, rows).await?;
    Ok(Ranking {
        scope,
        weights,
        default_weights,
        computed_at: now,
        as_of: today,
        ranked,
        rows,
    })
}

/// Orders `rows` by the formula and numbers their places from 1.
pub fn place(rows: &mut [Row]) {
    rows.sort_by(order);
    for (place, row) in rows.iter_mut().enumerate() {
        row.rank = u32::try_from(place + 1).unwrap_or(u32::MAX);
    }
}

/// Higher score first (points per counted obligation, compared as integers), then higher
/// on-time rate, then name, then id.
fn order(a: &Row, b: &Row) -> Ordering {
    let (ca, cb) = (i64::from(a.counted()), i64::from(b.counted()));
    (b.points * ca)
        .cmp(&(a.points * cb))
        .then_with(|| (i64::from(b.on_time) * ca).cmp(&(i64::from(a.on_time) * cb)))
        .then_with(|| a.unit_name.cmp(&b.unit_name))
        .then_with(|| a.unit_id.cmp(&b.unit_id))
}

/// The rows `actor` may read.
async fn readable(
    actor: &Principal,
    db: &impl ConnectionTrait,
    rows: Vec<Row>,
) -> AppResult<Vec<Row>> {
    Ok(match &actor.scope {
        Scope::Bureau | Scope::Service => rows,
        Scope::Unit { unit_id } => rows.into_iter().filter(|r| r.unit_id == *unit_id).collect(),
        // Only of a notice it reviews (checked in `rank`).
        Scope::Office { .. } => rows,
        Scope::Leader { leader_id, .. } => {
            let supervised: std::collections::HashSet<i64> = leader_units::Entity::find()
                .filter(leader_units::Column::LeaderId.eq(*leader_id))
                .all(db)
                .await?
                .into_iter()
                .map(|l| l.unit_id)
                .collect();
            rows.into_iter()
                .filter(|r| supervised.contains(&r.unit_id))
                .collect()
        }
    })
}

/// One unit's counts.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
struct UnitCounts {
    unit_id: i64,
    on_time: i64,
    late: i64,
    missing: i64,
    returned: i64,
}

/// The counts of every unit in scope, summed from the units' tally
/// (`tallies::UNIT_OBLIGATIONS`): a few rows per unit and due date, where the obligations are a
/// province's 1.38 million. One statement. Equal to `counted` (`check`).
async fn counts(
    db: &impl ConnectionTrait,
    scope: RankingScope,
    today: NaiveDate,
) -> AppResult<Vec<UnitCounts>> {
    let rows = Alias::new("rows");
    let column = |name: &str| Expr::col((rows.clone(), Alias::new(name)));
    let n: SimpleExpr = column("n").into();
    let outcome = |o: i16| column("outcome").eq(o);
    let mut select = Query::select();
    select
        .expr_as(column("unit_id"), Alias::new("unit_id"))
        .expr_as(weighted(&n, outcome(1)), Alias::new("on_time"))
        .expr_as(weighted(&n, outcome(2)), Alias::new("late"))
        .expr_as(
            weighted(&n, outcome(0).and(column("due_on").lt(today))),
            Alias::new("missing"),
        )
        .expr_as(
            weighted(&n, column("returned").eq(1_i16)),
            Alias::new("returned"),
        )
        .from_subquery(
            crate::tallies::rows(UNIT_OBLIGATIONS, scope.document_id),
            rows.clone(),
        );
    if let Some(from) = scope.due_from {
        select.and_where(column("due_on").gte(from));
    }
    if let Some(to) = scope.due_to {
        select.and_where(column("due_on").lte(to));
    }
    select.group_by_col((rows, Alias::new("unit_id")));
    Ok(
        UnitCounts::find_by_statement(StatementBuilder::build(&select, &db.get_database_backend()))
            .all(db)
            .await?,
    )
}

/// The counts of every unit in scope counted from the obligations' rows and the reviews (not
/// from `was_returned`): one aggregate over all of them, which `check` compares `counts` with.
async fn counted(
    db: &impl ConnectionTrait,
    scope: RankingScope,
    today: NaiveDate,
) -> AppResult<Vec<UnitCounts>> {
    use obligations::Column as O;
    let returned_reports = Alias::new("returned_reports");
    let returned = Query::select()
        .distinct()
        .column(report_reviews::Column::ReportId)
        .from(report_reviews::Entity)
        .and_where(report_reviews::Column::Decision.eq(ReviewDecision::Returned))
        .to_owned();
    let first = Expr::col((obligations::Entity, O::FirstSubmittedOn));
    let due_on = Expr::col((obligations::Entity, O::DueOn));
    let mut query = in_scope(scope);
    QueryTrait::query(&mut query).join_subquery(
        sea_orm::sea_query::JoinType::LeftJoin,
        returned,
        returned_reports.clone(),
        Expr::col((returned_reports.clone(), report_reviews::Column::ReportId))
            .equals((obligations::Entity, O::ReportId)),
    );
    Ok(query
        .select_only()
        .column(O::UnitId)
        .column_as(count_if(first.clone().lte(due_on.clone())), "on_time")
        .column_as(count_if(first.clone().gt(due_on.clone())), "late")
        .column_as(count_if(first.is_null().and(due_on.lt(today))), "missing")
        .column_as(
            count_if(Expr::col((returned_reports, report_reviews::Column::ReportId)).is_not_null()),
            "returned",
        )
        .group_by(O::UnitId)
        .into_model::<UnitCounts>()
        .all(db)
        .await?)
}

/// Where the ranking's counts from the tally differ from those counted from the rows, for the
/// ranking across documents and each document's: each unit whose counts differ, described.
/// Empty when they agree (units whose counts are all zero are not ranked, so they are left out
/// of both). `documents`: every document's id. For tests and an operator
/// (`stats::check_counts`).
pub async fn check(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    documents: &[i64],
) -> AppResult<Vec<String>> {
    let scopes = std::iter::once(None).chain(documents.iter().copied().map(Some));
    let mut differences = Vec::new();
    for document_id in scopes {
        let scope = RankingScope {
            document_id,
            ..RankingScope::default()
        };
        let by_unit = |rows: Vec<UnitCounts>| -> BTreeMap<i64, UnitCounts> {
            rows.into_iter()
                .filter(|c| [c.on_time, c.late, c.missing, c.returned] != [0; 4])
                .map(|c| (c.unit_id, c))
                .collect()
        };
        let kept = by_unit(counts(db, scope, today).await?);
        let rows = by_unit(counted(db, scope, today).await?);
        let units: BTreeSet<i64> = kept.keys().chain(rows.keys()).copied().collect();
        for unit in units {
            let (tallied, counted) = (kept.get(&unit), rows.get(&unit));
            if tallied != counted {
                differences.push(format!(
                    "ranking of document {document_id:?}, unit {unit}: tallied {tallied:?}, \
                     counted {counted:?}"
                ));
            }
        }
    }
    Ok(differences)
}

/// The stored obligations a ranking of `scope` counts from: those of live tasks, of the
/// document, due in the range. The one definition, shared with a notice's evidence
/// (`notices::evidence::collect`), so that the two count alike.
pub fn in_scope(scope: RankingScope) -> Select<obligations::Entity> {
    use obligations::Column as O;
    let mut query = obligations::Entity::find()
        .join(JoinType::InnerJoin, to_task())
        .filter(tasks::Column::DeletedAt.is_null());
    if let Some(id) = scope.document_id {
        query = query.filter(O::DocumentId.eq(id));
    }
    if let Some(from) = scope.due_from {
        query = query.filter(O::DueOn.gte(from));
    }
    if let Some(to) = scope.due_to {
        query = query.filter(O::DueOn.lte(to));
    }
    query
}

/// `obligations.task_id = tasks.id`.
fn to_task() -> RelationDef {
    obligations::Entity::belongs_to(tasks::Entity)
        .from(obligations::Column::TaskId)
        .to(tasks::Column::Id)
        .into()
}
