//! Queries of the commission area: plan versions, assignments, splits, the amounts earlier
//! months were credited, the causes of clawbacks, and the accrual bookkeeping of lines.

use super::plan::PlanDocument;
use super::rules;
use crate::entities::{
    commission_assignment, commission_line, commission_plan, contract, contract_line, credit_memo,
    deal, deal_split, invoice, write_off,
};
use crate::error::AppResult;
use crate::money::Currency;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};

/// Ids per `IN (…)` list.
pub const ID_CHUNK: usize = 1000;
pub const CALCULATED: &str = "calculated";
pub const PAID: &str = "paid";
/// A line no longer owed (its deal went away, a recalculation dropped it); kept so its accrual
/// can be reversed and its history read.
pub const RETIRED: &str = "retired";

#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanVersion {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub name: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub document: PlanDocument,
    pub source_text: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl PlanVersion {
    pub fn from_model(model: commission_plan::Model) -> AppResult<PlanVersion> {
        Ok(PlanVersion {
            id: model.id,
            document: PlanDocument::from_stored(&model.document_json)?,
            code: model.code,
            version: model.version,
            name: model.name,
            effective_from: model.effective_from,
            effective_to: model.effective_to,
            source_text: model.source_text,
            created_by: model.created_by,
            created_at: model.created_at,
        })
    }
}

/// Every version of every plan, newest version first within a code.
pub async fn plan_versions<C: ConnectionTrait>(connection: &C) -> AppResult<Vec<PlanVersion>> {
    commission_plan::Entity::find()
        .order_by_asc(commission_plan::Column::Code)
        .order_by_desc(commission_plan::Column::Version)
        .all(connection)
        .await?
        .into_iter()
        .map(PlanVersion::from_model)
        .collect()
}

/// The newest version of `code` whose dates cover any of the month.
pub fn version_in_force<'a>(
    plans: &'a [PlanVersion],
    code: &str,
    month: NaiveDate,
    month_end: NaiveDate,
) -> Option<&'a PlanVersion> {
    plans
        .iter()
        .filter(|plan| plan.code == code)
        .filter(|plan| plan.effective_from <= month_end)
        .filter(|plan| plan.effective_to.is_none_or(|to| to >= month))
        .max_by_key(|plan| plan.version)
}

/// Assignments covering any of the month, the latest-starting first per user.
pub async fn assignments_for_month<C: ConnectionTrait>(
    connection: &C,
    month: NaiveDate,
    month_end: NaiveDate,
) -> AppResult<Vec<commission_assignment::Model>> {
    Ok(commission_assignment::Entity::find()
        .filter(commission_assignment::Column::EffectiveFrom.lte(month_end))
        .filter(
            commission_assignment::Column::EffectiveTo
                .is_null()
                .or(commission_assignment::Column::EffectiveTo.gte(month)),
        )
        .order_by_asc(commission_assignment::Column::UserId)
        .order_by_desc(commission_assignment::Column::EffectiveFrom)
        .order_by_desc(commission_assignment::Column::Id)
        .all(connection)
        .await?)
}

