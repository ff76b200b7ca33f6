//! Issuing a held draft, putting a PO on it, and voiding an invoice: the void posting, the PO
//! draw and charges given back, and the `invoice.voided` webhook event.

use super::plan::Reference;
use super::*;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{billing_charge, purchase_order};
use crate::ledger::{self, EntryHeader};
use crate::values::require_text;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, QueryFilter, QueryOrder, TransactionTrait};

impl InvoiceService {
    /// Re-plans a held draft with today's tables (PO, tax rates) and issues it, or says why not.
    pub async fn issue_draft(&self, actor: &Actor, id: i64) -> AppResult<Invoice> {
        actor.require(Permission::InvoiceManage)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = find_model(&transaction, id).await?;
        if model.status != InvoiceStatus::Draft.as_str() {
            return Err(AppError::Conflict(format!(
                "Invoice {} is {}, not a draft.",
                model.number.clone().unwrap_or_else(|| format!("#{id}")),
                model.status
            )));
        }
        let over_credit_limit = model.blocked_field.as_deref() == Some(rules::CREDIT_LIMIT_BLOCK);
        if over_credit_limit && !actor.can(Permission::CreditLimitApprove) {
            return Err(AppError::Forbidden(format!(
                "{} Only a VP Finance can issue it.",
                model
                    .blocked_reason
                    .as_deref()
                    .unwrap_or("This draft was held over the customer's credit limit.")
            )));
        }
        let charge_ids: Vec<i64> = invoice_line::Entity::find()
            .filter(invoice_line::Column::InvoiceId.eq(id))
            .all(&transaction)
            .await?
            .into_iter()
            .map(|line| line.charge_id)
            .collect();
        let charges = billing_charge::Entity::find()
            .filter(billing_charge::Column::Id.is_in(charge_ids))
            .order_by_asc(billing_charge::Column::Id)
            .all(&transaction)
            .await?;
        let contract_ids: Vec<i64> = charges.iter().map(|charge| charge.contract_id).collect();
        let terms = plan::contract_terms(&transaction, &contract_ids, &self.seller).await?;
        let customer = crate::customers::find_model(&transaction, model.customer_id).await?;
        let po = match &model.po_number {
            Some(number) => find_po(&transaction, model.customer_id, number).await?,
            None => None,
        };
        let reference = Reference::load(&transaction, self.functional).await?;
        let mut planned = plan::plan(
            &charges,
            &terms,
            &customer,
            po.as_ref(),
            &reference,
            model.invoice_date,
        )?;
        // The PO set on the draft wins over the contract's.
        planned.po_number = model.po_number.clone();
        if let Some(block) = &planned.block {
            return Err(AppError::validation(block.field, block.message.clone()));
        }
        // Bring the stored draft in line with the plan (tax may have been configured since).
        for line in &planned.lines {
            invoice_line::Entity::update_many()
                .col_expr(
                    invoice_line::Column::TaxMinor,
                    Expr::value(line.tax.tax.minor()),
                )
                .col_expr(
                    invoice_line::Column::TaxLabel,
                    Expr::value(line.tax.label.clone()),
                )
                .col_expr(
                    invoice_line::Column::TaxRatePercent,
                    Expr::value(line.tax.rate_percent.normalize().to_string()),
                )
                .filter(invoice_line::Column::InvoiceId.eq(id))
                .filter(invoice_line::Column::ChargeId.eq(line.charge_id))
                .exec(&transaction)
                .await?;
        }
        invoice::Entity::update_many()
            .col_expr(
                invoice::Column::TaxMinor,
                Expr::value(planned.totals.tax.minor()),
            )
            .col_expr(
                invoice::Column::TotalMinor,
                Expr::value(planned.totals.total.minor()),
            )
            .col_expr(
                invoice::Column::PurchaseOrderId,
                Expr::value(planned.po.as_ref().map(|(po_id, _)| *po_id)),
            )
            .col_expr(
                invoice::Column::FunctionalTotalMinor,
                Expr::value(planned.functional_total.map(|money| money.minor())),
            )
            .col_expr(
                invoice::Column::FxRate,
                Expr::value(planned.fx_rate.map(|rate| rate.normalize().to_string())),
            )
            .filter(invoice::Column::Id.eq(id))
            .exec(&transaction)
            .await?;
        plan::issue(&transaction, id, &planned, Some(actor), now).await?;
        if over_credit_limit {
            audit::record(
                &transaction,
                Some(actor),
                now,
                AuditRecord::<(), _> {
                    action: "invoice.issue_over_credit_limit",
                    entity_type: "invoice",
                    entity_id: id.to_string(),
                    before: None,
                    after: Some(&serde_json::json!({ "heldBecause": model.blocked_reason })),
                },
            )
            .await?;
        }
        transaction.commit().await?;
        self.get(actor, id).await
    }

