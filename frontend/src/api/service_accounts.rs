//! The service-accounts part of the API (admin): the list, creating one — whose key comes back
//! in that one answer and never again — and revoking one.

use serde::Deserialize;

use super::{enum_value, ops};
use super::{field, ApiError, Connection, UserRef};

/// The roles a service account can hold (`Role`), in the order the form offers them.
pub const SERVICE_ACCOUNT_ROLES: [&str; 10] = [
    "AUDITOR",
    "ACCOUNT_MANAGER",
    "AR_SPECIALIST",
    "AE",
    "VP_CS",
    "VP_REVOPS",
    "VP_FINANCE",
    "CRO",
    "CFO",
    "ADMIN",
];

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccount {
    pub id: String,
    pub name: String,
    pub role: String,
    /// `rvk_ab12cd34`, the start of the key.
    pub key_prefix: String,
    /// `ACTIVE` or `REVOKED`.
    pub status: String,
    pub created_at: String,
    pub created_by: Option<UserRef>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

impl ServiceAccount {
    pub fn is_active(&self) -> bool {
        self.status == "ACTIVE"
    }
}

/// A new service account and its key: the only time the key is ever sent.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedServiceAccount {
    pub service_account: ServiceAccount,
    pub key: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevokePayload {
    service_account: ServiceAccount,
}

pub async fn service_accounts(
    after: Option<String>,
) -> Result<Connection<ServiceAccount>, ApiError> {
    field::<ops::ServiceAccounts, _>(
        "serviceAccounts",
        ops::service_accounts::Variables {
            first: Some(i64::from(50)),
            after,
        },
    )
    .await
}

pub async fn service_account_create(
    name: String,
    role: String,
) -> Result<CreatedServiceAccount, ApiError> {
    field::<ops::ServiceAccountCreate, _>(
        "serviceAccountCreate",
        ops::service_account_create::Variables {
            input: ops::service_account_create::ServiceAccountCreateInput {
                name,
                role: enum_value(role),
            },
        },
    )
    .await
}

pub async fn service_account_revoke(id: String) -> Result<ServiceAccount, ApiError> {
    let payload: RevokePayload = field::<ops::ServiceAccountRevoke, _>(
        "serviceAccountRevoke",
        ops::service_account_revoke::Variables {
            input: ops::service_account_revoke::ServiceAccountRevokeInput {
                service_account_id: id,
            },
        },
    )
    .await?;
    Ok(payload.service_account)
}
