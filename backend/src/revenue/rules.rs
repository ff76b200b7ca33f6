//! The ASC 606 rules as pure functions: what pattern and revenue stream a contract line has,
//! standalone selling prices from the SSP table, allocation of the transaction price by relative
//! SSP (with a discount carried by all obligations or by a marked subset), ratable schedules
//! (monthly equal parts or daily with partial months, the last period taking the remainder),
//! and the arithmetic of modifications (prospective and cumulative catch-up).

use crate::billing::periods::{self, Alignment};
use crate::deals::ContractLineKind;
use crate::ledger::chart;
use crate::money::{allocate as allocate_money, Currency, Money};
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// How an obligation is satisfied, and so when its revenue is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum Pattern {
    /// Over the service period (subscription, support).
    Ratable,
    /// At a point in time, on delivery (perpetual licence).
    PointInTime,
    /// On the customer's acceptance of the milestone.
    Milestone,
    /// As time and materials are approved (right to invoice).
    AsApproved,
    /// In the month the usage is incurred.
    AsIncurred,
}

impl Pattern {
    pub fn as_str(&self) -> &'static str {
        match self {
            Pattern::Ratable => "ratable",
            Pattern::PointInTime => "point_in_time",
            Pattern::Milestone => "milestone",
            Pattern::AsApproved => "as_approved",
            Pattern::AsIncurred => "as_incurred",
        }
    }

    pub fn parse(text: &str) -> Option<Pattern> {
        [
            Pattern::Ratable,
            Pattern::PointInTime,
            Pattern::Milestone,
            Pattern::AsApproved,
            Pattern::AsIncurred,
        ]
        .into_iter()
        .find(|pattern| pattern.as_str() == text)
    }

    pub fn of_line(kind: ContractLineKind) -> Pattern {
        match kind {
            ContractLineKind::Subscription => Pattern::Ratable,
            ContractLineKind::PerpetualLicense => Pattern::PointInTime,
            ContractLineKind::Milestone => Pattern::Milestone,
            ContractLineKind::TimeAndMaterials => Pattern::AsApproved,
            ContractLineKind::Usage => Pattern::AsIncurred,
        }
    }

    /// The revenue account the obligation's revenue is recognised into.
    pub fn stream_account(&self) -> &'static str {
        match self {
            Pattern::Ratable => chart::REVENUE_SUBSCRIPTION,
            Pattern::PointInTime => chart::REVENUE_LICENCE,
            Pattern::Milestone | Pattern::AsApproved => chart::REVENUE_SERVICES,
            Pattern::AsIncurred => chart::REVENUE_USAGE,
        }
    }

    /// Variable consideration (T&M, usage) is not part of the fixed price allocated by SSP: it
    /// belongs wholly to the obligation it comes from (ASC 606-10-32-40).
    pub fn is_fixed(&self) -> bool {
        matches!(
            self,
            Pattern::Ratable | Pattern::PointInTime | Pattern::Milestone
        )
    }
}

/// The company's choice of ratable method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum RatableMethod {
    /// Equal monthly parts (1/12 of a year per month), each service month in the calendar month
    /// it starts; a short last month gets its share by days.
    MonthlyEqual,
    /// Proportional to days, with partial first and last calendar months.
    Daily,
}

impl RatableMethod {
    pub fn as_str(&self) -> &'static str {
        match self {
            RatableMethod::MonthlyEqual => "monthly_equal",
            RatableMethod::Daily => "daily",
        }
    }

    pub fn parse(text: &str) -> Option<RatableMethod> {
        [RatableMethod::MonthlyEqual, RatableMethod::Daily]
            .into_iter()
            .find(|method| method.as_str() == text)
    }
}

/// How the SSP table states a product's price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum SspBasis {
    /// Per unit per year of service (subscriptions, support).
    PerUnitYear,
    /// Per unit, once (licences, implementation, milestones).
    PerUnit,
}

impl SspBasis {
    pub fn as_str(&self) -> &'static str {
        match self {
            SspBasis::PerUnitYear => "per_unit_year",
            SspBasis::PerUnit => "per_unit",
        }
    }

    pub fn parse(text: &str) -> Option<SspBasis> {
        [SspBasis::PerUnitYear, SspBasis::PerUnit]
            .into_iter()
            .find(|basis| basis.as_str() == text)
    }
}

/// An SSP table entry in force for a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SspEntry {
    pub basis: SspBasis,
    pub low: i64,
    pub high: i64,
    pub effective_from: NaiveDate,
}

/// The standalone selling price of one obligation and the words explaining it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ssp {
    pub minor: i64,
    pub source: String,
}

fn round(value: Decimal) -> i64 {
    value
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(i64::MAX)
}

fn amount_text(minor: i64, currency: Currency) -> String {
    Money::from_minor(minor, currency).amount_string()
}

