//! The endpoint use cases: list, create (the secret shown once), update (URL, description,
//! types, enabled), rotate the secret, delete. Admin only, each audited in its transaction.

use super::events::subscribed_types;
use super::rules::{parse_event_types, parse_url};
use super::{EndpointUpdate, EndpointWithSecret, NewEndpoint, WebhookEndpoint, WebhookService};
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::auth::api_key;
use crate::entities::{webhook_delivery, webhook_endpoint};
use crate::error::{AppError, AppResult};
use crate::secrets::SecretBox;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

const MAX_DESCRIPTION_CHARS: usize = 500;

impl WebhookEndpoint {
    /// The endpoint as shown; its secret (stored encrypted) gives only its first characters.
    pub(super) fn from_model(
        model: webhook_endpoint::Model,
        secrets: &SecretBox,
    ) -> WebhookEndpoint {
        let hint = secrets
            .open(&model.secret)
            .map(|secret| secret.chars().take(10).collect())
            .unwrap_or_else(|_| "whsec_…".to_string());
        WebhookEndpoint {
            id: model.id,
            event_types: subscribed_types(&model.event_types),
            secret_hint: hint,
            url: model.url,
            description: model.description,
            enabled: model.enabled,
            consecutive_failures: model.consecutive_failures,
            disabled_at: model.disabled_at,
            disabled_reason: model.disabled_reason,
            created_by: model.created_by,
            created_at: model.created_at,
            updated_at: model.updated_at,
        }
    }
}

fn description_of(text: &str) -> AppResult<String> {
    let trimmed = text.trim();
    if trimmed.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(AppError::validation(
            "description",
            format!("Keep the description under {MAX_DESCRIPTION_CHARS} characters."),
        ));
    }
    Ok(trimmed.to_owned())
}

/// A live (not deleted) endpoint, or NOT_FOUND.
pub(super) async fn find_live<C: ConnectionTrait>(
    connection: &C,
    endpoint_id: i64,
) -> AppResult<webhook_endpoint::Model> {
    webhook_endpoint::Entity::find_by_id(endpoint_id)
        .filter(webhook_endpoint::Column::DeletedAt.is_null())
        .one(connection)
        .await?
        .ok_or_else(|| AppError::not_found(format!("webhook endpoint {endpoint_id}")))
}

async fn audit_change<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
    action: &str,
    before: Option<&WebhookEndpoint>,
    after: Option<&WebhookEndpoint>,
) -> AppResult<()> {
    let id = after
        .or(before)
        .map(|endpoint| endpoint.id)
        .unwrap_or_default();
    audit::record(
        connection,
        actor,
        now,
        AuditRecord {
            action,
            entity_type: "webhook_endpoint",
            entity_id: id.to_string(),
            before,
            after,
        },
    )
    .await
}

