//! Service accounts (admin): API keys for other systems, created with one role and revoked.
//! The key is in `serviceAccountCreate`'s payload only; nothing else can return it.

use super::loaders::UserLoader;
use super::types::{connection, User};
use super::{actor, app};
use crate::access::Role;
use crate::auth::{self, NewServiceAccount};
use crate::pagination::PageRequest;
use crate::values::parse_id;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ServiceAccountStatus {
    /// Its key works.
    Active,
    /// Its key is refused; a revoked account stays listed for the audit trail.
    Revoked,
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct ServiceAccount {
    pub id: ID,
    pub name: String,
    /// What the key may do: the permissions of this role, as for a person holding it.
    pub role: Role,
    /// The start of its key (`rvk_ab12cd34`), to tell keys apart; the key is never shown again.
    pub key_prefix: String,
    pub status: ServiceAccountStatus,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// When its key last called revops, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub created_by_id: i64,
    #[graphql(skip)]
    pub revoked_by_id: Option<i64>,
}

async fn load_user(ctx: &Context<'_>, id: Option<i64>) -> async_graphql::Result<Option<User>> {
    match id {
        Some(id) => Ok(ctx
            .data_unchecked::<DataLoader<UserLoader>>()
            .load_one(id)
            .await?
            .map(User::from)),
        None => Ok(None),
    }
}

#[ComplexObject]
impl ServiceAccount {
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load_user(ctx, Some(self.created_by_id)).await
    }

    async fn revoked_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load_user(ctx, self.revoked_by_id).await
    }
}

impl From<auth::ServiceAccount> for ServiceAccount {
    fn from(account: auth::ServiceAccount) -> ServiceAccount {
        ServiceAccount {
            id: ID(account.id.to_string()),
            name: account.name,
            role: account.role,
            key_prefix: account.key_prefix,
            status: match account.revoked_at {
                Some(_) => ServiceAccountStatus::Revoked,
                None => ServiceAccountStatus::Active,
            },
            created_at: account.created_at,
            revoked_at: account.revoked_at,
            last_used_at: account.last_used_at,
            created_by_id: account.created_by,
            revoked_by_id: account.revoked_by,
        }
    }
}

connection!(ServiceAccountConnection, ServiceAccountEdge, ServiceAccount);

#[derive(Default)]
pub struct ServiceAccountQuery;

#[Object]
impl ServiceAccountQuery {
    /// Every service account, newest first, revoked ones included (admin).
    async fn service_accounts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<ServiceAccountConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let accounts = app(ctx)
            .auth
            .list_service_accounts(actor(ctx)?, page)
            .await?;
        Ok(ServiceAccountConnection::from_page(
            accounts,
            ServiceAccount::from,
        ))
    }
}

#[derive(InputObject)]
struct ServiceAccountCreateInput {
    /// What calls with it, e.g. "Salesforce sync".
    name: String,
    role: Role,
}

#[derive(SimpleObject)]
struct ServiceAccountCreatePayload {
    service_account: ServiceAccount,
    /// The API key, `rvk_<prefix>_<secret>`, sent as `Authorization: Bearer <key>`. Shown this
    /// once: revops keeps only a hash of it.
    key: String,
}

#[derive(InputObject)]
struct ServiceAccountRevokeInput {
    service_account_id: ID,
}

#[derive(SimpleObject)]
struct ServiceAccountRevokePayload {
    service_account: ServiceAccount,
}

#[derive(Default)]
pub struct ServiceAccountMutation;

#[Object]
impl ServiceAccountMutation {
    /// Creates a service account with one role and returns its key, which is never shown again.
    async fn service_account_create(
        &self,
        ctx: &Context<'_>,
        input: ServiceAccountCreateInput,
    ) -> async_graphql::Result<ServiceAccountCreatePayload> {
        let created = app(ctx)
            .auth
            .create_service_account(
                actor(ctx)?,
                NewServiceAccount {
                    name: input.name,
                    role: input.role,
                },
            )
            .await?;
        Ok(ServiceAccountCreatePayload {
            service_account: created.service_account.into(),
            key: created.key,
        })
    }

    /// Revokes a service account: its key is refused from the next request on (not one's own).
    async fn service_account_revoke(
        &self,
        ctx: &Context<'_>,
        input: ServiceAccountRevokeInput,
    ) -> async_graphql::Result<ServiceAccountRevokePayload> {
        let id = parse_id("serviceAccountId", &input.service_account_id)?;
        let account = app(ctx)
            .auth
            .revoke_service_account(actor(ctx)?, id)
            .await?;
        Ok(ServiceAccountRevokePayload {
            service_account: account.into(),
        })
    }
}
