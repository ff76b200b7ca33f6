//! Credited lines: spreading a gross credit over an invoice's lines or checking the lines asked
//! for, each line's tax at its own rate, and the reversing entry a credit memo posts (pure).

use super::{CreditLine, CreditLineInput};
use crate::entities::invoice_line;
use crate::error::{AppError, AppResult};
use crate::ledger::chart::{
    ACCOUNTS_RECEIVABLE, CONTRA_REVENUE, CUSTOMER_CREDITS, DEFERRED_REVENUE, TAX_PAYABLE,
};
use crate::ledger::rules::{BalancedEntry, Posting, Side};
use crate::money::{allocate, Currency, Money};
use crate::values::parse_id;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// `value × numerator ÷ denominator`, rounded half away from zero (integers only).
fn scale(value: i64, numerator: i64, denominator: i64) -> i64 {
    if denominator == 0 {
        return 0;
    }
    let product = i128::from(value) * i128::from(numerator);
    let denominator = i128::from(denominator);
    let half = denominator.abs();
    let rounded = (2 * product + product.signum() * half) / (2 * denominator);
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// An invoice line as a credit sees it.
#[derive(Debug, Clone)]
pub struct LineBasis {
    pub id: i64,
    pub description: String,
    pub kind: String,
    pub net_minor: i64,
    pub tax_minor: i64,
}

/// Spreads a total including tax over the lines in proportion to their totals (largest
/// remainder), then splits each line's share into tax at the line's rate and the rest net.
pub fn spread_gross(gross: Money, lines: &[LineBasis]) -> AppResult<Vec<CreditLine>> {
    let weights: Vec<u64> = lines
        .iter()
        .map(|line| u64::try_from(line.net_minor + line.tax_minor).unwrap_or(0))
        .collect();
    let shares = allocate(gross, &weights).map_err(|_| {
        AppError::validation("amount", "The invoice has no positive lines to credit.")
    })?;
    Ok(lines
        .iter()
        .zip(shares)
        .filter(|(_, share)| share.minor() != 0)
        .map(|(line, share)| {
            let tax = scale(
                share.minor(),
                line.tax_minor,
                line.net_minor + line.tax_minor,
            );
            CreditLine {
                invoice_line_id: line.id,
                description: line.description.clone(),
                kind: line.kind.clone(),
                net_minor: share.minor() - tax,
                tax_minor: tax,
            }
        })
        .collect())
}

/// What each line still has to credit after earlier memos (`credited`: invoice line → net and
/// tax credited): its net and its tax less those credits. A gross credit spreads over these, so
/// a line credited in full earlier takes none of it, and a credit of everything left comes out
/// exact to the cent.
pub fn uncredited(
    bases: &[LineBasis],
    credited: &std::collections::HashMap<i64, (i64, i64)>,
) -> Vec<LineBasis> {
    bases
        .iter()
        .map(|basis| {
            let (net, tax) = credited.get(&basis.id).copied().unwrap_or((0, 0));
            LineBasis {
                net_minor: (basis.net_minor - net).max(0),
                tax_minor: (basis.tax_minor - tax).max(0),
                ..basis.clone()
            }
        })
        .collect()
}

/// Net and tax credited per invoice line by `memos`' lines.
pub fn credited_per_line(memos: &[Vec<CreditLine>]) -> std::collections::HashMap<i64, (i64, i64)> {
    let mut credited = std::collections::HashMap::new();
    for line in memos.iter().flatten() {
        let entry = credited.entry(line.invoice_line_id).or_insert((0, 0));
        entry.0 += line.net_minor;
        entry.1 += line.tax_minor;
    }
    credited
}

/// The first credited line that would take its invoice line past what it billed, counting the
/// credits before (`credited`): the line, and what it had left.
pub fn over_line_cap<'a>(
    bases: &'a [LineBasis],
    credited: &std::collections::HashMap<i64, i64>,
    lines: &[CreditLine],
) -> Option<(&'a LineBasis, i64)> {
    let mut running = credited.clone();
    for line in lines {
        let basis = bases
            .iter()
            .find(|basis| basis.id == line.invoice_line_id)?;
        let before = running.entry(line.invoice_line_id).or_insert(0);
        if *before + line.net_minor > basis.net_minor {
            return Some((basis, (basis.net_minor - *before).max(0)));
        }
        *before += line.net_minor;
    }
    None
}

