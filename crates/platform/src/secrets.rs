//! Secrets revops must keep readable — a CRM connector's signing secret and API token, a webhook
//! endpoint's signing secret — are stored encrypted (AES-256-GCM under `REVOPS_SECRETS_KEY`),
//! so a copy of the database or a backup does not hand them out. Passwords and API keys are not
//! here: they are only ever compared, so they are stored hashed (`auth`).
//!
//! A stored value reads `sealed:v1:<base64 of nonce ‖ ciphertext ‖ tag>`; a fresh random nonce
//! per value. A value without the prefix was written before encryption: `open` returns it as it
//! is and `reseal_all` (run at start-up) encrypts it in place, so old databases are converted on
//! their first start with a key.

use crate::entities::{intake_connector, webhook_endpoint};
use crate::error::{AppError, AppResult};
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use sha2::{Digest, Sha256};
use std::sync::Arc;

const PREFIX: &str = "sealed:v1:";

/// Encrypts and decrypts stored secrets with one key.
#[derive(Clone)]
pub struct SecretBox {
    key: Arc<LessSafeKey>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SecretBox(<key>)")
    }
}

impl SecretBox {
    /// A box keyed by the SHA-256 of the configured key text (32+ characters, any alphabet).
    pub fn new(key_text: &[u8]) -> SecretBox {
        let digest = Sha256::digest(key_text);
        // A 32-byte key is exactly what AES-256-GCM takes, so this cannot fail.
        let unbound = UnboundKey::new(&AES_256_GCM, digest.as_slice())
            .unwrap_or_else(|_| unreachable!("a SHA-256 digest is a valid AES-256 key"));
        SecretBox {
            key: Arc::new(LessSafeKey::new(unbound)),
        }
    }

    /// The secret encrypted for storage.
    pub fn seal(&self, plain: &str) -> AppResult<String> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| AppError::internal("the system random source failed"))?;
        let mut sealed = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::empty(),
                &mut sealed,
            )
            .map_err(|_| AppError::internal("a secret could not be encrypted"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ))
    }

    /// The secret as given, from its stored form (a value written before encryption is returned
    /// as it is). A value this key cannot open is an error naming the likely cause.
    pub fn open(&self, stored: &str) -> AppResult<String> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let wrong = || {
            AppError::internal(
                "a stored secret cannot be decrypted: REVOPS_SECRETS_KEY is not the key it was encrypted with",
            )
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| wrong())?;
        if bytes.len() < NONCE_LEN {
            return Err(wrong());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| wrong())?;
        let mut sealed = sealed.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::empty(), &mut sealed)
            .map_err(|_| wrong())?;
        String::from_utf8(plain.to_vec()).map_err(|_| wrong())
    }

    /// Whether a stored value is already encrypted.
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    /// An optional secret encrypted for storage.
    pub fn seal_opt(&self, plain: Option<&str>) -> AppResult<Option<String>> {
        plain.map(|plain| self.seal(plain)).transpose()
    }

    /// An optional stored secret opened.
    pub fn open_opt(&self, stored: Option<&str>) -> AppResult<Option<String>> {
        stored.map(|stored| self.open(stored)).transpose()
    }
}

/// A stored value still as given (not yet encrypted).
fn plain(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .filter(|value| !SecretBox::is_sealed(value))
}

/// Encrypts every secret still stored as given (written before encryption), after checking that
/// the key opens every one already encrypted — so a wrong `REVOPS_SECRETS_KEY` stops start-up
/// with a clear message, before anything is encrypted under it, instead of failing each signature
/// later. Returns how many values it encrypted.
pub async fn reseal_all<C: ConnectionTrait>(connection: &C, secrets: &SecretBox) -> AppResult<u64> {
    let connectors = intake_connector::Entity::find().all(connection).await?;
    // Deleted endpoints too: their rows keep the secret, and a backup would hand it out.
    let endpoints = webhook_endpoint::Entity::find().all(connection).await?;
    let stored = connectors
        .iter()
        .flat_map(|model| [&model.signing_secret, &model.api_token])
        .flatten()
        .chain(endpoints.iter().map(|model| &model.secret));
    for value in stored {
        secrets.open(value)?;
    }
    let mut resealed = 0;
    for model in connectors {
        let (signing, token) = (plain(&model.signing_secret), plain(&model.api_token));
        if signing.is_none() && token.is_none() {
            continue;
        }
        let (signing, token) = (secrets.seal_opt(signing)?, secrets.seal_opt(token)?);
        let mut active = model.into_active_model();
        if let Some(sealed) = signing {
            active.signing_secret = Set(Some(sealed));
            resealed += 1;
        }
        if let Some(sealed) = token {
            active.api_token = Set(Some(sealed));
            resealed += 1;
        }
        active.update(connection).await?;
    }
    for model in endpoints {
        if SecretBox::is_sealed(&model.secret) {
            continue;
        }
        let sealed = secrets.seal(&model.secret)?;
        let mut active = model.into_active_model();
        active.secret = Set(sealed);
        active.update(connection).await?;
        resealed += 1;
    }
    Ok(resealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sealed secret opens to what was sealed, never contains it, differs each time (a fresh
    /// nonce), and does not open under another key or after a byte is changed.
    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let secrets = SecretBox::new(b"a key of more than thirty-two characters");
        let plain = "whsec_3f9c0f6a2b8e4d1c9a7b5e3d1f0a2c4e";
        let sealed = secrets.seal(plain).unwrap();
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains(plain) && !sealed.contains("3f9c0f6a"));
        assert_ne!(sealed, secrets.seal(plain).unwrap());
        assert_eq!(secrets.open(&sealed).unwrap(), plain);
        let other = SecretBox::new(b"another key of more than thirty-two chars");
        let refused = other.open(&sealed).unwrap_err().message();
        assert!(refused.contains("REVOPS_SECRETS_KEY"), "{refused}");
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(&sealed[PREFIX.len()..])
            .unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        );
        assert!(secrets.open(&tampered).is_err());
        assert_eq!(
            secrets.open("written-before-encryption").unwrap(),
            "written-before-encryption"
        );
    }
}
