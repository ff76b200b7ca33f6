//! Bank receipts: a bank's CSV of money received is imported once (a row seen before is a
//! duplicate), each line gets a proposed match (invoice number, then amount and customer), a
//! person confirms it into a payment or sets it aside, and unmatched lines wait in a queue.

use super::bank_csv::{parse_bank_csv, RowError};
use super::matching::{propose, MatchBasis, OpenInvoice, Proposal, ReceiptLine};
use super::payments::{AllocationInput, Payment, PaymentMethod, PaymentRecordInput};
use super::repo::open_minor;
use super::ReceivablesService;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{bank_receipt, customer, invoice};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::pagination::{Page, PageRequest};
use crate::values::{parse_id, IsoDate, MoneyInput};
use async_graphql::{Enum, InputObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Rows per imported file.
pub const MAX_ROWS: usize = 2_000;
/// Open invoices considered for proposals per currency.
const MAX_CANDIDATES: u64 = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
pub enum ReceiptStatus {
    /// No match was found; a person decides.
    Unmatched,
    /// A match is proposed and waits for confirmation.
    Proposed,
    /// Confirmed into a payment.
    Matched,
    /// Set aside (not a customer payment).
    Ignored,
}

impl ReceiptStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ReceiptStatus::Unmatched => "unmatched",
            ReceiptStatus::Proposed => "proposed",
            ReceiptStatus::Matched => "matched",
            ReceiptStatus::Ignored => "ignored",
        }
    }

    fn parse(text: &str) -> AppResult<ReceiptStatus> {
        [
            ReceiptStatus::Unmatched,
            ReceiptStatus::Proposed,
            ReceiptStatus::Matched,
            ReceiptStatus::Ignored,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
        .ok_or_else(|| AppError::internal(format!("bank receipt status {text}")))
    }
}

