//! Contract modifications (ASC 606-10-25-10 to 25-13), evaluated once per modification: the
//! billing area applies every change of a `contractModify` to the contract's lines, then calls
//! [`evaluate`] with the modification date and the lines it added and changed. The treatment is
//! decided for the modification as a whole by [`rules::modification_treatment`], and the SSP of
//! what it adds or re-prices is read as of the modification date, never the contract's start
//! or a line's own start date. Because nothing here depends on the order the changes were
//! given in (billing applies them in a canonical order first), the same modification gives the
//! same schedule whatever order its changes arrive in.

use super::repo::{
    allocate_from_inception, contract_method, create_obligation, find_contract, is_untouched,
    obligation_of_line, obligations_of, pattern_of, recognised_of, record_modification, replan,
    set_allocated, snapshot, ModificationRecord, PLANNED,
};
use super::rules::{self, ModificationFacts, Pattern, RatableMethod, Treatment};
use crate::entities::{
    contract_line, performance_obligation, revenue_modification, revenue_schedule,
};
use crate::error::{AppError, AppResult};
use crate::money::{allocate as allocate_money, Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// One modification as revenue evaluates it, after billing has applied its changes.
#[derive(Debug, Clone)]
pub struct Modification<'a> {
    pub contract_id: i64,
    /// The modification date: when the parties approved the change (25-10).
    pub effective: NaiveDate,
    /// Lines the modification added, in the canonical order billing inserted them.
    pub added: &'a [i64],
    /// Existing lines whose quantity, term or cancellation the modification changed.
    pub changed: &'a [i64],
    pub remaining_distinct: bool,
    pub reason: &'a str,
    /// What was asked, kept in the modification log.
    pub changes: &'a serde_json::Value,
    pub idempotency_key: Option<&'a str>,
}

/// Evaluates a modification whose changes are already applied to the contract's lines: builds
/// the added lines' obligations, re-reads the changed ones, allocates as the treatment says and
/// records the modification with the allocation before and after.
pub async fn evaluate<C: ConnectionTrait>(
    connection: &C,
    modification: &Modification<'_>,
    now: DateTime<Utc>,
    actor_id: Option<i64>,
) -> AppResult<(Treatment, revenue_modification::Model)> {
    let contract = find_contract(connection, modification.contract_id).await?;
    let before = snapshot(connection, contract.id).await?;
    let method = contract_method(connection, &contract).await?;
    let untouched = is_untouched(connection, contract.id).await?;
    // An untouched contract is allocated afresh from inception, at its SSPs then.
    let ssp_on = if untouched {
        contract.start_date
    } else {
        modification.effective
    };
    let mut changed = Vec::new();
    for line_id in modification.changed {
        let obligation = obligation_of_line(connection, *line_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("line {line_id} has no obligation")))?;
        changed.push(refresh_obligation(connection, &obligation, ssp_on, now).await?);
    }
    let mut added = Vec::new();
    for line_id in modification.added {
        let line = contract_line::Entity::find_by_id(*line_id)
            .one(connection)
            .await?
            .ok_or_else(|| AppError::internal("added line vanished"))?;
        added.push(create_obligation(connection, &contract, &line, ssp_on, now).await?);
    }
    let adds_only_at_ssp = !added.is_empty()
        && added.iter().all(|obligation| {
            pattern_of(obligation).is_ok_and(|pattern| !pattern.is_fixed())
                || obligation.stated_minor >= obligation.ssp_minor
        });
    let treatment = rules::modification_treatment(ModificationFacts {
        untouched,
        changes_existing: !changed.is_empty(),
        adds_only_at_ssp,
        remaining_distinct: modification.remaining_distinct,
    });
    let key = format!("mod:{}:{}", contract.id, now.timestamp_micros());
    match treatment {
        Treatment::Combined => {
            allocate_from_inception(connection, contract.id, method, now).await?;
        }
        Treatment::Separate => {
            for obligation in &added {
                replan(
                    connection,
                    obligation,
                    obligation.allocated_minor,
                    obligation.service_start,
                    method,
                    &key,
                )
                .await?;
            }
        }
        Treatment::Prospective => {
            let changed_ids: Vec<i64> = changed.iter().map(|obligation| obligation.id).collect();
            prospective(
                connection,
                contract.id,
                modification.effective,
                method,
                now,
                &key,
                &changed_ids,
            )
            .await?;
        }
        Treatment::CatchUp => {
            for obligation in &changed {
                catch_up(connection, obligation, modification.effective, method, &key).await?;
            }
        }
    }
    let after = snapshot(connection, contract.id).await?;
    let recorded = record_modification(
        connection,
        ModificationRecord {
            contract_id: contract.id,
            treatment: treatment.as_str(),
            effective: modification.effective,
            reason: modification.reason,
            before: &before,
            after: &after,
            changes: Some(modification.changes),
            idempotency_key: modification.idempotency_key,
            actor_id,
            now,
        },
    )
    .await?;
    Ok((treatment, recorded))
}

