//! Bad-debt write-offs under maker-checker: the request, and the CFO's decision that posts
//! Dr bad-debt expense · Cr AR.

use super::{
    invoice_label, write_off_from_model, DocumentDecideInput, WriteOff, WriteOffRequestInput,
};
use crate::access::{Actor, Permission};
use crate::approvals::{self, decision, ApprovalKind, DocumentPayload};
use crate::audit::{self, AuditRecord};
use crate::entities::{invoice, write_off};
use crate::error::{AppError, AppResult};
use crate::ledger::chart::{ACCOUNTS_RECEIVABLE, BAD_DEBT_EXPENSE};
use crate::ledger::rules::{BalancedEntry, Posting, Side};
use crate::ledger::{self, EntryHeader};
use crate::money::{Currency, Money};
use crate::receivables::repo::{self, open_minor, MovementKind, Settlement};
use crate::receivables::ReceivablesService;
use crate::values::{parse_id, require_text};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};

impl ReceivablesService {
    pub async fn request_write_off(
        &self,
        actor: &Actor,
        input: WriteOffRequestInput,
    ) -> AppResult<WriteOff> {
        actor.require(Permission::WriteOffRequest)?;
        let invoice_id = parse_id("invoiceId", &input.invoice_id)?;
        let reason = require_text("reason", &input.reason, 2000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let invoice = crate::invoicing::find_model(&transaction, invoice_id).await?;
        let label = invoice_label(&invoice);
        let currency = Currency::parse(&invoice.currency)?;
        let amount = write_off_amount(&invoice, input.amount.as_deref(), &label, currency)?;
        let model = write_off::ActiveModel {
            invoice_id: Set(invoice_id),
            customer_id: Set(invoice.customer_id),
            currency: Set(invoice.currency.clone()),
            amount_minor: Set(amount.minor()),
            reason: Set(reason.clone()),
            status: Set("requested".into()),
            requested_by: Set(actor.user_id),
            requested_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let approval = approvals::open_request(
            &transaction,
            actor,
            ApprovalKind::WriteOff,
            invoice.customer_id,
            format!("invoice:{invoice_id}"),
            &reason,
            serde_json::to_string(&DocumentPayload {
                document_id: model.id,
                invoice_id,
                invoice_number: label.clone(),
                currency: invoice.currency.clone(),
                amount_minor: amount.minor(),
            })?,
            now,
        )
        .await
        .map_err(|error| match error {
            AppError::Conflict(_) => AppError::Conflict(format!(
                "{label} already has a write-off waiting for approval."
            )),
            other => other,
        })?;
        write_off::Entity::update_many()
            .col_expr(write_off::Column::ApprovalId, Expr::value(approval.id))
            .filter(write_off::Column::Id.eq(model.id))
            .exec(&transaction)
            .await?;
        let created = write_off_from_model(
            write_off::Entity::find_by_id(model.id)
                .one(&transaction)
                .await?
                .ok_or_else(|| AppError::internal("write-off vanished"))?,
        )?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "write_off.request",
                entity_type: "write_off",
                entity_id: created.id.to_string(),
                before: None,
                after: Some(&created),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(created)
    }

    /// Approves (Dr bad-debt expense · Cr AR) or rejects a requested write-off.
    pub async fn decide_write_off(
        &self,
        actor: &Actor,
        input: DocumentDecideInput,
    ) -> AppResult<WriteOff> {
        actor.require(Permission::WriteOffApprove)?;
        let approval_id = parse_id("approvalId", &input.approval_id)?;
        let comment = require_text("comment", &input.comment, 1000)?;
        let now = self.clock.now();
        let today = self.clock.today();
        let transaction = self.db.begin().await?;
        let (request, status) = approvals::close_request(
            &transaction,
            actor,
            approval_id,
            ApprovalKind::WriteOff,
            input.decision,
            &comment,
            now,
        )
        .await?;
        let id = request
            .document
            .as_ref()
            .map(|document| document.document_id)
            .ok_or_else(|| AppError::internal("write-off approval without its write-off"))?;
        let model = write_off::Entity::find_by_id(id)
            .one(&transaction)
            .await?
            .ok_or_else(|| AppError::internal("write-off vanished"))?;
        let before = write_off_from_model(model.clone())?;
        let mut update = write_off::Entity::update_many()
            .col_expr(write_off::Column::DecidedBy, Expr::value(actor.user_id))
            .col_expr(write_off::Column::DecidedAt, Expr::value(now))
            .col_expr(write_off::Column::Comment, Expr::value(comment));
        if status == approvals::ApprovalStatus::Approved {
            let entry_id =
                post_write_off(&transaction, actor, &model, before.amount, today, now).await?;
            update = update
                .col_expr(write_off::Column::Status, Expr::value("approved"))
                .col_expr(write_off::Column::WrittenOffOn, Expr::value(today))
                .col_expr(write_off::Column::JournalEntryId, Expr::value(entry_id));
        } else {
            update = update.col_expr(write_off::Column::Status, Expr::value("rejected"));
        }
        decision::claim(
            &transaction,
            update,
            write_off::Column::Id,
            id,
            write_off::Column::Status,
            "requested",
            "This write-off was already decided.",
        )
        .await?;
        let after = write_off_from_model(
            write_off::Entity::find_by_id(id)
                .one(&transaction)
                .await?
                .ok_or_else(|| AppError::internal("write-off vanished"))?,
        )?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: if status == approvals::ApprovalStatus::Approved {
                    "write_off.approve"
                } else {
                    "write_off.reject"
                },
                entity_type: "write_off",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        if status == approvals::ApprovalStatus::Approved {
            emit_write_off_approved(&transaction, now, &after).await?;
        }
        transaction.commit().await?;
        Ok(after)
    }
}

/// The `write_off.approved` webhook event, in the approving transaction.
async fn emit_write_off_approved<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    write_off: &WriteOff,
) -> AppResult<()> {
    crate::webhooks::emit(
        connection,
        now,
        crate::webhooks::EventType::WriteOffApproved,
        serde_json::json!({
            "writeOffId": write_off.id,
            "invoiceId": write_off.invoice_id,
            "customerId": write_off.customer_id,
            "amount": write_off.amount,
            "reason": write_off.reason,
            "writtenOffOn": write_off.written_off_on,
        }),
    )
    .await
}

/// What a write-off takes: the amount asked (all that is open when none), more than zero and at
/// most what the issued invoice has open.
fn write_off_amount(
    invoice: &invoice::Model,
    asked: Option<&str>,
    label: &str,
    currency: Currency,
) -> AppResult<Money> {
    let open = if matches!(invoice.status.as_str(), "issued" | "partially_paid") {
        open_minor(invoice)
    } else {
        0
    };
    if open == 0 {
        return Err(AppError::validation(
            "invoiceId",
            format!("{label} has nothing open to write off."),
        ));
    }
    let amount = match asked {
        Some(text) => Money::parse(text, currency)
            .map_err(|error| AppError::validation("amount", error.to_string()))?,
        None => Money::from_minor(open, currency),
    };
    if amount.minor() <= 0 || amount.minor() > open {
        return Err(AppError::validation(
            "amount",
            format!(
                "Write off more than zero and at most the {} open.",
                Money::from_minor(open, currency)
            ),
        ));
    }
    Ok(amount)
}

/// Settles the approved write-off on its invoice and posts it: Dr bad-debt expense · Cr AR.
/// Returns the journal entry's id.
async fn post_write_off(
    transaction: &DatabaseTransaction,
    actor: &Actor,
    model: &write_off::Model,
    amount: Money,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let invoice = repo::settle(
        transaction,
        model.invoice_id,
        Settlement::WrittenOff,
        MovementKind::WriteOff,
        amount,
        today,
        Some(model.id),
        now,
    )
    .await?;
    let entry = BalancedEntry::try_new(vec![
        Posting {
            account_code: BAD_DEBT_EXPENSE.into(),
            side: Side::Debit,
            amount,
        },
        Posting {
            account_code: ACCOUNTS_RECEIVABLE.into(),
            side: Side::Credit,
            amount,
        },
    ])
    .map_err(|error| AppError::internal(format!("write-off posting: {error}")))?;
    let posted = ledger::post_entry(
        transaction,
        Some(actor),
        now,
        EntryHeader {
            entry_date: today,
            memo: format!("Bad debt: {} written off", invoice_label(&invoice)),
            source: format!("write-off:{}", model.id),
            idempotency_key: None,
        },
        &entry,
        None,
    )
    .await?;
    Ok(posted.id)
}
