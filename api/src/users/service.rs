//! Business rules of user accounts.
//!
//! A UNIT user belongs to exactly one unit, a LEADER user is exactly one leader, BUREAU and
//! SERVICE users belong to neither. At least one active BUREAU user always remains, so the
//! bureau cannot lock itself out. Password hashes never leave this module's callers: the model
//! is serialised for audit without them, and no GraphQL type exposes them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::enums::{Role, UnitPost};
use entity::{leaders, refresh_tokens, units, users};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::service::Private;
use crate::audit::service::{self as audit, Change};
use crate::auth::{Principal, password};
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::pagination::{Page, PageRequest};
use crate::users::names;
use crate::validation::{NAME_MAX, required_text};

/// A new account.
#[derive(Debug)]
pub struct NewUser {
    pub username: String,
    pub display_name: Option<String>,
    pub password: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub leader_id: Option<i64>,
    pub scopes: Vec<String>,
    /// A unit account's post (its clerk or its head), for the unit's own sign-off.
    pub unit_post: Option<UnitPost>,
}

/// Changes to an account; `Some(None)` clears a link.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub unit_id: Option<Option<i64>>,
    pub leader_id: Option<Option<i64>>,
    pub unit_post: Option<Option<UnitPost>>,
    pub is_active: Option<bool>,
    /// Sets a new password (a reset by the bureau) and signs the user out everywhere.
    pub password: Option<String>,
    /// Clears a lockout after failed sign-ins.
    pub unlock: bool,
    pub scopes: Option<Vec<String>>,
}

/// How to list accounts.
#[derive(Debug, Default)]
pub struct UserSearch {
    pub role: Option<Role>,
    pub unit_id: Option<i64>,
    pub text: Option<String>,
}

/// Lists accounts. Bureau only.
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    search: UserSearch,
    page: PageRequest,
) -> AppResult<Page<users::Model>> {
    actor.require_bureau()?;
    let mut query = users::Entity::find();
    if let Some(role) = search.role {
        query = query.filter(users::Column::Role.eq(role));
    }
    if let Some(unit_id) = search.unit_id {
        query = query.filter(users::Column::UnitId.eq(unit_id));
    }
    if let Some(text) = search
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        query = query.filter(
            sea_orm::Condition::any()
                .add(users::Column::Username.contains(text))
                .add(users::Column::DisplayName.contains(text)),
        );
    }
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_asc(users::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

/// One account: the bureau reads any, everyone else only their own.
pub async fn get(actor: &Principal, db: &impl ConnectionTrait, id: i64) -> AppResult<users::Model> {
    if !actor.is_bureau() && actor.user_id != Some(id) {
        return Err(AppError::not_found("user"));
    }
    users::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("user"))
}

/// The accounts among `ids` that `actor` may read (as `get`: the bureau any, others their own),
/// for `nodes`.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, users::Model>> {
    let ids: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|&id| actor.is_bureau() || actor.user_id == Some(id))
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    by_ids(db, &ids).await
}

/// Accounts by id, for DataLoaders (audit entries name their actor).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|user| (user.id, user))
        .collect())
}

fn validate_username(username: &str) -> AppResult<String> {
    let username = required_text("username", username, 64)?;
    if username.chars().count() < 3 {
        return Err(AppError::bad_field(
            "username",
            "must be at least 3 characters",
        ));
    }
    if username.chars().any(char::is_whitespace) {
        return Err(AppError::bad_field("username", "must not contain spaces"));
    }
    Ok(username)
}

fn validate_scopes(scopes: &[String]) -> AppResult<Vec<String>> {
    scopes
        .iter()
        .map(|scope| {
            let scope = required_text("scopes", scope, 64)?;
            if scope
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-' | '.'))
            {
                Ok(scope)
            } else {
                Err(AppError::bad_field(
                    "scopes",
                    format!("`{scope}` is not a valid scope name"),
                ))
            }
        })
        .collect()
}

