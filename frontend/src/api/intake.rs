//! The CRM intake part of the API: connectors (list, create, pause, mapping), the inbox of
//! notifications with replay, and the amendments CRMs sent for approved deals.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{execute, field, ApiError, Connection};

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

const CONNECTOR_FIELDS: &str = "id name kind organizationId apiBaseUrl serviceAccountId \
     mappingJson paused createdAt lastEventAt";

const EVENT_FIELDS: &str =
    "id connector eventId opportunityId status outcome dealId payload receivedAt processedAt";

const AMENDMENT_FIELDS: &str =
    "id dealId intakeEventId changes { field from to } status resolutionNote resolvedAt createdAt";

pub async fn intake_connectors() -> Result<Vec<IntakeConnector>, ApiError> {
    let query = format!("query IntakeConnectors {{ intakeConnectors {{ {CONNECTOR_FIELDS} }} }}");
    field("intakeConnectors", &query, json!({})).await
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
    let query = format!(
        "mutation IntakeConnectorCreate($input: IntakeConnectorCreateInput!) {{ \
           intakeConnectorCreate(input: $input) {{ endpointPath connector {{ {CONNECTOR_FIELDS} }} }} }}"
    );
    field("intakeConnectorCreate", &query, json!({ "input": input })).await
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
    let query = format!(
        "mutation IntakeConnectorUpdate($input: IntakeConnectorUpdateInput!) {{ \
           intakeConnectorUpdate(input: $input) {{ connector {{ {CONNECTOR_FIELDS} }} }} }}"
    );
    let payload: UpdatePayload = field(
        "intakeConnectorUpdate",
        &query,
        json!({ "input": { "id": id, "paused": paused, "mappingJson": mapping_json } }),
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
    let query = format!(
        "query IntakeEvents($connector: String, $status: IntakeStatus, $first: Int, $after: String) {{ \
           intakeEvents(connector: $connector, status: $status, first: $first, after: $after) {{ \
             nodes {{ {EVENT_FIELDS} }} pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
    );
    field(
        "intakeEvents",
        &query,
        json!({ "connector": connector, "status": status, "first": first, "after": after }),
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
    let aliases: Vec<String> = INTAKE_STATUSES
        .iter()
        .map(|status| {
            format!(
                "{}: intakeEvents(connector: $connector, status: {status}, first: 0) {{ totalCount }}",
                status.to_ascii_lowercase()
            )
        })
        .collect();
    let query = format!(
        "query IntakeEventCounts($connector: String!) {{ {} }}",
        aliases.join(" ")
    );
    let mut data: serde_json::Map<String, Value> =
        execute(&query, json!({ "connector": connector })).await?;
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
    let query = format!(
        "mutation IntakeEventReplay($input: IntakeEventReplayInput!) {{ \
           intakeEventReplay(input: $input) {{ gaps event {{ {EVENT_FIELDS} }} }} }}"
    );
    field(
        "intakeEventReplay",
        &query,
        json!({ "input": { "id": id } }),
    )
    .await
}

pub async fn deal_amendments(pending_only: bool) -> Result<Vec<DealAmendment>, ApiError> {
    let query = format!(
        "query DealAmendments($pendingOnly: Boolean!) {{ \
           dealAmendments(pendingOnly: $pendingOnly) {{ {AMENDMENT_FIELDS} }} }}"
    );
    field(
        "dealAmendments",
        &query,
        json!({ "pendingOnly": pending_only }),
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
    let query = format!(
        "mutation DealAmendmentResolve($input: DealAmendmentResolveInput!) {{ \
           dealAmendmentResolve(input: $input) {{ amendment {{ {AMENDMENT_FIELDS} }} }} }}"
    );
    let payload: ResolvePayload = field(
        "dealAmendmentResolve",
        &query,
        json!({ "input": { "id": id, "accepted": accepted, "note": note } }),
    )
    .await?;
    Ok(payload.amendment)
}

/// The deals the amendments concern, in one request (one alias per deal).
pub async fn deal_summaries(ids: Vec<String>) -> Result<Vec<DealSummary>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let parameters: Vec<String> = (0..ids.len()).map(|n| format!("$id{n}: ID!")).collect();
    let aliases: Vec<String> = (0..ids.len())
        .map(|n| {
            format!(
                "deal{n}: deal(id: $id{n}) {{ id crmOpportunityId productName customer {{ id legalName }} }}"
            )
        })
        .collect();
    let query = format!(
        "query DealSummaries({}) {{ {} }}",
        parameters.join(", "),
        aliases.join(" ")
    );
    let variables: serde_json::Map<String, Value> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| (format!("id{n}"), json!(id)))
        .collect();
    let data: serde_json::Map<String, Value> = execute(&query, Value::Object(variables)).await?;
    Ok(data
        .into_values()
        .filter_map(|value| serde_json::from_value(value).ok())
        .collect())
}
