//! The contracts kind: the signed contracts and SOWs still running at cut-over, one row per
//! line (a subscription, or a licence, milestone or T&M work the old system has not invoiced), the rows of one contract sharing its reference. Each contract comes in as
//! an approved deal and a contract whose billing resumes after what the old system invoiced
//! (`deals::brought_over`). It posts nothing: what the old system billed is in the open invoices
//! and deferred revenue imports.

use super::cells::{self, CellError};
use super::renewal_schedules::RenewalOwners;
use super::table::Table;
use super::ColumnSpec;
use crate::customers::PaymentTerms;
use crate::deals::brought_over::{BroughtOverContract, BroughtOverLine};
use crate::deals::{BillingFrequency, ContractLineKind};
use crate::entities::deal;
use crate::error::AppResult;
use crate::invoicing::rules::Jurisdiction;
use crate::money::Money;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use std::collections::{HashMap, HashSet};

pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required("contract_ref", "OLD-C-1042", "The contract's reference in the old system (at most 100 characters); the rows of one contract share it, and the deferred revenue import names it."),
    ColumnSpec::required("customer_ref", "ACCT-00042", "The customer's external reference (import customers first)."),
    ColumnSpec::optional("signed_on", "2026-03-20", "When the contract was signed (YYYY-MM-DD); the earliest line start when empty. The deal is booked on it, and no commission is calculated for it (it was paid in the old tool)."),
    ColumnSpec::required("product", "Platform seats", "The line's product."),
    ColumnSpec::optional("kind", "subscription", "subscription (when empty), perpetual_license (a licence still to deliver), milestone (a milestone still to accept; end_date is its due date) or time_and_materials (hours still to work; unit_price is the rate, quantity the estimated hours). Only work the old system has not invoiced comes over as a licence, milestone or T&M line."),
    ColumnSpec::optional("quantity", "25", "Units (seats, licences, estimated hours); 1 when empty."),
    ColumnSpec::required("unit_price", "1200.00", "A subscription's price per unit per billing period; otherwise the price of one unit (a licence, the milestone, an hour)."),
    ColumnSpec::required("currency", "USD", "ISO 4217 currency; one per contract."),
    ColumnSpec::optional("billing_frequency", "annually", "Subscriptions: monthly, quarterly or annually, billed in advance on the line's anniversary. Empty for the other kinds."),
    ColumnSpec::required("start_date", "2026-04-01", "First service day of the line (YYYY-MM-DD)."),
    ColumnSpec::required("end_date", "2027-03-31", "Last service day of the line (YYYY-MM-DD; a milestone's due date); the renewal date follows it."),
    ColumnSpec::optional("billed_through", "2027-03-31", "Subscriptions: the last service day the old system's invoices covered: the last day of one of the line's billing periods, on or after the cut-over for a line in service then. revops bills from the next period. Empty when nothing was invoiced yet (a line starting after the cut-over), and for the other kinds."),
    ColumnSpec::required("tax_jurisdiction", "US-CA", "Where the contract's invoices are taxed: a country code, optionally with a region (DE, US-CA)."),
    ColumnSpec::optional("tax_exemption_certificate", "", "The customer's exemption certificate number, when its invoices are not taxed."),
    ColumnSpec::optional("payment_terms", "net_30", "net_15, net_30, net_45, net_60 or upfront; net 30 when empty."),
    ColumnSpec::optional("owner_email", "ae@example.com", "Who owns the renewal, and the deal's account executive: a revops user who may manage renewals (an AE, an account manager …)."),
    ColumnSpec::optional("renewal_uplift_percent", "5", "The uplift the renewal is priced with, 0 to 100; none when empty."),
];

/// What the rows are checked against, read once.
struct Known {
    customers: HashMap<String, i64>,
    /// CRM ids of every deal (a brought-over contract's reference becomes one).
    references: HashSet<String>,
    /// Who may own a renewal.
    owners: RenewalOwners,
}