/// Checks that role and links fit together and that the linked rows exist.
/// A post belongs to a unit's account only.
fn unit_post(role: Role, post: Option<UnitPost>) -> AppResult<Option<UnitPost>> {
    match (role, post) {
        (Role::Unit, post) => Ok(post),
        (_, None) => Ok(None),
        (_, Some(_)) => Err(AppError::bad_field(
            "unitPost",
            "only a UNIT account has a post in its unit",
        )),
    }
}

async fn check_links(
    db: &impl ConnectionTrait,
    role: Role,
    unit_id: Option<i64>,
    leader_id: Option<i64>,
) -> AppResult<()> {
    match (role, unit_id, leader_id) {
        (Role::Unit | Role::Office, Some(unit_id), None) => {
            let unit = units::Entity::find_by_id(unit_id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::bad_field("unitId", "no such unit"))?;
            if unit.merged_into_id.is_some() {
                return Err(AppError::bad_field(
                    "unitId",
                    "the unit has been merged into another",
                ));
            }
            Ok(())
        }
        (Role::Unit, _, _) => Err(AppError::bad_field(
            "unitId",
            "a UNIT user needs a unit and no leader",
        )),
        (Role::Office, _, _) => Err(AppError::bad_field(
            "unitId",
            "an OFFICE user needs its office (a unit) and no leader",
        )),
        (Role::Leader, None, Some(leader_id)) => {
            leaders::Entity::find_by_id(leader_id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::bad_field("leaderId", "no such leader"))?;
            Ok(())
        }
        (Role::Leader, _, _) => Err(AppError::bad_field(
            "leaderId",
            "a LEADER user needs a leader and no unit",
        )),
        (Role::Bureau | Role::Service, None, None) => Ok(()),
        (Role::Bureau | Role::Service, _, _) => Err(AppError::bad_field(
            "role",
            "BUREAU and SERVICE users belong to no unit or leader",
        )),
    }
}

