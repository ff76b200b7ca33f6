//! Webhook signatures (pure): `Revops-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the
//! HMAC is keyed with the endpoint's whole secret (`whsec_…`) over `"<t>.<body>"`. Binding the
//! time into the signed text lets a receiver refuse an old request replayed with a valid body.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub const HEADER: &str = "Revops-Signature";

fn mac(secret: &str) -> Option<Hmac<Sha256>> {
    Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()
}

/// Lowercase hex HMAC-SHA256 of `"<timestamp>.<body>"` keyed with `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length, so `mac` never fails; an empty string would only fail to
    // verify, never pass.
    let Some(mut mac) = mac(secret) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The header value for `body` sent at `timestamp`.
pub fn header_value(secret: &str, timestamp: i64, body: &str) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, body))
}

/// Why a signature was refused (what a receiver does; revops uses it to test itself).
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Malformed,
    TooOld,
    Mismatch,
}

/// Checks a header against `body` as a receiver would: well formed, `t` within `tolerance_seconds`
/// of `now`, and some `v1` equal to the expected HMAC (compared in constant time).
pub fn verify(
    secret: &str,
    header: &str,
    body: &str,
    now: i64,
    tolerance_seconds: i64,
) -> Result<(), Refused> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(Refused::Malformed)?;
    if signatures.is_empty() {
        return Err(Refused::Malformed);
    }
    if (now - timestamp).abs() > tolerance_seconds {
        return Err(Refused::TooOld);
    }
    for signature in signatures {
        let Some(expected) = decode_hex(signature) else {
            continue;
        };
        let Some(mut mac) = mac(secret) else {
            return Err(Refused::Mismatch);
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        if mac.verify_slice(&expected).is_ok() {
            return Ok(());
        }
    }
    Err(Refused::Mismatch)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(text.get(index..index + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";
    const NOW: i64 = 1_700_000_000;

    #[test]
    fn signs_the_timestamp_and_body_as_openssl_does() {
        // Computed independently: printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            sign(SECRET, NOW, "{}"),
            "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
        assert_eq!(
            header_value(SECRET, NOW, "{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }

    #[test]
    fn a_receiver_accepts_only_the_same_secret_body_and_a_recent_time() {
        let body = r#"{"id":"evt_1","type":"invoice.paid"}"#;
        let header = header_value(SECRET, NOW, body);
        assert_eq!(verify(SECRET, &header, body, NOW + 200, 300), Ok(()));
        assert_eq!(
            verify("whsec_other", &header, body, NOW, 300),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &header, &body.replace("paid", "voided"), NOW, 300),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &header, body, NOW + 301, 300),
            Err(Refused::TooOld)
        );
        assert_eq!(
            verify(SECRET, "v1=abc", body, NOW, 300),
            Err(Refused::Malformed)
        );
        assert_eq!(
            verify(SECRET, "t=1700000000", body, NOW, 300),
            Err(Refused::Malformed)
        );
        // A rotated secret during the switch: either signature may match.
        let both = format!("{header},v1={}", sign("whsec_new", NOW, body));
        assert_eq!(verify("whsec_new", &both, body, NOW, 300), Ok(()));
    }
}
