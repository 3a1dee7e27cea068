//! The working-day calendar's exceptions, kept by the bureau: the holidays the State Council
//! moves onto weekdays and the weekend days it makes up as working days (`calendar::WorkCalendar`
//! counts with them). A window already computed keeps its date: a holiday recorded later moves
//! only the windows opened after it, as a notice's date does not change once sent.

use chrono::{DateTime, NaiveDate, Utc};
use entity::calendar_days;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use crate::audit::action::Private;
use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::validation::{NAME_MAX, optional_text};

/// At most this many days in one call: a year's arrangement is a few dozen.
pub const MAX_DAYS: usize = 400;

/// One day to record: `working` true (a make-up working day), false (a holiday), or `None` to
/// remove the exception and let the weekday decide again.
#[derive(Debug, Clone)]
pub struct DayChange {
    pub day: NaiveDate,
    pub working: Option<bool>,
    pub note: Option<String>,
}

/// Records exceptions (BUREAU), in one transaction with one audit row.
pub async fn set_days(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    days: Vec<DayChange>,
) -> AppResult<Vec<calendar_days::Model>> {
    actor.require_bureau()?;
    if days.is_empty() || days.len() > MAX_DAYS {
        return Err(AppError::bad_field(
            "days",
            format!("give between 1 and {MAX_DAYS} days"),
        ));
    }
    let mut rows = Vec::new();
    let mut removed = Vec::new();
    for (i, change) in days.iter().enumerate() {
        let note = optional_text(&format!("days[{i}].note"), change.note.as_deref(), NAME_MAX)?;
        match change.working {
            Some(working) => rows.push(calendar_days::ActiveModel {
                day: Set(change.day),
                working: Set(working),
                note: Set(note),
                updated_at: Set(now),
            }),
            None => removed.push(change.day),
        }
    }
    let txn = db.begin().await?;
    if !removed.is_empty() {
        calendar_days::Entity::delete_many()
            .filter(calendar_days::Column::Day.is_in(removed))
            .exec(&txn)
            .await?;
    }
    for row in rows {
        calendar_days::Entity::insert(row)
            .on_conflict(
                OnConflict::column(calendar_days::Column::Day)
                    .update_columns([
                        calendar_days::Column::Working,
                        calendar_days::Column::Note,
                        calendar_days::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    let summary: Vec<_> = days
        .iter()
        .map(|d| serde_json::json!({ "day": d.day, "working": d.working, "note": d.note }))
        .collect();
    audit::record(
        &txn,
        actor,
        now,
        Change::after(Private::CalendarSet, EntityType::Document, None, &summary),
    )
    .await?;
    let (first, last) = days
        .iter()
        .fold((NaiveDate::MAX, NaiveDate::MIN), |(lo, hi), d| {
            (lo.min(d.day), hi.max(d.day))
        });
    let stored = between(&txn, first, last).await?;
    txn.commit().await?;
    Ok(stored)
}

/// The exceptions recorded from `from` to `to`, in date order (anyone signed in reads them).
pub async fn between(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<calendar_days::Model>> {
    Ok(calendar_days::Entity::find()
        .filter(calendar_days::Column::Day.between(from, to))
        .order_by_asc(calendar_days::Column::Day)
        .all(db)
        .await?)
}
