//! What a contract line owes and when: recurring periods with the quantity in force, mid-term
//! change adjustments, and the one-time charges of delivered licences and accepted milestones.
//! Pure: the bill run, the preview and the billing schedule page all read these.

use crate::charge::ChargeKind;
use crate::discount::{LineDiscount, Off};
use crate::kinds::{BillingFrequency, ContractLineKind};
use crate::money::{Money, MoneyError};
use crate::periods::{self, prorate, Alignment, BillingPeriod, Proration};
use crate::proration::ProrationConvention;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum ChangeKind {
    /// Seats (quantity) up or down from the effective date.
    Quantity,
    /// Service ends on the effective date; unused prepaid time is credited.
    Cancellation,
}

impl ChangeKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeKind::Quantity => "quantity",
            ChangeKind::Cancellation => "cancellation",
        }
    }

    pub fn parse(text: &str) -> Option<ChangeKind> {
        [ChangeKind::Quantity, ChangeKind::Cancellation]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// A recorded mid-term change of a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineChange {
    pub id: i64,
    pub kind: ChangeKind,
    pub effective: NaiveDate,
    pub old_quantity: Decimal,
    pub new_quantity: Decimal,
}

/// The billing terms of one contract line, as the rules need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineTerms {
    pub kind: ContractLineKind,
    pub product: String,
    /// The quantity in force now (after every change).
    pub quantity: Decimal,
    pub unit_price: Money,
    pub frequency: Option<BillingFrequency>,
    pub alignment: Alignment,
    pub start: NaiveDate,
    /// Last service day (inclusive, as contracts are written).
    pub end: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub changes: Vec<LineChange>,
    /// A line brought over at cut-over: the last service day the old system already invoiced.
    /// Periods starting on or before it are never billed here.
    pub billed_through: Option<NaiveDate>,
    /// A recurring discount on a subscription line (`discount`).
    pub discount: Option<LineDiscount>,
    /// The day anniversary periods are counted from when it is not `start`: a line that
    /// replaced another mid-period keeps the old line's, so its first period is the stub to the
    /// old period's end.
    pub anchor: Option<NaiveDate>,
    /// The product of the line that took over from this one in a plan change: its cancellation
    /// credit says so.
    pub replaced_by: Option<String>,
    /// What a part of a period costs: the contract's proration convention.
    pub proration: ProrationConvention,
    /// Billed in arrears: each period (and a change within it) on the day after it ends.
    pub in_arrears: bool,
}

/// One thing to bill: the unique key per line is what makes billing exactly-once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueCharge {
    pub key: String,
    pub kind: ChargeKind,
    pub description: String,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub quantity: Decimal,
    pub unit_price: Money,
    pub amount: Money,
    pub note: Option<String>,
    pub due_on: NaiveDate,
}

/// Months in one billing period of a recurring frequency; `None` for milestone and T&M.
pub fn months(frequency: Option<BillingFrequency>) -> Option<u32> {
    match frequency? {
        BillingFrequency::Monthly => Some(1),
        BillingFrequency::Quarterly => Some(3),
        BillingFrequency::Annually => Some(12),
        BillingFrequency::Milestone | BillingFrequency::TimeAndMaterials => None,
    }
}

impl LineTerms {
    /// The day service stops (exclusive): the contract end, or an earlier cancellation.
    pub fn service_end(&self) -> NaiveDate {
        let contract_end = self.end.succ_opt().unwrap_or(self.end);
        self.changes
            .iter()
            .filter(|change| change.kind == ChangeKind::Cancellation)
            .map(|change| change.effective)
            .min()
            .map_or(contract_end, |cancelled| cancelled.min(contract_end))
    }

    /// Every recurring period of the contract term, before any cancellation.
    pub fn periods(&self) -> Vec<BillingPeriod> {
        match months(self.frequency) {
            Some(months) if self.kind == ContractLineKind::Subscription => periods::periods_from(
                self.anchor.unwrap_or(self.start),
                self.start,
                self.end.succ_opt().unwrap_or(self.end),
                months,
                self.alignment,
            ),
            _ => Vec::new(),
        }
    }