    /// Puts a PO on a held draft (the PO must be on file for the customer).
    pub async fn set_po(&self, actor: &Actor, id: i64, po_number: &str) -> AppResult<Invoice> {
        actor.require(Permission::InvoiceManage)?;
        let number = require_text("poNumber", po_number, 64)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = find_model(&transaction, id).await?;
        if model.status != InvoiceStatus::Draft.as_str() {
            return Err(AppError::Conflict(
                "Only a draft's PO can be set; an issued invoice never changes.".into(),
            ));
        }
        let po = find_po(&transaction, model.customer_id, &number)
            .await?
            .ok_or_else(|| {
                AppError::validation(
                    "poNumber",
                    format!("PO {number} is not on file for this customer; record it first."),
                )
            })?;
        let before = invoice_from_model(model.clone())?;
        invoice::Entity::update_many()
            .col_expr(invoice::Column::PoNumber, Expr::value(number.clone()))
            .col_expr(invoice::Column::PurchaseOrderId, Expr::value(po.id))
            .col_expr(invoice::Column::UpdatedAt, Expr::value(now))
            .filter(invoice::Column::Id.eq(id))
            .exec(&transaction)
            .await?;
        let after = invoice_from_model(find_model(&transaction, id).await?)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "invoice.set_po",
                entity_type: "invoice",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }

    /// Voids a draft, or an issued invoice with nothing paid or credited: the issue posting is
    /// reversed and the PO draw given back. With `release_charges` the charges go back to the
    /// next bill run (a rebill); without, they stay on the void invoice.
    pub async fn void(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
        release_charges: bool,
    ) -> AppResult<Invoice> {
        actor.require(Permission::InvoiceManage)?;
        let reason = require_text("reason", reason, 1000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = find_model(&transaction, id).await?;
        let before = invoice_from_model(model.clone())?;
        refuse_void(&model, &before)?;
        let reversal_id = match model.journal_entry_id {
            Some(entry_id) => Some(
                self.post_void_reversal(&transaction, actor, &model, entry_id, &reason, now)
                    .await?,
            ),
            None => None,
        };
        release_po_and_charges(&transaction, &model, release_charges).await?;
        mark_void(&transaction, actor, &model, &reason, reversal_id, now).await?;
        ar_history::record_void(&transaction, &model, self.clock.today(), now).await?;
        let after = invoice_from_model(find_model(&transaction, id).await?)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "invoice.void",
                entity_type: "invoice",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&serde_json::json!({"invoice": after, "reason": reason, "releaseCharges": release_charges})),
            },
        )
        .await?;
        // A held draft never went out, so its voiding is no news to a subscriber.
        if after.number.is_some() {
            emit_voided(&transaction, now, &after, &reason).await?;
        }
        transaction.commit().await?;
        Ok(after)
    }

    /// Posts the reversal of the invoice's issue entry on today's date; returns its id.
    async fn post_void_reversal(
        &self,
        transaction: &DatabaseTransaction,
        actor: &Actor,
        model: &invoice::Model,
        entry_id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> AppResult<i64> {
        let entry = void_entry(transaction, model.id, entry_id).await?;
        Ok(ledger::post_entry(
            transaction,
            Some(actor),
            now,
            EntryHeader {
                entry_date: self.clock.today(),
                memo: format!(
                    "Void of invoice {}: {reason}",
                    model.number.clone().unwrap_or_default()
                ),
                source: format!("invoice-void:{}", model.number.clone().unwrap_or_default()),
                idempotency_key: None,
            },
            &entry,
            Some(entry_id),
        )
        .await?
        .id)
    }
}

pub async fn find_po<C: ConnectionTrait>(
    connection: &C,
    customer_id: i64,
    number: &str,
) -> AppResult<Option<purchase_order::Model>> {
    Ok(purchase_order::Entity::find()
        .filter(purchase_order::Column::CustomerId.eq(customer_id))
        .filter(purchase_order::Column::Number.eq(number))
        .one(connection)
        .await?)
}

/// The posting of a void: the issue entry's AR and tax reversed, and the revenue side moved
/// back through each contract's position (deferred revenue or unbilled AR as it stands now).
async fn void_entry<C: sea_orm::ConnectionTrait>(
    connection: &C,
    invoice_id: i64,
    entry_id: i64,
) -> AppResult<crate::ledger::rules::BalancedEntry> {
    use crate::ledger::chart::{DEFERRED_REVENUE, UNBILLED_RECEIVABLE};
    use crate::ledger::rules::{BalancedEntry, Posting, Side};
    let original = ledger::entry_postings(connection, entry_id)
        .await?
        .reversed();
    let Some(currency) = original
        .postings()
        .first()
        .map(|posting| posting.amount.currency())
    else {
        return Ok(original);
    };
    let line_nets: Vec<(i64, i64)> = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(invoice_id))
        .all(connection)
        .await?
        .into_iter()
        .map(|line| (line.contract_line_id, -line.amount_minor))
        .collect();
    let (deferred, unbilled) = crate::revenue::positions::on_billed(connection, &line_nets).await?;
    let mut postings: Vec<Posting> = original
        .postings()
        .iter()
        .filter(|posting| {
            posting.account_code != DEFERRED_REVENUE && posting.account_code != UNBILLED_RECEIVABLE
        })
        .cloned()
        .collect();
    for (account, credit) in [
        (DEFERRED_REVENUE, deferred),
        (UNBILLED_RECEIVABLE, unbilled),
    ] {
        if credit != 0 {
            postings.push(Posting {
                account_code: account.into(),
                side: if credit > 0 {
                    Side::Credit
                } else {
                    Side::Debit
                },
                amount: Money::from_minor(credit.abs(), currency),
            });
        }
    }
    BalancedEntry::try_new(postings)
        .map_err(|error| AppError::internal(format!("void posting: {error}")))
}

