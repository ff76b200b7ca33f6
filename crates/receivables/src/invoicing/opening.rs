//! Open invoices brought over from the old billing tool at cut-over (its AR aging report). Each
//! becomes an issued invoice with its original number, dates and total, of which only the open
//! amount is still owed (the rest was settled before cut-over); the set posts one entry per
//! currency, Dr Accounts receivable · Cr Opening balance equity, on the cut-over date, and enters
//! the AR history on that date aged from the invoice's own dates, so aging, statements and the
//! collections ladder treat it like any invoice of that age.

use super::ar_history::{self as repo, Subject};
use crate::access::{Actor, Permission};
use crate::audit;
use crate::customers::PaymentTerms;
use crate::entities::invoice;
use crate::error::{AppError, AppResult};
use crate::ledger::rules::{entries_per_currency, BalancedEntry};
use crate::ledger::{self, chart, EntryHeader};
use crate::money::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Serialize;
use std::collections::HashMap;

/// Rows per INSERT (an invoice row has about 40 columns; both databases cap parameters).
const INSERT_BATCH: usize = 400;

/// One invoice of the old system's aging report, already validated.
#[derive(Debug, Clone, Serialize)]
pub struct OpeningInvoice {
    pub customer_id: i64,
    pub number: String,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub po_number: Option<String>,
    /// What the invoice was issued for.
    pub total: Money,
    /// What is still owed on the cut-over date (at most the total, more than zero).
    pub open: Money,
}

/// Where and when the invoices come in.
#[derive(Debug, Clone)]
pub struct OpeningBatch {
    pub import_id: i64,
    pub cutover_date: NaiveDate,
    pub legal_entity: String,
    pub functional: Currency,
}

/// The entries the invoices post, one per currency: Dr AR · Cr opening balance equity.
pub fn opening_entries(invoices: &[OpeningInvoice]) -> AppResult<Vec<BalancedEntry>> {
    entries_per_currency(
        invoices.iter().map(|invoice| invoice.open),
        chart::ACCOUNTS_RECEIVABLE,
        chart::OPENING_BALANCE_EQUITY,
    )
    .map_err(|error| AppError::internal(format!("opening AR entry: {error}")))
}

/// The standard terms whose days match the invoice's own, else net 30 (the due date is kept
/// exactly as imported either way; the terms are only a label on the invoice).
fn terms_of(invoice_date: NaiveDate, due_date: NaiveDate) -> PaymentTerms {
    match (due_date - invoice_date).num_days() {
        0 => PaymentTerms::Upfront,
        15 => PaymentTerms::Net15,
        45 => PaymentTerms::Net45,
        60 => PaymentTerms::Net60,
        _ => PaymentTerms::Net30,
    }
}

