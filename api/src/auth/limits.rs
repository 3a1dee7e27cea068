//! Requests a minute per API key and per signed-in account, on this instance (governor's GCRA:
//! a burst of the minute's quota, then a steady rate). Past it a request is answered
//! `RATE_LIMITED` with the seconds to wait (`extensions.retryAfter`, and `Retry-After` on
//! HTTP), counted in `duban_rate_limited_total`; other keys and accounts are not slowed. Signed
//! out requests are the sign-in throttle's business (`throttle`). Zero turns a limit off.

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::auth::Principal;
use crate::error::{AppError, AppResult};

/// The per-key and per-account limits of one instance.
pub struct RequestLimits {
    per_key: Option<(DefaultKeyedRateLimiter<i64>, u32)>,
    per_user: Option<(DefaultKeyedRateLimiter<i64>, u32)>,
}

impl std::fmt::Debug for RequestLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestLimits").finish_non_exhaustive()
    }
}

fn limiter(per_minute: u32) -> Option<(DefaultKeyedRateLimiter<i64>, u32)> {
    NonZeroU32::new(per_minute)
        .map(|quota| (RateLimiter::keyed(Quota::per_minute(quota)), quota.get()))
}

impl RequestLimits {
    pub fn new(per_user_minute: u32, per_key_minute: u32) -> Self {
        Self {
            per_key: limiter(per_key_minute),
            per_user: limiter(per_user_minute),
        }
    }

    /// Whether `principal` may make one more request now.
    pub fn admit(&self, principal: &Principal) -> AppResult<()> {
        let (limits, id, whose) = match (&principal.key, principal.user_id) {
            (Some(grant), _) => (&self.per_key, grant.key_id, "this API key"),
            (None, Some(user_id)) => (&self.per_user, user_id, "your account"),
            (None, None) => return Ok(()),
        };
        let Some((limiter, per_minute)) = limits else {
            return Ok(());
        };
        if let Err(not_until) = limiter.check_key(&id) {
            use governor::clock::Clock;

            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let seconds = wait.as_secs_f64().ceil() as u64;
            return Err(AppError::rate_limited(
                format!("too many requests from {whose}; at most {per_minute} a minute"),
                seconds,
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::scopes::KeyGrant;

    fn user(id: i64) -> Principal {
        Principal {
            user_id: Some(id),
            ..Principal::system()
        }
    }

    #[test]
    fn a_burst_past_the_quota_is_refused_and_others_are_not_slowed() {
        let limits = RequestLimits::new(5, 3);
        for _ in 0..5 {
            limits.admit(&user(1)).unwrap();
        }
        let refused = limits.admit(&user(1)).unwrap_err();
        assert!(matches!(refused, AppError::RateLimited { retry_after, .. } if retry_after >= 1));
        limits.admit(&user(2)).unwrap();
        let key = Principal {
            key: Some(KeyGrant {
                key_id: 9,
                scopes: Default::default(),
                units: Default::default(),
            }),
            ..user(1)
        };
        for _ in 0..3 {
            limits.admit(&key).unwrap();
        }
        assert!(limits.admit(&key).is_err());
        // Off: no limit at all.
        let off = RequestLimits::new(0, 0);
        for _ in 0..1000 {
            off.admit(&user(1)).unwrap();
        }
    }
}