    /// The quantity in force on `date`: the old quantity of the first change after it, or the
    /// current quantity when no change comes later.
    pub fn quantity_on(&self, date: NaiveDate) -> Decimal {
        let mut later: Vec<&LineChange> = self
            .changes
            .iter()
            .filter(|change| change.kind == ChangeKind::Quantity && change.effective > date)
            .collect();
        later.sort_by_key(|change| (change.effective, change.id));
        later
            .first()
            .map_or(self.quantity, |change| change.old_quantity)
    }

    /// When a charge for `period` falls due: on `in_advance` (its first day, or a change's date),
    /// or on the day after the period ends when the line is billed in arrears.
    pub fn due_on(&self, period: &BillingPeriod, in_advance: NaiveDate) -> NaiveDate {
        if self.in_arrears {
            period.end
        } else {
            in_advance
        }
    }

    /// A period charge's note, saying so when the line is billed in arrears.
    fn in_arrears_note(&self, note: Option<String>) -> Option<String> {
        if !self.in_arrears {
            return note;
        }
        let arrears = "Billed in arrears, after the period";
        Some(match note {
            Some(note) => format!("{note}; {arrears}"),
            None => arrears.to_string(),
        })
    }

    /// The share of a full period's price `period` costs under the line's convention.
    pub fn period_share(&self, period: &BillingPeriod) -> Proration {
        self.proration
            .period_share(period, months(self.frequency).unwrap_or(1))
    }

    /// The charge for one recurring period: due on its first day, or on the day after it ends
    /// when the line is billed in arrears.
    pub fn period_charge(&self, period: &BillingPeriod) -> Result<DueCharge, MoneyError> {
        let quantity = self.quantity_on(period.start);
        let share = self.period_share(period);
        Ok(DueCharge {
            key: format!("period:{}", period.start),
            kind: ChargeKind::Subscription,
            description: format!("{} ({})", self.product, period.label()),
            period: Some((period.start, period.end)),
            quantity,
            unit_price: self.unit_price,
            amount: prorate(self.unit_price, quantity, share)?,
            note: self.in_arrears_note(self.proration.note(
                period.proration,
                share,
                (period.start, period.end),
            )),
            due_on: self.due_on(period, period.start),
        })
    }

    /// The discount line beside a period's charge when the line's discount covers the period:
    /// what comes off, negative, with how it was worked out.
    pub fn period_discount(
        &self,
        period: &BillingPeriod,
        charge: &DueCharge,
    ) -> Result<Option<DueCharge>, MoneyError> {
        let Some(discount) = &self.discount else {
            return Ok(None);
        };
        if !discount.covers(&self.periods(), period.start) {
            return Ok(None);
        }
        let share = self.period_share(period);
        let off = discount.off(charge.amount, share)?;
        if off.is_zero() {
            return Ok(None);
        }
        let how = match discount.off {
            Off::Percent(percent) => format!(
                "{}% of {}, rounded half away from zero",
                percent.normalize(),
                charge.amount.grouped_amount()
            ),
            Off::Amount(minor) if share.is_full() => format!(
                "{} off the period",
                Money::from_minor(minor, charge.amount.currency())
            ),
            Off::Amount(minor) => format!(
                "{} off a whole period × {}/{} days",
                Money::from_minor(minor, charge.amount.currency()),
                share.days_used,
                share.days_in_period
            ),
        };
        let negative = off.checked_neg()?;
        Ok(Some(DueCharge {
            key: format!("discount:{}", period.start),
            kind: ChargeKind::Discount,
            description: format!("{}: {} ({})", self.product, discount.label, period.label()),
            period: charge.period,
            quantity: Decimal::ONE,
            unit_price: negative,
            amount: negative,
            note: Some(how),
            due_on: charge.due_on,
        }))
    }

    /// A period's charge and, when the line's discount covers the period, its discount line.
    pub fn period_charges(&self, period: &BillingPeriod) -> Result<Vec<DueCharge>, MoneyError> {
        let charge = self.period_charge(period)?;
        let discount = self.period_discount(period, &charge)?;
        Ok(std::iter::once(charge).chain(discount).collect())
    }