/// The lines a person asked to credit, each more than zero and at most what the line still has
/// uncredited (its net less earlier credit memos on it), so credits never exceed what was billed.
pub(super) fn requested_lines(
    inputs: &[CreditLineInput],
    bases: &[LineBasis],
    credited: &std::collections::HashMap<i64, i64>,
    label: &str,
    currency: Currency,
) -> AppResult<Vec<CreditLine>> {
    let mut lines = Vec::new();
    for (index, line_input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("lines.{index}.{name}");
        let line_id = parse_id(&field("invoiceLineId"), &line_input.invoice_line_id)?;
        let basis = bases
            .iter()
            .find(|basis| basis.id == line_id)
            .ok_or_else(|| {
                AppError::validation(
                    field("invoiceLineId"),
                    format!("Line {line_id} is not on {label}."),
                )
            })?;
        let net = Money::parse(&line_input.amount, currency)
            .map_err(|error| AppError::validation(field("amount"), error.to_string()))?;
        let already: i64 = credited.get(&line_id).copied().unwrap_or(0)
            + lines
                .iter()
                .filter(|line: &&CreditLine| line.invoice_line_id == line_id)
                .map(|line| line.net_minor)
                .sum::<i64>();
        let remaining = basis.net_minor - already;
        if net.minor() <= 0 || net.minor() > remaining {
            return Err(AppError::validation(
                field("amount"),
                format!(
                    "Credit more than zero and at most the {} the line still has uncredited (billed {}, credited {}).",
                    Money::from_minor(remaining.max(0), currency),
                    Money::from_minor(basis.net_minor, currency),
                    Money::from_minor(already, currency)
                ),
            ));
        }
        lines.push(line_credit(basis, net.minor()));
    }
    Ok(lines)
}

/// A credited line's tax at the line's own rate.
pub fn line_credit(line: &LineBasis, net_minor: i64) -> CreditLine {
    CreditLine {
        invoice_line_id: line.id,
        description: line.description.clone(),
        kind: line.kind.clone(),
        net_minor,
        tax_minor: scale(net_minor, line.tax_minor, line.net_minor),
    }
}

/// The reversing entry of a credit memo: deferred revenue for the part of the contract not yet
/// recognised and contra revenue for the part already recognised (`revenue` = (deferred,
/// contra), from the contracts' positions), tax payable; the credit side to AR as far as the
/// invoice is open and to customer credits beyond that.
pub fn credit_memo_entry(
    lines: &[CreditLine],
    revenue: (i64, i64),
    currency: Currency,
    to_invoice: i64,
    to_credit: i64,
) -> AppResult<BalancedEntry> {
    let (deferred, contra) = revenue;
    credit_memo_entry_debits(
        lines,
        &[(DEFERRED_REVENUE, deferred), (CONTRA_REVENUE, contra)],
        currency,
        to_invoice,
        to_credit,
    )
}