/// The `invoice.voided` webhook event, in the voiding transaction.
async fn emit_voided<C: sea_orm::ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    invoice: &Invoice,
    reason: &str,
) -> AppResult<()> {
    crate::webhooks::emit(
        connection,
        now,
        crate::webhooks::EventType::InvoiceVoided,
        serde_json::json!({
            "invoiceId": invoice.id,
            "number": invoice.number,
            "customerId": invoice.customer_id,
            "total": invoice.total,
            "reason": reason,
        }),
    )
    .await
}

/// Refuses to void an invoice brought over at cut-over, one already void, and one with money
/// applied to it (paid, credited or written off): those take a credit memo.
fn refuse_void(model: &invoice::Model, before: &Invoice) -> AppResult<()> {
    if let Some(import_id) = model.import_id {
        return Err(AppError::Conflict(format!(
            "Invoice {} was brought over at cut-over by import #{import_id}; its opening entry covers every imported invoice, so correct it with a credit memo or a write-off instead of a void.",
            model.number.clone().unwrap_or_default()
        )));
    }
    match before.status {
        InvoiceStatus::Draft | InvoiceStatus::Issued => {}
        InvoiceStatus::Void => {
            return Err(AppError::Conflict("The invoice is already void.".into()))
        }
        InvoiceStatus::PartiallyPaid
        | InvoiceStatus::Paid
        | InvoiceStatus::Credited
        | InvoiceStatus::WrittenOff => {
            return Err(AppError::Conflict(
                "A paid invoice cannot be voided; issue a credit memo instead.".into(),
            ))
        }
    }
    if before.paid.minor() != 0 || before.credited.minor() != 0 {
        return Err(AppError::Conflict(
            "Payments or credits are applied to this invoice; issue a credit memo instead.".into(),
        ));
    }
    Ok(())
}

/// Gives the PO back what an issued invoice drew on it, and, when asked, frees the invoice's
/// charges for the next bill run.
async fn release_po_and_charges(
    transaction: &DatabaseTransaction,
    model: &invoice::Model,
    release_charges: bool,
) -> AppResult<()> {
    if let Some(po_id) = model.purchase_order_id.filter(|_| model.status == "issued") {
        purchase_order::Entity::update_many()
            .col_expr(
                purchase_order::Column::ConsumedMinor,
                Expr::col(purchase_order::Column::ConsumedMinor).sub(model.subtotal_minor),
            )
            .filter(purchase_order::Column::Id.eq(po_id))
            .exec(transaction)
            .await?;
    }
    if release_charges {
        invoice_line::Entity::update_many()
            .col_expr(
                invoice_line::Column::ActiveChargeId,
                Expr::value(Option::<i64>::None),
            )
            .filter(invoice_line::Column::InvoiceId.eq(model.id))
            .exec(transaction)
            .await?;
    }
    Ok(())
}

/// Marks the invoice void, only if nothing was paid, credited or written off on it meanwhile.
async fn mark_void(
    transaction: &DatabaseTransaction,
    actor: &Actor,
    model: &invoice::Model,
    reason: &str,
    reversal_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let voided = invoice::Entity::update_many()
        .col_expr(invoice::Column::Status, Expr::value("void"))
        .col_expr(invoice::Column::VoidedAt, Expr::value(now))
        .col_expr(invoice::Column::VoidedBy, Expr::value(actor.user_id))
        .col_expr(invoice::Column::VoidReason, Expr::value(reason))
        .col_expr(
            invoice::Column::VoidJournalEntryId,
            Expr::value(reversal_id),
        )
        .col_expr(
            invoice::Column::BatchKey,
            Expr::value(format!("{}|void:{}", model.batch_key, model.id)),
        )
        .col_expr(invoice::Column::UpdatedAt, Expr::value(now))
        .filter(invoice::Column::Id.eq(model.id))
        .filter(invoice::Column::Status.eq(model.status.clone()))
        .filter(invoice::Column::PaidMinor.eq(0))
        .filter(invoice::Column::CreditedMinor.eq(0))
        .filter(invoice::Column::WrittenOffMinor.eq(0))
        .exec(transaction)
        .await?;
    if voided.rows_affected != 1 {
        return Err(AppError::Conflict(
            "The invoice changed meanwhile (a payment may have arrived); reload it.".into(),
        ));
    }
    Ok(())
}
