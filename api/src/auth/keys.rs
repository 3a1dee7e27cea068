//! API keys of machine accounts (SERVICE users), created by the bureau for another government
//! system: shown once (`duban_<prefix>_<secret>`), kept as a SHA-256 (the secret is random,
//! 190 bits: nothing to brute-force, unlike a password), found by `prefix`, with scopes
//! (`auth::scopes`) that never exceed the account's, an expiry, the time of last use, and a
//! revocation that applies to the next request. A key of a deactivated account is refused.
//! Creating and revoking keys is audited on the account (`api_key.create`, `api_key.revoke`);
//! nobody else is told.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use entity::enums::Role;
use entity::{api_keys, users};
use rand::Rng;
use rand::distr::Alphanumeric;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use subtle::ConstantTimeEq;

use crate::audit::action::Private;
use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::auth::principal::principal_for;
use crate::auth::scopes::{ApiScope, KeyGrant};
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::validation::{NAME_MAX, required_text};

/// What every key starts with, so that a key is told from an access token at a glance.
pub const KEY_START: &str = "duban_";

/// Characters of the prefix (stored, shown) and of the secret (hashed).
const PREFIX_LEN: usize = 10;
const SECRET_LEN: usize = 32;

/// How often the time of last use is written at most, per key: a write per request would
/// make every read a write.
const LAST_USE_EVERY: Duration = Duration::seconds(60);

/// A new key's settings.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub user_id: i64,
    pub name: String,
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The units the key may report for; it needs `reports:write`.
    pub unit_ids: Vec<i64>,
}

/// The scopes written as strings, checked: each known, none twice.
pub fn parse_scopes(field: &str, written: &[String]) -> AppResult<BTreeSet<ApiScope>> {
    let mut scopes = BTreeSet::new();
    for scope in written {
        let parsed = ApiScope::parse(scope.trim()).ok_or_else(|| {
            AppError::bad_field(
                field,
                format!(
                    "`{scope}` is not a scope (one of {})",
                    ApiScope::ALL.map(ApiScope::as_str).join(", ")
                ),
            )
        })?;
        scopes.insert(parsed);
    }
    Ok(scopes)
}

/// The scopes stored as JSON, as a set (unknown ones, from a newer version, left out).
fn stored_scopes(json: &serde_json::Value) -> BTreeSet<ApiScope> {
    json.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().and_then(ApiScope::parse))
        .collect()
}

fn scopes_json(scopes: &BTreeSet<ApiScope>) -> serde_json::Value {
    serde_json::json!(scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>())
}

fn hash(key: &str) -> String {
    crate::auth::tokens::hash_refresh_token(key)
}