/// Each deal's split: (user, basis points), for the deals that have one.
pub async fn splits_of<C: ConnectionTrait>(
    connection: &C,
    deal_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<(i64, i32)>>> {
    let mut result: HashMap<i64, Vec<(i64, i32)>> = HashMap::new();
    for chunk in deal_ids.chunks(ID_CHUNK) {
        for row in deal_split::Entity::find()
            .filter(deal_split::Column::DealId.is_in(chunk.iter().copied()))
            .order_by_asc(deal_split::Column::Id)
            .all(connection)
            .await?
        {
            result
                .entry(row.deal_id)
                .or_default()
                .push((row.user_id, row.share_bp));
        }
    }
    Ok(result)
}

/// What earlier months of the quota window credited per (user, component): credit lines and
/// true-ups, not SPIFs, overrides, clawbacks or adjustments.
pub async fn prior_amounts<C: ConnectionTrait>(
    connection: &C,
    period: &str,
    window_start: NaiveDate,
) -> AppResult<HashMap<(i64, String), i64>> {
    let mut result: HashMap<(i64, String), i64> = HashMap::new();
    if window_start.format("%Y-%m").to_string().as_str() >= period {
        return Ok(result);
    }
    for line in commission_line::Entity::find()
        .filter(commission_line::Column::Period.gte(window_start.format("%Y-%m").to_string()))
        .filter(commission_line::Column::Period.lt(period))
        .filter(commission_line::Column::Kind.is_in(["credit", "trueup"]))
        .filter(commission_line::Column::Status.ne(RETIRED))
        .all(connection)
        .await?
    {
        *result.entry((line.user_id, line.component)).or_default() += line.amount_minor;
    }
    Ok(result)
}

/// The period's total per currency.
pub async fn period_totals<C: ConnectionTrait>(
    connection: &C,
    period: &str,
) -> AppResult<Vec<crate::money::Money>> {
    let sums: Vec<(String, Option<i64>)> = commission_line::Entity::find()
        .select_only()
        .column(commission_line::Column::Currency)
        .column_as(
            Expr::col(commission_line::Column::AmountMinor)
                .sum()
                .cast_as(sea_orm::sea_query::Alias::new("BIGINT")),
            "total",
        )
        .filter(commission_line::Column::Period.eq(period))
        .filter(commission_line::Column::Status.ne(RETIRED))
        .group_by(commission_line::Column::Currency)
        .order_by_asc(commission_line::Column::Currency)
        .into_tuple()
        .all(connection)
        .await?;
    sums.into_iter()
        .map(|(code, minor)| {
            Ok(crate::money::Money::from_minor(
                minor.unwrap_or(0),
                Currency::parse(&code)?,
            ))
        })
        .collect()
}

/// Something that took value away from a contract after it was booked.
#[derive(Debug, Clone)]
pub struct Cause {
    /// `credit_memo`, `write_off` or `churn`.
    pub kind: &'static str,
    pub id: i64,
    pub on: NaiveDate,
    /// Pre-tax amount taken away (for churn: unused).
    pub amount: i64,
    pub label: String,
}

fn pre_tax(amount: i64, subtotal: i64, total: i64) -> i64 {
    if total <= 0 {
        return 0;
    }
    (Decimal::from(amount) * Decimal::from(subtotal) / Decimal::from(total))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0)
}

/// Approved credit memos and write-offs dated through `cutoff`, and contracts whose every line
/// was cancelled by then, per contract.
pub async fn reductions_through<C: ConnectionTrait>(
    connection: &C,
    cutoff: NaiveDate,
) -> AppResult<HashMap<i64, Vec<Cause>>> {
    let mut result: HashMap<i64, Vec<Cause>> = HashMap::new();
    add_memos_and_write_offs(connection, cutoff, &mut result).await?;
    add_churn(connection, cutoff, &mut result).await?;
    Ok(result)
}

