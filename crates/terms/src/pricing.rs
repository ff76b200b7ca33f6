//! Usage pricing: how a meter's records become a quantity for a month, and how that quantity
//! becomes money (per unit, graduated tiers or volume tiers, after an included allowance).

use crate::money::{Currency, Money, MoneyError};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    Sum,
    Max,
    Count,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
pub enum PricingModel {
    /// Every unit at the first tier's price.
    PerUnit,
    /// Each unit at the price of the tier it falls in.
    Graduated,
    /// Every unit at the price of the tier the total falls in.
    Volume,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tier {
    /// Upper bound (inclusive) of billable units in this tier; `None` is unbounded.
    pub up_to: Option<Decimal>,
    /// Price per unit in major units; may be finer than the currency's minor unit.
    pub unit_price: Decimal,
}

/// A usage line's pricing, stored with the contract line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsagePricing {
    pub meter: String,
    pub aggregation: Aggregation,
    pub model: PricingModel,
    pub included: Decimal,
    pub tiers: Vec<Tier>,
    /// A minimum commitment: the least the line bills over its whole term, in major units of
    /// the line's currency. When the term is over, what the months' usage billed below it is
    /// billed once as a true-up (`true_up`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<Decimal>,
}

/// A rule broken by a pricing definition, with the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricingError {
    pub field: &'static str,
    pub message: String,
}

impl UsagePricing {
    pub fn validate(&self) -> Result<(), PricingError> {
        let error = |field, message: &str| {
            Err(PricingError {
                field,
                message: message.to_string(),
            })
        };
        if self.meter.trim().is_empty() {
            return error("meter", "Name the meter this line is priced on.");
        }
        if self.included.is_sign_negative() {
            return error("included", "The included allowance cannot be negative.");
        }
        if self.tiers.is_empty() {
            return error("tiers", "Give at least one price tier.");
        }
        if self
            .commitment
            .is_some_and(|commitment| commitment <= Decimal::ZERO)
        {
            return error(
                "minimumCommitment",
                "A minimum commitment is more than zero; leave it empty for none.",
            );
        }
        let mut previous = Decimal::ZERO;
        for (index, tier) in self.tiers.iter().enumerate() {
            if tier.unit_price.is_sign_negative() {
                return error("tiers", "A tier price cannot be negative.");
            }
            let last = index + 1 == self.tiers.len();
            match tier.up_to {
                None if !last => {
                    return error("tiers", "Only the last tier may be unbounded.");
                }
                Some(bound) if bound <= previous => {
                    return error("tiers", "Tier bounds must increase.");
                }
                Some(bound) => previous = bound,
                None => {}
            }
            if last && tier.up_to.is_some() {
                return error(
                    "tiers",
                    "The last tier must be unbounded (leave upTo empty).",
                );
            }
        }
        Ok(())
    }
}

/// The true-up of a minimum commitment at the end of its term: what the term's usage billed
/// (`billed`) fell short of the commitment, with the reckoning for the invoice line; `None` when
/// usage reached it. Both the bill run and revenue recognition use it, so they agree.
pub fn true_up(
    pricing: &UsagePricing,
    billed: Money,
) -> Result<Option<(Money, String)>, MoneyError> {
    let Some(commitment) = pricing.commitment else {
        return Ok(None);
    };
    let committed = Money::from_decimal(
        commitment,
        billed.currency(),
        RoundingStrategy::MidpointAwayFromZero,
    )?;
    let short = committed.checked_sub(billed)?;
    if short.is_negative() || short.is_zero() {
        return Ok(None);
    }
    Ok(Some((
        short,
        format!(
            "Minimum commitment {} less usage billed over the term {} = {}",
            committed.grouped_amount(),
            billed.grouped_amount(),
            short.grouped_amount()
        ),
    )))
}

