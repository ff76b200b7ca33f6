//! The chart of accounts every money event posts to (DOMAIN: "Ledger: what each event posts").

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountKind {
    Asset,
    Liability,
    Equity,
    Revenue,
    Expense,
}

impl AccountKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            AccountKind::Asset => "asset",
            AccountKind::Liability => "liability",
            AccountKind::Equity => "equity",
            AccountKind::Revenue => "revenue",
            AccountKind::Expense => "expense",
        }
    }

    pub fn parse(text: &str) -> Option<AccountKind> {
        [
            AccountKind::Asset,
            AccountKind::Liability,
            AccountKind::Equity,
            AccountKind::Revenue,
            AccountKind::Expense,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

pub const CASH: &str = "1000";
pub const ACCOUNTS_RECEIVABLE: &str = "1100";
pub const UNBILLED_RECEIVABLE: &str = "1150";
pub const CAPITALISED_CONTRACT_COSTS: &str = "1400";
pub const DEFERRED_REVENUE: &str = "2000";
pub const TAX_PAYABLE: &str = "2100";
pub const CUSTOMER_CREDITS: &str = "2200";
pub const COMMISSIONS_PAYABLE: &str = "2300";
pub const OPENING_BALANCE_EQUITY: &str = "3000";
pub const REVENUE_SUBSCRIPTION: &str = "4000";
pub const REVENUE_SERVICES: &str = "4010";
pub const REVENUE_USAGE: &str = "4020";
pub const REVENUE_LICENCE: &str = "4030";
pub const CONTRA_REVENUE: &str = "4900";
pub const COMMISSION_EXPENSE: &str = "6000";
pub const BAD_DEBT_EXPENSE: &str = "6100";

pub const CHART: &[(&str, &str, AccountKind)] = &[
    (CASH, "Cash", AccountKind::Asset),
    (
        ACCOUNTS_RECEIVABLE,
        "Accounts receivable",
        AccountKind::Asset,
    ),
    (
        UNBILLED_RECEIVABLE,
        "Unbilled receivables (contract asset)",
        AccountKind::Asset,
    ),
    (
        CAPITALISED_CONTRACT_COSTS,
        "Capitalised contract costs",
        AccountKind::Asset,
    ),
    (DEFERRED_REVENUE, "Deferred revenue", AccountKind::Liability),
    (TAX_PAYABLE, "Tax payable", AccountKind::Liability),
    (
        CUSTOMER_CREDITS,
        "Customer credits (unapplied cash)",
        AccountKind::Liability,
    ),
    (
        COMMISSIONS_PAYABLE,
        "Commissions payable",
        AccountKind::Liability,
    ),
    (
        OPENING_BALANCE_EQUITY,
        "Opening balance equity",
        AccountKind::Equity,
    ),
    (
        REVENUE_SUBSCRIPTION,
        "Revenue: subscription",
        AccountKind::Revenue,
    ),
    (REVENUE_SERVICES, "Revenue: services", AccountKind::Revenue),
    (REVENUE_USAGE, "Revenue: usage", AccountKind::Revenue),
    (REVENUE_LICENCE, "Revenue: licence", AccountKind::Revenue),
    (
        CONTRA_REVENUE,
        "Contra revenue (credits and discounts)",
        AccountKind::Revenue,
    ),
    (
        COMMISSION_EXPENSE,
        "Commission expense",
        AccountKind::Expense,
    ),
    (BAD_DEBT_EXPENSE, "Bad debt expense", AccountKind::Expense),
];