/// The SSP of an obligation of `quantity` units whose stated (contract) price is `stated`, over
/// `service_days` days for per-year prices. A point price is the SSP; a range takes the stated
/// price when it falls inside, otherwise the nearer bound. No table entry: the stated price, said so.
pub fn ssp(
    entry: Option<&SspEntry>,
    stated: i64,
    quantity: Decimal,
    service_days: i64,
    currency: Currency,
) -> Ssp {
    let Some(entry) = entry else {
        return Ssp {
            minor: stated,
            source: format!(
                "no SSP on file: the contract price {} {} is used",
                amount_text(stated, currency),
                currency.code()
            ),
        };
    };
    let scale = match entry.basis {
        SspBasis::PerUnit => quantity,
        SspBasis::PerUnitYear => quantity * Decimal::from(service_days) / Decimal::from(365),
    };
    let low = round(Decimal::from(entry.low) * scale);
    let high = round(Decimal::from(entry.high) * scale);
    let unit = match entry.basis {
        SspBasis::PerUnit => "per unit".to_string(),
        SspBasis::PerUnitYear => format!("per unit-year × {service_days}/365 days"),
    };
    let scale_text = format!("× {} {unit}", quantity.normalize());
    if entry.low == entry.high {
        return Ssp {
            minor: low,
            source: format!(
                "SSP {} {} {scale_text} (table from {})",
                amount_text(entry.low, currency),
                currency.code(),
                entry.effective_from
            ),
        };
    }
    let range = format!(
        "range {}–{} {} {scale_text} (table from {})",
        amount_text(entry.low, currency),
        amount_text(entry.high, currency),
        currency.code(),
        entry.effective_from
    );
    if stated < low {
        Ssp {
            minor: low,
            source: format!("{range}: contract price below the range, low end used"),
        }
    } else if stated > high {
        Ssp {
            minor: high,
            source: format!("{range}: contract price above the range, high end used"),
        }
    } else {
        Ssp {
            minor: stated,
            source: format!("{range}: contract price inside the range, used as SSP"),
        }
    }
}

/// One fixed-price obligation as the allocation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocationInput {
    /// What the contract says the customer pays for it.
    pub stated: i64,
    pub ssp: i64,
    /// Whether it carries the contract's discount (all do unless the contract marks a subset).
    pub carries_discount: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("the discount of {discount} is larger than the SSP of the obligations marked to carry it ({ssp})")]
    DiscountTooLarge { discount: i64, ssp: i64 },
    #[error("an SSP is negative")]
    NegativeSsp,
}

/// Allocates the transaction price (the sum of the stated prices) by relative SSP, largest
/// remainder to the minor unit. With a discount and a marked subset, obligations outside it get
/// exactly their SSP and the subset shares the rest by relative SSP. Sums to the price exactly.
pub fn allocate(
    inputs: &[AllocationInput],
    currency: Currency,
) -> Result<Vec<i64>, AllocationError> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    if inputs.iter().any(|input| input.ssp < 0) {
        return Err(AllocationError::NegativeSsp);
    }
    let price: i64 = inputs.iter().map(|input| input.stated).sum();
    let ssp_total: i64 = inputs.iter().map(|input| input.ssp).sum();
    let discount = ssp_total - price;
    let marked = inputs.iter().filter(|input| input.carries_discount).count();
    let subset_only = discount > 0 && marked > 0 && marked < inputs.len();
    if !subset_only {
        return Ok(split(price, inputs.iter().map(|input| input.ssp), currency));
    }
    let subset_ssp: i64 = inputs
        .iter()
        .filter(|input| input.carries_discount)
        .map(|input| input.ssp)
        .sum();
    if discount > subset_ssp {
        return Err(AllocationError::DiscountTooLarge {
            discount,
            ssp: subset_ssp,
        });
    }
    let subset_parts = split(
        subset_ssp - discount,
        inputs
            .iter()
            .filter(|input| input.carries_discount)
            .map(|input| input.ssp),
        currency,
    );
    let mut subset = subset_parts.into_iter();
    Ok(inputs
        .iter()
        .map(|input| {
            if input.carries_discount {
                subset.next().unwrap_or(0)
            } else {
                input.ssp
            }
        })
        .collect())
}

/// `total` over weights by largest remainder; all-zero weights split equally.
fn split(total: i64, weights: impl Iterator<Item = i64>, currency: Currency) -> Vec<i64> {
    let mut weights: Vec<u64> = weights.map(|weight| weight.max(0).unsigned_abs()).collect();
    if weights.iter().all(|weight| *weight == 0) {
        weights.iter_mut().for_each(|weight| *weight = 1);
    }
    allocate_money(Money::from_minor(total, currency), &weights)
        .map(|parts| parts.into_iter().map(|part| part.minor()).collect())
        .unwrap_or_default()
}

