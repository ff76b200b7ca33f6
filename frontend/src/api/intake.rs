//! The CRM intake part of the API: connectors (list, create, pause, mapping), the inbox of
//! notifications with replay, and the amendments CRMs sent for approved deals.

use serde::Deserialize;
use serde_json::Value;

use super::{data, field, ApiError, Connection};
use super::{enum_value, input_value, ops};

/// The connector name `POST /api/intake/deals` stores its events under.
pub const JSON_CONNECTOR: &str = "json";

/// The statuses of an inbox event (`IntakeStatus`), in the order a person reads them.
pub const INTAKE_STATUSES: [&str; 6] = [
    "FAILED",
    "RECEIVED",
    "PROCESSING",
    "APPLIED",
    "AMENDMENT",
    "IGNORED",
];

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntakeConnector {
    pub id: String,
    pub name: String,
    /// `SALESFORCE` or `HUBSPOT`.
    pub kind: String,
    pub organization_id: Option<String>,
    pub api_base_url: Option<String>,
    pub service_account_id: String,
    pub mapping_json: String,
    pub paused: bool,
    pub created_at: String,
    pub last_event_at: Option<String>,
}

impl IntakeConnector {
    /// The path the CRM posts to. A Salesforce path ends in the secret, which revops shows only
    /// when the connector is created; here it stands as a placeholder.
    pub fn endpoint_path(&self) -> String {
        match self.kind.as_str() {
            "SALESFORCE" => format!(
                "/api/intake/salesforce/{}/<secret shown when it was created>",
                self.name
            ),
            _ => format!("/api/intake/hubspot/{}", self.name),
        }
    }
}

/// A new connector and the path to give the CRM: the only time a Salesforce secret is sent.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedConnector {
    pub connector: IntakeConnector,
    pub endpoint_path: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntakeEvent {
    pub id: String,
    pub connector: String,
    pub event_id: String,
    pub opportunity_id: Option<String>,
    pub status: String,
    pub outcome: String,
    pub deal_id: Option<String>,
    pub payload: String,
    pub received_at: String,
    pub processed_at: Option<String>,
}

impl IntakeEvent {
    /// The server processes again only events still received or failed (or a claim long dead,
    /// which it decides itself).
    pub fn can_replay(&self) -> bool {
        matches!(self.status.as_str(), "RECEIVED" | "FAILED")
    }
}

/// A replayed event and what its deal's checklist still lacks.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayedEvent {
    pub event: IntakeEvent,
    pub gaps: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendmentChange {
    pub field: String,
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealAmendment {
    pub id: String,
    pub deal_id: String,
    pub intake_event_id: String,
    pub changes: Vec<AmendmentChange>,
    /// `pending`, `accepted` or `dismissed`.
    pub status: String,
    pub resolution_note: Option<String>,
    pub resolved_at: Option<String>,
    pub created_at: String,
}

/// What the amendments list says about a deal: its customer and product.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealSummary {
    pub id: String,
    pub crm_opportunity_id: String,
    pub product_name: Option<String>,
    pub customer: Option<super::CustomerName>,
}