/// One month's reading of a meter from its records.
pub fn aggregate(quantities: &[Decimal], aggregation: Aggregation) -> Decimal {
    match aggregation {
        Aggregation::Sum => quantities.iter().copied().sum(),
        Aggregation::Max => quantities.iter().copied().max().unwrap_or(Decimal::ZERO),
        Aggregation::Count => Decimal::from(quantities.len()),
    }
}

/// The priced result of one month: billable units after the allowance, the amount, and the
/// explanation printed on the invoice line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageCharge {
    pub used: Decimal,
    pub billable: Decimal,
    pub amount: Money,
    pub note: String,
}

fn plain(value: Decimal) -> String {
    value.normalize().to_string()
}

pub fn price(
    pricing: &UsagePricing,
    used: Decimal,
    currency: Currency,
) -> Result<UsageCharge, MoneyError> {
    let billable = (used - pricing.included).max(Decimal::ZERO);
    let mut parts = Vec::new();
    let exact = match pricing.model {
        PricingModel::PerUnit => {
            let unit = pricing
                .tiers
                .first()
                .map(|tier| tier.unit_price)
                .unwrap_or_default();
            parts.push(format!("{} × {}", plain(billable), plain(unit)));
            billable.checked_mul(unit).ok_or(MoneyError::Overflow)?
        }
        PricingModel::Graduated => {
            let mut total = Decimal::ZERO;
            let mut floor = Decimal::ZERO;
            for tier in &pricing.tiers {
                if billable <= floor {
                    break;
                }
                let ceiling = tier.up_to.map_or(billable, |bound| bound.min(billable));
                let units = ceiling - floor;
                parts.push(format!("{} × {}", plain(units), plain(tier.unit_price)));
                total += units
                    .checked_mul(tier.unit_price)
                    .ok_or(MoneyError::Overflow)?;
                floor = ceiling;
            }
            total
        }
        PricingModel::Volume => {
            let tier = pricing
                .tiers
                .iter()
                .find(|tier| tier.up_to.is_none_or(|bound| billable <= bound))
                .or(pricing.tiers.last());
            let unit = tier.map(|tier| tier.unit_price).unwrap_or_default();
            parts.push(format!(
                "{} × {} (volume tier)",
                plain(billable),
                plain(unit)
            ));
            billable.checked_mul(unit).ok_or(MoneyError::Overflow)?
        }
    };
    let amount = Money::from_decimal(exact, currency, RoundingStrategy::MidpointAwayFromZero)?;
    let note = format!(
        "{} {} used, {} included, {} billable: {}",
        plain(used),
        pricing.meter,
        plain(pricing.included),
        plain(billable),
        if parts.is_empty() {
            "0".to_string()
        } else {
            parts.join(" + ")
        }
    );
    Ok(UsageCharge {
        used,
        billable,
        amount,
        note,
    })
}

/// The largest quantity (seats, units, hours) an input may carry; with prices bounded by
/// `money::MAX_MAJOR_UNITS` a line's amount is then computed with checked arithmetic that can
/// refuse, never wrap.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

/// Parses a quantity written as a plain decimal ("12", "0.5"); negative quantities are refused,
/// and so are quantities above `MAX_QUANTITY`.
pub fn parse_quantity(text: &str) -> Result<Decimal, String> {
    let value = Decimal::from_str(text.trim()).map_err(|_| {
        format!("{text:?} is not a number; write a plain decimal such as 12 or 0.5.")
    })?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err("A quantity cannot be negative.".into());
    }
    if value > Decimal::from(MAX_QUANTITY) {
        return Err("A quantity can be at most 1,000,000,000.".into());
    }
    Ok(value.normalize())
}

