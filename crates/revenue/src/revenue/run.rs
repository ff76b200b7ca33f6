//! The recognition run for a period: usage of the period becomes schedule rows, every planned
//! row satisfied by the cut-off is recognised, and each contract gets one journal entry
//! (Dr deferred revenue, and unbilled AR for what is recognised ahead of billing · Cr revenue by
//! stream), posted in a few batched statements. Re-running finds nothing left to recognise.

use super::positions::{add_to_positions, shift_of};
use super::repo::{self, PLANNED, RECOGNISED};
use super::rules;
use crate::access::Actor;
use crate::audit::{self, AuditRecord};
use crate::calendar::parse_period;
use crate::entities::{
    contract, contract_line, performance_obligation, revenue_position, revenue_posting,
    revenue_run, revenue_schedule, usage_record,
};
use crate::error::{AppError, AppResult};
use crate::ledger::chart::{DEFERRED_REVENUE, UNBILLED_RECEIVABLE};
use crate::ledger::rules::{signed_posting, BalancedEntry, Posting};
use crate::ledger::{self, EntryHeader};
use crate::lines::{decimal, pricing_of};
use crate::money::{Currency, Money};
use crate::pricing;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect, Set, Statement,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub id: i64,
    pub period: String,
    pub as_of: NaiveDate,
    pub contracts: i32,
    pub rows_recognised: i32,
    pub entries: i32,
    pub totals: Vec<Money>,
    pub ran_at: DateTime<Utc>,
}

impl RunReport {
    pub fn from_model(model: revenue_run::Model) -> AppResult<RunReport> {
        let totals: BTreeMap<String, i64> =
            serde_json::from_str(&model.totals_json).map_err(AppError::internal)?;
        Ok(RunReport {
            id: model.id,
            period: model.period,
            as_of: model.as_of,
            contracts: model.contracts,
            rows_recognised: model.rows_recognised,
            entries: model.entries,
            totals: totals
                .into_iter()
                .map(|(currency, minor)| Ok(Money::from_minor(minor, Currency::parse(&currency)?)))
                .collect::<AppResult<Vec<_>>>()?,
            ran_at: model.ran_at,
        })
    }
}

#[derive(Debug, FromQueryResult)]
struct DueRow {
    contract_id: i64,
    currency: String,
    stream_account: String,
    amount: i64,
    rows: i64,
    max_id: i64,
}

/// Usage of each month up to the cut-off becomes rows (the month's priced usage, less rows
/// already written for it, so late readings are trued up in the next run).
async fn materialise_usage<C: ConnectionTrait>(connection: &C, cutoff: NaiveDate) -> AppResult<()> {
    let obligations = performance_obligation::Entity::find()
        .filter(performance_obligation::Column::Pattern.eq(rules::Pattern::AsIncurred.as_str()))
        .all(connection)
        .await?;
    let cutoff_month = crate::ledger::period_of(cutoff);
    for obligation in obligations {
        let Some(line) = contract_line::Entity::find_by_id(obligation.contract_line_id)
            .one(connection)
            .await?
        else {
            continue;
        };
        let Some(pricing) = pricing_of(&line)? else {
            continue;
        };
        let currency = Currency::parse(&line.currency)?;
        let records = usage_record::Entity::find()
            .filter(usage_record::Column::ContractLineId.eq(line.id))
            .filter(usage_record::Column::UsageMonth.lte(cutoff_month.clone()))
            .all(connection)
            .await?;
        let mut by_month: BTreeMap<String, Vec<rust_decimal::Decimal>> = BTreeMap::new();
        for record in &records {
            by_month
                .entry(record.usage_month.clone())
                .or_default()
                .push(decimal("quantity", &record.quantity)?);
        }
        let written = revenue_schedule::Entity::find()
            .filter(revenue_schedule::Column::ObligationId.eq(obligation.id))
            .filter(revenue_schedule::Column::Kind.eq("usage"))
            .all(connection)
            .await?;
        let mut term_usage = crate::money::Money::zero(currency);
        for (month, quantities) in by_month {
            let used = pricing::aggregate(&quantities, pricing.aggregation);
            let priced = pricing::price(&pricing, used, currency)
                .map_err(|error| AppError::internal(error.to_string()))?;
            term_usage = term_usage
                .checked_add(priced.amount)
                .map_err(|error| AppError::internal(error.to_string()))?;
            let prefix = format!("usage:{month}");
            let mine: Vec<&revenue_schedule::Model> = written
                .iter()
                .filter(|row| {
                    row.source_key == prefix || row.source_key.starts_with(&format!("{prefix}:"))
                })
                .collect();
            let already: i64 = mine.iter().map(|row| row.amount_minor).sum();
            let delta = priced.amount.minor() - already;
            if delta == 0 {
                continue;
            }
            let (first, _) = parse_period("period", &month)?;
            let on = rules::month_end(first).min(cutoff);
            let key = if mine.is_empty() {
                prefix
            } else {
                format!("{prefix}:{}", mine.len())
            };
            repo::add_variable(connection, line.id, "usage", &key, on, delta).await?;
        }
        true_up_commitment(connection, &line, &pricing, term_usage, &written, cutoff).await?;
    }
    Ok(())
}

