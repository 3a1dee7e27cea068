//! A PROPOSAL document's satisfaction figures (满意率): of its motions the caller may see, how
//! many are replied, rated 满意 or 基本满意, sent back as 不满意 (rounds), and overdue for a
//! reply; the rate against the notice's target. A document holds a few hundred motions at most,
//! read in two statements and counted here.

use chrono::{DateTime, Utc};
use entity::enums::{DocumentKind, Rating};
use entity::{proposal_replies, task_proposals, tasks};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::auth::Principal;
use crate::deadline::today_in_china;
use crate::error::{AppError, AppResult};

/// The figures of one document's motions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SatisfactionFigures {
    pub motions: u64,
    /// Replied in the current round.
    pub replied: u64,
    /// Rated 满意 (the current round's rating).
    pub satisfied: u64,
    /// Rated 基本满意.
    pub basically_satisfied: u64,
    /// Replies rated 不满意, over every round (each opened another round).
    pub dissatisfied_rounds: u64,
    /// The current round's reply deadline has passed without a reply.
    pub overdue_replies: u64,
    /// (满意 + 基本满意) ÷ motions: a motion not yet rated counts against it. `None` without
    /// motions.
    pub satisfaction_rate: Option<f64>,
    /// The notice's target, in percent.
    pub target: i32,
}

impl SatisfactionFigures {
    /// Whether the rate reaches the target.
    pub fn meets_target(&self) -> Option<bool> {
        self.satisfaction_rate
            .map(|rate| rate * 100.0 + 1e-9 >= f64::from(self.target))
    }
}

/// The figures of `document_id`'s motions that `actor` may see.
pub async fn of_document(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    document_id: i64,
) -> AppResult<SatisfactionFigures> {
    let document = crate::documents::service::get(actor, db, document_id)
        .await
        .map_err(|_| AppError::bad_field("documentId", "no such document"))?;
    if document.kind != DocumentKind::Proposal {
        return Err(AppError::bad_field(
            "documentId",
            "satisfaction is counted for PROPOSAL documents",
        ));
    }
    let of_document = Query::select()
        .column(tasks::Column::Id)
        .from(tasks::Entity)
        .and_where(tasks::Column::DocumentId.eq(document_id))
        .and_where(tasks::Column::DeletedAt.is_null())
        .to_owned();
    let motions = task_proposals::Entity::find()
        .filter(task_proposals::Column::TaskId.in_subquery(of_document))
        .filter(task_proposals::Column::TaskId.in_subquery(crate::tasks::query::visible_ids(actor)))
        .all(db)
        .await?;
    let ids: Vec<i64> = motions.iter().map(|m| m.task_id).collect();
    let dissatisfied_rounds = if ids.is_empty() {
        0
    } else {
        use sea_orm::PaginatorTrait;
        proposal_replies::Entity::find()
            .filter(proposal_replies::Column::TaskId.is_in(ids))
            .filter(proposal_replies::Column::Rating.eq(Rating::Dissatisfied))
            .count(db)
            .await?
    };
    let today = today_in_china(now);
    let count =
        |f: &dyn Fn(&task_proposals::Model) -> bool| motions.iter().filter(|m| f(m)).count() as u64;
    let satisfied = count(&|m| m.rating == Some(Rating::Satisfied));
    let basically_satisfied = count(&|m| m.rating == Some(Rating::BasicallySatisfied));
    let total = motions.len() as u64;
    Ok(SatisfactionFigures {
        motions: total,
        replied: count(&|m| m.replied_on.is_some()),
        satisfied,
        basically_satisfied,
        dissatisfied_rounds,
        overdue_replies: count(&|m| {
            m.replied_on.is_none() && m.reply_deadline.is_some_and(|d| d < today)
        }),
        satisfaction_rate: (total > 0)
            .then(|| (satisfied + basically_satisfied) as f64 / total as f64),
        target: document.satisfaction_target,
    })
}
