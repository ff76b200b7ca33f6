//! The webhook sender: every delivery due is claimed with the outbox's lease rule
//! (`notifications::lease`), POSTed once with its signature, and its outcome logged. A 2xx answer
//! delivers it; anything else (another status, a refused connection, the 10-second timeout) is
//! retried after the shared backoff, up to `MAX_ATTEMPTS`, then marked failed. The endpoint counts
//! failed attempts in a row; at `DISABLE_AFTER_FAILURES` it is disabled, with an audit row.

use super::rules::excerpt;
use super::signature;
use super::{DISABLE_AFTER_FAILURES, MAX_ATTEMPTS, RESPONSE_EXCERPT_CHARS, TIMEOUT_SECONDS};
use crate::audit::{self, AuditRecord};
use crate::entities::{webhook_attempt, webhook_delivery, webhook_endpoint, webhook_event};
use crate::error::{AppError, AppResult};
use crate::notifications::lease::{self, backoff, LeaseColumns};
use crate::secrets::SecretBox;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use std::collections::HashMap;

const LEASE: LeaseColumns<webhook_delivery::Column> = LeaseColumns {
    id: webhook_delivery::Column::Id,
    attempts: webhook_delivery::Column::Attempts,
    status: webhook_delivery::Column::Status,
    next_attempt_at: webhook_delivery::Column::NextAttemptAt,
    lease_until: webhook_delivery::Column::LeaseUntil,
};

/// Deliveries read per pass, and passes per call, so one call always ends.
const BATCH: u64 = 200;
const MAX_PASSES: usize = 50;

/// What one call of the sender did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
}

/// What one HTTP attempt came to.
struct Outcome {
    status_code: Option<i64>,
    duration_ms: i64,
    response_excerpt: String,
    error: Option<String>,
}

impl Outcome {
    fn delivered(&self) -> bool {
        self.error.is_none()
            && self
                .status_code
                .is_some_and(|code| (200..300).contains(&code))
    }
}

fn client() -> AppResult<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(TIMEOUT_SECONDS))
        // A redirect is an answer like any other non-2xx: the endpoint's URL is the one to fix.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("revops-webhooks/1")
        .build()
        .map_err(AppError::internal)
}

/// Delivers every delivery due at `now` to enabled endpoints, each once across instances.
pub async fn deliver_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    lease: Duration,
    secrets: &SecretBox,
) -> AppResult<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let client = client()?;
    for _ in 0..MAX_PASSES {
        let endpoints: HashMap<i64, webhook_endpoint::Model> = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Enabled.eq(true))
            .filter(webhook_endpoint::Column::DeletedAt.is_null())
            .all(db)
            .await?
            .into_iter()
            .map(|endpoint| Ok((endpoint.id, opened(endpoint, secrets)?)))
            .collect::<AppResult<_>>()?;
        if endpoints.is_empty() {
            break;
        }
        let due = webhook_delivery::Entity::find()
            .filter(LEASE.due(now, Utc::now()))
            .filter(webhook_delivery::Column::EndpointId.is_in(endpoints.keys().copied()))
            .order_by_asc(webhook_delivery::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        let full = due.len() as u64 == BATCH;
        for delivery in due {
            let Some(endpoint) = endpoints.get(&delivery.endpoint_id) else {
                continue;
            };
            if lease::claim::<webhook_delivery::Entity, _>(
                db,
                &LEASE,
                delivery.id,
                delivery.attempts,
                now,
                lease,
            )
            .await?
            {
                attempt(db, &client, endpoint, &delivery, now, &mut report).await?;
            }
        }
        if !full {
            break;
        }
    }
    Ok(report)
}

/// Delivers one delivery now if it is due and nobody holds it (the test ping).
pub async fn deliver_now(
    db: &DatabaseConnection,
    delivery_id: i64,
    now: DateTime<Utc>,
    lease: Duration,
    secrets: &SecretBox,
) -> AppResult<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let Some(delivery) = webhook_delivery::Entity::find_by_id(delivery_id)
        .one(db)
        .await?
    else {
        return Ok(report);
    };
    let endpoint = opened(
        super::endpoints::find_live(db, delivery.endpoint_id).await?,
        secrets,
    )?;
    if lease::claim::<webhook_delivery::Entity, _>(
        db,
        &LEASE,
        delivery.id,
        delivery.attempts,
        now,
        lease,
    )
    .await?
    {
        attempt(db, &client()?, &endpoint, &delivery, now, &mut report).await?;
    }
    Ok(report)
}

/// The endpoint with its signing secret decrypted, in memory only, for signing.
fn opened(
    mut endpoint: webhook_endpoint::Model,
    secrets: &SecretBox,
) -> AppResult<webhook_endpoint::Model> {
    endpoint.secret = secrets.open(&endpoint.secret)?;
    Ok(endpoint)
}

