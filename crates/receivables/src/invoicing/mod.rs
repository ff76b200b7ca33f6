//! Invoicing: invoice assembly, numbering, tax, PO rules, the issue posting, PDF and dispatch.
//!
//! Invoices are born in the bill run (`billing::run`) through `plan::write_plan`; this service
//! reads them, issues held drafts once their problem is fixed, voids unpaid ones, renders the
//! PDF and keeps the tax, FX and legal-entity tables.

pub mod ar_history;
mod document;
mod issuing;
pub mod opening;
pub mod pdf;
pub mod plan;
mod queries;
pub mod rules;
mod tables;

pub use document::{invoice_document, pdf_attachment, render_pdf, InvoicePdf, INVOICE_PDF};
pub use issuing::find_po;
pub use tables::upsert_legal_entity;

use crate::clock::SharedClock;
use crate::customers::{Address, PaymentTerms};
use crate::entities::{invoice, invoice_line, legal_entity};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::pagination::SortDirection;
use chrono::{DateTime, NaiveDate, Utc};
use rules::ChargeKind;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum InvoiceStatus {
    Draft,
    Issued,
    PartiallyPaid,
    Paid,
    /// Closed by credit memos.
    Credited,
    /// Closed by an approved bad-debt write-off.
    WrittenOff,
    Void,
}

