//! The open-invoices kind: the old billing tool's AR aging report as of the cut-over date, one
//! row per invoice still (partly) unpaid. Each becomes an open invoice with its own number and
//! dates; the set posts Dr Accounts receivable · Cr Opening balance equity on the cut-over date.

use super::cells::{self, CellError};
use super::table::Table;
use super::ColumnSpec;
use crate::entities::invoice;
use crate::error::AppResult;
use crate::invoicing::opening::OpeningInvoice;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{HashMap, HashSet};

pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required("customer_ref", "ACCT-00042", "The customer's external reference (import customers first)."),
    ColumnSpec::required("invoice_number", "OLD-2026-0917", "The invoice's number in the old system, kept as it is (at most 32 characters)."),
    ColumnSpec::required("invoice_date", "2026-10-15", "The invoice's own date (YYYY-MM-DD), on or before the cut-over date; aging and the collections ladder count from it."),
    ColumnSpec::required("due_date", "2026-11-14", "When payment was due (YYYY-MM-DD)."),
    ColumnSpec::required("currency", "USD", "ISO 4217 currency of the invoice."),
    ColumnSpec::optional("total_amount", "12400.00", "What the invoice was issued for; the open amount when empty."),
    ColumnSpec::required("open_amount", "7400.00", "What is still owed on the cut-over date; more than zero and at most the total."),
    ColumnSpec::optional("po_number", "PO-7781", "The customer's purchase order number, if the invoice carried one."),
];

/// The longest invoice number the invoices table holds.
const MAX_NUMBER_CHARS: usize = 32;

/// What the rows are checked against, read once.
struct Known {
    customers: HashMap<String, i64>,
    numbers: HashSet<String>,
}

async fn known<C: ConnectionTrait>(connection: &C, legal_entity: &str) -> AppResult<Known> {
    let customers = super::customers_by_reference(connection).await?;
    let numbers = invoice::Entity::find()
        .select_only()
        .column(invoice::Column::Number)
        .filter(invoice::Column::LegalEntity.eq(legal_entity))
        .into_tuple::<Option<String>>()
        .all(connection)
        .await?
        .into_iter()
        .flatten()
        .collect();
    Ok(Known { customers, numbers })
}

fn parse_row(
    table: &Table,
    cells: &[String],
    row: u32,
    cutover_date: NaiveDate,
    known: &Known,
) -> Result<OpeningInvoice, CellError> {
    let cell = |column: &str| table.cell(cells, column);
    let reference = cells::required(cell("customer_ref"), "customer_ref", row)?;
    let customer_id = *known.customers.get(reference).ok_or_else(|| {
        CellError::new(
            row,
            "customer_ref",
            format!(
                "No customer has the reference {reference}; import or create the customer first."
            ),
        )
    })?;
    let number = cells::required(cell("invoice_number"), "invoice_number", row)?;
    if number.chars().count() > MAX_NUMBER_CHARS {
        return Err(CellError::new(
            row,
            "invoice_number",
            format!("At most {MAX_NUMBER_CHARS} characters."),
        ));
    }
    if known.numbers.contains(number) {
        return Err(CellError::new(
            row,
            "invoice_number",
            format!("Invoice {number} already exists in revops."),
        ));
    }
    let invoice_date = cells::date(cell("invoice_date"), "invoice_date", row)?;
    if invoice_date > cutover_date {
        return Err(CellError::new(row, "invoice_date", format!("{invoice_date} is after the cut-over date {cutover_date}; only invoices issued by then are opening balances.")));
    }
    let due_date = cells::date(cell("due_date"), "due_date", row)?;
    if due_date < invoice_date {
        return Err(CellError::new(
            row,
            "due_date",
            format!("{due_date} is before the invoice date {invoice_date}."),
        ));
    }
    let currency = cells::currency(cell("currency"), "currency", row)?;
    let open = cells::amount(cell("open_amount"), currency, "open_amount", row)?;
    if open.minor() <= 0 {
        return Err(CellError::new(row, "open_amount", "Only invoices with something still owed are opening balances; the amount must be more than zero."));
    }
    let total = match cell("total_amount") {
        "" => open,
        text => cells::amount(text, currency, "total_amount", row)?,
    };
    if open.minor() > total.minor() {
        return Err(CellError::new(
            row,
            "open_amount",
            format!(
                "{} is more than the invoice's total {}.",
                open.amount_string(),
                total.amount_string()
            ),
        ));
    }
    Ok(OpeningInvoice {
        customer_id,
        number: number.to_owned(),
        invoice_date,
        due_date,
        po_number: cells::optional(cell("po_number"), "po_number", row, 64)?,
        total,
        open,
    })
}

/// Every row checked; the invoices to bring over when no row is wrong.
pub async fn validate<C: ConnectionTrait>(
    connection: &C,
    table: &Table,
    cutover_date: NaiveDate,
    legal_entity: &str,
    errors: &mut Vec<CellError>,
) -> AppResult<Vec<OpeningInvoice>> {
    let known = known(connection, legal_entity).await?;
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut invoices = Vec::with_capacity(table.rows.len());
    for (row, cells) in &table.rows {
        match parse_row(table, cells, *row, cutover_date, &known) {
            Err(error) => errors.push(error),
            Ok(invoice) => {
                if let Some(first) = seen.insert(invoice.number.clone(), *row) {
                    errors.push(CellError::new(
                        *row,
                        "invoice_number",
                        format!(
                            "Invoice {} is also on row {first}; each invoice once.",
                            invoice.number
                        ),
                    ));
                } else {
                    invoices.push(invoice);
                }
            }
        }
    }
    Ok(invoices)
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::imports::properties::{cells_for, names_row_and_column, one_row};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_row_is_an_invoice_or_an_error_naming_its_cell(cells in cells_for(COLUMNS)) {
            // Proves an open-invoices row of anything never panics; a refusal names the row and
            // column, and an accepted row owes more than zero and no more than its total.
            let known = Known {
                customers: HashMap::from([("ACCT-00042".to_owned(), 1)]),
                numbers: HashSet::new(),
            };
            let cutover = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
            if let Some((table, cells, row)) = one_row(COLUMNS, &cells) {
                match parse_row(&table, &cells, row, cutover, &known) {
                    Ok(invoice) => {
                        prop_assert!(invoice.open.minor() > 0);
                        prop_assert!(invoice.open.minor() <= invoice.total.minor());
                        prop_assert!(invoice.invoice_date <= cutover);
                    }
                    Err(error) => {
                        prop_assert!(names_row_and_column(&error, row, COLUMNS), "{:?}", error);
                    }
                }
            }
        }
    }
}
