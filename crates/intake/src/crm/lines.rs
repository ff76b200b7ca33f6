//! A CRM deal's line items (`deal.lineItems` of the JSON notification; HubSpot's line items are
//! mapped into the same shape), and how they become the deal's lines (`deals::lines`): one deal
//! line per line item, with its product, quantity, unit price, frequency and dates, so the deal's
//! product, TCV and ARR are computed from them as billing will bill them.
//! - A recurring line item (monthly, quarterly or annually) is a subscription line.
//! - A one-time line item is a line whose kind VP RevOps still chooses (a licence, a milestone
//!   or hours): the checklist asks for it.
//! - A line's price is the CRM's price per billing period after discounts: its `amount` ÷
//!   quantity when the CRM gives an amount, else the unit price.
//! - Each line keeps its own dates when it has them (its start and its term), and the deal's term
//!   runs from the first line's start to the last line's end.
//!
//! Values are read as text, because they are CRM data the caller cannot always correct: a value
//! revops cannot read (a price that is not an amount, a frequency it does not bill) does not
//! refuse the notification. It becomes a gap naming the line and field for VP RevOps, and then
//! nothing at all is taken from the lines, so the deal never holds part of the order.

use super::event::DealPart;
use crate::deals::{BillingFrequency, ContractLineKind, DealLineInput};
use crate::money::{Currency, Money};
use crate::values::{IsoDate, MoneyInput};
use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize};
use std::str::FromStr;

/// At most this many line items are read from one deal (the deal's own limit).
pub const MAX_LINE_ITEMS: usize = crate::deals::lines::MAX_LINES;

/// One line item as the CRM sends it. Numbers may come as JSON numbers or text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItemPart {
    /// The CRM's id of the line item, named in gaps and kept on the deal line.
    #[serde(default, deserialize_with = "text")]
    pub reference: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub product_name: Option<String>,
    /// The CRM's product id (HubSpot `hs_product_id`); kept with the notification for the record.
    #[serde(default, deserialize_with = "text")]
    pub product_ref: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub quantity: Option<String>,
    /// The price of one unit per billing period (one-time lines: of one unit).
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

/// What the line items give the deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinesSummary {
    pub lines: Vec<DealLineInput>,
    /// The deal's term: the first line's start to the last line's end, when every line has both.
    pub dates: Option<(NaiveDate, NaiveDate)>,
    /// What was read differently from how the CRM wrote it, each naming its line.
    pub notes: Vec<String>,
}

/// One readable line.
struct ReadLine {
    name: String,
    reference: Option<String>,
    quantity: Decimal,
    unit_price: Money,
    frequency: Option<BillingFrequency>,
    dates: Option<(NaiveDate, NaiveDate)>,
    note: Option<String>,
}

/// The deal part with its line items read into deal lines (and the term they give the deal),
/// and the gaps and notes: a gap per line item value revops cannot read. With any gap the part
/// is returned as it came.
pub fn apply(part: &DealPart) -> (DealPart, Vec<String>) {
    if part.line_items.is_empty() {
        return (part.clone(), Vec::new());
    }
    match summarise(part) {
        Ok(summary) => {
            let mut filled = part.clone();
            filled.lines = Some(summary.lines);
            // The deal's product, amounts, frequency and recognition come from its lines now;
            // the CRM's deal-level values would only disagree with them.
            filled.product_name = None;
            filled.tcv = None;
            filled.arr = None;
            filled.billing_frequency = None;
            filled.revenue_recognition_type = None;
            if let Some((start, end)) = summary.dates {
                filled.start_date = Some(start);
                filled.end_date = Some(end);
            }
            (filled, summary.notes)
        }
        Err(gaps) => (part.clone(), gaps),
    }
}