/// A usage line's minimum-commitment true-up, recognised on the term's last day once the run
/// reaches it: the same shortfall the bill run bills (`pricing::true_up` over the term's priced
/// usage), earned when the customer's right to use the committed amount ends. Written once.
async fn true_up_commitment<C: ConnectionTrait>(
    connection: &C,
    line: &contract_line::Model,
    pricing: &pricing::UsagePricing,
    term_usage: crate::money::Money,
    written: &[revenue_schedule::Model],
    cutoff: NaiveDate,
) -> AppResult<()> {
    let last_day = line
        .cancelled_on
        .and_then(|cancelled| cancelled.pred_opt())
        .map_or(line.end_date, |cancelled| cancelled.min(line.end_date));
    if last_day > cutoff {
        return Ok(());
    }
    let key = format!("true-up:{last_day}");
    if written.iter().any(|row| row.source_key == key) {
        return Ok(());
    }
    let short = pricing::true_up(pricing, term_usage)
        .map_err(|error| AppError::internal(error.to_string()))?;
    if let Some((amount, _)) = short {
        repo::add_variable(connection, line.id, "usage", &key, last_day, amount.minor()).await?;
    }
    Ok(())
}

/// Recognises everything due by the cut-off (the period's last day, or `as_of` if earlier),
/// posting in the caller's transaction. Refused in a closed period.
pub async fn execute<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    period: &str,
    as_of: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<RunReport> {
    let (first, next) = parse_period("period", period)?;
    let period_end = next.pred_opt().unwrap_or(next);
    let cutoff = period_end.min(as_of);
    if cutoff < first {
        return Err(AppError::validation(
            "period",
            format!(
                "Period {period} has not begun on {as_of}; nothing can be recognised in it yet."
            ),
        ));
    }
    let started = std::time::Instant::now();
    let lap = |step: &str| {
        tracing::debug!(
            step,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "recognition run"
        )
    };
    ledger::ensure_open(connection, cutoff).await?;
    materialise_usage(connection, cutoff).await?;
    let due = due_rows(connection, cutoff).await?;
    lap("due rows");
    let max_id = due.iter().map(|row| row.max_id).max().unwrap_or(0);
    let row_count: i64 = due.iter().map(|row| row.rows).sum();
    let by_contract = group_by_contract(&due);
    let ids: Vec<i64> = by_contract.keys().copied().collect();
    let (positions, numbers) = positions_and_numbers(connection, &ids).await?;
    lap("positions and numbers");
    let recognition = Recognition::of(&by_contract, &positions, &numbers, period, cutoff)?;
    let run = revenue_run::ActiveModel {
        period: Set(period.to_string()),
        as_of: Set(cutoff),
        contracts: Set(i32::try_from(by_contract.len()).unwrap_or(i32::MAX)),
        rows_recognised: Set(i32::try_from(row_count).unwrap_or(i32::MAX)),
        entries: Set(i32::try_from(recognition.entries.len()).unwrap_or(i32::MAX)),
        totals_json: Set(serde_json::to_string(&recognition.totals).map_err(AppError::internal)?),
        run_by: Set(actor.map(|actor| actor.user_id)),
        ran_at: Set(now),
        ..Default::default()
    }
    .insert(connection)
    .await?;
    let Recognition {
        entries,
        deltas,
        amounts,
        ..
    } = recognition;
    let contract_of_entry: Vec<i64> = entries
        .iter()
        .map(|(contract_id, ..)| *contract_id)
        .collect();
    let entry_ids = ledger::post_entries(
        connection,
        actor,
        now,
        entries
            .into_iter()
            .map(|(_, header, entry)| (header, entry))
            .collect(),
    )
    .await?;
    lap("journal entries");
    write_run_postings(connection, run.id, &contract_of_entry, &entry_ids, amounts).await?;
    lap("run postings");
    add_to_positions(connection, &deltas).await?;
    lap("positions");
    if max_id > 0 {
        mark_recognised(connection, run.id, period, cutoff, max_id, row_count).await?;
    }
    lap("rows marked");
    let report = RunReport::from_model(run)?;
    audit::record(
        connection,
        actor,
        now,
        AuditRecord::<(), _> {
            action: "revenue.run",
            entity_type: "revenue_run",
            entity_id: report.id.to_string(),
            before: None,
            after: Some(&report),
        },
    )
    .await?;
    Ok(report)
}

