//! Revenue reports: a contract's recognition schedule with its allocation inputs, the contract
//! list, the deferred revenue waterfall, the rollforward and revenue by stream (both read from
//! the ledger, so they agree with the trial balance), the close check, and their CSV forms.

use super::positions::balances;
use super::repo::{PLANNED, RECOGNISED};
use super::CloseCheck;
use crate::calendar::parse_period;
use crate::entities::{contract, customer, journal_entry, ledger_period, revenue_position};
use crate::error::{AppError, AppResult};
use crate::fx::Rates;
use crate::ledger::chart::{
    CONTRA_REVENUE, DEFERRED_REVENUE, REVENUE_LICENCE, REVENUE_SERVICES, REVENUE_SUBSCRIPTION,
    REVENUE_USAGE, UNBILLED_RECEIVABLE,
};
use crate::money::{Currency, Money};
use crate::pagination::{Page, PageRequest};
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

mod contract_schedule;

pub use contract_schedule::{
    schedule, MilestoneRecognition, Modification, Obligation, Schedule, ScheduleRow,
};

#[derive(Debug, Clone, Serialize)]
pub struct ContractSummary {
    pub contract_id: i64,
    pub contract_number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub currency: Currency,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub tcv: Money,
    pub recognised_to_date: Money,
    pub remaining_to_recognise: Money,
    pub deferred_balance: Money,
    pub unbilled_balance: Money,
}

#[derive(Debug, FromQueryResult)]
struct SumRow {
    contract_id: i64,
    status: String,
    amount: i64,
}

