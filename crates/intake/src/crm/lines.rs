//! A CRM deal's line items (`deal.lineItems` of the JSON notification; HubSpot's line items are
//! mapped into the same shape), and how they fill the intake form. A revops deal sells one
//! product or plan at one billing frequency (its contract line is derived from the form), so the
//! line items give the deal:
//! - `productName`: the line items' names, joined with " + ";
//! - `arr`: the sum over lines of the price per billing period (the line's `amount` after
//!   discounts when the CRM gives it, else quantity × unit price) × periods in a year;
//! - `billingFrequency`: the lines' one frequency (monthly, quarterly or annually);
//! - `startDate` / `endDate`: when every line carries the same start date and term;
//! - `revenueRecognitionType`: ratable, when the form has none yet.
//!
//! Values are read as text, because they are CRM data the caller cannot always correct: a value
//! revops cannot read (a price that is not an amount, a one-time line, two frequencies) does not
//! refuse the notification. It becomes a gap naming the line and field for VP RevOps, and then
//! nothing at all is taken from the lines, so the form never holds a partial sum.

use super::event::DealPart;
use crate::deals::{BillingFrequency, RevenueRecognitionType};
use crate::money::{Currency, Money};
use crate::values::MoneyInput;
use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize};
use std::str::FromStr;

/// At most this many line items are read from one deal.
pub const MAX_LINE_ITEMS: usize = 200;

/// One line item as the CRM sends it. Numbers may come as JSON numbers or text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItemPart {
    /// The CRM's id of the line item, named in gaps.
    #[serde(default, deserialize_with = "text")]
    pub reference: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub product_name: Option<String>,
    /// The CRM's product id (HubSpot `hs_product_id`); kept with the notification for the record.
    #[serde(default, deserialize_with = "text")]
    pub product_ref: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub quantity: Option<String>,
    /// The price of one unit per billing period.
    #[serde(default, deserialize_with = "text")]
    pub unit_price: Option<String>,
    /// The line's price per billing period after discounts (HubSpot `amount`); when absent,
    /// quantity × unit price.
    #[serde(default, deserialize_with = "text")]
    pub amount: Option<String>,
    /// ISO 4217; when absent, the deal's billing currency (or its TCV's or ARR's).
    #[serde(default, deserialize_with = "text")]
    pub currency: Option<String>,
    /// monthly, quarterly or annually; absent for a one-time line.
    #[serde(default, deserialize_with = "text")]
    pub billing_frequency: Option<String>,
    /// The first day billed (YYYY-MM-DD).
    #[serde(default, deserialize_with = "text")]
    pub start_date: Option<String>,
    /// The term as an ISO 8601 period in months or years ("P12M", "P3Y"), as HubSpot's
    /// `hs_recurring_billing_period`, or a bare number of months.
    #[serde(default, deserialize_with = "text")]
    pub term: Option<String>,
}

/// Reads a string, number or boolean as trimmed text; empty text and null are absent.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(serde_json::Value::String(text)) => Some(text.trim().to_string()),
        Some(serde_json::Value::Number(number)) => Some(number.to_string()),
        Some(serde_json::Value::Bool(flag)) => Some(flag.to_string()),
        Some(serde_json::Value::Null) | None => None,
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "expected text or a number, found {other}"
            )))
        }
    }
    .filter(|text| !text.is_empty()))
}

/// What the line items give the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinesSummary {
    pub product_name: String,
    pub arr: Money,
    pub frequency: BillingFrequency,
    pub dates: Option<(NaiveDate, NaiveDate)>,
}

/// One readable line.
struct ReadLine {
    name: String,
    per_period: Money,
    frequency: BillingFrequency,
    start: Option<NaiveDate>,
    months: Option<u32>,
}

/// The deal part with what its line items give laid over it (the lines' product, ARR, frequency
/// and dates replace the deal-level ones; ratable fills an empty recognition type), and the
/// gaps: one per line item value revops cannot read. With any gap, the part is returned as it
/// came.
pub fn apply(part: &DealPart) -> (DealPart, Vec<String>) {
    if part.line_items.is_empty() {
        return (part.clone(), Vec::new());
    }
    match summarise(part) {
        Ok(summary) => {
            let mut filled = part.clone();
            filled.product_name = Some(summary.product_name);
            filled.arr = Some(MoneyInput {
                amount: summary.arr.amount_string(),
                currency: summary.arr.currency().code().to_string(),
            });
            filled.billing_frequency = Some(summary.frequency);
            if let Some((start, end)) = summary.dates {
                filled.start_date = Some(start);
                filled.end_date = Some(end);
            }
            if filled.revenue_recognition_type.is_none() {
                filled.revenue_recognition_type = Some(RevenueRecognitionType::Ratable);
            }
            (filled, Vec::new())
        }
        Err(gaps) => (part.clone(), gaps),
    }
}

