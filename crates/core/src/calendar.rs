//! The calendar every area shares: half-open day ranges, month steps that keep the anchor day,
//! and months as `[first, first of next)` with their "YYYY-MM" key. Billing periods, revenue
//! periods, commission months, ledger periods and the dashboard all count days and months here,
//! so a day is counted the same way in every number.

use crate::error::{AppError, AppResult};
use chrono::{Datelike, Months, NaiveDate};

/// The one day count of billing and of everything that prorates by service days (commission
/// clawbacks too): the days of the half-open `[from, until)`, none when it is empty. A
/// cancellation effective `from` leaves `[from, until)` unserved: its effective date is the first
/// day without service.
pub fn days_between(from: NaiveDate, until: NaiveDate) -> i64 {
    (until - from).num_days().max(0)
}

/// The exclusive end of a term written, as contracts are, with its last service day.
pub fn after_last_day(last_day: NaiveDate) -> NaiveDate {
    last_day.succ_opt().unwrap_or(last_day)
}

/// `anchor` moved by `months`, keeping the anchor's day where the month has it.
pub fn add_months(anchor: NaiveDate, months: u32) -> NaiveDate {
    anchor
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The calendar month `[first, first of next)` containing `date`, and its key "YYYY-MM".
pub fn month_of(date: NaiveDate) -> (NaiveDate, NaiveDate, String) {
    let first = NaiveDate::from_ymd_opt(date.year(), date.month(), 1).unwrap_or(date);
    (
        first,
        add_months(first, 1),
        format!("{:04}-{:02}", date.year(), date.month()),
    )
}

/// A period "YYYY-MM" as its first day and the first day of the next month.
pub fn parse_period(field: &str, text: &str) -> AppResult<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").map_err(|_| {
        AppError::validation(field, format!("{text:?} is not a month; write it YYYY-MM."))
    })?;
    if text.len() != 7 {
        return Err(AppError::validation(
            field,
            format!("{text:?} is not a month; write it YYYY-MM."),
        ));
    }
    let (_, next, _) = month_of(first);
    Ok((first, next))
}
