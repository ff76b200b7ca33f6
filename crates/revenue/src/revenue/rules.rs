//! The ASC 606 rules as pure functions: what pattern and revenue stream a contract line has,
//! standalone selling prices from the SSP table, allocation of the transaction price by relative
//! SSP (with a discount carried by all obligations or by a marked subset), ratable schedules
//! (monthly equal parts or daily with partial months, the last period taking the remainder),
//! and the arithmetic of modifications (prospective and cumulative catch-up).

use crate::kinds::ContractLineKind;
use crate::ledger::chart;
use crate::money::{allocate as allocate_money, Currency, Money};
use crate::periods::{self, Alignment};
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

/// The convention that spreads a ratable obligation over its term. Whatever the convention,
/// a service period that straddles two calendar months is split between them by days, so the
/// revenue of a calendar month never includes service delivered after its last day
/// (ASC 606-10-25-31 and 55-17: an output measure of progress over time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum RatableMethod {
    /// Even periods: every service month, anchored on the start day (Jan 31 → Feb 28 → Mar 31),
    /// carries an equal share whatever its number of days, a short last one by its days; each
    /// service month is split between the calendar months it straddles by days.
    MonthlyEqual,
    /// Equal per full calendar month; the partial first and last calendar months by their days.
    MonthlyProrated,
    /// Half-month convention: each calendar half-month (1st–15th, 16th–end) carries half a
    /// month. A half that starts before the service is deferred to the term's end, so a start on
    /// the 2nd to 16th begins with the second half and recognition never runs ahead of it.
    HalfMonth,
    /// Exact days: every service day carries the same share.
    Daily,
}

impl RatableMethod {
    pub const ALL: [RatableMethod; 4] = [
        RatableMethod::MonthlyEqual,
        RatableMethod::MonthlyProrated,
        RatableMethod::HalfMonth,
        RatableMethod::Daily,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            RatableMethod::MonthlyEqual => "monthly_equal",
            RatableMethod::MonthlyProrated => "monthly_prorated",
            RatableMethod::HalfMonth => "half_month",
            RatableMethod::Daily => "daily",
        }
    }

    pub fn parse(text: &str) -> Option<RatableMethod> {
        RatableMethod::ALL
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

/// How an SSP table entry was estimated (ASC 606-10-32-33/34; IFRS 15.78–79).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, async_graphql::Enum)]
pub enum SspMethod {
    /// The price it is sold at separately, as a point or a range (32-32).
    #[default]
    Observable,
    /// What the market would pay, from competitors' prices adjusted to ours (32-34(a)).
    AdjustedMarket,
    /// Forecast cost of satisfying it plus a margin (32-34(b)).
    ExpectedCostPlusMargin,
    /// The contract price less the other obligations' SSPs, for a price that is highly variable
    /// or not yet established (32-34(c)); it must fall in the range of prices seen, if any.
    Residual,
}

impl SspMethod {
    pub const ALL: [SspMethod; 4] = [
        SspMethod::Observable,
        SspMethod::AdjustedMarket,
        SspMethod::ExpectedCostPlusMargin,
        SspMethod::Residual,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            SspMethod::Observable => "observable",
            SspMethod::AdjustedMarket => "adjusted_market",
            SspMethod::ExpectedCostPlusMargin => "expected_cost_plus_margin",
            SspMethod::Residual => "residual",
        }
    }

    pub fn parse(text: &str) -> Option<SspMethod> {
        SspMethod::ALL
            .into_iter()
            .find(|method| method.as_str() == text)
    }
}

/// The SSP per unit (or unit-year) of expected cost plus a margin in basis points, rounded once
/// half away from zero.
pub fn cost_plus_margin(cost: i64, margin_bp: i64) -> i64 {
    round(Decimal::from(cost) * Decimal::from(10_000 + margin_bp) / Decimal::from(10_000))
}

/// An SSP table entry in force for a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SspEntry {
    pub basis: SspBasis,
    /// The price, or the range; for the residual approach the range of prices seen (both zero
    /// when there is none); for cost plus margin both are the resulting price.
    pub low: i64,
    pub high: i64,
    pub effective_from: NaiveDate,
    pub method: SspMethod,
    /// Expected cost per unit (or unit-year) and margin in basis points, for cost plus margin.
    pub cost: Option<i64>,
    pub margin_bp: Option<i64>,
}

/// The standalone selling price of one obligation and the words explaining it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ssp {
    pub minor: i64,
    pub source: String,
    pub method: SspMethod,
    /// For the residual approach, the range of prices seen that the residual must fall in.
    pub residual_range: Option<(i64, i64)>,
}

