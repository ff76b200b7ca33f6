//! CRM intake: the inbox of notifications with what became of each, replaying one, and the
//! amendments CRMs sent for approved deals, which VP RevOps resolves.

use super::types::connection;
use super::{actor, app};
use crate::crm::{self, connectors::ConnectorKind, event::Change, mapping::Mapping, IntakeStatus};
use crate::pagination::PageRequest;
use crate::values::parse_id;
use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

#[derive(Clone, SimpleObject)]
pub struct IntakeEvent {
    pub id: ID,
    /// "json", or a connector's name.
    pub connector: String,
    /// The CRM's id of the notification (or the SHA-256 of its body).
    pub event_id: String,
    pub opportunity_id: Option<String>,
    pub status: IntakeStatus,
    /// What processing did, or why it refused.
    pub outcome: String,
    pub deal_id: Option<ID>,
    /// The notification exactly as received.
    pub payload: String,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

impl From<crm::IntakeEvent> for IntakeEvent {
    fn from(event: crm::IntakeEvent) -> IntakeEvent {
        IntakeEvent {
            id: ID(event.id.to_string()),
            connector: event.connector,
            event_id: event.event_id,
            opportunity_id: event.opportunity_id,
            status: event.status,
            outcome: event.outcome,
            deal_id: event.deal_id.map(|id| ID(id.to_string())),
            payload: event.payload,
            received_at: event.received_at,
            processed_at: event.processed_at,
        }
    }
}

connection!(IntakeEventConnection, IntakeEventEdge, IntakeEvent);

#[derive(Clone, SimpleObject)]
pub struct AmendmentChange {
    pub field: String,
    pub from: String,
    pub to: String,
}

#[derive(Clone, SimpleObject)]
pub struct DealAmendment {
    pub id: ID,
    pub deal_id: ID,
    pub intake_event_id: ID,
    pub changes: Vec<AmendmentChange>,
    /// pending, accepted or dismissed.
    pub status: String,
    pub resolution_note: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<crm::DealAmendment> for DealAmendment {
    fn from(amendment: crm::DealAmendment) -> DealAmendment {
        DealAmendment {
            id: ID(amendment.id.to_string()),
            deal_id: ID(amendment.deal_id.to_string()),
            intake_event_id: ID(amendment.intake_event_id.to_string()),
            changes: amendment
                .changes
                .into_iter()
                .map(|Change { field, from, to }| AmendmentChange { field, from, to })
                .collect(),
            status: amendment.status,
            resolution_note: amendment.resolution_note,
            resolved_at: amendment.resolved_at,
            created_at: amendment.created_at,
        }
    }
}

/// A replayed event, with what the deal's checklist still lacks.
#[derive(SimpleObject)]
pub struct IntakeEventReplayPayload {
    pub event: IntakeEvent,
    pub gaps: Vec<String>,
}

#[derive(InputObject)]
pub struct IntakeEventReplayInput {
    pub id: ID,
}

#[derive(InputObject)]
pub struct DealAmendmentResolveInput {
    pub id: ID,
    /// True: the contract will be changed to match (through a contract change); false: dismissed.
    pub accepted: bool,
    pub note: String,
}

#[derive(SimpleObject)]
pub struct DealAmendmentResolvePayload {
    pub amendment: DealAmendment,
}

/// A CRM that pushes deals to revops.
#[derive(Clone, SimpleObject)]
pub struct IntakeConnector {
    pub id: ID,
    /// Part of its URL.
    pub name: String,
    pub kind: ConnectorKind,
    pub organization_id: Option<String>,
    /// HubSpot: the API deals are read from.
    pub api_base_url: Option<String>,
    /// The service account revops acts as for it.
    pub service_account_id: ID,
    /// The field mapping as JSON (fields, values, closedWonStages, currency).
    pub mapping_json: String,
    pub paused: bool,
    pub created_at: DateTime<Utc>,
    pub last_event_at: Option<DateTime<Utc>>,
}

impl From<crm::connectors::Connector> for IntakeConnector {
    fn from(connector: crm::connectors::Connector) -> IntakeConnector {
        IntakeConnector {
            id: ID(connector.id.to_string()),
            name: connector.name,
            kind: connector.kind,
            organization_id: connector.organization_id,
            api_base_url: connector.api_base_url,
            service_account_id: ID(connector.service_account_id.to_string()),
            mapping_json: serde_json::to_string_pretty(&connector.mapping).unwrap_or_default(),
            paused: connector.paused,
            created_at: connector.created_at,
            last_event_at: connector.last_event_at,
        }
    }
}

#[derive(InputObject)]
pub struct IntakeConnectorCreateInput {
    /// Letters, digits and hyphens: part of the connector's URL.
    pub name: String,
    pub kind: ConnectorKind,
    /// Salesforce: the org id (15 or 18 characters) messages must come from.
    pub organization_id: Option<String>,
    /// The service account revops acts as for this CRM (its role needs INTAKE_SUBMIT).
    pub service_account_id: ID,
    /// HubSpot: the app's client secret, which signs its webhooks.
    pub signing_secret: Option<String>,
    /// HubSpot: the CRM API's base URL (https://api.hubapi.com when absent).
    pub api_base_url: Option<String>,
    /// HubSpot: a private app's access token with CRM read scopes.
    pub api_token: Option<String>,
}

#[derive(SimpleObject)]
pub struct IntakeConnectorCreatePayload {
    pub connector: IntakeConnector,
    /// The path to give the CRM (shown once: for Salesforce it carries the secret).
    pub endpoint_path: String,
}

#[derive(InputObject)]
pub struct IntakeConnectorUpdateInput {
    pub id: ID,
    pub paused: Option<bool>,
    /// A replacement mapping as JSON; checked before it is saved.
    pub mapping_json: Option<String>,
}

#[derive(SimpleObject)]
pub struct IntakeConnectorUpdatePayload {
    pub connector: IntakeConnector,
}

#[derive(Default)]
pub struct IntakeQuery;

#[Object]
impl IntakeQuery {
    /// The intake inbox, newest first; `connector` keeps one connector's events ("json" for
    /// `POST /api/intake/deals`).
    async fn intake_events(
        &self,
        ctx: &Context<'_>,
        status: Option<IntakeStatus>,
        connector: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<IntakeEventConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let found = app(ctx)
            .intake
            .events(actor(ctx)?, status, connector.as_deref(), page)
            .await?;
        Ok(IntakeEventConnection::from_page(found, IntakeEvent::from))
    }

