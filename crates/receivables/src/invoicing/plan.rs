//! Turning unbilled charges into invoice plans, and writing a plan: as an issued invoice (number,
//! ledger posting, PO draw, e-mail in the outbox, audit row) or as a held draft with the reason.
//! The bill run, its preview and the manual issue of a held draft all go through here.

use super::rules::{self, Block, ChargeKind, LineTax, NetLine, PoState, TaxRate, Totals};
use crate::access::Actor;
use crate::audit::{self, AuditRecord};
use crate::customers::{Contact, PaymentTerms};
use crate::entities::{
    billing_charge, contract, customer, deal, invoice, invoice_line, purchase_order, tax_rate,
};
use crate::error::{AppError, AppResult};
use crate::fx::Rates;
use crate::ledger::{self, chart, EntryHeader};
use crate::money::{Currency, Money};
use crate::notifications::{self, NewMessage};
use crate::sequences;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

/// The invoicing terms a contract carries from its deal (and the company entity that sells).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractTerms {
    pub contract_id: i64,
    pub customer_id: i64,
    pub legal_entity: String,
    pub payment_terms: PaymentTerms,
    pub po_required: bool,
    pub po_number: Option<String>,
    pub tax_jurisdiction: String,
    pub exemption_certificate: Option<String>,
    pub billing_contact: Option<Contact>,
}

pub async fn contract_terms<C: ConnectionTrait>(
    connection: &C,
    contract_ids: &[i64],
    seller: &str,
) -> AppResult<HashMap<i64, ContractTerms>> {
    let contracts = crate::lookup::find_in(
        connection,
        contract::Entity::find(),
        contract::Column::Id,
        contract_ids.iter().copied(),
    )
    .await?;
    let deals: HashMap<i64, deal::Model> = crate::lookup::find_in(
        connection,
        deal::Entity::find(),
        deal::Column::Id,
        contracts.iter().map(|contract| contract.deal_id),
    )
    .await?
    .into_iter()
    .map(|deal| (deal.id, deal))
    .collect();
    let mut result = HashMap::new();
    for contract in contracts {
        let deal = deals
            .get(&contract.deal_id)
            .ok_or_else(|| AppError::internal(format!("contract {} without deal", contract.id)))?;
        let contact = deal
            .billing_contact_json
            .as_deref()
            .and_then(|json| serde_json::from_str::<Contact>(json).ok());
        result.insert(
            contract.id,
            ContractTerms {
                contract_id: contract.id,
                customer_id: contract.customer_id,
                legal_entity: seller.to_string(),
                payment_terms: deal
                    .payment_terms
                    .as_deref()
                    .and_then(PaymentTerms::parse)
                    .unwrap_or(PaymentTerms::Net30),
                po_required: deal.po_required,
                po_number: deal.po_number.clone(),
                tax_jurisdiction: deal.tax_jurisdiction.clone().unwrap_or_default(),
                exemption_certificate: deal
                    .tax_exempt
                    .then(|| deal.tax_exemption_certificate.clone())
                    .flatten(),
                billing_contact: contact,
            },
        );
    }
    Ok(result)
}

/// Reference tables read once per run.
#[derive(Debug, Clone)]
pub struct Reference {
    pub tax_rates: Vec<TaxRate>,
    /// The FX table and the functional currency, with the one conversion rule.
    pub fx: Rates,
}