impl WebhookService {
    /// Every endpoint not deleted, oldest first.
    pub async fn endpoints(&self, actor: &Actor) -> AppResult<Vec<WebhookEndpoint>> {
        actor.require(Permission::WebhookManage)?;
        let rows = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::DeletedAt.is_null())
            .order_by_asc(webhook_endpoint::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| WebhookEndpoint::from_model(row, &self.secrets))
            .collect())
    }

    /// Subscribes a URL to event types; the signing secret is returned this once.
    pub async fn create_endpoint(
        &self,
        actor: &Actor,
        input: NewEndpoint,
    ) -> AppResult<EndpointWithSecret> {
        actor.require(Permission::WebhookManage)?;
        let url = parse_url("url", &input.url)?;
        let description = description_of(&input.description)?;
        let event_types = parse_event_types("eventTypes", &input.event_types)?;
        let secret = api_key::new_signing_secret();
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = webhook_endpoint::ActiveModel {
            url: Set(url),
            description: Set(description),
            event_types: Set(event_types),
            secret: Set(self.secrets.seal(&secret)?),
            enabled: Set(true),
            consecutive_failures: Set(0),
            created_by: Set(actor.user_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let endpoint = WebhookEndpoint::from_model(model, &self.secrets);
        audit_change(
            &transaction,
            Some(actor),
            now,
            "webhook_endpoint.create",
            None,
            Some(&endpoint),
        )
        .await?;
        transaction.commit().await?;
        Ok(EndpointWithSecret { endpoint, secret })
    }

    /// Changes the URL, description, types or enabled flag. Enabling clears the failure count,
    /// so an endpoint the sender disabled gets a fresh start; its waiting deliveries go next pass.
    pub async fn update_endpoint(
        &self,
        actor: &Actor,
        endpoint_id: i64,
        input: EndpointUpdate,
    ) -> AppResult<WebhookEndpoint> {
        actor.require(Permission::WebhookManage)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = find_live(&transaction, endpoint_id).await?;
        let before = WebhookEndpoint::from_model(model.clone(), &self.secrets);
        let mut active = model.into_active_model();
        if let Some(url) = &input.url {
            active.url = Set(parse_url("url", url)?);
        }
        if let Some(description) = &input.description {
            active.description = Set(description_of(description)?);
        }
        if let Some(codes) = &input.event_types {
            active.event_types = Set(parse_event_types("eventTypes", codes)?);
        }
        match input.enabled {
            Some(true) if !before.enabled => {
                active.enabled = Set(true);
                active.consecutive_failures = Set(0);
                active.disabled_at = Set(None);
                active.disabled_reason = Set(None);
                retry_waiting_now(&transaction, endpoint_id, now).await?;
            }
            Some(false) if before.enabled => {
                active.enabled = Set(false);
                active.disabled_at = Set(Some(now));
                active.disabled_reason = Set(Some("Disabled by an administrator.".into()));
            }
            _ => {}
        }
        active.updated_at = Set(now);
        let endpoint =
            WebhookEndpoint::from_model(active.update(&transaction).await?, &self.secrets);
        let action = match (before.enabled, endpoint.enabled) {
            (false, true) => "webhook_endpoint.enable",
            (true, false) => "webhook_endpoint.disable",
            _ => "webhook_endpoint.update",
        };
        audit_change(
            &transaction,
            Some(actor),
            now,
            action,
            Some(&before),
            Some(&endpoint),
        )
        .await?;
        transaction.commit().await?;
        Ok(endpoint)
    }

    /// Replaces the signing secret; the new one is returned this once and signs from the next
    /// attempt on.
    pub async fn rotate_secret(
        &self,
        actor: &Actor,
        endpoint_id: i64,
    ) -> AppResult<EndpointWithSecret> {
        actor.require(Permission::WebhookManage)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = find_live(&transaction, endpoint_id).await?;
        let before = WebhookEndpoint::from_model(model.clone(), &self.secrets);
        let secret = api_key::new_signing_secret();
        let mut active = model.into_active_model();
        active.secret = Set(self.secrets.seal(&secret)?);
        active.updated_at = Set(now);
        let endpoint =
            WebhookEndpoint::from_model(active.update(&transaction).await?, &self.secrets);
        audit_change(
            &transaction,
            Some(actor),
            now,
            "webhook_endpoint.rotate_secret",
            Some(&before),
            Some(&endpoint),
        )
        .await?;
        transaction.commit().await?;
        Ok(EndpointWithSecret { endpoint, secret })
    }

    /// Deletes an endpoint: it stops receiving at once (waiting deliveries are cancelled); its
    /// delivery log stays in the database for the audit trail.
    pub async fn delete_endpoint(
        &self,
        actor: &Actor,
        endpoint_id: i64,
    ) -> AppResult<WebhookEndpoint> {
        actor.require(Permission::WebhookManage)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = find_live(&transaction, endpoint_id).await?;
        let before = WebhookEndpoint::from_model(model.clone(), &self.secrets);
        let mut active = model.into_active_model();
        active.enabled = Set(false);
        active.deleted_at = Set(Some(now));
        active.updated_at = Set(now);
        active.update(&transaction).await?;
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, Expr::value("cancelled"))
            .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
            .filter(webhook_delivery::Column::Status.is_in(["pending", "sending"]))
            .exec(&transaction)
            .await?;
        audit_change(
            &transaction,
            Some(actor),
            now,
            "webhook_endpoint.delete",
            Some(&before),
            None,
        )
        .await?;
        transaction.commit().await?;
        Ok(before)
    }
}

/// On re-enabling, deliveries waiting out a long backoff go on the next pass.
async fn retry_waiting_now<C: ConnectionTrait>(
    connection: &C,
    endpoint_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(now))
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
        .filter(webhook_delivery::Column::Status.eq("pending"))
        .exec(connection)
        .await?;
    Ok(())
}