/// Approved credit memos and write-offs dated through `cutoff`, on their invoices' contracts
/// (a write-off by its pre-tax share).
async fn add_memos_and_write_offs<C: ConnectionTrait>(
    connection: &C,
    cutoff: NaiveDate,
    result: &mut HashMap<i64, Vec<Cause>>,
) -> AppResult<()> {
    // A memo the bill run issued for a cancellation credit is not a cause of its own: the
    // cancellation is (churn, when it ends the contract), and counting both would claw back twice.
    let memos = credit_memo::Entity::find()
        .filter(credit_memo::Column::Status.eq("approved"))
        .filter(credit_memo::Column::BillingChargeId.is_null())
        .filter(credit_memo::Column::IssueDate.lte(cutoff))
        .order_by_asc(credit_memo::Column::Id)
        .all(connection)
        .await?;
    let write_offs = write_off::Entity::find()
        .filter(write_off::Column::Status.eq("approved"))
        .filter(write_off::Column::WrittenOffOn.lte(cutoff))
        .order_by_asc(write_off::Column::Id)
        .all(connection)
        .await?;
    let mut invoice_ids: Vec<i64> = memos
        .iter()
        .map(|memo| memo.invoice_id)
        .chain(write_offs.iter().map(|row| row.invoice_id))
        .collect();
    invoice_ids.sort();
    invoice_ids.dedup();
    let mut invoices: HashMap<i64, invoice::Model> = HashMap::new();
    for chunk in invoice_ids.chunks(ID_CHUNK) {
        for row in invoice::Entity::find()
            .filter(invoice::Column::Id.is_in(chunk.iter().copied()))
            .all(connection)
            .await?
        {
            invoices.insert(row.id, row);
        }
    }
    for memo in memos {
        let (Some(contract_id), Some(on)) = (
            invoices
                .get(&memo.invoice_id)
                .and_then(|row| row.contract_id),
            memo.issue_date,
        ) else {
            continue;
        };
        result.entry(contract_id).or_default().push(Cause {
            kind: "credit_memo",
            id: memo.id,
            on,
            amount: memo.subtotal_minor,
            label: memo.number.unwrap_or_else(|| format!("#{}", memo.id)),
        });
    }
    for row in write_offs {
        let Some(invoice) = invoices.get(&row.invoice_id) else {
            continue;
        };
        let (Some(contract_id), Some(on)) = (invoice.contract_id, row.written_off_on) else {
            continue;
        };
        result.entry(contract_id).or_default().push(Cause {
            kind: "write_off",
            id: row.id,
            on,
            amount: pre_tax(
                row.amount_minor,
                invoice.subtotal_minor,
                invoice.total_minor,
            ),
            label: format!("#{}", row.id),
        });
    }
    Ok(())
}

/// Contracts whose every line was cancelled by `cutoff`, on the last cancellation's day.
async fn add_churn<C: ConnectionTrait>(
    connection: &C,
    cutoff: NaiveDate,
    result: &mut HashMap<i64, Vec<Cause>>,
) -> AppResult<()> {
    let cancelled = contract_line::Entity::find()
        .filter(contract_line::Column::CancelledOn.is_not_null())
        .filter(contract_line::Column::CancelledOn.lte(cutoff))
        .all(connection)
        .await?;
    let mut contract_ids: Vec<i64> = cancelled.iter().map(|line| line.contract_id).collect();
    contract_ids.sort();
    contract_ids.dedup();
    for chunk in contract_ids.chunks(ID_CHUNK) {
        let mut lines: HashMap<i64, Vec<contract_line::Model>> = HashMap::new();
        for line in contract_line::Entity::find()
            .filter(contract_line::Column::ContractId.is_in(chunk.iter().copied()))
            .all(connection)
            .await?
        {
            lines.entry(line.contract_id).or_default().push(line);
        }
        for (contract_id, lines) in lines {
            let dates: Option<Vec<NaiveDate>> =
                lines.iter().map(|line| line.cancelled_on).collect();
            let Some(on) = dates.and_then(|dates| dates.into_iter().max()) else {
                continue;
            };
            if on > cutoff {
                continue;
            }
            result.entry(contract_id).or_default().push(Cause {
                kind: "churn",
                id: contract_id,
                on,
                amount: 0,
                label: format!("contract {contract_id}"),
            });
        }
    }
    Ok(())
}

/// Credit and override lines on booking metrics of these contracts that paid something.
pub async fn clawable_lines<C: ConnectionTrait>(
    connection: &C,
    contract_ids: &[i64],
) -> AppResult<Vec<commission_line::Model>> {
    let mut result = Vec::new();
    for chunk in contract_ids.chunks(ID_CHUNK) {
        result.extend(
            commission_line::Entity::find()
                .filter(commission_line::Column::ContractId.is_in(chunk.iter().copied()))
                .filter(commission_line::Column::Kind.is_in(["credit", "override"]))
                .filter(commission_line::Column::Metric.ne("cash_collected"))
                .filter(commission_line::Column::Status.ne(RETIRED))
                .filter(commission_line::Column::AmountMinor.gt(0))
                .order_by_asc(commission_line::Column::Id)
                .all(connection)
                .await?,
        );
    }
    Ok(result)
}

