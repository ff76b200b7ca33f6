//! The outgoing-webhooks part of the API (admin): event types, endpoints (created or rotated with
//! their signing secret, sent in that one answer and never again), enabling and deleting, the
//! delivery log, redelivery and the test ping.

use serde::Deserialize;

use super::ops;
use super::{field, ApiError, Connection};

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEventType {
    pub code: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub consecutive_failures: i32,
    pub disabled_at: Option<String>,
    pub disabled_reason: Option<String>,
    /// `whsec_ab12`, the start of the secret.
    pub secret_hint: String,
    pub created_at: String,
}

/// An endpoint with its signing secret: the only time the secret is sent.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpointWithSecret {
    pub endpoint: WebhookEndpoint,
    pub secret: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAttempt {
    pub attempt: i32,
    pub outcome: String,
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    pub response_excerpt: String,
    pub error: Option<String>,
    pub attempted_at: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    /// `PENDING`, `SENDING`, `DELIVERED`, `FAILED` or `CANCELLED`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<String>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub redelivery_of: Option<String>,
    pub created_at: String,
    pub attempt_log: Vec<WebhookAttempt>,
}

#[derive(Deserialize)]
struct EndpointPayload {
    endpoint: WebhookEndpoint,
}

#[derive(Deserialize)]
struct DeliveryPayload {
    delivery: WebhookDelivery,
}

pub async fn webhook_event_types() -> Result<Vec<WebhookEventType>, ApiError> {
    field::<ops::WebhookEventTypes, _>("webhookEventTypes", ops::webhook_event_types::Variables)
        .await
}

pub async fn webhook_endpoints() -> Result<Vec<WebhookEndpoint>, ApiError> {
    field::<ops::WebhookEndpoints, _>("webhookEndpoints", ops::webhook_endpoints::Variables).await
}

pub async fn webhook_endpoint_create(
    url: String,
    description: String,
    event_types: Vec<String>,
) -> Result<WebhookEndpointWithSecret, ApiError> {
    field::<ops::WebhookEndpointCreate, _>(
        "webhookEndpointCreate",
        ops::webhook_endpoint_create::Variables {
            input: ops::webhook_endpoint_create::WebhookEndpointCreateInput {
                description,
                event_types,
                url,
            },
        },
    )
    .await
}

pub async fn webhook_endpoint_set_enabled(
    id: String,
    enabled: bool,
) -> Result<WebhookEndpoint, ApiError> {
    let payload: EndpointPayload = field::<ops::WebhookEndpointUpdate, _>(
        "webhookEndpointUpdate",
        ops::webhook_endpoint_update::Variables {
            input: ops::webhook_endpoint_update::WebhookEndpointUpdateInput {
                description: None,
                enabled: Some(enabled),
                event_types: None,
                id,
                url: None,
            },
        },
    )
    .await?;
    Ok(payload.endpoint)
}

pub async fn webhook_endpoint_rotate_secret(
    id: String,
) -> Result<WebhookEndpointWithSecret, ApiError> {
    field::<ops::WebhookEndpointRotateSecret, _>(
        "webhookEndpointRotateSecret",
        ops::webhook_endpoint_rotate_secret::Variables {
            input: ops::webhook_endpoint_rotate_secret::WebhookEndpointIdInput { id },
        },
    )
    .await
}

pub async fn webhook_endpoint_delete(id: String) -> Result<WebhookEndpoint, ApiError> {
    let payload: EndpointPayload = field::<ops::WebhookEndpointDelete, _>(
        "webhookEndpointDelete",
        ops::webhook_endpoint_delete::Variables {
            input: ops::webhook_endpoint_delete::WebhookEndpointIdInput { id },
        },
    )
    .await?;
    Ok(payload.endpoint)
}

pub async fn webhook_deliveries(
    endpoint_id: String,
    after: Option<String>,
) -> Result<Connection<WebhookDelivery>, ApiError> {
    field::<ops::WebhookDeliveries, _>(
        "webhookDeliveries",
        ops::webhook_deliveries::Variables {
            endpoint_id,
            first: Some(i64::from(25)),
            after,
        },
    )
    .await
}

pub async fn webhook_redeliver(delivery_id: String) -> Result<WebhookDelivery, ApiError> {
    let payload: DeliveryPayload = field::<ops::WebhookRedeliver, _>(
        "webhookRedeliver",
        ops::webhook_redeliver::Variables {
            input: ops::webhook_redeliver::WebhookRedeliverInput { delivery_id },
        },
    )
    .await?;
    Ok(payload.delivery)
}

pub async fn webhook_test(endpoint_id: String) -> Result<WebhookDelivery, ApiError> {
    let payload: DeliveryPayload = field::<ops::WebhookTest, _>(
        "webhookTest",
        ops::webhook_test::Variables {
            input: ops::webhook_test::WebhookEndpointIdInput { id: endpoint_id },
        },
    )
    .await?;
    Ok(payload.delivery)
}
