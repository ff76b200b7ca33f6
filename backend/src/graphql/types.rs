//! Shared GraphQL shapes: money, users, page info and the connection macro.

use crate::auth::{self, Role};
use crate::money::Money as DomainMoney;
use crate::pagination::{encode_cursor, Page};
use async_graphql::{Enum, SimpleObject, ID};

/// Money on the wire: the amount as a decimal string in the currency's decimals, never a number.
#[derive(Debug, Clone, SimpleObject)]
pub struct Money {
    pub amount: String,
    pub currency: String,
}

impl From<DomainMoney> for Money {
    fn from(money: DomainMoney) -> Money {
        Money {
            amount: money.amount_string(),
            currency: money.currency().code().to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "Role")]
pub enum RoleValue {
    Admin,
    Cfo,
    Cro,
    VpRevops,
    VpFinance,
    ArSpecialist,
    AccountManager,
    Ae,
    VpCs,
    Auditor,
}

impl From<Role> for RoleValue {
    fn from(role: Role) -> RoleValue {
        match role {
            Role::Admin => RoleValue::Admin,
            Role::Cfo => RoleValue::Cfo,
            Role::Cro => RoleValue::Cro,
            Role::VpRevops => RoleValue::VpRevops,
            Role::VpFinance => RoleValue::VpFinance,
            Role::ArSpecialist => RoleValue::ArSpecialist,
            Role::AccountManager => RoleValue::AccountManager,
            Role::Ae => RoleValue::Ae,
            Role::VpCs => RoleValue::VpCs,
            Role::Auditor => RoleValue::Auditor,
        }
    }
}

impl From<RoleValue> for Role {
    fn from(role: RoleValue) -> Role {
        match role {
            RoleValue::Admin => Role::Admin,
            RoleValue::Cfo => Role::Cfo,
            RoleValue::Cro => Role::Cro,
            RoleValue::VpRevops => Role::VpRevops,
            RoleValue::VpFinance => Role::VpFinance,
            RoleValue::ArSpecialist => Role::ArSpecialist,
            RoleValue::AccountManager => Role::AccountManager,
            RoleValue::Ae => Role::Ae,
            RoleValue::VpCs => Role::VpCs,
            RoleValue::Auditor => Role::Auditor,
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct User {
    pub id: ID,
    pub email: String,
    pub name: String,
    pub role: RoleValue,
    /// The permission names this user's role holds, for showing navigation; the server decides.
    pub permissions: Vec<String>,
}

impl From<auth::User> for User {
    fn from(user: auth::User) -> User {
        User {
            id: ID(user.id.to_string()),
            email: user.email,
            name: user.name,
            role: user.role.into(),
            permissions: auth::matrix::permissions_of(user.role)
                .iter()
                .map(|permission| permission.as_str().to_string())
                .collect(),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// Declares `<Name>Connection` and `<Name>Edge` for a node type (Relay shape plus `nodes` and
/// `totalCount`).
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty) => {
        #[derive(Clone, async_graphql::SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
        }

        #[derive(Clone, async_graphql::SimpleObject)]
        pub struct $connection {
            pub edges: Vec<$edge>,
            pub nodes: Vec<$node>,
            pub page_info: $crate::graphql::types::PageInfo,
            pub total_count: i64,
        }

        impl $connection {
            pub fn from_page<T>(
                page: $crate::pagination::Page<T>,
                convert: impl Fn(T) -> $node,
            ) -> $connection {
                let (edges, page_info, total_count) =
                    $crate::graphql::types::edges_of(page, convert);
                let nodes = edges.iter().map(|(_, node)| node.clone()).collect();
                $connection {
                    edges: edges
                        .into_iter()
                        .map(|(cursor, node)| $edge { cursor, node })
                        .collect(),
                    nodes,
                    page_info,
                    total_count,
                }
            }
        }
    };
}
pub(crate) use connection;

pub fn edges_of<T, N>(
    page: Page<T>,
    convert: impl Fn(T) -> N,
) -> (Vec<(String, N)>, PageInfo, i64) {
    let offset = page.offset;
    let edges: Vec<(String, N)> = page
        .items
        .into_iter()
        .enumerate()
        .map(|(index, item)| (encode_cursor(offset + index as u64), convert(item)))
        .collect();
    let page_info = PageInfo {
        has_next_page: page.has_next_page,
        end_cursor: edges.last().map(|(cursor, _)| cursor.clone()),
    };
    (
        edges,
        page_info,
        i64::try_from(page.total_count).unwrap_or(i64::MAX),
    )
}

connection!(UserConnection, UserEdge, User);