    /// Recurring charges (with their discount lines) due on or before `as_of` that start after
    /// `after` (the last period already charged) and after what the old system billed, stopping
    /// at a cancellation.
    pub fn recurring_due(
        &self,
        as_of: NaiveDate,
        after: Option<NaiveDate>,
    ) -> Result<Vec<DueCharge>, MoneyError> {
        let stop = self.service_end();
        let mut due = Vec::new();
        for period in self
            .periods()
            .iter()
            .filter(|period| self.due_on(period, period.start) <= as_of && period.start < stop)
            .filter(|period| after.is_none_or(|last| period.start > last))
            .filter(|period| {
                self.billed_through
                    .is_none_or(|billed| period.start > billed)
            })
        {
            due.extend(self.period_charges(period)?);
        }
        Ok(due)
    }

    /// Whether a change takes effect on the first day of one of the line's periods. That
    /// period's own charge already reflects it (the quantity in force on its first day; a
    /// cancellation stops the period being billed), unless the period was billed before the
    /// change was recorded.
    pub fn starts_period(&self, change: &LineChange) -> bool {
        self.periods()
            .iter()
            .any(|period| period.start == change.effective)
    }

    /// The prorated difference a change bills (seats up) or credits (seats down, cancellation)
    /// for the period it falls in, from its effective date to the period's end.
    pub fn change_charge(&self, change: &LineChange) -> Result<Option<DueCharge>, MoneyError> {
        let all = self.periods();
        let Some(period) = all.iter().find(|period| period.contains(change.effective)) else {
            return Ok(None);
        };
        let (delta, what) = match change.kind {
            ChangeKind::Quantity => (
                change.new_quantity - change.old_quantity,
                format!(
                    "quantity {} → {} from {}",
                    change.old_quantity.normalize(),
                    change.new_quantity.normalize(),
                    change.effective
                ),
            ),
            ChangeKind::Cancellation => (
                -self.quantity_on(change.effective),
                match &self.replaced_by {
                    Some(plan) => format!(
                        "changed to {plan} from {}, unused time credited",
                        change.effective
                    ),
                    None => format!("cancelled from {}, unused time credited", change.effective),
                },
            ),
        };
        if delta.is_zero() {
            return Ok(None);
        }
        // Whole periods credit nothing back: the period was charged whole once started.
        let Some(proration) = self.proration.remaining_share(
            period,
            change.effective,
            months(self.frequency).unwrap_or(1),
            delta.is_sign_negative(),
        ) else {
            return Ok(None);
        };
        let gross = prorate(self.unit_price, delta, proration)?;
        let (amount, less) = self.net_of_discount(change.kind, period, gross, proration)?;
        let how = match self.proration {
            // A credit here is for a period given back from its first day (nothing of it used).
            ProrationConvention::WholePeriods if delta.is_sign_negative() => format!(
                "Whole period credited from {} of {} (whole periods: no proration)",
                change.effective.max(period.start),
                period.label()
            ),
            ProrationConvention::WholePeriods => format!(
                "Whole period charged from {} of {} (whole periods: no proration)",
                change.effective.max(period.start),
                period.label()
            ),
            convention => {
                // Actual days collapse a whole period to 1/1; say its days instead.
                let days = if proration.is_full() && convention == ProrationConvention::ActualDays {
                    let length = periods::days_between(period.start, period.end);
                    format!("{length}/{length} days")
                } else {
                    format!("{}/{} days", proration.days_used, proration.days_in_period)
                };
                let rule = match convention {
                    ProrationConvention::ThirtyDayMonths => {
                        "30-day months: every month counts 30 days; "
                    }
                    _ => "",
                };
                format!(
                    "Prorated {days} of {} ({rule}amount × days used ÷ days in period, rounded half away from zero)",
                    period.label()
                )
            }
        };
        Ok(Some(DueCharge {
            key: format!("change:{}", change.id),
            kind: ChargeKind::Adjustment,
            description: format!("{}: {what}", self.product),
            period: Some((change.effective.max(period.start), period.end)),
            quantity: delta,
            unit_price: self.unit_price,
            amount,
            note: Some(format!("{how}{less}")),
            due_on: self.due_on(period, change.effective),
        }))
    }

