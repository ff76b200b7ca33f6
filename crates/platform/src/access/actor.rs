//! `Actor`: the signed-in user on whose behalf a service call runs.

use super::matrix::{role_has, Permission, Role};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
}

impl Actor {
    pub fn can(&self, permission: Permission) -> bool {
        role_has(self.role, permission)
    }

    /// The first line of every service use case.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if self.can(permission) {
            return Ok(());
        }
        Err(AppError::Denied {
            permission: permission.as_str(),
            message: format!(
                "Your role ({}) does not allow this ({}).",
                self.role.title(),
                permission.as_str()
            ),
        })
    }

    /// An AE works only their own book; every other role that may read deals sees all of them.
    pub fn sees_only_own_deals(&self) -> bool {
        self.role == Role::Ae
    }
}
