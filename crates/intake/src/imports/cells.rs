//! Reading one cell as a value, with the message a person fixing the file needs: the pieces every
//! import kind shares (row errors, amounts, dates, codes).

use crate::money::{Currency, Money, MoneyError};
use async_graphql::SimpleObject;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A problem with one cell: the row as a spreadsheet numbers it (the header is row 1; row 0 is
/// the file as a whole), the column's header name, and what is wrong in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, SimpleObject)]
pub struct CellError {
    pub row: u32,
    pub column: String,
    pub message: String,
}

impl CellError {
    pub fn new(row: u32, column: &str, message: impl Into<String>) -> CellError {
        CellError {
            row,
            column: column.to_owned(),
            message: message.into(),
        }
    }

    /// A problem with the file rather than one cell.
    pub fn file(message: impl Into<String>) -> CellError {
        CellError::new(0, "file", message)
    }
}

/// The text of a required cell, or why it is missing.
pub fn required<'a>(text: &'a str, column: &str, row: u32) -> Result<&'a str, CellError> {
    if text.is_empty() {
        Err(CellError::new(
            row,
            column,
            "This column is required; the cell is empty.",
        ))
    } else {
        Ok(text)
    }
}

/// The text of an optional cell (`None` when empty), at most `max_chars` long.
pub fn optional(
    text: &str,
    column: &str,
    row: u32,
    max_chars: usize,
) -> Result<Option<String>, CellError> {
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max_chars {
        return Err(CellError::new(
            row,
            column,
            format!(
                "At most {max_chars} characters; this cell has {}.",
                text.chars().count()
            ),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// An ISO date (`2026-11-30`); spreadsheets' date cells arrive in this form already.
pub fn date(text: &str, column: &str, row: u32) -> Result<NaiveDate, CellError> {
    let text = required(text, column, row)?;
    // A date-time cell (midnight or not) counts by its date.
    let day = text.split('T').next().unwrap_or(text);
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
        CellError::new(
            row,
            column,
            format!("\"{text}\" is not a date; write it as YYYY-MM-DD, e.g. 2026-11-30."),
        )
    })
}

/// A plain decimal number (`12.5`).
pub fn decimal(text: &str, column: &str, row: u32) -> Result<Decimal, CellError> {
    Decimal::from_str(text.trim()).map_err(|_| {
        CellError::new(
            row,
            column,
            format!("\"{text}\" is not a number; write digits with a decimal point, e.g. 12.5."),
        )
    })
}

/// A renewal uplift in percent, 0 to 100 (`None` when the cell is empty), as the renewals area
/// takes it.
pub fn uplift_percent(text: &str, column: &str, row: u32) -> Result<Option<Decimal>, CellError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let value = decimal(text, column, row)?;
    if value < Decimal::ZERO || value > Decimal::from(100) || value.scale() > 4 {
        return Err(CellError::new(
            row,
            column,
            "The uplift must be between 0 and 100 percent, to at most 4 decimal places.",
        ));
    }
    Ok(Some(value))
}

/// An ISO 4217 currency code, any case.
pub fn currency(text: &str, column: &str, row: u32) -> Result<Currency, CellError> {
    let text = required(text, column, row)?;
    Currency::parse(&text.to_uppercase()).map_err(|_| {
        CellError::new(
            row,
            column,
            format!("\"{text}\" is not an ISO 4217 currency code such as USD or EUR."),
        )
    })
}

/// An amount in `currency`: a plain decimal (`12400.50`), or one with comma thousands separators
/// (`12,400.50`) as spreadsheets export it; never more decimals than the currency has.
pub fn amount(text: &str, currency: Currency, column: &str, row: u32) -> Result<Money, CellError> {
    let text = required(text, column, row)?;
    let plain = without_thousands_separators(text);
    Money::parse(&plain, currency).map_err(|error| {
        let message = match error {
            MoneyError::TooManyDecimals { decimals, .. } => format!(
                "\"{text}\" has more decimals than {} allows ({decimals}).",
                currency.code()
            ),
            MoneyError::AboveMaximum { maximum, .. } => {
                format!("\"{text}\" is beyond the largest amount revops accepts ({maximum}).")
            }
            _ => format!(
                "\"{text}\" is not an amount; write digits with a decimal point, e.g. 12400.50."
            ),
        };
        CellError::new(row, column, message)
    })
}

/// `12,400.50` → `12400.50` when the commas group thousands exactly; anything else unchanged
/// (so `1,5` stays and is refused rather than read as 15).
fn without_thousands_separators(text: &str) -> String {
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|group| group.len() == 3)
        && groups
            .iter()
            .all(|group| group.bytes().all(|byte| byte.is_ascii_digit()));
    if !grouped {
        return text.to_owned();
    }
    match fraction {
        Some(fraction) => format!("{sign}{}.{fraction}", groups.concat()),
        None => format!("{sign}{}", groups.concat()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Amounts read as a spreadsheet writes them, and refuse what would change their value.
    #[test]
    fn amounts_accept_thousands_separators_only_when_exact() -> Result<(), CellError> {
        let usd = Currency::USD;
        assert_eq!(amount("12,400.50", usd, "a", 2)?.minor(), 1_240_050);
        assert_eq!(amount("1,234,567", usd, "a", 2)?.minor(), 123_456_700);
        assert_eq!(amount("-1,000.5", usd, "a", 2)?.minor(), -100_050);
        assert!(amount("1,5", usd, "a", 2).is_err());
        assert!(amount("12,40.50", usd, "a", 2).is_err());
        assert!(amount("1.005", usd, "a", 2)
            .err()
            .is_some_and(|error| error.message.contains("decimals")));
        assert!(amount("", usd, "a", 2)
            .err()
            .is_some_and(|error| error.message.contains("required")));
        Ok(())
    }

    /// Dates are ISO; anything else says how to write them.
    #[test]
    fn dates_are_iso() -> Result<(), CellError> {
        assert_eq!(
            date("2026-02-28", "d", 3)?,
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap_or_default()
        );
        assert_eq!(
            date("2026-02-28T00:00:00", "d", 3)?,
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap_or_default()
        );
        let error = date("02/28/2026", "d", 3).err();
        assert!(error.is_some_and(|error| error.row == 3 && error.message.contains("YYYY-MM-DD")));
        Ok(())
    }
}
