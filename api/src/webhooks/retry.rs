//! When a failed delivery is tried again: exponential backoff with jitter, shared by webhooks
//! and notifications to other channels.

use chrono::Duration;
use rand::Rng;

/// The wait before attempt `attempts + 1`: 2^attempts seconds (capped at an hour), plus up to
/// a quarter more at random, so that many failing webhooks do not retry in step.
pub fn backoff(attempts: i32) -> Duration {
    let base = 2_i64
        .saturating_pow(u32::try_from(attempts.clamp(0, 12)).unwrap_or(12))
        .min(3600);
    let jitter = rand::rng().random_range(0..=base / 4 + 1);
    Duration::seconds(base + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_grows_and_is_capped_with_some_jitter() {
        let seconds = |a| backoff(a).num_seconds();
        assert!((1..=2).contains(&seconds(0)));
        assert!((8..=11).contains(&seconds(3)));
        assert!((3600..=4501).contains(&seconds(30)));
    }
}
