//! Recurring revenue rules (DOMAIN "Recurring revenue metrics"): a line's monthly value on a
//! date, a customer's MRR, and how a customer's MRR moved between two dates. Pure: the
//! dashboard, the movement report and the renewal pipeline all read these.

use crate::billing::schedule::{months, LineTerms};
use crate::deals::ContractLineKind;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// A line's monthly recurring value on `on`, in minor units and unrounded: the quantity in
/// force times the period price over the months in a period, while the line is in service
/// (`start <= on < service end`), net of a discount covering the period `on` falls in — so a
/// discount ending is an expansion. One-time, milestone, T&M and usage lines have none.
pub fn line_mrr(terms: &LineTerms, on: chrono::NaiveDate) -> Decimal {
    let gross = gross_mrr(terms, on);
    match (&terms.discount, months(terms.frequency)) {
        (Some(discount), Some(months)) if !gross.is_zero() => {
            let periods = terms.periods();
            let covered = periods
                .iter()
                .find(|period| period.contains(on))
                .is_some_and(|period| discount.covers(&periods, period.start));
            if covered {
                discount.net_monthly(gross, months)
            } else {
                gross
            }
        }
        _ => gross,
    }
}

/// The line's monthly value on `on` before any discount.
fn gross_mrr(terms: &LineTerms, on: chrono::NaiveDate) -> Decimal {
    if terms.kind != ContractLineKind::Subscription {
        return Decimal::ZERO;
    }
    let Some(months) = months(terms.frequency) else {
        return Decimal::ZERO;
    };
    if on < terms.start {
        return Decimal::ZERO;
    }
    let value = |quantity: Decimal| {
        quantity * Decimal::from(terms.unit_price.minor()) / Decimal::from(months)
    };
    if terms.changes.is_empty() {
        // Most lines never change: the term alone decides.
        return if on <= terms.end {
            value(terms.quantity)
        } else {
            Decimal::ZERO
        };
    }
    if on >= terms.service_end() {
        return Decimal::ZERO;
    }
    value(terms.quantity_on(on))
}

/// Rounds a sum of unrounded monthly values to the minor unit, half away from zero.
pub fn round_minor(value: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    value
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0)
}

/// How one customer's MRR moved from the start of a window to its end.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, async_graphql::Enum,
)]
pub enum MovementKind {
    /// From nothing, and never had MRR before.
    New,
    /// From nothing, having had MRR before.
    Reactivation,
    Expansion,
    /// Down, still above nothing.
    Contraction,
    /// To nothing.
    Churn,
}

impl MovementKind {
    pub const ALL: [MovementKind; 5] = [
        MovementKind::New,
        MovementKind::Reactivation,
        MovementKind::Expansion,
        MovementKind::Contraction,
        MovementKind::Churn,
    ];

    pub fn label(&self) -> &'static str {
        match self {
            MovementKind::New => "New",
            MovementKind::Reactivation => "Reactivation",
            MovementKind::Expansion => "Expansion",
            MovementKind::Contraction => "Contraction",
            MovementKind::Churn => "Churn",
        }
    }
}

/// The movement of a customer from `before` to `after` (both ≥ 0), or `None` when unchanged.
/// `had_before` says whether the customer had MRR at any time before the window.
pub fn classify(before: i64, after: i64, had_before: bool) -> Option<MovementKind> {
    match (before, after) {
        (b, a) if b == a => None,
        (0, _) if had_before => Some(MovementKind::Reactivation),
        (0, _) => Some(MovementKind::New),
        (_, 0) => Some(MovementKind::Churn),
        (b, a) if a > b => Some(MovementKind::Expansion),
        _ => Some(MovementKind::Contraction),
    }
}

/// The movement totals of a window: each kind as a positive amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Movements {
    pub opening: i64,
    pub new: i64,
    pub reactivation: i64,
    pub expansion: i64,
    pub contraction: i64,
    pub churn: i64,
    pub closing: i64,
}

impl Movements {
    /// Adds one customer moving from `before` to `after`.
    pub fn add(&mut self, before: i64, after: i64, had_before: bool) -> Option<MovementKind> {
        self.opening += before;
        self.closing += after;
        let kind = classify(before, after, had_before)?;
        let change = (after - before).abs();
        match kind {
            MovementKind::New => self.new += change,
            MovementKind::Reactivation => self.reactivation += change,
            MovementKind::Expansion => self.expansion += change,
            MovementKind::Contraction => self.contraction += change,
            MovementKind::Churn => self.churn += change,
        }
        Some(kind)
    }

    pub fn amount(&self, kind: MovementKind) -> i64 {
        match kind {
            MovementKind::New => self.new,
            MovementKind::Reactivation => self.reactivation,
            MovementKind::Expansion => self.expansion,
            MovementKind::Contraction => self.contraction,
            MovementKind::Churn => self.churn,
        }
    }

    /// New + reactivation + expansion − contraction − churn; always closing − opening.
    pub fn net(&self) -> i64 {
        self.new + self.reactivation + self.expansion - self.contraction - self.churn
    }

    /// The net change over the opening MRR, in percent to two places; `None` from nothing.
    pub fn net_percent(&self) -> Option<Decimal> {
        (self.opening != 0).then(|| percent_of(self.net(), self.opening))
    }
}