/// The summary of the part's line items, or every problem found, each naming its line.
pub fn summarise(part: &DealPart) -> Result<LinesSummary, Vec<String>> {
    let mut gaps = Vec::new();
    if part.line_items.len() > MAX_LINE_ITEMS {
        return Err(vec![format!(
            "deal.lineItems: more than {MAX_LINE_ITEMS} line items; enter the deal by hand."
        )]);
    }
    let fallback = part
        .billing_currency
        .clone()
        .or_else(|| part.tcv.as_ref().map(|money| money.currency.clone()))
        .or_else(|| part.arr.as_ref().map(|money| money.currency.clone()));
    let mut read = Vec::new();
    for (index, line) in part.line_items.iter().enumerate() {
        match read_line(index, line, fallback.as_deref()) {
            Ok(line) => read.push(line),
            Err(problems) => gaps.extend(problems),
        }
    }
    if !gaps.is_empty() {
        return Err(gaps);
    }
    let Some(first) = read.first() else {
        return Err(vec!["deal.lineItems: no line items.".into()]);
    };
    let frequency = first.frequency;
    if let Some(other) = read.iter().find(|line| line.frequency != frequency) {
        return Err(vec![format!(
            "deal.lineItems: \"{}\" bills {} and \"{}\" {}; a deal bills at one frequency, so enter them as separate deals.",
            first.name,
            frequency.as_str(),
            other.name,
            other.frequency.as_str()
        )]);
    }
    let currency = first.per_period.currency();
    if let Some(other) = read
        .iter()
        .find(|line| line.per_period.currency() != currency)
    {
        return Err(vec![format!(
            "deal.lineItems: \"{}\" is in {} and \"{}\" in {}; a deal has one currency.",
            first.name,
            currency.code(),
            other.name,
            other.per_period.currency().code()
        )]);
    }
    let periods = Decimal::from(frequency.periods_per_year().unwrap_or(1));
    let mut arr = Money::zero(currency);
    for line in &read {
        let annual = line
            .per_period
            .checked_mul_decimal(periods, RoundingStrategy::MidpointAwayFromZero)
            .and_then(|annual| arr.checked_add(annual));
        match annual {
            Ok(sum) => arr = sum,
            Err(error) => {
                return Err(vec![format!(
                    "deal.lineItems: the line items' annual value is out of range ({error})."
                )])
            }
        }
    }
    let dates = match (first.start, first.months) {
        (Some(start), Some(months))
            if read
                .iter()
                .all(|line| line.start == Some(start) && line.months == Some(months)) =>
        {
            let end = start
                .checked_add_months(Months::new(months))
                .ok_or_else(|| {
                    vec![format!(
                        "deal.lineItems: a term of {months} months from {start} is out of range."
                    )]
                })?;
            Some((start, end))
        }
        _ if read
            .iter()
            .any(|line| line.start.is_some() || line.months.is_some()) =>
        {
            return Err(vec![
                "deal.lineItems: the line items do not share one start date and term; a deal has one term, so enter the dates by hand or split the deal.".into(),
            ]);
        }
        _ => None,
    };
    Ok(LinesSummary {
        product_name: read
            .iter()
            .map(|line| line.name.as_str())
            .collect::<Vec<_>>()
            .join(" + "),
        arr,
        frequency,
        dates,
    })
}