pub(crate) fn round(value: Decimal) -> i64 {
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
/// price when it falls inside, otherwise the nearer bound. No table entry: the stated price, said
/// so. Under the residual approach the SSP is only known once the contract is allocated
/// (`allocate`); until then it is zero, with the range it must fall in.
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
            method: SspMethod::Observable,
            residual_range: None,
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
    let table = format!("table from {}", entry.effective_from);
    let scaled = Scaled {
        low,
        high,
        scale_text,
        table,
    };
    match entry.method {
        SspMethod::Residual => residual_ssp(entry, &scaled, currency),
        SspMethod::ExpectedCostPlusMargin => cost_plus_margin_ssp(entry, &scaled, currency),
        SspMethod::Observable | SspMethod::AdjustedMarket => {
            market_ssp(entry, &scaled, stated, currency)
        }
    }
}

/// A table entry scaled to the obligation: its low and high ends, and the words for the scale
/// and the table row the SSP came from.
struct Scaled {
    low: i64,
    high: i64,
    scale_text: String,
    table: String,
}

/// An SSP from the table entry's method, at `minor`.
fn priced(entry: &SspEntry, minor: i64, source: String) -> Ssp {
    Ssp {
        minor,
        source,
        method: entry.method,
        residual_range: None,
    }
}

/// Residual approach: zero until the contract is allocated, with the range of prices seen (if
/// any) it must fall in.
fn residual_ssp(entry: &SspEntry, scaled: &Scaled, currency: Currency) -> Ssp {
    let Scaled {
        low,
        high,
        scale_text,
        table,
    } = scaled;
    let range = (entry.high > 0).then_some((*low, *high));
    let seen = match range {
        Some(_) => format!(
            ", within the prices seen {}–{} {} {scale_text}",
            amount_text(entry.low, currency),
            amount_text(entry.high, currency),
            currency.code()
        ),
        None => String::new(),
    };
    Ssp {
        minor: 0,
        source: format!(
            "residual approach: the contract price less the other obligations' SSPs{seen} ({table}; ASC 606-10-32-34(c))"
        ),
        method: SspMethod::Residual,
        residual_range: range,
    }
}

/// Expected cost plus margin: the price the entry computed, scaled.
fn cost_plus_margin_ssp(entry: &SspEntry, scaled: &Scaled, currency: Currency) -> Ssp {
    let Scaled {
        low,
        scale_text,
        table,
        ..
    } = scaled;
    let cost = entry.cost.unwrap_or(entry.low);
    let margin = Decimal::from(entry.margin_bp.unwrap_or(0)) / Decimal::from(100);
    priced(
        entry,
        *low,
        format!(
            "expected cost {} {} + {}% margin = {} {scale_text} ({table}; ASC 606-10-32-34(b))",
            amount_text(cost, currency),
            currency.code(),
            margin.normalize(),
            amount_text(entry.low, currency),
        ),
    )
}

/// An observed price or a market assessment: a point price is the SSP; a range takes the stated
/// price when it falls inside, otherwise the nearer bound.
fn market_ssp(entry: &SspEntry, scaled: &Scaled, stated: i64, currency: Currency) -> Ssp {
    let Scaled {
        low,
        high,
        scale_text,
        table,
    } = scaled;
    let (low, high) = (*low, *high);
    let estimate = match entry.method {
        SspMethod::AdjustedMarket => "adjusted market assessment: ",
        _ => "",
    };
    if entry.low == entry.high {
        return priced(
            entry,
            low,
            format!(
                "{estimate}SSP {} {} {scale_text} ({table})",
                amount_text(entry.low, currency),
                currency.code(),
            ),
        );
    }
    let range = format!(
        "{estimate}range {}–{} {} {scale_text} ({table})",
        amount_text(entry.low, currency),
        amount_text(entry.high, currency),
        currency.code()
    );
    if stated < low {
        priced(
            entry,
            low,
            format!("{range}: contract price below the range, low end used"),
        )
    } else if stated > high {
        priced(
            entry,
            high,
            format!("{range}: contract price above the range, high end used"),
        )
    } else {
        priced(
            entry,
            stated,
            format!("{range}: contract price inside the range, used as SSP"),
        )
    }
}

