//! How a delivery is signed, and how a receiver checks it. The header is
//! `X-Duban-Signature: t=<unix seconds>,v1=<hex of HMAC-SHA256(secret, "<t>." + body)>`: the
//! timestamp is signed with the body, so that a receiver that refuses old timestamps cannot be
//! sent a recorded delivery again. Pure.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub const HEADER: &str = "x-duban-signature";

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header's value for `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(digest))
}

/// Whether `header` signs `body` with `secret`, at a timestamp at most `tolerance` seconds from
/// `now` (what a receiver does; the tests' receiver does it with its own code).
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance: i64) -> bool {
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signature = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return false;
    };
    (now - timestamp).abs() <= tolerance
        && mac(secret, timestamp, body)
            .verify_slice(&signature)
            .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let header = sign("whsec_abc", 1_764_000_000, br#"{"a":1}"#);
        assert!(header.starts_with("t=1764000000,v1="));
        assert!(verify(
            "whsec_abc",
            &header,
            br#"{"a":1}"#,
            1_764_000_100,
            300
        ));
        assert!(!verify(
            "whsec_abc",
            &header,
            br#"{"a":2}"#,
            1_764_000_100,
            300
        ));
        assert!(!verify(
            "whsec_abd",
            &header,
            br#"{"a":1}"#,
            1_764_000_100,
            300
        ));
        assert!(!verify(
            "whsec_abc",
            &header,
            br#"{"a":1}"#,
            1_764_001_000,
            300
        ));
        assert!(!verify(
            "whsec_abc",
            "t=x,v1=zz",
            br#"{"a":1}"#,
            1_764_000_000,
            300
        ));
    }
}
