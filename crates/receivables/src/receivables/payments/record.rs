//! Recording a payment: checked, claimed under its idempotency key, applied to invoices (named
//! or oldest first), posted to the ledger, matched to its bank line when it came from one, and
//! the rest kept as customer credit — all in one transaction.

use super::{
    add_credit, apply_all, balanced, check_not_future, oldest_first, open_invoices,
    parse_allocations, payment_from_model, posting, update_history, Allocation, AllocationInput,
    Payment, PaymentRecordInput,
};
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::customers;
use crate::entities::{ar_application, bank_receipt, customer, invoice, payment};
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Claim};
use crate::ledger::chart::{ACCOUNTS_RECEIVABLE, CASH, CUSTOMER_CREDITS};
use crate::ledger::rules::Side;
use crate::ledger::{self, EntryHeader};
use crate::money::Money;
use crate::receivables::repo::MovementKind;
use crate::receivables::ReceivablesService;
use crate::values::{parse_id, require_text};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};

/// A payment request once checked: who pays, how much, when and under what reference, and the
/// request as stored for its idempotency key.
struct Checked {
    customer_id: i64,
    amount: Money,
    received_on: NaiveDate,
    reference: String,
    keep_as_credit: bool,
    request: String,
}

impl ReceivablesService {
    /// Records a payment and applies it; see `PaymentRecordInput`.
    pub async fn record_payment(
        &self,
        actor: &Actor,
        input: PaymentRecordInput,
    ) -> AppResult<Payment> {
        self.record_payment_from(actor, input, None).await
    }

