//! Authentication and the acting principal.
//!
//! - `extract`: the axum extractors of the caller (`AuthState`, `SignedIn`) every route uses.
//! - `password`: argon2id hashing and verification, off the async runtime.
//! - `tokens`: access tokens (HS256 JWTs) and opaque refresh tokens.
//! - `principal`: who is acting; `bearer` resolves it once per request from the bearer token
//!   (an access token or an API key); `cache` keeps an access token's principal for a short
//!   time, read again after any change to accounts, leaders or units.
//! - `keys`: API keys of machine accounts (shown once, hashed, scoped, expiring, revocable);
//!   `scopes`: what a key may do, field by field (`refusal`, applied by `schema::fields`).
//! - `service`: login, refresh rotation with reuse detection, logout, password change.
//! - `throttle`: sign-in attempts per client address, and delays per username and address;
//!   `limits`: requests a minute per API key and per account.
//! - `schema`: the GraphQL face of the above (`login`, `refreshToken`, `logout`,
//!   `changePassword`, `me`).

pub mod bearer;
pub mod cache;
pub mod extract;
pub mod keys;
pub mod keys_schema;
pub mod limits;
pub mod password;
pub mod principal;
pub mod schema;
pub mod scopes;
pub mod service;
pub mod throttle;
pub mod tokens;

pub use extract::SignedIn;
pub use principal::{AuthState, Principal};
pub use tokens::TokenKeys;
