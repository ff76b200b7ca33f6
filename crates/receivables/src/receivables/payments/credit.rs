//! Applying customer credit to open invoices: each invoice draws from the oldest credits, and the
//! whole is one entry, Dr customer credits · Cr AR, in one transaction.

use super::{
    apply_all, balanced, check_not_future, draw_credits, oldest_first, open_invoices,
    parse_allocations, posting, update_history, Allocation, CreditApplication, CreditApplyInput,
};
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::customers;
use crate::entities::{ar_application, customer, customer_credit, invoice};
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Claim};
use crate::ledger::chart::{ACCOUNTS_RECEIVABLE, CUSTOMER_CREDITS};
use crate::ledger::rules::Side;
use crate::ledger::{self, EntryHeader};
use crate::money::{Currency, Money};
use crate::receivables::repo::MovementKind;
use crate::receivables::ReceivablesService;
use crate::values::parse_id;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait};

impl ReceivablesService {
    /// Applies customer credit to open invoices: Dr customer credits · Cr AR.
    pub async fn apply_credit(
        &self,
        actor: &Actor,
        input: CreditApplyInput,
    ) -> AppResult<CreditApplication> {
        actor.require(Permission::PaymentRecord)?;
        let customer_id = parse_id("customerId", &input.customer_id)?;
        let currency = crate::values::parse_currency("currency", &input.currency)?;
        let today = self.clock.today();
        let applied_on = input.applied_on.map(|date| date.0).unwrap_or(today);
        check_not_future("appliedOn", applied_on, today)?;
        let request = serde_json::to_string(&serde_json::json!({
            "customerId": customer_id,
            "currency": currency.code(),
            "allocations": input.allocations,
            "appliedOn": applied_on,
        }))?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        if let Claim::Replay(entry_id) = idempotency::claim(
            &transaction,
            "credit application",
            &input.idempotency_key,
            &request,
            actor.user_id,
            now,
        )
        .await?
        {
            transaction.commit().await?;
            return self.credit_application(entry_id).await;
        }
        let customer = customers::find_model(&transaction, customer_id).await?;
        let allocations =
            credit_allocations(&transaction, &input, &customer, currency, applied_on).await?;
        let mut settled = Vec::new();
        for allocation in &allocations {
            settled.extend(
                apply_from_credits(
                    &transaction,
                    customer_id,
                    allocation,
                    currency,
                    applied_on,
                    actor,
                    now,
                )
                .await?,
            );
        }
        let total: i64 = allocations.iter().map(|a| a.amount.minor()).sum();
        let total = Money::from_minor(total, currency);
        let posted = post_application(
            &transaction,
            actor,
            now,
            &customer,
            &allocations,
            total,
            applied_on,
        )
        .await?;
        update_history(&transaction, customer_id, &settled, applied_on).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "customer_credit.apply",
                entity_type: "customer",
                entity_id: customer_id.to_string(),
                before: None,
                after: Some(&serde_json::json!({
                    "total": total,
                    "journalEntryId": posted,
                    "invoices": settled.iter().map(|invoice| invoice.number.clone()).collect::<Vec<_>>(),
                })),
            },
        )
        .await?;
        idempotency::complete(
            &transaction,
            "credit application",
            &input.idempotency_key,
            posted,
        )
        .await?;
        transaction.commit().await?;
        self.credit_application(posted).await
    }
}

/// Which invoices the credit pays: the ones named (at most the credit available) or the open ones
/// oldest first. Refused when the customer has no credit in the currency, or nothing to pay.
async fn credit_allocations(
    transaction: &DatabaseTransaction,
    input: &CreditApplyInput,
    customer: &customer::Model,
    currency: Currency,
    applied_on: NaiveDate,
) -> AppResult<Vec<Allocation>> {
    let customer_id = customer.id;
    let available: i64 = customer_credit::Entity::find()
        .filter(customer_credit::Column::CustomerId.eq(customer_id))
        .filter(customer_credit::Column::Currency.eq(currency.code()))
        .all(transaction)
        .await?
        .iter()
        .map(|credit| credit.remaining_minor)
        .sum();
    if available == 0 {
        return Err(AppError::validation(
            "customerId",
            format!(
                "{} has no {} credit to apply.",
                customer.legal_name,
                currency.code()
            ),
        ));
    }
    let allocations = match &input.allocations {
        Some(inputs) => {
            let allocations = parse_allocations(transaction, customer_id, currency, inputs).await?;
            let total: i64 = allocations.iter().map(|a| a.amount.minor()).sum();
            if total > available {
                return Err(AppError::validation(
                    "allocations",
                    format!(
                        "The allocations add up to {}, more than the {} of credit available.",
                        Money::from_minor(total, currency),
                        Money::from_minor(available, currency)
                    ),
                ));
            }
            allocations
        }
        None => oldest_first(
            open_invoices(transaction, customer_id, currency, applied_on).await?,
            Money::from_minor(available, currency),
        ),
    };
    if allocations.is_empty() {
        return Err(AppError::validation(
            "allocations",
            format!(
                "{} has no open {} invoice to apply credit to.",
                customer.legal_name,
                currency.code()
            ),
        ));
    }
    Ok(allocations)
}

/// Settles one invoice from the oldest credits, one application per credit piece drawn.
async fn apply_from_credits(
    transaction: &DatabaseTransaction,
    customer_id: i64,
    allocation: &Allocation,
    currency: Currency,
    applied_on: NaiveDate,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<Vec<invoice::Model>> {
    let mut settled = Vec::new();
    for (credit_id, minor) in draw_credits(transaction, customer_id, allocation.amount).await? {
        let piece = Allocation {
            invoice: allocation.invoice.clone(),
            amount: Money::from_minor(minor, currency),
        };
        settled.extend(
            apply_all(
                transaction,
                std::slice::from_ref(&piece),
                MovementKind::CreditApplied,
                None,
                Some(credit_id),
                applied_on,
                actor,
                now,
            )
            .await?,
        );
    }
    Ok(settled)
}

/// Posts the application (Dr customer credits · Cr AR) and names the entry on the applications
/// it made. Returns the journal entry's id.
async fn post_application(
    transaction: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    customer: &customer::Model,
    allocations: &[Allocation],
    total: Money,
    applied_on: NaiveDate,
) -> AppResult<i64> {
    let entry = balanced(vec![
        posting(CUSTOMER_CREDITS, Side::Debit, total),
        posting(ACCOUNTS_RECEIVABLE, Side::Credit, total),
    ])?;
    let posted = ledger::post_entry(
        transaction,
        Some(actor),
        now,
        EntryHeader {
            entry_date: applied_on,
            memo: format!("Credit applied for {}", customer.legal_name),
            source: format!("credit-application:{}", customer.id),
            idempotency_key: None,
        },
        &entry,
        None,
    )
    .await?;
    let invoice_ids: Vec<i64> = allocations.iter().map(|a| a.invoice.id).collect();
    ar_application::Entity::update_many()
        .col_expr(
            ar_application::Column::JournalEntryId,
            Expr::value(posted.id),
        )
        .filter(ar_application::Column::InvoiceId.is_in(invoice_ids))
        .filter(ar_application::Column::CreditId.is_not_null())
        .filter(ar_application::Column::JournalEntryId.is_null())
        .exec(transaction)
        .await?;
    Ok(posted.id)
}
