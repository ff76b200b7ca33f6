//! Invoicing: invoice assembly, numbering, tax, PO rules, the issue posting, PDF and dispatch.
//!
//! Invoices are born in the bill run (`billing::run`) through `plan::write_plan`; this service
//! reads them, issues held drafts once their problem is fixed, voids unpaid ones, renders the
//! PDF and keeps the tax, FX and legal-entity tables.

pub mod ar_history;
pub mod opening;
pub mod pdf;
pub mod plan;
pub mod rules;

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::customers::{Address, PaymentTerms};
use crate::entities::{
    billing_charge, deal, fx_rate, invoice, invoice_line, legal_entity, purchase_order, tax_rate,
};
use crate::error::{AppError, AppResult};
use crate::ledger::{self, EntryHeader};
use crate::money::{Currency, Money};
use crate::notifications::mail::Attachment;
use crate::pagination::{Page, PageRequest, SortDirection};
use crate::values::require_text;
use chrono::{DateTime, NaiveDate, Utc};
use plan::Reference;
use rules::{ChargeKind, Jurisdiction};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;
use std::str::FromStr;

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

/// Restricts a query to the customers an AE holds deals with.
fn own_customers_only(actor: &Actor) -> Option<sea_orm::sea_query::SelectStatement> {
    actor.sees_only_own_deals().then(|| {
        Query::select()
            .column(deal::Column::CustomerId)
            .from(deal::Entity)
            .and_where(deal::Column::AssignedAeId.eq(actor.user_id))
            .to_owned()
    })
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

    pub async fn list(
        &self,
        actor: &Actor,
        filter: InvoiceFilter,
        page: PageRequest,
    ) -> AppResult<Page<Invoice>> {
        actor.require(Permission::InvoiceRead)?;
        let mut query = invoice::Entity::find();
        if let Some(own) = own_customers_only(actor) {
            query = query.filter(invoice::Column::CustomerId.in_subquery(own));
        }
        if let Some(status) = filter.status {
            query = query.filter(invoice::Column::Status.eq(status.as_str()));
        }
        if let Some(customer_id) = filter.customer_id {
            query = query.filter(invoice::Column::CustomerId.eq(customer_id));
        }
        if let Some(from) = filter.from {
            query = query.filter(invoice::Column::InvoiceDate.gte(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(invoice::Column::InvoiceDate.lte(to));
        }
        if let Some(on) = filter.overdue_on {
            query = query
                .filter(invoice::Column::Status.is_in(["issued", "partially_paid"]))
                .filter(invoice::Column::DueDate.lt(on));
        }
        if let Some(condition) = crate::pagination::search_condition(
            filter.search,
            &[
                invoice::Column::Number,
                invoice::Column::PoNumber,
                invoice::Column::LegalEntity,
            ],
        ) {
            query = query.filter(condition);
        }
        let total = query.clone().count(&self.db).await?;
        let (sort, direction) = filter.order;
        let direction = direction.order();
        let open = Expr::col(invoice::Column::TotalMinor)
            .sub(Expr::col(invoice::Column::PaidMinor))
            .sub(Expr::col(invoice::Column::CreditedMinor))
            .sub(Expr::col(invoice::Column::WrittenOffMinor));
        let query = match sort {
            InvoiceSort::InvoiceDate => query,
            // A draft has no number or due date yet: it comes after the issued invoices either
            // way (SQLite would put NULLs first ascending and PostgreSQL last).
            InvoiceSort::Number => query
                .order_by_asc(Expr::col(invoice::Column::Number).is_null())
                .order_by(invoice::Column::Number, direction.clone()),
            InvoiceSort::DueDate => query
                .order_by_asc(Expr::col(invoice::Column::DueDate).is_null())
                .order_by(invoice::Column::DueDate, direction.clone()),
            InvoiceSort::Status => query.order_by(invoice::Column::Status, direction.clone()),
            InvoiceSort::Total => query
                .order_by_asc(invoice::Column::Currency)
                .order_by(invoice::Column::TotalMinor, direction.clone()),
            InvoiceSort::Open => query
                .order_by_asc(invoice::Column::Currency)
                .order_by(open, direction.clone()),
        };
        // Ties fall back to the invoice date and id, so a page boundary never shows a row twice
        // or skips one.
        let date_order = if sort == InvoiceSort::InvoiceDate {
            direction
        } else {
            sea_orm::Order::Desc
        };
        let rows = query
            .order_by(invoice::Column::InvoiceDate, date_order.clone())
            .order_by(invoice::Column::Id, date_order)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Page::new(rows, page, total).try_map(invoice_from_model)
    }

    pub async fn get(&self, actor: &Actor, id: i64) -> AppResult<Invoice> {
        actor.require(Permission::InvoiceRead)?;
        let invoice = invoice_from_model(find_model(&self.db, id).await?)?;
        self.check_visible(actor, &invoice).await?;
        Ok(invoice)
    }

    async fn check_visible(&self, actor: &Actor, invoice: &Invoice) -> AppResult<()> {
        if !actor.sees_only_own_deals() {
            return Ok(());
        }
        let holds = deal::Entity::find()
            .filter(deal::Column::CustomerId.eq(invoice.customer_id))
            .filter(deal::Column::AssignedAeId.eq(actor.user_id))
            .count(&self.db)
            .await?;
        if holds == 0 {
            return Err(AppError::Forbidden(
                "This invoice belongs to a customer of another account executive.".into(),
            ));
        }
        Ok(())
    }

    pub async fn lines(&self, invoice: &Invoice) -> AppResult<Vec<InvoiceLine>> {
        invoice_line::Entity::find()
            .filter(invoice_line::Column::InvoiceId.eq(invoice.id))
            .order_by_asc(invoice_line::Column::Position)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|line| line_from_model(line, invoice.total.currency()))
            .collect()
    }

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

    /// The invoice PDF for a reader allowed to see the invoice.
    pub async fn pdf(&self, actor: &Actor, id: i64) -> AppResult<Attachment> {
        let invoice = self.get(actor, id).await?;
        render_pdf(&self.db, &invoice).await
    }

    pub async fn tax_rates(&self, actor: &Actor) -> AppResult<Vec<TaxRateRow>> {
        actor.require(Permission::InvoiceRead)?;
        Ok(tax_rate::Entity::find()
            .order_by_asc(tax_rate::Column::Country)
            .order_by_asc(tax_rate::Column::Region)
            .order_by_asc(tax_rate::Column::EffectiveFrom)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| TaxRateRow {
                jurisdiction: Jurisdiction {
                    country: row.country,
                    region: row.region,
                }
                .code(),
                rate_percent: row.rate_percent,
                label: row.label,
                effective_from: crate::values::IsoDate(row.effective_from),
            })
            .collect())
    }

    /// Adds a rate for a jurisdiction from a date (history is kept; the latest in force applies).
    pub async fn set_tax_rate(
        &self,
        actor: &Actor,
        jurisdiction: &str,
        rate_percent: &str,
        label: &str,
        effective_from: NaiveDate,
    ) -> AppResult<TaxRateRow> {
        actor.require(Permission::BillingSetup)?;
        let place = Jurisdiction::parse(jurisdiction)
            .map_err(|message| AppError::validation("jurisdiction", message))?;
        crate::customers::rules::validate_country(&place.country)
            .map_err(|message| AppError::validation("jurisdiction", message))?;
        let rate = Decimal::from_str(rate_percent.trim())
            .ok()
            .filter(|rate| !rate.is_sign_negative() && *rate <= Decimal::ONE_HUNDRED)
            .ok_or_else(|| {
                AppError::validation(
                    "ratePercent",
                    "Give the rate as a percentage from 0 to 100, such as 7.25.",
                )
            })?;
        let label = require_text("label", label, 100)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let exists = tax_rate::Entity::find()
            .filter(tax_rate::Column::Country.eq(place.country.clone()))
            .filter(tax_rate::Column::Region.eq(place.region.clone()))
            .filter(tax_rate::Column::EffectiveFrom.eq(effective_from))
            .one(&transaction)
            .await?;
        if exists.is_some() {
            return Err(AppError::validation(
                "effectiveFrom",
                format!(
                    "{} already has a rate from {effective_from}; add one from another date.",
                    place.code()
                ),
            ));
        }
        tax_rate::ActiveModel {
            country: Set(place.country.clone()),
            region: Set(place.region.clone()),
            rate_percent: Set(rate.normalize().to_string()),
            label: Set(label.clone()),
            effective_from: Set(effective_from),
            created_at: Set(now),
            created_by: Set(Some(actor.user_id)),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let row = TaxRateRow {
            jurisdiction: place.code(),
            rate_percent: rate.normalize().to_string(),
            label,
            effective_from: crate::values::IsoDate(effective_from),
        };
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "tax_rate.set",
                entity_type: "tax_rate",
                entity_id: place.code(),
                before: None,
                after: Some(&row),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(row)
    }

    pub async fn fx_rates(&self, actor: &Actor) -> AppResult<Vec<FxRateRow>> {
        actor.require(Permission::InvoiceRead)?;
        Ok(fx_rate::Entity::find()
            .order_by_asc(fx_rate::Column::Currency)
            .order_by_desc(fx_rate::Column::RateDate)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| FxRateRow {
                currency: row.currency,
                functional_currency: self.functional.code().to_string(),
                rate_date: crate::values::IsoDate(row.rate_date),
                rate: row.rate,
            })
            .collect())
    }

    /// Records how many units of the functional currency one unit of `currency` buys on a date.
    pub async fn set_fx_rate(
        &self,
        actor: &Actor,
        currency: &str,
        rate_date: NaiveDate,
        rate: &str,
    ) -> AppResult<FxRateRow> {
        actor.require(Permission::BillingSetup)?;
        let currency = crate::values::parse_currency("currency", currency)?;
        if currency == self.functional {
            return Err(AppError::validation(
                "currency",
                format!(
                    "{} is the functional currency; its rate is always 1.",
                    currency.code()
                ),
            ));
        }
        let rate = Decimal::from_str(rate.trim())
            .ok()
            .filter(|rate| *rate > Decimal::ZERO)
            .ok_or_else(|| {
                AppError::validation(
                    "rate",
                    "Give the rate as a positive decimal, such as 1.0842.",
                )
            })?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let existing = fx_rate::Entity::find()
            .filter(fx_rate::Column::Currency.eq(currency.code()))
            .filter(fx_rate::Column::RateDate.eq(rate_date))
            .one(&transaction)
            .await?;
        if existing.is_some() {
            return Err(AppError::validation(
                "rateDate",
                format!("{} already has a rate for {rate_date}.", currency.code()),
            ));
        }
        fx_rate::ActiveModel {
            currency: Set(currency.code().to_string()),
            rate_date: Set(rate_date),
            rate: Set(rate.normalize().to_string()),
            created_at: Set(now),
            created_by: Set(Some(actor.user_id)),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let row = FxRateRow {
            currency: currency.code().to_string(),
            functional_currency: self.functional.code().to_string(),
            rate_date: crate::values::IsoDate(rate_date),
            rate: rate.normalize().to_string(),
        };
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "fx_rate.set",
                entity_type: "fx_rate",
                entity_id: format!("{}:{rate_date}", currency.code()),
                before: None,
                after: Some(&row),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(row)
    }

    pub async fn legal_entities(&self, actor: &Actor) -> AppResult<Vec<LegalEntity>> {
        actor.require(Permission::InvoiceRead)?;
        legal_entity::Entity::find()
            .order_by_asc(legal_entity::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(entity_from_model)
            .collect()
    }

    /// Creates or replaces the invoicing details of a legal entity (by name).
    pub async fn set_legal_entity(
        &self,
        actor: &Actor,
        entity: LegalEntity,
    ) -> AppResult<LegalEntity> {
        actor.require(Permission::BillingSetup)?;
        let name = require_text("name", &entity.name, 200)?;
        let address = entity.address.validated("address")?;
        let remit_to: Vec<String> = entity
            .remit_to
            .iter()
            .map(|line| line.trim().to_string())
            .filter(|line| !line.is_empty())
            .collect();
        if remit_to.is_empty() {
            return Err(AppError::validation(
                "remitTo",
                "Give the remit-to address.",
            ));
        }
        let instructions = require_text("paymentInstructions", &entity.payment_instructions, 2000)?;
        let entity = LegalEntity {
            name,
            address,
            tax_id: entity
                .tax_id
                .map(|id| id.trim().to_string())
                .filter(|id| !id.is_empty()),
            remit_to,
            payment_instructions: instructions,
        };
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        // The details it replaces, for the audit trail.
        let before = legal_entity::Entity::find()
            .filter(legal_entity::Column::Name.eq(entity.name.clone()))
            .one(&transaction)
            .await?
            .map(entity_from_model)
            .transpose()?;
        upsert_legal_entity(&transaction, &entity, now).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "legal_entity.set",
                entity_type: "legal_entity",
                entity_id: entity.name.clone(),
                before: before.as_ref(),
                after: Some(&entity),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(entity)
    }
}

pub async fn upsert_legal_entity<C: ConnectionTrait>(
    connection: &C,
    entity: &LegalEntity,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let address_json = serde_json::to_string(&entity.address).map_err(AppError::internal)?;
    let remit_json = serde_json::to_string(&entity.remit_to).map_err(AppError::internal)?;
    let existing = legal_entity::Entity::find()
        .filter(legal_entity::Column::Name.eq(entity.name.clone()))
        .one(connection)
        .await?;
    match existing {
        Some(row) => {
            let mut row: legal_entity::ActiveModel = row.into();
            row.address_json = Set(address_json);
            row.tax_id = Set(entity.tax_id.clone());
            row.remit_to_json = Set(remit_json);
            row.payment_instructions = Set(entity.payment_instructions.clone());
            row.update(connection).await?;
        }
        None => {
            legal_entity::ActiveModel {
                name: Set(entity.name.clone()),
                address_json: Set(address_json),
                tax_id: Set(entity.tax_id.clone()),
                remit_to_json: Set(remit_json),
                payment_instructions: Set(entity.payment_instructions.clone()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(connection)
            .await?;
        }
    }
    Ok(())
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

fn address_lines(address: &Address) -> Vec<String> {
    let mut lines = vec![address.line1.clone()];
    if let Some(line2) = &address.line2 {
        lines.push(line2.clone());
    }
    let region = address
        .region
        .clone()
        .map(|region| format!(" {region}"))
        .unwrap_or_default();
    lines.push(format!("{}{region} {}", address.city, address.postal_code));
    lines.push(address.country.clone());
    lines
}

/// Renders an invoice's PDF from its stored (immutable once issued) rows.
pub async fn render_pdf(db: &DatabaseConnection, invoice: &Invoice) -> AppResult<Attachment> {
    let (document, _) = invoice_document(db, invoice).await?;
    Ok(Attachment {
        filename: format!("{}.pdf", document.number),
        content_type: "application/pdf".into(),
        bytes: pdf::render(&document),
    })
}

/// What an invoice's PDF prints, with its lines (credit memos start from it).
pub async fn invoice_document(
    db: &DatabaseConnection,
    invoice: &Invoice,
) -> AppResult<(pdf::InvoiceDocument, Vec<InvoiceLine>)> {
    let lines = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(invoice.id))
        .order_by_asc(invoice_line::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|line| line_from_model(line, invoice.total.currency()))
        .collect::<AppResult<Vec<_>>>()?;
    let customer = crate::customers::find_model(db, invoice.customer_id).await?;
    let billing_address: Address =
        serde_json::from_str(&customer.billing_address_json).map_err(AppError::internal)?;
    let entity = legal_entity::Entity::find()
        .filter(legal_entity::Column::Name.eq(invoice.legal_entity.clone()))
        .one(db)
        .await?
        .map(entity_from_model)
        .transpose()?;
    let code = invoice.total.currency().code();
    let amount = |money: Money| money.to_string();
    let number = invoice
        .number
        .clone()
        .unwrap_or_else(|| format!("DRAFT-{}", invoice.id));
    let document = pdf::InvoiceDocument {
        title: match invoice.status {
            InvoiceStatus::Void => "INVOICE — VOID".into(),
            InvoiceStatus::Draft => "DRAFT INVOICE".into(),
            _ => "INVOICE".into(),
        },
        number: number.clone(),
        issue_date: invoice
            .issue_date
            .unwrap_or(invoice.invoice_date)
            .to_string(),
        due_date: invoice
            .due_date
            .map(|date| date.to_string())
            .unwrap_or_else(|| "on issue".into()),
        payment_terms: crate::values::capitalise(invoice.payment_terms.label()),
        currency: code.to_string(),
        seller: pdf::Party {
            name: invoice.legal_entity.clone(),
            address_lines: entity
                .as_ref()
                .map(|entity| address_lines(&entity.address))
                .unwrap_or_default(),
            tax_id: entity.as_ref().and_then(|entity| entity.tax_id.clone()),
        },
        bill_to: pdf::Party {
            name: customer.legal_name.clone(),
            address_lines: address_lines(&billing_address),
            tax_id: customer.tax_registration_number.clone(),
        },
        remit_to: entity
            .as_ref()
            .map(|entity| entity.remit_to.clone())
            .unwrap_or_else(|| vec![invoice.legal_entity.clone()]),
        po_number: invoice.po_number.clone(),
        tax_exemption_certificate: invoice.tax_exemption_certificate.clone(),
        lines: lines
            .iter()
            .map(|line| pdf::DocumentLine {
                description: line.description.clone(),
                period: line
                    .period_start
                    .zip(line.period_end)
                    .map(|(start, end)| format!("{start} – {end}")),
                quantity: line.quantity.clone(),
                unit_price: line.unit_price.grouped_amount(),
                amount: line.amount.grouped_amount(),
                tax_label: line.tax_label.clone(),
                tax_amount: line.tax.grouped_amount(),
                note: line.note.clone(),
            })
            .collect(),
        subtotal: amount(invoice.subtotal),
        tax_total: amount(invoice.tax),
        total: amount(invoice.total),
        payment_instructions: entity
            .as_ref()
            .map(|entity| {
                entity
                    .payment_instructions
                    .lines()
                    .map(str::to_string)
                    .chain([format!("Please quote {number} with your payment.")])
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("Please quote {number} with your payment.")]),
        labels: pdf::Labels::invoice(),
    };
    Ok((document, lines))
}

/// The outbox attachment kind of an invoice e-mail's PDF.
pub const INVOICE_PDF: &str = "invoice_pdf";

/// The PDF attachment of an invoice e-mail (the outbox sender calls this at send time).
pub async fn pdf_attachment(db: &DatabaseConnection, invoice_id: i64) -> AppResult<Attachment> {
    let invoice = invoice_from_model(find_model(db, invoice_id).await?)?;
    render_pdf(db, &invoice).await
}

/// Renders `INVOICE_PDF` attachments for the outbox sender.
pub struct InvoicePdf;

#[async_trait::async_trait]
impl crate::notifications::attachments::AttachmentRenderer for InvoicePdf {
    async fn render(&self, db: &DatabaseConnection, id: i64) -> AppResult<Vec<Attachment>> {
        Ok(vec![pdf_attachment(db, id).await?])
    }
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
