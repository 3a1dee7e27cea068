//! The acting principal: who is making this request, with the role and the unit or leader that
//! decide what they may see. Services take it as their first argument and enforce the rules.

use entity::enums::Role;
use entity::{leaders, users};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::auth::tokens::TokenKeys;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};

/// A signed-in user (or the system itself, for the CLI and start-up tasks).
#[derive(Clone, Debug)]
pub struct Principal {
    /// `None` only for the system principal.
    pub user_id: Option<i64>,
    pub username: String,
    pub role: Role,
    /// Set for role UNIT: the unit whose tasks this principal works on.
    pub unit_id: Option<i64>,
    /// Set for role LEADER: the leader this user is.
    pub leader_id: Option<i64>,
    /// The post the leader holds now; tasks naming the post are theirs too.
    pub leader_post: Option<String>,
}

impl Principal {
    /// The principal for work the system does on its own behalf (first-start admin, CLI).
    pub fn system() -> Self {
        Self {
            user_id: None,
            username: "system".to_owned(),
            role: Role::Bureau,
            unit_id: None,
            leader_id: None,
            leader_post: None,
        }
    }

    pub fn is_bureau(&self) -> bool {
        self.role == Role::Bureau
    }

    /// Only the bureau may change the registry, documents and tasks.
    pub fn require_bureau(&self) -> AppResult<()> {
        if self.is_bureau() {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "only the supervision bureau may do this",
            ))
        }
    }

    /// The bureau and machine accounts read everything; leaders and units are row-scoped.
    pub fn reads_everything(&self) -> bool {
        matches!(self.role, Role::Bureau | Role::Service)
    }
}

/// What the request's bearer token established.
#[derive(Clone, Debug)]
pub enum AuthState {
    Anonymous,
    /// A token was sent but is not acceptable; the reason goes back to the client.
    Invalid(String),
    Authenticated(Principal),
}

impl AuthState {
    /// The principal, or `UNAUTHENTICATED` naming why there is none.
    pub fn principal(&self) -> AppResult<&Principal> {
        match self {
            Self::Authenticated(principal) => Ok(principal),
            Self::Anonymous => Err(AppError::Unauthenticated(
                "sign in first: send `Authorization: Bearer <access token>`".to_owned(),
            )),
            Self::Invalid(reason) => Err(AppError::Unauthenticated(reason.clone())),
        }
    }

    /// Resolves an `Authorization` header value. The token's signature and claims are checked
    /// first; then the user is read, so that a deactivated account or a changed role takes
    /// effect at once rather than when the token expires.
    pub async fn from_header(
        header: Option<&str>,
        keys: &TokenKeys,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
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
        let claims = match keys.decode_access(token.trim(), now) {
            Ok(claims) => claims,
            Err(reason) => return Ok(Self::Invalid(reason)),
        };
        let Some(user) = users::Entity::find_by_id(claims.user_id()).one(db).await? else {
            return Ok(Self::Invalid("the account no longer exists".to_owned()));
        };
        if !user.is_active {
            return Ok(Self::Invalid("the account is deactivated".to_owned()));
        }
        Ok(Self::Authenticated(principal_for(db, user).await?))
    }
}

/// Builds the principal of a user, reading the post of their leader if they are one.
pub async fn principal_for(db: &DatabaseConnection, user: users::Model) -> AppResult<Principal> {
    let leader_post = match (user.role, user.leader_id) {
        (Role::Leader, Some(leader_id)) => leaders::Entity::find_by_id(leader_id)
            .one(db)
            .await?
            .filter(|leader| leader.is_active)
            .and_then(|leader| leader.post),
        _ => None,
    };
    Ok(Principal {
        user_id: Some(user.id),
        username: user.username,
        role: user.role,
        unit_id: user.unit_id,
        leader_id: user.leader_id,
        leader_post,
    })
}

impl Principal {
    /// The principal of a user as far as the user row tells (without the leader's post). Used
    /// to attribute audit rows of sign-in events, where no request principal exists yet.
    pub fn of_user(user: &users::Model) -> Self {
        Self {
            user_id: Some(user.id),
            username: user.username.clone(),
            role: user.role,
            unit_id: user.unit_id,
            leader_id: user.leader_id,
            leader_post: None,
        }
    }
}