/// The planned rows due by the cut-off, summed per contract, currency and revenue stream in SQL
/// (with how many rows and the highest id, so exactly these rows are marked after).
async fn due_rows<C: ConnectionTrait>(connection: &C, cutoff: NaiveDate) -> AppResult<Vec<DueRow>> {
    let backend = connection.get_database_backend();
    Ok(DueRow::find_by_statement(Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT contract_id, currency, stream_account, CAST(SUM(amount_minor) AS BIGINT) AS amount, COUNT(*) AS rows, MAX(id) AS max_id FROM revenue_schedule WHERE status = 'planned' AND recognise_on IS NOT NULL AND recognise_on <= {} GROUP BY contract_id, currency, stream_account ORDER BY contract_id, stream_account",
            super::report::placeholder(backend, 1)
        ),
        [cutoff.into()],
    ))
    .all(connection)
    .await?)
}

/// The due rows grouped per contract, in contract order.
fn group_by_contract(due: &[DueRow]) -> DueByContract {
    let mut by_contract: DueByContract = BTreeMap::new();
    for row in due {
        by_contract
            .entry(row.contract_id)
            .or_insert_with(|| (row.currency.clone(), Vec::new()))
            .1
            .push((row.stream_account.clone(), row.amount));
    }
    by_contract
}

/// Each contract's (billed, recognised) position and its number, read 500 contracts at a time.
async fn positions_and_numbers<C: ConnectionTrait>(
    connection: &C,
    ids: &[i64],
) -> AppResult<(HashMap<i64, (i64, i64)>, HashMap<i64, String>)> {
    let mut positions: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut numbers: HashMap<i64, String> = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in revenue_position::Entity::find()
            .filter(revenue_position::Column::ContractId.is_in(chunk.to_vec()))
            .all(connection)
            .await?
        {
            positions.insert(row.contract_id, (row.billed_minor, row.recognised_minor));
        }
        let found: Vec<(i64, String)> = contract::Entity::find()
            .select_only()
            .column(contract::Column::Id)
            .column(contract::Column::ContractNumber)
            .filter(contract::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(connection)
            .await?;
        numbers.extend(found);
    }
    Ok((positions, numbers))
}

/// Per contract: its currency and the amount due per revenue stream account.
type DueByContract = BTreeMap<i64, (String, Vec<(String, i64)>)>;

/// What the run recognises: one journal entry per contract (none when nothing moves), the
/// position changes, the amount per contract and the totals per currency.
struct Recognition {
    entries: Vec<(i64, EntryHeader, BalancedEntry)>,
    deltas: Vec<(i64, String, i64, i64)>,
    amounts: Vec<(i64, i64)>,
    totals: BTreeMap<String, i64>,
}

