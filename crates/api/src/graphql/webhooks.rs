//! Outgoing webhooks (admin): endpoints subscribed to event types, their delivery log,
//! redelivery and a test ping. The signing secret is in the create and rotate payloads only.

use super::types::connection;
use super::{actor, app};
use crate::pagination::PageRequest;
use crate::values::parse_id;
use crate::webhooks::{self, EndpointUpdate, EventType, NewEndpoint};
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

#[derive(Clone, SimpleObject)]
pub struct WebhookEventType {
    /// The wire name, as in the payload's `type`, e.g. `invoice.paid`.
    pub code: String,
    pub description: String,
}

impl From<EventType> for WebhookEventType {
    fn from(event_type: EventType) -> WebhookEventType {
        WebhookEventType {
            code: event_type.code().to_owned(),
            description: event_type.description().to_owned(),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct WebhookEndpoint {
    pub id: ID,
    pub url: String,
    pub description: String,
    /// The event type codes it receives.
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Failed attempts in a row; at 10 the endpoint is disabled.
    pub consecutive_failures: i32,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Why it is disabled (by an administrator, or after repeated failures).
    pub disabled_reason: Option<String>,
    /// The start of its secret (`whsec_ab12`), to tell secrets apart; the secret is never shown again.
    pub secret_hint: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<webhooks::WebhookEndpoint> for WebhookEndpoint {
    fn from(endpoint: webhooks::WebhookEndpoint) -> WebhookEndpoint {
        WebhookEndpoint {
            id: ID(endpoint.id.to_string()),
            url: endpoint.url,
            description: endpoint.description,
            event_types: endpoint.event_types,
            enabled: endpoint.enabled,
            consecutive_failures: endpoint.consecutive_failures,
            disabled_at: endpoint.disabled_at,
            disabled_reason: endpoint.disabled_reason,
            secret_hint: endpoint.secret_hint,
            created_at: endpoint.created_at,
            updated_at: endpoint.updated_at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum WebhookDeliveryStatus {
    /// Waiting for its first attempt or a retry.
    Pending,
    /// A sender holds it right now.
    Sending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt failed; redeliver it once the endpoint is fixed.
    Failed,
    /// The endpoint was deleted before it was delivered.
    Cancelled,
}

impl WebhookDeliveryStatus {
    fn parse(text: &str) -> WebhookDeliveryStatus {
        match text {
            "sending" => WebhookDeliveryStatus::Sending,
            "delivered" => WebhookDeliveryStatus::Delivered,
            "failed" => WebhookDeliveryStatus::Failed,
            "cancelled" => WebhookDeliveryStatus::Cancelled,
            _ => WebhookDeliveryStatus::Pending,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct WebhookAttempt {
    pub attempt: i32,
    /// `delivered` or `failed`.
    pub outcome: String,
    /// The HTTP status the endpoint answered, if it answered.
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    /// The start of the answer's body (at most 1,000 characters).
    pub response_excerpt: String,
    pub error: Option<String>,
    pub attempted_at: DateTime<Utc>,
}

#[derive(Clone, SimpleObject)]
pub struct WebhookDelivery {
    pub id: ID,
    pub endpoint_id: ID,
    /// The event's `id` (the same for a redelivery).
    pub event_id: String,
    pub event_type: String,
    /// The exact JSON body sent.
    pub payload: String,
    pub status: WebhookDeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The delivery this one repeats, when it is a redelivery.
    pub redelivery_of: Option<ID>,
    pub created_at: DateTime<Utc>,
    /// Each HTTP attempt, oldest first.
    pub attempt_log: Vec<WebhookAttempt>,
}

fn status_code(code: Option<i64>) -> Option<i32> {
    code.and_then(|code| i32::try_from(code).ok())
}

impl From<webhooks::WebhookDelivery> for WebhookDelivery {
    fn from(delivery: webhooks::WebhookDelivery) -> WebhookDelivery {
        let status = WebhookDeliveryStatus::parse(&delivery.status);
        let waiting = matches!(
            status,
            WebhookDeliveryStatus::Pending | WebhookDeliveryStatus::Sending
        );
        WebhookDelivery {
            id: ID(delivery.id.to_string()),
            endpoint_id: ID(delivery.endpoint_id.to_string()),
            event_id: delivery.event_id,
            event_type: delivery.event_type,
            payload: delivery.payload,
            status,
            attempts: delivery.attempts,
            next_attempt_at: waiting.then_some(delivery.next_attempt_at),
            last_status_code: status_code(delivery.last_status_code),
            last_error: delivery.last_error,
            delivered_at: delivery.delivered_at,
            redelivery_of: delivery.redelivery_of.map(|id| ID(id.to_string())),
            created_at: delivery.created_at,
            attempt_log: delivery
                .attempt_log
                .into_iter()
                .map(|attempt| WebhookAttempt {
                    attempt: attempt.attempt,
                    outcome: attempt.outcome,
                    status_code: status_code(attempt.status_code),
                    duration_ms: attempt.duration_ms,
                    response_excerpt: attempt.response_excerpt,
                    error: attempt.error,
                    attempted_at: attempt.attempted_at,
                })
                .collect(),
        }
    }
}

connection!(
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookDelivery
);

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The event types an endpoint can subscribe to (admin).
    async fn webhook_event_types(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WebhookEventType>> {
        let types = app(ctx).webhooks.event_types(actor(ctx)?)?;
        Ok(types.into_iter().map(WebhookEventType::from).collect())
    }

    /// Every webhook endpoint, oldest first (admin).
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WebhookEndpoint>> {
        let endpoints = app(ctx).webhooks.endpoints(actor(ctx)?).await?;
        Ok(endpoints.into_iter().map(WebhookEndpoint::from).collect())
    }

    /// An endpoint's delivery log, newest first, each delivery with its attempts (admin).
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        endpoint_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<WebhookDeliveryConnection> {
        let endpoint_id = parse_id("endpointId", &endpoint_id)?;
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let deliveries = app(ctx)
            .webhooks
            .deliveries(actor(ctx)?, endpoint_id, page)
            .await?;
        Ok(WebhookDeliveryConnection::from_page(
            deliveries,
            WebhookDelivery::from,
        ))
    }
}

#[derive(InputObject)]
struct WebhookEndpointCreateInput {
    /// An http(s) URL that accepts POSTed JSON.
    url: String,
    #[graphql(default)]
    description: String,
    /// Event type codes from `webhookEventTypes`, at least one.
    event_types: Vec<String>,
}

#[derive(SimpleObject)]
struct WebhookEndpointSecretPayload {
    endpoint: WebhookEndpoint,
    /// The signing secret (`whsec_…`), shown this once: keep it where the receiver can read it.
    secret: String,
}

#[derive(InputObject)]
struct WebhookEndpointUpdateInput {
    id: ID,
    url: Option<String>,
    description: Option<String>,
    event_types: Option<Vec<String>>,
    /// `true` re-enables a disabled endpoint (clearing its failure count).
    enabled: Option<bool>,
}

#[derive(InputObject)]
struct WebhookEndpointIdInput {
    id: ID,
}

#[derive(SimpleObject)]
struct WebhookEndpointPayload {
    endpoint: WebhookEndpoint,
}

#[derive(InputObject)]
struct WebhookRedeliverInput {
    delivery_id: ID,
}

#[derive(SimpleObject)]
struct WebhookDeliveryPayload {
    delivery: WebhookDelivery,
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Subscribes a URL to event types and returns its signing secret, never shown again.
    async fn webhook_endpoint_create(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointCreateInput,
    ) -> async_graphql::Result<WebhookEndpointSecretPayload> {
        let created = app(ctx)
            .webhooks
            .create_endpoint(
                actor(ctx)?,
                NewEndpoint {
                    url: input.url,
                    description: input.description,
                    event_types: input.event_types,
                },
            )
            .await?;
        Ok(WebhookEndpointSecretPayload {
            endpoint: created.endpoint.into(),
            secret: created.secret,
        })
    }

    /// Changes an endpoint's URL, description, event types or whether it is enabled.
    async fn webhook_endpoint_update(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointUpdateInput,
    ) -> async_graphql::Result<WebhookEndpointPayload> {
        let id = parse_id("id", &input.id)?;
        let endpoint = app(ctx)
            .webhooks
            .update_endpoint(
                actor(ctx)?,
                id,
                EndpointUpdate {
                    url: input.url,
                    description: input.description,
                    event_types: input.event_types,
                    enabled: input.enabled,
                },
            )
            .await?;
        Ok(WebhookEndpointPayload {
            endpoint: endpoint.into(),
        })
    }

    /// Replaces an endpoint's signing secret and returns the new one, shown this once.
    async fn webhook_endpoint_rotate_secret(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointIdInput,
    ) -> async_graphql::Result<WebhookEndpointSecretPayload> {
        let id = parse_id("id", &input.id)?;
        let rotated = app(ctx).webhooks.rotate_secret(actor(ctx)?, id).await?;
        Ok(WebhookEndpointSecretPayload {
            endpoint: rotated.endpoint.into(),
            secret: rotated.secret,
        })
    }

    /// Deletes an endpoint; deliveries still waiting are cancelled.
    async fn webhook_endpoint_delete(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointIdInput,
    ) -> async_graphql::Result<WebhookEndpointPayload> {
        let id = parse_id("id", &input.id)?;
        let endpoint = app(ctx).webhooks.delete_endpoint(actor(ctx)?, id).await?;
        Ok(WebhookEndpointPayload {
            endpoint: endpoint.into(),
        })
    }

    /// Sends a delivery's event to its endpoint again, as a new delivery.
    async fn webhook_redeliver(
        &self,
        ctx: &Context<'_>,
        input: WebhookRedeliverInput,
    ) -> async_graphql::Result<WebhookDeliveryPayload> {
        let id = parse_id("deliveryId", &input.delivery_id)?;
        let delivery = app(ctx).webhooks.redeliver(actor(ctx)?, id).await?;
        Ok(WebhookDeliveryPayload {
            delivery: delivery.into(),
        })
    }

    /// Sends a `webhook.test` ping to the endpoint now and returns the delivery with its outcome.
    async fn webhook_test(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointIdInput,
    ) -> async_graphql::Result<WebhookDeliveryPayload> {
        let id = parse_id("id", &input.id)?;
        let delivery = app(ctx).webhooks.test(actor(ctx)?, id).await?;
        Ok(WebhookDeliveryPayload {
            delivery: delivery.into(),
        })
    }
}
