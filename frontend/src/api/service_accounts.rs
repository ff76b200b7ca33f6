//! The service-accounts part of the API (admin): the list, creating one — whose key comes back
//! in that one answer and never again — and revoking one.

use serde::Deserialize;
use serde_json::json;

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

const FIELDS: &str =
    "id name role keyPrefix status createdAt createdBy { id name } revokedAt lastUsedAt";

pub async fn service_accounts(
    after: Option<String>,
) -> Result<Connection<ServiceAccount>, ApiError> {
    let query = format!(
        "query ServiceAccounts($first: Int, $after: String) {{ \
           serviceAccounts(first: $first, after: $after) {{ nodes {{ {FIELDS} }} \
           pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
    );
    field(
        "serviceAccounts",
        &query,
        json!({ "first": 50, "after": after }),
    )
    .await
}

pub async fn service_account_create(
    name: String,
    role: String,
) -> Result<CreatedServiceAccount, ApiError> {
    let query = format!(
        "mutation ServiceAccountCreate($input: ServiceAccountCreateInput!) {{ \
           serviceAccountCreate(input: $input) {{ key serviceAccount {{ {FIELDS} }} }} }}"
    );
    field(
        "serviceAccountCreate",
        &query,
        json!({ "input": { "name": name, "role": role } }),
    )
    .await
}

pub async fn service_account_revoke(id: String) -> Result<ServiceAccount, ApiError> {
    let query = format!(
        "mutation ServiceAccountRevoke($input: ServiceAccountRevokeInput!) {{ \
           serviceAccountRevoke(input: $input) {{ serviceAccount {{ {FIELDS} }} }} }}"
    );
    let payload: RevokePayload = field(
        "serviceAccountRevoke",
        &query,
        json!({ "input": { "serviceAccountId": id } }),
    )
    .await?;
    Ok(payload.service_account)
}