/// The part's line items as deal lines, or every problem found, each naming its line.
pub fn summarise(part: &DealPart) -> Result<LinesSummary, Vec<String>> {
    let mut gaps = Vec::new();
    if part.line_items.len() > MAX_LINE_ITEMS {
        return Err(vec![format!(
            "deal.lineItems: more than {MAX_LINE_ITEMS} line items; bring the order in as a contract import."
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
    let currency = first.unit_price.currency();
    if let Some(other) = read
        .iter()
        .find(|line| line.unit_price.currency() != currency)
    {
        return Err(vec![format!(
            "deal.lineItems: \"{}\" is in {} and \"{}\" in {}; a deal has one currency.",
            first.name,
            currency.code(),
            other.name,
            other.unit_price.currency().code()
        )]);
    }
    let dates = read
        .iter()
        .map(|line| line.dates)
        .collect::<Option<Vec<_>>>()
        .and_then(|dates| {
            Some((
                dates.iter().map(|(start, _)| *start).min()?,
                dates.iter().map(|(_, end)| *end).max()?,
            ))
        });
    let notes = read.iter().filter_map(|line| line.note.clone()).collect();
    let lines = read
        .into_iter()
        .map(|line| DealLineInput {
            product_name: line.name,
            kind: line.frequency.map(|_| ContractLineKind::Subscription),
            quantity: Some(line.quantity.normalize().to_string()),
            unit_price: MoneyInput {
                amount: line.unit_price.amount_string(),
                currency: line.unit_price.currency().code().to_string(),
            },
            billing_frequency: line.frequency,
            start_date: line.dates.map(|(start, _)| IsoDate(start)),
            end_date: line.dates.map(|(_, end)| IsoDate(end)),
            reference: line.reference,
            // A CRM's line discount is already in its price after discount (above).
            discount: None,
            trial_ends_on: None,
        })
        .collect();
    Ok(LinesSummary {
        lines,
        dates,
        notes,
    })
}

/// The price of one unit: the CRM's amount after discounts ÷ quantity when it gives one and it
/// divides into whole minor units; else the amount for the whole line at quantity 1, noted.
fn price_per_unit(
    index: usize,
    name: &str,
    quantity: Decimal,
    price: Option<Money>,
    amount: Option<Money>,
) -> Option<(Decimal, Money, Option<String>)> {
    let Some(amount) = amount else {
        return Some((quantity, price?, None));
    };
    if price.is_some_and(|price| {
        price.checked_mul_decimal(quantity, RoundingStrategy::MidpointAwayFromZero) == Ok(amount)
    }) {
        return Some((quantity, price?, None));
    }
    // Checked: a CRM may send a quantity as small as 1e-28, and the quotient must not overflow.
    let whole = Decimal::from(amount.minor())
        .checked_div(quantity)
        .filter(|per_unit| per_unit.fract().is_zero())
        .and_then(|per_unit| i64::try_from(per_unit).ok());
    if let Some(minor) = whole {
        return Some((quantity, Money::from_minor(minor, amount.currency()), None));
    }
    Some((
        Decimal::ONE,
        amount,
        Some(format!(
            "deal.lineItems[{index}] (\"{name}\"): the amount after discounts, {amount}, is not a whole price for each of {} units, so the line is taken as 1 × {amount}.",
            quantity.normalize()
        )),
    ))
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
    let dates = match (start, months) {
        (Some(start), Some(months)) => {
            // The term's last service day: a 12-month term from 1 January ends 31 December.
            match start
                .checked_add_months(Months::new(months))
                .and_then(|after| after.pred_opt())
            {
                Some(end) => Some((start, end)),
                None => {
                    problems.add(
                        "term",
                        format!("a term of {months} months from {start} is out of range."),
                    );
                    None
                }
            }
        }
        // Without both, the line runs the deal's term.
        _ => None,
    };
    let priced = match (&name, quantity) {
        (Some(name), Some(quantity)) if problems.found.is_empty() => {
            price_per_unit(index, name, quantity, unit_price, amount)
        }
        _ => None,
    };
    match (name, priced, problems.found.is_empty()) {
        (Some(name), Some((quantity, unit_price, note)), true) => Ok(ReadLine {
            name,
            reference: line.reference.clone(),
            quantity,
            unit_price,
            frequency,
            dates,
            note,
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

    /// A recurring frequency revops bills; `None` for a one-time line (and for one it cannot
    /// read, which is a problem).
    fn frequency(&mut self, text: Option<&str>) -> Option<BillingFrequency> {
        match text {
            None => None,
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

    /// Two annual lines become two subscription lines of the deal, each with its quantity and
    /// its price per unit after the CRM's discount; the 36-month term ends the day before its
    /// third anniversary (the last service day).
    #[test]
    fn line_items_become_the_deals_lines() {
        let part = part(serde_json::json!([
            { "reference": 1, "productName": "Platform seats", "quantity": 25, "unitPrice": "1200.00", "billingFrequency": "annually", "startDate": "2026-12-01", "term": "P36M" },
            { "reference": "2", "productName": "Premium support", "quantity": "2", "unitPrice": "7000", "amount": "12000.00", "billingFrequency": "Annually", "startDate": "2026-12-01", "term": "P3Y" }
        ]));
        let summary = summarise(&part);
        let Ok(summary) = summary else {
            panic!("{summary:?}");
        };
        assert_eq!(summary.lines.len(), 2);
        let seats = &summary.lines[0];
        assert_eq!(seats.product_name, "Platform seats");
        assert_eq!(seats.kind, Some(ContractLineKind::Subscription));
        assert_eq!(seats.quantity.as_deref(), Some("25"));
        assert_eq!(seats.unit_price.amount, "1200.00");
        assert_eq!(seats.reference.as_deref(), Some("1"));
        let support = &summary.lines[1];
        assert_eq!(support.quantity.as_deref(), Some("2"));
        assert_eq!(support.unit_price.amount, "6000.00"); // 12,000.00 after discount ÷ 2
        let dates = NaiveDate::from_ymd_opt(2026, 12, 1).zip(NaiveDate::from_ymd_opt(2029, 11, 30));
        assert_eq!(summary.dates, dates);
        assert_eq!(
            seats.start_date.map(|date| date.0),
            dates.map(|(start, _)| start)
        );
        assert!(summary.notes.is_empty());
        let (filled, notes) = apply(&part);
        assert!(notes.is_empty());
        assert_eq!(filled.lines.as_ref().map(Vec::len), Some(2));
        assert_eq!(
            (filled.tcv.clone(), filled.product_name.clone()),
            (None, None)
        );
    }

    /// A discount that is not a whole price per unit keeps the CRM's amount exactly, as one
    /// unit, and says so.
    #[test]
    fn an_uneven_discount_keeps_the_amount_and_is_noted() {
        let part = part(serde_json::json!([
            { "productName": "Seats", "quantity": 3, "unitPrice": "100.00", "amount": "250.00", "billingFrequency": "monthly" }
        ]));
        let Ok(summary) = summarise(&part) else {
            panic!("not read");
        };
        assert_eq!(summary.lines[0].quantity.as_deref(), Some("1"));
        assert_eq!(summary.lines[0].unit_price.amount, "250.00");
        assert!(summary.notes[0].contains("not a whole price for each of 3 units"));
    }

    /// A quantity too small for the amount to divide by is read without overflowing: the line
    /// keeps the CRM's amount at quantity 1.
    #[test]
    fn a_tiny_quantity_with_an_amount_does_not_overflow() {
        let part = part(serde_json::json!([
            { "productName": "Seats", "quantity": "0.0000000000000000000000000001", "unitPrice": "1.00", "amount": "90000000000.00", "billingFrequency": "monthly" }
        ]));
        let Ok(summary) = summarise(&part) else {
            panic!("not read");
        };
        assert_eq!(summary.lines[0].quantity.as_deref(), Some("1"));
        assert_eq!(summary.lines[0].unit_price.amount, "90000000000.00");
    }

    /// A bad value is a gap naming the line and field, and then nothing comes from the lines.
    /// Mixed frequencies and one-time lines are lines like any other; a one-time line's kind is
    /// left for VP RevOps to choose.
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
        let weekly = part(serde_json::json!([
            { "productName": "A", "quantity": 1, "unitPrice": "1", "billingFrequency": "weekly" }
        ]));
        assert!(summarise(&weekly).is_err_and(|gaps| gaps[0].contains("billingFrequency")));
        let mixed = part(serde_json::json!([
            { "productName": "A", "quantity": 1, "unitPrice": "1", "billingFrequency": "monthly" },
            { "productName": "B", "quantity": 1, "unitPrice": "1", "billingFrequency": "annually" },
            { "productName": "Setup", "quantity": 1, "unitPrice": "500" }
        ]));
        let Ok(summary) = summarise(&mixed) else {
            panic!("mixed lines not read");
        };
        assert_eq!(
            summary.lines[1].billing_frequency,
            Some(BillingFrequency::Annually)
        );
        assert_eq!(summary.lines[2].kind, None);
        assert_eq!(summary.dates, None);
        let currencies = part(serde_json::json!([
            { "productName": "A", "quantity": 1, "unitPrice": "1", "billingFrequency": "monthly" },
            { "productName": "B", "quantity": 1, "unitPrice": "1", "currency": "EUR", "billingFrequency": "monthly" }
        ]));
        assert!(summarise(&currencies).is_err_and(|gaps| gaps[0].contains("one currency")));
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
