//! CRM closed-won intake. Every notification is kept raw in the inbox (unique per connector and
//! event id) before it is processed, so a CRM's retries are recognised and a failed one can be
//! replayed. Processing is idempotent by CRM opportunity id: the first notification creates a
//! draft deal, later ones update the draft, and a change to an approved deal becomes an
//! amendment waiting for VP RevOps instead of a silent edit. Deals and customers are written
//! through their own services, with the caller (a service account) as the actor.

pub mod connectors;
pub mod event;
pub mod hubspot;
pub mod lines;
pub mod mapping;
pub mod salesforce;
pub mod schema;

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::customers::{CustomerCreateInput, CustomerService};
use crate::deals::{Deal, DealService, DealStatus, DealUpdateInput};
use crate::entities::{customer, deal_amendment, intake_event};
use crate::error::{AppError, AppResult};
use crate::pagination::{Page, PageRequest};
use crate::sha256_hex;
use chrono::{DateTime, Utc};
use event::{Change, DealEvent};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

/// The connector of notifications posted as revops's own JSON.
pub const JSON_CONNECTOR: &str = "json";

/// What became of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum IntakeStatus {
    /// Stored, not processed yet.
    Received,
    /// Being processed by one instance (claimed; another delivery of it waits its turn).
    Processing,
    /// A draft deal was created or updated.
    Applied,
    /// The deal is approved: the change waits for VP RevOps as an amendment.
    Amendment,
    /// Not closed won, or nothing changed: stored and left alone.
    Ignored,
    /// Processing refused it; the outcome says why, and it can be replayed once fixed.
    Failed,
}

impl IntakeStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            IntakeStatus::Received => "received",
            IntakeStatus::Processing => "processing",
            IntakeStatus::Applied => "applied",
            IntakeStatus::Amendment => "amendment",
            IntakeStatus::Ignored => "ignored",
            IntakeStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<IntakeStatus> {
        [
            IntakeStatus::Received,
            IntakeStatus::Processing,
            IntakeStatus::Applied,
            IntakeStatus::Amendment,
            IntakeStatus::Ignored,
            IntakeStatus::Failed,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }

    /// Whether a resend of the event should be answered from the inbox rather than processed.
    fn is_settled(&self) -> bool {
        !matches!(self, IntakeStatus::Received | IntakeStatus::Failed)
    }
}

/// One notification in the inbox.
#[derive(Debug, Clone, Serialize)]
pub struct IntakeEvent {
    pub id: i64,
    pub connector: String,
    pub event_id: String,
    pub opportunity_id: Option<String>,
    pub payload: String,
    pub status: IntakeStatus,
    pub deal_id: Option<i64>,
    pub outcome: String,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

impl TryFrom<intake_event::Model> for IntakeEvent {
    type Error = AppError;

    fn try_from(model: intake_event::Model) -> AppResult<IntakeEvent> {
        Ok(IntakeEvent {
            status: IntakeStatus::parse(&model.status)
                .ok_or_else(|| AppError::internal(format!("intake status {}", model.status)))?,
            id: model.id,
            connector: model.connector,
            event_id: model.event_id,
            opportunity_id: model.opportunity_id,
            payload: model.payload,
            deal_id: model.deal_id,
            outcome: model.outcome,
            received_at: model.received_at,
            processed_at: model.processed_at,
        })
    }
}

/// The answer to a notification: the inbox row, whether it was a resend, and what the deal's
/// checklist still lacks.
#[derive(Debug, Clone, Serialize)]
pub struct IntakeOutcome {
    pub event: IntakeEvent,
    pub duplicate: bool,
    pub gaps: Vec<String>,
}

/// A change a CRM sent for an approved deal.
#[derive(Debug, Clone, Serialize)]
pub struct DealAmendment {
    pub id: i64,
    pub deal_id: i64,
    pub intake_event_id: i64,
    pub changes: Vec<Change>,
    pub status: String,
    pub resolution_note: Option<String>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<deal_amendment::Model> for DealAmendment {
    type Error = AppError;

    fn try_from(model: deal_amendment::Model) -> AppResult<DealAmendment> {
        Ok(DealAmendment {
            id: model.id,
            deal_id: model.deal_id,
            intake_event_id: model.intake_event_id,
            changes: serde_json::from_str(&model.changes_json)?,
            status: model.status,
            resolution_note: model.resolution_note,
            resolved_by: model.resolved_by,
            resolved_at: model.resolved_at,
            created_at: model.created_at,
        })
    }
}

#[derive(Clone)]
pub struct IntakeService {
    db: DatabaseConnection,
    clock: SharedClock,
    deals: DealService,
    customers: CustomerService,
    auth: crate::auth::AuthService,
    /// For reading CRM APIs (HubSpot); bounded by a timeout so a slow CRM cannot hold a request.
    http: reqwest::Client,
    /// Opens the connectors' signing secrets and API tokens, stored encrypted.
    secrets: crate::secrets::SecretBox,
}

mod process;
mod service;