/// POSTs a claimed delivery and records what happened.
async fn attempt(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    endpoint: &webhook_endpoint::Model,
    delivery: &webhook_delivery::Model,
    now: DateTime<Utc>,
    report: &mut DeliveryReport,
) -> AppResult<()> {
    let event = webhook_event::Entity::find_by_id(delivery.event_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::internal(format!("webhook delivery {} has no event", delivery.id))
        })?;
    let outcome = post(client, endpoint, &event).await;
    let attempts = delivery.attempts + 1;
    let delivered = outcome.delivered();
    let give_up = !delivered && attempts >= MAX_ATTEMPTS;
    if !delivered {
        tracing::warn!(delivery = delivery.id, endpoint = endpoint.id, attempts, error = ?outcome.error, status = ?outcome.status_code, give_up, "webhook delivery failed");
    }
    let transaction = db.begin().await?;
    webhook_attempt::Entity::insert(webhook_attempt::ActiveModel {
        delivery_id: Set(delivery.id),
        endpoint_id: Set(endpoint.id),
        attempt: Set(attempts),
        outcome: Set(if delivered { "delivered" } else { "failed" }.into()),
        status_code: Set(outcome.status_code),
        duration_ms: Set(outcome.duration_ms),
        response_excerpt: Set(outcome.response_excerpt.clone()),
        error: Set(outcome.error.clone()),
        attempted_at: Set(now),
        ..Default::default()
    })
    .exec(&transaction)
    .await?;
    let status = match (delivered, give_up) {
        (true, _) => "delivered",
        (false, true) => "failed",
        (false, false) => "pending",
    };
    webhook_delivery::Entity::update_many()
        .filter(webhook_delivery::Column::Id.eq(delivery.id))
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
        .col_expr(webhook_delivery::Column::Status, Expr::value(status))
        .col_expr(
            webhook_delivery::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(now + backoff(attempts)),
        )
        .col_expr(
            webhook_delivery::Column::LastStatusCode,
            Expr::value(outcome.status_code),
        )
        .col_expr(
            webhook_delivery::Column::LastError,
            Expr::value(outcome.error.clone()),
        )
        .col_expr(
            webhook_delivery::Column::DeliveredAt,
            Expr::value(delivered.then_some(now)),
        )
        .exec(&transaction)
        .await?;
    count_on_endpoint(&transaction, endpoint.id, delivered, now).await?;
    transaction.commit().await?;
    match (delivered, give_up) {
        (true, _) => report.delivered += 1,
        (false, true) => report.failed += 1,
        (false, false) => report.retried += 1,
    }
    Ok(())
}

/// A success clears the endpoint's failures in a row; a failure adds one and, at the limit,
/// disables the endpoint (once: the UPDATE requires it still enabled) with an audit row.
async fn count_on_endpoint<C: sea_orm::ConnectionTrait>(
    connection: &C,
    endpoint_id: i64,
    delivered: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let column = webhook_endpoint::Column::ConsecutiveFailures;
    let update = webhook_endpoint::Entity::update_many()
        .filter(webhook_endpoint::Column::Id.eq(endpoint_id));
    if delivered {
        update
            .col_expr(column, Expr::value(0))
            .exec(connection)
            .await?;
        return Ok(());
    }
    update
        .col_expr(column, Expr::col(column).add(1))
        .exec(connection)
        .await?;
    let reason =
        format!("Disabled after {DISABLE_AFTER_FAILURES} failed delivery attempts in a row.");
    let disabled = webhook_endpoint::Entity::update_many()
        .col_expr(webhook_endpoint::Column::Enabled, Expr::value(false))
        .col_expr(webhook_endpoint::Column::DisabledAt, Expr::value(Some(now)))
        .col_expr(
            webhook_endpoint::Column::DisabledReason,
            Expr::value(Some(reason.clone())),
        )
        .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_endpoint::Column::Id.eq(endpoint_id))
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .filter(column.gte(DISABLE_AFTER_FAILURES))
        .exec(connection)
        .await?;
    if disabled.rows_affected == 1 {
        tracing::warn!(
            endpoint = endpoint_id,
            "webhook endpoint disabled after repeated failures"
        );
        audit::record(
            connection,
            None,
            now,
            AuditRecord::<(), serde_json::Value> {
                action: "webhook_endpoint.auto_disable",
                entity_type: "webhook_endpoint",
                entity_id: endpoint_id.to_string(),
                before: None,
                after: Some(&serde_json::json!({ "enabled": false, "reason": reason })),
            },
        )
        .await?;
    }
    Ok(())
}

/// One signed POST of the event's body; the answer's start is read, never more.
async fn post(
    client: &reqwest::Client,
    endpoint: &webhook_endpoint::Model,
    event: &webhook_event::Model,
) -> Outcome {
    let started = std::time::Instant::now();
    // The signature's time is the wall clock: receivers compare it with theirs.
    let timestamp = Utc::now().timestamp();
    let sent = client
        .post(&endpoint.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(
            signature::HEADER,
            signature::header_value(&endpoint.secret, timestamp, &event.payload),
        )
        .header("Revops-Event-Id", &event.event_id)
        .header("Revops-Event-Type", &event.event_type)
        .body(event.payload.clone())
        .send()
        .await;
    let mut outcome = Outcome {
        status_code: None,
        duration_ms: 0,
        response_excerpt: String::new(),
        error: None,
    };
    match sent {
        Ok(mut response) => {
            outcome.status_code = Some(i64::from(response.status().as_u16()));
            let mut start = Vec::new();
            // Read at most the excerpt's worth (in bytes, four per character at most).
            while start.len() < RESPONSE_EXCERPT_CHARS * 4 {
                match response.chunk().await {
                    Ok(Some(chunk)) => start.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(error) => {
                        outcome.error = Some(describe(&error));
                        break;
                    }
                }
            }
            outcome.response_excerpt = excerpt(&start, RESPONSE_EXCERPT_CHARS);
            if !(200..300).contains(&response.status().as_u16()) && outcome.error.is_none() {
                outcome.error = Some(format!("HTTP {}", response.status()));
            }
        }
        Err(error) => outcome.error = Some(describe(&error)),
    }
    outcome.duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    outcome
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("No answer within {TIMEOUT_SECONDS} seconds.")
    } else if error.is_connect() {
        format!("Could not connect: {error}")
    } else {
        error.to_string()
    }
}
