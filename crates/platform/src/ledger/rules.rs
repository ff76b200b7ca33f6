//! Pure ledger rules: a journal entry can only be built balanced per currency, and a trial
//! balance is the per-account, per-currency sum of posted lines.

use crate::money::{Currency, Money, MoneyError};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Debit,
    Credit,
}

/// One line of an entry: a positive amount on one side of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub account_code: String,
    pub side: Side,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("a journal entry needs at least two lines")]
    TooFewLines,
    #[error("line {line}: the amount must be greater than zero")]
    NotPositive { line: usize },
    #[error("debits and credits in {currency} differ: debits {debits}, credits {credits}")]
    Unbalanced {
        currency: &'static str,
        debits: String,
        credits: String,
    },
    #[error("the totals are too large")]
    Overflow,
}

impl From<MoneyError> for EntryError {
    fn from(_: MoneyError) -> EntryError {
        EntryError::Overflow
    }
}

/// A posting from a signed amount: positive debits the account, negative credits it, zero is
/// no posting.
pub fn signed_posting(account: &str, debit: i64, currency: Currency) -> Option<Posting> {
    (debit != 0).then(|| Posting {
        account_code: account.to_string(),
        side: if debit > 0 { Side::Debit } else { Side::Credit },
        amount: Money::from_minor(debit.abs(), currency),
    })
}

/// One two-line entry per currency moving the sum of `amounts` in that currency from `credit` to
/// `debit` (e.g. opening balances: Dr AR · Cr opening balance equity), in currency-code order.
pub fn entries_per_currency(
    amounts: impl IntoIterator<Item = Money>,
    debit: &str,
    credit: &str,
) -> Result<Vec<BalancedEntry>, EntryError> {
    let mut by_currency: BTreeMap<&'static str, Money> = BTreeMap::new();
    for amount in amounts {
        let code = amount.currency().code();
        let sum = match by_currency.get(code) {
            Some(sum) => sum.checked_add(amount)?,
            None => amount,
        };
        by_currency.insert(code, sum);
    }
    by_currency
        .into_values()
        .map(|amount| {
            BalancedEntry::try_new(vec![
                Posting {
                    account_code: debit.into(),
                    side: Side::Debit,
                    amount,
                },
                Posting {
                    account_code: credit.into(),
                    side: Side::Credit,
                    amount,
                },
            ])
        })
        .collect()
}

/// A journal entry whose debits equal its credits in every currency. The only constructor checks
/// it, so holding one proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalancedEntry {
    postings: Vec<Posting>,
}

impl BalancedEntry {
    pub fn try_new(postings: Vec<Posting>) -> Result<BalancedEntry, EntryError> {
        if postings.len() < 2 {
            return Err(EntryError::TooFewLines);
        }
        let mut totals: BTreeMap<&'static str, (Money, Money)> = BTreeMap::new();
        for (index, posting) in postings.iter().enumerate() {
            if posting.amount.minor() <= 0 {
                return Err(EntryError::NotPositive { line: index });
            }
            let currency = posting.amount.currency();
            let entry = totals
                .entry(currency.code())
                .or_insert((Money::zero(currency), Money::zero(currency)));
            match posting.side {
                Side::Debit => entry.0 = entry.0.checked_add(posting.amount)?,
                Side::Credit => entry.1 = entry.1.checked_add(posting.amount)?,
            }
        }
        for (currency, (debits, credits)) in totals {
            if debits != credits {
                return Err(EntryError::Unbalanced {
                    currency,
                    debits: debits.amount_string(),
                    credits: credits.amount_string(),
                });
            }
        }
        Ok(BalancedEntry { postings })
    }

    pub fn postings(&self) -> &[Posting] {
        &self.postings
    }

    /// The entry with every side swapped: posting it cancels this one.
    pub fn reversed(&self) -> BalancedEntry {
        let postings = self
            .postings
            .iter()
            .map(|posting| Posting {
                account_code: posting.account_code.clone(),
                side: match posting.side {
                    Side::Debit => Side::Credit,
                    Side::Credit => Side::Debit,
                },
                amount: posting.amount,
            })
            .collect();
        BalancedEntry { postings }
    }
}

/// Debit and credit totals of one account in one currency, in 128 bits: each posting is bounded
/// (`money::MAX_MAJOR_UNITS`) but an account adds up every posting ever made, and no stored row
/// may make the trial balance fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTotal {
    pub account_code: String,
    pub currency: Currency,
    pub debit_minor: i128,
    pub credit_minor: i128,
}

