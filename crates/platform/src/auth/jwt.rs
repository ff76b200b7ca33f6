//! JSON Web Tokens: HS256 pinned, `exp`, `iss` and `aud` always checked. Tokens are always signed
//! with the current secret; during a key rotation the previous secret
//! (`REVOPS_JWT_SECRET_PREVIOUS`) is accepted for verification only, so sessions signed before
//! the rotation keep working until they expire.

use crate::access::Role;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "revops";
pub const AUDIENCE: &str = "revops-web";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub email: String,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// The user's token version when issued; sign-out and deactivation bump it, so older tokens
    /// stop working. Tokens from before versions existed read as 0.
    #[serde(default)]
    pub ver: i32,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The secret before the last rotation: verifies, never signs.
    previous: Option<DecodingKey>,
    time_to_live: Duration,
}

impl JwtKeys {
    pub fn new(secret: &[u8], time_to_live: Duration) -> JwtKeys {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            previous: None,
            time_to_live,
        }
    }

    /// Also accepts tokens signed with `previous` (the secret before a rotation).
    pub fn with_previous(mut self, previous: Option<&[u8]>) -> JwtKeys {
        self.previous = previous.map(DecodingKey::from_secret);
        self
    }

    pub fn issue(
        &self,
        user_id: i64,
        email: &str,
        role: Role,
        token_version: i32,
        now: DateTime<Utc>,
    ) -> AppResult<(String, DateTime<Utc>)> {
        let expires_at = now + self.time_to_live;
        let claims = Claims {
            sub: user_id.to_string(),
            email: email.to_string(),
            role: role.as_str().to_string(),
            iss: ISSUER.to_string(),
            aud: AUDIENCE.to_string(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            ver: token_version,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)?;
        Ok((token, expires_at))
    }

    /// Verifies signature, algorithm (HS256 only, so `alg: none` and key-confusion tokens fail),
    /// expiry against `now`, issuer and audience.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> AppResult<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Expiry is checked below against the injected clock, not the library's wall clock.
        validation.validate_exp = false;
        validation.leeway = 0;
        let decoded = match decode::<Claims>(token, &self.decoding, &validation) {
            // Only a signature the current key rejects is worth trying with the previous key;
            // every other check is the same for both.
            Err(error)
                if matches!(
                    error.kind(),
                    jsonwebtoken::errors::ErrorKind::InvalidSignature
                ) =>
            {
                match &self.previous {
                    Some(previous) => decode::<Claims>(token, previous, &validation),
                    None => Err(error),
                }
            }
            other => other,
        };
        let claims = decoded
            .map_err(|error| AppError::Unauthenticated(describe(&error)))?
            .claims;
        if claims.exp <= now.timestamp() {
            return Err(AppError::Unauthenticated(
                "Your session has expired; sign in again.".into(),
            ));
        }
        Ok(claims)
    }
}

fn describe(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    let reason = match error.kind() {
        ErrorKind::InvalidSignature => "its signature is not valid",
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            "it uses an algorithm we do not accept"
        }
        ErrorKind::InvalidAudience => "it was issued for another audience",
        ErrorKind::InvalidIssuer => "it was issued by someone else",
        ErrorKind::MissingRequiredClaim(_) => "it lacks a required claim",
        ErrorKind::ExpiredSignature => "it has expired",
        _ => "it is malformed",
    };
    format!("The access token was refused because {reason}; sign in again.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_until_they_expire() {
        // Proves a token is valid before exp and refused at and after it, by the injected clock.
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", Duration::hours(8));
        let now = Utc::now();
        let (token, expires_at) = keys.issue(7, "cfo@x.test", Role::Cfo, 0, now).unwrap();
        assert_eq!(keys.verify(&token, now).unwrap().sub, "7");
        assert!(keys.verify(&token, expires_at).is_err());
        let other = JwtKeys::new(b"another secret entirely, 32 bytes!", Duration::hours(8));
        assert!(other.verify(&token, now).is_err());
    }

    #[test]
    fn the_previous_secret_verifies_but_never_signs() {
        // Proves a rotation keeps old tokens valid: a token signed with the old secret verifies
        // under the new keys with the old one as previous, new tokens are signed with the new
        // secret only, and a token under a third secret is still refused.
        let old_secret: &[u8] = b"the old secret, thirty-two bytes!!";
        let new_secret: &[u8] = b"the new secret, thirty-two bytes!!";
        let now = Utc::now();
        let old = JwtKeys::new(old_secret, Duration::hours(8));
        let (old_token, _) = old.issue(7, "ae@x.test", Role::Ae, 0, now).unwrap();
        let rotated = JwtKeys::new(new_secret, Duration::hours(8)).with_previous(Some(old_secret));
        assert_eq!(rotated.verify(&old_token, now).unwrap().sub, "7");
        let (new_token, _) = rotated.issue(8, "ae@x.test", Role::Ae, 0, now).unwrap();
        assert!(old.verify(&new_token, now).is_err());
        let stranger = JwtKeys::new(b"a stranger's secret, 32 bytes long", Duration::hours(8));
        let (forged, _) = stranger.issue(1, "x@x.test", Role::Admin, 0, now).unwrap();
        assert!(rotated.verify(&forged, now).is_err());
    }
}