impl Recognition {
    /// Dr deferred revenue for what was billed ahead, Dr unbilled AR for what is recognised
    /// ahead of billing, Cr each revenue stream — per contract.
    fn of(
        by_contract: &DueByContract,
        positions: &HashMap<i64, (i64, i64)>,
        numbers: &HashMap<i64, String>,
        period: &str,
        cutoff: NaiveDate,
    ) -> AppResult<Recognition> {
        let mut entries = Vec::with_capacity(by_contract.len());
        let mut deltas = Vec::with_capacity(by_contract.len());
        let mut amounts = Vec::with_capacity(by_contract.len());
        let mut totals: BTreeMap<String, i64> = BTreeMap::new();
        for (contract_id, (currency_code, streams)) in by_contract {
            let currency = Currency::parse(currency_code)?;
            let amount: i64 = streams.iter().map(|(_, minor)| minor).sum();
            let (billed, recognised) = positions.get(contract_id).copied().unwrap_or((0, 0));
            let moved = shift_of(billed, recognised, 0, amount);
            let mut postings: Vec<Posting> = Vec::new();
            postings.extend(signed_posting(DEFERRED_REVENUE, -moved.deferred, currency));
            postings.extend(signed_posting(
                UNBILLED_RECEIVABLE,
                moved.unbilled,
                currency,
            ));
            for (stream, minor) in streams {
                postings.extend(signed_posting(stream, -minor, currency));
            }
            *totals.entry(currency_code.clone()).or_default() += amount;
            deltas.push((*contract_id, currency_code.clone(), 0, amount));
            amounts.push((*contract_id, amount));
            if postings.is_empty() {
                continue;
            }
            let number = numbers
                .get(contract_id)
                .cloned()
                .unwrap_or_else(|| contract_id.to_string());
            let entry = BalancedEntry::try_new(postings)
                .map_err(|error| AppError::internal(format!("recognition of {number}: {error}")))?;
            entries.push((
                *contract_id,
                EntryHeader {
                    entry_date: cutoff,
                    memo: format!("Revenue recognised for {period}: contract {number}"),
                    source: format!("revenue:{number}:{period}"),
                    idempotency_key: None,
                },
                entry,
            ));
        }
        Ok(Recognition {
            entries,
            deltas,
            amounts,
            totals,
        })
    }
}

/// The run's posting rows: which journal entry recognised how much of each contract.
async fn write_run_postings<C: ConnectionTrait>(
    connection: &C,
    run_id: i64,
    contract_of_entry: &[i64],
    entry_ids: &[i64],
    amounts: Vec<(i64, i64)>,
) -> AppResult<()> {
    let amount_of: HashMap<i64, i64> = amounts.into_iter().collect();
    let postings: Vec<revenue_posting::ActiveModel> = contract_of_entry
        .iter()
        .zip(entry_ids)
        .map(|(contract_id, entry_id)| revenue_posting::ActiveModel {
            run_id: Set(run_id),
            contract_id: Set(*contract_id),
            journal_entry_id: Set(*entry_id),
            amount_minor: Set(amount_of.get(contract_id).copied().unwrap_or(0)),
            ..Default::default()
        })
        .collect();
    for chunk in postings.chunks(1_000) {
        revenue_posting::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(connection)
            .await?;
    }
    Ok(())
}

/// Marks the rows summed as recognised by this run.
async fn mark_recognised<C: ConnectionTrait>(
    connection: &C,
    run_id: i64,
    period: &str,
    cutoff: NaiveDate,
    max_id: i64,
    row_count: i64,
) -> AppResult<()> {
    let marked = revenue_schedule::Entity::update_many()
        .col_expr(revenue_schedule::Column::Status, Expr::value(RECOGNISED))
        .col_expr(revenue_schedule::Column::RunId, Expr::value(run_id))
        .col_expr(
            revenue_schedule::Column::RecognisedPeriod,
            Expr::value(period),
        )
        .filter(revenue_schedule::Column::Status.eq(PLANNED))
        .filter(revenue_schedule::Column::RecogniseOn.is_not_null())
        .filter(revenue_schedule::Column::RecogniseOn.lte(cutoff))
        .filter(revenue_schedule::Column::Id.lte(max_id))
        .exec(connection)
        .await?;
    // Exactly the rows summed above: another run (another instance) that got to them first
    // makes this one give way, and its transaction, postings included, rolls back.
    if marked.rows_affected != u64::try_from(row_count).unwrap_or(0) {
        return Err(AppError::Conflict(format!(
            "Another recognition run for {period} was working at the same time; this one posted nothing. Run it again to pick up anything left."
        )));
    }
    Ok(())
}