/// Clawback keys already taken by periods other than `period`, and how much each original line
/// has had clawed back by them.
pub async fn clawback_keys<C: ConnectionTrait>(
    connection: &C,
    period: &str,
) -> AppResult<(HashSet<(i64, String)>, HashMap<i64, i64>)> {
    let mut keys = HashSet::new();
    let mut clawed: HashMap<i64, i64> = HashMap::new();
    for line in commission_line::Entity::find()
        .filter(commission_line::Column::Kind.eq("clawback"))
        .filter(commission_line::Column::Period.ne(period))
        .filter(commission_line::Column::Status.ne(RETIRED))
        .all(connection)
        .await?
    {
        if let Some(original) = line.reverses_line_id {
            *clawed.entry(original).or_default() -= line.amount_minor;
        }
        keys.insert((line.user_id, line.source_key));
    }
    Ok((keys, clawed))
}

/// What a clawback needs to know of a booked contract.
#[derive(Debug, Clone)]
pub struct BookingFacts {
    pub booked_on: NaiveDate,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub tcv: i64,
    pub currency: Currency,
}

pub async fn booking_facts<C: ConnectionTrait>(
    connection: &C,
    contract_ids: &[i64],
) -> AppResult<HashMap<i64, BookingFacts>> {
    let mut result = HashMap::new();
    for chunk in contract_ids.chunks(ID_CHUNK) {
        let contracts = contract::Entity::find()
            .filter(contract::Column::Id.is_in(chunk.iter().copied()))
            .all(connection)
            .await?;
        let deals: HashMap<i64, deal::Model> = deal::Entity::find()
            .filter(deal::Column::Id.is_in(contracts.iter().map(|row| row.deal_id)))
            .all(connection)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        for row in contracts {
            let booked_on = deals
                .get(&row.deal_id)
                .and_then(|deal| deal.approved_at)
                .map(|at| at.date_naive())
                .unwrap_or(row.start_date);
            result.insert(
                row.id,
                BookingFacts {
                    booked_on,
                    start: row.start_date,
                    end: row.end_date,
                    tcv: row.tcv_minor,
                    currency: Currency::parse(&row.currency)?,
                },
            );
        }
    }
    Ok(result)
}

/// Lines no longer owed: amount 0, kept as retired; their accrued amount stays, so
/// `accrual_movements` finds and reverses it.
pub async fn retire_lines<C: ConnectionTrait>(connection: &C, ids: &[i64]) -> AppResult<()> {
    for chunk in ids.chunks(ID_CHUNK) {
        commission_line::Entity::update_many()
            .col_expr(commission_line::Column::AmountMinor, Expr::value(0_i64))
            .col_expr(commission_line::Column::Status, Expr::value(RETIRED))
            .filter(commission_line::Column::Id.is_in(chunk.iter().copied()))
            .exec(connection)
            .await?;
    }
    Ok(())
}

/// What a line still has to post: its amount beyond what was accrued, and for a capitalised
/// line the amortisation due through the month.
#[derive(Debug, Clone)]
pub struct Movement {
    pub id: i64,
    pub currency: String,
    pub capitalised: bool,
    pub amount: i64,
    pub accrued: i64,
    pub amortised: i64,
    pub amortised_target: i64,
}

/// Months of amortisation that have run by the end of `month_end`'s month.
fn months_elapsed(from: NaiveDate, month_end: NaiveDate) -> i32 {
    (month_end.year() - from.year()) * 12 + month_end.month() as i32 - from.month() as i32 + 1
}

