//! Deferred revenue brought over at cut-over (the old system's revenue schedule spreadsheet):
//! for each line of a brought-over contract, what the old system billed and had not yet
//! recognised on the cut-over date, and the months in which it is still to be recognised. The
//! set posts one entry per currency on the cut-over date, Dr Opening balance equity · Cr Deferred
//! revenue; each month becomes a planned schedule row of the line's obligation, which the normal
//! recognition runs recognise (Dr Deferred revenue · Cr revenue) like any other.

use super::positions::add_to_positions;
use super::repo::PLANNED;
use crate::access::{Actor, Permission};
use crate::audit;
use crate::entities::{performance_obligation, revenue_schedule};
use crate::error::{AppError, AppResult};
use crate::ledger::rules::{entries_per_currency, BalancedEntry};
use crate::ledger::{self, chart, EntryHeader};
use crate::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use std::collections::BTreeMap;

/// The kind of schedule row an opening balance plans (replans of the line never touch it).
pub const OPENING: &str = "opening";

/// One month of one line's remaining schedule, already validated.
#[derive(Debug, Clone, Serialize)]
pub struct OpeningDeferred {
    pub contract_id: i64,
    pub contract_line_id: i64,
    /// The recognition month, `YYYY-MM`; it ends after the cut-over date.
    pub month: String,
    pub amount: Money,
}

#[derive(Debug, Clone)]
pub struct DeferredBatch {
    pub import_id: i64,
    pub cutover_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeferredResult {
    pub rows: usize,
    pub entry_numbers: Vec<String>,
}

/// The entries the rows post, one per currency: Dr Opening balance equity · Cr Deferred revenue.
pub fn opening_entries(rows: &[OpeningDeferred]) -> AppResult<Vec<BalancedEntry>> {
    entries_per_currency(
        rows.iter().map(|row| row.amount),
        chart::OPENING_BALANCE_EQUITY,
        chart::DEFERRED_REVENUE,
    )
    .map_err(|error| AppError::internal(format!("opening deferred entry: {error}")))
}

/// The schedule row of one month: its service from the later of the month's first day and the
/// day after cut-over, recognised on the month's last day.
fn schedule_row(
    row: &OpeningDeferred,
    obligation: &performance_obligation::Model,
    cutover_date: NaiveDate,
) -> AppResult<revenue_schedule::ActiveModel> {
    let (first, next) = crate::calendar::parse_period("month", &row.month)?;
    let last = next.pred_opt().unwrap_or(next);
    let start = cutover_date.succ_opt().unwrap_or(cutover_date).max(first);
    Ok(revenue_schedule::ActiveModel {
        obligation_id: Set(obligation.id),
        contract_id: Set(row.contract_id),
        currency: Set(obligation.currency.clone()),
        stream_account: Set(obligation.stream_account.clone()),
        kind: Set(OPENING.into()),
        source_key: Set(format!("open:{}", row.month)),
        period_start: Set(Some(start)),
        period_end: Set(Some(last)),
        recognise_on: Set(Some(last)),
        amount_minor: Set(row.amount.minor()),
        status: Set(PLANNED.into()),
        ..Default::default()
    })
}

/// Writes the opening deferred balances, their entries and their schedule rows in the caller's
/// transaction. The caller has validated every row (contract brought over as of this cut-over,
/// line found, no opening balance yet, month after the cut-over, amount above zero).
pub async fn bring_over<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    batch: &DeferredBatch,
    rows: &[OpeningDeferred],
    mut progress: impl FnMut(usize),
) -> AppResult<DeferredResult> {
    actor.require(Permission::RevenueRun)?;
    let entry_numbers = post_opening_entries(connection, actor, now, batch, rows).await?;
    let mut per_line: BTreeMap<i64, Vec<&OpeningDeferred>> = BTreeMap::new();
    for row in rows {
        per_line.entry(row.contract_line_id).or_default().push(row);
    }
    let mut positions: BTreeMap<i64, (String, i64)> = BTreeMap::new();
    let mut audit_rows = Vec::with_capacity(per_line.len());
    for (done, (line_id, months)) in per_line.into_iter().enumerate() {
        let (obligation, total) = bring_over_line(connection, batch, line_id, &months, now).await?;
        // What the old system billed and did not recognise is billed here too: deferred
        // revenue is billed less recognised, for this contract as for any other.
        positions
            .entry(obligation.contract_id)
            .or_insert_with(|| (obligation.currency.clone(), 0))
            .1 += total;
        audit_rows.push((
            obligation.contract_id.to_string(),
            serde_json::to_string(&serde_json::json!({
                "contractLineId": line_id,
                "importId": batch.import_id,
                "cutoverDate": batch.cutover_date,
                "months": months,
            }))?,
        ));
        progress(done + 1);
    }
    let deltas: Vec<(i64, String, i64, i64)> = positions
        .into_iter()
        .map(|(contract_id, (currency, billed))| (contract_id, currency, billed, 0))
        .collect();
    add_to_positions(connection, &deltas).await?;
    audit::record_many(
        connection,
        Some(actor),
        now,
        "revenue.opening_deferred",
        "contract",
        audit_rows,
    )
    .await?;
    Ok(DeferredResult {
        rows: rows.len(),
        entry_numbers,
    })
}