/// Reads one line; the problems name `deal.lineItems[index].<field>` and the line.
fn read_line(
    index: usize,
    line: &LineItemPart,
    fallback_currency: Option<&str>,
) -> Result<ReadLine, Vec<String>> {
    let label = match (&line.product_name, &line.reference) {
        (Some(name), Some(reference)) => format!(" (\"{name}\", CRM line item {reference})"),
        (Some(name), None) => format!(" (\"{name}\")"),
        (None, Some(reference)) => format!(" (CRM line item {reference})"),
        (None, None) => String::new(),
    };
    let mut problems = Problems {
        index,
        label,
        found: Vec::new(),
    };
    let name = line.product_name.clone();
    if name.is_none() {
        problems.add("productName", "the line item names no product.".into());
    }
    let currency = problems.currency(line.currency.as_deref().or(fallback_currency));
    let quantity = problems.quantity(line.quantity.as_deref());
    let unit_price = match line.unit_price.as_deref() {
        None => {
            problems.add("unitPrice", "the unit price is missing.".into());
            None
        }
        Some(text) => currency.and_then(|currency| problems.money("unitPrice", text, currency)),
    };
    let amount = line
        .amount
        .as_deref()
        .and_then(|text| currency.and_then(|currency| problems.money("amount", text, currency)));
    let frequency = problems.frequency(line.billing_frequency.as_deref());
    let start = problems.start(line.start_date.as_deref());
    let months = problems.term(line.term.as_deref());
    let per_period = match (amount, unit_price, quantity) {
        (Some(amount), _, _) => Some(amount),
        (None, Some(price), Some(quantity)) => {
            match price.checked_mul_decimal(quantity, RoundingStrategy::MidpointAwayFromZero) {
                Ok(total) => Some(total),
                Err(error) => {
                    problems.add(
                        "quantity",
                        format!("quantity × unit price is out of range ({error})."),
                    );
                    None
                }
            }
        }
        _ => None,
    };
    match (name, per_period, frequency, problems.found.is_empty()) {
        (Some(name), Some(per_period), Some(frequency), true) => Ok(ReadLine {
            name,
            per_period,
            frequency,
            start,
            months,
        }),
        _ => Err(problems.found),
    }
}

/// The problems found on one line, each naming the line's field and the line.
struct Problems {
    index: usize,
    label: String,
    found: Vec<String>,
}

impl Problems {
    fn add(&mut self, field: &str, message: String) {
        self.found.push(format!(
            "deal.lineItems[{}].{field}{}: {message}",
            self.index, self.label
        ));
    }

    /// The line's currency, or the deal's when the line gives none.
    fn currency(&mut self, code: Option<&str>) -> Option<Currency> {
        match code {
            Some(code) => match Currency::parse(code) {
                Ok(currency) => Some(currency),
                Err(error) => {
                    self.add("currency", format!("{error}."));
                    None
                }
            },
            None => {
                self.add(
                    "currency",
                    "no currency is given for the line or the deal.".into(),
                );
                None
            }
        }
    }

    /// A quantity above zero.
    fn quantity(&mut self, text: Option<&str>) -> Option<Decimal> {
        match text {
            None => {
                self.add("quantity", "the quantity is missing.".into());
                None
            }
            Some(text) => match Decimal::from_str(text) {
                Ok(quantity) if quantity > Decimal::ZERO => Some(quantity),
                _ => {
                    self.add(
                        "quantity",
                        format!("\"{text}\" is not a quantity above zero."),
                    );
                    None
                }
            },
        }
    }

    /// An amount in the line's currency, not below zero.
    fn money(&mut self, field: &str, text: &str, currency: Currency) -> Option<Money> {
        match Money::parse(text, currency) {
            Ok(money) if money.to_decimal() >= Decimal::ZERO => Some(money),
            Ok(_) => {
                self.add(field, format!("\"{text}\" is below zero."));
                None
            }
            Err(error) => {
                self.add(
                    field,
                    format!(
                        "\"{text}\" is not an amount in {} ({error}).",
                        currency.code()
                    ),
                );
                None
            }
        }
    }

    /// A recurring frequency revops bills; a one-time line cannot come with a subscription deal.
    fn frequency(&mut self, text: Option<&str>) -> Option<BillingFrequency> {
        match text {
            None => {
                self.add(
                    "billingFrequency",
                    "a one-time line item cannot be billed with a subscription deal yet; enter it as a deal of its own.".into(),
                );
                None
            }
            Some(text) => match BillingFrequency::parse(&text.to_ascii_lowercase())
                .filter(|frequency| frequency.periods_per_year().is_some())
            {
                Some(frequency) => Some(frequency),
                None => {
                    self.add(
                        "billingFrequency",
                        format!("\"{text}\" is not a frequency revops bills (monthly, quarterly or annually)."),
                    );
                    None
                }
            },
        }
    }

