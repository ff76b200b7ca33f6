//! Renewal rules (DOMAIN "Renewals and expansion"): the status suggested from a renewal's risk
//! signals, which alert mark a renewal has reached, and the next term with its uplift. Pure.

use crate::billing::periods::add_months;
use crate::money::{Money, MoneyError};
use chrono::{Duration, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// The pipeline window and the days before renewal an owner is alerted.
pub const WINDOW_DAYS: i64 = 90;
pub const MARKS: [i64; 3] = [90, 60, 30];
/// The mark at which Yellow and Red renewals also go to the CRO and the VP CS.
pub const AT_RISK_MARK: i64 = 60;
/// Days without contact that make a renewal Yellow.
pub const CONTACT_DAYS: i64 = 30;
/// Days overdue that make a renewal Red.
pub const OVERDUE_DAYS: i64 = 30;
/// A fall in billed usage from one month to the next of more than this percent is a signal.
pub const USAGE_FALL_PERCENT: i64 = 10;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, async_graphql::Enum,
)]
pub enum RenewalStatus {
    Green,
    Yellow,
    Red,
}

impl RenewalStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            RenewalStatus::Green => "green",
            RenewalStatus::Yellow => "yellow",
            RenewalStatus::Red => "red",
        }
    }

    pub fn parse(text: &str) -> Option<RenewalStatus> {
        [
            RenewalStatus::Green,
            RenewalStatus::Yellow,
            RenewalStatus::Red,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }

    pub fn at_risk(&self) -> bool {
        *self != RenewalStatus::Green
    }
}

/// What is known about a renewal's customer on the day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signals {
    /// Days the customer's oldest overdue invoice is past due, if any.
    pub days_overdue: Option<i64>,
    pub open_disputes: i64,
    pub on_credit_hold: bool,
    /// Billed usage of the last two months charged, older first.
    pub usage: Option<(i64, i64)>,
    /// Days since the last logged contact; `None` when there was none.
    pub days_since_contact: Option<i64>,
}

/// One reason a renewal is not Green, with the status it calls for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signal {
    pub status: RenewalStatus,
    pub reason: String,
}

/// The signals that fire, most serious first.
pub fn signals(facts: &Signals) -> Vec<Signal> {
    let mut found = Vec::new();
    if facts.on_credit_hold {
        found.push(Signal {
            status: RenewalStatus::Red,
            reason: "Customer is on credit hold".into(),
        });
    }
    if let Some(days) = facts.days_overdue.filter(|days| *days > OVERDUE_DAYS) {
        found.push(Signal {
            status: RenewalStatus::Red,
            reason: format!("An invoice is {days} days overdue"),
        });
    }
    if facts.open_disputes > 0 {
        found.push(Signal {
            status: RenewalStatus::Yellow,
            reason: format!("{} open invoice dispute(s)", facts.open_disputes),
        });
    }
    if let Some((before, last)) = facts.usage {
        if before > 0 && (before - last) * 100 > before * USAGE_FALL_PERCENT {
            let fall = Decimal::from((before - last) * 100) / Decimal::from(before);
            found.push(Signal {
                status: RenewalStatus::Yellow,
                reason: format!(
                    "Billed usage fell {}% from the month before",
                    fall.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                ),
            });
        }
    }
    match facts.days_since_contact {
        None => found.push(Signal {
            status: RenewalStatus::Yellow,
            reason: "No contact logged".into(),
        }),
        Some(days) if days > CONTACT_DAYS => found.push(Signal {
            status: RenewalStatus::Yellow,
            reason: format!("No contact for {days} days"),
        }),
        Some(_) => {}
    }
    found.sort_by_key(|signal| std::cmp::Reverse(signal.status));
    found
}

/// The status the signals suggest: the most serious one, Green when none fires.
pub fn suggest(found: &[Signal]) -> RenewalStatus {
    found
        .iter()
        .map(|signal| signal.status)
        .max()
        .unwrap_or(RenewalStatus::Green)
}