/// One fixed-price obligation as the allocation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AllocationInput {
    /// What the contract says the customer pays for it.
    pub stated: i64,
    pub ssp: i64,
    /// Whether it carries the contract's discount (all do unless the contract marks a subset).
    pub carries_discount: bool,
    /// Its SSP is the residual (32-34(c)); `residual_range` is the range of prices seen for it.
    pub residual: bool,
    pub residual_range: Option<(i64, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("the discount of {discount} is larger than the SSP of the obligations marked to carry it ({ssp})")]
    DiscountTooLarge { discount: i64, ssp: i64 },
    #[error("an SSP is negative")]
    NegativeSsp,
    #[error("the residual approach leaves {left} for the residual obligations: the other obligations' SSPs ({others}) take the whole contract price ({price}); if the discount belongs to some of them, mark those lines first, otherwise estimate the residual obligations' SSP another way (ASC 606-10-32-34(c), 32-37)")]
    ResidualNotPositive {
        left: String,
        others: String,
        price: String,
    },
    #[error("the residual of {residual} is outside the prices seen for it ({low}–{high}), so the residual approach does not apply (ASC 606-10-32-34(c), Example 34 Case B); estimate its SSP another way")]
    ResidualOutsideRange {
        residual: String,
        low: String,
        high: String,
    },
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
    if inputs.iter().any(|input| input.residual) {
        return allocate_with_residual(inputs, currency);
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

/// Allocation when some obligations' SSP is the residual (ASC 606-10-32-34(c)). The others get
/// their SSPs; a subset the contract marks as carrying its discount shares the subset's own
/// contract price instead (32-37, the discount allocated first, as in Example 34 Case B); what
/// is left of the price is the residual, shared by the residual obligations by their contract
/// prices. A residual of zero or less, or one outside the range of prices seen, is refused.
fn allocate_with_residual(
    inputs: &[AllocationInput],
    currency: Currency,
) -> Result<Vec<i64>, AllocationError> {
    let text = |minor: i64| format!("{} {}", amount_text(minor, currency), currency.code());
    let price: i64 = inputs.iter().map(|input| input.stated).sum();
    let others = inputs.iter().filter(|input| !input.residual).count();
    let marked = inputs
        .iter()
        .filter(|input| !input.residual && input.carries_discount)
        .count();
    let subset_only = marked > 0 && marked < others;
    let mut allocated = vec![0_i64; inputs.len()];
    if subset_only {
        let subset_price: i64 = inputs
            .iter()
            .filter(|input| !input.residual && input.carries_discount)
            .map(|input| input.stated)
            .sum();
        let mut parts = split(
            subset_price,
            inputs
                .iter()
                .filter(|input| !input.residual && input.carries_discount)
                .map(|input| input.ssp),
            currency,
        )
        .into_iter();
        for (slot, input) in allocated.iter_mut().zip(inputs) {
            if !input.residual {
                *slot = if input.carries_discount {
                    parts.next().unwrap_or(0)
                } else {
                    input.ssp
                };
            }
        }
    } else {
        for (slot, input) in allocated.iter_mut().zip(inputs) {
            if !input.residual {
                *slot = input.ssp;
            }
        }
    }
    let taken: i64 = allocated.iter().sum();
    let left = price - taken;
    if left <= 0 {
        return Err(AllocationError::ResidualNotPositive {
            left: text(left),
            others: text(taken),
            price: text(price),
        });
    }
    let mut shares = split(
        left,
        inputs
            .iter()
            .filter(|input| input.residual)
            .map(|input| input.stated),
        currency,
    )
    .into_iter();
    for (slot, input) in allocated.iter_mut().zip(inputs) {
        if input.residual {
            *slot = shares.next().unwrap_or(0);
            if let Some((low, high)) = input.residual_range {
                if *slot < low || *slot > high {
                    return Err(AllocationError::ResidualOutsideRange {
                        residual: text(*slot),
                        low: text(low),
                        high: text(high),
                    });
                }
            }
        }
    }
    Ok(allocated)
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

/// One recognition period of a ratable obligation: the part of one calendar month it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatablePeriod {
    /// "YYYY-MM": the calendar month it is recognised in.
    pub month: String,
    pub start: NaiveDate,
    /// Exclusive.
    pub end: NaiveDate,
    /// The day it is satisfied: the end of the calendar month, or the last service day.
    pub recognise_on: NaiveDate,
    /// Its share of the service in the convention's units (see `MONTH_UNITS`).
    pub weight: u64,
}

/// What one month of service weighs. It is divisible by every month length (28–31 days) and by
/// twice every half-month length (13–16 days), so every convention gives each service day a
/// whole number of units and a period cut at any day keeps an exact weight.
pub const MONTH_UNITS: u64 = 39_268_320;

/// Days `[start, end)` that each carry `units_per_day` of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DayRun {
    start: NaiveDate,
    end: NaiveDate,
    units_per_day: u64,
}

