//! The credit policy's exposure rule (DOMAIN, "Credit policy"): a customer's exposure is what it
//! owes (open invoices), what is about to be invoiced (held drafts) and what its recurring lines
//! bill in the next 30 days, in the currency of its credit limit. A deal approval, a renewal or
//! an invoice that takes exposure over the limit needs a VP Finance. Pure: the service gathers
//! the amounts, these functions decide and say why.

use crate::money::{Currency, Money, MoneyError};
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// Days ahead whose scheduled invoices count towards exposure.
pub const WINDOW_DAYS: u64 = 30;

/// The last day whose scheduled charges count on `as_of`.
pub fn window_end(as_of: NaiveDate) -> NaiveDate {
    as_of
        .checked_add_days(Days::new(WINDOW_DAYS))
        .unwrap_or(as_of)
}

/// One customer's exposure on a date, each part already in the limit's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    pub customer_name: String,
    pub limit: Money,
    /// Open amounts of issued invoices.
    pub open: Money,
    /// Totals of drafts waiting to be issued (held by the bill run).
    pub waiting: Money,
    /// Recurring charges of running lines due after the as-of date and within the window.
    pub scheduled: Money,
    /// Customer credit held and not yet applied (overpayments, a deposit paid in advance): it
    /// offsets what the customer owes.
    pub credit: Money,
    /// Currencies with amounts but no FX rate to the limit's currency: exposure cannot be known.
    pub unconverted: Vec<String>,
    /// The credit policy takes a deposit above the limit from this customer (a new customer or a
    /// prior late payer) instead of a VP Finance's approval.
    pub takes_deposit: bool,
}

impl Exposure {
    /// Nothing owed or scheduled, against `limit`.
    pub fn nothing(customer_name: &str, limit: Money) -> Exposure {
        let zero = Money::zero(limit.currency());
        Exposure {
            customer_name: customer_name.to_string(),
            limit,
            open: zero,
            waiting: zero,
            scheduled: zero,
            credit: zero,
            unconverted: Vec::new(),
            takes_deposit: false,
        }
    }

    pub fn total(&self) -> Result<Money, MoneyError> {
        self.open
            .checked_add(self.waiting)?
            .checked_add(self.scheduled)?
            .checked_sub(self.credit)
    }

    pub fn currency(&self) -> Currency {
        self.limit.currency()
    }
}

/// What taking on `adding` does to a customer's exposure, and whether it needs a VP Finance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditCheck {
    pub limit: Money,
    /// Open invoices, held drafts and the next 30 days' scheduled charges, before this.
    pub exposure: Money,
    pub open: Money,
    pub waiting: Money,
    pub scheduled: Money,
    pub credit: Money,
    /// What this deal, renewal or invoice adds within the window.
    pub adding: Money,
    pub after: Money,
    /// How far `after` is over the limit; None when within it.
    pub over_by: Option<Money>,
    /// True when a VP Finance must approve (over the limit, or exposure cannot be converted).
    pub needs_vp_finance: bool,
    /// Over the limit, for a customer its policy takes a deposit from: the deposit (paid in
    /// advance and held as customer credit) that brings it back within the limit.
    pub deposit: Option<Money>,
    /// The whole reckoning in one sentence, every amount with its currency.
    pub explanation: String,
}

/// Checks `adding` (what `what` puts on the customer within the window; `None` for the
/// exposure as it stands) against the limit. Over the limit, or with an amount in a currency
/// that has no rate, it needs a VP Finance.
pub fn check(
    exposure: &Exposure,
    adding: Money,
    what: Option<&str>,
) -> Result<CreditCheck, MoneyError> {
    let before = exposure.total()?;
    let after = before.checked_add(adding)?;
    let over = after.checked_sub(exposure.limit)?;
    let over_by = (over.minor() > 0).then_some(over);
    let mut parts = format!(
        "open invoices {}, drafts waiting {}, due in the next {WINDOW_DAYS} days {}",
        exposure.open, exposure.waiting, exposure.scheduled
    );
    if !exposure.credit.is_zero() {
        parts.push_str(&format!(", less customer credit held {}", exposure.credit));
    }
    if let Some(what) = what {
        parts.push_str(&format!(", {what} {adding}"));
    }
    let name = &exposure.customer_name;
    let limit = exposure.limit;
    let explanation = if !exposure.unconverted.is_empty() {
        format!(
            "{name}'s exposure cannot be checked against its credit limit {limit}: no FX rate for {} to {}. A VP Finance must approve, or add the rate first.",
            exposure.unconverted.join(", "),
            exposure.currency().code()
        )
    } else {
        match (what, over_by) {
            (Some(what), Some(over)) => format!(
                "{} takes {name}'s exposure to {after} ({parts}), over its credit limit {limit} by {over}. A VP Finance must approve, or raise the limit first.",
                capitalised(what)
            ),
            (Some(what), None) => format!(
                "{name}'s exposure with {what} is {after} ({parts}), within its credit limit {limit}."
            ),
            (None, Some(over)) => format!(
                "{name}'s exposure is {after} ({parts}), over its credit limit {limit} by {over}."
            ),
            (None, None) => {
                format!("{name}'s exposure is {after} ({parts}), within its credit limit {limit}.")
            }
        }
    };
    Ok(CreditCheck {
        limit,
        exposure: before,
        open: exposure.open,
        waiting: exposure.waiting,
        scheduled: exposure.scheduled,
        credit: exposure.credit,
        adding,
        after,
        needs_vp_finance: over_by.is_some() || !exposure.unconverted.is_empty(),
        deposit: over_by.filter(|_| exposure.takes_deposit && exposure.unconverted.is_empty()),
        over_by,
        explanation,
    })
}

