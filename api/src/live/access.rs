//! Which events a principal hears: the bureau and machine accounts everything; a unit what is
//! addressed to it (its reminders, returns, decisions) and task-wide events on tasks it sees,
//! never another unit's; a leader the events of the tasks they see, the notices naming a unit
//! they supervise and the material asked of them.

use std::collections::HashSet;

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
/// A subscriber that came with an API key keeps that key's scopes, as they are now, and ends
/// once the key is revoked or expires.
pub async fn current(
    db: &sea_orm::DatabaseConnection,
    actor: &Principal,
    now: chrono::DateTime<chrono::Utc>,
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
            let Some(mut principal) = principal_for(db, user, actor.session.clone()).await? else {
                return Ok(None);
            };
            if let Some(grant) = &actor.key {
                match crate::auth::keys::still_valid(db, grant, now).await? {
                    Some(grant) => principal.key = Some(grant),
                    None => return Ok(None),
                }
            }
            Ok(Some(principal))
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
    Ok(audible(actor, db, std::slice::from_ref(event))
        .await?
        .first()
        .copied()
        .unwrap_or(false))
}

/// Which of `events` `actor` may hear, in order: the rule of `may_hear` for a page of events
/// at once (the change feed), in two statements whatever their number.
pub async fn audible(
    actor: &Principal,
    db: &impl ConnectionTrait,
    events: &[events::Model],
) -> AppResult<Vec<bool>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    // Signals (a sign-out, an account's change) are not changes anyone hears.
    let signal = |e: &events::Model| {
        e.kind == crate::events::SESSION_ENDED || e.kind == crate::events::ACCOUNT_CHANGED
    };
    if actor.reads_everything() {
        return Ok(events.iter().map(|e| !signal(e)).collect());
    }
    let notice = crate::events::EventKind::NoticePublished.as_str();
    let material = crate::events::EntityType::MaterialRequest.as_str();
    // A notice naming a unit is told to the leaders who supervise it too.
    let supervised: HashSet<i64> = match &actor.scope {
        Scope::Leader { leader_id, .. }
            if events
                .iter()
                .any(|e| e.kind == notice && e.task_id.is_none() && e.unit_id.is_some()) =>
        {
            entity::leader_units::Entity::find()
                .filter(entity::leader_units::Column::LeaderId.eq(*leader_id))
                .all(db)
                .await?
                .into_iter()
                .map(|l| l.unit_id)
                .collect()
        }
        _ => HashSet::new(),
    };
    let mut task_ids: Vec<i64> = events.iter().filter_map(|e| e.task_id).collect();
    task_ids.sort_unstable();
    task_ids.dedup();
    let visible = if task_ids.is_empty() {
        Default::default()
    } else {
        crate::tasks::query::visible_by_ids(actor, db, &task_ids).await?
    };
    Ok(events
        .iter()
        .map(|event| {
            if signal(event) {
                return false;
            }
            if let (Some(mine), Some(addressed)) = (actor.unit_id(), event.unit_id) {
                return addressed == mine;
            }
            // Leaders' material is told to the leader it is asked of.
            if event.entity_type == material {
                return matches!(&actor.scope, Scope::Leader { leader_id, .. }
                    if crate::materials::service::addressee(&event.payload) == Some(*leader_id));
            }
            if let (Scope::Leader { .. }, Some(unit), None) =
                (&actor.scope, event.unit_id, event.task_id)
                && event.kind == notice
            {
                return supervised.contains(&unit);
            }
            // Registry and other events without a task are the bureau's business.
            event
                .task_id
                .is_some_and(|task_id| visible.contains_key(&task_id))
        })
        .collect())
}