impl DayRun {
    /// The units of the days this run shares with `[from, to)`.
    fn units_within(&self, from: NaiveDate, to: NaiveDate) -> u64 {
        let days = (self.end.min(to) - self.start.max(from)).num_days();
        u64::try_from(days).unwrap_or(0) * self.units_per_day
    }
}

pub fn month_end(date: NaiveDate) -> NaiveDate {
    let (_, next, _) = crate::calendar::month_of(date);
    next.pred_opt().unwrap_or(date)
}

fn days_between(start: NaiveDate, end: NaiveDate) -> u64 {
    u64::try_from((end - start).num_days()).unwrap_or(0).max(1)
}

/// The first half-month boundary (the 1st or the 16th) on or after `date`.
fn half_boundary_on_or_after(date: NaiveDate) -> NaiveDate {
    let (first, next, _) = crate::calendar::month_of(date);
    let sixteenth = first + chrono::Duration::days(15);
    if date == first {
        first
    } else if date <= sixteenth {
        sixteenth
    } else {
        next
    }
}

/// How a convention weighs the days of the service `[start, end)`.
fn day_runs(start: NaiveDate, end: NaiveDate, method: RatableMethod) -> Vec<DayRun> {
    let run = |start, end, units_per_day| DayRun {
        start,
        end,
        units_per_day,
    };
    match method {
        RatableMethod::Daily => vec![run(start, end, 1)],
        RatableMethod::MonthlyEqual => periods::periods(start, end, 1, Alignment::Anniversary)
            .into_iter()
            .map(|period| {
                // A short last service month is weighed against its full nominal length.
                let nominal = if period.proration.is_full() {
                    days_between(period.start, period.end)
                } else {
                    u64::try_from(period.proration.days_in_period)
                        .unwrap_or(1)
                        .max(1)
                };
                run(period.start, period.end, MONTH_UNITS / nominal)
            })
            .collect(),
        RatableMethod::MonthlyProrated => calendar_pieces(start, end, |first, next| {
            MONTH_UNITS / days_between(first, next)
        }),
        RatableMethod::HalfMonth => {
            let first_half = half_boundary_on_or_after(start);
            let after_last_half = half_boundary_on_or_after(end);
            if first_half >= after_last_half {
                // The whole term falls inside one half-month: nothing to round, so exact days.
                return vec![run(start, end, 1)];
            }
            let mut runs = Vec::new();
            let mut cursor = first_half;
            while cursor < after_last_half {
                let next = half_boundary_on_or_after(cursor + chrono::Duration::days(1));
                runs.push(run(
                    cursor,
                    next,
                    MONTH_UNITS / 2 / days_between(cursor, next),
                ));
                cursor = next;
            }
            runs
        }
    }
}

/// `[start, end)` cut at calendar month boundaries, each piece weighed per day by `rate`.
fn calendar_pieces(
    start: NaiveDate,
    end: NaiveDate,
    rate: impl Fn(NaiveDate, NaiveDate) -> u64,
) -> Vec<DayRun> {
    let mut runs = Vec::new();
    let mut cursor = start;
    while cursor < end {
        let (first, next, _) = crate::calendar::month_of(cursor);
        runs.push(DayRun {
            start: cursor,
            end: next.min(end),
            units_per_day: rate(first, next),
        });
        cursor = next;
    }
    runs
}

/// The calendar-month periods of a ratable service `[start, end)` under `method`, counting only
/// service from `from` on (the first day still open to recognition). Months that carry nothing
/// under the convention (a half-month start deferred to the next half) are left out.
pub fn ratable_periods(
    start: NaiveDate,
    end: NaiveDate,
    method: RatableMethod,
    from: NaiveDate,
) -> Vec<RatablePeriod> {
    let last_day = end.pred_opt().unwrap_or(end);
    let runs = day_runs(start, end, method);
    let mut result = Vec::new();
    let mut cursor = start.max(from);
    while cursor < end {
        let (first, next_month, key) = crate::calendar::month_of(cursor);
        // The half-month convention may weigh days after the service end in the last calendar
        // month; they are counted there, recognised on the last service day.
        let weight: u64 = runs
            .iter()
            .map(|run| run.units_within(cursor.max(first), next_month))
            .sum();
        if weight > 0 {
            result.push(RatablePeriod {
                month: key,
                start: cursor,
                end: next_month.min(end),
                recognise_on: month_end(cursor).min(last_day),
                weight,
            });
        }
        cursor = next_month;
    }
    result
}

