//! Disclosures of ASC 606-10-50: the remaining performance obligations (50-13) — the
//! transaction price allocated to what is not yet satisfied, and when it is expected to be
//! recognised — per currency and revenue stream.
//!
//! Read from the recognition schedule: every row of fixed consideration not recognised by the
//! as-of date (planned, or recognised only after it) of contracts in force by then (approved
//! by that day, or started by it — a contract brought over at cut-over was in force before
//! revops recorded it). Variable
//! consideration earned as work is approved or usage is incurred (T&M, usage) is left out, as
//! the optional exemption of 50-14(b) allows, and the report says so. A row awaiting
//! satisfaction (a licence not yet delivered, a milestone not yet accepted) is placed by the
//! obligation's expected date; without one it is counted as "date not known". For a past
//! as-of date the schedule is read as it stands today, so a modification made after that date
//! shows in the figures.

use super::report::{csv, placeholder};
use crate::error::AppResult;
use crate::ledger::chart::{
    REVENUE_LICENCE, REVENUE_SERVICES, REVENUE_SUBSCRIPTION, REVENUE_USAGE,
};
use crate::money::{Currency, Money};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use serde::Serialize;
use std::collections::BTreeMap;

/// The remaining performance obligations of one currency (and one stream, for the breakdown).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RpoFigures {
    pub total: Money,
    /// Expected to be recognised within 12 months after the as-of date (including what is due
    /// and not yet run).
    pub within_12_months: Money,
    pub months_13_to_24: Money,
    pub beyond_24_months: Money,
    /// Awaiting satisfaction with no expected date.
    pub date_not_known: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct RpoStream {
    /// subscription, services, usage or licence.
    pub stream: String,
    pub figures: RpoFigures,
}

#[derive(Debug, Clone, Serialize)]
pub struct RpoCurrency {
    pub currency: Currency,
    pub figures: RpoFigures,
    pub streams: Vec<RpoStream>,
    /// Contracts with anything remaining.
    pub contracts: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rpo {
    pub as_of: NaiveDate,
    pub currencies: Vec<RpoCurrency>,
}

#[derive(Debug, FromQueryResult)]
struct RemainingRow {
    currency: String,
    stream_account: String,
    contract_id: i64,
    due_on: Option<NaiveDate>,
    amount: i64,
}

/// The stream a revenue account reports under.
fn stream_of(account: &str) -> &'static str {
    match account {
        REVENUE_SUBSCRIPTION => "subscription",
        REVENUE_SERVICES => "services",
        REVENUE_USAGE => "usage",
        REVENUE_LICENCE => "licence",
        _ => "other",
    }
}

/// Which band a row falls in: 0 within 12 months, 1 months 13–24, 2 beyond, 3 date not known.
fn band(as_of: NaiveDate, due_on: Option<NaiveDate>) -> usize {
    let Some(due) = due_on else { return 3 };
    if due <= crate::calendar::add_months(as_of, 12) {
        0
    } else if due <= crate::calendar::add_months(as_of, 24) {
        1
    } else {
        2
    }
}

/// Minor-unit sums per band: within 12, 13–24, beyond 24, date not known.
type Bands = [i64; 4];

fn figures(bands: &Bands, currency: Currency) -> RpoFigures {
    let money = |minor| Money::from_minor(minor, currency);
    RpoFigures {
        total: money(bands.iter().sum()),
        within_12_months: money(bands[0]),
        months_13_to_24: money(bands[1]),
        beyond_24_months: money(bands[2]),
        date_not_known: money(bands[3]),
    }
}