/// One opening entry per currency, dated the cut-over; returns their numbers.
async fn post_opening_entries<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    batch: &DeferredBatch,
    rows: &[OpeningDeferred],
) -> AppResult<Vec<String>> {
    let mut entry_numbers = Vec::new();
    for entry in opening_entries(rows)? {
        let currency = entry.postings()[0].amount.currency();
        let posted = ledger::post_entry(
            connection,
            Some(actor),
            now,
            EntryHeader {
                entry_date: batch.cutover_date,
                memo: format!(
                    "Opening deferred revenue in {} brought over by import #{}",
                    currency.code(),
                    batch.import_id
                ),
                source: format!(
                    "import:{}:opening-deferred:{}",
                    batch.import_id,
                    currency.code()
                ),
                idempotency_key: None,
            },
            &entry,
            None,
        )
        .await?;
        entry_numbers.push(posted.entry_number);
    }
    Ok(entry_numbers)
}

/// Writes one line's opening schedule rows and adds their total to its obligation's stated,
/// SSP and allocated prices. Returns the obligation and the total.
async fn bring_over_line<C: ConnectionTrait>(
    connection: &C,
    batch: &DeferredBatch,
    line_id: i64,
    months: &[&OpeningDeferred],
    now: DateTime<Utc>,
) -> AppResult<(performance_obligation::Model, i64)> {
    let obligation = performance_obligation::Entity::find()
        .filter(performance_obligation::Column::ContractLineId.eq(line_id))
        .one(connection)
        .await?
        .ok_or_else(|| {
            AppError::internal(format!("brought-over line {line_id} has no obligation"))
        })?;
    let schedule = months
        .iter()
        .map(|row| schedule_row(row, &obligation, batch.cutover_date))
        .collect::<AppResult<Vec<_>>>()?;
    revenue_schedule::Entity::insert_many(schedule)
        .exec_without_returning(connection)
        .await?;
    let total: i64 = months.iter().map(|row| row.amount.minor()).sum();
    performance_obligation::Entity::update_many()
        .col_expr(
            performance_obligation::Column::StatedMinor,
            Expr::col(performance_obligation::Column::StatedMinor).add(total),
        )
        .col_expr(
            performance_obligation::Column::SspMinor,
            Expr::col(performance_obligation::Column::SspMinor).add(total),
        )
        .col_expr(
            performance_obligation::Column::AllocatedMinor,
            Expr::col(performance_obligation::Column::AllocatedMinor).add(total),
        )
        .col_expr(performance_obligation::Column::UpdatedAt, Expr::value(now))
        .filter(performance_obligation::Column::Id.eq(obligation.id))
        .exec(connection)
        .await?;
    Ok((obligation, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::rules::Side;
    use crate::money::Currency;

    fn row(line: i64, month: &str, minor: i64, currency: Currency) -> OpeningDeferred {
        OpeningDeferred {
            contract_id: 1,
            contract_line_id: line,
            month: month.into(),
            amount: Money::from_minor(minor, currency),
        }
    }

    /// One balanced entry per currency, crediting deferred revenue with the sum of the rows.
    #[test]
    fn one_entry_per_currency_credits_deferred_revenue_with_the_sum() -> AppResult<()> {
        let euro = Currency::parse("EUR")?;
        let entries = opening_entries(&[
            row(1, "2027-01", 100_000, Currency::USD),
            row(1, "2027-02", 100_000, Currency::USD),
            row(2, "2027-01", 25_000, euro),
        ])?;
        let credits: Vec<(&str, &str, i64)> = entries
            .iter()
            .flat_map(|entry| entry.postings().iter())
            .filter(|posting| posting.side == Side::Credit)
            .map(|posting| {
                (
                    posting.account_code.as_str(),
                    posting.amount.currency().code(),
                    posting.amount.minor(),
                )
            })
            .collect();
        assert_eq!(
            credits,
            vec![
                (chart::DEFERRED_REVENUE, "EUR", 25_000),
                (chart::DEFERRED_REVENUE, "USD", 200_000)
            ]
        );
        Ok(())
    }
}