impl Reference {
    pub async fn load<C: ConnectionTrait>(
        connection: &C,
        functional: Currency,
    ) -> AppResult<Reference> {
        let tax_rates = tax_rate::Entity::find()
            .all(connection)
            .await?
            .into_iter()
            .map(|row| {
                Ok(TaxRate {
                    rate_percent: Decimal::from_str(&row.rate_percent).map_err(|_| {
                        AppError::internal(format!("tax rate {} is not a decimal", row.id))
                    })?,
                    country: row.country,
                    region: row.region,
                    label: row.label,
                    effective_from: row.effective_from,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Reference {
            tax_rates,
            fx: Rates::load(connection, functional).await?,
        })
    }

    /// The rate in force on `on`; see `fx::Rates::fx_rate`.
    pub fn fx_rate(&self, currency: Currency, on: NaiveDate) -> Option<Decimal> {
        self.fx.fx_rate(currency, on)
    }

    /// See `fx::Rates::functional_total`: the one conversion rule of every report.
    pub fn functional_total(
        &self,
        amounts: impl IntoIterator<Item = Money>,
        on: NaiveDate,
        warnings: &mut Vec<String>,
    ) -> i64 {
        self.fx.functional_total(amounts, on, warnings)
    }

    /// See `fx::Rates::functional_parts`.
    pub fn functional_parts(
        &self,
        currency: Currency,
        parts: &[i64],
        on: NaiveDate,
        warnings: &mut Vec<String>,
    ) -> Option<Vec<i64>> {
        self.fx.functional_parts(currency, parts, on, warnings)
    }

    /// See `fx::Rates::convert`.
    pub fn convert(&self, amount: i64, from: Currency, to: Currency, on: NaiveDate) -> Option<i64> {
        self.fx.convert(amount, from, to, on)
    }
}

/// One line of a planned invoice.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedLine {
    pub charge_id: i64,
    pub contract_line_id: i64,
    pub kind: ChargeKind,
    pub description: String,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub quantity: String,
    pub unit_price: Money,
    pub amount: Money,
    pub note: Option<String>,
    pub jurisdiction: String,
    pub tax: LineTax,
}

/// An invoice before it is written.
#[derive(Debug, Clone, Serialize)]
pub struct InvoicePlan {
    pub batch_key: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub legal_entity: String,
    pub contract_id: Option<i64>,
    pub currency: Currency,
    pub invoice_date: NaiveDate,
    pub payment_terms: PaymentTerms,
    pub po_number: Option<String>,
    #[serde(skip)]
    pub po: Option<(i64, PoState)>,
    pub exemption_certificate: Option<String>,
    pub recipient: Option<String>,
    pub lines: Vec<PlannedLine>,
    pub totals: Totals,
    pub block: Option<Block>,
    pub functional_currency: Currency,
    pub fx_rate: Option<Decimal>,
    pub functional_total: Option<Money>,
}

/// The group an unbilled charge joins: one invoice per customer, entity, currency and PO.
pub fn group_key(
    charge: &billing_charge::Model,
    terms: &ContractTerms,
) -> (i64, String, String, String) {
    (
        charge.customer_id,
        terms.legal_entity.clone(),
        charge.currency.clone(),
        terms.po_number.clone().unwrap_or_default(),
    )
}

/// Builds the plan for one group of charges on `invoice_date`. Rules that stop issue (PO, tax)
/// become the plan's `block`; nothing here writes.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    charges: &[billing_charge::Model],
    terms: &HashMap<i64, ContractTerms>,
    customer: &customer::Model,
    po: Option<&purchase_order::Model>,
    reference: &Reference,
    invoice_date: NaiveDate,
) -> AppResult<InvoicePlan> {
    let first = charges
        .first()
        .ok_or_else(|| AppError::internal("an invoice plan needs a charge"))?;
    let first_terms = terms.get(&first.contract_id).ok_or_else(|| {
        AppError::internal(format!("no terms for contract {}", first.contract_id))
    })?;
    let currency = Currency::parse(&first.currency)?;
    let mut block: Option<Block> = None;
    let lines = planned_lines(
        charges,
        terms,
        currency,
        reference,
        invoice_date,
        &mut block,
    )?;
    let pairs: Vec<(Money, Money)> = lines
        .iter()
        .map(|line| (line.amount, line.tax.tax))
        .collect();
    let totals = rules::totals(currency, &pairs)?;
    let po_state = po.map(|po| {
        (
            po.id,
            PoState {
                number: po.number.clone(),
                amount: Money::from_minor(po.amount_minor, currency),
                consumed: Money::from_minor(po.consumed_minor, currency),
                valid_from: po.valid_from,
                valid_to: po.valid_to,
            },
        )
    });
    if block.is_none() {
        block = po_block(
            first_terms,
            po_state.as_ref(),
            totals.subtotal,
            invoice_date,
        );
    }
    if block.is_none() && totals.total.is_negative() {
        block = Some(Block {
            field: "lines",
            message: "The credits exceed the charges; the credit waits for the next invoice or a credit memo.".into(),
        });
    }
    let fx_rate = reference.fx_rate(currency, invoice_date);
    let functional_total = match fx_rate {
        Some(rate) => Some(Money::from_decimal(
            totals.total.to_decimal() * rate,
            reference.fx.functional,
            RoundingStrategy::MidpointAwayFromZero,
        )?),
        None => None,
    };
    let (customer_id, legal_entity, currency_code, po_number) = group_key(first, first_terms);
    let contract_ids: std::collections::BTreeSet<i64> =
        charges.iter().map(|charge| charge.contract_id).collect();
    Ok(InvoicePlan {
        batch_key: format!(
            "{invoice_date}|{customer_id}|{legal_entity}|{currency_code}|{po_number}"
        ),
        customer_id,
        customer_name: customer.legal_name.clone(),
        legal_entity,
        contract_id: (contract_ids.len() == 1).then_some(first.contract_id),
        currency,
        invoice_date,
        payment_terms: first_terms.payment_terms,
        po_number: first_terms.po_number.clone(),
        po: po_state,
        exemption_certificate: first_terms.exemption_certificate.clone(),
        recipient: first_terms
            .billing_contact
            .as_ref()
            .map(|contact| contact.email.clone())
            .or_else(|| {
                serde_json::from_str::<Contact>(&customer.billing_contact_json)
                    .ok()
                    .map(|contact| contact.email)
            }),
        lines,
        totals,
        block,
        functional_currency: reference.fx.functional,
        fx_rate,
        functional_total,
    })
}

/// One planned line per charge, taxed by its contract's jurisdiction. A line that cannot be
/// taxed (jurisdiction unknown) is planned untaxed and its problem becomes the plan's `block`,
/// the first one kept.
fn planned_lines(
    charges: &[billing_charge::Model],
    terms: &HashMap<i64, ContractTerms>,
    currency: Currency,
    reference: &Reference,
    invoice_date: NaiveDate,
    block: &mut Option<Block>,
) -> AppResult<Vec<PlannedLine>> {
    let mut lines = Vec::with_capacity(charges.len());
    for charge in charges {
        let contract_terms = terms.get(&charge.contract_id).ok_or_else(|| {
            AppError::internal(format!("no terms for contract {}", charge.contract_id))
        })?;
        let kind = ChargeKind::parse(&charge.kind)
            .ok_or_else(|| AppError::internal(format!("charge kind {}", charge.kind)))?;
        let amount = Money::from_minor(charge.amount_minor, currency);
        let net = NetLine {
            amount,
            kind,
            jurisdiction: contract_terms.tax_jurisdiction.clone(),
        };
        let tax = match rules::tax_line(
            &net,
            contract_terms.exemption_certificate.as_deref(),
            &reference.tax_rates,
            invoice_date,
        ) {
            Ok(tax) => tax,
            Err(problem) => {
                block.get_or_insert(problem);
                LineTax {
                    rate_percent: Decimal::ZERO,
                    label: "Not taxed: jurisdiction unknown".into(),
                    tax: Money::zero(currency),
                }
            }
        };
        lines.push(PlannedLine {
            charge_id: charge.id,
            contract_line_id: charge.contract_line_id,
            kind,
            description: charge.description.clone(),
            period: charge.period_start.zip(charge.period_end),
            quantity: charge.quantity.clone(),
            unit_price: Money::from_minor(charge.unit_price_minor, currency),
            amount,
            note: charge.proration_note.clone(),
            jurisdiction: contract_terms.tax_jurisdiction.clone(),
            tax,
        });
    }
    Ok(lines)
}

/// Why the PO stops issue, if it does: a required PO that is not on file, or one the invoice's
/// subtotal or date does not fit.
fn po_block(
    first_terms: &ContractTerms,
    po_state: Option<&(i64, PoState)>,
    subtotal: Money,
    invoice_date: NaiveDate,
) -> Option<Block> {
    if first_terms.po_number.is_some() && po_state.is_none() && first_terms.po_required {
        Some(Block {
            field: "poNumber",
            message: format!(
                "PO {} is not on file for this customer.",
                first_terms.po_number.clone().unwrap_or_default()
            ),
        })
    } else {
        rules::check_po(
            first_terms.po_required,
            po_state.map(|(_, state)| state),
            subtotal,
            invoice_date,
        )
        .err()
    }
}

/// What writing a plan produced.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub invoice_id: i64,
    pub number: Option<String>,
    pub issued: bool,
}