#[cfg(test)]
// Amounts in minor units are written dollars_cents (1_400_00 = 1,400.00) so they read as money.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn pricing(model: PricingModel) -> UsagePricing {
        UsagePricing {
            meter: "api_calls".into(),
            aggregation: Aggregation::Sum,
            model,
            included: dec("1000"),
            tiers: vec![
                Tier {
                    up_to: Some(dec("10000")),
                    unit_price: dec("0.10"),
                },
                Tier {
                    up_to: None,
                    unit_price: dec("0.08"),
                },
            ],
            commitment: None,
        }
    }

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn graduated_tiers_price_each_unit_in_its_tier() {
        // 16,000 used − 1,000 included = 15,000: 10,000 × 0.10 + 5,000 × 0.08 = 1,400.00
        let charge = price(&pricing(PricingModel::Graduated), dec("16000"), usd()).unwrap();
        assert_eq!(charge.amount.minor(), 1_400_00);
        assert_eq!(charge.billable, dec("15000"));
        assert!(
            charge.note.contains("10000 × 0.1 + 5000 × 0.08"),
            "{}",
            charge.note
        );
    }

    #[test]
    fn volume_tiers_price_every_unit_at_the_reached_tier() {
        let charge = price(&pricing(PricingModel::Volume), dec("16000"), usd()).unwrap();
        assert_eq!(charge.amount.minor(), 1_200_00);
        let small = price(&pricing(PricingModel::Volume), dec("3000"), usd()).unwrap();
        assert_eq!(small.amount.minor(), 200_00);
    }

    #[test]
    fn usage_within_the_allowance_costs_nothing() {
        let charge = price(&pricing(PricingModel::PerUnit), dec("999"), usd()).unwrap();
        assert!(charge.amount.is_zero());
        assert_eq!(charge.billable, Decimal::ZERO);
    }

    #[test]
    fn fractional_unit_prices_round_once() {
        let mut fine = pricing(PricingModel::PerUnit);
        fine.included = Decimal::ZERO;
        fine.tiers = vec![Tier {
            up_to: None,
            unit_price: dec("0.0015"),
        }];
        // 12,345 × 0.0015 = 18.5175 → 18.52
        assert_eq!(
            price(&fine, dec("12345"), usd()).unwrap().amount.minor(),
            18_52
        );
    }

    #[test]
    fn aggregation_by_sum_max_and_count() {
        let values = [dec("3"), dec("7.5"), dec("2")];
        assert_eq!(aggregate(&values, Aggregation::Sum), dec("12.5"));
        assert_eq!(aggregate(&values, Aggregation::Max), dec("7.5"));
        assert_eq!(aggregate(&values, Aggregation::Count), dec("3"));
    }

    #[test]
    fn bad_pricing_names_the_field() {
        let mut bad = pricing(PricingModel::Graduated);
        bad.tiers[1].up_to = Some(dec("5"));
        assert_eq!(bad.validate().unwrap_err().field, "tiers");
        let mut negative = pricing(PricingModel::PerUnit);
        negative.included = dec("-1");
        assert_eq!(negative.validate().unwrap_err().field, "included");
        assert!(pricing(PricingModel::Volume).validate().is_ok());
    }

    #[test]
    fn quantities_must_be_plain_non_negative_decimals() {
        assert_eq!(parse_quantity(" 12.50 ").unwrap(), dec("12.5"));
        assert!(parse_quantity("-3").is_err());
        assert!(parse_quantity("lots").is_err());
    }

    /// A 12,000.00 commitment: usage billed 9,250.40 over the term is trued up by 2,749.60;
    /// usage at or over the commitment owes nothing more.
    #[test]
    fn a_commitment_is_trued_up_by_what_usage_fell_short() {
        let mut committed = pricing(PricingModel::PerUnit);
        committed.commitment = Some(dec("12000"));
        let usd = |minor| Money::from_minor(minor, Currency::USD);
        let (short, note) = true_up(&committed, usd(925_040)).unwrap().unwrap();
        assert_eq!(short, usd(274_960));
        assert_eq!(
            note,
            "Minimum commitment 12,000.00 less usage billed over the term 9,250.40 = 2,749.60"
        );
        assert_eq!(true_up(&committed, usd(1_200_000)).unwrap(), None);
        assert_eq!(true_up(&committed, usd(1_300_000)).unwrap(), None);
        assert_eq!(
            true_up(&pricing(PricingModel::PerUnit), usd(0)).unwrap(),
            None
        );
    }
}
