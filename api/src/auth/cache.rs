//! A short-lived cache of the principals of access tokens, so that a request does not verify
//! its token or read its account again when the same token was used a moment ago.
//!
//! Entries are keyed by the token itself: the string after `Bearer `, trimmed, the same string
//! `TokenKeys::decode_access` verified (signature, issuer, audience, claims) before its entry
//! was made. The keys do not change while the process runs, and the same string verifies the
//! same way every time (a signature has one base64url spelling): so a request whose token is
//! cached skips the verification (an HMAC, base64 and a JSON parse; with the cache's lookup
//! they were 6.4 % of the server's CPU for a task by id, `perf`), but never the token's expiry,
//! which each entry keeps and every lookup checks against the clock. The entries' keys are
//! live credentials: the cache's `Debug` shows none of them.
//!
//! Correctness rests on dropping the cache, not on its time to live. Each instance keeps a
//! generation; an entry remembers the generation read *before* its account was read, and is
//! served only while the generation has not moved. The generation moves, after the change has
//! committed:
//!
//! - on the instance that made it, when a mutation has been resolved (`after_field`), but for
//!   those that change no principal (`KEEPS`): the services commit before their resolvers
//!   return, so the next request reads the account again, and a request that read it during
//!   the change holds an older generation;
//! - on every instance, when its relay reads a row that can change a principal
//!   (`events::changes_principals`: a sign-out, an account's change, anything about a user, a
//!   leader's post or a unit).
//!
//! The time to live (`PRINCIPAL_CACHE_MILLIS`, 0 turns the cache off) bounds only what a change
//! made outside the API (an operator's SQL) can leave. API keys are not cached: their grants are
//! read again on every request (`auth::keys`). Only a token that verified and whose account was
//! read makes an entry, so a client sending made-up tokens adds nothing; what the entries hold
//! is bounded (`MAX_BYTES`, each weighed by its token and an estimate of its principal).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_graphql::extensions::ExtensionContext;
use chrono::{DateTime, Utc};

use crate::auth::Principal;

/// A principal by the access token it was established from.
type Entries = moka::sync::Cache<Box<str>, Entry>;

/// What a token's entry holds.
#[derive(Clone, Debug)]
struct Entry {
    principal: Principal,
    /// The generation before the account was read (`PrincipalCache::generation`).
    read_at: u64,
    /// The token's `exp` (seconds since the epoch): the entry serves no request from then on.
    expires: i64,
}

/// The most the entries may weigh: some 10,000 tokens (one a session at a time, a new one after
/// each refresh).
const MAX_BYTES: u64 = 8 << 20;

/// What an entry is taken to weigh besides its token: the entry itself (about 190 bytes), the
/// principal's strings and the map's own bookkeeping.
const ENTRY_BYTES: u32 = 512;

#[derive(Clone)]
pub struct PrincipalCache {
    /// `None` when the cache is off.
    entries: Option<Entries>,
    generation: Arc<AtomicU64>,
}

/// Whether the cache is on, and its generation: never the entries, whose keys are tokens.
impl std::fmt::Debug for PrincipalCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrincipalCache")
            .field("on", &self.entries.is_some())
            .field("generation", &self.generation())
            .finish_non_exhaustive()
    }
}

impl PrincipalCache {
    /// A cache whose entries live at most `ttl` (zero: no cache).
    pub fn new(ttl: Duration) -> Self {
        Self {
            entries: (!ttl.is_zero()).then(|| {
                Entries::builder()
                    .max_capacity(MAX_BYTES)
                    .weigher(|token, _| {
                        u32::try_from(token.len())
                            .unwrap_or(u32::MAX)
                            .saturating_add(ENTRY_BYTES)
                    })
                    .time_to_live(ttl)
                    .build()
            }),
            generation: Arc::default(),
        }
    }

    /// Something that can change a principal has committed: no entry read before is served.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The generation now; read it before reading an account.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The principal of `token` when it is cached, nothing has changed since its account was
    /// read, and the token has not expired by `now`.
    pub fn get(&self, token: &str, now: DateTime<Utc>) -> Option<Principal> {
        let entries = self.entries.as_ref()?;
        let entry = entries.get(token)?;
        (entry.read_at == self.generation() && now.timestamp() < entry.expires)
            .then_some(entry.principal)
    }

    /// Keeps the principal that `token` (verified, expiring at `expires`) established, read
    /// in generation `read_at`.
    pub fn put(&self, token: &str, principal: &Principal, read_at: u64, expires: i64) {
        if let Some(entries) = &self.entries {
            entries.insert(
                token.into(),
                Entry {
                    principal: principal.clone(),
                    read_at,
                    expires,
                },
            );
        }
    }
}

/// Moves the instance's generation once a mutation field has been resolved (called for every
/// field by the schema's per-field extension, `schema::fields`), unless it is one of `KEEPS`.
pub fn after_field(ctx: &ExtensionContext<'_>, parent_type: &str, name: &str) {
    if parent_type == "Mutation"
        && !KEEPS.contains(&name)
        && let Some(principals) = ctx.data_opt::<PrincipalCache>()
    {
        principals.changed();
    }
}

/// The mutations that change no principal, and so leave the cache as it is. Signing in starts a
/// session; the others are the units' and reviewers' daily work on reports and reminders, which
/// writes no account, session, unit or leader (a unit submitting a dozen reports had its
/// account read again after each, one statement in 18 of a submission). Every other mutation
/// moves the generation, a new one included: being left off this list is the safe default.
/// None of them writes a document, category, unit, leader or period either: the reference cache keeps
/// its rows across them too (`reference_cache::after_field`).
pub(crate) const KEEPS: &[&str] = &[
    "login",
    "saveReportDraft",
    "submitReport",
    "reviewReport",
    "submitForSignoff",
    "approveSignoff",
    "returnSignoff",
    "submitContribution",
    "acknowledgeReminder",
    "acknowledgeTask",
    "recordIndicatorValues",
];
