//! Billing periods and the one proration rule (DOMAIN "Periods, proration, rounding").
//!
//! Periods are half-open `[start, end)` calendar dates. Monthly steps keep the anchor day
//! (Jan 31 → Feb 28 → Mar 31). A partial period is charged `amount × days_used / days_in_period`
//! where `days_in_period` is the length of the full nominal period it belongs to, computed in
//! `Decimal` and rounded once per line to the currency's minor unit, half away from zero.

pub use crate::calendar::{add_months, after_last_day, days_between, month_of};
use crate::money::{Money, MoneyError};
use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// How recurring periods are laid on the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum Alignment {
    /// Periods start on the service start date's day of month.
    Anniversary,
    /// Periods start on the first of a month (quarter, year); the first one is prorated.
    Calendar,
}

impl Alignment {
    pub fn as_str(&self) -> &'static str {
        match self {
            Alignment::Anniversary => "anniversary",
            Alignment::Calendar => "calendar",
        }
    }

    pub fn parse(text: &str) -> Option<Alignment> {
        [Alignment::Anniversary, Alignment::Calendar]
            .into_iter()
            .find(|alignment| alignment.as_str() == text)
    }
}

/// The share of a full period that is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Proration {
    pub days_used: i64,
    pub days_in_period: i64,
}

impl Proration {
    pub const FULL: Proration = Proration {
        days_used: 1,
        days_in_period: 1,
    };

    pub fn of(days_used: i64, days_in_period: i64) -> Proration {
        if days_used == days_in_period {
            Proration::FULL
        } else {
            Proration {
                days_used,
                days_in_period,
            }
        }
    }

    pub fn is_full(&self) -> bool {
        self.days_used == self.days_in_period
    }

    pub fn fraction(&self) -> Decimal {
        Decimal::from(self.days_used) / Decimal::from(self.days_in_period)
    }
}

/// The single proration computation: `unit_price × quantity × fraction`, rounded once.
pub fn prorate(
    unit_price: Money,
    quantity: Decimal,
    proration: Proration,
) -> Result<Money, MoneyError> {
    let exact = unit_price
        .to_decimal()
        .checked_mul(quantity)
        .and_then(|amount| amount.checked_mul(Decimal::from(proration.days_used)))
        .and_then(|amount| amount.checked_div(Decimal::from(proration.days_in_period)))
        .ok_or(MoneyError::Overflow)?;
    Money::from_decimal(
        exact,
        unit_price.currency(),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

/// The days a cancellation effective `cancelled_on` leaves unserved of a term whose last
/// service day is `last_day` (inclusive): the same count billing credits.
pub fn unserved_days(cancelled_on: NaiveDate, last_day: NaiveDate) -> i64 {
    days_between(cancelled_on, after_last_day(last_day))
}

/// The service days of a term `[start, last_day]` (both inclusive, as contracts are written).
pub fn term_days(start: NaiveDate, last_day: NaiveDate) -> i64 {
    days_between(start, after_last_day(last_day))
}

/// One recurring billing period of a contract line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BillingPeriod {
    pub start: NaiveDate,
    /// Exclusive.
    pub end: NaiveDate,
    pub proration: Proration,
    /// The full nominal period this one is part of, `[start, end)`: itself unless it is a stub.
    pub nominal: (NaiveDate, NaiveDate),
}

impl BillingPeriod {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }

    /// The last service day, for people (periods are stored half-open).
    pub fn last_day(&self) -> NaiveDate {
        self.end.pred_opt().unwrap_or(self.end)
    }

    /// The full nominal period this one is part of, as (start, end).
    pub fn label(&self) -> String {
        format!("{} – {}", self.start, self.last_day())
    }
}

fn calendar_period_start(date: NaiveDate, months: u32) -> NaiveDate {
    let month0 = date.month0();
    let aligned = match months {
        12 => 0,
        3 => month0 - month0 % 3,
        _ => month0,
    };
    NaiveDate::from_ymd_opt(date.year(), aligned + 1, 1).unwrap_or(date)
}

/// Every billing period of a line whose service runs `[service_start, service_end)`, billed every
/// `months` months with the given alignment. The first and last periods are prorated by days
/// against the full nominal period they fall in.
pub fn periods(
    service_start: NaiveDate,
    service_end: NaiveDate,
    months: u32,
    alignment: Alignment,
) -> Vec<BillingPeriod> {
    periods_from(service_start, service_start, service_end, months, alignment)
}