    /// A change's prorated amount net of the discount covering its period, and the words saying
    /// so: a percent discount comes off seats added or given back alike; an amount off is the
    /// line's, not the seat's, so only a cancellation returns less by the unused part of it.
    fn net_of_discount(
        &self,
        kind: ChangeKind,
        period: &BillingPeriod,
        gross: Money,
        remaining: Proration,
    ) -> Result<(Money, String), MoneyError> {
        let Some(discount) = self
            .discount
            .as_ref()
            .filter(|discount| discount.covers(&self.periods(), period.start))
        else {
            return Ok((gross, String::new()));
        };
        let off = match (discount.off, kind) {
            (Off::Percent(_), _) => discount.off(gross, Proration::FULL)?,
            (Off::Amount(minor), ChangeKind::Cancellation) => {
                let unused = prorate(
                    Money::from_minor(minor, gross.currency()),
                    Decimal::ONE,
                    remaining,
                )?;
                // A credit, so what stays with us is negative; never past the credit itself.
                Money::from_minor(-(unused.minor().min(-gross.minor())), gross.currency())
            }
            (Off::Amount(_), ChangeKind::Quantity) => Money::zero(gross.currency()),
        };
        if off.is_zero() {
            return Ok((gross, String::new()));
        }
        let net = gross.checked_sub(off)?;
        Ok((
            net,
            format!(
                "; {} {} less {} for {} ({})",
                gross.grouped_amount(),
                if gross.is_negative() {
                    "credit"
                } else {
                    "charge"
                },
                off.grouped_amount().trim_start_matches('-'),
                discount.label,
                discount.describe(gross.currency())
            ),
        ))
    }

    /// The charge of one part of a licence delivered in parts: its units at the unit price, due
    /// on the day they were delivered.
    pub fn delivered_part(
        &self,
        part_id: i64,
        quantity: Decimal,
        on: NaiveDate,
    ) -> Result<DueCharge, MoneyError> {
        Ok(DueCharge {
            key: format!("delivery:{part_id}"),
            kind: ChargeKind::PerpetualLicense,
            description: format!(
                "{} ({} of {} delivered {on})",
                self.product,
                quantity.normalize(),
                self.quantity.normalize()
            ),
            period: None,
            quantity,
            unit_price: self.unit_price,
            amount: prorate(self.unit_price, quantity, Proration::FULL)?,
            note: None,
            due_on: on,
        })
    }

    /// The one-time charge of a delivered licence or an accepted milestone.
    pub fn one_time_due(&self, as_of: NaiveDate) -> Result<Option<DueCharge>, MoneyError> {
        let (kind, on, key, what) = match self.kind {
            ContractLineKind::PerpetualLicense => (
                ChargeKind::PerpetualLicense,
                self.delivered_on,
                "licence",
                "delivered",
            ),
            ContractLineKind::Milestone => (
                ChargeKind::Milestone,
                self.accepted_on,
                "milestone",
                "accepted",
            ),
            _ => return Ok(None),
        };
        let Some(on) = on.filter(|on| *on <= as_of) else {
            return Ok(None);
        };
        Ok(Some(DueCharge {
            key: key.to_string(),
            kind,
            description: format!("{} ({what} {on})", self.product),
            period: None,
            quantity: self.quantity,
            unit_price: self.unit_price,
            amount: prorate(self.unit_price, self.quantity, Proration::FULL)?,
            note: None,
            due_on: on,
        }))
    }
}

/// A credit (a negative charge) capped at `remaining_minor`, what its line still has billed and
/// not yet credited for the period, so credits never exceed what was billed (an earlier credit
/// memo on the line already gave part of it back). Charges pass unchanged; `None` when nothing is
/// left to credit.
pub fn cap_credit(charge: DueCharge, remaining_minor: i64) -> Option<DueCharge> {
    let credit = charge.amount.minor();
    if credit >= 0 {
        return Some(charge);
    }
    let remaining = remaining_minor.max(0);
    if remaining == 0 {
        return None;
    }
    if -credit <= remaining {
        return Some(charge);
    }
    let capped = Money::from_minor(-remaining, charge.amount.currency());
    let note = format!(
        "{}; capped at {} still billed and not credited on this line for the period",
        charge.note.as_deref().unwrap_or("Credit"),
        capped.amount_string().trim_start_matches('-')
    );
    Some(DueCharge {
        amount: capped,
        note: Some(note),
        ..charge
    })
}