/// Per-currency check of a trial balance: every currency's debits equal its credits.
pub fn is_balanced(totals: &[AccountTotal]) -> bool {
    let mut net: BTreeMap<&str, i128> = BTreeMap::new();
    for total in totals {
        *net.entry(total.currency.code()).or_default() += total.debit_minor - total.credit_minor;
    }
    net.values().all(|value| *value == 0)
}

/// Sums postings into account totals (the pure twin of the SQL the service runs).
pub fn sum_postings<'a>(postings: impl IntoIterator<Item = &'a Posting>) -> Vec<AccountTotal> {
    let mut totals: BTreeMap<(String, &'static str), AccountTotal> = BTreeMap::new();
    for posting in postings {
        let key = (
            posting.account_code.clone(),
            posting.amount.currency().code(),
        );
        let total = totals.entry(key).or_insert_with(|| AccountTotal {
            account_code: posting.account_code.clone(),
            currency: posting.amount.currency(),
            debit_minor: 0,
            credit_minor: 0,
        });
        match posting.side {
            Side::Debit => total.debit_minor += i128::from(posting.amount.minor()),
            Side::Credit => total.credit_minor += i128::from(posting.amount.minor()),
        }
    }
    totals.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(account: &str, side: Side, minor: i64, currency: &str) -> Posting {
        Posting {
            account_code: account.into(),
            side,
            amount: Money::from_minor(minor, Currency::parse(currency).unwrap()),
        }
    }

    #[test]
    fn unbalanced_or_mixed_currency_entries_cannot_be_built() {
        // Proves balance is checked per currency, not across currencies.
        assert!(BalancedEntry::try_new(vec![
            line("1100", Side::Debit, 100, "USD"),
            line("2000", Side::Credit, 100, "USD")
        ])
        .is_ok());
        assert!(matches!(
            BalancedEntry::try_new(vec![
                line("1100", Side::Debit, 100, "USD"),
                line("2000", Side::Credit, 99, "USD")
            ]),
            Err(EntryError::Unbalanced { .. })
        ));
        assert!(BalancedEntry::try_new(vec![
            line("1100", Side::Debit, 100, "USD"),
            line("2000", Side::Credit, 100, "EUR")
        ])
        .is_err());
        assert_eq!(
            BalancedEntry::try_new(vec![line("1100", Side::Debit, 100, "USD")]),
            Err(EntryError::TooFewLines)
        );
        assert!(matches!(
            BalancedEntry::try_new(vec![
                line("1100", Side::Debit, 0, "USD"),
                line("2000", Side::Credit, 0, "USD")
            ]),
            Err(EntryError::NotPositive { line: 0 })
        ));
    }

    fn arbitrary_entry() -> impl Strategy<Value = Vec<Posting>> {
        // A random entry: up to four debit lines in one currency, credits allocated to match.
        (
            prop::sample::select(vec!["USD", "EUR", "JPY", "KWD"]),
            prop::collection::vec(1i64..10_000_000, 1..4),
            1usize..4,
        )
            .prop_map(|(currency, debits, credit_count)| {
                let accounts = ["1000", "1100", "2000", "2200", "4000", "6000"];
                let mut postings: Vec<Posting> = debits
                    .iter()
                    .enumerate()
                    .map(|(index, minor)| {
                        line(
                            accounts[index % accounts.len()],
                            Side::Debit,
                            *minor,
                            currency,
                        )
                    })
                    .collect();
                let total: i64 = debits.iter().sum();
                let currency = Currency::parse(currency).unwrap();
                let credits = crate::money::allocate(
                    Money::from_minor(total, currency),
                    &vec![1; credit_count],
                )
                .unwrap();
                for (index, credit) in credits.into_iter().enumerate() {
                    if credit.minor() > 0 {
                        postings.push(Posting {
                            account_code: accounts[(index + 3) % accounts.len()].into(),
                            side: Side::Credit,
                            amount: credit,
                        });
                    }
                }
                postings
            })
    }

    proptest! {
        #[test]
        fn any_sequence_of_valid_entries_keeps_the_trial_balance_at_zero(
            entries in prop::collection::vec(arbitrary_entry(), 1..30), reverse_every in 1usize..5) {
            // Proves that whatever is posted (and reversed), the trial balance nets to zero per currency.
            let mut posted: Vec<Posting> = Vec::new();
            for (index, postings) in entries.into_iter().enumerate() {
                let entry = BalancedEntry::try_new(postings).unwrap();
                posted.extend(entry.postings().iter().cloned());
                prop_assert!(is_balanced(&sum_postings(&posted)));
                if index % reverse_every == 0 {
                    posted.extend(entry.reversed().postings().iter().cloned());
                    prop_assert!(is_balanced(&sum_postings(&posted)));
                }
            }
        }
    }
}