impl InvoiceStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Issued => "issued",
            InvoiceStatus::PartiallyPaid => "partially_paid",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Credited => "credited",
            InvoiceStatus::WrittenOff => "written_off",
            InvoiceStatus::Void => "void",
        }
    }

    pub fn parse(text: &str) -> Option<InvoiceStatus> {
        [
            InvoiceStatus::Draft,
            InvoiceStatus::Issued,
            InvoiceStatus::PartiallyPaid,
            InvoiceStatus::Paid,
            InvoiceStatus::Credited,
            InvoiceStatus::WrittenOff,
            InvoiceStatus::Void,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InvoiceLine {
    pub id: i64,
    pub contract_line_id: i64,
    pub kind: ChargeKind,
    pub description: String,
    pub period_start: Option<NaiveDate>,
    /// Last service day (inclusive).
    pub period_end: Option<NaiveDate>,
    pub quantity: String,
    pub unit_price: Money,
    pub amount: Money,
    pub note: Option<String>,
    pub tax_jurisdiction: String,
    pub tax_rate_percent: String,
    pub tax_label: String,
    pub tax: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct Invoice {
    pub id: i64,
    pub number: Option<String>,
    pub legal_entity: String,
    pub customer_id: i64,
    pub contract_id: Option<i64>,
    pub status: InvoiceStatus,
    pub invoice_date: NaiveDate,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub payment_terms: PaymentTerms,
    pub po_number: Option<String>,
    pub tax_exemption_certificate: Option<String>,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub paid: Money,
    pub credited: Money,
    pub written_off: Money,
    pub settled_on: Option<NaiveDate>,
    pub blocked_field: Option<String>,
    pub blocked_reason: Option<String>,
    pub fx_rate: Option<String>,
    pub functional_total: Option<Money>,
    pub journal_entry_id: Option<i64>,
    pub issued_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Invoice {
    pub fn open_amount(&self) -> Money {
        Money::from_minor(
            // A credit memo on a paid invoice credits beyond what was open (the excess is
            // customer credit); nothing is owed then, not a negative amount.
            (self.total.minor()
                - self.paid.minor()
                - self.credited.minor()
                - self.written_off.minor())
            .max(0),
            self.total.currency(),
        )
    }

    pub fn is_overdue(&self, on: NaiveDate) -> bool {
        matches!(
            self.status,
            InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid
        ) && self.due_date.is_some_and(|due| due < on)
    }
}

pub fn invoice_from_model(model: invoice::Model) -> AppResult<Invoice> {
    let currency = Currency::parse(&model.currency)?;
    let money = |minor| Money::from_minor(minor, currency);
    let functional_total = match (
        &model.functional_total_minor,
        model.functional_currency.as_str(),
    ) {
        (Some(minor), code) if !code.is_empty() => {
            Some(Money::from_minor(*minor, Currency::parse(code)?))
        }
        _ => None,
    };
    Ok(Invoice {
        id: model.id,
        status: InvoiceStatus::parse(&model.status)
            .ok_or_else(|| AppError::internal(format!("invoice status {}", model.status)))?,
        payment_terms: PaymentTerms::parse(&model.payment_terms).unwrap_or(PaymentTerms::Net30),
        number: model.number,
        legal_entity: model.legal_entity,
        customer_id: model.customer_id,
        contract_id: model.contract_id,
        invoice_date: model.invoice_date,
        issue_date: model.issue_date,
        due_date: model.due_date,
        po_number: model.po_number,
        tax_exemption_certificate: model.tax_exemption_certificate,
        subtotal: money(model.subtotal_minor),
        tax: money(model.tax_minor),
        total: money(model.total_minor),
        paid: money(model.paid_minor),
        credited: money(model.credited_minor),
        written_off: money(model.written_off_minor),
        settled_on: model.settled_on,
        blocked_field: model.blocked_field,
        blocked_reason: model.blocked_reason,
        fx_rate: model.fx_rate,
        functional_total,
        journal_entry_id: model.journal_entry_id,
        issued_at: model.issued_at,
        voided_at: model.voided_at,
        void_reason: model.void_reason,
        created_at: model.created_at,
    })
}

fn line_from_model(model: invoice_line::Model, currency: Currency) -> AppResult<InvoiceLine> {
    let money = |minor| Money::from_minor(minor, currency);
    Ok(InvoiceLine {
        id: model.id,
        contract_line_id: model.contract_line_id,
        kind: ChargeKind::parse(&model.kind)
            .ok_or_else(|| AppError::internal(format!("line kind {}", model.kind)))?,
        description: model.description,
        period_start: model.period_start,
        period_end: model.period_end.and_then(|end| end.pred_opt()),
        quantity: model.quantity,
        unit_price: money(model.unit_price_minor),
        amount: money(model.amount_minor),
        note: model.proration_note,
        tax_jurisdiction: model.tax_jurisdiction,
        tax_rate_percent: model.tax_rate_percent,
        tax_label: model.tax_label,
        tax: money(model.tax_minor),
    })
}

/// Filters of the invoices list, and its order.
#[derive(Debug, Clone)]
pub struct InvoiceFilter {
    pub status: Option<InvoiceStatus>,
    pub customer_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub overdue_on: Option<NaiveDate>,
    pub search: Option<String>,
    pub order: (InvoiceSort, SortDirection),
}

impl Default for InvoiceFilter {
    /// Every invoice, newest first.
    fn default() -> Self {
        Self {
            status: None,
            customer_id: None,
            from: None,
            to: None,
            overdue_on: None,
            search: None,
            order: (InvoiceSort::InvoiceDate, SortDirection::Desc),
        }
    }
}

/// The column an invoice list is ordered by. Amounts order within each currency; the open
/// amount is what is still to collect (total less paid, credited and written off).
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InvoiceSort {
    /// The invoice date (newest first when no order is asked for).
    #[default]
    InvoiceDate,
    Number,
    DueDate,
    Status,
    Total,
    Open,
}

#[derive(Debug, Clone, Serialize, async_graphql::SimpleObject)]
pub struct TaxRateRow {
    pub jurisdiction: String,
    pub rate_percent: String,
    pub label: String,
    pub effective_from: crate::values::IsoDate,
}

#[derive(Debug, Clone, Serialize, async_graphql::SimpleObject)]
pub struct FxRateRow {
    pub currency: String,
    pub functional_currency: String,
    pub rate_date: crate::values::IsoDate,
    pub rate: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, async_graphql::SimpleObject)]
pub struct LegalEntity {
    pub name: String,
    pub address: Address,
    pub tax_id: Option<String>,
    pub remit_to: Vec<String>,
    pub payment_instructions: String,
}

#[derive(Clone)]
pub struct InvoiceService {
    db: DatabaseConnection,
    clock: SharedClock,
    functional: Currency,
    seller: String,
}

impl InvoiceService {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        functional: Currency,
        seller: String,
    ) -> InvoiceService {
        InvoiceService {
            db,
            clock,
            functional,
            seller,
        }
    }

    pub fn functional_currency(&self) -> Currency {
        self.functional
    }
}

fn entity_from_model(model: legal_entity::Model) -> AppResult<LegalEntity> {
    Ok(LegalEntity {
        address: serde_json::from_str(&model.address_json).map_err(AppError::internal)?,
        remit_to: serde_json::from_str(&model.remit_to_json).map_err(AppError::internal)?,
        name: model.name,
        tax_id: model.tax_id,
        payment_instructions: model.payment_instructions,
    })
}

pub async fn find_model<C: ConnectionTrait>(connection: &C, id: i64) -> AppResult<invoice::Model> {
    invoice::Entity::find_by_id(id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no invoice with id {id}.")))
}