/// Creates an account. Bureau only (or the system, for the first admin and the CLI).
pub async fn create(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewUser,
) -> AppResult<users::Model> {
    actor.require_bureau()?;
    let username = validate_username(&input.username)?;
    let display_name = match &input.display_name {
        Some(name) => required_text("displayName", name, NAME_MAX)?,
        None => username.clone(),
    };
    password::validate_new_password("password", &input.password, &username)?;
    let scopes = validate_scopes(&input.scopes)?;
    let key = names::key(&username);
    check_links(db, input.role, input.unit_id, input.leader_id).await?;
    let hash = password::hash(input.password).await?;
    let txn = db.begin().await?;
    let taken = users::Entity::find()
        .filter(
            Condition::any()
                .add(users::Column::Username.eq(&username))
                .add(users::Column::UsernameKey.eq(&key)),
        )
        .one(&txn)
        .await?;
    if let Some(taken) = taken {
        return Err(AppError::conflict(format!(
            "username: `{username}` is taken (it reads as `{}`)",
            taken.username
        )));
    }
    let user = users::ActiveModel {
        username: Set(username),
        username_key: Set(Some(key)),
        session_epoch: Set(0),
        display_name: Set(display_name),
        role: Set(input.role),
        unit_id: Set(input.unit_id),
        leader_id: Set(input.leader_id),
        unit_post: Set(unit_post(input.role, input.unit_post)?),
        password_hash: Set(hash),
        is_active: Set(true),
        failed_login_count: Set(0),
        locked_until: Set(None),
        scopes: Set(serde_json::json!(scopes)),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::after(Private::UserCreate, EntityType::User, Some(user.id), &user),
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

/// Changes an account. Bureau only.
pub async fn update(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    changes: UserChanges,
) -> AppResult<users::Model> {
    actor.require_bureau()?;
    if let Some(new_password) = &changes.password {
        // Read outside the transaction only to judge the password against the name (which an
        // update does not change); the hash is computed before the transaction opens.
        let user = get(actor, db, id).await?;
        password::validate_new_password("password", new_password, &user.username)?;
    }
    let new_hash = match changes.password.clone() {
        Some(new_password) => Some(password::hash(new_password).await?),
        None => None,
    };
    let txn = db.begin().await?;
    let before = get(actor, &txn, id).await?;
    let role = changes.role.unwrap_or(before.role);
    let unit_id = changes.unit_id.unwrap_or(before.unit_id);
    let leader_id = changes.leader_id.unwrap_or(before.leader_id);
    check_links(&txn, role, unit_id, leader_id).await?;
    let is_active = changes.is_active.unwrap_or(before.is_active);
    if before.role == Role::Bureau && before.is_active && (role != Role::Bureau || !is_active) {
        let other_bureau = users::Entity::find()
            .filter(users::Column::Role.eq(Role::Bureau))
            .filter(users::Column::IsActive.eq(true))
            .filter(users::Column::Id.ne(id))
            .count(&txn)
            .await?;
        if other_bureau == 0 {
            return Err(AppError::conflict(
                "this is the last active BUREAU user; create another before demoting or deactivating it",
            ));
        }
    }
    let mut active = before.clone().into_active_model();
    if let Some(name) = &changes.display_name {
        active.display_name = Set(required_text("displayName", name, NAME_MAX)?);
    }
    if let Some(scopes) = &changes.scopes {
        active.scopes = Set(serde_json::json!(validate_scopes(scopes)?));
    }
    active.role = Set(role);
    active.unit_post = Set(unit_post(
        role,
        changes.unit_post.unwrap_or(before.unit_post),
    )?);
    active.unit_id = Set(unit_id);
    active.leader_id = Set(leader_id);
    active.is_active = Set(is_active);
    if changes.unlock {
        active.failed_login_count = Set(0);
        active.locked_until = Set(None);
    }
    let sign_out = new_hash.is_some() || !is_active;
    if let Some(hash) = new_hash {
        active.password_hash = Set(hash);
    }
    active.updated_at = Set(now);
    let after = active.update(&txn).await?;
    if sign_out {
        refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
            .filter(refresh_tokens::Column::UserId.eq(id))
            .filter(refresh_tokens::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            Private::UserUpdate,
            EntityType::User,
            Some(id),
            &before,
            &serde_json::json!({
                "user": after,
                "passwordReset": changes.password.is_some(),
            }),
        ),
    )
    .await?;
    // Its principal, cached on any instance, is read again.
    crate::events::account_changed(&txn, now, id).await?;
    txn.commit().await?;
    Ok(after)
}

/// On first start, when no user exists, creates `admin` (BUREAU). Returns the generated
/// password when none was configured, so the caller can show it once.
pub async fn bootstrap_admin(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    configured_password: Option<String>,
) -> AppResult<Option<String>> {
    if users::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    let generated = configured_password.is_none();
    let password = configured_password.unwrap_or_else(password::generate);
    create(
        &Principal::system(),
        db,
        now,
        NewUser {
            username: "admin".to_owned(),
            display_name: Some("督查局管理员".to_owned()),
            password: password.clone(),
            role: Role::Bureau,
            unit_id: None,
            leader_id: None,
            scopes: Vec::new(),
            unit_post: None,
        },
    )
    .await?;
    Ok(generated.then_some(password))
}

/// Gives every account without a username key its key (accounts created before keys existed),
/// at start. An account whose key another already has keeps none, with a warning: it signs in
/// by its exact name, and the bureau should rename or deactivate one of the two.
pub async fn fill_username_keys(db: &DatabaseConnection) -> AppResult<u32> {
    let missing = users::Entity::find()
        .filter(users::Column::UsernameKey.is_null())
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?;
    let mut filled = 0;
    for user in missing {
        let key = names::key(&user.username);
        let updated = users::Entity::update_many()
            .col_expr(users::Column::UsernameKey, Expr::value(Some(key)))
            .filter(users::Column::Id.eq(user.id))
            .exec(db)
            .await;
        match updated.map_err(AppError::from) {
            Ok(_) => filled += 1,
            Err(AppError::Duplicate) => tracing::warn!(
                username = %user.username,
                "another account's name reads the same; this one keeps signing in by its exact name"
            ),
            Err(other) => return Err(other),
        }
    }
    Ok(filled)
}