/// The alert mark a renewal `days` away has reached: the smallest mark at or above `days`, so a
/// renewal first seen 45 days out gets its 60-day alert, and one 20 days out only the 30-day.
pub fn mark_reached(days: i64) -> Option<i64> {
    if days < 0 {
        return None;
    }
    MARKS.iter().rev().copied().find(|mark| days <= *mark)
}

/// The term after `[start, end]` (end inclusive): it starts the day after `end` and lasts as
/// many whole months as the current one (at least one).
pub fn next_term(start: NaiveDate, end: NaiveDate) -> (NaiveDate, NaiveDate) {
    let next_start = end + Duration::days(1);
    let mut months = 0u32;
    while months < 1200 && add_months(start, months + 1) <= next_start {
        months += 1;
    }
    let months = months.max(1);
    (
        next_start,
        add_months(next_start, months) - Duration::days(1),
    )
}

/// A price after an uplift of `percent` (e.g. 5 for 5 %), rounded half away from zero.
pub fn uplifted(price: Money, percent: Decimal) -> Result<Money, MoneyError> {
    price.checked_mul_decimal(
        Decimal::ONE + percent / Decimal::from(100),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn each_mark_is_reached_once_in_its_own_band() {
        // Proves a renewal passes 90, 60 and 30 in turn, and a late arrival skips to its band.
        assert_eq!(mark_reached(120), None);
        assert_eq!(mark_reached(90), Some(90));
        assert_eq!(mark_reached(61), Some(90));
        assert_eq!(mark_reached(60), Some(60));
        assert_eq!(mark_reached(45), Some(60));
        assert_eq!(mark_reached(30), Some(30));
        assert_eq!(mark_reached(0), Some(30));
        assert_eq!(mark_reached(-1), None);
    }

    #[test]
    fn the_worst_signal_sets_the_suggestion() {
        let quiet = Signals {
            days_since_contact: Some(3),
            ..Signals::default()
        };
        assert_eq!(suggest(&signals(&quiet)), RenewalStatus::Green);
        let silent = Signals::default();
        assert_eq!(suggest(&signals(&silent)), RenewalStatus::Yellow);
        let late = Signals {
            days_overdue: Some(31),
            open_disputes: 1,
            days_since_contact: Some(2),
            ..Signals::default()
        };
        let found = signals(&late);
        assert_eq!(suggest(&found), RenewalStatus::Red);
        assert_eq!(found[0].reason, "An invoice is 31 days overdue");
        let thirty = Signals {
            days_overdue: Some(30),
            days_since_contact: Some(30),
            ..Signals::default()
        };
        assert_eq!(suggest(&signals(&thirty)), RenewalStatus::Green);
        let falling = Signals {
            usage: Some((1_000, 850)),
            days_since_contact: Some(1),
            ..Signals::default()
        };
        assert_eq!(
            signals(&falling)[0].reason,
            "Billed usage fell 15% from the month before"
        );
        let steady = Signals {
            usage: Some((1_000, 950)),
            days_since_contact: Some(1),
            ..Signals::default()
        };
        assert!(signals(&steady).is_empty());
    }

    #[test]
    fn the_next_term_has_the_same_length_and_the_uplift_rounds_once() {
        assert_eq!(
            next_term(day("2026-01-01"), day("2026-12-31")),
            (day("2027-01-01"), day("2027-12-31"))
        );
        assert_eq!(
            next_term(day("2025-03-15"), day("2027-03-14")),
            (day("2027-03-15"), day("2029-03-14"))
        );
        assert_eq!(
            next_term(day("2026-02-01"), day("2026-02-10")),
            (day("2026-02-11"), day("2026-03-10"))
        );
        let price = Money::from_minor(100_000, Currency::USD);
        assert_eq!(
            uplifted(price, Decimal::from(5)).map(|m| m.minor()),
            Ok(105_000)
        );
        let odd = Money::from_minor(333, Currency::USD);
        assert_eq!(
            uplifted(odd, Decimal::new(35, 1)).map(|m| m.minor()),
            Ok(345)
        );
    }
}
