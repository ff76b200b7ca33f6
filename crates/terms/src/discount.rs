//! A recurring discount on a subscription line: a percent or an amount off each period's charge,
//! for a number of periods or for as long as the line runs. Pure.
//!
//! How it reads on an invoice and in the books (the way Chargebee, Stripe Billing and Zuora show
//! it): each discounted period bills its full price and, beside it, a discount line of its own —
//! so the customer sees list price, what came off and why. A mid-period change (seats, a
//! cancellation) in a discounted period is priced net of a percent discount, and a cancellation
//! gives back only the unused part of what the period cost after an amount off. MRR counts a
//! line net of the discount in force on the day (DOMAIN "Recurring revenue metrics"), so a
//! discount ending is an expansion; revenue allocates the discounted transaction price
//! (ASC 606-10-32-2: the consideration the company expects, after price concessions), spread
//! over the whole term rather than booked in the periods the discount falls in.

use crate::money::{Money, MoneyError};
use crate::periods::{prorate, BillingPeriod, Proration};
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// The longest label a discount can carry on an invoice line.
pub const MAX_LABEL: usize = 80;

/// What comes off each discounted period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "value")]
pub enum Off {
    /// Percent of the period's charge, above 0 and at most 100.
    Percent(Decimal),
    /// An amount off a whole period, in minor units of the line's currency; a part period gets
    /// the same share of it as of the price, and never more than the period's charge.
    Amount(i64),
}

/// A recurring discount as a contract line (and a deal line) keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineDiscount {
    pub off: Off,
    /// How many periods it lasts, counted from the first period that starts on or after `from`;
    /// `None`: every period of the line.
    pub periods: Option<u32>,
    /// The first day a discounted period may start on; `None`: the line's start.
    pub from: Option<NaiveDate>,
    /// What the invoice calls it: "Launch discount", "Spring offer (SPRING20)".
    pub label: String,
    /// The coupon code it came from, counted as redeemed when the deal is approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
}

impl LineDiscount {
    /// Whether the period starting on `start`, one of `periods` (the line's, in order), is
    /// discounted.
    pub fn covers(&self, periods: &[BillingPeriod], start: NaiveDate) -> bool {
        let from = self.from.unwrap_or(NaiveDate::MIN);
        if start < from {
            return false;
        }
        match self.periods {
            None => true,
            Some(count) => periods
                .iter()
                .filter(|period| period.start >= from)
                .take(count as usize)
                .any(|period| period.start == start),
        }
    }

    /// What comes off a charge of `gross` for a period billed `proration` of: a percent of it
    /// (rounded half away from zero), or the amount off prorated like the period, at most the
    /// charge. Positive, or zero when nothing comes off; a negative charge (a credit) gets the
    /// percent of it, negative.
    pub fn off(&self, gross: Money, proration: Proration) -> Result<Money, MoneyError> {
        match self.off {
            Off::Percent(percent) => gross.checked_mul_decimal(
                percent / Decimal::ONE_HUNDRED,
                RoundingStrategy::MidpointAwayFromZero,
            ),
            Off::Amount(minor) => {
                let whole = Money::from_minor(minor, gross.currency());
                let share = prorate(whole, Decimal::ONE, proration)?;
                Ok(if gross.is_negative() {
                    Money::zero(gross.currency())
                } else {
                    Money::from_minor(share.minor().min(gross.minor()), gross.currency())
                })
            }
        }
    }

    /// The discount in words, for the contract page and the invoice line's note:
    /// "20% off, 3 periods from 2027-01-01" or "USD 50.00 off every period".
    pub fn describe(&self, currency: crate::money::Currency) -> String {
        let off = match self.off {
            Off::Percent(percent) => format!("{}% off", percent.normalize()),
            Off::Amount(minor) => format!("{} off", Money::from_minor(minor, currency)),
        };
        let how_long = match self.periods {
            None => "every period".to_string(),
            Some(1) => "1 period".to_string(),
            Some(count) => format!("{count} periods"),
        };
        match self.from {
            Some(from) => format!("{off}, {how_long} from {from}"),
            None => format!("{off}, {how_long}"),
        }
    }

    /// The part of a monthly value (minor units, unrounded) left after the discount: MRR net
    /// of it. `months` is the months in one of the line's periods.
    pub fn net_monthly(&self, monthly: Decimal, months: u32) -> Decimal {
        match self.off {
            Off::Percent(percent) => {
                monthly * (Decimal::ONE_HUNDRED - percent) / Decimal::ONE_HUNDRED
            }
            Off::Amount(minor) => {
                (monthly - Decimal::from(minor) / Decimal::from(months.max(1))).max(Decimal::ZERO)
            }
        }
    }
}

/// Checks a discount's figures, naming `field` and its part (`percent`, `amount`, `periods`,
/// `label`) as the error's field.
pub fn validate(discount: &LineDiscount) -> Result<(), (&'static str, String)> {
    match discount.off {
        Off::Percent(percent) if percent <= Decimal::ZERO || percent > Decimal::ONE_HUNDRED => {
            return Err((
                "percent",
                format!(
                    "A percent off is above 0 and at most 100; {} is not.",
                    percent.normalize()
                ),
            ))
        }
        Off::Percent(percent) if percent.scale() > 4 => {
            return Err((
                "percent",
                "Give the percent with at most four decimals.".into(),
            ))
        }
        Off::Amount(minor) if minor <= 0 => {
            return Err(("amount", "An amount off is more than zero.".into()))
        }
        _ => {}
    }
    if discount.periods == Some(0) {
        return Err((
            "periods",
            "A discount lasts at least one period; leave it empty for every period.".into(),
        ));
    }
    if discount.label.trim().is_empty() {
        return Err((
            "label",
            "Say what the discount is; the invoice shows it.".into(),
        ));
    }
    if discount.label.chars().count() > MAX_LABEL {
        return Err(("label", format!("At most {MAX_LABEL} characters.")));
    }
    Ok(())
}

