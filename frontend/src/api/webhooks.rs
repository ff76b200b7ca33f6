//! The outgoing-webhooks part of the API (admin): event types, endpoints (created or rotated with
//! their signing secret, sent in that one answer and never again), enabling and deleting, the
//! delivery log, redelivery and the test ping.

use serde::Deserialize;
use serde_json::json;

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

const ENDPOINT_FIELDS: &str = "id url description eventTypes enabled consecutiveFailures disabledAt disabledReason secretHint createdAt";
const DELIVERY_FIELDS: &str = "id eventId eventType status attempts nextAttemptAt lastStatusCode lastError redeliveryOf createdAt \
     attemptLog { attempt outcome statusCode durationMs responseExcerpt error attemptedAt }";

pub async fn webhook_event_types() -> Result<Vec<WebhookEventType>, ApiError> {
    field(
        "webhookEventTypes",
        "query WebhookEventTypes { webhookEventTypes { code description } }",
        json!({}),
    )
    .await
}

pub async fn webhook_endpoints() -> Result<Vec<WebhookEndpoint>, ApiError> {
    let query = format!("query WebhookEndpoints {{ webhookEndpoints {{ {ENDPOINT_FIELDS} }} }}");
    field("webhookEndpoints", &query, json!({})).await
}

pub async fn webhook_endpoint_create(
    url: String,
    description: String,
    event_types: Vec<String>,
) -> Result<WebhookEndpointWithSecret, ApiError> {
    let query = format!(
        "mutation WebhookEndpointCreate($input: WebhookEndpointCreateInput!) {{ \
           webhookEndpointCreate(input: $input) {{ secret endpoint {{ {ENDPOINT_FIELDS} }} }} }}"
    );
    let input = json!({ "url": url, "description": description, "eventTypes": event_types });
    field("webhookEndpointCreate", &query, json!({ "input": input })).await
}

pub async fn webhook_endpoint_set_enabled(
    id: String,
    enabled: bool,
) -> Result<WebhookEndpoint, ApiError> {
    let query = format!(
        "mutation WebhookEndpointUpdate($input: WebhookEndpointUpdateInput!) {{ \
           webhookEndpointUpdate(input: $input) {{ endpoint {{ {ENDPOINT_FIELDS} }} }} }}"
    );
    let payload: EndpointPayload = field(
        "webhookEndpointUpdate",
        &query,
        json!({ "input": { "id": id, "enabled": enabled } }),
    )
    .await?;
    Ok(payload.endpoint)
}

pub async fn webhook_endpoint_rotate_secret(
    id: String,
) -> Result<WebhookEndpointWithSecret, ApiError> {
    let query = format!(
        "mutation WebhookEndpointRotateSecret($input: WebhookEndpointIdInput!) {{ \
           webhookEndpointRotateSecret(input: $input) {{ secret endpoint {{ {ENDPOINT_FIELDS} }} }} }}"
    );
    field(
        "webhookEndpointRotateSecret",
        &query,
        json!({ "input": { "id": id } }),
    )
    .await
}

pub async fn webhook_endpoint_delete(id: String) -> Result<WebhookEndpoint, ApiError> {
    let query = format!(
        "mutation WebhookEndpointDelete($input: WebhookEndpointIdInput!) {{ \
           webhookEndpointDelete(input: $input) {{ endpoint {{ {ENDPOINT_FIELDS} }} }} }}"
    );
    let payload: EndpointPayload = field(
        "webhookEndpointDelete",
        &query,
        json!({ "input": { "id": id } }),
    )
    .await?;
    Ok(payload.endpoint)
}

pub async fn webhook_deliveries(
    endpoint_id: String,
    after: Option<String>,
) -> Result<Connection<WebhookDelivery>, ApiError> {
    let query = format!(
        "query WebhookDeliveries($endpointId: ID!, $first: Int, $after: String) {{ \
           webhookDeliveries(endpointId: $endpointId, first: $first, after: $after) {{ \
           nodes {{ {DELIVERY_FIELDS} }} pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
    );
    field(
        "webhookDeliveries",
        &query,
        json!({ "endpointId": endpoint_id, "first": 25, "after": after }),
    )
    .await
}

pub async fn webhook_redeliver(delivery_id: String) -> Result<WebhookDelivery, ApiError> {
    let query = format!(
        "mutation WebhookRedeliver($input: WebhookRedeliverInput!) {{ \
           webhookRedeliver(input: $input) {{ delivery {{ {DELIVERY_FIELDS} }} }} }}"
    );
    let payload: DeliveryPayload = field(
        "webhookRedeliver",
        &query,
        json!({ "input": { "deliveryId": delivery_id } }),
    )
    .await?;
    Ok(payload.delivery)
}

pub async fn webhook_test(endpoint_id: String) -> Result<WebhookDelivery, ApiError> {
    let query = format!(
        "mutation WebhookTest($input: WebhookEndpointIdInput!) {{ \
           webhookTest(input: $input) {{ delivery {{ {DELIVERY_FIELDS} }} }} }}"
    );
    let payload: DeliveryPayload = field(
        "webhookTest",
        &query,
        json!({ "input": { "id": endpoint_id } }),
    )
    .await?;
    Ok(payload.delivery)
}
