//! The pure arithmetic of commissions: a component's rate bands (tiers with the decelerator and
//! accelerators folded in), the commission on each credit as it moves attainment along the
//! bands (marginal or retroactive, capped), quota windows, metric amounts, business kind,
//! clawback shares and amortisation. No I/O; amounts are minor units.

use super::plan::{Business, Component, QuotaPeriod, TierMode};
use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// One stretch of attainment (percent of quota) paid at one rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub from: Decimal,
    /// `None`: no upper end.
    pub to: Option<Decimal>,
    /// Percent of the credited amount.
    pub rate: Decimal,
    pub label: String,
}

/// The component's bands: every tier start, the decelerator floor and each accelerator start
/// cut attainment into stretches; a stretch's rate is its tier's rate times the decelerator's
/// multiplier (below the floor) or the highest accelerator's multiplier reached.
pub fn bands(component: &Component) -> Vec<Band> {
    let mut cuts: Vec<Decimal> = vec![Decimal::ZERO];
    cuts.extend(component.tiers.iter().map(|tier| tier.from.0));
    if let Some(decelerator) = &component.decelerator {
        cuts.push(decelerator.below.0);
    }
    cuts.extend(
        component
            .accelerators
            .iter()
            .map(|accelerator| accelerator.above.0),
    );
    cuts.sort();
    cuts.dedup();
    let tiered = !component.tiers.is_empty();
    cuts.iter()
        .enumerate()
        .map(|(index, from)| {
            let to = cuts.get(index + 1).copied();
            let (tier_number, base) = if tiered {
                let position = component
                    .tiers
                    .iter()
                    .rposition(|tier| tier.from.0 <= *from)
                    .unwrap_or(0);
                (Some(position + 1), component.tiers[position].rate.0)
            } else {
                (None, component.rate.map(|rate| rate.0).unwrap_or_default())
            };
            let mut rate = base;
            let mut label = match tier_number {
                Some(number) => format!("Tier {number}"),
                None => "Base rate".to_string(),
            };
            if let Some(decelerator) = &component.decelerator {
                if *from < decelerator.below.0 {
                    rate *= decelerator.multiplier.0;
                    label.push_str(&format!(
                        " × {} below {}%",
                        decelerator.multiplier.0.normalize(),
                        decelerator.below.0.normalize()
                    ));
                }
            }
            if let Some(accelerator) = component
                .accelerators
                .iter()
                .rev()
                .find(|accelerator| accelerator.above.0 <= *from)
            {
                rate *= accelerator.multiplier.0;
                label.push_str(&format!(
                    " × {} above {}%",
                    accelerator.multiplier.0.normalize(),
                    accelerator.above.0.normalize()
                ));
            }
            let range = match to {
                Some(to) => format!(" ({}–{}%)", from.normalize(), to.normalize()),
                None => format!(" ({}%+)", from.normalize()),
            };
            label.push_str(&range);
            Band {
                from: *from,
                to,
                rate: rate.normalize(),
                label,
            }
        })
        .collect()
}

/// A credit in the order it moves attainment: its amount (minor units of the plan's currency)
/// and, for business paid at its own flat rate, that rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Credit {
    pub amount: i64,
    pub flat_rate: Option<Decimal>,
}

/// The part of one credit paid at one rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub label: String,
    pub rate: Decimal,
    pub credited: i64,
}

/// What a credit pays and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Earned {
    /// Attainment before and after the credit, percent of quota (2 decimals).
    pub attainment_before: Decimal,
    pub attainment_after: Decimal,
    pub pieces: Vec<Piece>,
    /// Minor units, after the cap: the cumulative amount rounded minus the cumulative before.
    pub amount: i64,
    /// The cap cut this credit's commission.
    pub capped: bool,
}

impl Earned {
    pub fn tier_text(&self) -> String {
        self.pieces
            .iter()
            .map(|piece| piece.label.clone())
            .collect::<Vec<_>>()
            .join(" + ")
    }

