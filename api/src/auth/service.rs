//! Sign-in, token rotation, sign-out and password change.
//!
//! Rules: an unknown user, a wrong password and a deactivated account all get the same answer,
//! so the answer does not reveal which accounts exist. Sign-ins are throttled per client address
//! and per username and address (`throttle`); no account is ever locked, so nobody can lock its
//! owner out. A refresh token is spent by use; presenting a spent one again
//! means it was copied, so the whole family (every token descended from the same sign-in) is
//! revoked.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use entity::{refresh_tokens, users};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use crate::audit::service::Private;
use crate::audit::service::{self as audit, Change};
use crate::auth::password;
use crate::auth::principal::Principal;
use crate::auth::throttle::Throttle;
use crate::auth::tokens::{TokenKeys, hash_refresh_token, new_refresh_token};
use crate::error::{AppError, AppResult};
use crate::events::{self, EntityType, SessionsEnded};

const INVALID_CREDENTIALS: &str = "invalid username or password";

/// What a successful sign-in or refresh hands the client.
#[derive(Debug)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: users::Model,
}

fn unauthenticated(message: &str) -> AppError {
    AppError::Unauthenticated(message.to_owned())
}

/// Signs a user in with username and password, from `address` (throttled there: see
/// `throttle`).
pub async fn login(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    throttle: &Throttle,
    address: IpAddr,
    now: DateTime<Utc>,
    username: &str,
    password_given: &str,
) -> AppResult<Session> {
    throttle.admit(username, address, now)?;
    // By the name's key (so `Admin` and `ＡＤＭＩＮ` are `admin`), else by the exact name (an old
    // account whose key collided keeps none).
    let user = users::Entity::find()
        .filter(
            Condition::any()
                .add(users::Column::UsernameKey.eq(crate::users::names::key(username)))
                .add(users::Column::Username.eq(username.trim())),
        )
        .order_by_asc(users::Column::Id)
        .one(db)
        .await?;
    // Verify even when the user is unknown, so that both cases take the same time.
    let verified = password::verify(
        password_given.to_owned(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let user = match user {
        Some(user) if verified && user.is_active => user,
        // A failure writes nothing to the database, whether or not the account exists.
        _ => {
            throttle.failed(username, address, now)?;
            return Err(unauthenticated(INVALID_CREDENTIALS));
        }
    };
    throttle.succeeded(username, address)?;

    let txn = db.begin().await?;
    let mut active = user.clone().into_active_model();
    active.last_login_at = Set(Some(now));
    let user = active.update(&txn).await?;
    let session = start_session(&txn, keys, now, user, uuid::Uuid::new_v4().to_string()).await?;
    audit::record(
        &txn,
        &session.user,
        now,
        Change::event(Private::AuthLogin, EntityType::User, Some(session.user.id)),
    )
    .await?;
    txn.commit().await?;
    Ok(session)
}

/// Stores a new refresh token in `family` and signs an access token.
async fn start_session(
    db: &impl ConnectionTrait,
    keys: &TokenKeys,
    now: DateTime<Utc>,
    user: users::Model,
    family: String,
) -> AppResult<Session> {
    let (refresh_token, token_hash) = new_refresh_token();
    refresh_tokens::ActiveModel {
        user_id: Set(user.id),
        token_hash: Set(token_hash),
        family_id: Set(family.clone()),
        issued_at: Set(now),
        expires_at: Set(keys.refresh_expiry(now)?),
        used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let (access_token, expires_at) = keys.issue_access(&user, &family, now)?;
    Ok(Session {
        access_token,
        refresh_token,
        expires_at,
        user,
    })
}

/// Exchanges a refresh token for a new pair. The presented token is spent.
pub async fn refresh(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    now: DateTime<Utc>,
    token: &str,
) -> AppResult<Session> {
    let txn = db.begin().await?;
    let Some(stored) = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(hash_refresh_token(token.trim())))
        .one(&txn)
        .await?
    else {
        return Err(unauthenticated("the refresh token is not valid"));
    };
    if stored.revoked_at.is_some() {
        return Err(unauthenticated(
            "the refresh token has been revoked; sign in again",
        ));
    }
    // Spend the token with a conditional update: of two concurrent uses, only one can win, and
    // the loser is treated like any other reuse.
    let spent = if stored.used_at.is_none() {
        refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::UsedAt, Expr::value(now))
            .filter(refresh_tokens::Column::Id.eq(stored.id))
            .filter(refresh_tokens::Column::UsedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected
            == 1
    } else {
        false
    };
    if !spent {
        let revoked = revoke_family(&txn, &stored.family_id, now).await?;
        let ended = SessionsEnded {
            session: Some(stored.family_id.clone()),
            epoch: None,
        };
        events::sessions_ended(&txn, now, stored.user_id, ended).await?;
        audit::record(
            &txn,
            &Principal::system(),
            now,
            Change::after(
                Private::AuthRefreshReuse,
                EntityType::User,
                Some(stored.user_id),
                &serde_json::json!({ "family": stored.family_id, "revoked": revoked }),
            ),
        )
        .await?;
        txn.commit().await?;
        return Err(unauthenticated(
            "the refresh token was already used; every session of this sign-in has been revoked",
        ));
    }
    if stored.expires_at <= now {
        return Err(unauthenticated(
            "the refresh token has expired; sign in again",
        ));
    }
    let user = users::Entity::find_by_id(stored.user_id)
        .one(&txn)
        .await?
        .filter(|user| user.is_active)
        .ok_or_else(|| unauthenticated("the account is deactivated"))?;
    let session = start_session(&txn, keys, now, user, stored.family_id).await?;
    txn.commit().await?;
    Ok(session)
}

async fn revoke_family(
    db: &impl ConnectionTrait,
    family: &str,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::FamilyId.eq(family))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Revokes the caller's sessions: the family of the given refresh token, or all of them.
/// Returns how many refresh tokens were revoked. Access tokens already issued stay valid until
/// they expire (15 minutes by default); deactivating the account stops them at once.
pub async fn logout(
    actor: &Principal,
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    refresh_token: Option<&str>,
    all_sessions: bool,
) -> AppResult<u64> {
    let user_id = actor
        .user_id
        .ok_or_else(|| AppError::forbidden("the system principal has no sessions"))?;
    let txn = db.begin().await?;
    let revoked = if all_sessions {
        end_every_session(&txn, now, user_id).await?;
        refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
            .filter(refresh_tokens::Column::UserId.eq(user_id))
            .filter(refresh_tokens::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected
    } else {
        let token = refresh_token.ok_or_else(|| {
            AppError::bad_field(
                "refreshToken",
                "give the refresh token to revoke, or set allSessions",
            )
        })?;
        let stored = refresh_tokens::Entity::find()
            .filter(refresh_tokens::Column::TokenHash.eq(hash_refresh_token(token.trim())))
            .filter(refresh_tokens::Column::UserId.eq(user_id))
            .one(&txn)
            .await?
            .ok_or_else(|| {
                AppError::bad_field("refreshToken", "is not one of your refresh tokens")
            })?;
        let revoked = revoke_family(&txn, &stored.family_id, now).await?;
        let ended = SessionsEnded {
            session: Some(stored.family_id),
            epoch: None,
        };
        events::sessions_ended(&txn, now, user_id, ended).await?;
        revoked
    };
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            Private::AuthLogout,
            EntityType::User,
            Some(user_id),
            &serde_json::json!({ "allSessions": all_sessions, "revoked": revoked }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(revoked)
}

/// Moves the account's session epoch on: every access token issued before stops working at
/// once, rather than when it expires.
async fn end_every_session(
    txn: &sea_orm::DatabaseTransaction,
    now: DateTime<Utc>,
    user_id: i64,
) -> AppResult<()> {
    users::Entity::update_many()
        .col_expr(
            users::Column::SessionEpoch,
            Expr::col(users::Column::SessionEpoch).add(1),
        )
        .filter(users::Column::Id.eq(user_id))
        .exec(txn)
        .await?;
    let epoch = users::Entity::find_by_id(user_id)
        .one(txn)
        .await?
        .map(|user| user.session_epoch);
    let ended = SessionsEnded {
        session: None,
        epoch,
    };
    events::sessions_ended(txn, now, user_id, ended).await
}

/// Changes the caller's own password and signs out every session, this one included: the
/// client signs in again with the new password.
pub async fn change_password(
    actor: &Principal,
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    current: &str,
    new: &str,
) -> AppResult<users::Model> {
    let user_id = actor
        .user_id
        .ok_or_else(|| AppError::forbidden("the system principal has no password"))?;
    password::validate_new_password("newPassword", new, &actor.username)?;
    if current == new {
        return Err(AppError::bad_field(
            "newPassword",
            "must differ from the current password",
        ));
    }
    let user = users::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    if !password::verify(current.to_owned(), Some(user.password_hash.clone())).await? {
        return Err(AppError::bad_field(
            "currentPassword",
            "is not your current password",
        ));
    }
    let new_hash = password::hash(new.to_owned()).await?;
    let txn = db.begin().await?;
    let mut active = user.into_active_model();
    active.password_hash = Set(new_hash);
    active.updated_at = Set(now);
    let user = active.update(&txn).await?;
    end_every_session(&txn, now, user_id).await?;
    refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::event(Private::UserChangePassword, EntityType::User, Some(user_id)),
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}