    /// The line's own start date, when given (a timestamp's date part is enough).
    fn start(&mut self, text: Option<&str>) -> Option<NaiveDate> {
        let text = text?;
        match NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                self.add(
                    "startDate",
                    format!("\"{text}\" is not a date (YYYY-MM-DD)."),
                );
                None
            }
        }
    }

    /// The line's own term in months, when given.
    fn term(&mut self, text: Option<&str>) -> Option<u32> {
        let text = text?;
        match term_months(text) {
            Some(months) => Some(months),
            None => {
                self.add(
                    "term",
                    format!("\"{text}\" is not a term in months or years (P12M, P3Y)."),
                );
                None
            }
        }
    }
}

/// Months in an ISO 8601 period of whole months or years ("P12M", "P3Y", "P1Y6M"), or a bare
/// number of months; `None` for anything else or zero.
fn term_months(text: &str) -> Option<u32> {
    let text = text.trim().to_ascii_uppercase();
    if let Ok(months) = text.parse::<u32>() {
        return (months > 0).then_some(months);
    }
    let mut rest = text.strip_prefix('P')?;
    let mut months: u32 = 0;
    let mut any = false;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let (number, tail) = rest.split_at(digits);
        let number: u32 = number.parse().ok()?;
        let unit = tail.chars().next()?;
        months = months.checked_add(match unit {
            'Y' => number.checked_mul(12)?,
            'M' => number,
            _ => return None,
        })?;
        any = true;
        rest = &tail[1..];
    }
    (any && months > 0).then_some(months)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(lines: serde_json::Value) -> DealPart {
        serde_json::from_value(serde_json::json!({ "billingCurrency": "USD", "lineItems": lines }))
            .unwrap_or_default()
    }

    /// Two annual lines give the product names, the ARR and the term's dates.
    #[test]
    fn line_items_give_product_arr_frequency_and_dates() {
        let part = part(serde_json::json!([
            { "reference": 1, "productName": "Platform seats", "quantity": 25, "unitPrice": "1200.00", "billingFrequency": "annually", "startDate": "2026-12-01", "term": "P36M" },
            { "reference": "2", "productName": "Premium support", "quantity": "1", "unitPrice": "7000", "amount": "6000.00", "billingFrequency": "Annually", "startDate": "2026-12-01", "term": "P3Y" }
        ]));
        let summary = summarise(&part);
        let Ok(summary) = summary else {
            panic!("{summary:?}");
        };
        assert_eq!(summary.product_name, "Platform seats + Premium support");
        assert_eq!(summary.arr.amount_string(), "36000.00");
        assert_eq!(summary.frequency, BillingFrequency::Annually);
        assert_eq!(
            summary.dates,
            NaiveDate::from_ymd_opt(2026, 12, 1).zip(NaiveDate::from_ymd_opt(2029, 12, 1))
        );
    }

    /// A bad value is a gap naming the line and field, and then nothing comes from the lines.
    #[test]
    fn a_bad_value_is_a_named_gap_and_nothing_is_taken() {
        let bad = part(serde_json::json!([
            { "reference": "9", "productName": "Platform seats", "quantity": 2, "unitPrice": "100", "billingFrequency": "monthly" },
            { "reference": "10", "productName": "Onboarding", "quantity": "1,5", "unitPrice": "twelve", "billingFrequency": "monthly" }
        ]));
        let (filled, gaps) = apply(&bad);
        assert_eq!(filled, bad);
        assert_eq!(gaps.len(), 2, "{gaps:?}");
        assert!(
            gaps[0].starts_with("deal.lineItems[1].quantity (\"Onboarding\", CRM line item 10)")
        );
        assert!(gaps[1].starts_with("deal.lineItems[1].unitPrice"));
        let mixed = part(serde_json::json!([
            { "productName": "A", "quantity": 1, "unitPrice": "1", "billingFrequency": "monthly" },
            { "productName": "B", "quantity": 1, "unitPrice": "1", "billingFrequency": "annually" }
        ]));
        assert!(summarise(&mixed).is_err_and(|gaps| gaps[0].contains("one frequency")));
        let one_time = part(
            serde_json::json!([{ "productName": "Setup", "quantity": 1, "unitPrice": "500" }]),
        );
        assert!(summarise(&one_time).is_err_and(|gaps| gaps[0].contains("one-time")));
    }

    #[test]
    fn terms_read_in_months_or_years() {
        assert_eq!(term_months("P12M"), Some(12));
        assert_eq!(term_months("P3Y"), Some(36));
        assert_eq!(term_months("P1Y6M"), Some(18));
        assert_eq!(term_months("24"), Some(24));
        assert_eq!(term_months("P0M"), None);
        assert_eq!(term_months("P2W"), None);
        assert_eq!(term_months("twelve"), None);
    }
}
