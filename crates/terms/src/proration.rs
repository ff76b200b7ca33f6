//! How a part of a billing period is charged: the proration convention a company chooses, with a
//! per-contract override (issue 20, "Proration conventions"). Periods themselves are always laid
//! on real calendar days (`periods`); the convention only decides what share of a full period's
//! price a part of it costs, for the period charges of stubs and for mid-period changes.
//!
//! - **Actual days**: days used ÷ the actual days of the full period (the default; DOMAIN
//!   "Periods, proration, rounding").
//! - **30-day months**: every month counts 30 days, counted as Zuora's "Assume 30 days – strict
//!   30/360" counts them (a day-31 start counts as the 30th; a part ending on a month's last day
//!   ends on the 30th), against 30 days per month of the period. Zuora's worked table: 27–31
//!   January is 4/30, 27–28 February 4/30, 1–29 February 2020 30/30, 21–29 April 9/30.
//! - **Whole periods** (no proration): a part of a period costs the whole period, and giving
//!   back part of a period credits nothing (Paddle's `full_immediately`, Autumn's
//!   `charge_immediately` / `no_action`).
//!
//! Whatever the convention, the amount is `price × quantity × share`, rounded once (`prorate`).

use crate::periods::{remaining_from, BillingPeriod, Proration};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum ProrationConvention {
    /// Days used ÷ actual days in the period.
    #[default]
    ActualDays,
    /// Every month counts 30 days (strict 30/360).
    ThirtyDayMonths,
    /// No proration: a started period costs the whole period; nothing is credited back.
    WholePeriods,
}

impl ProrationConvention {
    pub const ALL: [ProrationConvention; 3] = [
        ProrationConvention::ActualDays,
        ProrationConvention::ThirtyDayMonths,
        ProrationConvention::WholePeriods,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ProrationConvention::ActualDays => "actual_days",
            ProrationConvention::ThirtyDayMonths => "thirty_day_months",
            ProrationConvention::WholePeriods => "whole_periods",
        }
    }

    pub fn parse(text: &str) -> Option<ProrationConvention> {
        Self::ALL
            .into_iter()
            .find(|convention| convention.as_str() == text)
    }

    /// The convention in words, for notes and audit.
    pub fn label(&self) -> &'static str {
        match self {
            ProrationConvention::ActualDays => "actual days",
            ProrationConvention::ThirtyDayMonths => "30-day months",
            ProrationConvention::WholePeriods => "whole periods",
        }
    }

    /// The share of a full period's price that `period` (a whole period or a stub of one) costs.
    pub fn period_share(&self, period: &BillingPeriod, months: u32) -> Proration {
        if period.proration.is_full() {
            return Proration::FULL;
        }
        match self {
            ProrationConvention::ActualDays => period.proration,
            ProrationConvention::ThirtyDayMonths => {
                thirty_day_share(period, period.start, period.end, months)
            }
            ProrationConvention::WholePeriods => Proration::FULL,
        }
    }

    /// The share of the full period from `from` to the period's end: what a change on `from`
    /// bills (`crediting` false: seats added) or credits (seats given back, a cancellation).
    /// `None` when the convention credits nothing.
    pub fn remaining_share(
        &self,
        period: &BillingPeriod,
        from: NaiveDate,
        months: u32,
        crediting: bool,
    ) -> Option<Proration> {
        let from = from.max(period.start);
        match self {
            ProrationConvention::ActualDays => Some(remaining_from(period, from)),
            ProrationConvention::ThirtyDayMonths => {
                Some(thirty_day_share(period, from, period.end, months))
            }
            // Nothing of the period is used when the change takes effect on its first day (a
            // cancellation from a period already billed): it is credited whole.
            ProrationConvention::WholePeriods if crediting && from > period.start => None,
            ProrationConvention::WholePeriods => Some(Proration::FULL),
        }
    }

    /// How a charge for `part` (start, exclusive end) of a period was worked out, as printed on
    /// the invoice line: `actual` is the part's share in actual days (full for a whole period,
    /// which needs no note), `share` what the convention charged.
    pub fn note(
        &self,
        actual: Proration,
        share: Proration,
        part: (NaiveDate, NaiveDate),
    ) -> Option<String> {
        if actual.is_full() {
            return None;
        }
        let (start, end) = part;
        let last = end.pred_opt().unwrap_or(end);
        Some(match self {
            ProrationConvention::ActualDays => format!(
                "Prorated {}/{} days (amount × days used ÷ days in period, rounded half away from zero)",
                share.days_used, share.days_in_period
            ),
            ProrationConvention::ThirtyDayMonths => format!(
                "Prorated {}/{} days (30-day months: every month counts 30 days; amount × days used ÷ days in period, rounded half away from zero)",
                share.days_used, share.days_in_period
            ),
            ProrationConvention::WholePeriods => {
                format!("Whole period charged for {start} – {last} (whole periods: no proration)")
            }
        })
    }
}

