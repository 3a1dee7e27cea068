//! The acting principal: who is making this request, with the role and the unit or leader that
//! decide what they may see. Services take it as their first argument and enforce the rules.

use entity::enums::Role;
use entity::{leaders, refresh_tokens, users};
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait};

use crate::auth::scopes::{ApiScope, KeyGrant};
use crate::error::{AppError, AppResult};

/// A signed-in user (or the system itself, for the CLI and start-up tasks).
#[derive(Clone, Debug)]
pub struct Principal {
    /// `None` only for the system principal.
    pub user_id: Option<i64>,
    pub username: String,
    /// The role, with the unit or leader that decides which rows are theirs.
    pub scope: Scope,
    /// The account's session epoch when this principal was established: a connection that
    /// outlives its token (a subscription) ends when signing out everywhere moves it on.
    pub session_epoch: i32,
    /// The session (sign-in) the principal acts in, from its access token: signing out that
    /// session ends the principal's requests and subscriptions at once.
    pub session: Option<String>,
    /// Set when the request came with an API key: the scopes it may use (`auth::scopes`).
    pub key: Option<KeyGrant>,
}

/// What a principal may see and do: the role, carrying the unit or leader it is scoped to, so
/// that a UNIT principal without a unit (or a LEADER without a leader) cannot exist. An account
/// whose link is missing does not sign in (`AuthState::Invalid`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The supervision bureau (and the system itself): reads and changes everything.
    Bureau,
    /// A machine account of another system: reads everything, changes nothing.
    Service,
    /// A leader: the tasks naming them in person, through the post they hold now, or through a
    /// collective word that includes that post.
    Leader {
        leader_id: i64,
        /// The post the leader holds now (`None` when they hold none, or are inactive).
        post: Option<String>,
    },
    /// A unit: the tasks where it holds any role.
    Unit { unit_id: i64 },
    /// Staff of a reviewing office (a unit of the registry, e.g. 市制造强市建设领导小组办公室):
    /// the tasks of the documents that name the office as their reviewer, whose reports they
    /// review; nothing of any other document.
    Office { office_id: i64 },
}

impl Principal {
    /// The principal for work the system does on its own behalf (first-start admin, CLI).
    pub fn system() -> Self {
        Self {
            user_id: None,
            username: "system".to_owned(),
            scope: Scope::Bureau,
            session_epoch: 0,
            session: None,
            key: None,
        }
    }

    /// The role, as stored on the account.
    pub fn role(&self) -> Role {
        match self.scope {
            Scope::Bureau => Role::Bureau,
            Scope::Service => Role::Service,
            Scope::Leader { .. } => Role::Leader,
            Scope::Unit { .. } => Role::Unit,
            Scope::Office { .. } => Role::Office,
        }
    }

    /// The unit a UNIT principal works for; `None` for every other role.
    pub fn unit_id(&self) -> Option<i64> {
        match self.scope {
            Scope::Unit { unit_id } => Some(unit_id),
            _ => None,
        }
    }

    pub fn is_bureau(&self) -> bool {
        self.scope == Scope::Bureau
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

    /// FORBIDDEN when the request came with an API key without `scope` (a download's check;
    /// GraphQL fields are checked by `auth::scopes::refusal`, in `schema::fields`).
    pub fn require_scope(&self, scope: ApiScope) -> AppResult<()> {
        match &self.key {
            Some(grant) if !grant.allows(scope) => Err(AppError::forbidden(format!(
                "this API key does not carry the scope `{}`",
                scope.as_str()
            ))),
            _ => Ok(()),
        }
    }

    /// The bureau and machine accounts read everything; leaders and units are row-scoped.
    pub fn reads_everything(&self) -> bool {
        matches!(self.scope, Scope::Bureau | Scope::Service)
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
}

/// The refresh tokens of `session` that were revoked: any means the session was signed out
/// (a logout, a password change, or a reused refresh token revokes the whole family).
pub fn signed_out(session: &str) -> SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(refresh_tokens::Entity)
        .and_where(refresh_tokens::Column::FamilyId.eq(session))
        .and_where(refresh_tokens::Column::RevokedAt.is_not_null())
        .to_owned()
}

/// Builds the principal of a user, reading the post of their leader if they are one; `None`
/// for a UNIT or LEADER account that is not linked to its unit or leader (the link is cleared
/// when the unit or leader is deleted).
pub async fn principal_for(
    db: &DatabaseConnection,
    user: users::Model,
    session: Option<String>,
) -> AppResult<Option<Principal>> {
    let scope = match (user.role, user.unit_id, user.leader_id) {
        (Role::Bureau, _, _) => Scope::Bureau,
        (Role::Service, _, _) => Scope::Service,
        (Role::Unit, Some(unit_id), _) => Scope::Unit { unit_id },
        (Role::Office, Some(office_id), _) => Scope::Office { office_id },
        (Role::Leader, _, Some(leader_id)) => {
            let post = leaders::Entity::find_by_id(leader_id)
                .one(db)
                .await?
                .filter(|leader| leader.is_active)
                .and_then(|leader| leader.post);
            Scope::Leader { leader_id, post }
        }
        (Role::Unit | Role::Leader | Role::Office, _, _) => return Ok(None),
    };
    Ok(Some(Principal {
        user_id: Some(user.id),
        session_epoch: user.session_epoch,
        username: user.username,
        scope,
        session,
        key: None,
    }))
}
