//! The transactional outbox: a message is written in the same transaction as the business change
//! (so an invoice and its e-mail exist together or not at all), and a sender delivers it later.
//!
//! Exactly once per message: the `dedupe_key` is unique, and a sender claims a message with the
//! shared lease rule (`lease.rs`) before sending and marks it sent after. A sender that dies
//! mid-send leaves the lease to expire; the message then goes again with the same Message-ID, so
//! the receiving server can discard the repeat.

use super::attachments::Attachments;
use super::lease::{self, LeaseColumns};
use super::mail::{Attachment, OutgoingMail};
use super::transport::MailTransport;
use crate::entities::outbox_message;
use crate::error::AppResult;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
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
    enqueue_many(connection, now, vec![message]).await
}

/// Queues many messages in a few statements (the bill run's chunks); a dedupe key already
/// queued is skipped, exactly as `enqueue` skips it.
pub async fn enqueue_many<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    messages: Vec<NewMessage>,
) -> AppResult<()> {
    let rows: Vec<outbox_message::ActiveModel> = messages
        .into_iter()
        .map(|message| outbox_message::ActiveModel {
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
        .collect();
    // 11 bound values a row: within SQLite's and PostgreSQL's parameter limits.
    for chunk in rows.chunks(500) {
        outbox_message::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::column(outbox_message::Column::DedupeKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(connection)
            .await?;
    }
    Ok(())
}

pub use lease::backoff;

/// The outbox's columns for the shared lease rule.
const LEASE: LeaseColumns<outbox_message::Column> = LeaseColumns {
    id: outbox_message::Column::Id,
    attempts: outbox_message::Column::Attempts,
    status: outbox_message::Column::Status,
    next_attempt_at: outbox_message::Column::NextAttemptAt,
    lease_until: outbox_message::Column::LeaseUntil,
};

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
            .filter(LEASE.due(now, lease_now))
            .order_by_asc(outbox_message::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        let full = due.len() as u64 == BATCH;
        for message in due {
            if lease::claim::<outbox_message::Entity, _>(
                db,
                &LEASE,
                message.id,
                message.attempts,
                now,
                lease,
            )
            .await?
            {
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