/// One recognition period of a ratable obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatablePeriod {
    /// "YYYY-MM": the calendar month it is recognised in.
    pub month: String,
    pub start: NaiveDate,
    /// Exclusive.
    pub end: NaiveDate,
    /// The day it is satisfied: the end of the calendar month, or the last service day.
    pub recognise_on: NaiveDate,
    /// Its share: days (daily), or millionths of a full month (monthly equal).
    pub weight: u64,
}

pub fn month_end(date: NaiveDate) -> NaiveDate {
    let (_, next, _) = periods::month_of(date);
    next.pred_opt().unwrap_or(date)
}

/// The periods of a ratable service `[start, end)`, starting no earlier than `from` (the first
/// period still open to recognition).
pub fn ratable_periods(
    start: NaiveDate,
    end: NaiveDate,
    method: RatableMethod,
    from: NaiveDate,
) -> Vec<RatablePeriod> {
    let last_day = end.pred_opt().unwrap_or(end);
    let mut result = Vec::new();
    match method {
        RatableMethod::Daily => {
            let mut cursor = start.max(from);
            while cursor < end {
                let (_, next_month, key) = periods::month_of(cursor);
                let period_end = next_month.min(end);
                result.push(RatablePeriod {
                    month: key,
                    start: cursor,
                    end: period_end,
                    recognise_on: month_end(cursor).min(last_day),
                    weight: u64::try_from((period_end - cursor).num_days()).unwrap_or(0),
                });
                cursor = period_end;
            }
        }
        RatableMethod::MonthlyEqual => {
            for period in periods::periods(start, end, 1, Alignment::Anniversary) {
                let weight = if period.proration.is_full() {
                    1_000_000
                } else {
                    let used = u64::try_from(period.proration.days_used).unwrap_or(0);
                    let full = u64::try_from(period.proration.days_in_period)
                        .unwrap_or(1)
                        .max(1);
                    used * 1_000_000 / full
                };
                if month_end(period.start) < from {
                    continue;
                }
                result.push(RatablePeriod {
                    month: periods::month_of(period.start).2,
                    start: period.start,
                    end: period.end,
                    recognise_on: month_end(period.start).min(last_day),
                    weight,
                });
            }
        }
    }
    result
}

