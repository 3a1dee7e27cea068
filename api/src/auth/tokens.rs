//! Access and refresh tokens.
//!
//! Access tokens are JWTs signed with HS256 only (the algorithm is fixed on both sides, so a
//! token claiming `none` or another algorithm is refused). They carry the user id, role, unit or
//! leader id, `exp`, `iat`, `iss` and `aud`. Expiry is checked against the application clock
//! rather than the system clock, so tests can move time.
//!
//! Refresh tokens are 256 random bits, shown to the client once and stored only as SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::enums::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

use crate::error::{AppError, AppResult};

/// The claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string as RFC 7519 asks.
    pub sub: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader_id: Option<i64>,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// The account's session epoch when the token was issued (tokens from before epochs
    /// existed read as 0).
    #[serde(default)]
    pub epoch: i32,
    /// The session (the refresh-token family of one sign-in) the token belongs to: signing that
    /// session out stops the token at once. Tokens from before sessions were named have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

impl Claims {
    pub fn user_id(&self) -> i64 {
        // `decode_access` has already checked that `sub` parses.
        self.sub.parse().unwrap_or_default()
    }
}

/// Signing and verification keys with the settings tokens are checked against.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// The shortest secret accepted: HS256 wants at least as many bytes as its output.
pub const MIN_SECRET_BYTES: usize = 32;

impl TokenKeys {
    pub fn new(
        secret: &SecretString,
        issuer: &str,
        audience: &str,
        access_ttl: Duration,
        refresh_ttl: Duration,
    ) -> anyhow::Result<Self> {
        let bytes = secret.expose_secret().as_bytes();
        anyhow::ensure!(
            bytes.len() >= MIN_SECRET_BYTES,
            "JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long"
        );
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Expiry is checked in `decode_access` against the application clock.
        validation.validate_exp = false;
        Ok(Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            access_ttl,
            refresh_ttl,
        })
    }

    /// Signs an access token for a user's session; returns the token and its expiry.
    pub fn issue_access(
        &self,
        user: &entity::users::Model,
        session: &str,
        now: DateTime<Utc>,
    ) -> AppResult<(String, DateTime<Utc>)> {
        let expires_at = now
            + chrono::Duration::from_std(self.access_ttl)
                .map_err(|err| AppError::Internal(err.into()))?;
        let claims = Claims {
            sub: user.id.to_string(),
            role: user.role,
            unit_id: user.unit_id,
            leader_id: user.leader_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            epoch: user.session_epoch,
            sid: Some(session.to_owned()),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|err| AppError::Internal(err.into()))?;
        Ok((token, expires_at))
    }

    /// Verifies an access token. The error is a sentence for the client saying what is wrong.
    pub fn decode_access(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, String> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|err| {
                use jsonwebtoken::errors::ErrorKind;
                match err.kind() {
                    ErrorKind::InvalidSignature => "the access token's signature is invalid",
                    ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                        "the access token must be signed with HS256"
                    }
                    ErrorKind::InvalidIssuer => "the access token was issued by someone else",
                    ErrorKind::InvalidAudience => "the access token is meant for another service",
                    ErrorKind::MissingRequiredClaim(_) => "the access token lacks a required claim",
                    _ => "the access token is malformed",
                }
                .to_owned()
            })?;
        if data.claims.exp <= now.timestamp() {
            return Err("the access token has expired; refresh it or sign in again".to_owned());
        }
        if data.claims.sub.parse::<i64>().is_err() {
            return Err("the access token is malformed".to_owned());
        }
        Ok(data.claims)
    }

    pub fn refresh_expiry(&self, now: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
        Ok(now
            + chrono::Duration::from_std(self.refresh_ttl)
                .map_err(|err| AppError::Internal(err.into()))?)
    }
}

/// A new refresh token: the value for the client and the hash to store.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

/// The stored form of a refresh token. A fast hash is right here: the token is 256 random
/// bits, so there is nothing to brute-force, unlike a password.
pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random secret for development, when no `JWT_SECRET` is configured.
pub fn random_secret() -> SecretString {
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    SecretString::from(URL_SAFE_NO_PAD.encode(bytes))
}
