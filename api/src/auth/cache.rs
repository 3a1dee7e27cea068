//! A short-lived cache of the principals of access tokens, so that a request does not read its
//! account again when the same session asked a moment ago.
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
//! read again on every request (`auth::keys`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_graphql::extensions::ExtensionContext;

use crate::auth::Principal;

/// A principal by account and session, with the generation it was read in.
type Entries = moka::sync::Cache<(i64, Option<String>), (Principal, u64)>;

/// The principals of recent sessions, by account and session.
#[derive(Clone, Debug)]
pub struct PrincipalCache {
    entries: Option<Entries>,
    generation: Arc<AtomicU64>,
}

impl PrincipalCache {
    /// Keeps each principal for `ttl`, up to 100,000 sessions; a zero `ttl` caches nothing.
    pub fn new(ttl: Duration) -> Self {
        Self {
            entries: (!ttl.is_zero()).then(|| {
                moka::sync::Cache::builder()
                    .max_capacity(100_000)
                    .time_to_live(ttl)
                    .build()
            }),
            generation: Arc::default(),
        }
    }

    /// Something that can change a principal has committed: every entry is read again.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The current generation, to read before reading an account.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The principal of `user_id`'s `session` at `epoch`, if it was read since the last change.
    pub fn get(&self, user_id: i64, session: &Option<String>, epoch: i32) -> Option<Principal> {
        let entries = self.entries.as_ref()?;
        let (principal, read_at) = entries.get(&(user_id, session.clone()))?;
        (read_at == self.generation() && principal.session_epoch == epoch).then_some(principal)
    }

    /// Keeps `principal`, read from the database after `read_at = self.generation()`.
    pub fn put(&self, principal: &Principal, read_at: u64) {
        if let (Some(entries), Some(user_id)) = (&self.entries, principal.user_id) {
            entries.insert(
                (user_id, principal.session.clone()),
                (principal.clone(), read_at),
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