async fn known<C: ConnectionTrait>(connection: &C) -> AppResult<Known> {
    let customers = super::customers_by_reference(connection).await?;
    let references = deal::Entity::find()
        .select_only()
        .column(deal::Column::CrmOpportunityId)
        .into_tuple::<String>()
        .all(connection)
        .await?
        .into_iter()
        .collect();
    Ok(Known {
        customers,
        references,
        owners: RenewalOwners::load(connection).await?,
    })
}

/// One row: its contract's terms and its line.
struct LineRow {
    row: u32,
    reference: String,
    customer_id: i64,
    signed_on: Option<NaiveDate>,
    payment_terms: PaymentTerms,
    tax_jurisdiction: String,
    tax_exemption_certificate: Option<String>,
    owner_id: Option<i64>,
    uplift_percent: Option<Decimal>,
    line: BroughtOverLine,
}

fn parse_line(
    table: &Table,
    cells: &[String],
    row: u32,
    cutover: NaiveDate,
) -> Result<BroughtOverLine, CellError> {
    let cell = |column: &str| table.cell(cells, column);
    let product_name = cells::required(cell("product"), "product", row)?;
    let product_name = cells::optional(product_name, "product", row, 200)?.unwrap_or_default();
    let quantity = match cell("quantity") {
        "" => Decimal::ONE,
        text => cells::decimal(text, "quantity", row)?,
    };
    if quantity <= Decimal::ZERO || quantity > Decimal::from(1_000_000_000) {
        return Err(CellError::new(
            row,
            "quantity",
            "The quantity must be more than zero and at most 1,000,000,000.",
        ));
    }
    let currency = cells::currency(cell("currency"), "currency", row)?;
    let unit_price = cells::amount(cell("unit_price"), currency, "unit_price", row)?;
    if unit_price.minor() < 0 {
        return Err(CellError::new(
            row,
            "unit_price",
            "A price cannot be negative; bring credits over as open credit memos instead.",
        ));
    }
    let kind = match cell("kind").trim().to_lowercase().as_str() {
        "" | "subscription" => ContractLineKind::Subscription,
        "perpetual_license" | "perpetual_licence" | "license" | "licence" => {
            ContractLineKind::PerpetualLicense
        }
        "milestone" => ContractLineKind::Milestone,
        "time_and_materials" | "t&m" => ContractLineKind::TimeAndMaterials,
        "usage" => ContractLineKind::Usage,
        other => {
            return Err(CellError::new(
                row,
                "kind",
                format!("\"{other}\" is not subscription, perpetual_license, milestone or time_and_materials."),
            ))
        }
    };
    let frequency = match cell("billing_frequency").trim() {
        "" if kind == ContractLineKind::Subscription => {
            return Err(CellError::new(
                row,
                "billing_frequency",
                "A subscription needs its billing frequency: monthly, quarterly or annually.",
            ))
        }
        "" => None,
        text => Some(
            BillingFrequency::parse(&text.to_lowercase())
                .filter(|frequency| frequency.periods_per_year().is_some())
                .ok_or_else(|| {
                    CellError::new(
                        row,
                        "billing_frequency",
                        format!("\"{text}\" is not monthly, quarterly or annually."),
                    )
                })?,
        ),
    };
    let line = BroughtOverLine {
        product_name,
        kind,
        quantity,
        unit_price,
        frequency,
        start_date: cells::date(cell("start_date"), "start_date", row)?,
        end_date: cells::date(cell("end_date"), "end_date", row)?,
        billed_through: match cell("billed_through") {
            "" => None,
            text => Some(cells::date(text, "billed_through", row)?),
        },
    };
    if let Some((column, message)) = line.problem(cutover) {
        return Err(CellError::new(row, column, message));
    }
    Ok(line)
}

