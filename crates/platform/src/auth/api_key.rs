//! API keys of service accounts: `rvk_<prefix>_<secret>`, made from the operating system's
//! CSPRNG, told apart from a JWT by their `rvk_` start, found by their prefix and checked against
//! the SHA-256 of their secret. Pure: no I/O besides the random bytes, no database.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// How every API key starts, so a bearer credential is known for a key without a lookup.
pub const KEY_START: &str = "rvk_";
/// Random bytes in the visible prefix (8 hex characters): enough to find a key in a list.
const PREFIX_BYTES: usize = 4;
/// Random bytes in the secret (64 hex characters, 256 bits): far beyond guessing, which is why a
/// plain SHA-256 (not a slow password hash) is enough to store it.
const SECRET_BYTES: usize = 32;

/// A newly made key. `key` is shown to the administrator once and then dropped; only `prefix`
/// and `secret_hash` are stored.
pub struct NewApiKey {
    pub key: String,
    /// `rvk_<8 hex>`: the visible part, unique per key.
    pub prefix: String,
    pub secret_hash: String,
}

/// A presented key split into the prefix it is found by and the secret it must prove.
#[derive(Debug, PartialEq, Eq)]
pub struct PresentedKey<'a> {
    pub prefix: &'a str,
    pub secret: &'a str,
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0_u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    hex(&buffer)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A fresh key from the CSPRNG.
pub fn generate() -> NewApiKey {
    let prefix = format!("{KEY_START}{}", random_hex(PREFIX_BYTES));
    let secret = random_hex(SECRET_BYTES);
    NewApiKey {
        key: format!("{prefix}_{secret}"),
        secret_hash: hash_secret(&secret),
        prefix,
    }
}

/// A fresh 256-bit secret (64 hex characters) and its SHA-256, for secrets other than keys (a
/// CRM connector's URL secret): the secret is shown once, the hash is kept.
pub fn new_secret() -> (String, String) {
    let secret = random_hex(SECRET_BYTES);
    let hash = hash_secret(&secret);
    (secret, hash)
}

/// A fresh 256-bit webhook signing secret, `whsec_<64 hex>`. Unlike keys it is stored as given:
/// revops needs it to sign every delivery.
pub fn new_signing_secret() -> String {
    format!("whsec_{}", random_hex(SECRET_BYTES))
}

/// SHA-256 of the secret, lowercase hex (what the database keeps).
pub fn hash_secret(secret: &str) -> String {
    sha256_hex(secret.as_bytes())
}

/// SHA-256 of any bytes as lowercase hex: key hashes here, and how imports, intake bodies and
/// signed documents are fingerprinted elsewhere.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Whether a bearer credential is meant as an API key rather than a sign-in token.
pub fn looks_like_key(credential: &str) -> bool {
    credential.starts_with(KEY_START)
}

/// Splits `rvk_<prefix>_<secret>`; `None` when the shape is wrong (a truncated copy, say).
pub fn parse(key: &str) -> Option<PresentedKey<'_>> {
    let rest = key.strip_prefix(KEY_START)?;
    let (random_part, secret) = rest.split_once('_')?;
    let is_hex = |text: &str, length: usize| {
        text.len() == length && text.bytes().all(|byte| byte.is_ascii_hexdigit())
    };
    if !is_hex(random_part, PREFIX_BYTES * 2) || !is_hex(secret, SECRET_BYTES * 2) {
        return None;
    }
    Some(PresentedKey {
        prefix: &key[..KEY_START.len() + PREFIX_BYTES * 2],
        secret,
    })
}

/// Compares two hashes without stopping at the first difference, so the time taken says
/// nothing about how much of a guess was right.
pub fn same_hash(left: &str, right: &str) -> bool {
    left.len() == right.len()
        && left
            .bytes()
            .zip(right.bytes())
            .fold(0_u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_parses_back_and_matches_its_stored_hash() {
        // Proves the key shown once is the one the stored prefix and hash accept.
        let made = generate();
        assert!(looks_like_key(&made.key));
        assert_eq!(made.key.len(), 4 + 8 + 1 + 64);
        let presented = parse(&made.key).unwrap();
        assert_eq!(presented.prefix, made.prefix);
        assert!(same_hash(&hash_secret(presented.secret), &made.secret_hash));
        assert!(!made.key.contains(&made.secret_hash));
    }

    #[test]
    fn keys_are_random_and_differ_every_time() {
        // Proves two keys never share a secret (the CSPRNG is really used).
        let (first, second) = (generate(), generate());
        assert_ne!(first.key, second.key);
        assert_ne!(first.secret_hash, second.secret_hash);
    }

    #[test]
    fn malformed_keys_are_refused_by_shape() {
        // Proves truncated, padded or foreign credentials never reach a lookup.
        let made = generate();
        assert_eq!(parse(&made.key[..made.key.len() - 1]), None);
        assert_eq!(parse(&format!("{}0", made.key)), None);
        assert_eq!(parse("rvk_"), None);
        assert_eq!(parse("rvk_zzzzzzzz_00"), None);
        assert_eq!(parse("eyJhbGciOiJIUzI1NiJ9.e30.sig"), None);
        assert!(!looks_like_key("eyJhbGciOiJIUzI1NiJ9.e30.sig"));
    }

    #[test]
    fn hashes_compare_equal_only_when_identical() {
        // Proves the constant-time comparison still tells different hashes apart.
        assert!(same_hash("abcd", "abcd"));
        assert!(!same_hash("abcd", "abce"));
        assert!(!same_hash("abcd", "abc"));
    }
}
