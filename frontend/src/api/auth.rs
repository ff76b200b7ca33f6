//! Signing in and out: the login that hands back a token, revoking the user's tokens, and who is
//! signed in.

use serde::Deserialize;

use super::ops;
use super::{field, ApiError, User};

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginPayload {
    pub token: String,
    pub user: User,
}

pub async fn login(email: String, password: String) -> Result<LoginPayload, ApiError> {
    field::<ops::Login, _>(
        "login",
        ops::login::Variables {
            input: ops::login::LoginInput { email, password },
        },
    )
    .await
}

/// Revokes every token of the signed-in user on the server (all devices).
pub async fn logout() -> Result<serde_json::Value, ApiError> {
    field::<ops::Logout, _>("logout", ops::logout::Variables).await
}

pub async fn me() -> Result<User, ApiError> {
    field::<ops::Me, _>("me", ops::me::Variables).await
}