/// `total` over the periods by weight. Each period's share is rounded half away from zero; the
/// last period of each calendar year absorbs the rounding residue of that year, whose total is
/// the rounded cumulative share at its end. So every year end is within half a minor unit of
/// the exact share, months in between read as equal amounts, and the parts sum to the total.
pub fn spread(total: i64, periods: &[RatablePeriod]) -> Vec<i64> {
    let weight_total: u64 = periods.iter().map(|period| period.weight).sum();
    if weight_total == 0 {
        // Nothing weighs anything: the last period takes the whole amount.
        let mut parts = vec![0; periods.len()];
        if let Some(last) = parts.last_mut() {
            *last = total;
        }
        return parts;
    }
    let share = |weight: u64| {
        round(Decimal::from(total) * Decimal::from(weight) / Decimal::from(weight_total))
    };
    let mut parts = Vec::with_capacity(periods.len());
    let mut cumulative_weight = 0u64;
    let mut given_before_year = 0i64;
    let mut given_in_year = 0i64;
    for (index, period) in periods.iter().enumerate() {
        cumulative_weight += period.weight;
        let year = period.month.get(..4);
        let last_of_year = periods
            .get(index + 1)
            .is_none_or(|next| next.month.get(..4) != year);
        if last_of_year {
            let given_by_year_end = share(cumulative_weight);
            parts.push(given_by_year_end - given_before_year - given_in_year);
            given_before_year = given_by_year_end;
            given_in_year = 0;
        } else {
            let part = share(period.weight);
            given_in_year += part;
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

/// How a contract modification is accounted for (ASC 606-10-25-10 to 25-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Nothing billed or recognised yet: one contract, allocated afresh from inception.
    Combined,
    /// Only distinct goods added, each at its SSP (or variable consideration): a contract of its
    /// own (25-12).
    Separate,
    /// What remains is distinct from what was delivered: the unrecognised consideration plus the
    /// new consideration is allocated over the remaining obligations (25-13(a)).
    Prospective,
    /// What remains is part of one partially satisfied obligation: new price × progress −
    /// recognised, booked at the modification date (25-13(b)).
    CatchUp,
}

impl Treatment {
    pub fn as_str(&self) -> &'static str {
        match self {
            Treatment::Combined => "combined",
            Treatment::Separate => "separate",
            Treatment::Prospective => "prospective",
            Treatment::CatchUp => "catch_up",
        }
    }
}

/// What decides a modification's treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModificationFacts {
    /// Nothing of the contract is billed or recognised.
    pub untouched: bool,
    /// The modification changes (quantity, term, cancellation) lines already in the contract.
    pub changes_existing: bool,
    /// Lines are added and every added line is distinct and priced at its SSP at the
    /// modification date (or is variable consideration, which belongs to its own obligation).
    pub adds_only_at_ssp: bool,
    /// The goods or services still to come are distinct from those delivered (a series of
    /// months usually is).
    pub remaining_distinct: bool,
}

