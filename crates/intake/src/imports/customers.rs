//! The customers kind: the customer master (seed 1.2) as the old system or the CRM exports it,
//! one row per customer, validated by the very rules a customer typed into the form meets.

use super::cells::{self, CellError};
use super::table::Table;
use super::ColumnSpec;
use crate::customers::{
    Address, Contact, CustomerCreateInput, NewCustomer, PaymentMethodInput, PaymentMethodKind,
    PaymentTerms,
};
use crate::entities::customer;
use crate::error::{AppError, AppResult};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use std::collections::{HashMap, HashSet};

pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required("external_ref", "ACCT-00042", "The customer's id in the CRM or old billing tool; unique, and how open invoices and later intake find the customer."),
    ColumnSpec::required("legal_name", "Northwind Traders Inc.", "The legal entity invoices are addressed to."),
    ColumnSpec::required("billing_line1", "100 Market Street", "Billing address, first line."),
    ColumnSpec::optional("billing_line2", "Suite 400", "Billing address, second line."),
    ColumnSpec::required("billing_city", "San Francisco", "Billing address city."),
    ColumnSpec::optional("billing_region", "CA", "State, province or region."),
    ColumnSpec::required("billing_postal_code", "94105", "Postal code."),
    ColumnSpec::required("billing_country", "US", "ISO 3166-1 alpha-2 country code."),
    ColumnSpec::optional("tax_registration_number", "12-3456789", "Tax or VAT registration number, checked for the country's format."),
    ColumnSpec::required("contact_name", "Dana Reyes", "Billing contact's name."),
    ColumnSpec::required("contact_email", "ap@northwind.example", "Where invoices and reminders go."),
    ColumnSpec::optional("contact_phone", "+1 415 555 0100", "Billing contact's phone."),
    ColumnSpec::optional("payment_method", "ach", "ach, wire, card or check."),
    ColumnSpec::optional("payment_reference", "6789", "Last four digits of the account or card only."),
    ColumnSpec::optional("payment_terms", "net_30", "net_15, net_30, net_45, net_60 or upfront; the credit policy's default when empty."),
    ColumnSpec::required("billing_currency", "USD", "ISO 4217 currency the customer is billed in."),
    ColumnSpec::optional("credit_limit", "50000.00", "The credit limit the old system granted, in the billing currency; the credit policy's limit for a new customer when empty."),
];

/// The input field an error of `NewCustomer::try_new` names, as this file's column.
fn column_of(field: &str) -> &'static str {
    const MAP: &[(&str, &str)] = &[
        ("externalRef", "external_ref"),
        ("legalName", "legal_name"),
        ("billingAddress.line1", "billing_line1"),
        ("billingAddress.line2", "billing_line2"),
        ("billingAddress.city", "billing_city"),
        ("billingAddress.region", "billing_region"),
        ("billingAddress.postalCode", "billing_postal_code"),
        ("billingAddress.country", "billing_country"),
        ("taxRegistrationNumber", "tax_registration_number"),
        ("billingContact.name", "contact_name"),
        ("billingContact.email", "contact_email"),
        ("billingContact.phone", "contact_phone"),
        ("paymentMethod.reference", "payment_reference"),
        ("paymentTerms", "payment_terms"),
        ("billingCurrency", "billing_currency"),
        ("creditLimit", "credit_limit"),
    ];
    MAP.iter()
        .find(|(name, _)| *name == field)
        .map(|(_, column)| *column)
        .unwrap_or("row")
}

