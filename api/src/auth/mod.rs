//! Authentication and the acting principal.
//!
//! - `extract`: the axum extractors of the caller (`AuthState`, `SignedIn`) every route uses.
//! - `password`: argon2id hashing and verification, off the async runtime.
//! - `tokens`: access tokens (HS256 JWTs) and opaque refresh tokens.
//! - `principal`: who is acting, resolved once per request from the bearer token.
//! - `service`: login, refresh rotation with reuse detection, logout, password change.
//! - `throttle`: sign-in attempts per client address, and delays per username and address.
//! - `schema`: the GraphQL face of the above (`login`, `refreshToken`, `logout`,
//!   `changePassword`, `me`).

pub mod extract;
pub mod password;
pub mod principal;
pub mod schema;
pub mod service;
pub mod throttle;
pub mod tokens;

pub use extract::SignedIn;
pub use principal::{AuthState, Principal};
pub use tokens::TokenKeys;
