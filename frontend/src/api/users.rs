//! The user-administration part of the API (admin): people with their role and status, changing
//! a role, deactivating and reactivating an account.

use serde::Deserialize;
use serde_json::json;

use super::{field, ApiError, Connection};

/// The roles a person can hold (`Role`), in the order the role picker offers them.
pub const USER_ROLES: [&str; 10] = [
    "ADMIN",
    "CFO",
    "CRO",
    "VP_REVOPS",
    "VP_FINANCE",
    "AR_SPECIALIST",
    "ACCOUNT_MANAGER",
    "AE",
    "VP_CS",
    "AUDITOR",
];

/// A person's account as the administration page shows it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedUser {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub deactivated_at: Option<String>,
}

impl ManagedUser {
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

#[derive(Deserialize)]
struct UserPayload {
    user: ManagedUser,
}

const FIELDS: &str = "id name email role deactivatedAt";

/// People by name, 50 a page, optionally by role and a search of name and e-mail.
pub async fn managed_users(
    after: Option<String>,
    role: Option<String>,
    search: Option<String>,
) -> Result<Connection<ManagedUser>, ApiError> {
    let query = format!(
        "query ManagedUsers($first: Int, $after: String, $role: Role, $search: String) {{ \
           users(first: $first, after: $after, role: $role, search: $search) {{ nodes {{ {FIELDS} }} \
           pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
    );
    field(
        "users",
        &query,
        json!({ "first": 50, "after": after, "role": role, "search": search }),
    )
    .await
}

async fn user_change(
    operation: &'static str,
    input_type: &str,
    input: serde_json::Value,
) -> Result<ManagedUser, ApiError> {
    let query = format!(
        "mutation Change($input: {input_type}!) {{ {operation}(input: $input) {{ user {{ {FIELDS} }} }} }}"
    );
    let payload: UserPayload = field(operation, &query, json!({ "input": input })).await?;
    Ok(payload.user)
}

pub async fn user_role_set(user_id: String, role: String) -> Result<ManagedUser, ApiError> {
    user_change(
        "userRoleSet",
        "UserRoleSetInput",
        json!({ "userId": user_id, "role": role }),
    )
    .await
}

pub async fn user_deactivate(user_id: String) -> Result<ManagedUser, ApiError> {
    user_change(
        "userDeactivate",
        "UserIdInput",
        json!({ "userId": user_id }),
    )
    .await
}

pub async fn user_reactivate(user_id: String) -> Result<ManagedUser, ApiError> {
    user_change(
        "userReactivate",
        "UserIdInput",
        json!({ "userId": user_id }),
    )
    .await
}