/// Re-reads a line's stated price, SSP (as of `ssp_on`) and service end into its obligation;
/// the allocated price moves by the change in the stated price (the new consideration).
async fn refresh_obligation<C: ConnectionTrait>(
    connection: &C,
    obligation: &performance_obligation::Model,
    ssp_on: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<performance_obligation::Model> {
    let line = contract_line::Entity::find_by_id(obligation.contract_line_id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::internal("line vanished"))?;
    let facts = super::repo::line_facts(connection, &line, ssp_on).await?;
    let delta = facts.stated - obligation.stated_minor;
    let mut row: performance_obligation::ActiveModel = obligation.clone().into();
    row.stated_minor = Set(facts.stated);
    row.ssp_minor = Set(facts.ssp.minor);
    row.ssp_source = Set(facts.ssp.source);
    row.ssp_method = Set(facts.ssp.method.as_str().into());
    row.residual_low_minor = Set(facts.ssp.residual_range.map(|(low, _)| low));
    row.residual_high_minor = Set(facts.ssp.residual_range.map(|(_, high)| high));
    row.service_end = Set(facts.service_end);
    row.allocated_minor = Set(obligation.allocated_minor + delta);
    row.updated_at = Set(now);
    Ok(row.update(connection).await?)
}

/// Cumulative catch-up on one partially satisfied obligation (25-13(b)): the new price × days
/// delivered by the modification date ÷ service days, less what is recognised, booked on the
/// modification date; the rest is planned over the service still to come.
async fn catch_up<C: ConnectionTrait>(
    connection: &C,
    obligation: &performance_obligation::Model,
    effective: NaiveDate,
    method: RatableMethod,
    key: &str,
) -> AppResult<()> {
    let (recognised, _) = recognised_of(connection, obligation.id).await?;
    let total_days = (obligation.service_end - obligation.service_start).num_days();
    let elapsed = (effective - obligation.service_start).num_days();
    let (caught_up, rest) =
        rules::catch_up(obligation.allocated_minor, elapsed, total_days, recognised);
    replan(connection, obligation, rest, effective, method, key).await?;
    if caught_up != 0 {
        revenue_schedule::ActiveModel {
            obligation_id: Set(obligation.id),
            contract_id: Set(obligation.contract_id),
            currency: Set(obligation.currency.clone()),
            stream_account: Set(obligation.stream_account.clone()),
            kind: Set("catch_up".into()),
            source_key: Set(format!("catchup:{key}:{}", obligation.id)),
            period_start: Set(None),
            period_end: Set(None),
            recognise_on: Set(Some(effective)),
            amount_minor: Set(caught_up),
            status: Set(PLANNED.into()),
            ..Default::default()
        }
        .insert(connection)
        .await?;
    }
    Ok(())
}

/// A fixed obligation that still has something to satisfy after the modification date.
struct Remaining {
    obligation: performance_obligation::Model,
    recognised: i64,
    /// Planned rows for service delivered before the modification date, and how much of each
    /// belongs to that service: it stays at the old price.
    delivered: Vec<(revenue_schedule::Model, i64)>,
    /// The part of the service still to come, as days left over service days.
    left: i64,
    total: i64,
}

/// Prospective (25-13(a)), as if the old contract ended and a new one began on the modification
/// date: what is not yet recognised of the remaining fixed obligations (their allocated prices
/// already include the new consideration) is allocated again by the relative SSP — as at the
/// modification date — of what remains of each, and planned from that date (an added line from
/// its own start). An obligation the modification leaves with no service (a cancellation)
/// books its own remainder on the modification date.
async fn prospective<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
    effective: NaiveDate,
    method: RatableMethod,
    now: DateTime<Utc>,
    key: &str,
    changed: &[i64],
) -> AppResult<()> {
    let remaining = remaining_obligations(
        connection,
        contract_id,
        effective,
        method,
        now,
        key,
        changed,
    )
    .await?;
    let Some(first) = remaining.first() else {
        return Ok(());
    };
    let currency = Currency::parse(&first.obligation.currency)?;
    let price: i64 = remaining
        .iter()
        .map(|part| part.obligation.allocated_minor - part.earned())
        .sum();
    let weights = remaining_weights(&remaining, price, currency)?;
    let shares = allocate_money(Money::from_minor(price, currency), &weights)
        .map_err(|error| AppError::internal(format!("prospective allocation: {error}")))?;
    for (part, share) in remaining.iter().zip(shares) {
        let allocated = part.earned() + share.minor();
        set_allocated(connection, part.obligation.id, allocated, now).await?;
        let mut updated = part.obligation.clone();
        updated.allocated_minor = allocated;
        replan(connection, &updated, share.minor(), effective, method, key).await?;
        keep_delivered(connection, &part.delivered, effective).await?;
    }
    Ok(())
}

