//! The user-administration part of the API (admin): people with their role and status, changing
//! a role, deactivating and reactivating an account.

use serde::Deserialize;

use super::{enum_value, ops};
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

/// People by name, 50 a page, optionally by role and a search of name and e-mail.
pub async fn managed_users(
    after: Option<String>,
    role: Option<String>,
    search: Option<String>,
) -> Result<Connection<ManagedUser>, ApiError> {
    field::<ops::ManagedUsers, _>(
        "users",
        ops::managed_users::Variables {
            first: Some(i64::from(50)),
            after,
            role: role.map(enum_value),
            search,
        },
    )
    .await
}

pub async fn user_role_set(user_id: String, role: String) -> Result<ManagedUser, ApiError> {
    let payload: UserPayload = field::<ops::UserRoleSet, _>(
        "userRoleSet",
        ops::user_role_set::Variables {
            input: ops::user_role_set::UserRoleSetInput {
                user_id,
                role: enum_value(role),
            },
        },
    )
    .await?;
    Ok(payload.user)
}

pub async fn user_deactivate(user_id: String) -> Result<ManagedUser, ApiError> {
    let payload: UserPayload = field::<ops::UserDeactivate, _>(
        "userDeactivate",
        ops::user_deactivate::Variables {
            input: ops::user_deactivate::UserIdInput { user_id },
        },
    )
    .await?;
    Ok(payload.user)
}

pub async fn user_reactivate(user_id: String) -> Result<ManagedUser, ApiError> {
    let payload: UserPayload = field::<ops::UserReactivate, _>(
        "userReactivate",
        ops::user_reactivate::Variables {
            input: ops::user_reactivate::UserIdInput { user_id },
        },
    )
    .await?;
    Ok(payload.user)
}
