//! Pure invoice rules: tax per line, totals, due dates, the PO rule and the issue posting.

use crate::customers::PaymentTerms;
use crate::ledger::chart;
use crate::ledger::rules::{BalancedEntry, EntryError, Posting, Side};
use crate::money::{Currency, Money, MoneyError};
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use std::collections::BTreeMap;

pub use revops_terms::charge::ChargeKind;

/// A tax jurisdiction written "CC" or "CC-REGION" (e.g. "DE", "US-CA").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Jurisdiction {
    pub country: String,
    pub region: String,
}

impl Jurisdiction {
    pub fn parse(text: &str) -> Result<Jurisdiction, String> {
        let text = text.trim().to_ascii_uppercase();
        let (country, region) = match text.split_once('-') {
            Some((country, region)) => (country.to_string(), region.to_string()),
            None => (text.clone(), String::new()),
        };
        let letters = |value: &str| value.chars().all(|c| c.is_ascii_alphanumeric());
        if country.len() != 2 || !letters(&country) || region.len() > 16 || !letters(&region) {
            return Err(format!(
                "{text:?} is not a jurisdiction; write a country code, optionally with a region, such as DE or US-CA."
            ));
        }
        Ok(Jurisdiction { country, region })
    }

    pub fn code(&self) -> String {
        if self.region.is_empty() {
            self.country.clone()
        } else {
            format!("{}-{}", self.country, self.region)
        }
    }
}

/// A rate in force for a jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaxRate {
    pub country: String,
    pub region: String,
    pub rate_percent: Decimal,
    pub label: String,
    pub effective_from: NaiveDate,
}

/// The rate for a jurisdiction on a date: the region's own rate if there is one, else the
/// country's; the latest effective on or before the date.
pub fn rate_for<'a>(
    rates: &'a [TaxRate],
    jurisdiction: &Jurisdiction,
    on: NaiveDate,
) -> Option<&'a TaxRate> {
    let latest = |region: &str| {
        rates
            .iter()
            .filter(|rate| {
                rate.country == jurisdiction.country
                    && rate.region == region
                    && rate.effective_from <= on
            })
            .max_by_key(|rate| rate.effective_from)
    };
    latest(&jurisdiction.region).or_else(|| latest(""))
}

/// Tax on one line: `amount × rate%`, rounded once half away from zero.
pub fn line_tax(amount: Money, rate_percent: Decimal) -> Result<Money, MoneyError> {
    let exact = amount
        .to_decimal()
        .checked_mul(rate_percent)
        .and_then(|value| value.checked_div(Decimal::ONE_HUNDRED))
        .ok_or(MoneyError::Overflow)?;
    Money::from_decimal(
        exact,
        amount.currency(),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

pub fn due_date(issue_date: NaiveDate, terms: PaymentTerms) -> NaiveDate {
    issue_date + chrono::Duration::days(terms.days())
}

/// The block field of a draft the bill run held because it takes its customer over the credit
/// limit (DOMAIN, "Credit policy"): only a VP Finance issues it.
pub const CREDIT_LIMIT_BLOCK: &str = "creditLimit";

/// Why an invoice stays a draft instead of being issued, with the field to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    pub field: &'static str,
    pub message: String,
}

/// The purchase order an invoice would draw on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoState {
    pub number: String,
    pub amount: Money,
    pub consumed: Money,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

/// The PO rule: a customer that requires a PO gets no invoice without a valid one, and no
/// invoice may draw a PO beyond its amount. POs are written before tax, so an invoice draws its
/// subtotal.
pub fn check_po(
    required: bool,
    po: Option<&PoState>,
    total: Money,
    invoice_date: NaiveDate,
) -> Result<(), Block> {
    let Some(po) = po else {
        if required {
            return Err(Block {
                field: "poNumber",
                message:
                    "This customer requires a purchase order: add the PO number before issuing."
                        .into(),
            });
        }
        return Ok(());
    };
    if invoice_date < po.valid_from || invoice_date > po.valid_to {
        return Err(Block {
            field: "poNumber",
            message: format!(
                "PO {} is valid {} to {}, not on {invoice_date}.",
                po.number, po.valid_from, po.valid_to
            ),
        });
    }
    if po.amount.currency() != total.currency() {
        return Err(Block {
            field: "poNumber",
            message: format!(
                "PO {} is in {}, the invoice in {}.",
                po.number,
                po.amount.currency().code(),
                total.currency().code()
            ),
        });
    }
    let remaining = po.amount.minor() - po.consumed.minor();
    if total.minor() > remaining {
        let remaining = Money::from_minor(remaining, total.currency());
        return Err(Block {
            field: "poNumber",
            message: format!(
                "The invoice amount before tax {} {} exceeds what remains on PO {} ({} {}).",
                total.amount_string(),
                total.currency().code(),
                po.number,
                remaining.amount_string(),
                total.currency().code()
            ),
        });
    }
    Ok(())
}

/// One priced line ready to be taxed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetLine {
    pub amount: Money,
    pub kind: ChargeKind,
    pub jurisdiction: String,
}