/// Lines with something to post as of `month_end` (optionally only `ids`). Expensed lines are
/// summed in SQL per currency (one movement each, `id` 0); capitalised lines come one by one
/// with their amortisation, which only moves forward: a calculation of an earlier month never
/// takes back a later month's.
pub async fn accrual_movements<C: ConnectionTrait>(
    connection: &C,
    month_end: NaiveDate,
    ids: Option<&[i64]>,
) -> AppResult<Vec<Movement>> {
    let mut expensed = commission_line::Entity::find()
        .select_only()
        .column(commission_line::Column::Currency)
        .column_as(
            Expr::expr(sea_orm::sea_query::Func::sum(
                Expr::col(commission_line::Column::AmountMinor)
                    .sub(Expr::col(commission_line::Column::AccruedMinor)),
            ))
            .cast_as(sea_orm::sea_query::Alias::new("BIGINT")),
            "owed",
        )
        .filter(
            Expr::col(commission_line::Column::AccruedMinor)
                .ne(Expr::col(commission_line::Column::AmountMinor)),
        )
        .filter(commission_line::Column::Capitalised.eq(false));
    if let Some(ids) = ids {
        expensed = expensed.filter(commission_line::Column::Id.is_in(ids.iter().copied()));
    }
    let sums: Vec<(String, Option<i64>)> = expensed
        .group_by(commission_line::Column::Currency)
        .order_by_asc(commission_line::Column::Currency)
        .into_tuple()
        .all(connection)
        .await?;
    let mut result: Vec<Movement> = sums
        .into_iter()
        .filter_map(|(currency, owed)| {
            owed.filter(|owed| *owed != 0).map(|owed| Movement {
                id: 0,
                currency,
                capitalised: false,
                amount: owed,
                accrued: 0,
                amortised: 0,
                amortised_target: 0,
            })
        })
        .collect();
    type Row = (i64, String, i64, i64, i64, Option<NaiveDate>, i32);
    let mut capitalised = commission_line::Entity::find()
        .select_only()
        .columns([
            commission_line::Column::Id,
            commission_line::Column::Currency,
            commission_line::Column::AmountMinor,
            commission_line::Column::AccruedMinor,
            commission_line::Column::AmortisedMinor,
            commission_line::Column::AmortiseFrom,
            commission_line::Column::AmortiseMonths,
        ])
        .filter(commission_line::Column::Capitalised.eq(true));
    if let Some(ids) = ids {
        capitalised = capitalised.filter(commission_line::Column::Id.is_in(ids.iter().copied()));
    }
    let rows: Vec<Row> = capitalised
        .order_by_asc(commission_line::Column::Id)
        .into_tuple()
        .all(connection)
        .await?;
    for (id, currency, amount, accrued, amortised, amortise_from, amortise_months) in rows {
        let target = match amortise_from {
            Some(from) => {
                let due =
                    rules::amortised(amount, amortise_months, months_elapsed(from, month_end));
                if due.abs() > amortised.abs() || amount == 0 {
                    due
                } else {
                    amortised
                }
            }
            None => amortised,
        };
        if accrued == amount && target == amortised {
            continue;
        }
        result.push(Movement {
            id,
            currency,
            capitalised: true,
            amount,
            accrued,
            amortised,
            amortised_target: target,
        });
    }
    Ok(result)
}

/// Records the movements as posted: every expensed line (of `ids`, or all) is accrued in one
/// statement; capitalised lines one by one with their amortisation.
pub async fn mark_accrued<C: ConnectionTrait>(
    connection: &C,
    movements: &[Movement],
    ids: Option<&[i64]>,
) -> AppResult<()> {
    let mut update = commission_line::Entity::update_many()
        .col_expr(
            commission_line::Column::AccruedMinor,
            Expr::col(commission_line::Column::AmountMinor).into(),
        )
        .filter(
            Expr::col(commission_line::Column::AccruedMinor)
                .ne(Expr::col(commission_line::Column::AmountMinor)),
        )
        .filter(commission_line::Column::Capitalised.eq(false));
    if let Some(ids) = ids {
        update = update.filter(commission_line::Column::Id.is_in(ids.iter().copied()));
    }
    update.exec(connection).await?;
    for movement in movements.iter().filter(|movement| movement.capitalised) {
        commission_line::Entity::update_many()
            .col_expr(
                commission_line::Column::AccruedMinor,
                Expr::value(movement.amount),
            )
            .col_expr(
                commission_line::Column::AmortisedMinor,
                Expr::value(movement.amortised_target),
            )
            .filter(commission_line::Column::Id.eq(movement.id))
            .exec(connection)
            .await?;
    }
    Ok(())
}