/// How many of a connector's events are in each status, in `INTAKE_STATUSES` order.
#[derive(Clone, Debug, PartialEq)]
pub struct EventCounts(pub Vec<(&'static str, i64)>);

impl EventCounts {
    pub fn total(&self) -> i64 {
        self.0.iter().map(|(_, count)| count).sum()
    }
}

pub async fn intake_connectors() -> Result<Vec<IntakeConnector>, ApiError> {
    field::<ops::IntakeConnectors, _>("intakeConnectors", ops::intake_connectors::Variables).await
}

/// One connector; the API lists them all (a company has a handful), so it is found in the list.
pub async fn intake_connector(id: String) -> Result<IntakeConnector, ApiError> {
    intake_connectors()
        .await?
        .into_iter()
        .find(|connector| connector.id == id)
        .ok_or_else(|| {
            ApiError::single(
                super::ErrorCode::NotFound,
                format!("Connector #{id} does not exist."),
            )
        })
}

/// `input` is an `IntakeConnectorCreateInput`.
pub async fn intake_connector_create(input: Value) -> Result<CreatedConnector, ApiError> {
    field::<ops::IntakeConnectorCreate, _>(
        "intakeConnectorCreate",
        ops::intake_connector_create::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

#[derive(Deserialize)]
struct UpdatePayload {
    connector: IntakeConnector,
}

/// Pauses or resumes (`paused`), or replaces the mapping (`mapping_json`); absent is unchanged.
pub async fn intake_connector_update(
    id: String,
    paused: Option<bool>,
    mapping_json: Option<String>,
) -> Result<IntakeConnector, ApiError> {
    let payload: UpdatePayload = field::<ops::IntakeConnectorUpdate, _>(
        "intakeConnectorUpdate",
        ops::intake_connector_update::Variables {
            input: ops::intake_connector_update::IntakeConnectorUpdateInput {
                id,
                mapping_json,
                paused,
            },
        },
    )
    .await?;
    Ok(payload.connector)
}

/// The inbox, newest first; `connector` keeps one connector's events.
pub async fn intake_events(
    connector: Option<String>,
    status: Option<String>,
    first: u32,
    after: Option<String>,
) -> Result<Connection<IntakeEvent>, ApiError> {
    field::<ops::IntakeEvents, _>(
        "intakeEvents",
        ops::intake_events::Variables {
            connector,
            status: status.map(enum_value),
            first: Some(i64::from(first)),
            after,
        },
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CountOnly {
    total_count: i64,
}

/// A connector's events counted by status, in one request (one alias per status).
pub async fn intake_event_counts(connector: String) -> Result<EventCounts, ApiError> {
    let mut data: serde_json::Map<String, Value> =
        data::<ops::IntakeEventCounts, _>(ops::intake_event_counts::Variables { connector })
            .await?;
    let mut counts = Vec::with_capacity(INTAKE_STATUSES.len());
    for status in INTAKE_STATUSES {
        let value = data
            .remove(&status.to_ascii_lowercase())
            .unwrap_or(Value::Null);
        let count: CountOnly = serde_json::from_value(value).map_err(|error| {
            ApiError::single(
                super::ErrorCode::Internal,
                format!("The server's answer did not match what this page expects: {error}"),
            )
        })?;
        counts.push((status, count.total_count));
    }
    Ok(EventCounts(counts))
}

pub async fn intake_event_replay(id: String) -> Result<ReplayedEvent, ApiError> {
    field::<ops::IntakeEventReplay, _>(
        "intakeEventReplay",
        ops::intake_event_replay::Variables {
            input: ops::intake_event_replay::IntakeEventReplayInput { id },
        },
    )
    .await
}

pub async fn deal_amendments(pending_only: bool) -> Result<Vec<DealAmendment>, ApiError> {
    field::<ops::DealAmendments, _>(
        "dealAmendments",
        ops::deal_amendments::Variables { pending_only },
    )
    .await
}

#[derive(Deserialize)]
struct ResolvePayload {
    amendment: DealAmendment,
}

/// Accepts (`accepted`) or dismisses an amendment, with the note VP RevOps writes.
pub async fn deal_amendment_resolve(
    id: String,
    accepted: bool,
    note: String,
) -> Result<DealAmendment, ApiError> {
    let payload: ResolvePayload = field::<ops::DealAmendmentResolve, _>(
        "dealAmendmentResolve",
        ops::deal_amendment_resolve::Variables {
            input: ops::deal_amendment_resolve::DealAmendmentResolveInput { accepted, id, note },
        },
    )
    .await?;
    Ok(payload.amendment)
}

/// The deals the amendments concern (`dealsByIds`, a page of ids per request).
pub async fn deal_summaries(ids: Vec<String>) -> Result<Vec<DealSummary>, ApiError> {
    super::by_ids::<ops::DealSummaries, _>("dealsByIds", ids, |ids| {
        ops::deal_summaries::Variables { ids }
    })
    .await
}
