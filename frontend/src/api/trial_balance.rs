//! The trial balance: each ledger account's debits, credits and balance on a day, with the totals
//! by currency and whether the books balance.

use serde::Deserialize;

use super::ops;
use super::{field, ApiError, Money};

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerAccount {
    pub code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrialBalanceLine {
    pub account: LedgerAccount,
    pub currency: String,
    pub debit: Money,
    pub credit: Money,
    pub balance: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotal {
    pub currency: String,
    pub debit: Money,
    pub credit: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrialBalance {
    pub as_of: String,
    pub lines: Vec<TrialBalanceLine>,
    pub totals: Vec<CurrencyTotal>,
    pub is_balanced: bool,
}

pub async fn trial_balance(as_of: String) -> Result<TrialBalance, ApiError> {
    field::<ops::TrialBalance, _>("trialBalance", ops::trial_balance::Variables { as_of }).await
}