    pub(in crate::receivables) async fn record_payment_from(
        &self,
        actor: &Actor,
        input: PaymentRecordInput,
        bank_receipt_id: Option<i64>,
    ) -> AppResult<Payment> {
        actor.require(Permission::PaymentRecord)?;
        let checked = self.check_payment(&input)?;
        let (customer_id, amount, received_on) =
            (checked.customer_id, checked.amount, checked.received_on);
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        if let Claim::Replay(id) = idempotency::claim(
            &transaction,
            "payment",
            &input.idempotency_key,
            &checked.request,
            actor.user_id,
            now,
        )
        .await?
        {
            transaction.commit().await?;
            return self.payment_model(id).await.and_then(payment_from_model);
        }
        let customer = customers::find_model(&transaction, customer_id).await?;
        let allocations = allocations_of(&transaction, &input, &checked).await?;
        let applied: i64 = allocations.iter().map(|a| a.amount.minor()).sum();
        let unapplied = amount.minor() - applied;
        let model = payment::ActiveModel {
            customer_id: Set(customer_id),
            currency: Set(amount.currency().code().into()),
            method: Set(input.method.as_str().into()),
            amount_minor: Set(amount.minor()),
            received_on: Set(received_on),
            reference: Set(checked.reference.clone()),
            idempotency_key: Set(input.idempotency_key.trim().to_string()),
            request_json: Set(checked.request.clone()),
            applied_minor: Set(applied),
            unapplied_minor: Set(unapplied),
            journal_entry_id: Set(None),
            bank_receipt_id: Set(bank_receipt_id),
            recorded_by: Set(actor.user_id),
            recorded_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let settled = apply_all(
            &transaction,
            &allocations,
            MovementKind::Payment,
            Some(model.id),
            None,
            received_on,
            actor,
            now,
        )
        .await?;
        let posted = post_payment(
            &transaction,
            actor,
            now,
            &checked,
            applied,
            &customer,
            model.id,
        )
        .await?;
        if let Some(receipt_id) = bank_receipt_id {
            match_bank_line(&transaction, receipt_id, model.id, actor, now).await?;
        }
        link_entry(&transaction, model.id, posted).await?;
        if unapplied > 0 {
            add_credit(
                &transaction,
                customer_id,
                "payment",
                model.id,
                Money::from_minor(unapplied, amount.currency()),
                received_on,
                now,
            )
            .await?;
        }
        update_history(&transaction, customer_id, &settled, received_on).await?;
        let created = record_audit(&transaction, actor, now, model.id, &settled).await?;
        idempotency::complete(&transaction, "payment", &input.idempotency_key, created.id).await?;
        emit_recorded(&transaction, now, &created, &settled).await?;
        transaction.commit().await?;
        Ok(created)
    }

    /// Checks the input before anything is read: a positive amount, a date not in the future, a
    /// reference, and allocations or credit (not both).
    fn check_payment(&self, input: &PaymentRecordInput) -> AppResult<Checked> {
        let customer_id = parse_id("customerId", &input.customer_id)?;
        let amount = input.amount.parse("amount")?;
        if amount.minor() <= 0 {
            return Err(AppError::validation(
                "amount.amount",
                "A payment must be more than zero.",
            ));
        }
        let received_on = input.received_on.0;
        check_not_future("receivedOn", received_on, self.clock.today())?;
        let reference = require_text("reference", &input.reference, 200)?;
        let keep_as_credit = input.keep_as_credit.unwrap_or(false);
        if keep_as_credit && input.allocations.is_some() {
            return Err(AppError::validation(
                "allocations",
                "Either allocate the payment or keep it as credit, not both.",
            ));
        }
        let request = serde_json::to_string(&serde_json::json!({
            "customerId": customer_id,
            "method": input.method.as_str(),
            "amount": amount.minor(),
            "currency": amount.currency().code(),
            "receivedOn": received_on,
            "reference": reference,
            "allocations": input.allocations,
            "keepAsCredit": keep_as_credit,
        }))?;
        Ok(Checked {
            customer_id,
            amount,
            received_on,
            reference,
            keep_as_credit,
            request,
        })
    }
}

/// Which invoices the payment pays: none when kept as credit, the ones named (at most the
/// payment in all), or the open ones oldest first.
async fn allocations_of(
    transaction: &DatabaseTransaction,
    input: &PaymentRecordInput,
    checked: &Checked,
) -> AppResult<Vec<Allocation>> {
    let (customer_id, amount) = (checked.customer_id, checked.amount);
    let inputs: Option<&Vec<AllocationInput>> = input.allocations.as_ref();
    Ok(match (inputs, checked.keep_as_credit) {
        (_, true) => Vec::new(),
        (Some(inputs), false) => {
            let allocations =
                parse_allocations(transaction, customer_id, amount.currency(), inputs).await?;
            let total: i64 = allocations.iter().map(|a| a.amount.minor()).sum();
            if total > amount.minor() {
                return Err(AppError::validation(
                    "allocations",
                    format!(
                        "The allocations add up to {}, more than the payment of {amount}.",
                        Money::from_minor(total, amount.currency())
                    ),
                ));
            }
            allocations
        }
        (None, false) => oldest_first(
            open_invoices(
                transaction,
                customer_id,
                amount.currency(),
                checked.received_on,
            )
            .await?,
            amount,
        ),
    })
}

/// Posts the payment: Dr cash · Cr receivables for what it applied, Cr customer credits for the
/// rest. Returns the journal entry's id.
async fn post_payment(
    transaction: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    checked: &Checked,
    applied: i64,
    customer: &customer::Model,
    payment_id: i64,
) -> AppResult<i64> {
    let amount = checked.amount;
    let currency = amount.currency();
    let entry = balanced(vec![
        posting(CASH, Side::Debit, amount),
        posting(
            ACCOUNTS_RECEIVABLE,
            Side::Credit,
            Money::from_minor(applied, currency),
        ),
        posting(
            CUSTOMER_CREDITS,
            Side::Credit,
            Money::from_minor(amount.minor() - applied, currency),
        ),
    ])?;
    let posted = ledger::post_entry(
        transaction,
        Some(actor),
        now,
        EntryHeader {
            entry_date: checked.received_on,
            memo: format!("Payment {} from {}", checked.reference, customer.legal_name),
            source: format!("payment:{payment_id}"),
            idempotency_key: None,
        },
        &entry,
        None,
    )
    .await?;
    Ok(posted.id)
}

/// Marks the bank line matched to its payment. The bank line and its payment commit together, so
/// a confirmed line always names its payment (a second confirm returns it).
async fn match_bank_line(
    transaction: &DatabaseTransaction,
    receipt_id: i64,
    payment_id: i64,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let matched = bank_receipt::Entity::update_many()
        .col_expr(bank_receipt::Column::Status, Expr::value("matched"))
        .col_expr(bank_receipt::Column::PaymentId, Expr::value(payment_id))
        .col_expr(bank_receipt::Column::DecidedBy, Expr::value(actor.user_id))
        .col_expr(bank_receipt::Column::DecidedAt, Expr::value(now))
        .filter(bank_receipt::Column::Id.eq(receipt_id))
        .filter(bank_receipt::Column::Status.is_in(["unmatched", "proposed"]))
        .exec(transaction)
        .await?;
    if matched.rows_affected != 1 {
        return Err(AppError::Conflict(
            "This bank line was confirmed or set aside meanwhile; reload it.".into(),
        ));
    }
    Ok(())
}

/// Names the journal entry on the payment and on each of its applications.
async fn link_entry(
    transaction: &DatabaseTransaction,
    payment_id: i64,
    journal_entry_id: i64,
) -> AppResult<()> {
    payment::Entity::update_many()
        .col_expr(
            payment::Column::JournalEntryId,
            Expr::value(journal_entry_id),
        )
        .filter(payment::Column::Id.eq(payment_id))
        .exec(transaction)
        .await?;
    ar_application::Entity::update_many()
        .col_expr(
            ar_application::Column::JournalEntryId,
            Expr::value(journal_entry_id),
        )
        .filter(ar_application::Column::PaymentId.eq(payment_id))
        .exec(transaction)
        .await?;
    Ok(())
}

/// Reads the payment back as recorded and audits it with the invoices it paid.
async fn record_audit(
    transaction: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    payment_id: i64,
    settled: &[invoice::Model],
) -> AppResult<Payment> {
    let created = payment_from_model(
        payment::Entity::find_by_id(payment_id)
            .one(transaction)
            .await?
            .ok_or_else(|| AppError::internal("payment vanished"))?,
    )?;
    audit::record(
        transaction,
        Some(actor),
        now,
        AuditRecord::<(), _> {
            action: "payment.record",
            entity_type: "payment",
            entity_id: created.id.to_string(),
            before: None,
            after: Some(&serde_json::json!({
                "payment": created,
                "applied": settled.iter().map(|invoice| invoice.number.clone()).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    Ok(created)
}

/// The `payment.recorded` webhook event, in the recording transaction.
async fn emit_recorded<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    payment: &Payment,
    settled: &[invoice::Model],
) -> AppResult<()> {
    let applied_to: Vec<serde_json::Value> = settled
        .iter()
        .map(|invoice| serde_json::json!({ "invoiceId": invoice.id, "number": invoice.number }))
        .collect();
    crate::webhooks::emit(
        connection,
        now,
        crate::webhooks::EventType::PaymentRecorded,
        serde_json::json!({
            "paymentId": payment.id,
            "customerId": payment.customer_id,
            "method": payment.method,
            "amount": payment.amount,
            "applied": payment.applied,
            "unapplied": payment.unapplied,
            "receivedOn": payment.received_on,
            "reference": payment.reference,
            "appliedTo": applied_to,
        }),
    )
    .await
}