    async fn intake_connectors(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<IntakeConnector>> {
        let found = app(ctx).intake.connectors(actor(ctx)?).await?;
        Ok(found.into_iter().map(IntakeConnector::from).collect())
    }

    /// Changes CRMs sent for approved deals, newest first (`pendingOnly` by default).
    async fn deal_amendments(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true)] pending_only: bool,
    ) -> async_graphql::Result<Vec<DealAmendment>> {
        let found = app(ctx)
            .intake
            .amendments(actor(ctx)?, pending_only)
            .await?;
        Ok(found.into_iter().map(DealAmendment::from).collect())
    }
}

#[derive(Default)]
pub struct IntakeMutation;

#[Object]
impl IntakeMutation {
    /// Processes a received or failed inbox event again.
    async fn intake_event_replay(
        &self,
        ctx: &Context<'_>,
        input: IntakeEventReplayInput,
    ) -> async_graphql::Result<IntakeEventReplayPayload> {
        let id = parse_id("id", &input.id)?;
        let outcome = app(ctx).intake.replay(actor(ctx)?, id).await?;
        Ok(IntakeEventReplayPayload {
            event: outcome.event.into(),
            gaps: outcome.gaps,
        })
    }

    /// Registers a CRM (Salesforce org or HubSpot app); the endpoint path is shown once.
    async fn intake_connector_create(
        &self,
        ctx: &Context<'_>,
        input: IntakeConnectorCreateInput,
    ) -> async_graphql::Result<IntakeConnectorCreatePayload> {
        let service_account_id = parse_id("serviceAccountId", &input.service_account_id)?;
        let created = app(ctx)
            .intake
            .create_connector(
                actor(ctx)?,
                crm::connectors::ConnectorInput {
                    name: input.name,
                    kind: input.kind,
                    organization_id: input.organization_id,
                    service_account_id,
                    signing_secret: input.signing_secret,
                    api_base_url: input.api_base_url,
                    api_token: input.api_token,
                },
            )
            .await?;
        Ok(IntakeConnectorCreatePayload {
            connector: created.connector.into(),
            endpoint_path: created.path,
        })
    }

    /// Pauses or resumes a connector, or replaces its field mapping.
    async fn intake_connector_update(
        &self,
        ctx: &Context<'_>,
        input: IntakeConnectorUpdateInput,
    ) -> async_graphql::Result<IntakeConnectorUpdatePayload> {
        let id = parse_id("id", &input.id)?;
        let mapping = match input.mapping_json.as_deref() {
            None => None,
            Some(text) => Some(serde_json::from_str::<Mapping>(text).map_err(|error| {
                crate::error::AppError::validation("mappingJson", format!("Not a mapping: {error}"))
            })?),
        };
        let connector = app(ctx)
            .intake
            .update_connector(actor(ctx)?, id, input.paused, mapping)
            .await?;
        Ok(IntakeConnectorUpdatePayload {
            connector: connector.into(),
        })
    }

    async fn deal_amendment_resolve(
        &self,
        ctx: &Context<'_>,
        input: DealAmendmentResolveInput,
    ) -> async_graphql::Result<DealAmendmentResolvePayload> {
        let id = parse_id("id", &input.id)?;
        let amendment = app(ctx)
            .intake
            .resolve_amendment(actor(ctx)?, id, input.accepted, &input.note)
            .await?;
        Ok(DealAmendmentResolvePayload {
            amendment: amendment.into(),
        })
    }
}