#[cfg(test)]
// Amounts in minor units are written dollars_cents (1_400_00 = 1,400.00) so they read as money.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn seats(frequency: BillingFrequency, price_minor: i64, quantity: i64) -> LineTerms {
        LineTerms {
            anchor: None,
            replaced_by: None,
            kind: ContractLineKind::Subscription,
            product: "Platform seats".into(),
            quantity: Decimal::from(quantity),
            unit_price: Money::from_minor(price_minor, Currency::parse("USD").unwrap()),
            frequency: Some(frequency),
            alignment: Alignment::Anniversary,
            start: day("2026-01-01"),
            end: day("2026-12-31"),
            delivered_on: None,
            accepted_on: None,
            changes: vec![],
            billed_through: None,
            discount: None,
            proration: Default::default(),
            in_arrears: false,
        }
    }

    /// Whole periods (no proration): a cancellation from a period's first day gives the whole
    /// period back, saying so; from any later day it credits nothing.
    #[test]
    fn whole_periods_credit_only_a_period_given_back_from_its_first_day() {
        let mut line = seats(BillingFrequency::Monthly, 100_00, 10);
        line.proration = ProrationConvention::WholePeriods;
        line.changes = vec![LineChange {
            id: 1,
            kind: ChangeKind::Cancellation,
            effective: day("2026-03-01"),
            old_quantity: Decimal::from(10),
            new_quantity: Decimal::ZERO,
        }];
        let credit = line.change_charge(&line.changes[0]).unwrap().unwrap();
        assert_eq!(credit.amount.minor(), -1_000_00);
        assert_eq!(
            credit.note.as_deref(),
            Some("Whole period credited from 2026-03-01 of 2026-03-01 – 2026-03-31 (whole periods: no proration)")
        );
        line.changes[0].effective = day("2026-03-16");
        assert_eq!(line.change_charge(&line.changes[0]).unwrap(), None);
    }

    /// A line brought over at cut-over resumes billing with the first period the old system
    /// did not invoice, and bills nothing it did.
    #[test]
    fn a_brought_over_line_bills_only_after_what_the_old_system_invoiced() {
        let mut line = seats(BillingFrequency::Quarterly, 300_00, 2);
        line.billed_through = Some(day("2026-06-30"));
        let due = line.recurring_due(day("2026-12-31"), None).unwrap();
        let starts: Vec<String> = due.iter().map(|charge| charge.key.clone()).collect();
        assert_eq!(starts, vec!["period:2026-07-01", "period:2026-10-01"]);
        line.billed_through = Some(day("2026-12-31"));
        assert!(line
            .recurring_due(day("2026-12-31"), None)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_monthly_year_bills_twelve_equal_periods_in_advance() {
        let line = seats(BillingFrequency::Monthly, 50_00, 10);
        let due = line.recurring_due(day("2026-12-31"), None).unwrap();
        assert_eq!(due.len(), 12);
        assert!(due.iter().all(|charge| charge.amount.minor() == 500_00));
        assert_eq!(due[11].due_on, day("2026-12-01"));
        // Already billed through March: only April onwards is due.
        let rest = line
            .recurring_due(day("2026-04-15"), Some(day("2026-03-01")))
            .unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].key, "period:2026-04-01");
    }

    #[test]
    fn a_mid_month_seat_increase_bills_the_prorated_difference() {
        // 10 → 15 seats at 50.00 on March 18: 5 × 50 × 14/31 = 112.903… → 112.90
        let mut line = seats(BillingFrequency::Monthly, 50_00, 15);
        let change = LineChange {
            id: 7,
            kind: ChangeKind::Quantity,
            effective: day("2026-03-18"),
            old_quantity: Decimal::from(10),
            new_quantity: Decimal::from(15),
        };
        line.changes.push(change.clone());
        let charge = line.change_charge(&change).unwrap().unwrap();
        assert_eq!(charge.amount.minor(), 112_90);
        assert!(charge
            .note
            .as_deref()
            .unwrap()
            .starts_with("Prorated 14/31 days"));
        // March itself was billed at 10 seats, April at 15.
        let due = line.recurring_due(day("2026-04-01"), None).unwrap();
        assert_eq!(due[2].amount.minor(), 500_00);
        assert_eq!(due[3].amount.minor(), 750_00);
    }

    /// 20% off the first three periods, "Launch discount".
    fn launch_discount() -> LineDiscount {
        LineDiscount {
            off: Off::Percent(Decimal::from(20)),
            periods: Some(3),
            from: None,
            label: "Launch discount".into(),
            coupon: None,
        }
    }

    /// 10 seats at 100.00 a month with 20% off the first three months: 1,000.00 and −200.00
    /// in January to March, 1,000.00 alone from April; the year bills 11,400.00.
    #[test]
    fn a_twenty_percent_discount_for_three_months_bills_beside_each_period() {
        let mut line = seats(BillingFrequency::Monthly, 100_00, 10);
        line.discount = Some(launch_discount());
        let due = line.recurring_due(day("2026-12-31"), None).unwrap();
        assert_eq!(due.len(), 15);
        let march: Vec<(&str, i64)> = due[4..6]
            .iter()
            .map(|charge| (charge.key.as_str(), charge.amount.minor()))
            .collect();
        assert_eq!(
            march,
            vec![
                ("period:2026-03-01", 1_000_00),
                ("discount:2026-03-01", -200_00)
            ]
        );
        assert_eq!(due[4].kind, ChargeKind::Subscription);
        assert_eq!(due[5].kind, ChargeKind::Discount);
        assert_eq!(
            due[5].description,
            "Platform seats: Launch discount (2026-03-01 – 2026-03-31)"
        );
        assert_eq!(due[6].key, "period:2026-04-01");
        let year: i64 = due.iter().map(|charge| charge.amount.minor()).sum();
        assert_eq!(year, 11_400_00);
    }

    /// Seats added in a discounted month cost the discounted price: 10 → 15 on 16 Feb (13 of 28
    /// days), 5 × 100.00 × 13/28 = 232.14, less 20% (46.43) = 185.71.
    #[test]
    fn seats_added_under_a_percent_discount_are_priced_net_of_it() {
        let mut line = seats(BillingFrequency::Monthly, 100_00, 15);
        line.discount = Some(launch_discount());
        let change = LineChange {
            id: 4,
            kind: ChangeKind::Quantity,
            effective: day("2026-02-16"),
            old_quantity: Decimal::from(10),
            new_quantity: Decimal::from(15),
        };
        line.changes.push(change.clone());
        let charge = line.change_charge(&change).unwrap().unwrap();
        assert_eq!(charge.amount.minor(), 185_71);
        assert!(charge
            .note
            .unwrap()
            .contains("232.14 charge less 46.43 for Launch discount"));
    }

    /// An annual plan at 12,000.00 with 1,200.00 off the year, cancelled from 1 September
    /// (122 of 365 days unused): the unused price 4,010.96 less the unused discount 401.10
    /// (1,200.00 × 122/365) = 3,609.86 back — what the customer paid for those days.
    #[test]
    fn a_cancellation_under_an_amount_off_returns_only_what_was_paid() {
        let mut line = seats(BillingFrequency::Annually, 12_000_00, 1);
        line.discount = Some(LineDiscount {
            off: Off::Amount(1_200_00),
            periods: None,
            from: None,
            label: "Multi-year".into(),
            coupon: None,
        });
        let billed: i64 = line
            .recurring_due(day("2026-01-01"), None)
            .unwrap()
            .iter()
            .map(|charge| charge.amount.minor())
            .sum();
        assert_eq!(billed, 10_800_00);
        let change = LineChange {
            id: 9,
            kind: ChangeKind::Cancellation,
            effective: day("2026-09-01"),
            old_quantity: Decimal::ONE,
            new_quantity: Decimal::ZERO,
        };
        line.changes.push(change.clone());
        let credit = line.change_charge(&change).unwrap().unwrap();
        assert_eq!(credit.amount.minor(), -3_609_86);
    }

    #[test]
    fn an_annual_plan_cancelled_early_credits_the_unused_days() {
        // 12,000.00 a year, cancelled from 2026-09-01: 122 of 365 days unused → −4,010.96
        let mut line = seats(BillingFrequency::Annually, 12_000_00, 1);
        let change = LineChange {
            id: 9,
            kind: ChangeKind::Cancellation,
            effective: day("2026-09-01"),
            old_quantity: Decimal::ONE,
            new_quantity: Decimal::ZERO,
        };
        line.changes.push(change.clone());
        let credit = line.change_charge(&change).unwrap().unwrap();
        assert_eq!(credit.amount.minor(), -4_010_96);
        assert_eq!(line.service_end(), day("2026-09-01"));
        assert_eq!(
            line.recurring_due(day("2027-06-01"), Some(day("2026-01-01")))
                .unwrap()
                .len(),
            0
        );
    }

    #[test]
    fn an_upgrade_halfway_through_a_quarter() {
        // Quarterly 3,000.00 per seat-block; 2 → 3 blocks on 2026-02-15 (Q1 = Jan 1–Mar 31, 90 days):
        // 1 × 3,000 × 45/90 = 1,500.00
        let mut line = seats(BillingFrequency::Quarterly, 3_000_00, 3);
        let change = LineChange {
            id: 3,
            kind: ChangeKind::Quantity,
            effective: day("2026-02-15"),
            old_quantity: Decimal::from(2),
            new_quantity: Decimal::from(3),
        };
        line.changes.push(change.clone());
        assert_eq!(
            line.change_charge(&change).unwrap().unwrap().amount.minor(),
            1_500_00
        );
    }

    #[test]
    fn a_credit_never_exceeds_what_is_left_billed_on_the_line() {
        // 249.95 a month, cancelled from 2026-01-02: 30/31 unused = 241.887… → 241.89; a credit
        // memo of 10.00 on the line leaves 239.95 to credit, so the credit is 239.95, not 241.89.
        let mut line = seats(BillingFrequency::Monthly, 249_95, 1);
        let change = LineChange {
            id: 4,
            kind: ChangeKind::Cancellation,
            effective: day("2026-01-02"),
            old_quantity: Decimal::ONE,
            new_quantity: Decimal::ZERO,
        };
        line.changes.push(change.clone());
        let credit = line.change_charge(&change).unwrap().unwrap();
        assert_eq!(credit.amount.minor(), -241_89);
        let capped = cap_credit(credit.clone(), 249_95 - 10_00).unwrap();
        assert_eq!(capped.amount.minor(), -239_95);
        assert!(capped.note.unwrap().contains("capped at 239.95"));
        // Enough left: unchanged. Nothing left: no credit at all.
        assert_eq!(cap_credit(credit.clone(), 249_95), Some(credit.clone()));
        assert_eq!(cap_credit(credit, 0), None);
        // A charge is never capped.
        let charge = line
            .recurring_due(day("2026-01-01"), None)
            .unwrap()
            .remove(0);
        assert_eq!(cap_credit(charge.clone(), 0), Some(charge));
    }

    proptest::proptest! {
        /// Whatever the credits asked, what is granted never exceeds what is left billed.
        #[test]
        fn capped_credits_stay_within_what_was_billed(billed in 0i64..1_000_000, asks in proptest::collection::vec(1i64..600_000, 1..8)) {
            let line = seats(BillingFrequency::Monthly, 100_00, 1);
            let template = line.recurring_due(day("2026-01-01"), None).unwrap().remove(0);
            let mut left = billed;
            for ask in asks {
                let credit = DueCharge { amount: Money::from_minor(-ask, template.amount.currency()), ..template.clone() };
                if let Some(granted) = cap_credit(credit, left) {
                    proptest::prop_assert!(-granted.amount.minor() <= left);
                    proptest::prop_assert!(granted.amount.minor() < 0);
                    left += granted.amount.minor();
                }
            }
            proptest::prop_assert!(left >= 0);
        }
    }

    #[test]
    fn milestones_bill_only_once_accepted() {
        let mut line = seats(BillingFrequency::Monthly, 20_000_00, 1);
        line.kind = ContractLineKind::Milestone;
        line.frequency = Some(BillingFrequency::Milestone);
        assert_eq!(line.one_time_due(day("2026-06-01")).unwrap(), None);
        line.delivered_on = Some(day("2026-05-01"));
        assert_eq!(line.one_time_due(day("2026-06-01")).unwrap(), None);
        line.accepted_on = Some(day("2026-05-03"));
        let charge = line.one_time_due(day("2026-06-01")).unwrap().unwrap();
        assert_eq!(
            (charge.amount.minor(), charge.due_on),
            (20_000_00, day("2026-05-03"))
        );
        assert!(line.periods().is_empty());
    }
}