fn parse_row(
    table: &Table,
    cells: &[String],
    row: u32,
    cutover: NaiveDate,
    known: &Known,
) -> Result<LineRow, CellError> {
    let cell = |column: &str| table.cell(cells, column);
    let reference = cells::required(cell("contract_ref"), "contract_ref", row)?;
    let reference = cells::optional(reference, "contract_ref", row, 100)?.unwrap_or_default();
    if known.references.contains(&reference) {
        return Err(CellError::new(
            row,
            "contract_ref",
            format!("A deal or contract with the reference {reference} is already in revops."),
        ));
    }
    let customer_ref = cells::required(cell("customer_ref"), "customer_ref", row)?;
    let customer_id = *known.customers.get(customer_ref).ok_or_else(|| {
        CellError::new(
            row,
            "customer_ref",
            format!("No customer has the reference {customer_ref}; import or create the customer first."),
        )
    })?;
    let payment_terms = match cell("payment_terms") {
        "" => PaymentTerms::Net30,
        text => PaymentTerms::parse(&text.trim().to_lowercase()).ok_or_else(|| {
            CellError::new(
                row,
                "payment_terms",
                format!("\"{text}\" is not net_15, net_30, net_45, net_60 or upfront."),
            )
        })?,
    };
    let jurisdiction = cells::required(cell("tax_jurisdiction"), "tax_jurisdiction", row)?;
    let tax_jurisdiction = Jurisdiction::parse(jurisdiction)
        .map_err(|message| CellError::new(row, "tax_jurisdiction", message))?
        .code();
    let tax_exemption_certificate = cells::optional(
        cell("tax_exemption_certificate"),
        "tax_exemption_certificate",
        row,
        100,
    )?;
    let owner_id = match cell("owner_email") {
        "" => None,
        text => Some(known.owners.find(text, "owner_email", row)?),
    };
    let uplift_percent = cells::uplift_percent(
        cell("renewal_uplift_percent"),
        "renewal_uplift_percent",
        row,
    )?;
    let signed_on = match cell("signed_on") {
        "" => None,
        text => Some(cells::date(text, "signed_on", row)?),
    };
    Ok(LineRow {
        row,
        reference,
        customer_id,
        signed_on,
        payment_terms,
        tax_jurisdiction,
        tax_exemption_certificate,
        owner_id,
        uplift_percent,
        line: parse_line(table, cells, row, cutover)?,
    })
}

/// The contract-level cells every row of a contract must repeat alike.
fn disagreement(first: &LineRow, other: &LineRow) -> Option<(&'static str, String)> {
    let what = if first.customer_id != other.customer_id {
        Some("customer_ref")
    } else if first.line.unit_price.currency() != other.line.unit_price.currency() {
        Some("currency")
    } else if first.payment_terms != other.payment_terms {
        Some("payment_terms")
    } else if first.tax_jurisdiction != other.tax_jurisdiction {
        Some("tax_jurisdiction")
    } else if first.tax_exemption_certificate != other.tax_exemption_certificate {
        Some("tax_exemption_certificate")
    } else if first.owner_id != other.owner_id {
        Some("owner_email")
    } else if first.uplift_percent != other.uplift_percent {
        Some("renewal_uplift_percent")
    } else if first.signed_on != other.signed_on {
        Some("signed_on")
    } else {
        None
    };
    what.map(|column| {
        (
            column,
            format!(
                "Contract {} says otherwise on row {}; every row of one contract must give the same {column}.",
                first.reference, first.row
            ),
        )
    })
}