/// `part` as a percent of `whole`, always with two places ("0.00" when the whole is 0).
pub fn percent_of(part: i64, whole: i64) -> Decimal {
    if whole == 0 {
        return Decimal::new(0, 2);
    }
    let mut percent = (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    percent.rescale(2);
    percent
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::periods::Alignment;
    use crate::billing::schedule::{ChangeKind, LineChange};
    use crate::deals::BillingFrequency;
    use crate::money::{Currency, Money};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    fn terms(frequency: BillingFrequency, price: i64, quantity: i64) -> LineTerms {
        LineTerms {
            anchor: None,
            replaced_by: None,
            kind: ContractLineKind::Subscription,
            product: "Platform".into(),
            quantity: Decimal::from(quantity),
            unit_price: Money::from_minor(price, Currency::USD),
            frequency: Some(frequency),
            alignment: Alignment::Anniversary,
            start: day("2026-01-01"),
            end: day("2026-12-31"),
            delivered_on: None,
            accepted_on: None,
            changes: Vec::new(),
            billed_through: None,
            discount: None,
            proration: Default::default(),
            in_arrears: false,
        }
    }

    /// 10 seats at 100.00 a month with 20% off the first three months: MRR 800.00 until the
    /// end of March, 1,000.00 from April (the 200.00 step an expansion in the movement report).
    #[test]
    fn mrr_is_net_of_the_discount_in_force() {
        let mut line = terms(BillingFrequency::Monthly, 10_000, 10);
        line.discount = Some(crate::billing::discount::LineDiscount {
            off: crate::billing::discount::Off::Percent(Decimal::from(20)),
            periods: Some(3),
            from: None,
            label: "Launch discount".into(),
            coupon: None,
        });
        assert_eq!(line_mrr(&line, day("2026-01-01")), Decimal::from(80_000));
        assert_eq!(line_mrr(&line, day("2026-03-31")), Decimal::from(80_000));
        assert_eq!(line_mrr(&line, day("2026-04-01")), Decimal::from(100_000));
        assert_eq!(line_mrr(&line, day("2027-01-01")), Decimal::ZERO);
    }

    #[test]
    fn annual_and_quarterly_prices_are_normalised_to_a_month_while_in_service() {
        // Proves DOMAIN's normalisation (annual / 12, quarterly / 3) and the half-open term.
        let annual = terms(BillingFrequency::Annually, 1_200_000, 1);
        assert_eq!(line_mrr(&annual, day("2026-06-15")), Decimal::from(100_000));
        assert_eq!(line_mrr(&annual, day("2025-12-31")), Decimal::ZERO);
        assert_eq!(line_mrr(&annual, day("2026-12-31")), Decimal::from(100_000));
        assert_eq!(line_mrr(&annual, day("2027-01-01")), Decimal::ZERO);
        let quarterly = terms(BillingFrequency::Quarterly, 1_000, 2);
        assert_eq!(round_minor(line_mrr(&quarterly, day("2026-03-01"))), 667);
    }

    #[test]
    fn seat_changes_and_cancellations_move_the_value_from_their_date() {
        // Proves the quantity in force and a cancellation are read as billing reads them.
        let mut line = terms(BillingFrequency::Monthly, 10_000, 10);
        line.quantity = Decimal::from(15);
        line.changes = vec![
            LineChange {
                id: 1,
                kind: ChangeKind::Quantity,
                effective: day("2026-04-10"),
                old_quantity: Decimal::from(10),
                new_quantity: Decimal::from(15),
            },
            LineChange {
                id: 2,
                kind: ChangeKind::Cancellation,
                effective: day("2026-09-01"),
                old_quantity: Decimal::from(15),
                new_quantity: Decimal::ZERO,
            },
        ];
        assert_eq!(line_mrr(&line, day("2026-04-09")), Decimal::from(100_000));
        assert_eq!(line_mrr(&line, day("2026-04-10")), Decimal::from(150_000));
        assert_eq!(line_mrr(&line, day("2026-08-31")), Decimal::from(150_000));
        assert_eq!(line_mrr(&line, day("2026-09-01")), Decimal::ZERO);
    }

    #[test]
    fn one_time_and_usage_lines_carry_no_mrr() {
        let mut line = terms(BillingFrequency::Monthly, 10_000, 1);
        line.kind = ContractLineKind::Usage;
        assert_eq!(line_mrr(&line, day("2026-03-01")), Decimal::ZERO);
        line.kind = ContractLineKind::Subscription;
        line.frequency = Some(BillingFrequency::Milestone);
        assert_eq!(line_mrr(&line, day("2026-03-01")), Decimal::ZERO);
    }

    #[test]
    fn each_movement_kind_follows_the_definition() {
        assert_eq!(classify(0, 500, false), Some(MovementKind::New));
        assert_eq!(classify(0, 500, true), Some(MovementKind::Reactivation));
        assert_eq!(classify(500, 700, true), Some(MovementKind::Expansion));
        assert_eq!(classify(700, 500, true), Some(MovementKind::Contraction));
        assert_eq!(classify(700, 0, true), Some(MovementKind::Churn));
        assert_eq!(classify(700, 700, true), None);
        let mut totals = Movements::default();
        totals.add(1_000, 1_500, true);
        totals.add(2_000, 0, true);
        totals.add(0, 400, false);
        assert_eq!(totals.net(), -1_100);
        assert_eq!(totals.net_percent(), Some(Decimal::new(-3_667, 2)));
        assert_eq!(percent_of(1, 3), Decimal::new(3333, 2));
        assert_eq!(percent_of(1, 0), Decimal::ZERO);
    }

    proptest! {
        #[test]
        fn opening_plus_net_is_always_closing(pairs in proptest::collection::vec((0i64..1_000_000, 0i64..1_000_000, any::<bool>()), 0..50)) {
            // Proves the MRR bridge always closes: opening + new + reactivation + expansion
            // − contraction − churn = closing, whatever the customers do.
            let mut totals = Movements::default();
            for (before, after, had) in pairs {
                totals.add(before, after, had);
            }
            prop_assert_eq!(totals.opening + totals.net(), totals.closing);
            for kind in MovementKind::ALL {
                prop_assert!(totals.amount(kind) >= 0);
            }
        }
    }
}
