//! The audit trail: who did what to which record, when, with the record before and after.
//! Rows are written inside the caller's transaction, so a change and its audit row commit together.

pub mod export;

use crate::access::{Actor, Permission};
use crate::entities::audit_entry;
use crate::error::AppResult;
use crate::pagination::{Page, PageRequest};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

/// One change to record. `before`/`after` are snapshots of the record (None for create/delete).
pub struct AuditRecord<'a, B: Serialize, A: Serialize> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub before: Option<&'a B>,
    pub after: Option<&'a A>,
}

pub async fn record<C, B, A>(
    connection: &C,
    actor: Option<&Actor>,
    at: DateTime<Utc>,
    entry: AuditRecord<'_, B, A>,
) -> AppResult<()>
where
    C: ConnectionTrait,
    B: Serialize,
    A: Serialize,
{
    let before_json = entry.before.map(serde_json::to_string).transpose()?;
    let after_json = entry.after.map(serde_json::to_string).transpose()?;
    audit_entry::ActiveModel {
        at: Set(at),
        actor_user_id: Set(actor.map(|actor| actor.user_id)),
        action: Set(entry.action.to_string()),
        entity_type: Set(entry.entity_type.to_string()),
        entity_id: Set(entry.entity_id),
        before_json: Set(before_json),
        after_json: Set(after_json),
        ..Default::default()
    }
    .insert(connection)
    .await?;
    Ok(())
}

/// Audit rows for many records created by one action (an import), inserted in batches; each
/// `(entity id, after JSON)` pair becomes one row, exactly as `record` would write it.
pub async fn record_many<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    at: DateTime<Utc>,
    action: &str,
    entity_type: &str,
    records: Vec<(String, String)>,
) -> AppResult<()> {
    let mut pending = records.into_iter().peekable();
    while pending.peek().is_some() {
        let rows: Vec<audit_entry::ActiveModel> = pending
            .by_ref()
            .take(500)
            .map(|(entity_id, after_json)| audit_entry::ActiveModel {
                at: Set(at),
                actor_user_id: Set(actor.map(|actor| actor.user_id)),
                action: Set(action.to_string()),
                entity_type: Set(entity_type.to_string()),
                entity_id: Set(entity_id),
                before_json: Set(None),
                after_json: Set(Some(after_json)),
                ..Default::default()
            })
            .collect();
        audit_entry::Entity::insert_many(rows)
            .exec_without_returning(connection)
            .await?;
    }
    Ok(())
}

#[derive(Clone)]
pub struct AuditService {
    db: DatabaseConnection,
}

impl AuditService {
    pub fn new(db: DatabaseConnection) -> AuditService {
        AuditService { db }
    }

    /// Newest first, optionally narrowed to one entity type or one record.
    pub async fn list(
        &self,
        actor: &Actor,
        entity_type: Option<String>,
        entity_id: Option<String>,
        page: PageRequest,
    ) -> AppResult<Page<audit_entry::Model>> {
        actor.require(Permission::AuditRead)?;
        let mut query = audit_entry::Entity::find();
        if let Some(entity_type) = entity_type {
            query = query.filter(audit_entry::Column::EntityType.eq(entity_type));
        }
        if let Some(entity_id) = entity_id {
            query = query.filter(audit_entry::Column::EntityId.eq(entity_id));
        }
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_desc(audit_entry::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Ok(Page::new(rows, page, total))
    }
}

use sea_orm::ColumnTrait;