/// Creates a key for a SERVICE account (BUREAU): returns it with the key itself, which is
/// shown this once. Its scopes must be among the account's.
pub async fn create(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewKey,
) -> AppResult<(api_keys::Model, String)> {
    actor.require_bureau()?;
    let name = required_text("name", &input.name, NAME_MAX)?;
    let scopes = parse_scopes("scopes", &input.scopes)?;
    if scopes.is_empty() {
        return Err(AppError::bad_field("scopes", "give at least one scope"));
    }
    if input.expires_at.is_some_and(|at| at <= now) {
        return Err(AppError::bad_field("expiresAt", "is in the past"));
    }
    let txn = db.begin().await?;
    let account = users::Entity::find_by_id(input.user_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    if account.role != Role::Service {
        return Err(AppError::bad_field(
            "userId",
            "API keys are for machine accounts (role SERVICE)",
        ));
    }
    let allowed = stored_scopes(&account.scopes);
    if let Some(beyond) = scopes
        .iter()
        .find(|s| !allowed.contains(s) && !allowed.contains(&ApiScope::Admin))
    {
        return Err(AppError::bad_field(
            "scopes",
            format!(
                "`{}` is not among the account's scopes; a key never gets more than its account",
                beyond.as_str()
            ),
        ));
    }
    let units: BTreeSet<i64> = input.unit_ids.iter().copied().collect();
    if !units.is_empty() {
        if !scopes.contains(&ApiScope::ReportsWrite) {
            return Err(AppError::bad_field(
                "unitIds",
                "a key reports for units only with `reports:write`",
            ));
        }
        let found = entity::units::Entity::find()
            .filter(entity::units::Column::Id.is_in(units.iter().copied()))
            .all(&txn)
            .await?
            .len();
        if found != units.len() {
            return Err(AppError::bad_field(
                "unitIds",
                "names a unit that does not exist",
            ));
        }
    }
    let (prefix, secret) = {
        let mut rng = rand::rng();
        let mut draw = |n: usize| -> String {
            (&mut rng)
                .sample_iter(&Alphanumeric)
                .take(n)
                .map(char::from)
                .collect()
        };
        (draw(PREFIX_LEN), draw(SECRET_LEN))
    };
    let key = format!("{KEY_START}{prefix}_{secret}");
    let stored = api_keys::ActiveModel {
        user_id: Set(account.id),
        name: Set(name),
        prefix: Set(prefix),
        secret_hash: Set(hash(&key)),
        scopes: Set(scopes_json(&scopes)),
        expires_at: Set(input.expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        unit_ids: Set((!units.is_empty()).then(|| serde_json::json!(units))),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            Private::ApiKeyCreate,
            EntityType::User,
            Some(account.id),
            &stored,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok((stored, key))
}

/// Revokes a key at once (BUREAU): the next request with it is refused.
pub async fn revoke(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    prefix: &str,
) -> AppResult<api_keys::Model> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let before = api_keys::Entity::find()
        .filter(api_keys::Column::Prefix.eq(prefix.trim()))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("API key"))?;
    if before.revoked_at.is_some() {
        return Ok(before);
    }
    let mut row: api_keys::ActiveModel = before.clone().into();
    row.revoked_at = Set(Some(now));
    let after = row.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            Private::ApiKeyRevoke,
            EntityType::User,
            Some(before.user_id),
            &before,
            &after,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// The keys of an account, newest first (BUREAU).
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    user_id: i64,
) -> AppResult<Vec<api_keys::Model>> {
    actor.require_bureau()?;
    Ok(api_keys::Entity::find()
        .filter(api_keys::Column::UserId.eq(user_id))
        .order_by_desc(api_keys::Column::CreatedAt)
        .order_by_desc(api_keys::Column::Id)
        .all(db)
        .await?)
}

/// The principal of a request that sent `token`: `None` when it is not an API key at all (an
/// access token, then); `Some(Err(reason))` for a key that is refused.
pub async fn authenticate(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<Result<Principal, String>>> {
    let Some(rest) = token.strip_prefix(KEY_START) else {
        return Ok(None);
    };
    let refused = |reason: &str| Ok(Some(Err(reason.to_owned())));
    let Some((prefix, _)) = rest.split_once('_') else {
        return refused("this API key is malformed");
    };
    let Some(key) = api_keys::Entity::find()
        .filter(api_keys::Column::Prefix.eq(prefix))
        .one(db)
        .await?
    else {
        return refused("this API key is not known");
    };
    // The prefix found the row; the whole key must match its hash.
    if !bool::from(hash(token).as_bytes().ct_eq(key.secret_hash.as_bytes())) {
        return refused("this API key is not known");
    }
    match grant(db, &key, now).await? {
        Ok((user, grant)) => Ok(Some(match principal_for(db, user, None).await? {
            Some(mut principal) => {
                principal.key = Some(grant);
                touch(db, &key, now).await?;
                Ok(principal)
            }
            None => Err("the key's account is not usable".to_owned()),
        })),
        Err(reason) => Ok(Some(Err(reason))),
    }
}

/// Whether `key` may be used now, and with which scopes: its own within its account's as they
/// are now. Also what a long-running subscription rechecks.
pub async fn grant(
    db: &impl ConnectionTrait,
    key: &api_keys::Model,
    now: DateTime<Utc>,
) -> AppResult<Result<(users::Model, KeyGrant), String>> {
    if key.revoked_at.is_some() {
        return Ok(Err("this API key was revoked".to_owned()));
    }
    if key.expires_at.is_some_and(|at| at <= now) {
        return Ok(Err("this API key has expired".to_owned()));
    }
    let Some(user) = users::Entity::find_by_id(key.user_id).one(db).await? else {
        return Ok(Err("the key's account no longer exists".to_owned()));
    };
    if !user.is_active {
        return Ok(Err("the key's account is deactivated".to_owned()));
    }
    let account = stored_scopes(&user.scopes);
    let scopes: BTreeSet<ApiScope> = stored_scopes(&key.scopes)
        .into_iter()
        .filter(|s| account.contains(s) || account.contains(&ApiScope::Admin))
        .collect();
    let units = key
        .unit_ids
        .as_ref()
        .and_then(|json| serde_json::from_value(json.clone()).ok())
        .unwrap_or_default();
    Ok(Ok((
        user,
        KeyGrant {
            key_id: key.id,
            scopes,
            units,
        },
    )))
}

/// The key of a principal's grant as it is now, for a subscription's recheck.
pub async fn still_valid(
    db: &impl ConnectionTrait,
    grant: &KeyGrant,
    now: DateTime<Utc>,
) -> AppResult<Option<KeyGrant>> {
    let Some(key) = api_keys::Entity::find_by_id(grant.key_id).one(db).await? else {
        return Ok(None);
    };
    Ok(self::grant(db, &key, now)
        .await?
        .ok()
        .map(|(_, grant)| grant))
}

/// Records the use, at most once a `LAST_USE_EVERY` per key (a conditional update: several
/// instances write it once between them).
async fn touch(
    db: &impl ConnectionTrait,
    key: &api_keys::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if key.last_used_at.is_some_and(|at| now - at < LAST_USE_EVERY) {
        return Ok(());
    }
    api_keys::Entity::update_many()
        .col_expr(api_keys::Column::LastUsedAt, Expr::value(now))
        .filter(api_keys::Column::Id.eq(key.id))
        .filter(
            Condition::any()
                .add(api_keys::Column::LastUsedAt.is_null())
                .add(api_keys::Column::LastUsedAt.lt(now - LAST_USE_EVERY)),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The principal a key's request acts as when it writes a report on behalf of `unit_id`: that
/// unit, as the machine account (so the report records who sent it), if the key carries
/// `reports:write` and names the unit; FORBIDDEN otherwise. Anyone else may not act for a unit.
pub fn on_behalf_of(actor: &Principal, unit_id: i64) -> AppResult<Principal> {
    let Some(grant) = &actor.key else {
        return Err(AppError::forbidden(
            "only an API key named for the unit may report on its behalf",
        ));
    };
    actor.require_scope(ApiScope::ReportsWrite)?;
    if !grant.units.contains(&unit_id) {
        return Err(AppError::forbidden(
            "this API key may not report for that unit",
        ));
    }
    Ok(Principal {
        scope: crate::auth::principal::Scope::Unit { unit_id },
        ..actor.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked_and_compared_exactly() {
        let parsed = parse_scopes("scopes", &["tasks:read".into(), "events:read".into()]).unwrap();
        assert_eq!(parsed, [ApiScope::TasksRead, ApiScope::EventsRead].into());
        assert!(parse_scopes("scopes", &["tasks:write".into()]).is_err());
        assert_eq!(stored_scopes(&scopes_json(&parsed)), parsed);
    }
}