pub async fn contracts<C: ConnectionTrait>(
    connection: &C,
    page: PageRequest,
    search: Option<String>,
) -> AppResult<Page<ContractSummary>> {
    let mut query = contract::Entity::find().order_by_desc(contract::Column::Id);
    if let Some(search) = search
        .map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty())
    {
        let customers: Vec<i64> = customer::Entity::find()
            .filter(customer::Column::LegalName.contains(search.clone()))
            .select_only()
            .column(customer::Column::Id)
            .into_tuple()
            .all(connection)
            .await?;
        query = query.filter(
            sea_orm::Condition::any()
                .add(contract::Column::ContractNumber.contains(search))
                .add(contract::Column::CustomerId.is_in(customers)),
        );
    }
    let total = query.clone().count(connection).await?;
    let models = query
        .offset(page.offset)
        .limit(page.limit)
        .all(connection)
        .await?;
    let ids: Vec<i64> = models.iter().map(|model| model.id).collect();
    let sums = if ids.is_empty() {
        Vec::new()
    } else {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        SumRow::find_by_statement(Statement::from_string(
            connection.get_database_backend(),
            format!("SELECT contract_id, status, CAST(SUM(amount_minor) AS BIGINT) AS amount FROM revenue_schedule WHERE contract_id IN ({list}) GROUP BY contract_id, status"),
        ))
        .all(connection)
        .await?
    };
    let names: HashMap<i64, String> = customer::Entity::find()
        .filter(
            customer::Column::Id.is_in(
                models
                    .iter()
                    .map(|model| model.customer_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(connection)
        .await?
        .into_iter()
        .map(|customer| (customer.id, customer.legal_name))
        .collect();
    let positions: HashMap<i64, (i64, i64)> = revenue_position::Entity::find()
        .filter(revenue_position::Column::ContractId.is_in(ids))
        .all(connection)
        .await?
        .into_iter()
        .map(|row| (row.contract_id, (row.billed_minor, row.recognised_minor)))
        .collect();
    let mut items = Vec::new();
    for model in models {
        let currency = Currency::parse(&model.currency)?;
        let money = |minor| Money::from_minor(minor, currency);
        let sum = |status: &str| -> i64 {
            sums.iter()
                .filter(|row| row.contract_id == model.id && row.status == status)
                .map(|row| row.amount)
                .sum()
        };
        let (billed, recognised) = positions.get(&model.id).copied().unwrap_or((0, 0));
        let (deferred, unbilled) = balances(billed, recognised);
        items.push(ContractSummary {
            contract_id: model.id,
            contract_number: model.contract_number,
            customer_id: model.customer_id,
            customer_name: names.get(&model.customer_id).cloned().unwrap_or_default(),
            currency,
            start_date: model.start_date,
            end_date: model.end_date,
            tcv: money(model.tcv_minor),
            recognised_to_date: money(sum(RECOGNISED)),
            remaining_to_recognise: money(sum(PLANNED)),
            deferred_balance: money(deferred),
            unbilled_balance: money(unbilled),
        });
    }
    Ok(Page::new(items, page, total))
}

#[derive(Debug, Clone, Serialize)]
pub struct WaterfallCurrency {
    pub currency: Currency,
    pub deferred_balance: Money,
    pub unbilled_balance: Money,
    pub scheduled: Money,
    pub awaiting_satisfaction: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaterfallRow {
    pub currency: Currency,
    pub month: String,
    pub amount: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct Waterfall {
    pub as_of: NaiveDate,
    pub currencies: Vec<WaterfallCurrency>,
    pub rows: Vec<WaterfallRow>,
}

#[derive(Debug, FromQueryResult)]
struct DateSum {
    currency: String,
    recognise_on: Option<NaiveDate>,
    amount: i64,
}

#[derive(Debug, FromQueryResult)]
struct LedgerSum {
    currency: String,
    account_code: String,
    from_run: i32,
    debit: i64,
    credit: i64,
}

pub(crate) fn placeholder(backend: sea_orm::DatabaseBackend, index: usize) -> String {
    match backend {
        sea_orm::DatabaseBackend::Postgres => format!("${index}"),
        _ => "?".into(),
    }
}

/// Debits and credits per currency and account for entries dated in `[from, to)`, split by
/// whether a recognition run posted them.
async fn ledger_sums<C: ConnectionTrait>(
    connection: &C,
    from: Option<NaiveDate>,
    to: NaiveDate,
) -> AppResult<Vec<LedgerSum>> {
    let backend = connection.get_database_backend();
    let accounts = [
        DEFERRED_REVENUE,
        UNBILLED_RECEIVABLE,
        REVENUE_SUBSCRIPTION,
        REVENUE_SERVICES,
        REVENUE_USAGE,
        REVENUE_LICENCE,
        CONTRA_REVENUE,
    ]
    .iter()
    .map(|code| format!("'{code}'"))
    .collect::<Vec<_>>()
    .join(",");
    let mut values: Vec<sea_orm::Value> = vec![to.into()];
    let mut lower = String::new();
    if let Some(from) = from {
        lower = format!(" AND e.entry_date >= {}", placeholder(backend, 2));
        values.push(from.into());
    }
    let sql = format!(
        "SELECT l.currency, l.account_code, CASE WHEN e.source LIKE 'revenue:%' THEN 1 ELSE 0 END AS from_run, \
         CAST(SUM(l.debit_minor) AS BIGINT) AS debit, CAST(SUM(l.credit_minor) AS BIGINT) AS credit \
         FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id \
         WHERE l.account_code IN ({accounts}) AND e.entry_date < {}{lower} \
         GROUP BY l.currency, l.account_code, CASE WHEN e.source LIKE 'revenue:%' THEN 1 ELSE 0 END",
        placeholder(backend, 1)
    );
    Ok(
        LedgerSum::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .all(connection)
            .await?,
    )
}

pub async fn waterfall<C: ConnectionTrait>(
    connection: &C,
    as_of: NaiveDate,
    months: u32,
) -> AppResult<Waterfall> {
    let backend = connection.get_database_backend();
    let sums = DateSum::find_by_statement(Statement::from_string(
        backend,
        "SELECT currency, recognise_on, CAST(SUM(amount_minor) AS BIGINT) AS amount FROM revenue_schedule WHERE status = 'planned' GROUP BY currency, recognise_on".to_string(),
    ))
    .all(connection)
    .await?;
    let next_day = as_of.succ_opt().unwrap_or(as_of);
    let balances = ledger_sums(connection, None, next_day).await?;
    let first_month = crate::ledger::period_of(as_of);
    let (first, _) = parse_period("asOf", &first_month)?;
    let last = crate::calendar::add_months(first, months);
    let mut by_month: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut per_currency: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for row in &sums {
        let entry = per_currency.entry(row.currency.clone()).or_default();
        match row.recognise_on {
            None => entry.1 += row.amount,
            Some(on) => {
                entry.0 += row.amount;
                // Anything overdue for recognition shows in the current month.
                let month = if on < first {
                    first_month.clone()
                } else {
                    crate::ledger::period_of(on)
                };
                if on < last {
                    *by_month.entry((row.currency.clone(), month)).or_default() += row.amount;
                }
            }
        }
    }
    let mut currencies_seen: Vec<String> = per_currency.keys().cloned().collect();
    for row in &balances {
        currencies_seen.push(row.currency.clone());
    }
    currencies_seen.sort();
    currencies_seen.dedup();
    let mut currencies = Vec::new();
    for code in currencies_seen {
        let currency = Currency::parse(&code)?;
        let balance = |account: &str| -> i64 {
            balances
                .iter()
                .filter(|row| row.currency == code && row.account_code == account)
                .map(|row| row.debit - row.credit)
                .sum()
        };
        let (scheduled, awaiting) = per_currency.get(&code).copied().unwrap_or((0, 0));
        currencies.push(WaterfallCurrency {
            currency,
            deferred_balance: Money::from_minor(-balance(DEFERRED_REVENUE), currency),
            unbilled_balance: Money::from_minor(balance(UNBILLED_RECEIVABLE), currency),
            scheduled: Money::from_minor(scheduled, currency),
            awaiting_satisfaction: Money::from_minor(awaiting, currency),
        });
    }
    let rows = by_month
        .into_iter()
        .map(|((currency, month), amount)| {
            let currency = Currency::parse(&currency)?;
            Ok(WaterfallRow {
                currency,
                month,
                amount: Money::from_minor(amount, currency),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Waterfall {
        as_of,
        currencies,
        rows,
    })
}

/// The months from `from` to `to` inclusive ("YYYY-MM"), at most 60.
pub fn month_range(from: &str, to: &str) -> AppResult<Vec<(String, NaiveDate, NaiveDate)>> {
    let (mut first, _) = parse_period("from", from)?;
    let (last, _) = parse_period("to", to)?;
    if last < first {
        return Err(AppError::validation(
            "to",
            "The last month is before the first.",
        ));
    }
    let mut months = Vec::new();
    while first <= last {
        if months.len() >= 60 {
            return Err(AppError::Limit("Ask for at most 60 months at once.".into()));
        }
        let (_, next, key) = crate::calendar::month_of(first);
        months.push((key, first, next));
        first = next;
    }
    Ok(months)
}

#[derive(Debug, Clone, Serialize)]
pub struct RollforwardMonth {
    pub month: String,
    pub currency: Currency,
    pub opening_deferred: Money,
    pub billed: Money,
    pub recognised: Money,
    /// In the functional view, what moving the rates from the opening day to the month's last
    /// day did to deferred revenue (closing − opening − billed + recognised); zero in a
    /// currency's own rows.
    pub fx_translation: Money,
    pub closing_deferred: Money,
    pub opening_unbilled: Money,
    pub closing_unbilled: Money,
}

/// Opening deferred + billed − recognised = closing, per month and currency, from the ledger:
/// "recognised" is what recognition runs took out of deferred revenue, "billed" every other
/// movement of it (invoices, voids, credit memos).
pub async fn rollforward<C: ConnectionTrait>(
    connection: &C,
    months: &[(String, NaiveDate, NaiveDate)],
) -> AppResult<Vec<RollforwardMonth>> {
    let Some((_, start, _)) = months.first() else {
        return Ok(Vec::new());
    };
    let opening = ledger_sums(connection, None, *start).await?;
    let mut deferred: BTreeMap<String, i64> = BTreeMap::new();
    let mut unbilled: BTreeMap<String, i64> = BTreeMap::new();
    for row in &opening {
        if row.account_code == DEFERRED_REVENUE {
            *deferred.entry(row.currency.clone()).or_default() += row.credit - row.debit;
        } else if row.account_code == UNBILLED_RECEIVABLE {
            *unbilled.entry(row.currency.clone()).or_default() += row.debit - row.credit;
        }
    }
    let mut result = Vec::new();
    for (key, first, next) in months {
        let moves = ledger_sums(connection, Some(*first), *next).await?;
        let mut currencies: Vec<String> = deferred.keys().chain(unbilled.keys()).cloned().collect();
        currencies.extend(moves.iter().map(|row| row.currency.clone()));
        currencies.sort();
        currencies.dedup();
        for code in currencies {
            let currency = Currency::parse(&code)?;
            let sum = |account: &str, run: bool| -> i64 {
                moves
                    .iter()
                    .filter(|row| {
                        row.currency == code
                            && row.account_code == account
                            && (row.from_run == 1) == run
                    })
                    .map(|row| row.credit - row.debit)
                    .sum()
            };
            let billed = sum(DEFERRED_REVENUE, false);
            let recognised = -sum(DEFERRED_REVENUE, true);
            let unbilled_move = -(sum(UNBILLED_RECEIVABLE, false) + sum(UNBILLED_RECEIVABLE, true));
            let open_deferred = deferred.get(&code).copied().unwrap_or(0);
            let open_unbilled = unbilled.get(&code).copied().unwrap_or(0);
            let close_deferred = open_deferred + billed - recognised;
            let close_unbilled = open_unbilled + unbilled_move;
            deferred.insert(code.clone(), close_deferred);
            unbilled.insert(code.clone(), close_unbilled);
            result.push(RollforwardMonth {
                month: key.clone(),
                currency,
                opening_deferred: Money::from_minor(open_deferred, currency),
                billed: Money::from_minor(billed, currency),
                recognised: Money::from_minor(recognised, currency),
                fx_translation: Money::from_minor(0, currency),
                closing_deferred: Money::from_minor(close_deferred, currency),
                opening_unbilled: Money::from_minor(open_unbilled, currency),
                closing_unbilled: Money::from_minor(close_unbilled, currency),
            });
        }
    }
    Ok(result)
}

#[derive(Debug, Clone, Serialize)]
pub struct StreamMonth {
    pub month: String,
    pub currency: Currency,
    pub subscription: Money,
    pub services: Money,
    pub usage: Money,
    pub licence: Money,
    pub contra: Money,
    pub total: Money,
    pub billed: Money,
}

/// Revenue recognised per stream and month from the ledger (contra revenue shown negative), and
/// what was billed in the month (net of credits).
pub async fn by_stream<C: ConnectionTrait>(
    connection: &C,
    months: &[(String, NaiveDate, NaiveDate)],
) -> AppResult<Vec<StreamMonth>> {
    let mut result = Vec::new();
    for (key, first, next) in months {
        let moves = ledger_sums(connection, Some(*first), *next).await?;
        let mut currencies: Vec<String> = moves.iter().map(|row| row.currency.clone()).collect();
        currencies.sort();
        currencies.dedup();
        for code in currencies {
            let currency = Currency::parse(&code)?;
            let credit = |account: &str, run: Option<bool>| -> i64 {
                moves
                    .iter()
                    .filter(|row| row.currency == code && row.account_code == account)
                    .filter(|row| run.is_none_or(|run| (row.from_run == 1) == run))
                    .map(|row| row.credit - row.debit)
                    .sum()
            };
            let streams = [
                REVENUE_SUBSCRIPTION,
                REVENUE_SERVICES,
                REVENUE_USAGE,
                REVENUE_LICENCE,
                CONTRA_REVENUE,
            ]
            .map(|account| credit(account, None));
            let billed = credit(DEFERRED_REVENUE, Some(false))
                + credit(UNBILLED_RECEIVABLE, Some(false))
                + credit(CONTRA_REVENUE, None);
            let money = |minor| Money::from_minor(minor, currency);
            result.push(StreamMonth {
                month: key.clone(),
                currency,
                subscription: money(streams[0]),
                services: money(streams[1]),
                usage: money(streams[2]),
                licence: money(streams[3]),
                contra: money(streams[4]),
                total: money(streams.iter().sum()),
                billed: money(billed),
            });
        }
    }
    Ok(result)
}

/// The rollforward in the functional currency, from each currency's rows: balances at the rate
/// of their day (opening: the day before the month; closing: its last day), the month's billing
/// and recognition at its last day's rate, and the FX translation that closes the difference, so
/// opening + billed − recognised + translation = closing holds in the functional currency too.
/// Each figure adds the currencies by the one conversion rule (`fx::Rates::functional_total`).
pub fn rollforward_functional(
    rows: &[RollforwardMonth],
    months: &[(String, NaiveDate, NaiveDate)],
    rates: &Rates,
    warnings: &mut Vec<String>,
) -> Vec<RollforwardMonth> {
    let functional = rates.functional;
    let money = |minor| Money::from_minor(minor, functional);
    months
        .iter()
        .filter_map(|(key, first, next)| {
            let month: Vec<&RollforwardMonth> =
                rows.iter().filter(|row| &row.month == key).collect();
            if month.is_empty() {
                return None;
            }
            let opening_day = *first - chrono::Duration::days(1);
            let closing_day = *next - chrono::Duration::days(1);
            let total = |pick: fn(&RollforwardMonth) -> Money,
                         on: NaiveDate,
                         warnings: &mut Vec<String>| {
                rates.functional_total(month.iter().map(|row| pick(row)), on, warnings)
            };
            let opening = total(|row| row.opening_deferred, opening_day, warnings);
            let billed = total(|row| row.billed, closing_day, warnings);
            let recognised = total(|row| row.recognised, closing_day, warnings);
            let closing = total(|row| row.closing_deferred, closing_day, warnings);
            Some(RollforwardMonth {
                month: key.clone(),
                currency: functional,
                opening_deferred: money(opening),
                billed: money(billed),
                recognised: money(recognised),
                fx_translation: money(closing - opening - billed + recognised),
                closing_deferred: money(closing),
                opening_unbilled: money(total(|row| row.opening_unbilled, opening_day, warnings)),
                closing_unbilled: money(total(|row| row.closing_unbilled, closing_day, warnings)),
            })
        })
        .collect()
}

/// Revenue by stream in the functional currency: each currency's month converted at the
/// month's last day's rate, its streams split from its converted total (so they add up to it),
/// then the currencies added.
pub fn by_stream_functional(
    rows: &[StreamMonth],
    months: &[(String, NaiveDate, NaiveDate)],
    rates: &Rates,
    warnings: &mut Vec<String>,
) -> Vec<StreamMonth> {
    let functional = rates.functional;
    let money = |minor| Money::from_minor(minor, functional);
    months
        .iter()
        .filter_map(|(key, _, next)| {
            let on = *next - chrono::Duration::days(1);
            let mut streams = [0i64; 5];
            let mut billed = Vec::new();
            let mut any = false;
            for row in rows.iter().filter(|row| &row.month == key) {
                any = true;
                let parts = [
                    row.subscription.minor(),
                    row.services.minor(),
                    row.usage.minor(),
                    row.licence.minor(),
                    row.contra.minor(),
                ];
                if let Some(converted) = rates.functional_parts(row.currency, &parts, on, warnings)
                {
                    for (sum, part) in streams.iter_mut().zip(converted) {
                        *sum += part;
                    }
                }
                billed.push(row.billed);
            }
            any.then(|| StreamMonth {
                month: key.clone(),
                currency: functional,
                subscription: money(streams[0]),
                services: money(streams[1]),
                usage: money(streams[2]),
                licence: money(streams[3]),
                contra: money(streams[4]),
                total: money(streams.iter().sum()),
                billed: money(rates.functional_total(billed, on, warnings)),
            })
        })
        .collect()
}

#[derive(Debug, FromQueryResult)]
struct PendingRow {
    currency: String,
    rows: i64,
    amount: i64,
}

#[derive(Debug, FromQueryResult)]
struct TotalRow {
    currency: String,
    debit: i64,
    credit: i64,
}

pub async fn close_check<C: ConnectionTrait>(
    connection: &C,
    period: &str,
    today: NaiveDate,
) -> AppResult<CloseCheck> {
    let (first, next) = parse_period("period", period)?;
    let backend = connection.get_database_backend();
    let mut problems = Vec::new();
    if next > today {
        problems.push(format!("{period} is not over yet (today is {today})."));
    }
    let totals = TotalRow::find_by_statement(Statement::from_sql_and_values(
        backend,
        format!("SELECT l.currency, CAST(SUM(l.debit_minor) AS BIGINT) AS debit, CAST(SUM(l.credit_minor) AS BIGINT) AS credit FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id WHERE e.entry_date < {} GROUP BY l.currency", placeholder(backend, 1)),
        [next.into()],
    ))
    .all(connection)
    .await?;
    let unbalanced: Vec<String> = totals
        .iter()
        .filter(|row| row.debit != row.credit)
        .map(|row| row.currency.clone())
        .collect();
    let trial_balance_zero = unbalanced.is_empty();
    if !trial_balance_zero {
        problems.push(format!(
            "The trial balance is not zero in {}.",
            unbalanced.join(", ")
        ));
    }
    let pending = PendingRow::find_by_statement(Statement::from_sql_and_values(
        backend,
        format!("SELECT currency, COUNT(*) AS rows, CAST(SUM(amount_minor) AS BIGINT) AS amount FROM revenue_schedule WHERE status = 'planned' AND recognise_on IS NOT NULL AND recognise_on < {} GROUP BY currency", placeholder(backend, 1)),
        [next.into()],
    ))
    .all(connection)
    .await?;
    let pending_rows: i64 = pending.iter().map(|row| row.rows).sum();
    if pending_rows > 0 {
        problems.push(format!(
            "{pending_rows} schedule rows due by the end of {period} are not recognised; run recognition for {period} first."
        ));
    }
    let closed: Vec<String> = ledger_period::Entity::find()
        .filter(ledger_period::Column::Status.eq("closed"))
        .all(connection)
        .await?
        .into_iter()
        .map(|row| row.period)
        .collect();
    if closed.iter().any(|closed| closed == period) {
        problems.push(format!("{period} is already closed."));
    }
    // Earlier months that have postings and are still open.
    let earliest = journal_entry::Entity::find()
        .order_by_asc(journal_entry::Column::EntryDate)
        .one(connection)
        .await?
        .map(|entry| entry.entry_date);
    let mut earlier_open = Vec::new();
    if let Some(earliest) = earliest {
        let mut cursor = NaiveDate::from_ymd_opt(
            chrono::Datelike::year(&earliest),
            chrono::Datelike::month(&earliest),
            1,
        )
        .unwrap_or(earliest);
        while cursor < first {
            let (_, following, key) = crate::calendar::month_of(cursor);
            if !closed.contains(&key) {
                earlier_open.push(key);
            }
            cursor = following;
        }
    }
    if !earlier_open.is_empty() {
        problems.push(format!(
            "Close the earlier open months first: {}.",
            earlier_open.join(", ")
        ));
    }
    Ok(CloseCheck {
        period: period.to_string(),
        trial_balance_zero,
        pending_rows,
        pending_amount: pending
            .iter()
            .map(|row| {
                Ok(Money::from_minor(
                    row.amount,
                    Currency::parse(&row.currency)?,
                ))
            })
            .collect::<AppResult<Vec<_>>>()?,
        earlier_open,
        problems,
    })
}

pub(super) fn csv(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut out = header.join(",");
    out.push('\n');
    for row in rows {
        out.push_str(
            &row.iter()
                .map(|field| crate::values::csv_cell(field))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

pub fn waterfall_csv(data: &Waterfall) -> String {
    csv(
        &["currency", "month", "amount"],
        data.rows
            .iter()
            .map(|row| {
                vec![
                    row.currency.code().to_string(),
                    row.month.clone(),
                    row.amount.amount_string(),
                ]
            })
            .collect(),
    )
}

pub fn rollforward_csv(rows: &[RollforwardMonth]) -> String {
    csv(
        &[
            "month",
            "currency",
            "opening_deferred",
            "billed",
            "recognised",
            "fx_translation",
            "closing_deferred",
            "opening_unbilled",
            "closing_unbilled",
        ],
        rows.iter()
            .map(|row| {
                vec![
                    row.month.clone(),
                    row.currency.code().to_string(),
                    row.opening_deferred.amount_string(),
                    row.billed.amount_string(),
                    row.recognised.amount_string(),
                    row.fx_translation.amount_string(),
                    row.closing_deferred.amount_string(),
                    row.opening_unbilled.amount_string(),
                    row.closing_unbilled.amount_string(),
                ]
            })
            .collect(),
    )
}

pub fn streams_csv(rows: &[StreamMonth]) -> String {
    csv(
        &[
            "month",
            "currency",
            "subscription",
            "services",
            "usage",
            "licence",
            "contra",
            "total",
            "billed",
        ],
        rows.iter()
            .map(|row| {
                vec![
                    row.month.clone(),
                    row.currency.code().to_string(),
                    row.subscription.amount_string(),
                    row.services.amount_string(),
                    row.usage.amount_string(),
                    row.licence.amount_string(),
                    row.contra.amount_string(),
                    row.total.amount_string(),
                    row.billed.amount_string(),
                ]
            })
            .collect(),
    )
}

pub fn schedule_csv(schedule: &Schedule) -> String {
    csv(
        &[
            "contract",
            "product",
            "kind",
            "month",
            "recognise_on",
            "amount",
            "currency",
            "status",
            "journal_entry",
        ],
        schedule
            .rows
            .iter()
            .map(|row| {
                vec![
                    schedule.contract_number.clone(),
                    row.product_name.clone(),
                    row.kind.clone(),
                    row.month.clone().unwrap_or_default(),
                    row.recognise_on
                        .map(|date| date.to_string())
                        .unwrap_or_default(),
                    row.amount.amount_string(),
                    schedule.currency.code().to_string(),
                    row.status.clone(),
                    row.journal_entry_number.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    )
}