/// `total` over weights: each part rounded half away from zero, the last taking the remainder
/// (the business rule for schedules), so the parts always sum to the total.
pub fn spread(total: i64, weights: &[u64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let weight_sum: u64 = weights.iter().sum();
    let mut parts = Vec::with_capacity(weights.len());
    let mut given = 0i64;
    for (index, weight) in weights.iter().enumerate() {
        if index + 1 == weights.len() {
            parts.push(total - given);
        } else if weight_sum == 0 {
            parts.push(0);
        } else {
            let part =
                round(Decimal::from(total) * Decimal::from(*weight) / Decimal::from(weight_sum));
            given += part;
            parts.push(part);
        }
    }
    parts
}

/// Cumulative catch-up on a partially satisfied obligation: the new price times the measure of
/// progress (days elapsed over the service days), less what is already recognised, booked now;
/// the rest of the new price is what remains to recognise.
pub fn catch_up(new_price: i64, elapsed_days: i64, total_days: i64, recognised: i64) -> (i64, i64) {
    let earned = if total_days <= 0 {
        new_price
    } else {
        round(
            Decimal::from(new_price) * Decimal::from(elapsed_days.clamp(0, total_days))
                / Decimal::from(total_days),
        )
    };
    (earned - recognised, new_price - earned)
}

#[cfg(test)]
// Amounts are written dollars_cents (13_561_64 = 13,561.64) so they read as money.
#[allow(clippy::inconsistent_digit_grouping, clippy::mistyped_literal_suffixes)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn annual_upfront_is_twelve_equal_months() {
        let periods = ratable_periods(
            date("2026-01-01"),
            date("2027-01-01"),
            RatableMethod::MonthlyEqual,
            date("2026-01-01"),
        );
        assert_eq!(periods.len(), 12);
        let amounts = spread(
            12_000_00,
            &periods.iter().map(|p| p.weight).collect::<Vec<_>>(),
        );
        assert!(amounts.iter().all(|amount| *amount == 1_000_00));
        assert_eq!(periods[0].recognise_on, date("2026-01-31"));
        assert_eq!(periods[11].recognise_on, date("2026-12-31"));
    }

    #[test]
    fn mid_month_start_under_both_methods() {
        // 10,000.00 from Jan 15 for a year.
        let monthly = ratable_periods(
            date("2026-01-15"),
            date("2027-01-15"),
            RatableMethod::MonthlyEqual,
            date("2026-01-01"),
        );
        let amounts = spread(
            10_000_00,
            &monthly.iter().map(|p| p.weight).collect::<Vec<_>>(),
        );
        assert_eq!(monthly.first().map(|p| p.month.as_str()), Some("2026-01"));
        assert_eq!(monthly.last().map(|p| p.month.as_str()), Some("2026-12"));
        assert_eq!(&amounts[..11], &[833_33; 11]);
        assert_eq!(amounts[11], 833_37);
        let daily = ratable_periods(
            date("2026-01-15"),
            date("2027-01-15"),
            RatableMethod::Daily,
            date("2026-01-01"),
        );
        assert_eq!(daily.len(), 13);
        let amounts = spread(
            10_000_00,
            &daily.iter().map(|p| p.weight).collect::<Vec<_>>(),
        );
        // January: 17 of 365 days; February: 28; last January 2027: 14 days takes the remainder.
        assert_eq!(amounts[0], 465_75);
        assert_eq!(amounts[1], 767_12);
        assert_eq!(amounts.iter().sum::<i64>(), 10_000_00);
        assert_eq!(daily[12].recognise_on, date("2027-01-14"));
    }

    #[test]
    fn bundle_discount_goes_to_all_or_to_the_marked_subset() {
        let inputs = [
            AllocationInput {
                stated: 50_000_00,
                ssp: 60_000_00,
                carries_discount: true,
            },
            AllocationInput {
                stated: 30_000_00,
                ssp: 24_000_00,
                carries_discount: true,
            },
            AllocationInput {
                stated: 10_000_00,
                ssp: 16_000_00,
                carries_discount: true,
            },
        ];
        // Price 90,000 against SSPs of 100,000: every obligation gets 90 %.
        assert_eq!(
            allocate(&inputs, Currency::USD).unwrap(),
            vec![54_000_00, 21_600_00, 14_400_00]
        );
        let mut marked = inputs;
        marked[1].carries_discount = false;
        // Support keeps its SSP; licence and implementation share 66,000 by 60:16.
        assert_eq!(
            allocate(&marked, Currency::USD).unwrap(),
            vec![52_105_26, 24_000_00, 13_894_74]
        );
    }

    #[test]
    fn a_range_takes_the_contract_price_inside_it() {
        let entry = SspEntry {
            basis: SspBasis::PerUnitYear,
            low: 100_00,
            high: 140_00,
            effective_from: date("2026-01-01"),
        };
        let inside = ssp(
            Some(&entry),
            12_000_00,
            Decimal::from(100),
            365,
            Currency::USD,
        );
        assert_eq!(inside.minor, 12_000_00);
        let below = ssp(
            Some(&entry),
            9_000_00,
            Decimal::from(100),
            365,
            Currency::USD,
        );
        assert_eq!(below.minor, 10_000_00);
        assert!(below.source.contains("low end"));
        assert_eq!(ssp(None, 5_00, Decimal::ONE, 1, Currency::USD).minor, 5_00);
    }

    #[test]
    fn catch_up_books_progress_less_recognised() {
        // 12,000 over 365 days, 3,000 recognised after 90 days, price raised to 18,000.
        assert_eq!(
            catch_up(18_000_00, 90, 365, 3_000_00),
            (1_438_36, 13_561_64)
        );
    }

    proptest! {
        #[test]
        fn allocations_sum_to_the_price(
            parts in proptest::collection::vec((0i64..10_000_000, 0i64..10_000_000, any::<bool>()), 1..8)
        ) {
            let inputs: Vec<AllocationInput> = parts
                .iter()
                .map(|(stated, ssp, carries)| AllocationInput { stated: *stated, ssp: *ssp, carries_discount: *carries })
                .collect();
            let price: i64 = inputs.iter().map(|input| input.stated).sum();
            if let Ok(allocated) = allocate(&inputs, Currency::USD) {
                prop_assert_eq!(allocated.iter().sum::<i64>(), price);
                prop_assert!(allocated.iter().all(|part| *part >= 0));
            }
        }

        #[test]
        fn schedules_sum_to_the_amount(
            total in -10_000_000i64..100_000_000,
            start_days in 0i64..3000,
            length in 1i64..1200,
            daily in any::<bool>(),
        ) {
            let start = date("2024-01-01") + chrono::Duration::days(start_days);
            let end = start + chrono::Duration::days(length);
            let method = if daily { RatableMethod::Daily } else { RatableMethod::MonthlyEqual };
            let periods = ratable_periods(start, end, method, start);
            prop_assert!(!periods.is_empty());
            let amounts = spread(total, &periods.iter().map(|p| p.weight).collect::<Vec<_>>());
            prop_assert_eq!(amounts.iter().sum::<i64>(), total);
            prop_assert!(periods.iter().all(|p| p.recognise_on < end && p.recognise_on >= start));
            let mut months: Vec<&str> = periods.iter().map(|p| p.month.as_str()).collect();
            months.dedup();
            prop_assert_eq!(months.len(), periods.len());
        }
    }
}