fn basis_str(basis: MatchBasis) -> &'static str {
    match basis {
        MatchBasis::InvoiceNumber => "invoice_number",
        MatchBasis::AmountAndCustomer => "amount_and_customer",
        MatchBasis::AmountOnly => "amount_only",
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BankReceipt {
    pub id: i64,
    pub batch: String,
    pub row: i32,
    pub received_on: NaiveDate,
    pub amount: Money,
    pub payer: String,
    pub reference: String,
    pub status: ReceiptStatus,
    pub proposed_customer_id: Option<i64>,
    pub proposed_invoice_ids: Vec<i64>,
    pub proposal_basis: Option<String>,
    pub proposal_explanation: Option<String>,
    pub payment_id: Option<i64>,
    pub imported_at: DateTime<Utc>,
}

fn receipt_from_model(model: bank_receipt::Model) -> AppResult<BankReceipt> {
    Ok(BankReceipt {
        id: model.id,
        batch: model.batch,
        row: model.row_no,
        received_on: model.received_on,
        amount: Money::from_minor(model.amount_minor, Currency::parse(&model.currency)?),
        payer: model.payer,
        reference: model.reference,
        status: ReceiptStatus::parse(&model.status)?,
        proposed_customer_id: model.proposed_customer_id,
        proposed_invoice_ids: serde_json::from_str(&model.proposed_invoice_ids)?,
        proposal_basis: model.proposal_basis,
        proposal_explanation: model.proposal_explanation,
        payment_id: model.payment_id,
        imported_at: model.imported_at,
    })
}

#[derive(Debug, Clone)]
pub struct BankImport {
    pub batch: String,
    pub imported: Vec<BankReceipt>,
    /// Rows already imported from an earlier file.
    pub duplicates: usize,
    pub rejected: Vec<RowError>,
}

#[derive(Debug, Clone, InputObject)]
pub struct BankReceiptConfirmInput {
    pub id: ID,
    /// Defaults to the proposed customer.
    pub customer_id: Option<ID>,
    /// Defaults to the proposed invoices, oldest first; the rest becomes customer credit.
    pub allocations: Option<Vec<AllocationInput>>,
    pub method: Option<PaymentMethod>,
}

impl ReceivablesService {
    /// Imports a bank CSV (`date,amount,currency,payer,reference`) and proposes a match per line.
    pub async fn import_bank_csv(&self, actor: &Actor, csv: &str) -> AppResult<BankImport> {
        actor.require(Permission::PaymentRecord)?;
        let (lines, rejected) = parse_bank_csv(csv, MAX_ROWS);
        if lines.is_empty() && rejected.iter().any(|error| error.row == 0) {
            let message = rejected
                .iter()
                .map(|error| error.message.clone())
                .collect::<Vec<_>>()
                .join(" ");
            return Err(AppError::validation("csv", message));
        }
        let now = self.clock.now();
        let batch = format!("bank-{}", now.format("%Y%m%d%H%M%S%3f"));
        let currencies: BTreeSet<String> = lines
            .iter()
            .map(|line| line.amount.currency().code().to_string())
            .collect();
        let mut candidates: HashMap<String, Vec<OpenInvoice>> = HashMap::new();
        for code in currencies {
            candidates.insert(code.clone(), self.open_candidates(&code).await?);
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut imported = Vec::new();
        let mut duplicates = 0;
        for line in &lines {
            let base = format!(
                "{}|{}|{}|{}|{}",
                line.received_on,
                line.amount.minor(),
                line.amount.currency().code(),
                line.payer.trim().to_lowercase(),
                line.reference.trim().to_lowercase()
            );
            let occurrence = seen.entry(base.clone()).or_insert(0);
            *occurrence += 1;
            let fingerprint: String = format!("{base}|{occurrence}").chars().take(200).collect();
            let proposal: Option<Proposal> = candidates
                .get(line.amount.currency().code())
                .and_then(|open| propose(line, open));
            let row = receipt_row(line, &fingerprint, &batch, proposal.as_ref(), actor, now)?;
            let inserted = bank_receipt::Entity::insert(row)
                .on_conflict(
                    OnConflict::column(bank_receipt::Column::Fingerprint)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await?;
            if inserted == 0 {
                duplicates += 1;
                continue;
            }
            if let Some(model) = bank_receipt::Entity::find()
                .filter(bank_receipt::Column::Fingerprint.eq(fingerprint))
                .one(&self.db)
                .await?
            {
                imported.push(receipt_from_model(model)?);
            }
        }
        audit::record(&self.db, Some(actor), now, AuditRecord::<(), _> {
            action: "bank_receipts.import",
            entity_type: "bank_import",
            entity_id: batch.clone(),
            before: None,
            after: Some(&serde_json::json!({ "imported": imported.len(), "duplicates": duplicates, "rejected": rejected.len() })),
        })
        .await?;
        Ok(BankImport {
            batch,
            imported,
            duplicates,
            rejected,
        })
    }

    async fn open_candidates(&self, currency: &str) -> AppResult<Vec<OpenInvoice>> {
        let invoices = invoice::Entity::find()
            .filter(invoice::Column::Currency.eq(currency))
            .filter(invoice::Column::Status.is_in(["issued", "partially_paid"]))
            .order_by_asc(invoice::Column::InvoiceDate)
            .order_by_asc(invoice::Column::Id)
            .limit(MAX_CANDIDATES)
            .all(&self.db)
            .await?;
        let names: HashMap<i64, String> = customer::Entity::find()
            .filter(
                customer::Column::Id.is_in(
                    invoices
                        .iter()
                        .map(|invoice| invoice.customer_id)
                        .collect::<BTreeSet<_>>(),
                ),
            )
            .all(&self.db)
            .await?
            .into_iter()
            .map(|customer| (customer.id, customer.legal_name))
            .collect();
        let currency = Currency::parse(currency)?;
        Ok(invoices
            .into_iter()
            .map(|model| OpenInvoice {
                invoice_id: model.id,
                number: model.number.clone().unwrap_or_default(),
                customer_id: model.customer_id,
                customer_name: names.get(&model.customer_id).cloned().unwrap_or_default(),
                open: Money::from_minor(open_minor(&model), currency),
                invoice_date: model.invoice_date,
            })
            .collect())
    }

    /// The queue: lines waiting for a person first, oldest first.
    pub async fn bank_receipts(
        &self,
        actor: &Actor,
        status: Option<ReceiptStatus>,
        page: PageRequest,
    ) -> AppResult<Page<BankReceipt>> {
        actor.require(Permission::ReceivablesRead)?;
        let mut query = bank_receipt::Entity::find();
        if let Some(status) = status {
            query = query.filter(bank_receipt::Column::Status.eq(status.as_str()));
        }
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_desc(Expr::cust(
                "CASE WHEN status IN ('unmatched', 'proposed') THEN 1 ELSE 0 END",
            ))
            .order_by_asc(bank_receipt::Column::ReceivedOn)
            .order_by_asc(bank_receipt::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Page::new(rows, page, total).try_map(receipt_from_model)
    }

    async fn receipt_model(&self, id: i64) -> AppResult<bank_receipt::Model> {
        bank_receipt::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found(format!("There is no bank receipt with id {id}.")))
    }

    /// Confirms a line into a payment (idempotent per line: a second confirm returns it).
    pub async fn confirm_bank_receipt(
        &self,
        actor: &Actor,
        input: BankReceiptConfirmInput,
    ) -> AppResult<Payment> {
        actor.require(Permission::PaymentRecord)?;
        let id = parse_id("id", &input.id)?;
        let model = self.receipt_model(id).await?;
        if model.status == "ignored" {
            return Err(AppError::Conflict(
                "This line was set aside; it cannot be confirmed.".into(),
            ));
        }
        if let Some(payment_id) = model.payment_id {
            // Confirmed before: the same payment comes back, nothing is paid twice.
            return self.payment(actor, payment_id).await;
        }
        let receipt = receipt_from_model(model.clone())?;
        let customer_id = match &input.customer_id {
            Some(text) => parse_id("customerId", text)?,
            None => receipt.proposed_customer_id.ok_or_else(|| {
                AppError::validation(
                    "customerId",
                    "No customer was proposed for this line; choose the customer who paid.",
                )
            })?,
        };
        let allocations = match input.allocations {
            Some(allocations) => Some(allocations),
            None if Some(customer_id) == receipt.proposed_customer_id
                && !receipt.proposed_invoice_ids.is_empty() =>
            {
                let mut left = receipt.amount.minor();
                let mut allocations = Vec::new();
                for invoice_id in &receipt.proposed_invoice_ids {
                    let invoice = crate::invoicing::find_model(&self.db, *invoice_id).await?;
                    let take = open_minor(&invoice).min(left);
                    if take > 0 && matches!(invoice.status.as_str(), "issued" | "partially_paid") {
                        left -= take;
                        allocations.push(AllocationInput {
                            invoice_id: ID(invoice_id.to_string()),
                            amount: Money::from_minor(take, receipt.amount.currency())
                                .amount_string(),
                        });
                    }
                }
                Some(allocations)
            }
            None => None,
        };
        let payment = self
            .record_payment_from(
                actor,
                PaymentRecordInput {
                    customer_id: ID(customer_id.to_string()),
                    method: input.method.unwrap_or(PaymentMethod::Wire),
                    amount: MoneyInput {
                        amount: receipt.amount.amount_string(),
                        currency: receipt.amount.currency().code().to_string(),
                    },
                    received_on: IsoDate(receipt.received_on),
                    reference: if receipt.reference.trim().is_empty() {
                        format!("Bank line {}", receipt.id)
                    } else {
                        receipt.reference.clone()
                    },
                    idempotency_key: format!("bank-receipt:{id}"),
                    allocations,
                    keep_as_credit: None,
                },
                Some(id),
            )
            .await?;
        Ok(payment)
    }

    /// Sets a line aside (e.g. not a customer payment), with the reason audited.
    pub async fn ignore_bank_receipt(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> AppResult<BankReceipt> {
        actor.require(Permission::PaymentRecord)?;
        let reason = crate::values::require_text("reason", reason, 500)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let updated = bank_receipt::Entity::update_many()
            .col_expr(bank_receipt::Column::Status, Expr::value("ignored"))
            .col_expr(bank_receipt::Column::DecidedBy, Expr::value(actor.user_id))
            .col_expr(bank_receipt::Column::DecidedAt, Expr::value(now))
            .filter(bank_receipt::Column::Id.eq(id))
            .filter(bank_receipt::Column::Status.is_in(["unmatched", "proposed"]))
            .exec(&transaction)
            .await?;
        if updated.rows_affected != 1 {
            transaction.rollback().await?;
            self.receipt_model(id).await?;
            return Err(AppError::Conflict(
                "This line was already confirmed or set aside.".into(),
            ));
        }
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "bank_receipt.ignore",
                entity_type: "bank_receipt",
                entity_id: id.to_string(),
                before: None,
                after: Some(&reason),
            },
        )
        .await?;
        transaction.commit().await?;
        receipt_from_model(self.receipt_model(id).await?)
    }
}

/// The receipt row of one bank line, proposed for a match when one was found.
fn receipt_row(
    line: &ReceiptLine,
    fingerprint: &str,
    batch: &str,
    proposal: Option<&Proposal>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<bank_receipt::ActiveModel> {
    Ok(bank_receipt::ActiveModel {
        fingerprint: Set(fingerprint.to_string()),
        batch: Set(batch.to_string()),
        row_no: Set(i32::try_from(line.row).unwrap_or(i32::MAX)),
        received_on: Set(line.received_on),
        amount_minor: Set(line.amount.minor()),
        currency: Set(line.amount.currency().code().into()),
        payer: Set(line.payer.clone()),
        reference: Set(line.reference.clone()),
        status: Set(if proposal.is_some() {
            "proposed"
        } else {
            "unmatched"
        }
        .into()),
        proposed_customer_id: Set(proposal.map(|proposal| proposal.customer_id)),
        proposed_invoice_ids: Set(serde_json::to_string(
            &proposal
                .map(|proposal| proposal.invoice_ids.clone())
                .unwrap_or_default(),
        )?),
        proposal_basis: Set(proposal.map(|proposal| basis_str(proposal.basis).to_string())),
        proposal_explanation: Set(proposal.map(|proposal| proposal.explanation.clone())),
        imported_by: Set(actor.user_id),
        imported_at: Set(now),
        ..Default::default()
    })
}
