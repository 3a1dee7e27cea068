//! Which events a principal hears: the bureau and machine accounts everything; a unit what is
//! addressed to it (its reminders, returns, decisions) and task-wide events on tasks it sees,
//! never another unit's; a leader the events of the tasks they see, and the notices naming a
//! unit they supervise.

use entity::events;
use sea_orm::ConnectionTrait;

use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::error::AppResult;

/// The subscriber as the users table says now: `None` once the account is gone or deactivated,
/// its session was signed out, or all its sessions were (a new password, or
/// `logout(allSessions: true)`).
/// A subscription outlives the access token it started with, so it is checked again from time
/// to time (see `schema`), and a changed role, unit or post applies to what it hears next.
pub async fn current(
    db: &sea_orm::DatabaseConnection,
    actor: &Principal,
) -> AppResult<Option<Principal>> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{EntityTrait, QueryFilter};

    use crate::auth::principal::{principal_for, signed_out};

    let Some(user_id) = actor.user_id else {
        return Ok(Some(actor.clone()));
    };
    let mut account = entity::users::Entity::find_by_id(user_id);
    if let Some(session) = &actor.session {
        account = account.filter(Expr::exists(signed_out(session)).not());
    }
    match account.one(db).await? {
        Some(user) if user.is_active && user.session_epoch == actor.session_epoch => {
            principal_for(db, user, actor.session.clone()).await
        }
        _ => Ok(None),
    }
}

/// Whether `actor` may hear `event`.
pub async fn may_hear(
    actor: &Principal,
    db: &impl ConnectionTrait,
    event: &events::Model,
) -> AppResult<bool> {
    if actor.reads_everything() {
        return Ok(true);
    }
    if let (Some(mine), Some(addressed)) = (actor.unit_id(), event.unit_id) {
        return Ok(addressed == mine);
    }
    // A notice naming a unit is told to the leaders who supervise it too.
    if let (Scope::Leader { leader_id, .. }, Some(unit), None) =
        (&actor.scope, event.unit_id, event.task_id)
        && event.kind == crate::events::EventKind::NoticePublished.as_str()
    {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let supervises = entity::leader_units::Entity::find()
            .filter(entity::leader_units::Column::LeaderId.eq(*leader_id))
            .filter(entity::leader_units::Column::UnitId.eq(unit))
            .count(db)
            .await?;
        return Ok(supervises > 0);
    }
    match event.task_id {
        Some(task_id) => Ok(crate::tasks::query::visible_by_ids(actor, db, &[task_id])
            .await?
            .contains_key(&task_id)),
        // Registry and other events without a task are the bureau's business.
        None => Ok(false),
    }
}