/// Groups the rows into contracts (in the order they first appear), with their totals.
fn assemble(rows: Vec<LineRow>, errors: &mut Vec<CellError>) -> Vec<BroughtOverContract> {
    let mut groups: Vec<Vec<LineRow>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in rows {
        match index.get(&row.reference) {
            Some(&at) => groups[at].push(row),
            None => {
                index.insert(row.reference.clone(), groups.len());
                groups.push(vec![row]);
            }
        }
    }
    let mut contracts = Vec::with_capacity(groups.len());
    for group in groups {
        let first = &group[0];
        if let Some(error) = group.iter().skip(1).find_map(|other| {
            disagreement(first, other)
                .map(|(column, message)| CellError::new(other.row, column, message))
        }) {
            errors.push(error);
            continue;
        }
        match totals(&group) {
            Ok((tcv, arr)) => {
                let lines: Vec<BroughtOverLine> =
                    group.iter().map(|row| row.line.clone()).collect();
                let start = lines.iter().map(|line| line.start_date).min();
                contracts.push(BroughtOverContract {
                    reference: first.reference.clone(),
                    customer_id: first.customer_id,
                    signed_on: first.signed_on.or(start).unwrap_or_default(),
                    payment_terms: first.payment_terms,
                    tax_jurisdiction: first.tax_jurisdiction.clone(),
                    tax_exemption_certificate: first.tax_exemption_certificate.clone(),
                    owner_id: first.owner_id,
                    uplift_percent: first.uplift_percent,
                    tcv,
                    arr,
                    lines,
                });
            }
            Err(message) => errors.push(CellError::new(first.row, "unit_price", message)),
        }
    }
    contracts
}

/// The contract's value over its term and per year, as billing will compute them.
fn totals(group: &[LineRow]) -> Result<(Money, Money), String> {
    let currency = group[0].line.unit_price.currency();
    let (mut tcv, mut arr) = (Money::zero(currency), Money::zero(currency));
    for row in group {
        let line = &row.line;
        let sum = |total: Money, part: crate::error::AppResult<Money>| {
            part.and_then(|part| Ok(total.checked_add(part)?))
                .map_err(|error| {
                    format!("The contract's value is out of range: {}", error.message())
                })
        };
        tcv = sum(tcv, line.term_total())?;
        arr = sum(arr, line.annual_value())?;
    }
    Ok((tcv, arr))
}

/// Every row checked; the contracts to write when no row is wrong.
pub async fn validate<C: ConnectionTrait>(
    connection: &C,
    table: &Table,
    cutover: NaiveDate,
    errors: &mut Vec<CellError>,
) -> AppResult<Vec<BroughtOverContract>> {
    let known = known(connection).await?;
    let mut rows = Vec::with_capacity(table.rows.len());
    for (row, cells) in &table.rows {
        match parse_row(table, cells, *row, cutover, &known) {
            Ok(parsed) => rows.push(parsed),
            Err(error) => errors.push(error),
        }
    }
    Ok(assemble(rows, errors))
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::imports::properties::{cells_for, names_row_and_column, table_of};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_rows_are_contracts_or_errors_naming_their_cells(
            rows in proptest::collection::vec(cells_for(COLUMNS), 1..5),
        ) {
            // Proves contract rows of anything never panic, alone or grouped into contracts: every
            // refusal names one of the file's rows and a column of the kind, and every contract
            // assembled has at least one line.
            let known = Known {
                customers: HashMap::from([("ACCT-00042".to_owned(), 1)]),
                references: HashSet::new(),
                owners: RenewalOwners::of([("ae@example.com", 5)]),
            };
            let cutover = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
            if let Some(table) = table_of(COLUMNS, &rows) {
                let numbers: Vec<u32> = table.rows.iter().map(|(row, _)| *row).collect();
                let mut errors = Vec::new();
                let mut parsed = Vec::new();
                for (row, cells) in &table.rows {
                    match parse_row(&table, cells, *row, cutover, &known) {
                        Ok(line) => parsed.push(line),
                        Err(error) => errors.push(error),
                    }
                }
                let contracts = assemble(parsed, &mut errors);
                for error in &errors {
                    prop_assert!(numbers.contains(&error.row), "{:?}", error);
                    prop_assert!(names_row_and_column(error, error.row, COLUMNS), "{:?}", error);
                }
                prop_assert!(contracts.iter().all(|contract| !contract.lines.is_empty()));
            }
        }
    }
}