/// The fixed obligations with something still to satisfy on the modification date, repriced as
/// at that date. One the modification leaves with no service books its own remainder there and
/// is not among them.
#[allow(clippy::too_many_arguments)]
async fn remaining_obligations<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
    effective: NaiveDate,
    method: RatableMethod,
    now: DateTime<Utc>,
    key: &str,
    changed: &[i64],
) -> AppResult<Vec<Remaining>> {
    let obligations = obligations_of(connection, contract_id).await?;
    let mut remaining = Vec::new();
    for obligation in &obligations {
        let pattern = pattern_of(obligation)?;
        if !pattern.is_fixed() {
            continue;
        }
        let (recognised, last) = recognised_of(connection, obligation.id).await?;
        let open = match pattern {
            Pattern::Ratable => {
                let from = last.map_or(effective, |end| effective.max(end));
                let total = (obligation.service_end - obligation.service_start)
                    .num_days()
                    .max(1);
                let left = (obligation.service_end - from.max(obligation.service_start))
                    .num_days()
                    .max(0);
                Some((left, total))
            }
            // Delivered goods keep their price; only what is still to be satisfied shares. A
            // licence delivered in part keeps its price too (its parts are dated already).
            _ if recognised == 0
                && obligation.satisfied_on.is_none()
                && !has_delivered_parts(connection, obligation.id).await? =>
            {
                Some((1, 1))
            }
            _ => None,
        };
        let Some((left, total)) = open else { continue };
        if left == 0 {
            // No service left (ended, or cancelled by this change): it keeps its own remainder,
            // which the changed line books at once; an ended line's last month is left alone.
            if changed.contains(&obligation.id) {
                let rest = obligation.allocated_minor - recognised;
                replan(connection, obligation, rest, effective, method, key).await?;
            }
            continue;
        }
        // The remaining promises are priced as at the modification date.
        let obligation = refresh_obligation(connection, obligation, effective, now).await?;
        let delivered = if pattern == Pattern::Ratable {
            delivered_before(connection, &obligation, effective).await?
        } else {
            Vec::new()
        };
        remaining.push(Remaining {
            obligation,
            recognised,
            delivered,
            left,
            total,
        });
    }
    Ok(remaining)
}

/// Each remaining obligation's weight in the new allocation: its SSP for the remaining service,
/// or for residual obligations (32-34(c)) what the remaining price leaves after the others,
/// shared by their remaining contract prices. Equal weights when all are zero.
fn remaining_weights(
    remaining: &[Remaining],
    price: i64,
    currency: Currency,
) -> AppResult<Vec<u64>> {
    let remaining_share = |minor: i64, part: &Remaining| -> u64 {
        (i128::from(minor.max(0)) * i128::from(part.left) / i128::from(part.total))
            .try_into()
            .unwrap_or(0)
    };
    let is_residual =
        |part: &Remaining| part.obligation.ssp_method == rules::SspMethod::Residual.as_str();
    let mut weights: Vec<u64> = remaining
        .iter()
        .map(|part| {
            if is_residual(part) {
                0
            } else {
                remaining_share(part.obligation.ssp_minor, part)
            }
        })
        .collect();
    // A residual SSP (32-34(c)) is what the remaining price leaves after the others' SSPs for
    // the remaining service, shared by the residual obligations' remaining contract prices.
    if remaining.iter().any(is_residual) {
        let others: u64 = weights.iter().sum();
        let left = u64::try_from(price.max(0))
            .unwrap_or(0)
            .saturating_sub(others);
        if left == 0 {
            let text = |minor: i64| Money::from_minor(minor, currency).to_string();
            return Err(AppError::validation(
                "changes",
                format!(
                    "The residual approach leaves nothing for the residual obligations: the other obligations' SSPs for the remaining service ({}) take the whole remaining price ({}); estimate their SSP another way (ASC 606-10-32-34(c)).",
                    text(i64::try_from(others).unwrap_or(i64::MAX)),
                    text(price)
                ),
            ));
        }
        let stated: Vec<u64> = remaining
            .iter()
            .map(|part| {
                if is_residual(part) {
                    remaining_share(part.obligation.stated_minor, part).max(1)
                } else {
                    0
                }
            })
            .collect();
        let total_stated: u64 = stated.iter().sum();
        for (weight, share) in weights.iter_mut().zip(&stated) {
            if *share > 0 {
                *weight = u64::try_from(
                    u128::from(left) * u128::from(*share) / u128::from(total_stated.max(1)),
                )
                .unwrap_or(0);
            }
        }
    }
    Ok(if weights.iter().all(|weight| *weight == 0) {
        vec![1; remaining.len()]
    } else {
        weights
    })
}

