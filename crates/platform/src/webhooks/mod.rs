//! Outgoing webhooks (issue 15 §3): an administrator subscribes an http(s) URL to event types;
//! the areas that own the events call `emit` inside their transactions (the transactional
//! outbox), and the sender (`sender.rs`, run by the scheduler and `run-daily` beside the mail
//! outbox) POSTs each event to each endpoint once, signed with the endpoint's secret
//! (`signature.rs`), with retries, backoff and the shared lease rule of
//! `notifications::lease`. Every attempt is logged; an endpoint whose attempts fail
//! `DISABLE_AFTER_FAILURES` times in a row is disabled (audited) until an admin enables it.

mod endpoints;
pub mod events;
mod log;
pub mod rules;
pub mod sender;
pub mod signature;

pub use events::{emit, emit_many, EventType};

use crate::access::{Actor, Permission};
use crate::clock::SharedClock;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde::Serialize;

/// Attempts at one delivery before it is marked failed (1, 2, 4 … 64 minutes apart).
pub const MAX_ATTEMPTS: i32 = 8;
/// Failed attempts in a row (across deliveries) after which an endpoint is disabled.
pub const DISABLE_AFTER_FAILURES: i32 = 10;
/// Each POST gives up after this long.
pub const TIMEOUT_SECONDS: u64 = 10;
/// The start of each answer kept in the delivery log, in bytes read (and characters kept).
pub const RESPONSE_EXCERPT_CHARS: usize = 1000;

/// An endpoint as lists and audit rows show it: never its secret, only the secret's start.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub consecutive_failures: i32,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    /// `whsec_` and the secret's first four characters, to tell secrets apart after a rotation.
    pub secret_hint: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A created endpoint (or one with a new secret) and the secret, shown this once.
pub struct EndpointWithSecret {
    pub endpoint: WebhookEndpoint,
    pub secret: String,
}

pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
}

/// What `webhookEndpointUpdate` changes; `None` keeps the field.
#[derive(Default)]
pub struct EndpointUpdate {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryAttempt {
    pub attempt: i32,
    /// `delivered` (2xx) or `failed`.
    pub outcome: String,
    pub status_code: Option<i64>,
    pub duration_ms: i64,
    pub response_excerpt: String,
    pub error: Option<String>,
    pub attempted_at: DateTime<Utc>,
}

/// One event to one endpoint, with its attempts (newest deliveries first in the log).
#[derive(Debug, Clone, Serialize)]
pub struct WebhookDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    /// `pending`, `sending`, `delivered`, `failed` or `cancelled` (the endpoint was deleted).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub redelivery_of: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub attempt_log: Vec<DeliveryAttempt>,
}

#[derive(Clone)]
pub struct WebhookService {
    db: DatabaseConnection,
    clock: SharedClock,
    /// How long a sender holds a delivery it claimed (the outbox's lease setting).
    lease: chrono::Duration,
    /// Opens the endpoints' signing secrets, stored encrypted.
    secrets: crate::secrets::SecretBox,
}

impl WebhookService {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        lease: chrono::Duration,
        secrets: crate::secrets::SecretBox,
    ) -> WebhookService {
        WebhookService {
            db,
            clock,
            lease,
            secrets,
        }
    }

    /// Delivers every webhook due now (one sender pass; see `sender::deliver_due`).
    pub async fn deliver_due(&self) -> crate::error::AppResult<sender::DeliveryReport> {
        sender::deliver_due(&self.db, self.clock.now(), self.lease, &self.secrets).await
    }

    /// The event types an endpoint may subscribe to: (code, description).
    pub fn event_types(&self, actor: &Actor) -> crate::error::AppResult<Vec<EventType>> {
        actor.require(Permission::WebhookManage)?;
        Ok(EventType::SUBSCRIBABLE.to_vec())
    }
}