/// Tax decided for one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineTax {
    pub rate_percent: Decimal,
    pub label: String,
    pub tax: Money,
}

/// Taxes a line: zero for an exempt customer (the certificate is named), otherwise the rate in
/// force for its jurisdiction. An unknown jurisdiction blocks the invoice.
pub fn tax_line(
    line: &NetLine,
    exemption_certificate: Option<&str>,
    rates: &[TaxRate],
    on: NaiveDate,
) -> Result<LineTax, Block> {
    let zero = Money::zero(line.amount.currency());
    if let Some(certificate) = exemption_certificate {
        return Ok(LineTax {
            rate_percent: Decimal::ZERO,
            label: format!("Exempt (certificate {certificate})"),
            tax: zero,
        });
    }
    let jurisdiction = Jurisdiction::parse(&line.jurisdiction).map_err(|message| Block {
        field: "taxJurisdiction",
        message,
    })?;
    let rate = rate_for(rates, &jurisdiction, on).ok_or_else(|| Block {
        field: "taxJurisdiction",
        message: format!(
            "No tax rate is configured for jurisdiction {} on {on}; add it under tax rates.",
            jurisdiction.code()
        ),
    })?;
    let tax = line_tax(line.amount, rate.rate_percent).map_err(|_| Block {
        field: "amount",
        message: "The line is too large to tax.".into(),
    })?;
    Ok(LineTax {
        rate_percent: rate.rate_percent,
        label: format!("{} {}%", rate.label, rate.rate_percent.normalize()),
        tax,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
}

pub fn totals(currency: Currency, lines: &[(Money, Money)]) -> Result<Totals, MoneyError> {
    let mut subtotal = Money::zero(currency);
    let mut tax = Money::zero(currency);
    for (net, line_tax) in lines {
        subtotal = subtotal.checked_add(*net)?;
        tax = tax.checked_add(*line_tax)?;
    }
    Ok(Totals {
        subtotal,
        tax,
        total: subtotal.checked_add(tax)?,
    })
}

fn posting(account: &str, side: Side, amount: Money) -> Posting {
    Posting {
        account_code: account.to_string(),
        side,
        amount,
    }
}

/// The issue posting (DOMAIN): Dr AR total · Cr deferred revenue (and Cr unbilled AR for what
/// the contract recognised before billing) · Cr tax payable. `revenue_credits` are signed
/// credits per account summing to the net; a negative one turns its side over. `None` when
/// everything is zero.
pub fn issue_entry(
    revenue_credits: &[(&'static str, i64)],
    totals: &Totals,
) -> Result<Option<BalancedEntry>, EntryError> {
    let currency = totals.total.currency();
    let mut by_account: BTreeMap<&'static str, i64> = BTreeMap::new();
    for (account, minor) in revenue_credits {
        *by_account.entry(account).or_default() += minor;
    }
    *by_account.entry(chart::TAX_PAYABLE).or_default() += totals.tax.minor();
    let mut postings = Vec::new();
    let total = totals.total.minor();
    if total != 0 {
        let side = if total > 0 { Side::Debit } else { Side::Credit };
        postings.push(posting(
            chart::ACCOUNTS_RECEIVABLE,
            side,
            Money::from_minor(total.abs(), currency),
        ));
    }
    for (account, minor) in by_account {
        if minor == 0 {
            continue;
        }
        let side = if minor > 0 { Side::Credit } else { Side::Debit };
        postings.push(posting(
            account,
            side,
            Money::from_minor(minor.abs(), currency),
        ));
    }
    if postings.is_empty() {
        return Ok(None);
    }
    BalancedEntry::try_new(postings).map(Some)
}

#[cfg(test)]
// Amounts in minor units are written dollars_cents (1_400_00 = 1,400.00) so they read as money.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::ledger::rules::{is_balanced, sum_postings};
    use proptest::prelude::*;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("USD").unwrap())
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn rates() -> Vec<TaxRate> {
        let rate = |country: &str, region: &str, percent: &str, from: &str| TaxRate {
            country: country.into(),
            region: region.into(),
            rate_percent: percent.parse().unwrap(),
            label: format!("{country}{region} tax"),
            effective_from: day(from),
        };
        vec![
            rate("US", "CA", "7.25", "2020-01-01"),
            rate("US", "", "0", "2020-01-01"),
            rate("DE", "", "19", "2020-01-01"),
            rate("DE", "", "16", "2020-07-01"),
            rate("DE", "", "19", "2021-01-01"),
        ]
    }

    #[test]
    fn the_region_rate_wins_and_history_is_respected() {
        let ca = Jurisdiction::parse("us-ca").unwrap();
        assert_eq!(
            rate_for(&rates(), &ca, day("2026-01-01"))
                .unwrap()
                .rate_percent
                .to_string(),
            "7.25"
        );
        let ny = Jurisdiction::parse("US-NY").unwrap();
        assert_eq!(
            rate_for(&rates(), &ny, day("2026-01-01")).unwrap().region,
            ""
        );
        let de = Jurisdiction::parse("DE").unwrap();
        assert_eq!(
            rate_for(&rates(), &de, day("2020-09-01"))
                .unwrap()
                .rate_percent
                .to_string(),
            "16"
        );
        assert!(Jurisdiction::parse("Germany").is_err());
    }

    #[test]
    fn tax_rounds_per_line_and_exemption_names_the_certificate() {
        let line = NetLine {
            amount: usd(333_33),
            kind: ChargeKind::Subscription,
            jurisdiction: "US-CA".into(),
        };
        // 333.33 × 7.25% = 24.166… → 24.17
        let taxed = tax_line(&line, None, &rates(), day("2026-02-01")).unwrap();
        assert_eq!(taxed.tax.minor(), 24_17);
        let exempt = tax_line(&line, Some("EX-991"), &rates(), day("2026-02-01")).unwrap();
        assert!(exempt.tax.is_zero());
        assert_eq!(exempt.label, "Exempt (certificate EX-991)");
        let unknown = NetLine {
            jurisdiction: "FR".into(),
            ..line
        };
        assert_eq!(
            tax_line(&unknown, None, &rates(), day("2026-02-01"))
                .unwrap_err()
                .field,
            "taxJurisdiction"
        );
    }

    #[test]
    fn the_po_rule() {
        let po = PoState {
            number: "PO-1".into(),
            amount: usd(1000_00),
            consumed: usd(900_00),
            valid_from: day("2026-01-01"),
            valid_to: day("2026-12-31"),
        };
        assert_eq!(
            check_po(true, None, usd(1), day("2026-03-01"))
                .unwrap_err()
                .field,
            "poNumber"
        );
        assert!(check_po(false, None, usd(1), day("2026-03-01")).is_ok());
        assert!(check_po(true, Some(&po), usd(100_00), day("2026-03-01")).is_ok());
        let over = check_po(true, Some(&po), usd(100_01), day("2026-03-01")).unwrap_err();
        assert!(
            over.message
                .contains("exceeds what remains on PO PO-1 (100.00 USD)"),
            "{}",
            over.message
        );
        assert!(check_po(true, Some(&po), usd(1), day("2027-01-01")).is_err());
    }

    #[test]
    fn due_dates_follow_the_terms() {
        assert_eq!(
            due_date(day("2026-01-31"), PaymentTerms::Net30),
            day("2026-03-02")
        );
        assert_eq!(
            due_date(day("2026-01-31"), PaymentTerms::Upfront),
            day("2026-01-31")
        );
    }

    proptest! {
        /// Whatever the lines, the issue posting balances and AR carries the invoice total.
        #[test]
        fn the_issue_posting_balances(lines in prop::collection::vec((0usize..6, -50_000i64..500_000, 0i64..50_000), 1..8)) {
            let kinds = [ChargeKind::Subscription, ChargeKind::Milestone, ChargeKind::TimeAndMaterials, ChargeKind::Usage, ChargeKind::PerpetualLicense, ChargeKind::Adjustment];
            let lines: Vec<(ChargeKind, Money, Money)> = lines.into_iter().map(|(kind, net, tax)| (kinds[kind], usd(net), usd(tax))).collect();
            let pairs: Vec<(Money, Money)> = lines.iter().map(|(_, net, tax)| (*net, *tax)).collect();
            let totals = totals(usd(0).currency(), &pairs).unwrap();
            // Part of the net relieves unbilled AR, the rest is deferred.
            let unbilled = totals.subtotal.minor() / 3;
            let credits = [(chart::DEFERRED_REVENUE, totals.subtotal.minor() - unbilled), (chart::UNBILLED_RECEIVABLE, unbilled)];
            if let Some(entry) = issue_entry(&credits, &totals).unwrap() {
                prop_assert!(is_balanced(&sum_postings(entry.postings())));
                let ar: i64 = entry.postings().iter().filter(|p| p.account_code == chart::ACCOUNTS_RECEIVABLE)
                    .map(|p| if p.side == Side::Debit { p.amount.minor() } else { -p.amount.minor() }).sum();
                prop_assert_eq!(ar, totals.total.minor());
            }
        }
    }
}