/// As [`periods`], with anniversary periods counted from `anchor` (on or before the service
/// start) rather than from the start itself: a line that takes over from another mid-period is
/// co-termed with it, its first period the stub from its start to the old period's end,
/// prorated against that full period.
pub fn periods_from(
    anchor: NaiveDate,
    service_start: NaiveDate,
    service_end: NaiveDate,
    months: u32,
    alignment: Alignment,
) -> Vec<BillingPeriod> {
    let mut result = Vec::new();
    if service_end <= service_start || months == 0 {
        return result;
    }
    let (anchor, mut step) = match alignment {
        Alignment::Anniversary => (anchor.min(service_start), 0),
        Alignment::Calendar => (calendar_period_start(service_start, months), 0),
    };
    loop {
        let nominal_start = add_months(anchor, step * months);
        let nominal_end = add_months(anchor, (step + 1) * months);
        step += 1;
        if nominal_start >= service_end {
            break;
        }
        let start = nominal_start.max(service_start);
        let end = nominal_end.min(service_end);
        if start < end {
            let days_in_period = days_between(nominal_start, nominal_end);
            let days_used = days_between(start, end);
            result.push(BillingPeriod {
                start,
                end,
                proration: Proration::of(days_used, days_in_period),
                nominal: (nominal_start, nominal_end),
            });
        }
        if nominal_end == NaiveDate::MAX {
            break;
        }
    }
    result
}

/// The anchor of a line billed on a chosen day of the month (a contract's billing day, Zuora's
/// bill cycle day): the latest date on or before `start` that falls on `day`. Periods counted
/// from it (`periods_from`) start on that day each month — the last day of a shorter month when
/// `day` is past its end (add_months keeps the anchor's day) — so the first period is the stub
/// from `start` to the next billing day, prorated against the whole period it falls in.
pub fn billing_day_anchor(start: NaiveDate, day: u32) -> NaiveDate {
    let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
    // A month has every day up to 28; a later day is found within a few months back.
    for _ in 0..12 {
        if let Some(candidate) = month.with_day(day).filter(|candidate| *candidate <= start) {
            return candidate;
        }
        month = month
            .pred_opt()
            .and_then(|last| last.with_day(1))
            .unwrap_or(month);
    }
    start
}

/// The part of `period` from `from` to its end, as a proration of the full nominal period.
/// Used for mid-term changes: the change bills (or credits) the days it affects.
pub fn remaining_from(period: &BillingPeriod, from: NaiveDate) -> Proration {
    let full = if period.proration.is_full() {
        days_between(period.start, period.end)
    } else {
        period.proration.days_in_period
    };
    let days = days_between(from.max(period.start), period.end);
    Proration::of(days, full)
}

