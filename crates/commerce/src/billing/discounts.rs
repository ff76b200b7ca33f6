//! A recurring discount as people enter it (a deal line's, a contract line's): the form's input
//! and its parsing into `revops_terms::discount::LineDiscount`, the rule billing, MRR and
//! revenue share. Errors name the input field (`lines.0.discount.percent`).

use crate::billing::discount::{self, LineDiscount, Off};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::values::IsoDate;
use async_graphql::InputObject;
use rust_decimal::Decimal;
use std::str::FromStr;

/// A percent or an amount off each period of a subscription line, for some periods or all.
#[derive(Debug, Clone, PartialEq, Eq, InputObject)]
pub struct DiscountInput {
    /// Percent off each discounted period's charge ("20"), above 0 and at most 100. Give this or
    /// `amount`, not both.
    pub percent: Option<String>,
    /// An amount off each whole period ("50.00"), in the line's currency; a part period gets the
    /// same share of it as of its price.
    pub amount: Option<String>,
    /// How many periods it lasts; empty: for as long as the line runs.
    pub periods: Option<i32>,
    /// The first day a discounted period may start on; empty: the line's start.
    pub from: Option<IsoDate>,
    /// What the invoice calls it ("Launch discount"); a coupon brings its own.
    pub label: Option<String>,
    /// A coupon's code instead of the figures above: the coupon gives the percent or amount, the
    /// periods and the label, and is counted as redeemed when the deal is approved.
    pub coupon: Option<String>,
}

impl DiscountInput {
    /// The input that gives `discount` on a line in `currency` again.
    pub fn of(discount: &LineDiscount, currency: Currency) -> DiscountInput {
        let (percent, amount) = match discount.off {
            Off::Percent(percent) => (Some(percent.normalize().to_string()), None),
            Off::Amount(minor) => (
                None,
                Some(Money::from_minor(minor, currency).amount_string()),
            ),
        };
        DiscountInput {
            percent,
            amount,
            periods: discount.periods.map(|count| count as i32),
            from: discount.from.map(IsoDate),
            label: Some(discount.label.clone()),
            coupon: discount.coupon.clone(),
        }
    }
}

/// Parses a discount for a line in `currency`; `field` is the input's path (`lines.0.discount`).
/// A coupon's code has been replaced by the coupon's figures before (`coupons::resolve`).
pub fn parse(input: &DiscountInput, currency: Currency, field: &str) -> AppResult<LineDiscount> {
    let named = |part: &str| format!("{field}.{part}");
    let given = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_string)
    };
    let off = match (given(&input.percent), given(&input.amount)) {
        (Some(_), Some(_)) => {
            return Err(AppError::validation(
                named("amount"),
                "Give a percent or an amount off, not both.",
            ))
        }
        (None, None) => {
            return Err(AppError::validation(
                named("percent"),
                "Give the percent or the amount that comes off each period.",
            ))
        }
        (Some(text), None) => Off::Percent(Decimal::from_str(&text).map_err(|_| {
            AppError::validation(named("percent"), format!("{text:?} is not a number."))
        })?),
        (None, Some(text)) => Off::Amount(
            Money::parse(&text, currency)
                .map_err(|error| AppError::validation(named("amount"), error.to_string()))?
                .minor(),
        ),
    };
    let periods = match input.periods {
        None => None,
        Some(count) => Some(u32::try_from(count).map_err(|_| {
            AppError::validation(named("periods"), "A discount lasts at least one period.")
        })?),
    };
    let discount = LineDiscount {
        off,
        periods,
        from: input.from.map(|date| date.0),
        label: input.label.as_deref().unwrap_or("").trim().to_string(),
        coupon: input.coupon.clone(),
    };
    discount::validate(&discount)
        .map_err(|(part, message)| AppError::validation(named(part), message))?;
    Ok(discount)
}
