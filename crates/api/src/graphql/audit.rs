//! The audit log, for admin, CFO and auditor.

use super::loaders::{ServiceAccountLoader, UserLoader};
use super::types::{connection, User};
use super::{actor, app};
use crate::entities::audit_entry;
use crate::pagination::PageRequest;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct AuditEntry {
    pub id: ID,
    pub at: DateTime<Utc>,
    /// e.g. "customer.update", "deal.approve".
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// JSON text of the record before the change.
    pub before: Option<String>,
    /// JSON text of the record after the change.
    pub after: Option<String>,
    #[graphql(skip)]
    pub actor_user_id: Option<i64>,
}

#[ComplexObject]
impl AuditEntry {
    /// Who, in words: the person's name, "service account: Salesforce sync (rvk_ab12cd34)" for
    /// another system calling with an API key, or "System" for the daily jobs and the command line.
    async fn actor_label(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let Some(id) = self.actor_user_id else {
            return Ok("System".into());
        };
        let account = ctx
            .data_unchecked::<DataLoader<ServiceAccountLoader>>()
            .load_one(id)
            .await?;
        if let Some(account) = account {
            return Ok(account.label());
        }
        let user = ctx
            .data_unchecked::<DataLoader<UserLoader>>()
            .load_one(id)
            .await?;
        Ok(user.map_or_else(|| format!("User {id}"), |user| user.name))
    }

    /// The account that acted (a person's or a service account's user); null for the system.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.actor_user_id {
            Some(id) => Ok(ctx
                .data_unchecked::<DataLoader<UserLoader>>()
                .load_one(id)
                .await?
                .map(User::from)),
            None => Ok(None),
        }
    }
}

impl From<audit_entry::Model> for AuditEntry {
    fn from(model: audit_entry::Model) -> AuditEntry {
        AuditEntry {
            id: ID(model.id.to_string()),
            at: model.at,
            action: model.action,
            entity_type: model.entity_type,
            entity_id: model.entity_id,
            before: model.before_json,
            after: model.after_json,
            actor_user_id: model.actor_user_id,
        }
    }
}

connection!(AuditEntryConnection, AuditEntryEdge, AuditEntry);

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Newest first; narrow to an entity type ("customer") or one record.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        entity_type: Option<String>,
        entity_id: Option<String>,
    ) -> async_graphql::Result<AuditEntryConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let entries = app(ctx)
            .audit
            .list(actor(ctx)?, entity_type, entity_id, page)
            .await?;
        Ok(AuditEntryConnection::from_page(entries, AuditEntry::from))
    }
}