impl Remaining {
    /// What the obligation has earned by the modification date: recognised, plus what its plan
    /// gives the service delivered since and not yet recognised.
    fn earned(&self) -> i64 {
        self.recognised + self.delivered.iter().map(|(_, amount)| amount).sum::<i64>()
    }
}

/// Whether part of a licence's units was delivered (its rows are dated by delivery).
async fn has_delivered_parts<C: ConnectionTrait>(
    connection: &C,
    obligation_id: i64,
) -> AppResult<bool> {
    Ok(revenue_schedule::Entity::find()
        .filter(revenue_schedule::Column::ObligationId.eq(obligation_id))
        .filter(revenue_schedule::Column::SourceKey.starts_with("delivery:"))
        .one(connection)
        .await?
        .is_some())
}

/// The planned ratable rows of service delivered before `effective`, each with the part that
/// belongs to days before it (a row the date falls inside, pro rata by days). A prospective
/// modification re-allocates only what is still to be delivered (25-13(a)): service delivered
/// between the last recognition and the modification date keeps its old price, so revenue by
/// any month end still follows delivery.
async fn delivered_before<C: ConnectionTrait>(
    connection: &C,
    obligation: &performance_obligation::Model,
    effective: NaiveDate,
) -> AppResult<Vec<(revenue_schedule::Model, i64)>> {
    let planned = revenue_schedule::Entity::find()
        .filter(revenue_schedule::Column::ObligationId.eq(obligation.id))
        .filter(revenue_schedule::Column::Status.eq(PLANNED))
        .filter(revenue_schedule::Column::Kind.eq("ratable"))
        .filter(revenue_schedule::Column::PeriodStart.lt(effective))
        .all(connection)
        .await?;
    Ok(planned
        .into_iter()
        .filter_map(|row| {
            let (start, end) = (row.period_start?, row.period_end?);
            let amount = if end <= effective {
                row.amount_minor
            } else {
                let days = (end - start).num_days().max(1);
                let before = (effective - start).num_days();
                rules::round(
                    Decimal::from(row.amount_minor) * Decimal::from(before) / Decimal::from(days),
                )
            };
            Some((row, amount))
        })
        .collect())
}

/// Puts back the delivered part of the plan after a re-plan from `effective`: whole rows as
/// they were, and the part of the month the date falls in added to that month's new row.
async fn keep_delivered<C: ConnectionTrait>(
    connection: &C,
    delivered: &[(revenue_schedule::Model, i64)],
    effective: NaiveDate,
) -> AppResult<()> {
    for (row, amount) in delivered {
        let whole = row.period_end.is_some_and(|end| end <= effective);
        let merged = if whole {
            0
        } else {
            revenue_schedule::Entity::update_many()
                .col_expr(
                    revenue_schedule::Column::AmountMinor,
                    Expr::col(revenue_schedule::Column::AmountMinor).add(*amount),
                )
                .col_expr(
                    revenue_schedule::Column::PeriodStart,
                    Expr::value(row.period_start),
                )
                .filter(revenue_schedule::Column::ObligationId.eq(row.obligation_id))
                .filter(revenue_schedule::Column::SourceKey.eq(row.source_key.clone()))
                .filter(revenue_schedule::Column::Status.eq(PLANNED))
                .exec(connection)
                .await?
                .rows_affected
        };
        if merged == 0 {
            revenue_schedule::ActiveModel {
                obligation_id: Set(row.obligation_id),
                contract_id: Set(row.contract_id),
                currency: Set(row.currency.clone()),
                stream_account: Set(row.stream_account.clone()),
                kind: Set(row.kind.clone()),
                source_key: Set(row.source_key.clone()),
                period_start: Set(row.period_start),
                period_end: Set(if whole {
                    row.period_end
                } else {
                    Some(effective)
                }),
                recognise_on: Set(row.recognise_on),
                amount_minor: Set(*amount),
                status: Set(PLANNED.into()),
                ..Default::default()
            }
            .insert(connection)
            .await?;
        }
    }
    Ok(())
}