/// The treatment ASC 606 gives a modification. Order matters: an untouched contract is simply
/// allocated again; a modification that only adds distinct goods at their SSP is a separate
/// contract (25-12) whatever else holds; otherwise the remaining goods decide between 25-13(a)
/// and 25-13(b).
pub fn modification_treatment(facts: ModificationFacts) -> Treatment {
    if facts.untouched {
        Treatment::Combined
    } else if !facts.changes_existing && facts.adds_only_at_ssp {
        Treatment::Separate
    } else if facts.remaining_distinct {
        Treatment::Prospective
    } else {
        Treatment::CatchUp
    }
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

    fn amounts(start: &str, end: &str, method: RatableMethod, total: i64) -> Vec<(String, i64)> {
        let periods = ratable_periods(date(start), date(end), method, date(start));
        let parts = spread(total, &periods);
        periods
            .into_iter()
            .map(|period| period.month)
            .zip(parts)
            .collect()
    }

    #[test]
    fn annual_upfront_is_twelve_equal_months() {
        // A term on calendar months gives every month the same amount under every convention
        // that counts months.
        for method in [
            RatableMethod::MonthlyEqual,
            RatableMethod::MonthlyProrated,
            RatableMethod::HalfMonth,
        ] {
            let amounts = amounts("2026-01-01", "2027-01-01", method, 12_000_00);
            assert_eq!(amounts.len(), 12, "{method:?}");
            assert!(amounts.iter().all(|(_, amount)| *amount == 1_000_00));
        }
        let periods = ratable_periods(
            date("2026-01-01"),
            date("2027-01-01"),
            RatableMethod::MonthlyEqual,
            date("2026-01-01"),
        );
        assert_eq!(periods[0].recognise_on, date("2026-01-31"));
        assert_eq!(periods[11].recognise_on, date("2026-12-31"));
    }

    #[test]
    fn a_start_on_the_sixteenth_splits_each_service_month_by_days() {
        // 12,000.00 from 2026-01-16 for a year. Equal service months of 1,000.00: January holds
        // 16 of the 31 days of Jan 16–Feb 16 (516.13); February the other 15 (483.87) and 13 of
        // the 28 days of Feb 16–Mar 16 (464.29), so 948.16; March 15/28 + 16/31 = 1,051.84.
        let equal = amounts(
            "2026-01-16",
            "2027-01-16",
            RatableMethod::MonthlyEqual,
            12_000_00,
        );
        assert_eq!(equal.len(), 13);
        assert_eq!(equal[0], ("2026-01".into(), 516_13));
        assert_eq!(equal[1], ("2026-02".into(), 948_16));
        assert_eq!(equal[2], ("2026-03".into(), 1_051_84));
        assert_eq!(equal[12], ("2027-01".into(), 483_87));
        // Prorated calendar months: 16/31 and 15/31 of a month at each end, 1,000.00 between.
        let prorated = amounts(
            "2026-01-16",
            "2027-01-16",
            RatableMethod::MonthlyProrated,
            12_000_00,
        );
        assert_eq!(prorated[0].1, 516_13);
        assert!(prorated[1..12]
            .iter()
            .all(|(_, amount)| *amount == 1_000_00));
        assert_eq!(prorated[12].1, 483_87);
        // Half-month: January's second half and January 2027's first half, 500.00 each.
        let half = amounts(
            "2026-01-16",
            "2027-01-16",
            RatableMethod::HalfMonth,
            12_000_00,
        );
        assert_eq!(half[0].1, 500_00);
        assert_eq!(half[12].1, 500_00);
        // Daily: 16/365 = 526.03; December takes 2026's residue: 11,506.85 by Dec 31 (350/365)
        // less 10,487.68 for January to November = 1,019.17; January 2027 the 15 days left.
        let daily = amounts("2026-01-16", "2027-01-16", RatableMethod::Daily, 12_000_00);
        assert_eq!(daily[0].1, 526_03);
        assert_eq!(daily[1].1, 920_55);
        assert_eq!(daily[11], ("2026-12".into(), 1_019_17));
        assert_eq!(daily[12], ("2027-01".into(), 493_15));
    }

    #[test]
    fn a_half_month_start_after_the_sixteenth_waits_for_the_next_month() {
        // Service from Jan 20: the first half counted is February's first; the half deferred at
        // the start is recognised in the term's last month, on its last day.
        let periods = ratable_periods(
            date("2026-01-20"),
            date("2026-04-20"),
            RatableMethod::HalfMonth,
            date("2026-01-20"),
        );
        let months: Vec<&str> = periods.iter().map(|p| p.month.as_str()).collect();
        assert_eq!(months, ["2026-02", "2026-03", "2026-04"]);
        assert_eq!(
            spread(3_000_00, &periods),
            vec![1_000_00, 1_000_00, 1_000_00]
        );
        assert_eq!(periods[2].recognise_on, date("2026-04-19"));
    }

    #[test]
    fn residue_stays_in_its_year() {
        // 10,000.00 over equal calendar months: 833.33 a month, December absorbs 2026's residue.
        let amounts = amounts(
            "2026-01-01",
            "2027-07-01",
            RatableMethod::MonthlyProrated,
            10_000_00,
        );
        assert_eq!(amounts.len(), 18);
        assert!(amounts[..11].iter().all(|(_, amount)| *amount == 555_56));
        // 12/18 of 10,000.00 = 6,666.67 by Dec 31; January to November gave 6,111.16.
        assert_eq!(amounts[11].1, 555_51);
        assert_eq!(
            amounts.iter().map(|(_, amount)| amount).sum::<i64>(),
            10_000_00
        );
    }

    #[test]
    fn bundle_discount_goes_to_all_or_to_the_marked_subset() {
        let inputs = [
            AllocationInput {
                stated: 50_000_00,
                ssp: 60_000_00,
                carries_discount: true,
                ..Default::default()
            },
            AllocationInput {
                stated: 30_000_00,
                ssp: 24_000_00,
                carries_discount: true,
                ..Default::default()
            },
            AllocationInput {
                stated: 10_000_00,
                ssp: 16_000_00,
                carries_discount: true,
                ..Default::default()
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

    fn obligation(stated: i64, ssp: i64) -> AllocationInput {
        AllocationInput {
            stated,
            ssp,
            carries_discount: true,
            ..Default::default()
        }
    }

    fn residual(stated: i64, range: Option<(i64, i64)>) -> AllocationInput {
        AllocationInput {
            stated,
            carries_discount: true,
            residual: true,
            residual_range: range,
            ..Default::default()
        }
    }

    #[test]
    fn example_34_case_b_the_discount_goes_to_its_subset_first_and_d_takes_the_residual() {
        // ASC 606-10-55-259..269 / IFRS 15 IE Example 34, Case B: A, B and C sell separately for
        // 40, 55 and 45; B and C are regularly sold together for 60, so the contract's 40
        // discount belongs to them; D's price is highly variable (15–45). For 130 in all, D's
        // residual is 130 − 100 = 30, inside the range: A 40, B 33, C 27, D 30.
        let mut inputs = [
            obligation(40_00, 40_00),
            obligation(33_00, 55_00),
            obligation(27_00, 45_00),
            residual(30_00, Some((15_00, 45_00))),
        ];
        inputs[0].carries_discount = false;
        assert_eq!(
            allocate(&inputs, Currency::USD).unwrap(),
            vec![40_00, 33_00, 27_00, 30_00]
        );
        // The same goods for 105: the residual of 5 is outside the prices seen for D, so the
        // residual approach does not apply (the example's closing paragraph).
        inputs[3].stated = 5_00;
        let refused = allocate(&inputs, Currency::USD).unwrap_err();
        assert_eq!(
            refused,
            AllocationError::ResidualOutsideRange {
                residual: "5.00 USD".into(),
                low: "15.00 USD".into(),
                high: "45.00 USD".into(),
            }
        );
    }

    #[test]
    fn without_a_marked_subset_the_residual_takes_all_the_discount() {
        // 32-34(c): the others keep their observable SSPs; the residual is what is left.
        let inputs = [
            obligation(50_00, 60_00),
            obligation(50_00, 40_00),
            residual(70_00, None),
        ];
        assert_eq!(
            allocate(&inputs, Currency::USD).unwrap(),
            vec![60_00, 40_00, 70_00]
        );
        // Two residual obligations share what is left by their contract prices.
        let two = [
            obligation(100_00, 100_00),
            residual(30_00, None),
            residual(10_00, None),
        ];
        assert_eq!(
            allocate(&two, Currency::USD).unwrap(),
            vec![100_00, 30_00, 10_00]
        );
        // Nothing left: refused, naming the amounts.
        let none_left = [obligation(50_00, 120_00), residual(50_00, None)];
        assert_eq!(
            allocate(&none_left, Currency::USD).unwrap_err(),
            AllocationError::ResidualNotPositive {
                left: "-20.00 USD".into(),
                others: "120.00 USD".into(),
                price: "100.00 USD".into(),
            }
        );
    }

    #[test]
    fn expected_cost_plus_margin_prices_the_unit_and_says_how() {
        assert_eq!(cost_plus_margin(300_00, 2_500), 375_00);
        assert_eq!(cost_plus_margin(333, 3_333), 444);
        let entry = SspEntry {
            basis: SspBasis::PerUnit,
            low: 375_00,
            high: 375_00,
            effective_from: date("2026-01-01"),
            method: SspMethod::ExpectedCostPlusMargin,
            cost: Some(300_00),
            margin_bp: Some(2_500),
        };
        let priced = ssp(Some(&entry), 1_000_00, Decimal::from(4), 365, Currency::USD);
        assert_eq!(priced.minor, 1_500_00);
        assert!(
            priced
                .source
                .starts_with("expected cost 300.00 USD + 25% margin = 375.00"),
            "{}",
            priced.source
        );
        let residual_entry = SspEntry {
            method: SspMethod::Residual,
            low: 15_00,
            high: 45_00,
            ..entry
        };
        let open = ssp(
            Some(&residual_entry),
            30_00,
            Decimal::from(2),
            365,
            Currency::USD,
        );
        assert_eq!(
            (open.minor, open.method, open.residual_range),
            (0, SspMethod::Residual, Some((30_00, 90_00)))
        );
    }

    #[test]
    fn a_range_takes_the_contract_price_inside_it() {
        let entry = SspEntry {
            basis: SspBasis::PerUnitYear,
            low: 100_00,
            high: 140_00,
            effective_from: date("2026-01-01"),
            method: SspMethod::Observable,
            cost: None,
            margin_bp: None,
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
    fn a_modification_is_treated_as_the_standard_orders_it() {
        let facts = |untouched, changes_existing, adds_only_at_ssp, remaining_distinct| {
            modification_treatment(ModificationFacts {
                untouched,
                changes_existing,
                adds_only_at_ssp,
                remaining_distinct,
            })
        };
        // Nothing billed or recognised: allocated afresh, whatever the change.
        assert_eq!(facts(true, true, false, false), Treatment::Combined);
        // ASC 606-10-55-112 (Example 5, Case A): more products at their SSP, a separate contract.
        assert_eq!(facts(false, false, true, true), Treatment::Separate);
        assert_eq!(facts(false, false, true, false), Treatment::Separate);
        // Case B: the added products are discounted from SSP: prospective (25-13(a)).
        assert_eq!(facts(false, false, false, true), Treatment::Prospective);
        // Example 7: a price change and an extension of distinct services: prospective.
        assert_eq!(facts(false, true, true, true), Treatment::Prospective);
        // Example 8: one partially satisfied obligation changes: cumulative catch-up (25-13(b)).
        assert_eq!(facts(false, true, false, false), Treatment::CatchUp);
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
                .map(|(stated, ssp, carries)| AllocationInput { stated: *stated, ssp: *ssp, carries_discount: *carries, ..Default::default() })
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
            method_index in 0usize..4,
        ) {
            let start = date("2024-01-01") + chrono::Duration::days(start_days);
            let end = start + chrono::Duration::days(length);
            let method = RatableMethod::ALL[method_index];
            let periods = ratable_periods(start, end, method, start);
            prop_assert!(!periods.is_empty());
            let amounts = spread(total, &periods);
            prop_assert_eq!(amounts.iter().sum::<i64>(), total);
            prop_assert!(periods.iter().all(|p| p.recognise_on < end && p.recognise_on >= start));
            let mut months: Vec<&str> = periods.iter().map(|p| p.month.as_str()).collect();
            months.dedup();
            prop_assert_eq!(months.len(), periods.len());
        }

        /// The invariant, for every convention, start, end and amount `T ≥ 0`. Let `P(d)` be the
        /// share of the service delivered by the end of day `d` as the convention measures it
        /// (days for daily, so `P(d)` = delivered days / total days; elapsed service months,
        /// a month in progress by its days, for the month conventions; halves for half-month),
        /// `A(m)` the schedule's cumulative amount by the end of calendar month `m`, and `n(m)`
        /// the number of periods of `m`'s calendar year up to `m`. Then
        /// `|A(m) − T·P(end of m)| ≤ (1 + n(m)) / 2` minor units: within one unit per period of
        /// the service delivered, never a month ahead; at each year's last period within half a
        /// unit; and the schedule sums to `T` exactly. For daily `P` is recomputed from the dates
        /// alone, so the bound is the plain "delivered days / total days" one.
        #[test]
        fn recognition_never_runs_ahead_of_delivery(
            total in 0i64..100_000_000_000,
            start_days in 0i64..3000,
            length in 1i64..1200,
            method_index in 0usize..4,
            replan_offset in 0i64..1200,
        ) {
            let start = date("2024-01-01") + chrono::Duration::days(start_days);
            let end = start + chrono::Duration::days(length);
            let method = RatableMethod::ALL[method_index];
            // Also from a later first open day, as a re-plan spreads what is left.
            let from = if replan_offset < length { start + chrono::Duration::days(replan_offset) } else { start };
            let periods = ratable_periods(start, end, method, from);
            let amounts = spread(total, &periods);
            prop_assert_eq!(amounts.iter().sum::<i64>(), if periods.is_empty() { 0 } else { total });
            let weight_total = i128::from(periods.iter().map(|p| p.weight).sum::<u64>());
            let (mut cumulative_amount, mut cumulative_weight) = (0i128, 0i128);
            let mut in_year = 0i128;
            for (index, (period, amount)) in periods.iter().zip(&amounts).enumerate() {
                if index == 0 || periods[index - 1].month.get(..4) != period.month.get(..4) {
                    in_year = 0;
                }
                in_year += 1;
                cumulative_amount += i128::from(*amount);
                cumulative_weight += i128::from(period.weight);
                let (delivered, whole) = if method == RatableMethod::Daily {
                    let month_over = month_end(period.start).succ_opt().unwrap().min(end);
                    (i128::from((month_over - from).num_days()), i128::from((end - from).num_days()))
                } else {
                    (cumulative_weight, weight_total)
                };
                let exact_twice = 2 * i128::from(total) * delivered;
                let slack = (1 + in_year) * whole;
                prop_assert!(2 * cumulative_amount * whole <= exact_twice + slack,
                    "{method:?} {} ahead: {cumulative_amount} of {total}", period.month);
                prop_assert!(2 * cumulative_amount * whole >= exact_twice - slack,
                    "{method:?} {} behind: {cumulative_amount} of {total}", period.month);
            }
        }
    }
}