/// The part `[start, end)` of `period` in strict 30/360 days against `30 × months`: the days
/// from the nominal period's start to the part's end less those to its start, each counted as
/// 30/360 counts them and capped at the full period, so the parts of a period either side of any
/// day always make the whole (a period anchored on the 31st included).
fn thirty_day_share(
    period: &BillingPeriod,
    start: NaiveDate,
    end: NaiveDate,
    months: u32,
) -> Proration {
    let full = 30 * i64::from(months.max(1));
    let (nominal_start, nominal_end) = period.nominal;
    let counted = |day: NaiveDate| {
        if day >= nominal_end {
            full
        } else {
            days_360(nominal_start, day).clamp(0, full)
        }
    };
    let used = (counted(end) - counted(start)).clamp(0, full);
    // Not `Proration::of`: a part that counts a whole 30 days still says "30/30" on the invoice.
    Proration {
        days_used: used,
        days_in_period: full,
    }
}

/// Days of `[start, end)` when every month has 30 days (Zuora's strict 30/360): a start on the
/// 31st counts as the 30th, and a last day that ends its month counts as the 30th (so 27–28
/// February is 4 days and all of February 30).
pub fn days_360(start: NaiveDate, end: NaiveDate) -> i64 {
    if end <= start {
        return 0;
    }
    let last = end.pred_opt().unwrap_or(end);
    let first_day = i64::from(start.day().min(30));
    let ends_month = last
        .succ_opt()
        .is_none_or(|next| next.month() != last.month());
    let last_day = if ends_month {
        30
    } else {
        i64::from(last.day().min(30))
    };
    let months = i64::from(last.year() - start.year()) * 12 + i64::from(last.month())
        - i64::from(start.month());
    months * 30 + last_day - first_day + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::periods::{periods, periods_from, Alignment};
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn after(text: &str) -> NaiveDate {
        day(text).succ_opt().unwrap()
    }

    #[test]
    fn thirty_day_months_count_as_zuoras_strict_30_360_table() {
        // Zuora, "When prorating a month, assume 30 days in a month or use actual days?": the
        // table of service periods and their ratios under "Assume 30 days – Strict 30/360".
        assert_eq!(days_360(day("2021-01-27"), after("2021-01-31")), 4);
        assert_eq!(days_360(day("2021-02-27"), after("2021-02-28")), 4);
        assert_eq!(days_360(day("2020-02-01"), after("2020-02-29")), 30);
        assert_eq!(days_360(day("2021-04-21"), after("2021-04-29")), 9);
        // Whole months and a year.
        assert_eq!(days_360(day("2027-03-16"), day("2028-01-01")), 285);
        assert_eq!(days_360(day("2027-01-01"), day("2028-01-01")), 360);
        assert_eq!(days_360(day("2027-03-31"), after("2027-03-31")), 1);
    }

    #[test]
    fn each_convention_prices_a_calendar_stub_its_own_way() {
        // A monthly line from 16 January on calendar periods: the stub is 16–31 January.
        let stub = periods(day("2027-01-16"), day("2027-04-01"), 1, Alignment::Calendar)[0];
        assert_eq!(stub.proration, Proration::of(16, 31));
        assert_eq!(
            ProrationConvention::ActualDays.period_share(&stub, 1),
            Proration::of(16, 31)
        );
        assert_eq!(
            ProrationConvention::ThirtyDayMonths.period_share(&stub, 1),
            Proration::of(15, 30)
        );
        assert_eq!(
            ProrationConvention::WholePeriods.period_share(&stub, 1),
            Proration::FULL
        );
        let note = ProrationConvention::WholePeriods
            .note(stub.proration, Proration::FULL, (stub.start, stub.end))
            .unwrap();
        assert_eq!(
            note,
            "Whole period charged for 2027-01-16 – 2027-01-31 (whole periods: no proration)"
        );
        assert_eq!(
            ProrationConvention::ThirtyDayMonths
                .note(
                    stub.proration,
                    Proration::of(15, 30),
                    (stub.start, stub.end)
                )
                .unwrap()
                .split(" (")
                .next(),
            Some("Prorated 15/30 days")
        );
        // An annual stub from 16 March: 9 whole months and 15 days of 30, of 360.
        let annual = periods_from(
            day("2027-01-01"),
            day("2027-03-16"),
            day("2028-01-01"),
            12,
            Alignment::Anniversary,
        )[0];
        assert_eq!(
            ProrationConvention::ThirtyDayMonths.period_share(&annual, 12),
            Proration::of(285, 360)
        );
    }

    #[test]
    fn a_change_mid_period_bills_or_credits_by_the_convention() {
        let march = periods(
            day("2027-01-01"),
            day("2028-01-01"),
            1,
            Alignment::Anniversary,
        )[2];
        let on = day("2027-03-16");
        assert_eq!(
            ProrationConvention::ActualDays.remaining_share(&march, on, 1, true),
            Some(Proration::of(16, 31))
        );
        assert_eq!(
            ProrationConvention::ThirtyDayMonths.remaining_share(&march, on, 1, true),
            Some(Proration::of(15, 30))
        );
        assert_eq!(
            ProrationConvention::WholePeriods.remaining_share(&march, on, 1, true),
            None
        );
        // From the period's first day nothing of it was used: credited whole.
        assert_eq!(
            ProrationConvention::WholePeriods.remaining_share(&march, march.start, 1, true),
            Some(Proration::FULL)
        );
        assert_eq!(
            ProrationConvention::WholePeriods.remaining_share(&march, on, 1, false),
            Some(Proration::FULL)
        );
    }

    #[test]
    fn conventions_read_back_from_their_stored_names() {
        for convention in ProrationConvention::ALL {
            assert_eq!(
                ProrationConvention::parse(convention.as_str()),
                Some(convention)
            );
        }
        assert_eq!(ProrationConvention::parse("daily"), None);
    }

    #[test]
    fn a_period_anchored_on_the_31st_splits_into_parts_that_make_thirty() {
        // Billed on the 31st: the period 31 January – 27 February. A change on 1 February has
        // used one day (31 January counts as the 30th) and leaves 29 of 30.
        let all = periods_from(
            day("2027-01-31"),
            day("2027-01-31"),
            day("2027-06-01"),
            1,
            Alignment::Anniversary,
        );
        let january = all[0];
        assert_eq!(january.end, day("2027-02-28"));
        let convention = ProrationConvention::ThirtyDayMonths;
        assert_eq!(
            convention.remaining_share(&january, day("2027-02-01"), 1, true),
            Some(Proration {
                days_used: 29,
                days_in_period: 30
            })
        );
        assert_eq!(
            convention.remaining_share(&january, january.start, 1, true),
            Some(Proration {
                days_used: 30,
                days_in_period: 30
            })
        );
    }

    proptest! {
        /// A part of a month never counts more than the month nor less than a day, and the
        /// parts of a month either side of any day make the whole month.
        #[test]
        fn thirty_day_parts_of_a_month_add_up_to_thirty(offset in 0i64..3650, cut in 1i64..28) {
            let start = day("2020-01-01") + chrono::Days::new(u64::try_from(offset).unwrap());
            let first = start.with_day(1).unwrap();
            let next = crate::periods::add_months(first, 1);
            let split = first + chrono::Days::new(u64::try_from(cut).unwrap());
            let before = days_360(first, split);
            let rest = days_360(split, next);
            prop_assert!(before >= 1 && rest >= 1);
            prop_assert_eq!(before + rest, 30);
            prop_assert_eq!(days_360(first, next), 30);
        }

        /// For a period anchored on any day (the 28th–31st included), what a change on any day
        /// of it credits and what was used before it make the whole 30 days.
        #[test]
        fn thirty_day_parts_of_any_period_make_the_whole(offset in 0i64..3650, anchor_day in 1u32..=31, cut in 0i64..31) {
            let base = day("2020-01-01") + chrono::Days::new(u64::try_from(offset).unwrap());
            let anchor = crate::periods::billing_day_anchor(base, anchor_day);
            let all = periods_from(anchor, anchor, crate::periods::add_months(anchor, 3), 1, Alignment::Anniversary);
            for period in all {
                let on = (period.start + chrono::Days::new(u64::try_from(cut).unwrap())).min(period.end);
                let convention = ProrationConvention::ThirtyDayMonths;
                let rest = convention.remaining_share(&period, on, 1, true).unwrap();
                let used = thirty_day_share(&period, period.start, on, 1);
                prop_assert_eq!(rest.days_used + used.days_used, 30, "{:?} from {}", period, on);
                prop_assert!(rest.days_used >= 0 && used.days_used >= 0);
            }
        }
    }
}