    pub fn rate_text(&self) -> String {
        self.pieces
            .iter()
            .map(|piece| format!("{}%", piece.rate.normalize()))
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

fn round(value: Decimal) -> i64 {
    value
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(i64::MAX)
}

fn percent_of(amount: Decimal, quota: i64) -> Decimal {
    (amount * Decimal::ONE_HUNDRED / Decimal::from(quota))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The commission on each credit, in order, over one quota window. Marginal: each slice of
/// attainment at its band's rate. Retroactive: every tiered credit at the rate of the band the
/// final attainment reached. Credits at a flat business rate move attainment but are paid flat.
/// Amounts telescope: each is the rounded cumulative (capped) minus the rounded cumulative
/// before it, so the credits always sum to the rounded total.
pub fn earn(
    bands: &[Band],
    mode: TierMode,
    quota: i64,
    cap: Option<i64>,
    credits: &[Credit],
) -> Vec<Earned> {
    let quota = quota.max(1);
    let quota_decimal = Decimal::from(quota);
    let boundary = |percent: Decimal| quota_decimal * percent / Decimal::ONE_HUNDRED;
    let total: i64 = credits.iter().map(|credit| credit.amount.max(0)).sum();
    let final_band = bands
        .iter()
        .rev()
        .find(|band| boundary(band.from) <= Decimal::from(total))
        .or(bands.first());
    let mut cumulative_raw = Decimal::ZERO;
    let mut paid_so_far: i64 = 0;
    let mut attainment: i64 = 0;
    let cap_decimal = cap.map(Decimal::from);
    credits
        .iter()
        .map(|credit| {
            let amount = credit.amount.max(0);
            let start = attainment;
            let end = attainment + amount;
            attainment = end;
            let mut pieces = Vec::new();
            let mut raw = Decimal::ZERO;
            match (credit.flat_rate, mode) {
                (Some(rate), _) => {
                    raw = Decimal::from(amount) * rate / Decimal::ONE_HUNDRED;
                    pieces.push(Piece {
                        label: "Business rate".into(),
                        rate,
                        credited: amount,
                    });
                }
                (None, TierMode::Retroactive) => {
                    if let Some(band) = final_band {
                        raw = Decimal::from(amount) * band.rate / Decimal::ONE_HUNDRED;
                        pieces.push(Piece {
                            label: format!("{} reached", band.label),
                            rate: band.rate,
                            credited: amount,
                        });
                    }
                }
                (None, TierMode::Marginal) => {
                    for band in bands {
                        let low = boundary(band.from).max(Decimal::from(start));
                        let high = match band.to {
                            Some(to) => boundary(to).min(Decimal::from(end)),
                            None => Decimal::from(end),
                        };
                        if high > low {
                            raw += (high - low) * band.rate / Decimal::ONE_HUNDRED;
                            pieces.push(Piece {
                                label: band.label.clone(),
                                rate: band.rate,
                                credited: round(high - low),
                            });
                        }
                    }
                    fix_piece_rounding(&mut pieces, amount);
                }
            }
            cumulative_raw += raw;
            let (capped_total, capped) = match cap_decimal {
                Some(cap) if cumulative_raw > cap => (cap, true),
                _ => (cumulative_raw, false),
            };
            let rounded = round(capped_total);
            let earned = rounded - paid_so_far;
            paid_so_far = rounded;
            Earned {
                attainment_before: percent_of(Decimal::from(start), quota),
                attainment_after: percent_of(Decimal::from(end), quota),
                pieces,
                amount: earned,
                capped: capped && earned < round(raw),
            }
        })
        .collect()
}

/// Piece amounts are rounded one by one; the last takes the difference so they sum to the credit.
fn fix_piece_rounding(pieces: &mut [Piece], amount: i64) {
    let sum: i64 = pieces.iter().map(|piece| piece.credited).sum();
    if let Some(last) = pieces.last_mut() {
        last.credited += amount - sum;
    }
}

/// The rounded commission a component owes for a whole window of credits.
pub fn total_owed(earned: &[Earned]) -> i64 {
    earned.iter().map(|line| line.amount).sum()
}

pub fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

pub fn add_months(month: NaiveDate, months: i32) -> NaiveDate {
    let index = month.year() * 12 + month.month0() as i32 + months;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(month)
}

pub fn last_of_month(month: NaiveDate) -> NaiveDate {
    add_months(first_of_month(month), 1)
        .pred_opt()
        .unwrap_or(month)
}

/// The first and last month of the quota period that holds `month`.
pub fn quota_window(month: NaiveDate, period: QuotaPeriod) -> (NaiveDate, NaiveDate) {
    let month = first_of_month(month);
    let start = match period {
        QuotaPeriod::Month => month,
        QuotaPeriod::Quarter => add_months(month, -((month.month0() % 3) as i32)),
        QuotaPeriod::Year => add_months(month, -(month.month0() as i32)),
    };
    let length = match period {
        QuotaPeriod::Month => 1,
        QuotaPeriod::Quarter => 3,
        QuotaPeriod::Year => 12,
    };
    (start, add_months(start, length - 1))
}

/// Calendar months a term touches: 2026-01-15..2027-01-14 is 12, 2026-01-01..2026-01-31 is 1.
pub fn term_months(start: NaiveDate, end: NaiveDate) -> i32 {
    let day_after = end.succ_opt().unwrap_or(end);
    let whole =
        (day_after.year() - start.year()) * 12 + day_after.month() as i32 - start.month() as i32;
    let partial = i32::from(day_after.day() > start.day());
    (whole + partial).max(1)
}

/// ACV: TCV over the term in years; a term of twelve months or less is its TCV.
pub fn acv(tcv: i64, start: NaiveDate, end: NaiveDate) -> i64 {
    let months = term_months(start, end);
    if months <= 12 {
        return tcv;
    }
    round(Decimal::from(tcv) * Decimal::from(12) / Decimal::from(months))
}

/// TCV, limited to `max_years` years of ACV when the plan says so.
pub fn tcv_credit(tcv: i64, start: NaiveDate, end: NaiveDate, max_years: Option<u32>) -> i64 {
    match max_years {
        Some(years) => tcv.min(acv(tcv, start, end).saturating_mul(i64::from(years))),
        None => tcv,
    }
}

/// New, expansion or renewal, from the customer's other contracts `(start, end)` that began
/// before this one: one still running on this start makes it expansion; one that ended within
/// the 90 days before makes it a renewal; otherwise it is new business (or a win-back).
pub fn business_of(start: NaiveDate, earlier: &[(NaiveDate, NaiveDate)]) -> Business {
    if earlier
        .iter()
        .any(|(from, to)| *from <= start && start <= *to)
    {
        return Business::Expansion;
    }
    if earlier
        .iter()
        .any(|(_, to)| *to < start && (start - *to).num_days() <= 90)
    {
        return Business::Renewal;
    }
    Business::New
}

/// The share of `commission` that reverses when `reduced` of the credited `base` goes away.
pub fn clawback_share(commission: i64, reduced: i64, base: i64) -> i64 {
    if base <= 0 || reduced <= 0 {
        return 0;
    }
    round(Decimal::from(commission) * Decimal::from(reduced.min(base)) / Decimal::from(base))
}

/// Amortised to date after `months_elapsed` of `months`: straight line, the last month taking
/// the remainder.
pub fn amortised(amount: i64, months: i32, months_elapsed: i32) -> i64 {
    if months <= 0 || months_elapsed >= months {
        return amount;
    }
    if months_elapsed <= 0 {
        return 0;
    }
    round(Decimal::from(amount) * Decimal::from(months_elapsed) / Decimal::from(months))
}

#[cfg(test)]
mod tests {
    // Amounts in minor units are written dollars_cents (1_000_00 = 1,000.00).
    #![allow(clippy::inconsistent_digit_grouping)]
    use super::*;
    use crate::commissions::plan::{Accelerator, Dec, Decelerator, Metric, Tier};
    use proptest::prelude::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn component(tiers: &[(&str, &str)]) -> Component {
        Component {
            name: "New business".into(),
            metric: Metric::BookingsAcv,
            rate: None,
            tiers: tiers
                .iter()
                .map(|(from, rate)| Tier {
                    from: Dec(d(from)),
                    rate: Dec(d(rate)),
                })
                .collect(),
            tier_mode: TierMode::Marginal,
            accelerators: vec![],
            decelerator: None,
            cap: None,
            business_rates: Default::default(),
            multi_year: None,
        }
    }

    fn tiered(amounts: &[i64]) -> Vec<Credit> {
        amounts
            .iter()
            .map(|amount| Credit {
                amount: *amount,
                flat_rate: None,
            })
            .collect()
    }

    #[test]
    fn marginal_tiers_pay_each_slice_at_its_own_rate_across_100_percent() {
        // Quota 100,000; 10 % to 100 %, 15 % above. Deals of 80,000 then 40,000: the second is
        // 20,000 at 10 % + 20,000 at 15 % = 5,000.
        let bands = bands(&component(&[("0", "10"), ("100", "15")]));
        let earned = earn(
            &bands,
            TierMode::Marginal,
            100_000_00,
            None,
            &tiered(&[80_000_00, 40_000_00]),
        );
        assert_eq!(earned[0].amount, 8_000_00);
        assert_eq!(earned[1].amount, 5_000_00);
        assert_eq!(earned[1].pieces.len(), 2);
        assert_eq!(earned[1].pieces[0].credited, 20_000_00);
        assert_eq!(earned[1].rate_text(), "10% / 15%");
        assert_eq!(earned[1].attainment_after, d("120"));
    }

    #[test]
    fn retroactive_tiers_pay_everything_at_the_highest_tier_reached() {
        let mut plan = component(&[("0", "10"), ("100", "15")]);
        plan.tier_mode = TierMode::Retroactive;
        let bands = bands(&plan);
        let earned = earn(
            &bands,
            TierMode::Retroactive,
            100_000_00,
            None,
            &tiered(&[80_000_00, 40_000_00]),
        );
        assert_eq!(earned[0].amount, 12_000_00);
        assert_eq!(earned[1].amount, 6_000_00);
        let below = earn(
            &bands,
            TierMode::Retroactive,
            100_000_00,
            None,
            &tiered(&[80_000_00]),
        );
        assert_eq!(below[0].amount, 8_000_00);
    }

    #[test]
    fn an_accelerator_multiplies_above_its_start_and_a_cap_stops_the_total() {
        let mut plan = component(&[("0", "10")]);
        plan.accelerators = vec![Accelerator {
            above: Dec(d("100")),
            multiplier: Dec(d("1.5")),
        }];
        let bands = bands(&plan);
        assert_eq!(bands.len(), 2);
        assert_eq!(bands[1].rate, d("15"));
        assert_eq!(bands[1].label, "Tier 1 × 1.5 above 100% (100%+)");
        // 150,000 against 100,000: 10,000 + 50,000 × 15 % = 17,500, capped at 15,000.
        let earned = earn(
            &bands,
            TierMode::Marginal,
            100_000_00,
            Some(15_000_00),
            &tiered(&[100_000_00, 50_000_00]),
        );
        assert_eq!(earned[0].amount, 10_000_00);
        assert_eq!(earned[1].amount, 5_000_00);
        assert!(earned[1].capped);
    }

    #[test]
    fn a_decelerator_pays_less_below_its_floor() {
        let mut plan = component(&[("0", "10")]);
        plan.decelerator = Some(Decelerator {
            below: Dec(d("50")),
            multiplier: Dec(d("0.5")),
        });
        let earned = earn(
            &bands(&plan),
            TierMode::Marginal,
            100_000_00,
            None,
            &tiered(&[60_000_00]),
        );
        // 50,000 at 5 % + 10,000 at 10 %.
        assert_eq!(earned[0].amount, 3_500_00);
    }

    #[test]
    fn flat_business_rates_move_attainment_but_pay_flat() {
        let bands = bands(&component(&[("0", "10"), ("100", "15")]));
        let credits = [
            Credit {
                amount: 90_000_00,
                flat_rate: Some(d("3")),
            },
            Credit {
                amount: 20_000_00,
                flat_rate: None,
            },
        ];
        let earned = earn(&bands, TierMode::Marginal, 100_000_00, None, &credits);
        assert_eq!(earned[0].amount, 2_700_00);
        // The new deal starts at 90 %: 10,000 at 10 % + 10,000 at 15 %.
        assert_eq!(earned[1].amount, 2_500_00);
    }

    #[test]
    fn windows_terms_and_business_kinds() {
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        assert_eq!(
            quota_window(day("2026-05-01"), QuotaPeriod::Quarter),
            (day("2026-04-01"), day("2026-06-01"))
        );
        assert_eq!(
            quota_window(day("2026-05-01"), QuotaPeriod::Year),
            (day("2026-01-01"), day("2026-12-01"))
        );
        assert_eq!(term_months(day("2026-01-15"), day("2027-01-14")), 12);
        assert_eq!(term_months(day("2026-01-01"), day("2026-01-31")), 1);
        assert_eq!(term_months(day("2026-01-01"), day("2028-12-31")), 36);
        assert_eq!(
            acv(36_000_00, day("2026-01-01"), day("2028-12-31")),
            12_000_00
        );
        assert_eq!(
            tcv_credit(36_000_00, day("2026-01-01"), day("2028-12-31"), Some(2)),
            24_000_00
        );
        let earlier = [(day("2025-01-01"), day("2025-12-31"))];
        assert_eq!(business_of(day("2026-01-01"), &earlier), Business::Renewal);
        assert_eq!(
            business_of(day("2025-06-01"), &earlier),
            Business::Expansion
        );
        assert_eq!(business_of(day("2026-06-01"), &earlier), Business::New);
        assert_eq!(clawback_share(1_200_00, 3_000_00, 12_000_00), 300_00);
        assert_eq!(amortised(2_400_00, 24, 1), 100_00);
        assert_eq!(amortised(1_000_00, 3, 2), 666_67);
        assert_eq!(amortised(1_000_00, 3, 3), 1_000_00);
    }

    proptest! {
        #[test]
        fn credits_always_sum_to_the_rounded_capped_total(
            amounts in proptest::collection::vec(0i64..5_000_000_00, 1..30),
            quota in 1i64..50_000_000_00,
            cap in proptest::option::of(1i64..10_000_000_00),
            retroactive in any::<bool>(),
        ) {
            let mut plan = component(&[("0", "7.5"), ("80", "10"), ("120", "13.25")]);
            plan.accelerators = vec![Accelerator { above: Dec(d("150")), multiplier: Dec(d("1.2")) }];
            plan.decelerator = Some(Decelerator { below: Dec(d("30")), multiplier: Dec(d("0.5")) });
            let mode = if retroactive { TierMode::Retroactive } else { TierMode::Marginal };
            let earned = earn(&bands(&plan), mode, quota, cap, &tiered(&amounts));
            let total = total_owed(&earned);
            prop_assert!(total >= 0);
            if let Some(cap) = cap { prop_assert!(total <= cap); }
            for line in &earned {
                prop_assert!(line.amount >= 0);
                let credited: i64 = line.pieces.iter().map(|piece| piece.credited).sum();
                let amount = amounts[earned.iter().position(|other| std::ptr::eq(other, line)).unwrap()];
                prop_assert_eq!(credited, amount);
            }
            // Splitting the same credits differently never changes the total owed (marginal).
            if !retroactive && cap.is_none() {
                let whole: i64 = amounts.iter().sum();
                let one = earn(&bands(&plan), mode, quota, cap, &tiered(&[whole]));
                prop_assert!((total_owed(&one) - total).abs() <= 1);
            }
        }
    }
}
