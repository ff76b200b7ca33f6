//! Shared GraphQL shapes: money, users, page info and the connection macro.

use crate::access::{self, Role};
use crate::auth;
use crate::money::Money as DomainMoney;
use crate::pagination::{encode_cursor, Page};
use async_graphql::{SimpleObject, ID};

/// Money on the wire: the amount as a decimal string in the currency's decimals, never a number.
#[derive(Debug, Clone, SimpleObject)]
pub struct Money {
    pub amount: String,
    pub currency: String,
}

impl Money {
    /// A total that may exceed one stored amount's range (a trial balance line), in 128 bits.
    pub fn wide(minor: i128, currency: crate::money::Currency) -> Money {
        Money {
            amount: crate::money::amount_string_of(minor, currency),
            currency: currency.code().to_string(),
        }
    }
}

impl From<DomainMoney> for Money {
    fn from(money: DomainMoney) -> Money {
        Money {
            amount: money.amount_string(),
            currency: money.currency().code().to_string(),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct User {
    pub id: ID,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// A person, or a service account (another system calling with an API key).
    pub kind: auth::UserKind,
    /// The permission names this user's role holds, for showing navigation; the server decides.
    pub permissions: Vec<String>,
    /// When an administrator deactivated the account; null while it is active.
    pub deactivated_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<auth::User> for User {
    fn from(user: auth::User) -> User {
        User {
            id: ID(user.id.to_string()),
            email: user.email,
            name: user.name,
            role: user.role,
            kind: user.kind,
            permissions: access::matrix::permissions_of(user.role)
                .iter()
                .map(|permission| permission.as_str().to_string())
                .collect(),
            deactivated_at: user.deactivated_at,
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

/// Looks up each id with `get` for the lookups by a list of ids that pages make for their labels
/// (`customersByIds`, `invoicesByIds`, `dealsByIds`): at most a page's worth, duplicates read
/// once, in the order given. An id the reader may not see, or that does not exist, is left out
/// rather than failing the list; `field` names the argument in errors.
pub async fn by_ids<T, F, Fut>(
    field: &str,
    ids: Vec<async_graphql::ID>,
    get: F,
) -> crate::error::AppResult<Vec<T>>
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = crate::error::AppResult<T>>,
{
    if ids.len() as u64 > crate::pagination::MAX_PAGE_SIZE {
        return Err(crate::error::AppError::Limit(format!(
            "`{field}` may hold at most {} ids.",
            crate::pagination::MAX_PAGE_SIZE
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::with_capacity(ids.len());
    for id in &ids {
        let id = crate::values::parse_id(field, id)?;
        if !seen.insert(id) {
            continue;
        }
        match get(id).await {
            Ok(item) => found.push(item),
            Err(crate::error::AppError::NotFound(_) | crate::error::AppError::Forbidden(_)) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(found)
}
