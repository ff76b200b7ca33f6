//! The double-entry ledger: chart of accounts, balanced immutable journal entries, reversals and
//! the trial balance. Other areas post through `post_entry` inside their own transaction.

pub mod chart;
pub mod export;
pub mod export_batch;
pub mod rules;

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::entities::{journal_entry, journal_line, ledger_account, ledger_period};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::pagination::{Page, PageRequest};
use crate::sequences;
use chart::AccountKind;
use chrono::NaiveDate;
use rules::{AccountTotal, BalancedEntry, Posting, Side};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub code: String,
    pub name: String,
    pub kind: AccountKind,
}

impl TryFrom<ledger_account::Model> for Account {
    type Error = AppError;
    fn try_from(model: ledger_account::Model) -> AppResult<Account> {
        let kind = AccountKind::parse(&model.kind).ok_or_else(|| {
            AppError::internal(format!(
                "account {} has unknown kind {}",
                model.code, model.kind
            ))
        })?;
        Ok(Account {
            code: model.code,
            name: model.name,
            kind,
        })
    }
}

/// What a poster says about an entry besides its lines.
pub struct EntryHeader {
    pub entry_date: NaiveDate,
    pub memo: String,
    /// The business event that caused it, e.g. "manual", "reversal", "invoice:INV-2026-000123".
    pub source: String,
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JournalEntry {
    pub id: i64,
    pub entry_number: String,
    pub entry_date: NaiveDate,
    pub memo: String,
    pub source: String,
    pub reverses_entry_id: Option<i64>,
    pub posted_by: Option<i64>,
    pub posted_at: chrono::DateTime<chrono::Utc>,
    pub lines: Vec<JournalLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JournalLine {
    pub account_code: String,
    pub currency: &'static str,
    pub debit_minor: i64,
    pub credit_minor: i64,
}

pub struct TrialBalance {
    pub as_of: NaiveDate,
    pub totals: Vec<AccountTotal>,
}

impl TrialBalance {
    pub fn is_balanced(&self) -> bool {
        rules::is_balanced(&self.totals)
    }
}

/// The balanced entry as posted, read back from its lines (to reverse it exactly).
pub async fn entry_postings<C: ConnectionTrait>(
    connection: &C,
    entry_id: i64,
) -> AppResult<BalancedEntry> {
    let postings = journal_line::Entity::find()
        .filter(journal_line::Column::EntryId.eq(entry_id))
        .order_by_asc(journal_line::Column::Id)
        .all(connection)
        .await?
        .into_iter()
        .map(|line| {
            let currency = Currency::parse(&line.currency)?;
            let (side, minor) = if line.debit_minor > 0 {
                (Side::Debit, line.debit_minor)
            } else {
                (Side::Credit, line.credit_minor)
            };
            Ok(Posting {
                account_code: line.account_code,
                side,
                amount: Money::from_minor(minor, currency),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    BalancedEntry::try_new(postings).map_err(AppError::internal)
}

/// Writes a balanced entry and its lines on `connection` (the caller's transaction).
/// There is deliberately no update or delete: posted entries are immutable (DESIGN law 3).
pub async fn post_entry<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    posted_at: chrono::DateTime<chrono::Utc>,
    header: EntryHeader,
    entry: &BalancedEntry,
    reverses_entry_id: Option<i64>,
) -> AppResult<journal_entry::Model> {
    ensure_open(connection, header.entry_date).await?;
    let number = sequences::next_value(connection, "journal-entry").await?;
    let model = journal_entry::ActiveModel {
        entry_number: Set(format!("JE-{number:07}")),
        entry_date: Set(header.entry_date),
        memo: Set(header.memo),
        source: Set(header.source),
        reverses_entry_id: Set(reverses_entry_id),
        idempotency_key: Set(header.idempotency_key),
        posted_by: Set(actor.map(|actor| actor.user_id)),
        posted_at: Set(posted_at),
        ..Default::default()
    }
    .insert(connection)
    .await?;
    let lines: Vec<journal_line::ActiveModel> = entry
        .postings()
        .iter()
        .map(|posting| journal_line::ActiveModel {
            entry_id: Set(model.id),
            account_code: Set(posting.account_code.clone()),
            currency: Set(posting.amount.currency().code().to_string()),
            debit_minor: Set(if posting.side == Side::Debit {
                posting.amount.minor()
            } else {
                0
            }),
            credit_minor: Set(if posting.side == Side::Credit {
                posting.amount.minor()
            } else {
                0
            }),
            ..Default::default()
        })
        .collect();
    journal_line::Entity::insert_many(lines)
        .exec_without_returning(connection)
        .await?;
    Ok(model)
}

/// "YYYY-MM" of a date: the ledger's period.
pub fn period_of(date: NaiveDate) -> String {
    crate::calendar::month_of(date).2
}

/// Refuses a posting dated in a closed period (DESIGN law 3: closed periods never change).
pub async fn ensure_open<C: ConnectionTrait>(connection: &C, date: NaiveDate) -> AppResult<()> {
    let period = period_of(date);
    let closed = ledger_period::Entity::find_by_id(period.clone())
        .filter(ledger_period::Column::Status.eq("closed"))
        .one(connection)
        .await?
        .is_some();
    if closed {
        return Err(AppError::validation(
            "entryDate",
            format!(
                "Period {period} is closed: nothing may be posted on {date}. Date the correction in an open period, or ask the CFO to reopen {period}."
            ),
        ));
    }
    Ok(())
}

/// Rows per INSERT in batch posting (9 and 5 bound values a row: within SQLite's and
/// PostgreSQL's parameter limits).
const ENTRY_CHUNK: usize = 400;
const LINE_CHUNK: usize = 1_000;

/// Posts many balanced entries in a few statements (the recognition run): numbers reserved as
/// one block, entries and lines inserted in chunks. Returns the entry ids in input order.
pub async fn post_entries<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    posted_at: chrono::DateTime<chrono::Utc>,
    entries: Vec<(EntryHeader, BalancedEntry)>,
) -> AppResult<Vec<i64>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let mut dates: Vec<NaiveDate> = entries
        .iter()
        .map(|(header, _)| header.entry_date)
        .collect();
    dates.sort();
    dates.dedup_by_key(|date| period_of(*date));
    for date in dates {
        ensure_open(connection, date).await?;
    }
    let count = i64::try_from(entries.len()).map_err(AppError::internal)?;
    let first = sequences::reserve(connection, "journal-entry", count).await?;
    let mut ids = Vec::with_capacity(entries.len());
    for (chunk_index, chunk) in entries.chunks(ENTRY_CHUNK).enumerate() {
        let base = first + i64::try_from(chunk_index * ENTRY_CHUNK).map_err(AppError::internal)?;
        let numbers: Vec<String> = (0..chunk.len())
            .map(|offset| format!("JE-{:07}", base + offset as i64))
            .collect();
        let rows: Vec<journal_entry::ActiveModel> = chunk
            .iter()
            .zip(&numbers)
            .map(|((header, _), number)| journal_entry::ActiveModel {
                entry_number: Set(number.clone()),
                entry_date: Set(header.entry_date),
                memo: Set(header.memo.clone()),
                source: Set(header.source.clone()),
                reverses_entry_id: Set(None),
                idempotency_key: Set(header.idempotency_key.clone()),
                posted_by: Set(actor.map(|actor| actor.user_id)),
                posted_at: Set(posted_at),
                ..Default::default()
            })
            .collect();
        let found: std::collections::HashMap<String, i64> = crate::lookup::insert_returning(
            connection,
            rows,
            journal_entry::Entity::find()
                .filter(journal_entry::Column::EntryNumber.is_in(numbers.clone())),
        )
        .await?
        .into_iter()
        .map(|model| (model.entry_number, model.id))
        .collect();
        let mut lines = Vec::new();
        for ((_, entry), number) in chunk.iter().zip(&numbers) {
            let id = *found
                .get(number)
                .ok_or_else(|| AppError::internal(format!("entry {number} vanished")))?;
            ids.push(id);
            for posting in entry.postings() {
                let minor = posting.amount.minor();
                lines.push(journal_line::ActiveModel {
                    entry_id: Set(id),
                    account_code: Set(posting.account_code.clone()),
                    currency: Set(posting.amount.currency().code().to_string()),
                    debit_minor: Set(if posting.side == Side::Debit {
                        minor
                    } else {
                        0
                    }),
                    credit_minor: Set(if posting.side == Side::Credit {
                        minor
                    } else {
                        0
                    }),
                    ..Default::default()
                });
            }
        }
        for lines in lines.chunks(LINE_CHUNK) {
            journal_line::Entity::insert_many(lines.to_vec())
                .exec_without_returning(connection)
                .await?;
        }
    }
    Ok(ids)
}

/// Inserts the chart of accounts if it is missing; safe to run on every start.
pub async fn seed_chart<C: ConnectionTrait>(connection: &C) -> AppResult<()> {
    for (code, name, kind) in chart::CHART {
        if ledger_account::Entity::find_by_id(code.to_string())
            .one(connection)
            .await?
            .is_none()
        {
            ledger_account::ActiveModel {
                code: Set(code.to_string()),
                name: Set(name.to_string()),
                kind: Set(kind.as_str().to_string()),
            }
            .insert(connection)
            .await?;
        }
    }
    Ok(())
}

/// One account's sums, each split into a high part (the amounts divided by 10^9) and a low part
/// (their remainders), so that neither SQLite's 64-bit SUM nor a cast of PostgreSQL's numeric SUM
/// can overflow however many rows there are; `wide` joins them in 128 bits.
#[derive(Debug, FromQueryResult)]
struct TotalRow {
    account_code: String,
    currency: String,
    debit_high: i64,
    debit_low: i64,
    credit_high: i64,
    credit_low: i64,
}

const SPLIT: i64 = 1_000_000_000;

fn wide(high: i64, low: i64) -> i128 {
    i128::from(high) * i128::from(SPLIT) + i128::from(low)
}

/// The SQL for the high and low parts of a column's sum (see `TotalRow`), named `<name>_high`
/// and `<name>_low`.
fn split_sum(column: &str, name: &str) -> [(String, String); 2] {
    [
        (
            format!("CAST(SUM({column} / {SPLIT}) AS BIGINT)"),
            format!("{name}_high"),
        ),
        (
            format!("CAST(SUM({column} % {SPLIT}) AS BIGINT)"),
            format!("{name}_low"),
        ),
    ]
}

#[derive(Clone)]
pub struct LedgerService {
    db: DatabaseConnection,
    clock: SharedClock,
}

impl LedgerService {
    pub fn new(db: DatabaseConnection, clock: SharedClock) -> LedgerService {
        LedgerService { db, clock }
    }

    pub async fn accounts(&self, actor: &Actor) -> AppResult<Vec<Account>> {
        actor.require(Permission::LedgerRead)?;
        ledger_account::Entity::find()
            .order_by_asc(ledger_account::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Account::try_from)
            .collect()
    }

    /// Debits and credits per account and currency for entries dated on or before `as_of`.
    pub async fn trial_balance(&self, actor: &Actor, as_of: NaiveDate) -> AppResult<TrialBalance> {
        actor.require(Permission::LedgerRead)?;
        let lines = Alias::new("journal_lines");
        let entries = Alias::new("journal_entries");
        let mut query = Query::select();
        query
            .column((lines.clone(), Alias::new("account_code")))
            .column((lines.clone(), Alias::new("currency")));
        for (column, name) in [
            ("journal_lines.debit_minor", "debit"),
            ("journal_lines.credit_minor", "credit"),
        ] {
            for (sql, alias) in split_sum(column, name) {
                query.expr_as(Expr::cust(sql), Alias::new(alias));
            }
        }
        let query = query
            .from(lines.clone())
            .inner_join(
                entries.clone(),
                Expr::col((entries.clone(), Alias::new("id")))
                    .equals((lines.clone(), Alias::new("entry_id"))),
            )
            .and_where(Expr::col((entries, Alias::new("entry_date"))).lte(as_of))
            .group_by_col((lines.clone(), Alias::new("account_code")))
            .group_by_col((lines.clone(), Alias::new("currency")))
            .order_by(
                (lines.clone(), Alias::new("account_code")),
                sea_orm::Order::Asc,
            )
            .order_by((lines, Alias::new("currency")), sea_orm::Order::Asc)
            .to_owned();
        let statement = self.db.get_database_backend().build(&query);
        let rows = TotalRow::find_by_statement(statement).all(&self.db).await?;
        let totals = rows
            .into_iter()
            .map(|row| {
                Ok(AccountTotal {
                    currency: Currency::parse(&row.currency)?,
                    account_code: row.account_code,
                    debit_minor: wide(row.debit_high, row.debit_low),
                    credit_minor: wide(row.credit_high, row.credit_low),
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(TrialBalance { as_of, totals })
    }

    pub async fn entries(&self, actor: &Actor, page: PageRequest) -> AppResult<Page<JournalEntry>> {
        actor.require(Permission::LedgerRead)?;
        let total = journal_entry::Entity::find().count(&self.db).await?;
        let models = journal_entry::Entity::find()
            .order_by_desc(journal_entry::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        let entries = self.with_lines(models).await?;
        Ok(Page::new(entries, page, total))
    }

    async fn with_lines(&self, models: Vec<journal_entry::Model>) -> AppResult<Vec<JournalEntry>> {
        let ids: Vec<i64> = models.iter().map(|model| model.id).collect();
        let lines = journal_line::Entity::find()
            .filter(journal_line::Column::EntryId.is_in(ids))
            .order_by_asc(journal_line::Column::Id)
            .all(&self.db)
            .await?;
        models
            .into_iter()
            .map(|model| {
                let entry_lines = lines
                    .iter()
                    .filter(|line| line.entry_id == model.id)
                    .map(|line| {
                        Ok(JournalLine {
                            account_code: line.account_code.clone(),
                            currency: Currency::parse(&line.currency)?.code(),
                            debit_minor: line.debit_minor,
                            credit_minor: line.credit_minor,
                        })
                    })
                    .collect::<AppResult<Vec<_>>>()?;
                Ok(JournalEntry {
                    id: model.id,
                    entry_number: model.entry_number,
                    entry_date: model.entry_date,
                    memo: model.memo,
                    source: model.source,
                    reverses_entry_id: model.reverses_entry_id,
                    posted_by: model.posted_by,
                    posted_at: model.posted_at,
                    lines: entry_lines,
                })
            })
            .collect()
    }

    pub async fn find_entry(&self, id: i64) -> AppResult<JournalEntry> {
        let model = journal_entry::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                AppError::not_found(format!("There is no journal entry with id {id}."))
            })?;
        let mut entries = self.with_lines(vec![model]).await?;
        entries
            .pop()
            .ok_or_else(|| AppError::internal("entry disappeared"))
    }

    /// A manual journal entry (adjustments, opening balances). Repeating the idempotency key
    /// returns the entry first posted with it.
    pub async fn post_manual(
        &self,
        actor: &Actor,
        header: EntryHeader,
        postings: Vec<Posting>,
    ) -> AppResult<JournalEntry> {
        actor.require(Permission::LedgerPost)?;
        let key = header.idempotency_key.clone().ok_or_else(|| {
            AppError::validation("idempotencyKey", "An idempotency key is required.")
        })?;
        if let Some(existing) = self.find_by_idempotency_key(&key).await? {
            return self.find_entry(existing.id).await;
        }
        let accounts = self.accounts(actor).await?;
        for (index, posting) in postings.iter().enumerate() {
            if !accounts
                .iter()
                .any(|account| account.code == posting.account_code)
            {
                return Err(AppError::validation(
                    format!("lines.{index}.accountCode"),
                    format!(
                        "There is no account {} in the chart of accounts.",
                        posting.account_code
                    ),
                ));
            }
        }
        let entry = BalancedEntry::try_new(postings).map_err(|error| {
            AppError::validation("lines", crate::values::capitalise(&error.to_string()))
        })?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = post_entry(&transaction, Some(actor), now, header, &entry, None).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "journal_entry.post",
                entity_type: "journal_entry",
                entity_id: model.id.to_string(),
                before: None,
                after: Some(&model.entry_number),
            },
        )
        .await?;
        transaction.commit().await?;
        self.find_entry(model.id).await
    }

    async fn find_by_idempotency_key(&self, key: &str) -> AppResult<Option<journal_entry::Model>> {
        Ok(journal_entry::Entity::find()
            .filter(journal_entry::Column::IdempotencyKey.eq(key))
            .one(&self.db)
            .await?)
    }

    /// Posts the mirror image of an entry, dated `entry_date` (today if absent). An entry is
    /// reversed at most once, and a reversal is not itself reversed: post a new entry instead.
    pub async fn reverse(
        &self,
        actor: &Actor,
        entry_id: i64,
        entry_date: Option<NaiveDate>,
        reason: String,
        idempotency_key: String,
    ) -> AppResult<JournalEntry> {
        actor.require(Permission::LedgerPost)?;
        if let Some(existing) = self.find_by_idempotency_key(&idempotency_key).await? {
            return self.find_entry(existing.id).await;
        }
        let original = self.find_entry(entry_id).await?;
        if original.reverses_entry_id.is_some() {
            return Err(AppError::Conflict(format!(
                "{} is itself a reversal; post a new entry instead of reversing it.",
                original.entry_number
            )));
        }
        let already = journal_entry::Entity::find()
            .filter(journal_entry::Column::ReversesEntryId.eq(entry_id))
            .one(&self.db)
            .await?;
        if let Some(reversal) = already {
            return Err(AppError::Conflict(format!(
                "{} was already reversed by {}.",
                original.entry_number, reversal.entry_number
            )));
        }
        let reversal = entry_postings(&self.db, entry_id).await?.reversed();
        let now = self.clock.now();
        let header = EntryHeader {
            entry_date: entry_date.unwrap_or_else(|| self.clock.today()),
            memo: format!("Reversal of {}: {reason}", original.entry_number),
            source: "reversal".into(),
            idempotency_key: Some(idempotency_key),
        };
        let transaction = self.db.begin().await?;
        let model = post_entry(
            &transaction,
            Some(actor),
            now,
            header,
            &reversal,
            Some(entry_id),
        )
        .await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "journal_entry.reverse",
                entity_type: "journal_entry",
                entity_id: entry_id.to_string(),
                before: None,
                after: Some(&model.entry_number),
            },
        )
        .await?;
        transaction.commit().await?;
        self.find_entry(model.id).await
    }
}