fn capitalised(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("USD").unwrap())
    }

    fn exposure(open: i64, waiting: i64, scheduled: i64, limit: i64) -> Exposure {
        Exposure {
            customer_name: "Hooli".into(),
            limit: usd(limit),
            open: usd(open),
            waiting: usd(waiting),
            scheduled: usd(scheduled),
            credit: usd(0),
            unconverted: Vec::new(),
            takes_deposit: false,
        }
    }

    #[test]
    fn within_the_limit_needs_nobody_and_says_the_headroom_in_words() {
        let checked = check(
            &exposure(400_000, 0, 120_000, 1_000_000),
            usd(120_000),
            Some("this deal"),
        )
        .unwrap();
        assert!(!checked.needs_vp_finance);
        assert_eq!(checked.over_by, None);
        assert_eq!(checked.after, usd(640_000));
        assert_eq!(
            checked.explanation,
            "Hooli's exposure with this deal is USD 6,400.00 (open invoices USD 4,000.00, drafts waiting USD 0.00, due in the next 30 days USD 1,200.00, this deal USD 1,200.00), within its credit limit USD 10,000.00."
        );
    }

    #[test]
    fn exactly_at_the_limit_is_within_it() {
        let checked = check(
            &exposure(500_000, 0, 0, 1_000_000),
            usd(500_000),
            Some("this deal"),
        )
        .unwrap();
        assert!(!checked.needs_vp_finance);
    }

    #[test]
    fn a_cent_over_the_limit_needs_a_vp_finance_and_says_by_how_much() {
        let checked = check(
            &exposure(500_000, 100, 0, 1_000_000),
            usd(499_901),
            Some("this invoice"),
        )
        .unwrap();
        assert!(checked.needs_vp_finance);
        assert_eq!(checked.over_by, Some(usd(1)));
        assert!(checked.explanation.starts_with(
            "This invoice takes Hooli's exposure to USD 10,000.01 (open invoices USD 5,000.00, drafts waiting USD 1.00"
        ));
        assert!(checked
            .explanation
            .ends_with("over its credit limit USD 10,000.00 by USD 0.01. A VP Finance must approve, or raise the limit first."));
    }

    #[test]
    fn an_amount_without_a_rate_cannot_be_checked_and_needs_a_vp_finance() {
        let mut unknown = exposure(0, 0, 0, 1_000_000);
        unknown.unconverted = vec!["EUR".into()];
        let checked = check(&unknown, usd(0), None).unwrap();
        assert!(checked.needs_vp_finance);
        assert_eq!(checked.over_by, None);
        assert!(checked.explanation.contains("no FX rate for EUR to USD"));
    }

    #[test]
    fn the_exposure_as_it_stands_reads_without_an_addition() {
        let checked = check(&exposure(1_100_000, 0, 0, 1_000_000), usd(0), None).unwrap();
        assert_eq!(
            checked.explanation,
            "Hooli's exposure is USD 11,000.00 (open invoices USD 11,000.00, drafts waiting USD 0.00, due in the next 30 days USD 0.00), over its credit limit USD 10,000.00 by USD 1,000.00."
        );
    }

    #[test]
    fn customer_credit_held_offsets_exposure_and_is_named() {
        let mut prepaid = exposure(0, 0, 0, 1_000_000);
        prepaid.credit = usd(440_000);
        let checked = check(&prepaid, usd(1_440_000), Some("this deal")).unwrap();
        assert!(!checked.needs_vp_finance);
        assert_eq!(checked.after, usd(1_000_000));
        assert!(checked
            .explanation
            .contains("due in the next 30 days USD 0.00, less customer credit held USD 4,400.00, this deal USD 14,400.00"));
    }

    #[test]
    fn the_window_is_thirty_days_after_the_as_of_date() {
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        assert_eq!(window_end(day("2026-12-07")), day("2027-01-06"));
    }

    proptest! {
        /// Needing a VP Finance is exactly "after is over the limit" when every amount converted.
        #[test]
        fn a_vp_finance_is_needed_exactly_when_exposure_ends_over_the_limit(
            open in 0i64..10_000_000,
            waiting in 0i64..10_000_000,
            scheduled in 0i64..10_000_000,
            adding in -1_000_000i64..10_000_000,
            limit in 0i64..40_000_000,
        ) {
            let checked = check(&exposure(open, waiting, scheduled, limit), usd(adding), Some("this deal")).unwrap();
            let after = open + waiting + scheduled + adding;
            prop_assert_eq!(checked.after, usd(after));
            prop_assert_eq!(checked.needs_vp_finance, after > limit);
            prop_assert_eq!(checked.over_by.map(|over| over.minor()), (after > limit).then_some(after - limit));
        }
    }
}
