//! Throttling sign-ins, so that guessing is slow and nobody can lock an account's owner out.
//!
//! - Per client address: at most `LOGIN_ATTEMPTS_PER_MINUTE` sign-in attempts a minute
//!   (governor's GCRA, a burst of that size), whatever the usernames. Password spraying from one address
//!   is slow; other addresses are not affected.
//! - Per username and address: after `FREE_FAILURES` failures in a row, each further attempt
//!   from that address must wait, 30 s after the fifth failure, doubling with each failure, at
//!   most 15 minutes; a success clears the count. There is no account lock: the owner, signing
//!   in from their own address, is never held up by someone failing elsewhere.
//!
//! Counts are kept in memory, per instance: an attacker spreading attempts over the instances
//! of a deployment gets one delay sequence per instance, which the doubling makes immaterial.
//! Unknown usernames are throttled exactly like known ones, and a failed attempt writes
//! nothing to the database, so neither the answer nor its timing tells which accounts exist.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{AppError, AppResult};

/// Failures in a row from one address that cost nothing.
pub const FREE_FAILURES: u32 = 5;
/// The wait after the first failure past the free ones; it doubles with each further failure.
const FIRST_DELAY_SECS: i64 = 30;
/// The longest wait.
const MAX_DELAY_SECS: i64 = 15 * 60;
/// Past this many (username, address) pairs, those without a failure for a day are forgotten.
const MAX_TRACKED: usize = 100_000;

/// A run of failed sign-ins for one username from one address.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: DateTime<Utc>,
}

/// The sign-in throttle of one instance.
pub struct Throttle {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    per_minute: u32,
    failures: Mutex<HashMap<(String, IpAddr), Failures>>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle").finish_non_exhaustive()
    }
}

impl Throttle {
    /// A throttle allowing `per_minute` attempts a minute from one address.
    pub fn new(per_minute: u32) -> Self {
        let quota = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            per_address: RateLimiter::keyed(Quota::per_minute(quota)),
            per_minute: quota.get(),
            failures: Mutex::new(HashMap::new()),
        }
    }
}

/// The key a username is counted under: as typed, trimmed and case-folded, whether or not the
/// account exists.
fn key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// How long to wait after `count` failures in a row.
fn delay(count: u32) -> Option<Duration> {
    let past = count.checked_sub(FREE_FAILURES)?;
    let secs = FIRST_DELAY_SECS
        .saturating_mul(1_i64 << past.min(20))
        .min(MAX_DELAY_SECS);
    Some(Duration::seconds(secs))
}

impl Throttle {
    /// Whether an attempt for `username` from `address` may go ahead now; `RATE_LIMITED`
    /// saying how long to wait if not.
    pub fn admit(&self, username: &str, address: IpAddr, now: DateTime<Utc>) -> AppResult<()> {
        if let Err(not_until) = self.per_address.check_key(&address) {
            use governor::clock::Clock;

            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            return Err(AppError::rate_limited(
                format!(
                    "too many sign-in attempts from your address; at most {} a minute",
                    self.per_minute
                ),
                wait.as_secs_f64().ceil() as u64,
            ));
        }
        let failures = self.lock()?.get(&(key(username), address)).copied();
        if let Some(Failures { count, last }) = failures
            && let Some(wait) = delay(count)
            && now < last + wait
        {
            let seconds = (last + wait - now).num_seconds().max(1);
            return Err(AppError::rate_limited(
                format!(
                    "too many failed sign-ins for this account from your address; try again \
                     in {seconds} s"
                ),
                seconds.unsigned_abs(),
            ));
        }
        Ok(())
    }

    /// Counts a failed attempt.
    pub fn failed(&self, username: &str, address: IpAddr, now: DateTime<Utc>) -> AppResult<()> {
        let mut failures = self.lock()?;
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, f| now - f.last < Duration::days(1));
            self.per_address.retain_recent();
        }
        let entry = failures
            .entry((key(username), address))
            .or_insert(Failures {
                count: 0,
                last: now,
            });
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
        if entry.count == FREE_FAILURES + 1 {
            tracing::warn!(%address, "sign-ins for one account are being delayed after repeated failures");
        }
        Ok(())
    }

    /// Forgets the failures of `username` from `address` after a successful sign-in.
    pub fn succeeded(&self, username: &str, address: IpAddr) -> AppResult<()> {
        self.lock()?.remove(&(key(username), address));
        Ok(())
    }

    fn lock(&self) -> AppResult<std::sync::MutexGuard<'_, HashMap<(String, IpAddr), Failures>>> {
        self.failures
            .lock()
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the sign-in throttle is poisoned")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_failures_and_double_up_to_a_cap() {
        assert_eq!(delay(4), None);
        assert_eq!(delay(5), Some(Duration::seconds(30)));
        assert_eq!(delay(6), Some(Duration::seconds(60)));
        assert_eq!(delay(9), Some(Duration::seconds(480)));
        assert_eq!(delay(10), Some(Duration::seconds(900)));
        assert_eq!(delay(u32::MAX), Some(Duration::seconds(900)));
    }

    #[test]
    fn one_address_failing_does_not_hold_up_another() {
        let throttle = Throttle::new(20);
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let attacker: IpAddr = "203.0.113.7".parse().unwrap();
        let owner: IpAddr = "198.51.100.2".parse().unwrap();
        for _ in 0..FREE_FAILURES {
            throttle.admit("Admin", attacker, now).unwrap();
            throttle.failed("Admin", attacker, now).unwrap();
        }
        assert!(matches!(
            throttle.admit("admin", attacker, now),
            Err(AppError::RateLimited { .. })
        ));
        throttle.admit("admin", owner, now).unwrap();
        throttle
            .admit("admin", attacker, now + Duration::seconds(31))
            .unwrap();
    }
}
