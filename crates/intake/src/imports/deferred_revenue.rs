//! The deferred revenue kind: the old system's revenue schedule spreadsheet as of the cut-over
//! date, one row per line of a brought-over contract and month still to recognise. The set posts
//! Dr Opening balance equity · Cr Deferred revenue on the cut-over date, and the normal
//! recognition runs recognise each month afterwards (`revenue::opening`).

use super::cells::{self, CellError};
use super::table::Table;
use super::ColumnSpec;
use crate::deals::brought_over::BroughtOverLine;
use crate::deals::{BillingFrequency, ContractLineKind};
use crate::entities::{contract, contract_line, deal, performance_obligation, revenue_schedule};
use crate::error::AppResult;
use crate::money::Money;
use crate::revenue::opening::{OpeningDeferred, OPENING};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required("contract_ref", "OLD-C-1042", "The contract's reference, as the contracts import brought it over."),
    ColumnSpec::required("product", "Platform seats", "The contract line's product, as in the contracts import."),
    ColumnSpec::required("month", "2027-01", "The month the amount is to be recognised in (YYYY-MM), ending after the cut-over date."),
    ColumnSpec::required("currency", "USD", "The contract's currency."),
    ColumnSpec::required("amount", "1000.00", "Revenue billed by the old system and still deferred, to recognise in that month; more than zero."),
];

/// A line of a brought-over contract, as the rows are checked against it.
struct KnownLine {
    contract_id: i64,
    line: contract_line::Model,
    cutover: Option<NaiveDate>,
    /// An earlier import already brought this line's deferred balance over.
    has_opening: bool,
}

/// Lines of brought-over contracts by (contract reference, product).
async fn known<C: ConnectionTrait>(
    connection: &C,
) -> AppResult<HashMap<(String, String), Vec<KnownLine>>> {
    let contracts: Vec<contract::Model> = contract::Entity::find()
        .filter(contract::Column::ImportId.is_not_null())
        .all(connection)
        .await?;
    let deal_ids: Vec<i64> = contracts.iter().map(|contract| contract.deal_id).collect();
    let mut references: HashMap<i64, String> = HashMap::new();
    for chunk in deal_ids.chunks(500) {
        let found: Vec<(i64, String)> = deal::Entity::find()
            .select_only()
            .column(deal::Column::Id)
            .column(deal::Column::CrmOpportunityId)
            .filter(deal::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(connection)
            .await?;
        references.extend(found);
    }
    let opened: HashSet<i64> = performance_obligation::Entity::find()
        .select_only()
        .column(performance_obligation::Column::ContractLineId)
        .filter(
            performance_obligation::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(revenue_schedule::Column::ObligationId)
                    .from(revenue_schedule::Entity)
                    .and_where(revenue_schedule::Column::Kind.eq(OPENING))
                    .to_owned(),
            ),
        )
        .into_tuple::<i64>()
        .all(connection)
        .await?
        .into_iter()
        .collect();
    let by_id: HashMap<i64, &contract::Model> = contracts
        .iter()
        .map(|contract| (contract.id, contract))
        .collect();
    let mut known: HashMap<(String, String), Vec<KnownLine>> = HashMap::new();
    for chunk in contracts.chunks(500) {
        for line in contract_line::Entity::find()
            .filter(contract_line::Column::ContractId.is_in(chunk.iter().map(|c| c.id)))
            .all(connection)
            .await?
        {
            let Some(contract) = by_id.get(&line.contract_id) else {
                continue;
            };
            let Some(reference) = references.get(&contract.deal_id) else {
                continue;
            };
            known
                .entry((reference.clone(), line.product_name.clone()))
                .or_default()
                .push(KnownLine {
                    contract_id: contract.id,
                    has_opening: opened.contains(&line.id),
                    cutover: contract.brought_over_on,
                    line,
                });
        }
    }
    Ok(known)
}

