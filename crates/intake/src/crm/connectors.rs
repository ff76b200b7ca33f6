//! CRM connectors and what arrives through them: an admin registers a Salesforce org (its org
//! id, the service account revops acts as for it, and the field mapping) and gets the URL secret
//! once; Salesforce's outbound messages then come to `/api/intake/salesforce/{name}/{secret}`.
//! Every notification of a message is kept in the inbox before the message is acknowledged, so
//! Salesforce's own retries are safe; a wrong secret or org, or XML that is not an outbound
//! message, stores nothing but a security audit row.

use super::hubspot;
use super::mapping::Mapping;
use super::salesforce::{self, Notification};
use super::*;
use crate::auth::api_key;
use crate::entities::intake_connector;

/// What kind of CRM a connector receives from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum ConnectorKind {
    /// Outbound messages to `/api/intake/salesforce/{name}/{secret}`.
    Salesforce,
    /// Webhooks (v3 signatures) to `/api/intake/hubspot/{name}`; deals read from its API.
    Hubspot,
}

impl ConnectorKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ConnectorKind::Salesforce => "salesforce",
            ConnectorKind::Hubspot => "hubspot",
        }
    }

    pub fn parse(text: &str) -> Option<ConnectorKind> {
        [ConnectorKind::Salesforce, ConnectorKind::Hubspot]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// What an admin gives to register a connector.
#[derive(Debug, Clone)]
pub struct ConnectorInput {
    pub name: String,
    pub kind: ConnectorKind,
    /// Salesforce: the org id (15 or 18 characters) messages must come from.
    pub organization_id: Option<String>,
    pub service_account_id: i64,
    /// HubSpot: the app's client secret, which signs its webhooks.
    pub signing_secret: Option<String>,
    /// HubSpot: the CRM API's base URL (https://api.hubapi.com when empty).
    pub api_base_url: Option<String>,
    /// HubSpot: a private app's access token with the CRM read scopes.
    pub api_token: Option<String>,
}

/// The HubSpot API's public address.
pub const HUBSPOT_API: &str = "https://api.hubapi.com";

#[derive(Debug, Clone, Serialize)]
pub struct Connector {
    pub id: i64,
    pub name: String,
    pub kind: ConnectorKind,
    pub organization_id: Option<String>,
    pub api_base_url: Option<String>,
    pub service_account_id: i64,
    pub mapping: Mapping,
    pub paused: bool,
    pub created_at: DateTime<Utc>,
    pub last_event_at: Option<DateTime<Utc>>,
}

impl TryFrom<intake_connector::Model> for Connector {
    type Error = AppError;

    fn try_from(model: intake_connector::Model) -> AppResult<Connector> {
        Ok(Connector {
            id: model.id,
            name: model.name,
            kind: ConnectorKind::parse(&model.kind)
                .ok_or_else(|| AppError::internal(format!("connector kind {}", model.kind)))?,
            organization_id: model.organization_id,
            api_base_url: model.api_base_url,
            service_account_id: model.service_account_id,
            mapping: serde_json::from_str(&model.mapping_json)?,
            paused: model.paused,
            created_at: model.created_at,
            last_event_at: model.last_event_at,
        })
    }
}

/// A new connector with its URL secret (shown once) and the path to give the CRM.
#[derive(Debug, Clone)]
pub struct ConnectorCreated {
    pub connector: Connector,
    pub secret: String,
    pub path: String,
}

/// Why a CRM's message was turned away (the HTTP status follows from it).
#[derive(Debug)]
pub enum Refusal {
    /// Unknown connector, wrong secret or wrong org: 401.
    Unauthorised(String),
    /// Not an outbound message: 400.
    Malformed(String),
    /// The connector is paused: 503, so the CRM retries later.
    Paused(String),
    Failed(AppError),
}

impl From<AppError> for Refusal {
    fn from(error: AppError) -> Refusal {
        Refusal::Failed(error)
    }
}

fn valid_name(name: &str) -> AppResult<String> {
    let name = name.trim().to_lowercase();
    let ok = (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
    if ok {
        Ok(name)
    } else {
        Err(AppError::validation(
            "name",
            "2 to 64 letters, digits or hyphens (it becomes part of the URL).",
        ))
    }
}

async fn find_connector(db: &DatabaseConnection, name: &str) -> AppResult<intake_connector::Model> {
    intake_connector::Entity::find()
        .filter(intake_connector::Column::Name.eq(name))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Connector {name} does not exist.")))
}

impl IntakeService {
    pub async fn connectors(&self, actor: &Actor) -> AppResult<Vec<Connector>> {
        actor.require(Permission::IntakeRead)?;
        intake_connector::Entity::find()
            .order_by_asc(intake_connector::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Connector::try_from)
            .collect()
    }

    /// Registers a CRM; a Salesforce connector's URL secret is returned once in its path.
    pub async fn create_connector(
        &self,
        actor: &Actor,
        input: ConnectorInput,
    ) -> AppResult<ConnectorCreated> {
        actor.require(Permission::UserAdmin)?;
        let name = valid_name(&input.name)?;
        self.auth
            .service_account_actor(input.service_account_id)
            .await
            .map_err(|error| AppError::validation("serviceAccountId", error.message()))?;
        let (secret, secret_hash) = api_key::new_secret();
        let mut row = intake_connector::ActiveModel {
            name: Set(name.clone()),
            kind: Set(input.kind.as_str().into()),
            secret_hash: Set(secret_hash),
            service_account_id: Set(input.service_account_id),
            paused: Set(false),
            created_by: Set(actor.user_id),
            created_at: Set(self.clock.now()),
            ..Default::default()
        };
        let path = match input.kind {
            ConnectorKind::Salesforce => {
                let organization_id = crate::values::require_text(
                    "organizationId",
                    input.organization_id.as_deref().unwrap_or(""),
                    18,
                )?;
                if organization_id.len() < 15 {
                    return Err(AppError::validation("organizationId", "A Salesforce organization id has 15 or 18 characters (Setup → Company Information)."));
                }
                row.organization_id = Set(Some(organization_id));
                row.mapping_json = Set(serde_json::to_string(&Mapping::salesforce_default())?);
                format!("/api/intake/salesforce/{name}/{secret}")
            }
            ConnectorKind::Hubspot => {
                let signing = crate::values::require_text(
                    "signingSecret",
                    input.signing_secret.as_deref().unwrap_or(""),
                    200,
                )?;
                let token = crate::values::require_text(
                    "apiToken",
                    input.api_token.as_deref().unwrap_or(""),
                    500,
                )?;
                let base =
                    crate::values::optional_text("apiBaseUrl", input.api_base_url.as_deref(), 300)?
                        .unwrap_or_else(|| HUBSPOT_API.to_string());
                if !(base.starts_with("https://") || base.starts_with("http://")) {
                    return Err(AppError::validation(
                        "apiBaseUrl",
                        "An http(s) address, e.g. https://api.hubapi.com.",
                    ));
                }
                row.signing_secret = Set(Some(self.secrets.seal(&signing)?));
                row.api_token = Set(Some(self.secrets.seal(&token)?));
                row.api_base_url = Set(Some(base));
                row.mapping_json = Set(serde_json::to_string(&Mapping::hubspot_default())?);
                format!("/api/intake/hubspot/{name}")
            }
        };
        let model = row
            .insert(&self.db)
            .await
            .map_err(|error| match error.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::validation(
                    "name",
                    format!("A connector named {name} already exists."),
                ),
                _ => error.into(),
            })?;
        let connector = Connector::try_from(model)?;
        audit::record(
            &self.db,
            Some(actor),
            self.clock.now(),
            AuditRecord::<(), _> {
                action: "intake_connector.create",
                entity_type: "intake_connector",
                entity_id: connector.id.to_string(),
                before: None,
                after: Some(&connector),
            },
        )
        .await?;
        Ok(ConnectorCreated {
            connector,
            secret,
            path,
        })
    }

    /// Pauses or resumes a connector, or replaces its mapping (checked first).
    pub async fn update_connector(
        &self,
        actor: &Actor,
        id: i64,
        paused: Option<bool>,
        mapping: Option<Mapping>,
    ) -> AppResult<Connector> {
        actor.require(Permission::UserAdmin)?;
        let model = intake_connector::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found(format!("Connector #{id} does not exist.")))?;
        let before = Connector::try_from(model.clone())?;
        let mut row: intake_connector::ActiveModel = model.into();
        if let Some(paused) = paused {
            row.paused = Set(paused);
        }
        if let Some(mapping) = mapping {
            row.mapping_json = Set(serde_json::to_string(&mapping.validated()?)?);
        }
        let after = Connector::try_from(row.update(&self.db).await?)?;
        audit::record(
            &self.db,
            Some(actor),
            self.clock.now(),
            AuditRecord {
                action: "intake_connector.update",
                entity_type: "intake_connector",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        Ok(after)
    }

    /// A security audit row for a message turned away (no actor: the caller is not known).
    async fn refuse(&self, connector: &str, reason: String, unauthorised: bool) -> Refusal {
        let recorded = audit::record(
            &self.db,
            None,
            self.clock.now(),
            AuditRecord::<(), _> {
                action: "intake.refused",
                entity_type: "intake_connector",
                entity_id: connector.chars().take(64).collect(),
                before: None,
                after: Some(&serde_json::json!({ "reason": reason })),
            },
        )
        .await;
        if let Err(error) = recorded {
            return Refusal::Failed(error);
        }
        if unauthorised {
            Refusal::Unauthorised(reason)
        } else {
            Refusal::Malformed(reason)
        }
    }

    /// Receives one outbound message: checked, every notification stored, then processed. `Ok`
    /// means acknowledge (the notifications are safe in the inbox whatever processing made of
    /// them; failures show on the connector page for replay).
    pub async fn receive_salesforce(
        &self,
        name: &str,
        secret: &str,
        body: &[u8],
    ) -> Result<usize, Refusal> {
        let model = intake_connector::Entity::find()
            .filter(intake_connector::Column::Name.eq(name))
            .filter(intake_connector::Column::Kind.eq(ConnectorKind::Salesforce.as_str()))
            .one(&self.db)
            .await
            .map_err(AppError::from)?;
        let Some(model) = model
            .filter(|model| api_key::same_hash(&api_key::hash_secret(secret), &model.secret_hash))
        else {
            return Err(self
                .refuse(name, "unknown connector or wrong secret".into(), true)
                .await);
        };
        let connector = Connector::try_from(model)?;
        if connector.paused {
            return Err(Refusal::Paused(format!("Connector {name} is paused.")));
        }
        let text = String::from_utf8_lossy(body);
        let message = match salesforce::parse(&text) {
            Ok(message) => message,
            Err(reason) => return Err(self.refuse(name, reason, false).await),
        };
        let expected = connector.organization_id.clone().unwrap_or_default();
        if !salesforce::same_organization(&expected, &message.organization_id) {
            let reason = format!(
                "organization {} is not this connector's",
                message.organization_id
            );
            return Err(self.refuse(name, reason, true).await);
        }
        let actor = self
            .auth
            .service_account_actor(connector.service_account_id)
            .await?;
        let mut stored = Vec::with_capacity(message.notifications.len());
        for notification in &message.notifications {
            let payload = serde_json::to_string(notification).map_err(AppError::from)?;
            let opportunity = notification.fields.get("Id").cloned().unwrap_or_default();
            stored.push((
                self.store(
                    &actor,
                    &connector.name,
                    &notification.id,
                    &opportunity,
                    payload,
                )
                .await?,
                notification,
            ));
        }
        intake_connector::Entity::update_many()
            .col_expr(
                intake_connector::Column::LastEventAt,
                Expr::value(self.clock.now()),
            )
            .filter(intake_connector::Column::Id.eq(connector.id))
            .exec(&self.db)
            .await
            .map_err(AppError::from)?;
        let count = stored.len();
        for (event, notification) in stored {
            if event.status.is_settled() {
                continue;
            }
            self.process_mapped(&actor, &connector.mapping, event, notification)
                .await?;
        }
        Ok(count)
    }

    async fn process_mapped(
        &self,
        actor: &Actor,
        mapping: &Mapping,
        event: IntakeEvent,
        notification: &Notification,
    ) -> AppResult<IntakeOutcome> {
        let json = mapping.notification(
            &notification.id,
            &notification.fields,
            &notification.line_items,
        );
        let body = serde_json::to_vec(&json)?;
        match event::parse(&body) {
            Ok(parsed) => self.process(actor, event, &parsed).await,
            Err(error) => self.record_failure(event, error).await,
        }
    }

    /// Replays a connector's stored notification through today's mapping.
    pub(super) async fn replay_connector_event(
        &self,
        event: IntakeEvent,
    ) -> AppResult<IntakeOutcome> {
        let model = intake_connector::Entity::find()
            .filter(intake_connector::Column::Name.eq(event.connector.as_str()))
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                AppError::not_found(format!("Connector {} no longer exists.", event.connector))
            })?;
        let connector = Connector::try_from(model)?;
        let actor = self
            .auth
            .service_account_actor(connector.service_account_id)
            .await?;
        match connector.kind {
            ConnectorKind::Salesforce => {
                let notification: Notification = serde_json::from_str(&event.payload)?;
                self.process_mapped(&actor, &connector.mapping, event, &notification)
                    .await
            }
            ConnectorKind::Hubspot => {
                let model = find_connector(&self.db, &connector.name).await?;
                let raw: serde_json::Value = serde_json::from_str(&event.payload)?;
                let webhook: hubspot::WebhookEvent = serde_json::from_value(raw)?;
                self.process_hubspot(&actor, &connector, &model, event, &webhook)
                    .await
            }
        }
    }

    /// Receives a HubSpot webhook batch: signature and timestamp checked, every deal event
    /// stored, then each deal read from HubSpot's API and processed. `uris` are the addresses the
    /// request may have been signed for.
    pub async fn receive_hubspot(
        &self,
        name: &str,
        uris: &[String],
        body: &[u8],
        signature: &str,
        timestamp: &str,
    ) -> Result<usize, Refusal> {
        let model = find_connector(&self.db, name)
            .await
            .ok()
            .filter(|model| model.kind == ConnectorKind::Hubspot.as_str());
        let Some(model) = model else {
            return Err(self.refuse(name, "unknown connector".into(), true).await);
        };
        let secret = match self.secrets.open_opt(model.signing_secret.as_deref()) {
            Ok(secret) => secret.unwrap_or_default(),
            Err(error) => return Err(Refusal::from(error)),
        };
        let now_ms = self.clock.now().timestamp_millis();
        if let Err(reason) =
            hubspot::verify(&secret, "POST", uris, body, timestamp, signature, now_ms)
        {
            return Err(self.refuse(name, reason, true).await);
        }
        let connector = Connector::try_from(model.clone())?;
        if connector.paused {
            return Err(Refusal::Paused(format!("Connector {name} is paused.")));
        }
        let batch = match hubspot::parse_batch(body) {
            Ok(batch) => batch,
            Err(reason) => return Err(self.refuse(name, reason, false).await),
        };
        let actor = self
            .auth
            .service_account_actor(connector.service_account_id)
            .await?;
        let mut stored = Vec::new();
        for (webhook, raw) in batch.into_iter().filter(|(webhook, _)| webhook.is_deal()) {
            let payload = serde_json::to_string(&raw).map_err(AppError::from)?;
            let event = self
                .store(
                    &actor,
                    &connector.name,
                    &webhook.event_id(),
                    &webhook.deal_id(),
                    payload,
                )
                .await?;
            stored.push((event, webhook));
        }
        let count = stored.len();
        for (event, webhook) in stored {
            if !event.status.is_settled() {
                self.process_hubspot(&actor, &connector, &model, event, &webhook)
                    .await?;
            }
        }
        Ok(count)
    }

    async fn process_hubspot(
        &self,
        actor: &Actor,
        connector: &Connector,
        model: &intake_connector::Model,
        event: IntakeEvent,
        webhook: &hubspot::WebhookEvent,
    ) -> AppResult<IntakeOutcome> {
        let base = model
            .api_base_url
            .clone()
            .unwrap_or_else(|| HUBSPOT_API.to_string());
        let token = self
            .secrets
            .open_opt(model.api_token.as_deref())?
            .unwrap_or_default();
        match hubspot::deal_record(&self.http, &base, &token, &webhook.deal_id()).await {
            Ok(record) => {
                let notification = Notification {
                    id: webhook.event_id(),
                    object_type: "deal".into(),
                    fields: record.fields,
                    line_items: record.line_items,
                };
                self.process_mapped(actor, &connector.mapping, event, &notification)
                    .await
            }
            Err(error) => self.record_failure(event, error).await,
        }
    }
}
