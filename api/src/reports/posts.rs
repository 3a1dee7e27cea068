//! Who in a unit may submit its reports: anyone, unless the unit signs its reports off
//! (`units.signoff_required`), when only its head (`users.unit_post = HEAD`) does and its clerks
//! put their drafts to the head (`reports::signoff`). Read by `submit` and `signoff` both.

use entity::enums::UnitPost;
use entity::{units, users};
use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, QuerySelect};

use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::error::{AppError, AppResult};

/// Whether the unit requires its head's sign-off, and the acting account's post.
pub async fn unit_rule(
    db: &impl ConnectionTrait,
    actor: &Principal,
    unit_id: i64,
) -> AppResult<(bool, Option<UnitPost>)> {
    let required: bool = units::Entity::find_by_id(unit_id)
        .select_only()
        .column(units::Column::SignoffRequired)
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or(false);
    if !required {
        return Ok((false, None));
    }
    let post: Option<Option<UnitPost>> = match actor.user_id {
        Some(id) => {
            users::Entity::find_by_id(id)
                .select_only()
                .column(users::Column::UnitPost)
                .into_tuple()
                .one(db)
                .await?
        }
        None => None,
    };
    Ok((true, post.flatten()))
}

/// Refuses a direct submission by anyone but the head of a unit that signs its reports off.
/// One statement for a unit's account (the unit's rule), two in a unit that signs off.
pub async fn ensure_may_submit(
    actor: &Principal,
    txn: &DatabaseTransaction,
    unit_id: i64,
) -> AppResult<()> {
    // Another system's key reporting for a unit answers for itself (`keys::on_behalf_of`).
    if actor.key.is_some() || !matches!(actor.scope, Scope::Unit { .. }) {
        return Ok(());
    }
    match unit_rule(txn, actor, unit_id).await? {
        (true, post) if post != Some(UnitPost::Head) => Err(AppError::forbidden(
            "the unit's head signs its reports off: put the report to the head (submitForSignoff)",
        )),
        _ => Ok(()),
    }
}