/// `YYYY-MM` and its first and last day.
fn month_cell(text: &str, row: u32) -> Result<(String, NaiveDate, NaiveDate), CellError> {
    let text = cells::required(text, "month", row)?;
    // A spreadsheet's date cell for the month reads as its first day.
    let month: String = text.chars().take(7).collect();
    // Exactly four digits, a dash and two: the calendar's parser would also take "0-    1".
    let shaped = month.len() == 7
        && month.char_indices().all(|(at, c)| {
            if at == 4 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    shaped
        .then_some(())
        .ok_or(())
        .and_then(|()| crate::calendar::parse_period("month", &month).map_err(|_| ()))
        .map(|(first, next)| (month, first, next.pred_opt().unwrap_or(next)))
        .map_err(|_| {
            CellError::new(
                row,
                "month",
                format!("\"{text}\" is not a month; write it as YYYY-MM, e.g. 2027-01."),
            )
        })
}

fn parse_row(
    table: &Table,
    cells: &[String],
    row: u32,
    cutover: NaiveDate,
    known: &HashMap<(String, String), Vec<KnownLine>>,
) -> Result<OpeningDeferred, CellError> {
    let cell = |column: &str| table.cell(cells, column);
    let reference = cells::required(cell("contract_ref"), "contract_ref", row)?;
    let product = cells::required(cell("product"), "product", row)?;
    let found = known
        .get(&(reference.to_string(), product.to_string()))
        .map(Vec::as_slice)
        .unwrap_or_default();
    let line = match found {
        [line] => line,
        [] => {
            return Err(CellError::new(
                row,
                "product",
                format!("No contract brought over by a contracts import has the reference {reference} and a line {product}. Deferred revenue comes in only for brought-over contracts: a contract made in revops schedules its own revenue."),
            ))
        }
        _ => {
            return Err(CellError::new(
                row,
                "product",
                format!("Contract {reference} has {} lines named {product}; give them distinct product names in the contracts import.", found.len()),
            ))
        }
    };
    if line.cutover != Some(cutover) {
        return Err(CellError::new(
            row,
            "contract_ref",
            format!(
                "Contract {reference} was brought over as of {}; state its deferred revenue as of the same cut-over date, not {cutover}.",
                line.cutover.map_or("another date".to_string(), |day| day.to_string())
            ),
        ));
    }
    if line.has_opening {
        return Err(CellError::new(
            row,
            "product",
            format!("The deferred revenue of contract {reference}, line {product}, was already brought over by an earlier import."),
        ));
    }
    let currency = cells::currency(cell("currency"), "currency", row)?;
    if currency.code() != line.line.currency {
        return Err(CellError::new(
            row,
            "currency",
            format!(
                "Contract {reference} is in {}, not {}.",
                line.line.currency,
                currency.code()
            ),
        ));
    }
    let amount = cells::amount(cell("amount"), currency, "amount", row)?;
    if amount.minor() <= 0 {
        return Err(CellError::new(
            row,
            "amount",
            "The amount must be more than zero.",
        ));
    }
    let (month, first, last) = month_cell(cell("month"), row)?;
    if last <= cutover {
        return Err(CellError::new(
            row,
            "month",
            format!("{month} ends on or before the cut-over date {cutover}: it was recognised in the old system."),
        ));
    }
    let billed = line.line.billed_through.unwrap_or(cutover);
    if first > billed {
        return Err(CellError::new(
            row,
            "month",
            format!("The old system invoiced this line only through {billed}; revenue for {month} was not billed, so it is not deferred (revops bills and recognises it)."),
        ));
    }
    Ok(OpeningDeferred {
        contract_id: line.contract_id,
        contract_line_id: line.line.id,
        month,
        amount,
    })
}

/// What the old system billed for the line's service after the cut-over: the most that can
/// still be deferred.
fn billed_after(line: &contract_line::Model, cutover: NaiveDate) -> AppResult<Money> {
    let currency = crate::money::Currency::parse(&line.currency)?;
    BroughtOverLine {
        product_name: line.product_name.clone(),
        kind: ContractLineKind::parse(&line.kind).unwrap_or(ContractLineKind::Subscription),
        quantity: Decimal::from_str(&line.quantity).unwrap_or(Decimal::ONE),
        unit_price: Money::from_minor(line.unit_price_minor, currency),
        frequency: line
            .billing_frequency
            .as_deref()
            .and_then(BillingFrequency::parse)
            .filter(|frequency| frequency.periods_per_year().is_some()),
        start_date: line.start_date,
        end_date: line.end_date,
        billed_through: line.billed_through,
    }
    .billed_after(cutover)
}

/// Every row checked; the months to write when no row is wrong. A line's months together may
/// not exceed what the old system billed for its service after the cut-over.
pub async fn validate<C: ConnectionTrait>(
    connection: &C,
    table: &Table,
    cutover: NaiveDate,
    errors: &mut Vec<CellError>,
) -> AppResult<Vec<OpeningDeferred>> {
    let known = known(connection).await?;
    let lines: HashMap<i64, &contract_line::Model> = known
        .values()
        .flatten()
        .map(|known| (known.line.id, &known.line))
        .collect();
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut seen: HashMap<(i64, String), u32> = HashMap::new();
    let mut per_line: BTreeMap<i64, (i64, u32)> = BTreeMap::new();
    for (row, cells) in &table.rows {
        match parse_row(table, cells, *row, cutover, &known) {
            Err(error) => errors.push(error),
            Ok(opening) => {
                let key = (opening.contract_line_id, opening.month.clone());
                if let Some(first) = seen.insert(key, *row) {
                    errors.push(CellError::new(
                        *row,
                        "month",
                        format!(
                            "{} of this contract line is also on row {first}.",
                            opening.month
                        ),
                    ));
                    continue;
                }
                let entry = per_line.entry(opening.contract_line_id).or_default();
                entry.0 += opening.amount.minor();
                entry.1 = *row;
                rows.push(opening);
            }
        }
    }
    for (line_id, (total, last_row)) in per_line {
        let Some(line) = lines.get(&line_id) else {
            continue;
        };
        let bound = billed_after(line, cutover)?;
        if total > bound.minor() {
            errors.push(CellError::new(
                last_row,
                "amount",
                format!(
                    "The months of line {} add up to {} {}, more than the {} {} the old system invoiced for its service after the cut-over.",
                    line.product_name,
                    crate::money::amount_string_of(i128::from(total), bound.currency()),
                    bound.currency().code(),
                    bound.amount_string(),
                    bound.currency().code(),
                ),
            ));
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::imports::properties::{cell_value, cells_for, names_row_and_column, one_row};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_row_is_refused_by_its_cell_when_no_line_matches(cells in cells_for(COLUMNS)) {
            // Proves a deferred-revenue row of anything never panics and, with no brought-over
            // line to match, is refused naming its row and a column of the kind.
            let cutover = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
            if let Some((table, cells, row)) = one_row(COLUMNS, &cells) {
                let result = parse_row(&table, &cells, row, cutover, &HashMap::new());
                prop_assert!(result.is_err());
                if let Err(error) = result {
                    prop_assert!(names_row_and_column(&error, row, COLUMNS), "{:?}", error);
                }
            }
        }

        #[test]
        fn any_month_cell_is_a_month_or_says_how_to_write_one(text in cell_value(), row in 2u32..1000) {
            // Proves the month cell never panics: a month gives its first and last day in order,
            // anything else an error on the month column of that row.
            match month_cell(&text, row) {
                Ok((month, first, last)) => {
                    prop_assert_eq!(month.len(), 7);
                    prop_assert!(first <= last);
                    prop_assert_eq!(first.format("%Y-%m").to_string(), month);
                }
                Err(error) => {
                    prop_assert_eq!(error.row, row);
                    prop_assert_eq!(error.column.as_str(), "month");
                }
            }
        }
    }
}
