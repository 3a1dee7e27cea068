//! Resolving a request's bearer token into its principal: an access token (a signed JWT,
//! verified, whose account and session are read again; or, for the same token, both taken from
//! `cache` when nothing changed since, so that a deactivation or a sign-out applies at once)
//! or an API key (`duban_…`, `keys`). Kept apart from `principal` so that `keys`, which builds
//! principals, is below it.

use chrono::{DateTime, Utc};
use entity::users;
use sea_orm::sea_query::Expr;
use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter};

use crate::auth::AuthState;
use crate::auth::cache::PrincipalCache;
use crate::auth::principal::{principal_for, signed_out};
use crate::auth::tokens::TokenKeys;
use crate::error::AppResult;

impl AuthState {
    /// Resolves an `Authorization` header value. An access token kept in `principals` (the
    /// same string, verified before, nothing changed since, not expired) is its principal at
    /// once; any other has its signature and claims checked, then its user read, so that a
    /// deactivated account or a changed role takes effect at once rather than when the token
    /// expires.
    pub async fn from_header(
        header: Option<&str>,
        keys: &TokenKeys,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
        principals: &PrincipalCache,
    ) -> AppResult<Self> {
        let Some(header) = header else {
            return Ok(Self::Anonymous);
        };
        let Some(token) = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
        else {
            return Ok(Self::Invalid(
                "the Authorization header must be `Bearer <access token>`".to_owned(),
            ));
        };
        // An API key (`duban_…`) rather than an access token.
        if let Some(found) = crate::auth::keys::authenticate(db, token.trim(), now).await? {
            return Ok(match found {
                Ok(principal) => Self::Authenticated(principal),
                Err(reason) => Self::Invalid(reason),
            });
        }
        let token = token.trim();
        // A token verified a moment ago, whose account nothing has changed since (`cache`).
        if let Some(principal) = principals.get(token, now) {
            return Ok(Self::Authenticated(principal));
        }
        let claims = match keys.decode_access(token, now) {
            Ok(claims) => claims,
            Err(reason) => return Ok(Self::Invalid(reason)),
        };
        let read_at = principals.generation();
        // The account, unless the token's session was signed out: one statement either way.
        let mut account = users::Entity::find_by_id(claims.user_id());
        if let Some(session) = &claims.sid {
            account = account.filter(Expr::exists(signed_out(session)).not());
        }
        let Some(user) = account.one(db).await? else {
            // Why not: read the account alone (only on this refusal path).
            let reason = match users::Entity::find_by_id(claims.user_id()).one(db).await? {
                None => "the account no longer exists",
                Some(user) if !user.is_active => "the account is deactivated",
                Some(_) => "this session was signed out; sign in again",
            };
            return Ok(Self::Invalid(reason.to_owned()));
        };
        if !user.is_active {
            return Ok(Self::Invalid("the account is deactivated".to_owned()));
        }
        if claims.epoch != user.session_epoch {
            return Ok(Self::Invalid(
                "this session was signed out (all sessions, or a new password); sign in again"
                    .to_owned(),
            ));
        }
        Ok(match principal_for(db, user, claims.sid).await? {
            Some(principal) => {
                principals.put(token, &principal, read_at, claims.exp);
                Self::Authenticated(principal)
            }
            None => Self::Invalid(
                "the account is not linked to its unit or leader; ask the bureau to link it"
                    .to_owned(),
            ),
        })
    }
}
