//! The transactional outbox: a message is written in the same transaction as the business change
//! (so an invoice and its e-mail exist together or not at all), and a sender delivers it later.
//!
//! Exactly once per message: the `dedupe_key` is unique, a sender claims a message with a guarded
//! UPDATE and a lease before sending, and marks it sent after. The claim succeeds only while the
//! row is still as the sender read it (same attempt count) *and* nobody else holds an unexpired
//! lease, so of several instances that read the same row one claims it and the others skip it.
//! A sender that dies mid-send leaves the lease to expire; the message then goes again with the
//! same Message-ID, so the receiving server can discard the repeat.
//!
//! Leases are measured on the wall clock, not the business clock: they keep processes apart, and
//! processes with different business dates (a `serve` and a back-dated `run-daily`) must still
//! agree on whether a lease has run out.

use super::attachments::Attachments;
use super::mail::{Attachment, OutgoingMail};
use super::transport::MailTransport;
use crate::entities::outbox_message;
use crate::error::AppResult;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// A message to send once the caller's transaction commits.
pub struct NewMessage {
    pub kind: &'static str,
    /// At most one message per key, ever (e.g. "invoice-email:42").
    pub dedupe_key: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// What to attach, rendered at send time: (kind, id), e.g. ("invoice_pdf", 42).
    pub attachment: Option<(&'static str, i64)>,
}

pub const MAX_ATTEMPTS: i32 = 8;

/// Writes the message in the caller's transaction; a second message with the same key is ignored.
pub async fn enqueue<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    message: NewMessage,
) -> AppResult<()> {
    outbox_message::Entity::insert(outbox_message::ActiveModel {
        kind: Set(message.kind.into()),
        dedupe_key: Set(message.dedupe_key),
        recipient: Set(message.recipient),
        subject: Set(message.subject),
        body: Set(message.body),
        attachment_kind: Set(message.attachment.map(|(kind, _)| kind.to_string())),
        attachment_ref: Set(message.attachment.map(|(_, id)| id)),
        status: Set("pending".into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(outbox_message::Column::DedupeKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(connection)
    .await?;
    Ok(())
}

/// Backoff after the n-th failed attempt: 1, 2, 4 … minutes, at most 4 hours.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 9) - 1).unwrap_or(0);
    Duration::minutes((1_i64 << exponent).min(240))
}

/// What one pass of the sender did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Messages read per pass; a call makes passes until one finds fewer than this.
const BATCH: u64 = 200;
/// At most this many passes per call (10,000 messages), so one call always ends.
const MAX_PASSES: usize = 50;

/// Delivers every message due at `now`, each once. Safe to run from many instances at the same
/// time: each holds what it claimed for `lease`, and a message whose sender died goes again only
/// after that. Passes repeat until the outbox has nothing due left (a daily run drains it).
pub async fn deliver_due(
    db: &DatabaseConnection,
    transport: &MailTransport,
    attachments: &Attachments,
    from: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> AppResult<SendReport> {
    let mut report = SendReport::default();
    for _ in 0..MAX_PASSES {
        let lease_now = Utc::now();
        let due = outbox_message::Entity::find()
            .filter(outbox_message::Column::Status.is_in(["pending", "sending"]))
            .filter(outbox_message::Column::NextAttemptAt.lte(now))
            .filter(
                Condition::any()
                    .add(outbox_message::Column::LeaseUntil.is_null())
                    .add(outbox_message::Column::LeaseUntil.lt(lease_now)),
            )
            .order_by_asc(outbox_message::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        let full = due.len() as u64 == BATCH;
        for message in due {
            if claim(db, &message, now, lease).await? {
                deliver_one(db, transport, attachments, from, now, &message, &mut report).await?;
            }
        }
        if !full {
            break;
        }
    }
    Ok(report)
}

/// Sends one claimed message and records the outcome: sent, to retry after a backoff, or failed.
async fn deliver_one(
    db: &DatabaseConnection,
    transport: &MailTransport,
    attachments: &Attachments,
    from: &str,
    now: DateTime<Utc>,
    message: &outbox_message::Model,
    report: &mut SendReport,
) -> AppResult<()> {
    let outcome = send_one(db, transport, attachments, from, now, message).await;
    let attempts = message.attempts + 1;
    let update = outbox_message::Entity::update_many()
        .filter(outbox_message::Column::Id.eq(message.id))
        .col_expr(outbox_message::Column::Attempts, Expr::value(attempts))
        .col_expr(
            outbox_message::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    match outcome {
        Ok(()) => {
            update
                .col_expr(outbox_message::Column::Status, Expr::value("sent"))
                .col_expr(outbox_message::Column::SentAt, Expr::value(now))
                .col_expr(
                    outbox_message::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .exec(db)
                .await?;
            report.sent += 1;
        }
        Err((error, retryable)) => {
            let give_up = !retryable || attempts >= MAX_ATTEMPTS;
            tracing::warn!(message = message.id, attempts, %error, give_up, "outbox delivery failed");
            update
                .col_expr(
                    outbox_message::Column::Status,
                    Expr::value(if give_up { "failed" } else { "pending" }),
                )
                .col_expr(
                    outbox_message::Column::NextAttemptAt,
                    Expr::value(now + backoff(attempts)),
                )
                .col_expr(outbox_message::Column::LastError, Expr::value(error))
                .exec(db)
                .await?;
            if give_up {
                report.failed += 1;
            } else {
                report.retried += 1;
            }
        }
    }
    Ok(())
}

/// Claims one message for this sender. Only one sender wins the row for the lease's length: the
/// UPDATE requires the attempt count the sender read *and* no unexpired lease, both checked by the
/// database in one statement, so a sender that read the row before another claimed it finds
/// nothing to update and moves on.
async fn claim(
    db: &DatabaseConnection,
    message: &outbox_message::Model,
    now: DateTime<Utc>,
    lease: Duration,
) -> AppResult<bool> {
    let lease_now = Utc::now();
    let claimed = outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Status, Expr::value("sending"))
        .col_expr(
            outbox_message::Column::LeaseUntil,
            Expr::value(lease_now + lease),
        )
        .filter(outbox_message::Column::Id.eq(message.id))
        .filter(outbox_message::Column::Attempts.eq(message.attempts))
        .filter(outbox_message::Column::Status.is_in(["pending", "sending"]))
        .filter(outbox_message::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(outbox_message::Column::LeaseUntil.is_null())
                .add(outbox_message::Column::LeaseUntil.lt(lease_now)),
        )
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

async fn send_one(
    db: &DatabaseConnection,
    transport: &MailTransport,
    renderers: &Attachments,
    from: &str,
    now: DateTime<Utc>,
    message: &outbox_message::Model,
) -> Result<(), (String, bool)> {
    let mut attachments: Vec<Attachment> = Vec::new();
    if let (Some(kind), Some(id)) = (&message.attachment_kind, message.attachment_ref) {
        attachments = renderers.render(db, kind, id).await.map_err(|error| {
            (
                format!("rendering the attachment: {}", error.message()),
                true,
            )
        })?;
    }
    let mail = OutgoingMail {
        message_id: format!("outbox-{}@revops", message.id),
        from: from.to_string(),
        to: vec![message.recipient.clone()],
        subject: message.subject.clone(),
        text_body: message.body.clone(),
        attachments,
    };
    transport
        .deliver(&mail, now)
        .await
        .map_err(|error| (error.message, error.retryable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_four_hours() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(5), Duration::minutes(16));
        assert_eq!(backoff(20), Duration::minutes(240));
    }
}
