//! The events revops sends, and `emit`, which the areas that own them call inside the
//! transaction of the business change (the transactional outbox): the event and one delivery per
//! subscribed, enabled endpoint are written with the change or not at all.

use crate::entities::{webhook_delivery, webhook_endpoint, webhook_event};
use crate::error::AppResult;
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde_json::{json, Value};

/// Every event type, with its wire name (`type` in the payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    DealApproved,
    InvoiceIssued,
    InvoicePaid,
    InvoiceVoided,
    PaymentRecorded,
    CreditMemoApproved,
    WriteOffApproved,
    RenewalAtRisk,
    CommissionStatementReady,
    PeriodClosed,
    /// The ping `webhookTest` sends to one endpoint; nobody subscribes to it.
    Test,
}

impl EventType {
    /// The types an endpoint may subscribe to, in the order the API lists them.
    pub const SUBSCRIBABLE: [EventType; 10] = [
        EventType::DealApproved,
        EventType::InvoiceIssued,
        EventType::InvoicePaid,
        EventType::InvoiceVoided,
        EventType::PaymentRecorded,
        EventType::CreditMemoApproved,
        EventType::WriteOffApproved,
        EventType::RenewalAtRisk,
        EventType::CommissionStatementReady,
        EventType::PeriodClosed,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            EventType::DealApproved => "deal.approved",
            EventType::InvoiceIssued => "invoice.issued",
            EventType::InvoicePaid => "invoice.paid",
            EventType::InvoiceVoided => "invoice.voided",
            EventType::PaymentRecorded => "payment.recorded",
            EventType::CreditMemoApproved => "credit_memo.approved",
            EventType::WriteOffApproved => "write_off.approved",
            EventType::RenewalAtRisk => "renewal.at_risk",
            EventType::CommissionStatementReady => "commission_statement.ready",
            EventType::PeriodClosed => "period.closed",
            EventType::Test => "webhook.test",
        }
    }

    pub fn description(&self) -> &'static str {
        match self {
            EventType::DealApproved => "A deal was approved for billing and became a contract.",
            EventType::InvoiceIssued => "An invoice was issued (numbered and posted).",
            EventType::InvoicePaid => {
                "An invoice has nothing left open (paid, credited or written off)."
            }
            EventType::InvoiceVoided => "An unpaid invoice was voided.",
            EventType::PaymentRecorded => "A customer payment was recorded.",
            EventType::CreditMemoApproved => "A credit memo was approved and issued.",
            EventType::WriteOffApproved => "A write-off was approved and posted.",
            EventType::RenewalAtRisk => "A renewal was flagged Yellow or Red inside 60 days.",
            EventType::CommissionStatementReady => {
                "A month's commission calculation finished; statements are ready."
            }
            EventType::PeriodClosed => "A ledger period (month) was closed.",
            EventType::Test => "A test ping sent on request.",
        }
    }

    pub fn parse(code: &str) -> Option<EventType> {
        EventType::SUBSCRIBABLE
            .into_iter()
            .find(|event_type| event_type.code() == code)
    }
}

/// An endpoint's stored subscription list ("a,b,c") read back.
pub fn subscribed_types(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The body every endpoint receives: `{"id","type","createdAt","data"}`; `id` is unique per event.
pub fn payload(event_id: &str, event_type: EventType, now: DateTime<Utc>, data: Value) -> Value {
    json!({
        "id": event_id,
        "type": event_type.code(),
        "createdAt": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "data": data,
    })
}

/// Records `event_type` with `data` for every enabled endpoint that subscribes to it, in the
/// caller's transaction. With no such endpoint it writes nothing: one read of the (small)
/// endpoint table is all a bill run pays per invoice.
pub async fn emit<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    event_type: EventType,
    data: Value,
) -> AppResult<()> {
    emit_many(connection, now, event_type, vec![data]).await
}

/// Emits one event of `event_type` per item of `data` (the bill run's chunks), reading the
/// subscribed endpoints once.
pub async fn emit_many<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    event_type: EventType,
    data: Vec<Value>,
) -> AppResult<()> {
    if data.is_empty() {
        return Ok(());
    }
    let endpoints: Vec<(i64, String)> = webhook_endpoint::Entity::find()
        .select_only()
        .column(webhook_endpoint::Column::Id)
        .column(webhook_endpoint::Column::EventTypes)
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .filter(webhook_endpoint::Column::DeletedAt.is_null())
        .into_tuple()
        .all(connection)
        .await?;
    let subscribers: Vec<i64> = endpoints
        .into_iter()
        .filter(|(_, types)| {
            subscribed_types(types)
                .iter()
                .any(|code| code == event_type.code())
        })
        .map(|(id, _)| id)
        .collect();
    if subscribers.is_empty() {
        return Ok(());
    }
    for data in data {
        record(connection, now, event_type, data, &subscribers).await?;
    }
    Ok(())
}

/// Writes the event and a pending delivery to each of `endpoint_ids`; returns the delivery ids.
pub(super) async fn record<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    event_type: EventType,
    data: Value,
    endpoint_ids: &[i64],
) -> AppResult<Vec<i64>> {
    let event_id = format!("evt_{}", uuid::Uuid::new_v4().simple());
    let body = payload(&event_id, event_type, now, data).to_string();
    let event = webhook_event::Entity::insert(webhook_event::ActiveModel {
        event_id: Set(event_id),
        event_type: Set(event_type.code().to_owned()),
        payload: Set(body),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(connection)
    .await?;
    let mut delivery_ids = Vec::with_capacity(endpoint_ids.len());
    for endpoint_id in endpoint_ids {
        let delivery = webhook_delivery::Entity::insert(pending_delivery(
            *endpoint_id,
            event.last_insert_id,
            None,
            now,
        ))
        .exec(connection)
        .await?;
        delivery_ids.push(delivery.last_insert_id);
    }
    Ok(delivery_ids)
}

/// A delivery waiting for its first attempt at `now`.
pub(super) fn pending_delivery(
    endpoint_id: i64,
    event_id: i64,
    redelivery_of: Option<i64>,
    now: DateTime<Utc>,
) -> webhook_delivery::ActiveModel {
    webhook_delivery::ActiveModel {
        endpoint_id: Set(endpoint_id),
        event_id: Set(event_id),
        redelivery_of: Set(redelivery_of),
        status: Set("pending".into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subscribable_type_parses_back_and_the_ping_is_not_subscribable() {
        for event_type in EventType::SUBSCRIBABLE {
            assert_eq!(EventType::parse(event_type.code()), Some(event_type));
        }
        assert_eq!(EventType::parse("webhook.test"), None);
        assert_eq!(EventType::parse("invoice.Paid"), None);
    }

    #[test]
    fn the_payload_has_the_documented_fields() {
        let now: DateTime<Utc> = "2026-12-01T09:30:00Z".parse().unwrap_or_default();
        let body = payload(
            "evt_1",
            EventType::InvoicePaid,
            now,
            json!({"invoiceId": 7}),
        );
        assert_eq!(body["id"], "evt_1");
        assert_eq!(body["type"], "invoice.paid");
        assert_eq!(body["createdAt"], "2026-12-01T09:30:00Z");
        assert_eq!(body["data"]["invoiceId"], 7);
        assert_eq!(
            subscribed_types(" invoice.paid,,deal.approved "),
            vec!["invoice.paid", "deal.approved"]
        );
    }
}
