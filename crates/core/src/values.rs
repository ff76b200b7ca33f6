//! Small parsed values shared by areas: parse once at the edge, trust the type afterwards.

use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A calendar date, ISO 8601 (`2026-11-27`) on the wire: the `Date` scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IsoDate(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for IsoDate {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(IsoDate)
                .map_err(|_| {
                    InputValueError::custom(format!("\"{text}\" is not a date; use YYYY-MM-DD."))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for IsoDate {
    fn from(date: NaiveDate) -> IsoDate {
        IsoDate(date)
    }
}

/// Trims and requires a non-empty text of at most `max_chars` characters.
pub fn require_text(field: &str, text: &str, max_chars: usize) -> AppResult<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AppError::validation(field, "This field is required."));
    }
    if trimmed.chars().count() > max_chars {
        return Err(AppError::validation(
            field,
            format!("Keep this under {max_chars} characters."),
        ));
    }
    Ok(trimmed.to_string())
}

/// Like `require_text`, but blank means absent.
pub fn optional_text(
    field: &str,
    text: Option<&str>,
    max_chars: usize,
) -> AppResult<Option<String>> {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => require_text(field, text, max_chars).map(Some),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// A deliberately plain check: one `@`, a non-empty local part, a dotted domain, no spaces.
    pub fn parse(field: &str, text: &str) -> AppResult<EmailAddress> {
        let trimmed = text.trim().to_ascii_lowercase();
        let valid = match trimmed.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !trimmed.contains(char::is_whitespace)
                    && trimmed.len() <= 254
            }
            None => false,
        };
        if !valid {
            return Err(AppError::validation(
                field,
                format!("\"{}\" is not an e-mail address.", text.trim()),
            ));
        }
        Ok(EmailAddress(trimmed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub fn parse_currency(field: &str, code: &str) -> AppResult<Currency> {
    Currency::parse(code)
        .map_err(|error| AppError::validation(field, capitalise(&error.to_string())))
}

/// Parses a money input (`{amount, currency}`) and reports problems on `field.amount` or
/// `field.currency`.
pub fn parse_money(field: &str, amount: &str, currency: &str) -> AppResult<Money> {
    let currency = parse_currency(&format!("{field}.currency"), currency)?;
    Money::parse(amount.trim(), currency).map_err(|error| {
        AppError::validation(format!("{field}.amount"), capitalise(&error.to_string()))
    })
}

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
pub fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub fn capitalise(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => format!(
            "{}{}.",
            first.to_uppercase(),
            characters.as_str().trim_end_matches('.')
        ),
        None => String::new(),
    }
}

pub fn parse_id(field: &str, text: &str) -> AppResult<i64> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            AppError::validation(field, format!("\"{text}\" is not an id this API issued."))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_checked_plainly() {
        // Proves obvious non-addresses are refused and addresses are normalised to lower case.
        assert_eq!(
            EmailAddress::parse("email", " Ana@Example.COM ")
                .unwrap()
                .as_str(),
            "ana@example.com"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a na@example.com",
            "ana@.com",
        ] {
            assert!(EmailAddress::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn money_input_errors_name_the_subfield() {
        // Proves a bad amount is reported on `tcv.amount` and a bad currency on `tcv.currency`.
        match parse_money("tcv", "1.234", "USD") {
            Err(AppError::Validation { field, .. }) => assert_eq!(field, "tcv.amount"),
            other => panic!("{other:?}"),
        }
        match parse_money("tcv", "1", "XXX") {
            Err(AppError::Validation { field, .. }) => assert_eq!(field, "tcv.currency"),
            other => panic!("{other:?}"),
        }
    }
}

/// Money as clients send it: a decimal string and a currency code, never a JSON number.
#[derive(Debug, Clone, PartialEq, Eq, async_graphql::InputObject, Serialize, Deserialize)]
pub struct MoneyInput {
    /// Decimal string with at most the currency's decimals, e.g. "12400.50"; JPY "1200". At most
    /// 1,000,000,000,000 major units either side of zero (every money input has this bound).
    /// Spaces around the number are ignored; nothing else is (no exponents, separators or "+").
    pub amount: String,
    /// ISO 4217 code, e.g. "USD"; read case-insensitively ("usd" is USD) and returned in capitals.
    pub currency: String,
}

impl MoneyInput {
    pub fn parse(&self, field: &str) -> AppResult<Money> {
        parse_money(field, &self.amount, &self.currency)
    }
}
