//! GraphQL face of authentication. `login` and `refreshToken` are the only fields an anonymous
//! caller may use.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::auth::service::{self, Session};
use crate::graphql::context::ContextExt;
use crate::users::schema::User;

/// A signed-in session.
#[derive(SimpleObject, Debug)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Exchange with `refreshToken` for a new pair; each refresh token works once.
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

impl From<Session> for AuthPayload {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            expires_at: s.expires_at,
            user: s.user.into(),
        }
    }
}

#[derive(InputObject, Debug)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

#[derive(InputObject, Debug)]
pub struct RefreshTokenInput {
    pub refresh_token: String,
}

#[derive(InputObject, Debug)]
pub struct LogoutInput {
    /// The session to end.
    pub refresh_token: Option<String>,
    /// End every session of this user instead.
    #[graphql(default)]
    pub all_sessions: bool,
}

#[derive(SimpleObject, Debug)]
pub struct LogoutPayload {
    /// How many refresh tokens stopped working.
    pub revoked: u64,
}

#[derive(InputObject, Debug)]
pub struct ChangePasswordInput {
    pub current_password: String,
    /// At least 8 characters.
    pub new_password: String,
}

#[derive(SimpleObject, Debug)]
pub struct ChangePasswordPayload {
    pub user: User,
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Signs in. Attempts are limited per client address, and after five failures in a row an
    /// address waits before it may try the same username again (30 s, doubling, at most 15
    /// minutes): `RATE_LIMITED`. No account is ever locked.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<AuthPayload> {
        let app = ctx.app();
        let session = service::login(
            &app.db,
            &app.keys,
            &app.throttle,
            ctx.client_address(),
            ctx.now(),
            &input.username,
            &input.password,
        )
        .await?;
        Ok(session.into())
    }

    /// Exchanges a refresh token for a new access and refresh token. Using a refresh token a
    /// second time revokes every token of its sign-in.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        input: RefreshTokenInput,
    ) -> Result<AuthPayload> {
        let app = ctx.app();
        let session = service::refresh(&app.db, &app.keys, ctx.now(), &input.refresh_token).await?;
        Ok(session.into())
    }

    /// Ends a session (its refresh token), or all of them: with `allSessions` every access
    /// token of the account stops working at once too (one session's access token lives out its
    /// 15 minutes).
    async fn logout(&self, ctx: &Context<'_>, input: LogoutInput) -> Result<LogoutPayload> {
        let actor = ctx.actor()?;
        let revoked = service::logout(
            actor,
            ctx.db(),
            ctx.now(),
            input.refresh_token.as_deref(),
            input.all_sessions,
        )
        .await?;
        Ok(LogoutPayload { revoked })
    }

    /// Changes the caller's own password and signs out every session, this one included: sign
    /// in again with the new password.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> Result<ChangePasswordPayload> {
        let actor = ctx.actor()?;
        let user = service::change_password(
            actor,
            ctx.db(),
            ctx.now(),
            &input.current_password,
            &input.new_password,
        )
        .await?;
        Ok(ChangePasswordPayload { user: user.into() })
    }
}