#[cfg(test)]
// Amounts in minor units are written dollars_cents (1_000_00 = 1,000.00) so they read as money.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::periods::{periods, Alignment};
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    fn percent(value: i64, count: Option<u32>) -> LineDiscount {
        LineDiscount {
            off: Off::Percent(Decimal::from(value)),
            periods: count,
            from: None,
            label: "Launch discount".into(),
            coupon: None,
        }
    }

    #[test]
    fn three_periods_from_the_start_and_none_after() {
        let months = periods(
            day("2027-01-01"),
            day("2028-01-01"),
            1,
            Alignment::Anniversary,
        );
        let discount = percent(20, Some(3));
        let covered: Vec<bool> = months
            .iter()
            .map(|period| discount.covers(&months, period.start))
            .collect();
        assert_eq!(covered.iter().filter(|covered| **covered).count(), 3);
        assert!(covered[0] && covered[1] && covered[2] && !covered[3]);
    }

    #[test]
    fn counted_from_its_own_first_day() {
        let months = periods(
            day("2027-01-01"),
            day("2028-01-01"),
            1,
            Alignment::Anniversary,
        );
        let discount = LineDiscount {
            from: Some(day("2027-05-15")),
            ..percent(10, Some(2))
        };
        let covered: Vec<NaiveDate> = months
            .iter()
            .filter(|period| discount.covers(&months, period.start))
            .map(|period| period.start)
            .collect();
        assert_eq!(covered, vec![day("2027-06-01"), day("2027-07-01")]);
    }

    #[test]
    fn percent_rounds_half_away_from_zero_and_amount_prorates_within_the_charge() {
        assert_eq!(
            percent(20, None)
                .off(usd(1_000_00), Proration::FULL)
                .unwrap(),
            usd(200_00)
        );
        // 12.5% of 0.20 = 0.025 → 0.03.
        let eighth = LineDiscount {
            off: Off::Percent("12.5".parse().unwrap()),
            ..percent(0, None)
        };
        assert_eq!(eighth.off(usd(20), Proration::FULL).unwrap(), usd(3));
        let fifty = LineDiscount {
            off: Off::Amount(50_00),
            ..percent(0, None)
        };
        // Half of June: 15/30 of 50.00.
        assert_eq!(
            fifty.off(usd(500_00), Proration::of(15, 30)).unwrap(),
            usd(25_00)
        );
        // Never more than the charge.
        assert_eq!(fifty.off(usd(30_00), Proration::FULL).unwrap(), usd(30_00));
        // A credit keeps none of an amount off, and a percent of it.
        assert_eq!(fifty.off(usd(-30_00), Proration::FULL).unwrap(), usd(0));
        assert_eq!(
            percent(20, None)
                .off(usd(-500_00), Proration::FULL)
                .unwrap(),
            usd(-100_00)
        );
    }

    #[test]
    fn monthly_value_net_of_the_discount() {
        assert_eq!(
            percent(20, None).net_monthly(Decimal::from(1_000_00), 1),
            Decimal::from(800_00)
        );
        let quarterly = LineDiscount {
            off: Off::Amount(300_00),
            ..percent(0, None)
        };
        // 300.00 off a quarter is 100.00 a month.
        assert_eq!(
            quarterly.net_monthly(Decimal::from(1_000_00), 3),
            Decimal::from(900_00)
        );
        assert_eq!(
            quarterly.net_monthly(Decimal::from(50_00), 3),
            Decimal::ZERO
        );
    }

    #[test]
    fn bad_figures_are_named() {
        assert_eq!(validate(&percent(0, None)).unwrap_err().0, "percent");
        assert_eq!(validate(&percent(101, None)).unwrap_err().0, "percent");
        assert!(validate(&percent(100, None)).is_ok());
        assert_eq!(validate(&percent(20, Some(0))).unwrap_err().0, "periods");
        let unnamed = LineDiscount {
            label: " ".into(),
            ..percent(20, None)
        };
        assert_eq!(validate(&unnamed).unwrap_err().0, "label");
        let free = LineDiscount {
            off: Off::Amount(0),
            ..percent(0, None)
        };
        assert_eq!(validate(&free).unwrap_err().0, "amount");
    }

    #[test]
    fn described_for_people() {
        assert_eq!(
            percent(20, Some(3)).describe(Currency::USD),
            "20% off, 3 periods"
        );
        let amount = LineDiscount {
            off: Off::Amount(50_00),
            from: Some(day("2027-03-01")),
            ..percent(0, None)
        };
        assert_eq!(
            amount.describe(Currency::USD),
            "USD 50.00 off, every period from 2027-03-01"
        );
    }

    proptest! {
        /// What comes off a period never exceeds its charge, and is never negative for a charge.
        #[test]
        fn never_more_than_the_charge(gross in 0i64..100_000_000, percent_bp in 1i64..=10_000, amount in 1i64..100_000_000, used in 1i64..=31) {
            let by_percent = LineDiscount { off: Off::Percent(Decimal::new(percent_bp, 2)), periods: None, from: None, label: "x".into(), coupon: None };
            let by_amount = LineDiscount { off: Off::Amount(amount), ..by_percent.clone() };
            for discount in [by_percent, by_amount] {
                let off = discount.off(usd(gross), Proration::of(used, 31)).unwrap();
                prop_assert!(off.minor() >= 0);
                prop_assert!(off.minor() <= gross);
            }
        }
    }
}