#[cfg(test)]
// Amounts in minor units are written dollars_cents (1_400_00 = 1,400.00) so they read as money.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn monthly_anniversary_keeps_the_anchor_day() {
        let all = periods(
            day("2026-01-31"),
            day("2026-05-31"),
            1,
            Alignment::Anniversary,
        );
        let starts: Vec<String> = all.iter().map(|period| period.start.to_string()).collect();
        assert_eq!(
            starts,
            ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
        );
        assert!(all.iter().all(|period| period.proration.is_full()));
    }

    #[test]
    fn a_line_anchored_before_its_start_begins_with_the_stub_to_the_old_period_end() {
        // A plan change on 16 March of a line billed monthly from 1 January: the new line's
        // first period is 16–31 March, 16 of March's 31 days; then whole months to the term end.
        let all = periods_from(
            day("2027-01-01"),
            day("2027-03-16"),
            day("2028-01-01"),
            1,
            Alignment::Anniversary,
        );
        assert_eq!(all[0].start, day("2027-03-16"));
        assert_eq!(all[0].end, day("2027-04-01"));
        assert_eq!(all[0].proration, Proration::of(16, 31));
        assert_eq!(all[1].start, day("2027-04-01"));
        assert!(all[1..].iter().all(|period| period.proration.is_full()));
        assert_eq!(all.len(), 10);
        // Switched to annual billing on the same day: one stub to the anniversary, 291/365.
        let annual = periods_from(
            day("2027-01-01"),
            day("2027-03-16"),
            day("2028-01-01"),
            12,
            Alignment::Anniversary,
        );
        assert_eq!(annual.len(), 1);
        assert_eq!(annual[0].proration, Proration::of(291, 365));
        // An anchor after the start is ignored: periods then count from the start.
        assert_eq!(
            periods_from(
                day("2027-05-01"),
                day("2027-03-16"),
                day("2027-06-16"),
                1,
                Alignment::Anniversary
            )[0]
            .proration,
            Proration::FULL
        );
    }

    #[test]
    fn a_billing_day_starts_periods_on_that_day_after_a_stub() {
        // Billed on the 1st from 16 January 2027 for a year: 16–31 January (16/31), whole months
        // from 1 February, and 1–15 January 2028 (15/31) to the term's end.
        let anchor = billing_day_anchor(day("2027-01-16"), 1);
        assert_eq!(anchor, day("2027-01-01"));
        let all = periods_from(
            anchor,
            day("2027-01-16"),
            day("2028-01-16"),
            1,
            Alignment::Anniversary,
        );
        assert_eq!(all.len(), 13);
        assert_eq!(all[0].end, day("2027-02-01"));
        assert_eq!(all[0].proration, Proration::of(16, 31));
        assert!(all[1..12].iter().all(|period| period.proration.is_full()));
        assert_eq!(all[12].start, day("2028-01-01"));
        assert_eq!(all[12].proration, Proration::of(15, 31));
        // A day later in the month than the start: the anchor is in the month before.
        assert_eq!(billing_day_anchor(day("2027-01-16"), 20), day("2026-12-20"));
        // The 31st from 10 March: anchored on 31 January (February has none), so the stub runs
        // to 30 March and periods then end on each month's last day.
        let anchor = billing_day_anchor(day("2027-03-10"), 31);
        assert_eq!(anchor, day("2027-01-31"));
        let late = periods_from(
            anchor,
            day("2027-03-10"),
            day("2027-06-01"),
            1,
            Alignment::Anniversary,
        );
        assert_eq!(late[0].end, day("2027-03-31"));
        assert_eq!(late[1].end, day("2027-04-30"));
        // On the day itself, the start is its own anchor.
        assert_eq!(billing_day_anchor(day("2027-02-01"), 1), day("2027-02-01"));
    }

    #[test]
    fn calendar_alignment_prorates_the_first_and_last_months() {
        let all = periods(day("2026-01-15"), day("2026-04-10"), 1, Alignment::Calendar);
        assert_eq!(all.len(), 4);
        assert_eq!(all[0].start, day("2026-01-15"));
        assert_eq!(all[0].end, day("2026-02-01"));
        assert_eq!(all[0].proration, Proration::of(17, 31));
        assert_eq!(all[3].proration, Proration::of(9, 30));
        assert_eq!(
            crate::proration::ProrationConvention::ActualDays
                .note(
                    all[0].proration,
                    all[0].proration,
                    (all[0].start, all[0].end)
                )
                .unwrap()
                .split(" (")
                .next(),
            Some("Prorated 17/31 days")
        );
    }

    #[test]
    fn quarterly_calendar_periods_start_on_quarter_days() {
        let all = periods(day("2026-02-01"), day("2027-02-01"), 3, Alignment::Calendar);
        let starts: Vec<String> = all.iter().map(|period| period.start.to_string()).collect();
        assert_eq!(
            starts,
            [
                "2026-02-01",
                "2026-04-01",
                "2026-07-01",
                "2026-10-01",
                "2027-01-01"
            ]
        );
        assert_eq!(all[0].proration, Proration::of(59, 90));
        assert_eq!(all[4].proration, Proration::of(31, 90));
    }

    #[test]
    fn proration_rounds_once_half_away_from_zero() {
        let price = Money::from_minor(100_00, Currency::parse("USD").unwrap());
        // 100 × 17 / 31 = 54.8387… → 54.84
        assert_eq!(
            prorate(price, Decimal::ONE, Proration::of(17, 31))
                .unwrap()
                .minor(),
            54_84
        );
        // 3 seats × 10.00 × 1/8 = 3.75 exactly; 0.125 × 1 cent rounds away from zero
        let cent = Money::from_minor(1, price.currency());
        assert_eq!(
            prorate(cent, Decimal::ONE, Proration::of(1, 2))
                .unwrap()
                .minor(),
            1
        );
        assert_eq!(
            prorate(
                cent.checked_neg().unwrap(),
                Decimal::ONE,
                Proration::of(1, 2)
            )
            .unwrap()
            .minor(),
            -1
        );
    }

    #[test]
    fn remaining_days_of_a_period_from_a_change_date() {
        let all = periods(
            day("2026-03-01"),
            day("2027-03-01"),
            1,
            Alignment::Anniversary,
        );
        assert_eq!(
            remaining_from(&all[0], day("2026-03-18")),
            Proration::of(14, 31)
        );
        assert_eq!(remaining_from(&all[0], day("2026-03-01")), Proration::FULL);
    }

    #[test]
    fn a_cancellation_leaves_its_effective_day_unserved() {
        // A year 2026-01-01 – 2026-12-31 cancelled from 2026-07-03: July 3 to December 31 is
        // 29 + 31 + 30 + 31 + 30 + 31 = 182 days, the same count billing credits.
        assert_eq!(unserved_days(day("2026-07-03"), day("2026-12-31")), 182);
        assert_eq!(term_days(day("2026-01-01"), day("2026-12-31")), 365);
        let year = periods(
            day("2026-01-01"),
            after_last_day(day("2026-12-31")),
            12,
            Alignment::Anniversary,
        );
        assert_eq!(
            remaining_from(&year[0], day("2026-07-03")),
            Proration::of(182, 365)
        );
        // Cancelled after the term: nothing unserved.
        assert_eq!(unserved_days(day("2027-02-01"), day("2026-12-31")), 0);
    }

    proptest! {
        /// The unserved days billing credits and the term's days always agree: served plus
        /// unserved is the whole term.
        #[test]
        fn served_and_unserved_days_make_the_term(start in 0i64..3000, length in 1i64..1500, cut in 0i64..1500) {
            let first = day("2024-01-01") + chrono::Duration::days(start);
            let last = first + chrono::Duration::days(length - 1);
            let cancelled = first + chrono::Duration::days(cut.min(length));
            prop_assert_eq!(
                days_between(first, cancelled) + unserved_days(cancelled, last),
                term_days(first, last)
            );
        }

        /// A line that takes over on any day of another's term, anchored on the old line's start,
        /// keeps the old line's period ends (it is co-termed), tiles the rest of the service, and
        /// its first period is the stub to the old period's end, never more than a full period.
        #[test]
        fn a_replacing_line_keeps_the_old_period_ends(start in 0i64..3000, length in 2i64..1500, cut in 1i64..1500, months in prop::sample::select(vec![1u32, 3, 12])) {
            let old_start = day("2024-01-01") + chrono::Duration::days(start);
            let service_end = old_start + chrono::Duration::days(length);
            let change = old_start + chrono::Duration::days(cut.min(length - 1));
            let old = periods(old_start, service_end, months, Alignment::Anniversary);
            let new = periods_from(old_start, change, service_end, months, Alignment::Anniversary);
            prop_assert_eq!(new.first().map(|period| period.start), Some(change));
            prop_assert_eq!(new.last().map(|period| period.end), Some(service_end));
            for pair in new.windows(2) {
                prop_assert_eq!(pair[0].end, pair[1].start);
            }
            for period in &new {
                prop_assert!(old.iter().any(|before| before.end == period.end));
                prop_assert!(period.proration.days_used > 0);
                prop_assert!(period.proration.days_used <= period.proration.days_in_period);
            }
            let containing = old.iter().find(|period| period.contains(change));
            prop_assert_eq!(containing.map(|period| period.end), new.first().map(|period| period.end));
        }

        /// Periods tile the service exactly: no gap, no overlap, nothing outside it.
        #[test]
        fn periods_tile_the_service(start in 0i64..3000, length in 1i64..1500, months in prop::sample::select(vec![1u32, 3, 12]), calendar in any::<bool>()) {
            let service_start = day("2024-01-01") + chrono::Duration::days(start);
            let service_end = service_start + chrono::Duration::days(length);
            let alignment = if calendar { Alignment::Calendar } else { Alignment::Anniversary };
            let all = periods(service_start, service_end, months, alignment);
            prop_assert_eq!(all.first().map(|period| period.start), Some(service_start));
            prop_assert_eq!(all.last().map(|period| period.end), Some(service_end));
            for pair in all.windows(2) {
                prop_assert_eq!(pair[0].end, pair[1].start);
            }
            for period in &all {
                prop_assert!(period.proration.days_used <= period.proration.days_in_period);
                prop_assert!(period.proration.days_used > 0);
            }
        }
    }
}