fn input_of(table: &Table, cells: &[String], row: u32) -> Result<CustomerCreateInput, CellError> {
    let cell = |column: &str| table.cell(cells, column);
    let text = |column: &str| cell(column).to_owned();
    let maybe = |column: &str| {
        Some(cell(column))
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let payment_method = match maybe("payment_method") {
        None => None,
        Some(kind) => Some(PaymentMethodInput {
            kind: PaymentMethodKind::parse(&kind.to_lowercase()).ok_or_else(|| {
                CellError::new(
                    row,
                    "payment_method",
                    format!("\"{kind}\" is not one of ach, wire, card or check."),
                )
            })?,
            reference: maybe("payment_reference"),
        }),
    };
    let payment_terms = match maybe("payment_terms") {
        None => None,
        Some(terms) => Some(PaymentTerms::parse(&terms.to_lowercase()).ok_or_else(|| {
            CellError::new(
                row,
                "payment_terms",
                format!("\"{terms}\" is not one of net_15, net_30, net_45, net_60 or upfront."),
            )
        })?),
    };
    Ok(CustomerCreateInput {
        external_ref: Some(cells::required(cell("external_ref"), "external_ref", row)?.to_owned()),
        legal_name: text("legal_name"),
        billing_address: Address {
            line1: text("billing_line1"),
            line2: maybe("billing_line2"),
            city: text("billing_city"),
            region: maybe("billing_region"),
            postal_code: text("billing_postal_code"),
            country: text("billing_country").to_uppercase(),
        },
        remit_to_address: None,
        tax_registration_number: maybe("tax_registration_number"),
        billing_contact: Contact {
            name: text("contact_name"),
            email: text("contact_email"),
            phone: maybe("contact_phone"),
        },
        payment_method,
        payment_terms,
        billing_currency: text("billing_currency"),
    })
}

/// One row read and checked with the form's rules; an error names the row and column.
fn prepare(table: &Table, cells: &[String], row: u32) -> Result<NewCustomer, CellError> {
    let named = |error: AppError| match error {
        AppError::Validation { field, message } => CellError::new(row, column_of(&field), message),
        other => CellError::new(row, "row", other.message()),
    };
    let customer =
        input_of(table, cells, row).and_then(|input| NewCustomer::try_new(input).map_err(named))?;
    let limit = table.cell(cells, "credit_limit");
    if limit.is_empty() {
        return Ok(customer);
    }
    let amount = cells::amount(limit, customer.currency(), "credit_limit", row)?;
    customer.with_credit_limit(amount).map_err(named)
}

/// Every row checked; the customers to create when no row is wrong.
pub async fn validate<C: ConnectionTrait>(
    connection: &C,
    table: &Table,
    errors: &mut Vec<CellError>,
) -> AppResult<Vec<NewCustomer>> {
    let taken: HashSet<String> = customer::Entity::find()
        .select_only()
        .column(customer::Column::ExternalRef)
        .into_tuple::<Option<String>>()
        .all(connection)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut customers = Vec::with_capacity(table.rows.len());
    for (row, cells) in &table.rows {
        let row = *row;
        match prepare(table, cells, row) {
            Err(error) => errors.push(error),
            Ok(customer) => {
                let reference = customer.external_ref.clone().unwrap_or_default();
                if taken.contains(&reference) {
                    errors.push(CellError::new(
                        row,
                        "external_ref",
                        format!("A customer with reference {reference} already exists in revops."),
                    ));
                } else if let Some(first) = seen.insert(reference.clone(), row) {
                    errors.push(CellError::new(
                        row,
                        "external_ref",
                        format!(
                            "Reference {reference} is also on row {first}; each customer once."
                        ),
                    ));
                } else {
                    customers.push(customer);
                }
            }
        }
    }
    Ok(customers)
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::imports::properties::{cells_for, names_row_and_column, one_row};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_row_is_a_customer_or_an_error_naming_its_cell(cells in cells_for(COLUMNS)) {
            // Proves a customers row of anything never panics and every refusal names the row
            // and one of the kind's columns (so the person can find the cell).
            if let Some((table, cells, row)) = one_row(COLUMNS, &cells) {
                if let Err(error) = prepare(&table, &cells, row) {
                    prop_assert!(names_row_and_column(&error, row, COLUMNS), "{:?}", error);
                }
            }
        }
    }
}