/// The remaining performance obligations as of the end of `as_of`.
pub async fn remaining_obligations<C: ConnectionTrait>(
    connection: &C,
    as_of: NaiveDate,
) -> AppResult<Rpo> {
    let backend = connection.get_database_backend();
    let next_day = as_of.succ_opt().unwrap_or(as_of);
    let sql = format!(
        "SELECT s.currency, s.stream_account, s.contract_id, COALESCE(s.recognise_on, o.expected_on) AS due_on, \
         CAST(SUM(s.amount_minor) AS BIGINT) AS amount \
         FROM revenue_schedule s \
         JOIN performance_obligations o ON o.id = s.obligation_id \
         JOIN contracts c ON c.id = s.contract_id \
         WHERE s.kind NOT IN ('timesheet', 'usage') AND (c.created_at < {} OR c.start_date <= {}) \
         AND (s.status = 'planned' OR s.recognise_on > {}) \
         GROUP BY s.currency, s.stream_account, s.contract_id, COALESCE(s.recognise_on, o.expected_on)",
        placeholder(backend, 1),
        placeholder(backend, 2),
        placeholder(backend, 3),
    );
    let start_of_next_day = next_day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let rows = RemainingRow::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql,
        [start_of_next_day.into(), as_of.into(), as_of.into()],
    ))
    .all(connection)
    .await?;
    let mut totals: BTreeMap<String, Bands> = BTreeMap::new();
    let mut by_stream: BTreeMap<(String, &'static str), Bands> = BTreeMap::new();
    let mut contracts: BTreeMap<String, std::collections::BTreeSet<i64>> = BTreeMap::new();
    for row in rows.iter().filter(|row| row.amount != 0) {
        let at = band(as_of, row.due_on);
        totals.entry(row.currency.clone()).or_default()[at] += row.amount;
        by_stream
            .entry((row.currency.clone(), stream_of(&row.stream_account)))
            .or_default()[at] += row.amount;
        contracts
            .entry(row.currency.clone())
            .or_default()
            .insert(row.contract_id);
    }
    let mut currencies = Vec::new();
    for (code, bands) in &totals {
        let currency = Currency::parse(code)?;
        let streams = by_stream
            .iter()
            .filter(|((stream_currency, _), _)| stream_currency == code)
            .map(|((_, stream), bands)| RpoStream {
                stream: (*stream).to_string(),
                figures: figures(bands, currency),
            })
            .collect();
        currencies.push(RpoCurrency {
            currency,
            figures: figures(bands, currency),
            streams,
            contracts: contracts
                .get(code)
                .map_or(0, |set| i64::try_from(set.len()).unwrap_or(i64::MAX)),
        });
    }
    Ok(Rpo { as_of, currencies })
}

/// The report as CSV: one line per currency and stream, then the currency's total.
pub fn rpo_csv(rpo: &Rpo) -> String {
    let line = |currency: &Currency, stream: &str, figures: &RpoFigures| {
        vec![
            rpo.as_of.to_string(),
            currency.code().to_string(),
            stream.to_string(),
            figures.total.amount_string(),
            figures.within_12_months.amount_string(),
            figures.months_13_to_24.amount_string(),
            figures.beyond_24_months.amount_string(),
            figures.date_not_known.amount_string(),
        ]
    };
    let mut rows = Vec::new();
    for currency in &rpo.currencies {
        for stream in &currency.streams {
            rows.push(line(&currency.currency, &stream.stream, &stream.figures));
        }
        rows.push(line(&currency.currency, "total", &currency.figures));
    }
    csv(
        &[
            "as_of",
            "currency",
            "stream",
            "total",
            "within_12_months",
            "months_13_to_24",
            "beyond_24_months",
            "date_not_known",
        ],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn rows_fall_in_bands_by_their_expected_date() {
        let as_of = day("2026-06-30");
        assert_eq!(
            band(as_of, Some(day("2026-05-31"))),
            0,
            "due and not yet run"
        );
        assert_eq!(band(as_of, Some(day("2027-06-30"))), 0);
        assert_eq!(band(as_of, Some(day("2027-07-31"))), 1);
        assert_eq!(band(as_of, Some(day("2028-06-30"))), 1);
        assert_eq!(band(as_of, Some(day("2028-07-01"))), 2);
        assert_eq!(band(as_of, None), 3);
    }
}
