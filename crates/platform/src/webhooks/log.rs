//! The delivery log of an endpoint (each delivery with its attempts), redelivering one event,
//! and the test ping.

use super::endpoints::find_live;
use super::events::{self, pending_delivery, EventType};
use super::{sender, DeliveryAttempt, WebhookDelivery, WebhookService};
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{webhook_attempt, webhook_delivery, webhook_event};
use crate::error::{AppError, AppResult};
use crate::pagination::{Page, PageRequest};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde_json::json;
use std::collections::HashMap;

impl DeliveryAttempt {
    fn from_model(model: webhook_attempt::Model) -> DeliveryAttempt {
        DeliveryAttempt {
            attempt: model.attempt,
            outcome: model.outcome,
            status_code: model.status_code,
            duration_ms: model.duration_ms,
            response_excerpt: model.response_excerpt,
            error: model.error,
            attempted_at: model.attempted_at,
        }
    }
}

/// The deliveries with their events and attempts, read in two more queries.
async fn assemble<C: ConnectionTrait>(
    connection: &C,
    rows: Vec<webhook_delivery::Model>,
) -> AppResult<Vec<WebhookDelivery>> {
    let events: HashMap<i64, webhook_event::Model> = webhook_event::Entity::find()
        .filter(webhook_event::Column::Id.is_in(rows.iter().map(|row| row.event_id)))
        .all(connection)
        .await?
        .into_iter()
        .map(|event| (event.id, event))
        .collect();
    let mut attempts: HashMap<i64, Vec<DeliveryAttempt>> = HashMap::new();
    for attempt in webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(rows.iter().map(|row| row.id)))
        .order_by_asc(webhook_attempt::Column::Id)
        .all(connection)
        .await?
    {
        attempts
            .entry(attempt.delivery_id)
            .or_default()
            .push(DeliveryAttempt::from_model(attempt));
    }
    rows.into_iter()
        .map(|row| {
            let event = events.get(&row.event_id).ok_or_else(|| {
                AppError::internal(format!("webhook delivery {} has no event", row.id))
            })?;
            Ok(WebhookDelivery {
                id: row.id,
                endpoint_id: row.endpoint_id,
                event_id: event.event_id.clone(),
                event_type: event.event_type.clone(),
                payload: event.payload.clone(),
                status: row.status,
                attempts: row.attempts,
                next_attempt_at: row.next_attempt_at,
                last_status_code: row.last_status_code,
                last_error: row.last_error,
                delivered_at: row.delivered_at,
                redelivery_of: row.redelivery_of,
                created_at: row.created_at,
                attempt_log: attempts.remove(&row.id).unwrap_or_default(),
            })
        })
        .collect()
}

async fn find_delivery<C: ConnectionTrait>(
    connection: &C,
    delivery_id: i64,
) -> AppResult<WebhookDelivery> {
    let row = webhook_delivery::Entity::find_by_id(delivery_id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::not_found(format!("webhook delivery {delivery_id}")))?;
    assemble(connection, vec![row])
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found(format!("webhook delivery {delivery_id}")))
}

impl WebhookService {
    /// An endpoint's deliveries, newest first, each with its attempts.
    pub async fn deliveries(
        &self,
        actor: &Actor,
        endpoint_id: i64,
        page: PageRequest,
    ) -> AppResult<Page<WebhookDelivery>> {
        actor.require(Permission::WebhookManage)?;
        webhook_endpoint_exists(&self.db, endpoint_id).await?;
        let query = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id));
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_desc(webhook_delivery::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Ok(Page::new(assemble(&self.db, rows).await?, page, total))
    }

    /// Sends one event to its endpoint again, as a new delivery (same event id and body, so the
    /// receiver can tell it is a repeat) with a fresh set of attempts.
    pub async fn redeliver(&self, actor: &Actor, delivery_id: i64) -> AppResult<WebhookDelivery> {
        actor.require(Permission::WebhookManage)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let original = webhook_delivery::Entity::find_by_id(delivery_id)
            .one(&transaction)
            .await?
            .ok_or_else(|| AppError::not_found(format!("webhook delivery {delivery_id}")))?;
        let endpoint = find_live(&transaction, original.endpoint_id)
            .await
            .map_err(|_| {
                AppError::validation(
                    "deliveryId",
                    "Its endpoint was deleted; nothing to send to.",
                )
            })?;
        if !endpoint.enabled {
            return Err(AppError::validation(
                "deliveryId",
                "Its endpoint is disabled; enable it first, then redeliver.",
            ));
        }
        let inserted = webhook_delivery::Entity::insert(pending_delivery(
            endpoint.id,
            original.event_id,
            Some(original.id),
            now,
        ))
        .exec(&transaction)
        .await?;
        let delivery = find_delivery(&transaction, inserted.last_insert_id).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), serde_json::Value> {
                action: "webhook_delivery.redeliver",
                entity_type: "webhook_delivery",
                entity_id: delivery.id.to_string(),
                before: None,
                after: Some(&json!({
                    "endpointId": endpoint.id,
                    "eventId": delivery.event_id,
                    "redeliveryOf": original.id,
                })),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(delivery)
    }

    /// Sends a `webhook.test` ping to one endpoint now and returns the delivery with the
    /// attempt's outcome (a failure is retried like any delivery).
    pub async fn test(&self, actor: &Actor, endpoint_id: i64) -> AppResult<WebhookDelivery> {
        actor.require(Permission::WebhookManage)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let endpoint = find_live(&transaction, endpoint_id).await?;
        let data = json!({ "endpointId": endpoint.id, "message": "Test ping from revops." });
        let delivery_ids =
            events::record(&transaction, now, EventType::Test, data, &[endpoint.id]).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), serde_json::Value> {
                action: "webhook_endpoint.test",
                entity_type: "webhook_endpoint",
                entity_id: endpoint.id.to_string(),
                before: None,
                after: Some(&json!({ "deliveryIds": delivery_ids })),
            },
        )
        .await?;
        transaction.commit().await?;
        for delivery_id in &delivery_ids {
            sender::deliver_now(&self.db, *delivery_id, now, self.lease, &self.secrets).await?;
        }
        let delivery_id = delivery_ids
            .first()
            .copied()
            .ok_or_else(|| AppError::internal("the test ping wrote no delivery"))?;
        find_delivery(&self.db, delivery_id).await
    }
}

async fn webhook_endpoint_exists<C: ConnectionTrait>(
    connection: &C,
    endpoint_id: i64,
) -> AppResult<()> {
    use crate::entities::webhook_endpoint;
    webhook_endpoint::Entity::find_by_id(endpoint_id)
        .one(connection)
        .await?
        .map(|_| ())
        .ok_or_else(|| AppError::not_found(format!("webhook endpoint {endpoint_id}")))
}