fn row(
    batch: &OpeningBatch,
    invoice: &OpeningInvoice,
    journal_entry_id: Option<i64>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> invoice::ActiveModel {
    let total = invoice.total.minor();
    let settled_before = total - invoice.open.minor();
    let status = if settled_before == 0 {
        "issued"
    } else {
        "partially_paid"
    };
    let same_currency = invoice.total.currency() == batch.functional;
    invoice::ActiveModel {
        number: Set(Some(invoice.number.clone())),
        batch_key: Set(format!("import:{}|{}", batch.import_id, invoice.number)),
        legal_entity: Set(batch.legal_entity.clone()),
        customer_id: Set(invoice.customer_id),
        contract_id: Set(None),
        currency: Set(invoice.total.currency().code().to_string()),
        status: Set(status.into()),
        invoice_date: Set(invoice.invoice_date),
        issue_date: Set(Some(invoice.invoice_date)),
        due_date: Set(Some(invoice.due_date)),
        payment_terms: Set(terms_of(invoice.invoice_date, invoice.due_date)
            .as_str()
            .into()),
        po_number: Set(invoice.po_number.clone()),
        purchase_order_id: Set(None),
        tax_exemption_certificate: Set(None),
        subtotal_minor: Set(total),
        tax_minor: Set(0),
        total_minor: Set(total),
        paid_minor: Set(settled_before),
        credited_minor: Set(0),
        written_off_minor: Set(0),
        settled_on: Set(None),
        blocked_field: Set(None),
        blocked_reason: Set(None),
        functional_currency: Set(batch.functional.code().to_string()),
        fx_rate: Set(None),
        functional_total_minor: Set(same_currency.then_some(total)),
        journal_entry_id: Set(journal_entry_id),
        issued_by: Set(Some(actor.user_id)),
        issued_at: Set(Some(now)),
        voided_by: Set(None),
        voided_at: Set(None),
        void_reason: Set(None),
        void_journal_entry_id: Set(None),
        import_id: Set(Some(batch.import_id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// What bringing the invoices over wrote.
#[derive(Debug, Clone, Serialize)]
pub struct OpeningResult {
    pub invoices: usize,
    /// The journal entries' numbers, one per currency.
    pub entry_numbers: Vec<String>,
}

/// Posts the opening entries (one per currency) on the cut-over date: each currency's entry id,
/// and the entry numbers in currency order.
async fn post_opening_entries<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    batch: &OpeningBatch,
    invoices: &[OpeningInvoice],
) -> AppResult<(HashMap<&'static str, i64>, Vec<String>)> {
    let mut entry_of_currency: HashMap<&'static str, i64> = HashMap::new();
    let mut entry_numbers = Vec::new();
    for entry in opening_entries(invoices)? {
        let currency = entry.postings()[0].amount.currency();
        let posted = ledger::post_entry(
            connection,
            Some(actor),
            now,
            EntryHeader {
                entry_date: batch.cutover_date,
                memo: format!(
                    "Opening accounts receivable in {} brought over by import #{}",
                    currency.code(),
                    batch.import_id
                ),
                source: format!("import:{}:opening-ar:{}", batch.import_id, currency.code()),
                idempotency_key: None,
            },
            &entry,
            None,
        )
        .await?;
        entry_of_currency.insert(currency.code(), posted.id);
        entry_numbers.push(posted.entry_number);
    }
    Ok((entry_of_currency, entry_numbers))
}

/// Writes the invoices, their opening entries and their AR history in the caller's transaction.
/// The caller has validated every invoice (numbers unused, customers found, open ≤ total).
pub async fn bring_over<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    batch: &OpeningBatch,
    invoices: &[OpeningInvoice],
    mut progress: impl FnMut(usize),
) -> AppResult<OpeningResult> {
    actor.require(Permission::InvoiceManage)?;
    let (entry_of_currency, entry_numbers) =
        post_opening_entries(connection, actor, now, batch, invoices).await?;
    for (index, chunk) in invoices.chunks(INSERT_BATCH).enumerate() {
        let rows: Vec<invoice::ActiveModel> = chunk
            .iter()
            .map(|invoice| {
                let entry = entry_of_currency
                    .get(invoice.open.currency().code())
                    .copied();
                row(batch, invoice, entry, actor, now)
            })
            .collect();
        invoice::Entity::insert_many(rows)
            .exec_without_returning(connection)
            .await?;
        progress((index * INSERT_BATCH + chunk.len()) / 2);
    }
    let ids: HashMap<String, i64> = invoice::Entity::find()
        .select_only()
        .column(invoice::Column::Number)
        .column(invoice::Column::Id)
        .filter(invoice::Column::ImportId.eq(batch.import_id))
        .into_tuple::<(Option<String>, i64)>()
        .all(connection)
        .await?
        .into_iter()
        .filter_map(|(number, id)| number.map(|number| (number, id)))
        .collect();
    let mut opened = Vec::with_capacity(invoices.len());
    let mut audit_rows = Vec::with_capacity(invoices.len());
    for invoice in invoices {
        let id = *ids.get(&invoice.number).ok_or_else(|| {
            AppError::internal(format!("imported invoice {} not read back", invoice.number))
        })?;
        opened.push((
            Subject {
                invoice_id: id,
                customer_id: invoice.customer_id,
                currency: invoice.open.currency().code().to_string(),
                invoice_date: invoice.invoice_date,
                due_date: invoice.due_date,
            },
            invoice.open.minor(),
        ));
        audit_rows.push((id.to_string(), serde_json::to_string(invoice)?));
    }
    repo::record_openings(connection, &opened, batch.cutover_date, now).await?;
    progress(invoices.len() * 3 / 4);
    audit::record_many(
        connection,
        Some(actor),
        now,
        "invoice.import",
        "invoice",
        audit_rows,
    )
    .await?;
    progress(invoices.len());
    Ok(OpeningResult {
        invoices: invoices.len(),
        entry_numbers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::rules::Side;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    fn invoice(number: &str, total: Money, open: Money) -> OpeningInvoice {
        let date = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default();
        OpeningInvoice {
            customer_id: 1,
            number: number.into(),
            invoice_date: date,
            due_date: date,
            po_number: None,
            total,
            open,
        }
    }

    /// One balanced entry per currency, debiting AR with the sum of what is open.
    #[test]
    fn one_entry_per_currency_debits_ar_with_the_open_sum() -> AppResult<()> {
        let euro = Currency::parse("EUR")?;
        let eur = |minor| Money::from_minor(minor, euro);
        let entries = opening_entries(&[
            invoice("A-1", usd(10_000), usd(2_500)),
            invoice("A-2", eur(5_000), eur(5_000)),
            invoice("A-3", usd(7_000), usd(7_000)),
        ])?;
        assert_eq!(entries.len(), 2);
        let ar: Vec<(&str, &str, i64)> = entries
            .iter()
            .flat_map(|entry| entry.postings().iter())
            .filter(|posting| posting.side == Side::Debit)
            .map(|posting| {
                (
                    posting.account_code.as_str(),
                    posting.amount.currency().code(),
                    posting.amount.minor(),
                )
            })
            .collect();
        assert_eq!(
            ar,
            vec![
                (chart::ACCOUNTS_RECEIVABLE, "EUR", 5_000),
                (chart::ACCOUNTS_RECEIVABLE, "USD", 9_500)
            ]
        );
        Ok(())
    }

    /// The due date's distance names the terms; anything unusual is labelled net 30.
    #[test]
    fn terms_follow_the_due_date() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        assert_eq!(terms_of(date, date), PaymentTerms::Upfront);
        assert_eq!(
            terms_of(date, date + chrono::Duration::days(45)),
            PaymentTerms::Net45
        );
        assert_eq!(
            terms_of(date, date + chrono::Duration::days(33)),
            PaymentTerms::Net30
        );
    }
}
