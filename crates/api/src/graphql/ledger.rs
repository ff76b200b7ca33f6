//! The ledger: accounts, trial balance, journal entries, manual postings and reversals.

use super::loaders::UserLoader;
use super::types::{connection, Money, User};
use super::{actor, app};
use crate::error::AppError;
use crate::ledger::chart::AccountKind;
use crate::ledger::rules::{Posting, Side};
use crate::ledger::{self, EntryHeader};
use crate::money::{Currency, Money as DomainMoney};
use crate::pagination::PageRequest;
use crate::values::{parse_id, require_text, IsoDate, MoneyInput};
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

pub const MAX_JOURNAL_LINES: usize = 200;

#[derive(Clone, SimpleObject)]
pub struct LedgerAccount {
    pub code: String,
    pub name: String,
    pub kind: AccountKind,
}

impl From<ledger::Account> for LedgerAccount {
    fn from(account: ledger::Account) -> LedgerAccount {
        LedgerAccount {
            code: account.code,
            name: account.name,
            kind: account.kind,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct TrialBalanceLine {
    pub account: LedgerAccount,
    pub currency: String,
    pub debit: Money,
    pub credit: Money,
    /// Debit minus credit.
    pub balance: Money,
}

#[derive(Clone, SimpleObject)]
pub struct CurrencyTotal {
    pub currency: String,
    pub debit: Money,
    pub credit: Money,
}

#[derive(Clone, SimpleObject)]
pub struct TrialBalance {
    pub as_of: IsoDate,
    pub lines: Vec<TrialBalanceLine>,
    pub totals: Vec<CurrencyTotal>,
    /// True when debits equal credits in every currency.
    pub is_balanced: bool,
}

#[derive(Clone, SimpleObject)]
pub struct JournalLine {
    pub account: LedgerAccount,
    pub debit: Option<Money>,
    pub credit: Option<Money>,
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct JournalEntry {
    pub id: ID,
    pub entry_number: String,
    pub entry_date: IsoDate,
    pub memo: String,
    pub source: String,
    pub reverses_entry_id: Option<ID>,
    pub lines: Vec<JournalLine>,
    pub posted_at: DateTime<Utc>,
    #[graphql(skip)]
    pub posted_by_id: Option<i64>,
}

#[ComplexObject]
impl JournalEntry {
    async fn posted_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.posted_by_id {
            Some(id) => Ok(ctx
                .data_unchecked::<DataLoader<UserLoader>>()
                .load_one(id)
                .await?
                .map(User::from)),
            None => Ok(None),
        }
    }
}

fn entry_to_graphql(
    entry: ledger::JournalEntry,
    accounts: &HashMap<String, LedgerAccount>,
) -> JournalEntry {
    let account = |code: &str| {
        accounts.get(code).cloned().unwrap_or(LedgerAccount {
            code: code.into(),
            name: code.into(),
            kind: AccountKind::Asset,
        })
    };
    JournalEntry {
        id: ID(entry.id.to_string()),
        entry_number: entry.entry_number,
        entry_date: IsoDate(entry.entry_date),
        memo: entry.memo,
        source: entry.source,
        reverses_entry_id: entry.reverses_entry_id.map(|id| ID(id.to_string())),
        lines: entry
            .lines
            .into_iter()
            .map(|line| {
                let currency = Currency::parse(line.currency).unwrap_or(Currency::USD);
                let side = |minor: i64| {
                    (minor > 0).then(|| DomainMoney::from_minor(minor, currency).into())
                };
                JournalLine {
                    account: account(&line.account_code),
                    debit: side(line.debit_minor),
                    credit: side(line.credit_minor),
                }
            })
            .collect(),
        posted_at: entry.posted_at,
        posted_by_id: entry.posted_by,
    }
}

async fn account_map(ctx: &Context<'_>) -> async_graphql::Result<HashMap<String, LedgerAccount>> {
    let accounts = app(ctx).ledger.accounts(actor(ctx)?).await?;
    Ok(accounts
        .into_iter()
        .map(|account| (account.code.clone(), LedgerAccount::from(account)))
        .collect())
}

connection!(JournalEntryConnection, JournalEntryEdge, JournalEntry);

#[derive(Default)]
pub struct LedgerQuery;

#[Object]
impl LedgerQuery {
    /// The chart of accounts.
    async fn accounts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LedgerAccount>> {
        Ok(app(ctx)
            .ledger
            .accounts(actor(ctx)?)
            .await?
            .into_iter()
            .map(LedgerAccount::from)
            .collect())
    }

    /// Debits and credits per account and currency for entries dated on or before `asOf`.
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn trial_balance(
        &self,
        ctx: &Context<'_>,
        as_of: IsoDate,
    ) -> async_graphql::Result<TrialBalance> {
        let balance = app(ctx).ledger.trial_balance(actor(ctx)?, as_of.0).await?;
        let accounts = account_map(ctx).await?;
        let is_balanced = balance.is_balanced();
        // 128-bit sums: a currency's total adds every account's, each already a wide sum.
        let mut totals: BTreeMap<&'static str, (i128, i128, Currency)> = BTreeMap::new();
        let mut lines = Vec::with_capacity(balance.totals.len());
        for total in balance.totals {
            let entry = totals
                .entry(total.currency.code())
                .or_insert((0, 0, total.currency));
            entry.0 += total.debit_minor;
            entry.1 += total.credit_minor;
            let money = |minor: i128| Money::wide(minor, total.currency);
            lines.push(TrialBalanceLine {
                account: accounts.get(&total.account_code).cloned().ok_or_else(|| {
                    AppError::internal(format!("unknown account {}", total.account_code))
                })?,
                currency: total.currency.code().to_string(),
                debit: money(total.debit_minor),
                credit: money(total.credit_minor),
                balance: money(total.debit_minor - total.credit_minor),
            });
        }
        let totals = totals
            .into_values()
            .map(|(debit, credit, currency)| CurrencyTotal {
                currency: currency.code().to_string(),
                debit: Money::wide(debit, currency),
                credit: Money::wide(credit, currency),
            })
            .collect();
        Ok(TrialBalance {
            as_of,
            lines,
            totals,
            is_balanced,
        })
    }

    /// Newest first.
    async fn journal_entries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<JournalEntryConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let entries = app(ctx).ledger.entries(actor(ctx)?, page).await?;
        let accounts = account_map(ctx).await?;
        Ok(JournalEntryConnection::from_page(entries, |entry| {
            entry_to_graphql(entry, &accounts)
        }))
    }
}

/// One line of a manual entry: exactly one of debit or credit.
#[derive(InputObject)]
pub struct JournalLineInput {
    pub account_code: String,
    pub debit: Option<MoneyInput>,
    pub credit: Option<MoneyInput>,
}

#[derive(InputObject)]
pub struct JournalEntryPostInput {
    pub entry_date: IsoDate,
    pub memo: String,
    pub lines: Vec<JournalLineInput>,
    pub idempotency_key: String,
}

#[derive(InputObject)]
pub struct JournalEntryReverseInput {
    pub id: ID,
    /// Defaults to today.
    pub entry_date: Option<IsoDate>,
    pub reason: String,
    pub idempotency_key: String,
}

#[derive(SimpleObject)]
pub struct JournalEntryPayload {
    pub entry: JournalEntry,
}

fn posting_from_input(index: usize, line: &JournalLineInput) -> Result<Posting, AppError> {
    let field = format!("lines.{index}");
    let (side, money) = match (&line.debit, &line.credit) {
        (Some(debit), None) => (Side::Debit, debit.parse(&format!("{field}.debit"))?),
        (None, Some(credit)) => (Side::Credit, credit.parse(&format!("{field}.credit"))?),
        _ => {
            return Err(AppError::validation(
                field,
                "Give each line either a debit or a credit, not both.",
            ))
        }
    };
    if money.minor() <= 0 {
        return Err(AppError::validation(
            format!(
                "{field}.{}",
                if side == Side::Debit {
                    "debit"
                } else {
                    "credit"
                }
            ),
            "The amount must be greater than zero.",
        ));
    }
    Ok(Posting {
        account_code: line.account_code.trim().to_string(),
        side,
        amount: money,
    })
}

#[derive(Default)]
pub struct LedgerMutation;

#[Object]
impl LedgerMutation {
    /// Posts a balanced manual entry. Repeating the idempotency key returns the first entry.
    async fn journal_entry_post(
        &self,
        ctx: &Context<'_>,
        input: JournalEntryPostInput,
    ) -> async_graphql::Result<JournalEntryPayload> {
        if input.lines.len() > MAX_JOURNAL_LINES {
            return Err(AppError::Limit(format!(
                "An entry may have at most {MAX_JOURNAL_LINES} lines."
            ))
            .into());
        }
        let postings = input
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| posting_from_input(index, line))
            .collect::<Result<Vec<_>, _>>()?;
        let header = EntryHeader {
            entry_date: input.entry_date.0,
            memo: require_text("memo", &input.memo, 500)?,
            source: "manual".into(),
            idempotency_key: Some(require_text("idempotencyKey", &input.idempotency_key, 128)?),
        };
        let entry = app(ctx)
            .ledger
            .post_manual(actor(ctx)?, header, postings)
            .await?;
        let accounts = account_map(ctx).await?;
        Ok(JournalEntryPayload {
            entry: entry_to_graphql(entry, &accounts),
        })
    }

    /// Posts the mirror image of an entry; an entry is reversed at most once.
    async fn journal_entry_reverse(
        &self,
        ctx: &Context<'_>,
        input: JournalEntryReverseInput,
    ) -> async_graphql::Result<JournalEntryPayload> {
        let id = parse_id("id", &input.id)?;
        let reason = require_text("reason", &input.reason, 500)?;
        let key = require_text("idempotencyKey", &input.idempotency_key, 128)?;
        let entry = app(ctx)
            .ledger
            .reverse(
                actor(ctx)?,
                id,
                input.entry_date.map(|date| date.0),
                reason,
                key,
            )
            .await?;
        let accounts = account_map(ctx).await?;
        Ok(JournalEntryPayload {
            entry: entry_to_graphql(entry, &accounts),
        })
    }
}