/// The reversing entry with the revenue side given as debits per account (deferred revenue and
/// contra revenue for a concession; deferred revenue and unbilled AR for ended service).
pub fn credit_memo_entry_debits(
    lines: &[CreditLine],
    revenue: &[(&'static str, i64)],
    currency: Currency,
    to_invoice: i64,
    to_credit: i64,
) -> AppResult<BalancedEntry> {
    let tax: i64 = lines.iter().map(|line| line.tax_minor).sum();
    let postings = revenue
        .iter()
        .map(|(account, minor)| (*account, Side::Debit, *minor))
        .chain([
            (TAX_PAYABLE, Side::Debit, tax),
            (ACCOUNTS_RECEIVABLE, Side::Credit, to_invoice),
            (CUSTOMER_CREDITS, Side::Credit, to_credit),
        ])
        .filter(|(_, _, minor)| *minor > 0)
        .map(|(account, side, minor)| Posting {
            account_code: account.into(),
            side,
            amount: Money::from_minor(minor, currency),
        })
        .collect();
    BalancedEntry::try_new(postings)
        .map_err(|error| AppError::internal(format!("credit memo posting: {error}")))
}

pub(super) async fn line_bases<C: ConnectionTrait>(
    connection: &C,
    invoice_id: i64,
) -> AppResult<Vec<LineBasis>> {
    Ok(invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(invoice_id))
        .order_by_asc(invoice_line::Column::Position)
        .all(connection)
        .await?
        .into_iter()
        .map(|line| LineBasis {
            id: line.id,
            description: line.description,
            kind: line.kind,
            net_minor: line.amount_minor,
            tax_minor: line.tax_minor,
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn lines() -> Vec<LineBasis> {
        vec![
            LineBasis {
                id: 1,
                description: "Subscription".into(),
                kind: "subscription".into(),
                net_minor: 1000_00,
                tax_minor: 72_50,
            },
            LineBasis {
                id: 2,
                description: "Services".into(),
                kind: "milestone".into(),
                net_minor: 500_00,
                tax_minor: 0,
            },
        ]
    }

    #[test]
    fn a_gross_credit_spreads_over_what_each_line_still_has_and_no_line_passes_its_net() {
        // Line 1 (1,000.00 + 72.50 tax) was credited in full by an earlier memo: a later credit of
        // 100.00 goes to line 2 alone, not 2/3 of it to the line with nothing left.
        let credited = std::collections::HashMap::from([(1, (1000_00, 72_50))]);
        let left = uncredited(&lines(), &credited);
        assert_eq!((left[0].net_minor, left[0].tax_minor), (0, 0));
        assert_eq!((left[1].net_minor, left[1].tax_minor), (500_00, 0));
        let spread = spread_gross(Money::from_minor(100_00, usd()), &left).unwrap();
        assert_eq!(spread.len(), 1);
        assert_eq!(spread[0].invoice_line_id, 2);
        // Half of line 1 credited with its tax: what is left is the rest, to the cent.
        let half = uncredited(
            &lines(),
            &std::collections::HashMap::from([(1, (500_00, 36_25))]),
        );
        assert_eq!((half[0].net_minor, half[0].tax_minor), (500_00, 36_25));
        // The cap: 600.00 on line 2 after 0 is over its 500.00; 300.00 twice is over on the second.
        let credit = |net_minor| CreditLine {
            invoice_line_id: 2,
            description: "Services".into(),
            kind: "milestone".into(),
            net_minor,
            tax_minor: 0,
        };
        let none = std::collections::HashMap::new();
        assert_eq!(
            over_line_cap(&lines(), &none, &[credit(600_00)]).map(|(line, left)| (line.id, left)),
            Some((2, 500_00))
        );
        assert!(over_line_cap(&lines(), &none, &[credit(300_00)]).is_none());
        assert_eq!(
            over_line_cap(
                &lines(),
                &std::collections::HashMap::from([(2, 300_00)]),
                &[credit(300_00)]
            )
            .map(|(_, left)| left),
            Some(200_00)
        );
    }

    #[test]
    fn a_gross_credit_spreads_over_lines_and_keeps_each_lines_tax_rate() {
        let spread = spread_gross(Money::from_minor(157_25, usd()), &lines()).unwrap();
        let total: i64 = spread
            .iter()
            .map(|line| line.net_minor + line.tax_minor)
            .sum();
        assert_eq!(total, 157_25);
        assert_eq!(spread[0].net_minor + spread[0].tax_minor, 107_25);
        assert_eq!(spread[0].tax_minor, 7_25);
        assert_eq!(spread[1].tax_minor, 0);
    }

    #[test]
    fn the_posting_reverses_deferred_contra_and_tax_and_balances() {
        let spread = spread_gross(Money::from_minor(157_25, usd()), &lines()).unwrap();
        let entry = credit_memo_entry(&spread, (100_00, 50_00), usd(), 100_00, 57_25).unwrap();
        let account = |code: &str| {
            entry
                .postings()
                .iter()
                .find(|posting| posting.account_code == code)
                .map(|posting| posting.amount.minor())
        };
        assert_eq!(account(DEFERRED_REVENUE), Some(100_00));
        assert_eq!(account(CONTRA_REVENUE), Some(50_00));
        assert_eq!(account(TAX_PAYABLE), Some(7_25));
        assert_eq!(account(ACCOUNTS_RECEIVABLE), Some(100_00));
        assert_eq!(account(CUSTOMER_CREDITS), Some(57_25));
    }

    proptest::proptest! {
        /// However credits are asked for, what is granted by the rule "at most billed less
        /// earlier credits" never exceeds what was billed, and each credit's lines add up to it.
        #[test]
        fn credits_never_exceed_what_was_billed(
            line_amounts in proptest::collection::vec((1i64..500_000, 0i64..50_000), 1..6),
            requests in proptest::collection::vec(1i64..400_000, 1..12),
        ) {
            let lines: Vec<LineBasis> = line_amounts
                .iter()
                .enumerate()
                .map(|(index, (net, tax))| LineBasis {
                    id: index as i64,
                    description: String::new(),
                    kind: if index % 2 == 0 { "subscription".into() } else { "usage".into() },
                    net_minor: *net,
                    tax_minor: *tax,
                })
                .collect();
            let billed: i64 = line_amounts.iter().map(|(net, tax)| net + tax).sum();
            let mut credited = 0;
            for gross in requests {
                let spread = spread_gross(Money::from_minor(gross, usd()), &lines).unwrap();
                let total: i64 = spread.iter().map(|line| line.net_minor + line.tax_minor).sum();
                proptest::prop_assert_eq!(total, gross);
                if total <= billed - credited {
                    credited += total;
                    let net: i64 = spread.iter().map(|line| line.net_minor).sum();
                    let entry = credit_memo_entry(&spread, (net, 0), usd(), total, 0).unwrap();
                    let debits: i64 = entry.postings().iter().filter(|posting| posting.side == Side::Debit).map(|posting| posting.amount.minor()).sum();
                    proptest::prop_assert_eq!(debits, total);
                }
                proptest::prop_assert!(credited <= billed);
            }
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(scale(1, 1, 2), 1);
        assert_eq!(scale(-1, 1, 2), -1);
        assert_eq!(scale(10, 1, 3), 3);
    }
}
