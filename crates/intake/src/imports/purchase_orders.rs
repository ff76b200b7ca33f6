//! The purchase-orders kind: customers' open POs with their amounts, validity and what was
//! already invoiced against them, so invoicing enforces them from the first revops invoice.

use super::cells::{self, CellError};
use super::table::Table;
use super::ColumnSpec;
use crate::deals::purchase_orders::NewPurchaseOrder;
use crate::entities::purchase_order;
use crate::error::AppResult;
use crate::money::Money;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use std::collections::{HashMap, HashSet};

pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required(
        "customer_ref",
        "ACCT-00042",
        "The customer's external reference (import customers first).",
    ),
    ColumnSpec::required(
        "po_number",
        "PO-7781",
        "The customer's purchase order number (at most 64 characters), unique per customer.",
    ),
    ColumnSpec::required("currency", "USD", "ISO 4217 currency of the PO."),
    ColumnSpec::required(
        "amount",
        "50000.00",
        "The most that may be invoiced against it.",
    ),
    ColumnSpec::optional(
        "consumed_amount",
        "12400.00",
        "Already invoiced against it before cut-over; zero when empty.",
    ),
    ColumnSpec::required(
        "valid_from",
        "2026-01-01",
        "First day it may be invoiced against (YYYY-MM-DD).",
    ),
    ColumnSpec::required(
        "valid_to",
        "2026-12-31",
        "Last day it may be invoiced against (YYYY-MM-DD).",
    ),
];

fn parse_row(
    table: &Table,
    cells: &[String],
    row: u32,
    customers: &HashMap<String, i64>,
    taken: &HashSet<(i64, String)>,
) -> Result<NewPurchaseOrder, CellError> {
    let cell = |column: &str| table.cell(cells, column);
    let reference = cells::required(cell("customer_ref"), "customer_ref", row)?;
    let customer_id = *customers.get(reference).ok_or_else(|| {
        CellError::new(
            row,
            "customer_ref",
            format!(
                "No customer has the reference {reference}; import or create the customer first."
            ),
        )
    })?;
    let number = cells::required(cell("po_number"), "po_number", row)?;
    let number = cells::optional(number, "po_number", row, 64)?.unwrap_or_default();
    if taken.contains(&(customer_id, number.clone())) {
        return Err(CellError::new(
            row,
            "po_number",
            format!("PO {number} is already on file for this customer."),
        ));
    }
    let currency = cells::currency(cell("currency"), "currency", row)?;
    let amount = cells::amount(cell("amount"), currency, "amount", row)?;
    if amount.minor() <= 0 {
        return Err(CellError::new(
            row,
            "amount",
            "A PO's amount must be more than zero.",
        ));
    }
    let consumed = match cell("consumed_amount") {
        "" => Money::zero(currency),
        text => cells::amount(text, currency, "consumed_amount", row)?,
    };
    if consumed.minor() < 0 || consumed.minor() > amount.minor() {
        return Err(CellError::new(
            row,
            "consumed_amount",
            format!(
                "Must be between zero and the PO's amount {}.",
                amount.amount_string()
            ),
        ));
    }
    let valid_from = cells::date(cell("valid_from"), "valid_from", row)?;
    let valid_to = cells::date(cell("valid_to"), "valid_to", row)?;
    if valid_to < valid_from {
        return Err(CellError::new(
            row,
            "valid_to",
            format!("{valid_to} is before valid_from {valid_from}."),
        ));
    }
    Ok(NewPurchaseOrder {
        customer_id,
        number,
        amount,
        consumed,
        valid_from,
        valid_to,
    })
}

/// Every row checked; the purchase orders to write when no row is wrong.
pub async fn validate<C: ConnectionTrait>(
    connection: &C,
    table: &Table,
    errors: &mut Vec<CellError>,
) -> AppResult<Vec<NewPurchaseOrder>> {
    let customers: HashMap<String, i64> = super::customers_by_reference(connection).await?;
    let taken: HashSet<(i64, String)> = purchase_order::Entity::find()
        .select_only()
        .column(purchase_order::Column::CustomerId)
        .column(purchase_order::Column::Number)
        .into_tuple::<(i64, String)>()
        .all(connection)
        .await?
        .into_iter()
        .collect();
    let mut seen: HashMap<(i64, String), u32> = HashMap::new();
    let mut orders = Vec::with_capacity(table.rows.len());
    for (row, cells) in &table.rows {
        match parse_row(table, cells, *row, &customers, &taken) {
            Err(error) => errors.push(error),
            Ok(order) => {
                let key = (order.customer_id, order.number.clone());
                if let Some(first) = seen.insert(key, *row) {
                    errors.push(CellError::new(
                        *row,
                        "po_number",
                        format!(
                            "PO {} of this customer is also on row {first}.",
                            order.number
                        ),
                    ));
                } else {
                    orders.push(order);
                }
            }
        }
    }
    Ok(orders)
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::imports::properties::{cells_for, names_row_and_column, one_row};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_row_is_a_purchase_order_or_an_error_naming_its_cell(cells in cells_for(COLUMNS)) {
            // Proves a purchase-orders row of anything never panics and every refusal names the
            // row and one of the kind's columns.
            let customers: HashMap<String, i64> = COLUMNS
                .iter()
                .filter(|column| column.name == "customer_ref")
                .map(|column| (column.example.to_owned(), 1))
                .collect();
            if let Some((table, cells, row)) = one_row(COLUMNS, &cells) {
                if let Err(error) = parse_row(&table, &cells, row, &customers, &HashSet::new()) {
                    prop_assert!(names_row_and_column(&error, row, COLUMNS), "{:?}", error);
                }
            }
        }
    }
}