/// True when the database refused a row for a unique key: another run billed it first.
pub fn is_unique_violation(error: &AppError) -> bool {
    matches!(error, AppError::Conflict(_))
}

fn unique_to_conflict(error: sea_orm::DbErr, what: &str) -> AppError {
    match error.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict(format!("{what} was already invoiced by another run."))
        }
        _ => error.into(),
    }
}

/// Writes a plan in the caller's transaction: a draft (held, with its reason) when the plan is
/// blocked, otherwise an issued invoice.
pub async fn write_plan<C: ConnectionTrait>(
    connection: &C,
    plan: &InvoicePlan,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> AppResult<Written> {
    let row = draft_row(plan, now);
    let inserted = invoice::Entity::insert(row)
        .exec(connection)
        .await
        .map_err(|error| unique_to_conflict(error, "This invoice"))?;
    let invoice_id = inserted.last_insert_id;
    let lines = line_rows(invoice_id, plan);
    invoice_line::Entity::insert_many(lines)
        .exec_without_returning(connection)
        .await
        .map_err(|error| unique_to_conflict(error, "A charge on this invoice"))?;
    audit::record(
        connection,
        actor,
        now,
        AuditRecord::<(), _> {
            action: "invoice.create",
            entity_type: "invoice",
            entity_id: invoice_id.to_string(),
            before: None,
            after: Some(plan),
        },
    )
    .await?;
    if plan.block.is_some() {
        return Ok(Written {
            invoice_id,
            number: None,
            issued: false,
        });
    }
    let number = issue(connection, invoice_id, plan, actor, now).await?;
    Ok(Written {
        invoice_id,
        number: Some(number),
        issued: true,
    })
}

/// Issues a written draft whose plan passed every rule: the gapless number, the PO draw, the
/// ledger posting and the e-mail, all in the caller's transaction.
pub async fn issue<C: ConnectionTrait>(
    connection: &C,
    invoice_id: i64,
    plan: &InvoicePlan,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let issue_date = plan.invoice_date;
    let year = issue_date.year();
    let sequence = format!("invoice:{}:{year}", plan.legal_entity);
    let number = format!(
        "INV-{year}-{:06}",
        sequences::next_value(connection, &sequence).await?
    );
    if let Some((po_id, _)) = &plan.po {
        draw_po(connection, *po_id, plan).await?;
    }
    let journal_entry_id = post_issue(connection, plan, &number, actor, now).await?;
    let due_date = rules::due_date(issue_date, plan.payment_terms);
    mark_issued(
        connection,
        invoice_id,
        &number,
        (issue_date, due_date),
        journal_entry_id,
        actor,
        now,
    )
    .await?;
    super::ar_history::record_issue(
        connection,
        super::ar_history::Subject {
            invoice_id,
            customer_id: plan.customer_id,
            currency: plan.currency.code().to_string(),
            invoice_date: plan.invoice_date,
            due_date,
        },
        issue_date,
        plan.totals.total.minor(),
        now,
    )
    .await?;
    if let Some(message) = invoice_email(plan, invoice_id, &number, due_date) {
        notifications::enqueue(connection, now, message).await?;
    }
    audit::record(
        connection,
        actor,
        now,
        AuditRecord::<(), _> {
            action: "invoice.issue",
            entity_type: "invoice",
            entity_id: invoice_id.to_string(),
            before: None,
            after: Some(&issue_audit(&number, plan, due_date, journal_entry_id)),
        },
    )
    .await?;
    emit_issued(connection, now, invoice_id, &number, plan, due_date).await?;
    Ok(number)
}

/// Draws the invoice's subtotal on its PO, refused when the PO has not that much left (checked
/// in the same statement, so two invoices cannot both take the last of it).
async fn draw_po<C: ConnectionTrait>(
    connection: &C,
    po_id: i64,
    plan: &InvoicePlan,
) -> AppResult<()> {
    let total = plan.totals.subtotal.minor();
    let drawn = purchase_order::Entity::update_many()
        .col_expr(
            purchase_order::Column::ConsumedMinor,
            Expr::col(purchase_order::Column::ConsumedMinor).add(total),
        )
        .filter(purchase_order::Column::Id.eq(po_id))
        .filter(
            Expr::expr(Expr::col(purchase_order::Column::ConsumedMinor).add(total))
                .lte(Expr::col(purchase_order::Column::AmountMinor)),
        )
        .exec(connection)
        .await?;
    if drawn.rows_affected != 1 {
        return Err(AppError::validation(
            "poNumber",
            format!(
                "The invoice would exceed what remains on PO {}.",
                plan.po_number.clone().unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// Moves the lines' revenue positions and posts the issue entry (none when nothing moves);
/// returns the entry's id.
async fn post_issue<C: ConnectionTrait>(
    connection: &C,
    plan: &InvoicePlan,
    number: &str,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let line_nets: Vec<(i64, i64)> = plan
        .lines
        .iter()
        .map(|line| (line.contract_line_id, line.amount.minor()))
        .collect();
    let (deferred, unbilled) = crate::revenue::positions::on_billed(connection, &line_nets).await?;
    let credits = [
        (chart::DEFERRED_REVENUE, deferred),
        (chart::UNBILLED_RECEIVABLE, unbilled),
    ];
    let entry = rules::issue_entry(&credits, &plan.totals)
        .map_err(|error| AppError::internal(format!("invoice {number} posting: {error}")))?;
    let journal_entry_id = match entry {
        Some(entry) => Some(
            ledger::post_entry(
                connection,
                actor,
                now,
                entry_header(number, plan),
                &entry,
                None,
            )
            .await?
            .id,
        ),
        None => None,
    };
    Ok(journal_entry_id)
}

/// Marks the draft issued with its number, dates and entry; refused when it is no longer a
/// draft (issued or voided meanwhile).
async fn mark_issued<C: ConnectionTrait>(
    connection: &C,
    invoice_id: i64,
    number: &str,
    (issue_date, due_date): (NaiveDate, NaiveDate),
    journal_entry_id: Option<i64>,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let updated = invoice::Entity::update_many()
        .col_expr(invoice::Column::Number, Expr::value(number))
        .col_expr(invoice::Column::Status, Expr::value("issued"))
        .col_expr(invoice::Column::IssueDate, Expr::value(issue_date))
        .col_expr(invoice::Column::DueDate, Expr::value(due_date))
        .col_expr(
            invoice::Column::JournalEntryId,
            Expr::value(journal_entry_id),
        )
        .col_expr(
            invoice::Column::IssuedBy,
            Expr::value(actor.map(|actor| actor.user_id)),
        )
        .col_expr(invoice::Column::IssuedAt, Expr::value(now))
        .col_expr(
            invoice::Column::BlockedField,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            invoice::Column::BlockedReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(invoice::Column::UpdatedAt, Expr::value(now))
        .filter(invoice::Column::Id.eq(invoice_id))
        .filter(invoice::Column::Status.eq("draft"))
        .exec(connection)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(
            "The invoice was issued or voided meanwhile.".into(),
        ));
    }
    Ok(())
}

/// Invoice rows per INSERT in `write_issued_many` (about 30 bound values a row: within SQLite's
/// and PostgreSQL's parameter limits).
const INVOICE_CHUNK: usize = 200;
/// Invoice line rows per INSERT (19 bound values a row).
const LINE_CHUNK: usize = 1_000;

/// Writes many plans that pass every rule and draw on no PO as issued invoices in a few
/// statements (the bill run's chunks): the same rows, gapless numbers in the plans' order,
/// postings, revenue positions, AR history, e-mails, audit rows and events that `write_plan`
/// writes one plan at a time. Numbers are reserved per sequence as one block in the caller's
/// transaction, so a rollback gives them back. A plan another run invoiced first (its batch key
/// or one of its charges already taken) fails the whole call with a conflict: the caller rolls
/// its savepoint back and writes the plans one by one, where each race is told apart.
pub async fn write_issued_many<C: ConnectionTrait>(
    connection: &C,
    plans: &[&InvoicePlan],
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Written>> {
    if plans.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(plan) = plans
        .iter()
        .find(|plan| plan.block.is_some() || plan.po.is_some())
    {
        return Err(AppError::internal(format!(
            "plan {} is held or draws on a PO: write it with write_plan",
            plan.batch_key
        )));
    }
    let numbers = reserve_numbers(connection, plans).await?;
    let journal_entry_ids = post_many(connection, plans, &numbers, actor, now).await?;
    let due_dates: Vec<NaiveDate> = plans
        .iter()
        .map(|plan| rules::due_date(plan.invoice_date, plan.payment_terms))
        .collect();
    let rows: Vec<invoice::ActiveModel> = plans
        .iter()
        .enumerate()
        .map(|(index, plan)| {
            let mut row = draft_row(plan, now);
            row.number = Set(Some(numbers[index].clone()));
            row.status = Set("issued".into());
            row.issue_date = Set(Some(plan.invoice_date));
            row.due_date = Set(Some(due_dates[index]));
            row.journal_entry_id = Set(journal_entry_ids[index]);
            row.issued_by = Set(actor.map(|actor| actor.user_id));
            row.issued_at = Set(Some(now));
            row
        })
        .collect();
    let ids = insert_invoices(connection, plans, rows).await?;
    insert_lines(connection, plans, &ids).await?;
    record_issues_many(connection, plans, &ids, &due_dates, now).await?;
    announce_many(
        connection,
        plans,
        &ids,
        &numbers,
        &due_dates,
        &journal_entry_ids,
        actor,
        now,
    )
    .await
}

/// Moves every plan's revenue positions and posts the issue entries in one batch; returns each
/// plan's entry id (none when nothing moves).
async fn post_many<C: ConnectionTrait>(
    connection: &C,
    plans: &[&InvoicePlan],
    numbers: &[String],
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Option<i64>>> {
    let line_nets: Vec<Vec<(i64, i64)>> = plans
        .iter()
        .map(|plan| {
            plan.lines
                .iter()
                .map(|line| (line.contract_line_id, line.amount.minor()))
                .collect()
        })
        .collect();
    let moved = crate::revenue::positions::on_billed_many(connection, &line_nets).await?;
    let mut posted_of = Vec::new();
    let mut entries = Vec::new();
    for (index, ((plan, number), (deferred, unbilled))) in
        plans.iter().zip(numbers).zip(&moved).enumerate()
    {
        let credits = [
            (chart::DEFERRED_REVENUE, *deferred),
            (chart::UNBILLED_RECEIVABLE, *unbilled),
        ];
        let entry = rules::issue_entry(&credits, &plan.totals)
            .map_err(|error| AppError::internal(format!("invoice {number} posting: {error}")))?;
        if let Some(entry) = entry {
            posted_of.push(index);
            entries.push((entry_header(number, plan), entry));
        }
    }
    let mut journal_entry_ids: Vec<Option<i64>> = vec![None; plans.len()];
    for (index, id) in posted_of
        .into_iter()
        .zip(ledger::post_entries(connection, actor, now, entries).await?)
    {
        journal_entry_ids[index] = Some(id);
    }
    Ok(journal_entry_ids)
}

/// The invoices' lines, a chunk per INSERT; a charge already on a live invoice is a conflict.
async fn insert_lines<C: ConnectionTrait>(
    connection: &C,
    plans: &[&InvoicePlan],
    ids: &[i64],
) -> AppResult<()> {
    let lines: Vec<invoice_line::ActiveModel> = plans
        .iter()
        .zip(ids)
        .flat_map(|(plan, id)| line_rows(*id, plan))
        .collect();
    for chunk in lines.chunks(LINE_CHUNK) {
        invoice_line::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(connection)
            .await
            .map_err(|error| unique_to_conflict(error, "A charge on this invoice"))?;
    }
    Ok(())
}

/// Each invoice's issue in the AR history.
async fn record_issues_many<C: ConnectionTrait>(
    connection: &C,
    plans: &[&InvoicePlan],
    ids: &[i64],
    due_dates: &[NaiveDate],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let subjects: Vec<super::ar_history::Subject> = plans
        .iter()
        .zip(ids)
        .zip(due_dates)
        .map(|((plan, id), due_date)| super::ar_history::Subject {
            invoice_id: *id,
            customer_id: plan.customer_id,
            currency: plan.currency.code().to_string(),
            invoice_date: plan.invoice_date,
            due_date: *due_date,
        })
        .collect();
    let issued: Vec<(&super::ar_history::Subject, i64, NaiveDate)> = subjects
        .iter()
        .zip(plans)
        .map(|(subject, plan)| (subject, plan.totals.total.minor(), plan.invoice_date))
        .collect();
    super::ar_history::record_issues(connection, &issued, now).await?;
    Ok(())
}

/// The invoices' e-mails, create and issue audit rows and `invoice.issued` events, each kind
/// in one batch; returns what was written.
#[allow(clippy::too_many_arguments)]
async fn announce_many<C: ConnectionTrait>(
    connection: &C,
    plans: &[&InvoicePlan],
    ids: &[i64],
    numbers: &[String],
    due_dates: &[NaiveDate],
    journal_entry_ids: &[Option<i64>],
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Written>> {
    let mut emails = Vec::new();
    let mut created = Vec::with_capacity(plans.len());
    let mut issues = Vec::with_capacity(plans.len());
    let mut events = Vec::with_capacity(plans.len());
    let mut written = Vec::with_capacity(plans.len());
    for (index, plan) in plans.iter().enumerate() {
        let (id, number, due_date) = (ids[index], &numbers[index], due_dates[index]);
        emails.extend(invoice_email(plan, id, number, due_date));
        created.push((id.to_string(), serde_json::to_string(plan)?));
        issues.push((
            id.to_string(),
            issue_audit(number, plan, due_date, journal_entry_ids[index]).to_string(),
        ));
        events.push(issued_event(id, number, plan, due_date));
        written.push(Written {
            invoice_id: id,
            number: Some(number.clone()),
            issued: true,
        });
    }
    notifications::enqueue_many(connection, now, emails).await?;
    audit::record_many(connection, actor, now, "invoice.create", "invoice", created).await?;
    audit::record_many(connection, actor, now, "invoice.issue", "invoice", issues).await?;
    crate::webhooks::emit_many(
        connection,
        now,
        crate::webhooks::EventType::InvoiceIssued,
        events,
    )
    .await?;
    Ok(written)
}

/// The next invoice numbers of `plans`, in their order: one block reserved per sequence (legal
/// entity and year), so the numbers of each sequence stay gapless and ascending.
async fn reserve_numbers<C: ConnectionTrait>(
    connection: &C,
    plans: &[&InvoicePlan],
) -> AppResult<Vec<String>> {
    let sequence_of =
        |plan: &InvoicePlan| format!("invoice:{}:{}", plan.legal_entity, plan.invoice_date.year());
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for plan in plans {
        *counts.entry(sequence_of(plan)).or_default() += 1;
    }
    let mut next: HashMap<String, i64> = HashMap::new();
    for (sequence, count) in counts {
        let first = sequences::reserve(connection, &sequence, count).await?;
        next.insert(sequence, first);
    }
    plans
        .iter()
        .map(|plan| {
            let value = next
                .get_mut(&sequence_of(plan))
                .ok_or_else(|| AppError::internal("invoice sequence not reserved"))?;
            let number = format!("INV-{}-{:06}", plan.invoice_date.year(), *value);
            *value += 1;
            Ok(number)
        })
        .collect()
}

/// Inserts the invoice rows of `plans` and returns their ids in the plans' order. PostgreSQL
/// returns them with the insert; elsewhere they are read back by batch key (a lookup by a list
/// of keys is planned as a scan on a table PostgreSQL has not analysed yet, hundreds of
/// milliseconds a chunk halfway through a large first run, so it is not used there).
async fn insert_invoices<C: ConnectionTrait>(
    connection: &C,
    plans: &[&InvoicePlan],
    rows: Vec<invoice::ActiveModel>,
) -> AppResult<Vec<i64>> {
    let mut found: HashMap<String, i64> = HashMap::with_capacity(plans.len());
    for chunk in rows.chunks(INVOICE_CHUNK) {
        let insert = invoice::Entity::insert_many(chunk.to_vec());
        if connection.support_returning() {
            let inserted = insert
                .exec_with_returning_many(connection)
                .await
                .map_err(|error| unique_to_conflict(error, "This invoice"))?;
            found.extend(inserted.into_iter().map(|row| (row.batch_key, row.id)));
        } else {
            insert
                .exec_without_returning(connection)
                .await
                .map_err(|error| unique_to_conflict(error, "This invoice"))?;
        }
    }
    if found.is_empty() {
        found = ids_by_batch_key(connection, plans).await?;
    }
    plans
        .iter()
        .map(|plan| {
            found.get(&plan.batch_key).copied().ok_or_else(|| {
                AppError::internal(format!("invoice {} not read back", plan.batch_key))
            })
        })
        .collect()
}

/// The ids of the just-written invoices of `plans` by batch key.
async fn ids_by_batch_key<C: ConnectionTrait>(
    connection: &C,
    plans: &[&InvoicePlan],
) -> AppResult<HashMap<String, i64>> {
    let mut found: HashMap<String, i64> = HashMap::with_capacity(plans.len());
    for chunk in plans.chunks(500) {
        let rows: Vec<(String, i64)> = invoice::Entity::find()
            .select_only()
            .column(invoice::Column::BatchKey)
            .column(invoice::Column::Id)
            .filter(
                invoice::Column::BatchKey.is_in(chunk.iter().map(|plan| plan.batch_key.clone())),
            )
            .into_tuple()
            .all(connection)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// The `invoice.issued` webhook event, in the issuing transaction.
async fn emit_issued<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    invoice_id: i64,
    number: &str,
    plan: &InvoicePlan,
    due_date: NaiveDate,
) -> AppResult<()> {
    crate::webhooks::emit(
        connection,
        now,
        crate::webhooks::EventType::InvoiceIssued,
        issued_event(invoice_id, number, plan, due_date),
    )
    .await
}

/// The data of the `invoice.issued` event.
fn issued_event(
    invoice_id: i64,
    number: &str,
    plan: &InvoicePlan,
    due_date: NaiveDate,
) -> serde_json::Value {
    serde_json::json!({
        "invoiceId": invoice_id,
        "number": number,
        "customerId": plan.customer_id,
        "contractId": plan.contract_id,
        "legalEntity": plan.legal_entity,
        "invoiceDate": plan.invoice_date,
        "dueDate": due_date,
        "poNumber": plan.po_number,
        "subtotal": plan.totals.subtotal,
        "tax": plan.totals.tax,
        "total": plan.totals.total,
    })
}

/// The invoice row of a plan, as a draft (issuing fills in the number, dates and entry).
fn draft_row(plan: &InvoicePlan, now: DateTime<Utc>) -> invoice::ActiveModel {
    invoice::ActiveModel {
        number: Set(None),
        batch_key: Set(plan.batch_key.clone()),
        legal_entity: Set(plan.legal_entity.clone()),
        customer_id: Set(plan.customer_id),
        contract_id: Set(plan.contract_id),
        currency: Set(plan.currency.code().to_string()),
        status: Set("draft".into()),
        invoice_date: Set(plan.invoice_date),
        payment_terms: Set(plan.payment_terms.as_str().into()),
        po_number: Set(plan.po_number.clone()),
        purchase_order_id: Set(plan.po.as_ref().map(|(id, _)| *id)),
        tax_exemption_certificate: Set(plan.exemption_certificate.clone()),
        subtotal_minor: Set(plan.totals.subtotal.minor()),
        tax_minor: Set(plan.totals.tax.minor()),
        total_minor: Set(plan.totals.total.minor()),
        paid_minor: Set(0),
        credited_minor: Set(0),
        blocked_field: Set(plan.block.as_ref().map(|block| block.field.to_string())),
        blocked_reason: Set(plan.block.as_ref().map(|block| block.message.clone())),
        functional_currency: Set(plan.functional_currency.code().to_string()),
        fx_rate: Set(plan.fx_rate.map(|rate| rate.normalize().to_string())),
        functional_total_minor: Set(plan.functional_total.map(|money| money.minor())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// The invoice's lines, in the plan's order.
fn line_rows(invoice_id: i64, plan: &InvoicePlan) -> Vec<invoice_line::ActiveModel> {
    plan.lines
        .iter()
        .enumerate()
        .map(|(position, line)| invoice_line::ActiveModel {
            invoice_id: Set(invoice_id),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            charge_id: Set(line.charge_id),
            active_charge_id: Set(Some(line.charge_id)),
            contract_line_id: Set(line.contract_line_id),
            kind: Set(line.kind.as_str().into()),
            description: Set(line.description.clone()),
            period_start: Set(line.period.map(|period| period.0)),
            period_end: Set(line.period.map(|period| period.1)),
            quantity: Set(line.quantity.clone()),
            unit_price_minor: Set(line.unit_price.minor()),
            amount_minor: Set(line.amount.minor()),
            proration_note: Set(line.note.clone()),
            tax_jurisdiction: Set(line.jurisdiction.clone()),
            tax_rate_percent: Set(line.tax.rate_percent.normalize().to_string()),
            tax_label: Set(line.tax.label.clone()),
            tax_minor: Set(line.tax.tax.minor()),
            revenue_account: Set(line.kind.revenue_account().into()),
            ..Default::default()
        })
        .collect()
}

/// The ledger entry's header for invoice `number`.
fn entry_header(number: &str, plan: &InvoicePlan) -> EntryHeader {
    EntryHeader {
        entry_date: plan.invoice_date,
        memo: format!("Invoice {number} to {}", plan.customer_name),
        source: format!("invoice:{number}"),
        idempotency_key: None,
    }
}

/// The e-mail that sends an issued invoice to the customer's billing contact, if it has one.
fn invoice_email(
    plan: &InvoicePlan,
    invoice_id: i64,
    number: &str,
    due_date: NaiveDate,
) -> Option<NewMessage> {
    let recipient = plan.recipient.as_ref()?;
    Some(NewMessage {
        kind: "invoice_email",
        dedupe_key: format!("invoice-email:{invoice_id}"),
        recipient: recipient.clone(),
        subject: format!("Invoice {number} from {}", plan.legal_entity),
        body: format!(
            "Hello,\n\nPlease find attached invoice {number} from {} for {} {}, due {due_date}.\n{}\nThank you.\n",
            plan.legal_entity,
            plan.totals.total.amount_string(),
            plan.currency.code(),
            plan.po_number
                .as_ref()
                .map(|po| format!("It references your purchase order {po}.\n"))
                .unwrap_or_default()
        ),
        attachment: Some((super::INVOICE_PDF, invoice_id)),
    })
}

/// The `invoice.issue` audit row's content.
fn issue_audit(
    number: &str,
    plan: &InvoicePlan,
    due_date: NaiveDate,
    journal_entry_id: Option<i64>,
) -> serde_json::Value {
    serde_json::json!({
        "number": number,
        "total": plan.totals.total,
        "dueDate": due_date,
        "journalEntryId": journal_entry_id,
    })
}

/// Groups unbilled charges into invoice groups, in a stable order.
pub fn group_charges(
    charges: Vec<billing_charge::Model>,
    terms: &HashMap<i64, ContractTerms>,
) -> AppResult<Vec<Vec<billing_charge::Model>>> {
    let mut groups: BTreeMap<(i64, String, String, String), Vec<billing_charge::Model>> =
        BTreeMap::new();
    for charge in charges {
        let contract_terms = terms.get(&charge.contract_id).ok_or_else(|| {
            AppError::internal(format!("no terms for contract {}", charge.contract_id))
        })?;
        groups
            .entry(group_key(&charge, contract_terms))
            .or_default()
            .push(charge);
    }
    Ok(groups
        .into_values()
        .map(|mut charges| {
            charges.sort_by_key(|charge| {
                (
                    charge.contract_id,
                    charge.contract_line_id,
                    charge.due_on,
                    charge.id,
                )
            });
            charges
        })
        .collect())
}
