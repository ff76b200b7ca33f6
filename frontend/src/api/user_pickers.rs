//! Users as pickers list them: everyone or one role's users, with their role.

use super::{enum_value, ops};
use super::{field, ApiError, Connection, UserOption, UserRef};

/// Users for pickers, with their role: everyone (`None`) or one role's users. The API caps a
/// page at 100, which covers the people a company assigns work to.
pub async fn user_options(role: Option<&'static str>) -> Result<Vec<UserOption>, ApiError> {
    let connection: Connection<UserOption> = field::<ops::UserOptions, _>(
        "users",
        ops::user_options::Variables {
            role: role.map(enum_value),
        },
    )
    .await?;
    Ok(connection.nodes)
}

/// Users with one role, for pickers such as the deal's account executive.
pub async fn users_with_role(role: &'static str) -> Result<Vec<UserRef>, ApiError> {
    Ok(user_options(Some(role))
        .await?
        .into_iter()
        .map(|user| UserRef {
            id: user.id,
            name: user.name,
        })
        .collect())
}
