//! Storage of the revenue area, called inside the caller's transaction: building a contract's
//! performance obligations and schedule, the hooks other areas call when they credit, deliver or
//! approve, and the modifications (combined, separate, prospective, cumulative catch-up). The
//! billed/recognised position and the billing hooks are in `positions`.

use super::positions::{balances, nets_by_contract, position, shift};
use super::rules::{self, AllocationInput, Pattern, RatableMethod, SspBasis, SspEntry, SspMethod};
use crate::entities::{
    contract, contract_line, contract_line_change, ledger_period, performance_obligation,
    revenue_modification, revenue_schedule, ssp_price,
};
use crate::error::{AppError, AppResult};
use crate::kinds::ContractLineKind;
use crate::lines::{change_from_model, line_terms};
use crate::money::{allocate as allocate_money, Currency, Money};
use crate::schedule::LineTerms;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::HashMap;

pub const RATABLE_METHOD: &str = "revenue.ratable_method";

pub const PLANNED: &str = "planned";
pub const RECOGNISED: &str = "recognised";

pub use crate::settings::{get as setting, set as set_setting};

/// The company's ratable method; monthly equal parts unless the CFO chose daily.
pub async fn ratable_method<C: ConnectionTrait>(connection: &C) -> AppResult<RatableMethod> {
    Ok(setting(connection, RATABLE_METHOD)
        .await?
        .as_deref()
        .and_then(RatableMethod::parse)
        .unwrap_or(RatableMethod::MonthlyEqual))
}

/// The ratable convention of a contract: its own override where it has one, else the company's.
pub async fn contract_method<C: ConnectionTrait>(
    connection: &C,
    contract: &contract::Model,
) -> AppResult<RatableMethod> {
    match contract
        .revenue_method
        .as_deref()
        .and_then(RatableMethod::parse)
    {
        Some(method) => Ok(method),
        None => ratable_method(connection).await,
    }
}

/// A credit memo's nets per invoice line: the part still deferred (and still to be recognised)
/// comes off deferred revenue and off the future schedule; the part already recognised is
/// contra revenue. Returns (deferred debit, contra revenue debit).
pub async fn on_credited<C: ConnectionTrait>(
    connection: &C,
    line_nets: &[(i64, i64)],
    on: NaiveDate,
    now: DateTime<Utc>,
    actor_id: Option<i64>,
    reason: &str,
) -> AppResult<(i64, i64)> {
    let by_contract = nets_by_contract(connection, line_nets).await?;
    let (mut deferred_total, mut contra_total) = (0, 0);
    for (contract_id, (currency, net)) in by_contract {
        let (billed, recognised) = position(connection, contract_id).await?;
        let (deferred, _) = balances(billed, recognised);
        let planned = planned_fixed_total(connection, contract_id).await?;
        let from_deferred = net.min(deferred).min(planned).max(0);
        let contra = net - from_deferred;
        shift(connection, contract_id, &currency, -net, -contra).await?;
        if from_deferred > 0 {
            reduce_future(
                connection,
                contract_id,
                from_deferred,
                on,
                now,
                actor_id,
                reason,
            )
            .await?;
        }
        deferred_total += from_deferred;
        contra_total += contra;
    }
    Ok((deferred_total, contra_total))
}

async fn planned_fixed_total<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
) -> AppResult<i64> {
    Ok(fixed_planned_rows(connection, contract_id)
        .await?
        .iter()
        .map(|row| row.amount_minor)
        .sum())
}

async fn fixed_planned_rows<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
) -> AppResult<Vec<revenue_schedule::Model>> {
    Ok(revenue_schedule::Entity::find()
        .filter(revenue_schedule::Column::ContractId.eq(contract_id))
        .filter(revenue_schedule::Column::Status.eq(PLANNED))
        .filter(revenue_schedule::Column::Kind.is_in([
            "ratable",
            "satisfaction",
            "catch_up",
            "adjustment",
        ]))
        .order_by_asc(revenue_schedule::Column::Id)
        .all(connection)
        .await?)
}

/// A price concession on what is not yet recognised: the planned rows give it up in
/// proportion to their amounts, and their obligations' allocated prices fall with them.
async fn reduce_future<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
    amount: i64,
    on: NaiveDate,
    now: DateTime<Utc>,
    actor_id: Option<i64>,
    reason: &str,
) -> AppResult<()> {
    let before = snapshot(connection, contract_id).await?;
    let rows = fixed_planned_rows(connection, contract_id).await?;
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let currency = Currency::parse(&first.currency)?;
    let weights: Vec<u64> = rows
        .iter()
        .map(|row| row.amount_minor.max(0).unsigned_abs())
        .collect();
    let cuts = allocate_money(Money::from_minor(amount, currency), &weights)
        .map_err(|error| AppError::internal(format!("price concession: {error}")))?;
    let mut by_obligation: HashMap<i64, i64> = HashMap::new();
    for (row, cut) in rows.iter().zip(cuts) {
        if cut.minor() == 0 {
            continue;
        }
        revenue_schedule::Entity::update_many()
            .col_expr(
                revenue_schedule::Column::AmountMinor,
                Expr::value(row.amount_minor - cut.minor()),
            )
            .filter(revenue_schedule::Column::Id.eq(row.id))
            .exec(connection)
            .await?;
        *by_obligation.entry(row.obligation_id).or_default() += cut.minor();
    }
    for (obligation_id, cut) in by_obligation {
        performance_obligation::Entity::update_many()
            .col_expr(
                performance_obligation::Column::AllocatedMinor,
                Expr::col(performance_obligation::Column::AllocatedMinor).sub(cut),
            )
            .col_expr(performance_obligation::Column::UpdatedAt, Expr::value(now))
            .filter(performance_obligation::Column::Id.eq(obligation_id))
            .exec(connection)
            .await?;
    }
    let after = snapshot(connection, contract_id).await?;
    record_modification(
        connection,
        ModificationRecord {
            contract_id,
            treatment: "price_concession",
            effective: on,
            reason,
            before: &before,
            after: &after,
            changes: None,
            idempotency_key: None,
            actor_id,
            now,
        },
    )
    .await?;
    Ok(())
}

/// What a modification's before/after keeps: each obligation's price and what is planned.
pub(super) async fn snapshot<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
) -> AppResult<serde_json::Value> {
    let obligations = obligations_of(connection, contract_id).await?;
    let rows = revenue_schedule::Entity::find()
        .filter(revenue_schedule::Column::ContractId.eq(contract_id))
        .order_by_asc(revenue_schedule::Column::Id)
        .all(connection)
        .await?;
    Ok(serde_json::Value::Array(
        obligations
            .iter()
            .map(|obligation| {
                let mine = rows.iter().filter(|row| row.obligation_id == obligation.id);
                let recognised: i64 = mine
                    .clone()
                    .filter(|row| row.status == RECOGNISED)
                    .map(|row| row.amount_minor)
                    .sum();
                let planned: Vec<serde_json::Value> = mine
                    .filter(|row| row.status == PLANNED)
                    .map(|row| {
                        serde_json::json!({
                            "key": row.source_key,
                            "recogniseOn": row.recognise_on,
                            "amountMinor": row.amount_minor,
                        })
                    })
                    .collect();
                serde_json::json!({
                    "obligationId": obligation.id,
                    "contractLineId": obligation.contract_line_id,
                    "statedMinor": obligation.stated_minor,
                    "sspMinor": obligation.ssp_minor,
                    "allocatedMinor": obligation.allocated_minor,
                    "serviceEnd": obligation.service_end,
                    "recognisedMinor": recognised,
                    "planned": planned,
                })
            })
            .collect(),
    ))
}

/// One entry of a contract's modification log: the treatment, the business date, the reason,
/// what was asked (`changes`, for a `contractModify`) and the allocation before and after.
pub(super) struct ModificationRecord<'a> {
    pub contract_id: i64,
    pub treatment: &'a str,
    pub effective: NaiveDate,
    pub reason: &'a str,
    pub before: &'a serde_json::Value,
    pub after: &'a serde_json::Value,
    pub changes: Option<&'a serde_json::Value>,
    pub idempotency_key: Option<&'a str>,
    pub actor_id: Option<i64>,
    pub now: DateTime<Utc>,
}

pub(super) async fn record_modification<C: ConnectionTrait>(
    connection: &C,
    record: ModificationRecord<'_>,
) -> AppResult<revenue_modification::Model> {
    Ok(revenue_modification::ActiveModel {
        contract_id: Set(record.contract_id),
        treatment: Set(record.treatment.to_string()),
        effective_date: Set(record.effective),
        reason: Set(record.reason.to_string()),
        before_json: Set(record.before.to_string()),
        after_json: Set(record.after.to_string()),
        changes_json: Set(record.changes.map(|changes| changes.to_string())),
        idempotency_key: Set(record.idempotency_key.map(str::to_string)),
        created_by: Set(record.actor_id),
        created_at: Set(record.now),
        ..Default::default()
    }
    .insert(connection)
    .await?)
}

pub async fn obligations_of<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
) -> AppResult<Vec<performance_obligation::Model>> {
    Ok(performance_obligation::Entity::find()
        .filter(performance_obligation::Column::ContractId.eq(contract_id))
        .order_by_asc(performance_obligation::Column::Id)
        .all(connection)
        .await?)
}

async fn terms_of<C: ConnectionTrait>(
    connection: &C,
    line: &contract_line::Model,
) -> AppResult<LineTerms> {
    let changes = contract_line_change::Entity::find()
        .filter(contract_line_change::Column::ContractLineId.eq(line.id))
        .order_by_asc(contract_line_change::Column::Id)
        .all(connection)
        .await?
        .iter()
        .map(change_from_model)
        .collect::<AppResult<Vec<_>>>()?;
    line_terms(line, changes)
}

/// What the contract says the customer pays for a line over its term, as billing will bill it
/// (periods, proration and changes included). Variable lines (T&M, usage) state nothing fixed.
pub fn stated_total(terms: &LineTerms) -> AppResult<i64> {
    let money = |error: crate::money::MoneyError| AppError::internal(error.to_string());
    match terms.kind {
        ContractLineKind::Subscription => {
            let mut total = 0i64;
            for charge in terms.recurring_due(NaiveDate::MAX, None).map_err(money)? {
                total += charge.amount.minor();
            }
            for change in terms
                .changes
                .iter()
                .filter(|change| !terms.starts_period(change))
            {
                if let Some(charge) = terms.change_charge(change).map_err(money)? {
                    total += charge.amount.minor();
                }
            }
            Ok(total)
        }
        ContractLineKind::Milestone | ContractLineKind::PerpetualLicense => {
            Ok(crate::periods::prorate(
                terms.unit_price,
                terms.quantity,
                crate::periods::Proration::FULL,
            )
            .map_err(money)?
            .minor())
        }
        ContractLineKind::TimeAndMaterials | ContractLineKind::Usage => Ok(0),
    }
}

async fn ssp_entry<C: ConnectionTrait>(
    connection: &C,
    product: &str,
    currency: &str,
    on: NaiveDate,
) -> AppResult<Option<SspEntry>> {
    let rows = ssp_price::Entity::find()
        .filter(ssp_price::Column::ProductName.is_in(ssp_names(product)))
        .filter(ssp_price::Column::Currency.eq(currency))
        .filter(ssp_price::Column::EffectiveFrom.lte(on))
        .all(connection)
        .await?;
    Ok(choose_ssp(&rows, product, currency, on))
}

/// The names an SSP may be filed under for a product: its own, then (for "Platform: Gold") the
/// base product's.
fn ssp_names(product: &str) -> Vec<String> {
    let mut names = vec![product.to_string()];
    if let Some((base, _)) = product.split_once(": ") {
        names.push(base.to_string());
    }
    names
}

/// The SSP in force for a product on a day among `rows`: the latest effective on or before it,
/// under the product's own name first, then its base product's.
fn choose_ssp(
    rows: &[ssp_price::Model],
    product: &str,
    currency: &str,
    on: NaiveDate,
) -> Option<SspEntry> {
    ssp_names(product).iter().find_map(|name| {
        rows.iter()
            .filter(|row| &row.product_name == name && row.currency == currency)
            .filter(|row| row.effective_from <= on)
            .max_by_key(|row| row.effective_from)
            .map(|row| SspEntry {
                basis: SspBasis::parse(&row.basis).unwrap_or(SspBasis::PerUnit),
                low: row.low_minor,
                high: row.high_minor,
                effective_from: row.effective_from,
                method: SspMethod::parse(&row.method).unwrap_or_default(),
                cost: row.cost_minor,
                margin_bp: row.margin_bp,
            })
    })
}

/// A line's obligation facts: pattern, service period, stated price and SSP.
pub(super) struct LineFacts {
    pub pattern: Pattern,
    pub service_start: NaiveDate,
    pub service_end: NaiveDate,
    pub stated: i64,
    pub ssp: rules::Ssp,
    pub satisfied_on: Option<NaiveDate>,
    pub expected_on: Option<NaiveDate>,
}

/// The line's facts with its SSP as of `ssp_on`: the contract's start for what was sold at
/// inception, the modification date for what a modification adds or re-prices (ASC 606-10-25-13:
/// the remaining promises are priced as at the modification).
pub(super) async fn line_facts<C: ConnectionTrait>(
    connection: &C,
    line: &contract_line::Model,
    ssp_on: NaiveDate,
) -> AppResult<LineFacts> {
    let terms = terms_of(connection, line).await?;
    let entry = ssp_entry(connection, &line.product_name, &line.currency, ssp_on).await?;
    facts_of(line, &terms, entry.as_ref())
}

/// A line's facts from its terms and the SSP entry in force (none: the stated price).
fn facts_of(
    line: &contract_line::Model,
    terms: &LineTerms,
    entry: Option<&SspEntry>,
) -> AppResult<LineFacts> {
    let pattern = Pattern::of_line(terms.kind);
    let stated = stated_total(terms)?;
    let service_start = line.start_date;
    let service_end = terms.service_end().max(service_start);
    let days = (service_end - service_start).num_days().max(1);
    let currency = Currency::parse(&line.currency)?;
    let ssp = if pattern.is_fixed() {
        rules::ssp(entry, stated, terms.quantity, days, currency)
    } else {
        rules::Ssp {
            minor: 0,
            source: "variable consideration: allocated to this obligation as it is earned".into(),
            method: SspMethod::Observable,
            residual_range: None,
        }
    };
    let (satisfied_on, expected_on) = match pattern {
        Pattern::PointInTime => (terms.delivered_on, Some(line.start_date)),
        Pattern::Milestone => (terms.accepted_on, Some(line.end_date)),
        _ => (None, None),
    };
    Ok(LineFacts {
        pattern,
        service_start,
        service_end,
        stated,
        ssp,
        satisfied_on,
        expected_on,
    })
}

/// Creates the obligation of a line (allocated its stated price until an allocation says
/// otherwise), its SSP read as of `ssp_on`; no schedule rows yet.
pub(super) async fn create_obligation<C: ConnectionTrait>(
    connection: &C,
    contract: &contract::Model,
    line: &contract_line::Model,
    ssp_on: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<performance_obligation::Model> {
    let facts = line_facts(connection, line, ssp_on).await?;
    Ok(obligation_row(contract, line, facts, now)
        .insert(connection)
        .await?)
}

/// The row of a new obligation: allocated its stated price (a fixed one; variable consideration
/// is allocated as it is earned) until an allocation says otherwise.
fn obligation_row(
    contract: &contract::Model,
    line: &contract_line::Model,
    facts: LineFacts,
    now: DateTime<Utc>,
) -> performance_obligation::ActiveModel {
    performance_obligation::ActiveModel {
        contract_id: Set(contract.id),
        contract_line_id: Set(line.id),
        customer_id: Set(contract.customer_id),
        currency: Set(line.currency.clone()),
        pattern: Set(facts.pattern.as_str().into()),
        stream_account: Set(facts.pattern.stream_account().into()),
        service_start: Set(facts.service_start),
        service_end: Set(facts.service_end),
        stated_minor: Set(facts.stated),
        ssp_minor: Set(facts.ssp.minor),
        ssp_source: Set(facts.ssp.source),
        ssp_method: Set(facts.ssp.method.as_str().into()),
        residual_low_minor: Set(facts.ssp.residual_range.map(|(low, _)| low)),
        residual_high_minor: Set(facts.ssp.residual_range.map(|(_, high)| high)),
        carries_discount: Set(true),
        allocated_minor: Set(if facts.pattern.is_fixed() {
            facts.stated
        } else {
            0
        }),
        satisfied_on: Set(facts.satisfied_on),
        expected_on: Set(facts.expected_on),
        updated_at: Set(now),
        ..Default::default()
    }
}

pub(super) fn pattern_of(obligation: &performance_obligation::Model) -> AppResult<Pattern> {
    Pattern::parse(&obligation.pattern)
        .ok_or_else(|| AppError::internal(format!("pattern {}", obligation.pattern)))
}

pub(super) async fn recognised_of<C: ConnectionTrait>(
    connection: &C,
    obligation_id: i64,
) -> AppResult<(i64, Option<NaiveDate>)> {
    let rows = revenue_schedule::Entity::find()
        .filter(revenue_schedule::Column::ObligationId.eq(obligation_id))
        .filter(revenue_schedule::Column::Status.eq(RECOGNISED))
        .all(connection)
        .await?;
    let amount = rows.iter().map(|row| row.amount_minor).sum();
    let last = rows
        .iter()
        .filter(|row| row.kind == "ratable")
        .filter_map(|row| row.period_end)
        .max();
    Ok((amount, last))
}

/// Replaces an obligation's planned rows: `amount` to recognise from `from` on (ratable), or on
/// satisfaction (milestone, licence). A ratable obligation with no service left takes it on
/// `from` in one adjustment row.
pub(super) async fn replan<C: ConnectionTrait>(
    connection: &C,
    obligation: &performance_obligation::Model,
    amount: i64,
    from: NaiveDate,
    method: RatableMethod,
    adjustment_key: &str,
) -> AppResult<()> {
    revenue_schedule::Entity::delete_many()
        .filter(revenue_schedule::Column::ObligationId.eq(obligation.id))
        .filter(revenue_schedule::Column::Status.eq(PLANNED))
        .filter(revenue_schedule::Column::Kind.is_in(["ratable", "satisfaction", "adjustment"]))
        .exec(connection)
        .await?;
    let recognised = match pattern_of(obligation)? {
        Pattern::AsApproved | Pattern::AsIncurred => (0, None),
        _ => recognised_of(connection, obligation.id).await?,
    };
    let rows = planned_rows(obligation, amount, from, method, adjustment_key, recognised)?;
    if !rows.is_empty() {
        revenue_schedule::Entity::insert_many(rows)
            .exec_without_returning(connection)
            .await?;
    }
    Ok(())
}

/// The planned rows of an obligation that has `recognised` (amount, last ratable day) so far:
/// `amount` spread from `from` (ratable), or on satisfaction (milestone, licence).
fn planned_rows(
    obligation: &performance_obligation::Model,
    amount: i64,
    from: NaiveDate,
    method: RatableMethod,
    adjustment_key: &str,
    (recognised, last_recognised): (i64, Option<NaiveDate>),
) -> AppResult<Vec<revenue_schedule::ActiveModel>> {
    let row = |kind: &str, key: String, on, amount| revenue_schedule::ActiveModel {
        obligation_id: Set(obligation.id),
        contract_id: Set(obligation.contract_id),
        currency: Set(obligation.currency.clone()),
        stream_account: Set(obligation.stream_account.clone()),
        kind: Set(kind.to_string()),
        source_key: Set(key),
        period_start: Set(None),
        period_end: Set(None),
        recognise_on: Set(on),
        amount_minor: Set(amount),
        status: Set(PLANNED.into()),
        ..Default::default()
    };
    let adjustment = |on: NaiveDate| {
        if amount == 0 {
            Vec::new()
        } else {
            vec![row(
                "adjustment",
                adjustment_key.to_string(),
                Some(on),
                amount,
            )]
        }
    };
    Ok(match pattern_of(obligation)? {
        Pattern::Ratable => {
            let from = last_recognised.map_or(from, |end| from.max(end));
            let periods = rules::ratable_periods(
                obligation.service_start,
                obligation.service_end,
                method,
                from,
            );
            if periods.is_empty() {
                adjustment(from)
            } else {
                ratable_rows(obligation, &periods, amount)
            }
        }
        // Already satisfied and recognised: a later price change lands at once.
        Pattern::PointInTime | Pattern::Milestone if recognised != 0 => adjustment(from),
        Pattern::PointInTime | Pattern::Milestone => vec![row(
            "satisfaction",
            "satisfaction".into(),
            obligation.satisfied_on,
            amount,
        )],
        Pattern::AsApproved | Pattern::AsIncurred => Vec::new(),
    })
}

/// The planned rows that spread `amount` over `periods` (one per calendar month).
fn ratable_rows(
    obligation: &performance_obligation::Model,
    periods: &[rules::RatablePeriod],
    amount: i64,
) -> Vec<revenue_schedule::ActiveModel> {
    periods
        .iter()
        .zip(rules::spread(amount, periods))
        .map(|(period, part)| revenue_schedule::ActiveModel {
            obligation_id: Set(obligation.id),
            contract_id: Set(obligation.contract_id),
            currency: Set(obligation.currency.clone()),
            stream_account: Set(obligation.stream_account.clone()),
            kind: Set("ratable".into()),
            source_key: Set(format!("m:{}", period.month)),
            period_start: Set(Some(period.start)),
            period_end: Set(Some(period.end)),
            recognise_on: Set(Some(period.recognise_on)),
            amount_minor: Set(part),
            status: Set(PLANNED.into()),
            ..Default::default()
        })
        .collect()
}

/// The first day of the month after the latest closed period: nothing is re-planned before it.
pub async fn first_open_day<C: ConnectionTrait>(connection: &C) -> AppResult<Option<NaiveDate>> {
    let latest = ledger_period::Entity::find()
        .filter(ledger_period::Column::Status.eq("closed"))
        .order_by_desc(ledger_period::Column::Period)
        .one(connection)
        .await?;
    let Some(latest) = latest else {
        return Ok(None);
    };
    let first = NaiveDate::parse_from_str(&format!("{}-01", latest.period), "%Y-%m-%d")
        .map_err(|_| AppError::internal(format!("ledger period {}", latest.period)))?;
    Ok(Some(crate::calendar::month_of(first).1))
}

/// The business date of an event (delivered on, accepted on) entered by a person: it may be
/// back-dated into any open period but never into a closed one, nor lie after `today`.
pub async fn event_date<C: ConnectionTrait>(
    connection: &C,
    field: &str,
    on: NaiveDate,
    today: NaiveDate,
) -> AppResult<NaiveDate> {
    if on > today {
        return Err(AppError::validation(
            field,
            format!("{on} is after today ({today}); record the event once it has happened."),
        ));
    }
    if let Some(open) = first_open_day(connection).await? {
        if on < open {
            return Err(AppError::validation(
                field,
                format!(
                    "{on} falls in a closed period; date it on or after {open}, or ask the CFO to reopen the period."
                ),
            ));
        }
    }
    Ok(on)
}

/// The day earned variable consideration (an approved timesheet) is recognised on: the day the
/// work was done, or the first open day when that day's period is already closed, because a
/// closed period takes no postings and corrections go in the open period.
pub async fn earned_on<C: ConnectionTrait>(
    connection: &C,
    worked_on: NaiveDate,
) -> AppResult<NaiveDate> {
    Ok(first_open_day(connection)
        .await?
        .map_or(worked_on, |open| worked_on.max(open)))
}

/// Re-plans what a ratable obligation has not yet recognised under `method`: its planned ratable
/// rows give way to rows that spread the same amount over the same remaining service, never
/// before `open_from`. Recognised rows and planned catch-up adjustments stay as they are, so a
/// change of convention never moves revenue into or out of a closed period.
async fn replan_ratable_rows<C: ConnectionTrait>(
    connection: &C,
    obligation: &performance_obligation::Model,
    method: RatableMethod,
    open_from: Option<NaiveDate>,
) -> AppResult<()> {
    let planned = revenue_schedule::Entity::find()
        .filter(revenue_schedule::Column::ObligationId.eq(obligation.id))
        .filter(revenue_schedule::Column::Status.eq(PLANNED))
        .filter(revenue_schedule::Column::Kind.eq("ratable"))
        .all(connection)
        .await?;
    let Some(first_planned) = planned.iter().filter_map(|row| row.period_start).min() else {
        return Ok(());
    };
    let from = open_from.map_or(first_planned, |open| first_planned.max(open));
    let amount: i64 = planned.iter().map(|row| row.amount_minor).sum();
    let periods = rules::ratable_periods(
        obligation.service_start,
        obligation.service_end,
        method,
        from,
    );
    if periods.is_empty() {
        // No service left to spread over under this convention: the plan stays as it was.
        return Ok(());
    }
    revenue_schedule::Entity::delete_many()
        .filter(revenue_schedule::Column::Id.is_in(planned.iter().map(|row| row.id)))
        .exec(connection)
        .await?;
    revenue_schedule::Entity::insert_many(ratable_rows(obligation, &periods, amount))
        .exec_without_returning(connection)
        .await?;
    Ok(())
}

/// Re-plans the ratable obligations of a contract under its convention (after the contract's
/// override changed): only what is not yet recognised, in open periods.
pub async fn replan_contract_method<C: ConnectionTrait>(
    connection: &C,
    contract: &contract::Model,
) -> AppResult<()> {
    let method = contract_method(connection, contract).await?;
    let open_from = first_open_day(connection).await?;
    for obligation in obligations_of(connection, contract.id).await? {
        if pattern_of(&obligation)? == Pattern::Ratable {
            replan_ratable_rows(connection, &obligation, method, open_from).await?;
        }
    }
    Ok(())
}

/// Records a contract's own convention (`None` returns it to the company's) and re-plans it.
pub async fn set_contract_method<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
    method: Option<RatableMethod>,
) -> AppResult<(contract::Model, contract::Model)> {
    let before = find_contract(connection, contract_id).await?;
    let mut row: contract::ActiveModel = before.clone().into();
    row.revenue_method = Set(method.map(|method| method.as_str().to_string()));
    let after = row.update(connection).await?;
    replan_contract_method(connection, &after).await?;
    Ok((before, after))
}

pub(super) async fn set_allocated<C: ConnectionTrait>(
    connection: &C,
    obligation_id: i64,
    allocated: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    performance_obligation::Entity::update_many()
        .col_expr(
            performance_obligation::Column::AllocatedMinor,
            Expr::value(allocated),
        )
        .col_expr(performance_obligation::Column::UpdatedAt, Expr::value(now))
        .filter(performance_obligation::Column::Id.eq(obligation_id))
        .exec(connection)
        .await?;
    Ok(())
}

/// Allocates the whole contract price afresh by relative SSP and plans every obligation from its
/// start: for a contract nothing of which is billed or recognised yet.
pub(super) async fn allocate_from_inception<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
    method: RatableMethod,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let obligations = obligations_of(connection, contract_id).await?;
    let fixed: Vec<&performance_obligation::Model> = obligations
        .iter()
        .filter(|obligation| pattern_of(obligation).is_ok_and(|pattern| pattern.is_fixed()))
        .collect();
    let Some(first) = fixed.first() else {
        return Ok(());
    };
    let currency = Currency::parse(&first.currency)?;
    let inputs: Vec<AllocationInput> = fixed
        .iter()
        .map(|obligation| AllocationInput {
            stated: obligation.stated_minor,
            ssp: obligation.ssp_minor,
            carries_discount: obligation.carries_discount,
            residual: obligation.ssp_method == SspMethod::Residual.as_str(),
            residual_range: obligation
                .residual_low_minor
                .zip(obligation.residual_high_minor),
        })
        .collect();
    let allocated = rules::allocate(&inputs, currency).map_err(|error| {
        AppError::validation(
            "contractLineIds",
            crate::values::capitalise(&error.to_string()),
        )
    })?;
    for (obligation, amount) in fixed.iter().zip(allocated) {
        set_allocated(connection, obligation.id, amount, now).await?;
        let mut updated = (*obligation).clone();
        updated.allocated_minor = amount;
        // A residual SSP is only known now: it is what the allocation left (32-34(c)), shown as
        // the obligation's SSP from here on (a later allocation computes it afresh).
        if obligation.ssp_method == SspMethod::Residual.as_str() {
            performance_obligation::Entity::update_many()
                .col_expr(
                    performance_obligation::Column::SspMinor,
                    Expr::value(amount),
                )
                .filter(performance_obligation::Column::Id.eq(obligation.id))
                .exec(connection)
                .await?;
            updated.ssp_minor = amount;
        }
        replan(
            connection,
            &updated,
            amount,
            obligation.service_start,
            method,
            "adjustment",
        )
        .await?;
    }
    Ok(())
}

/// Restates a contract nothing of which is billed or recognised after its lines' terms changed
/// how billing prices them (a proration convention set on the contract): each obligation's
/// stated price and SSP are read again from its line, and the contract is allocated afresh from
/// inception (no modification accounting: nothing was transferred yet). Refused otherwise.
pub async fn restate_untouched<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if !is_untouched(connection, contract_id).await? {
        return Err(AppError::Conflict(format!(
            "Contract {contract_id} is already billed or recognised; its terms are changed by a modification."
        )));
    }
    let contract = find_contract(connection, contract_id).await?;
    for obligation in obligations_of(connection, contract_id).await? {
        let Some(line) = contract_line::Entity::find_by_id(obligation.contract_line_id)
            .one(connection)
            .await?
        else {
            continue;
        };
        let facts = line_facts(connection, &line, contract.start_date).await?;
        let mut row: performance_obligation::ActiveModel = obligation.into();
        row.stated_minor = Set(facts.stated);
        row.ssp_minor = Set(facts.ssp.minor);
        row.ssp_source = Set(facts.ssp.source);
        row.ssp_method = Set(facts.ssp.method.as_str().into());
        row.residual_low_minor = Set(facts.ssp.residual_range.map(|(low, _)| low));
        row.residual_high_minor = Set(facts.ssp.residual_range.map(|(_, high)| high));
        row.updated_at = Set(now);
        row.update(connection).await?;
    }
    let method = contract_method(connection, &contract).await?;
    allocate_from_inception(connection, contract_id, method, now).await
}

/// Whether anything of the contract was billed or recognised (then changes are modifications).
pub(super) async fn is_untouched<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
) -> AppResult<bool> {
    let (billed, recognised) = position(connection, contract_id).await?;
    let any_recognised = revenue_schedule::Entity::find()
        .filter(revenue_schedule::Column::ContractId.eq(contract_id))
        .filter(revenue_schedule::Column::Status.eq(RECOGNISED))
        .one(connection)
        .await?
        .is_some();
    Ok(billed == 0 && recognised == 0 && !any_recognised)
}

/// Builds the obligations and schedule of a new contract (deal approval, seed, first start).
pub async fn build_contract<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let contract = find_contract(connection, contract_id).await?;
    let existing: Vec<i64> = obligations_of(connection, contract_id)
        .await?
        .iter()
        .map(|obligation| obligation.contract_line_id)
        .collect();
    let lines = contract_line::Entity::find()
        .filter(contract_line::Column::ContractId.eq(contract_id))
        .order_by_asc(contract_line::Column::Id)
        .all(connection)
        .await?;
    for line in lines.iter().filter(|line| !existing.contains(&line.id)) {
        create_obligation(connection, &contract, line, contract.start_date, now).await?;
    }
    let method = contract_method(connection, &contract).await?;
    allocate_from_inception(connection, contract_id, method, now).await
}

/// Builds the obligations of contracts brought over from the old system at cut-over, a batch at
/// a time (an import brings thousands). The old system allocated each contract's price and
/// recognised what was delivered up to the cut-over, so nothing is re-allocated here: each line's
/// obligation covers the service revops will bill — from the day after the old system's last
/// invoiced day — and plans what those invoices will bill, ratably over that service
/// (ASC 606-10-55-203: a modification-free contract keeps its allocation). What the old system
/// billed and had not yet recognised arrives as opening deferred revenue (`revenue::opening`),
/// which adds its own rows to these obligations.
pub async fn build_brought_over<C: ConnectionTrait>(
    connection: &C,
    contracts: &[contract::Model],
    lines: &[contract_line::Model],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let by_id: HashMap<i64, &contract::Model> = contracts
        .iter()
        .map(|contract| (contract.id, contract))
        .collect();
    let mut names: Vec<String> = lines
        .iter()
        .flat_map(|line| ssp_names(&line.product_name))
        .collect();
    names.sort();
    names.dedup();
    let prices = ssp_price::Entity::find()
        .filter(ssp_price::Column::ProductName.is_in(names))
        .all(connection)
        .await?;
    let mut obligations = Vec::with_capacity(lines.len());
    for line in lines {
        let contract = by_id.get(&line.contract_id).ok_or_else(|| {
            AppError::internal(format!("line {} of an unknown contract", line.id))
        })?;
        // Just written: a brought-over line has no changes yet.
        let terms = line_terms(line, Vec::new())?;
        let entry = choose_ssp(
            &prices,
            &line.product_name,
            &line.currency,
            contract.start_date,
        );
        let facts = facts_of(line, &terms, entry.as_ref())?;
        let resumes = line
            .billed_through
            .and_then(|day| day.succ_opt())
            .map_or(line.start_date, |day| day.max(line.start_date));
        let (service_end, stated) = (facts.service_end, facts.stated);
        let mut obligation = obligation_row(contract, line, facts, now);
        obligation.service_start = Set(resumes.min(service_end));
        obligation.ssp_minor = Set(stated);
        obligation.ssp_source = Set(format!(
            "brought over on {}: the old system's allocation is kept",
            contract.brought_over_on.unwrap_or(contract.start_date)
        ));
        obligations.push(obligation);
    }
    let mut written = Vec::with_capacity(obligations.len());
    for chunk in obligations.chunks(INSERT_CHUNK) {
        let lines = chunk
            .iter()
            .filter_map(|row| row.contract_line_id.try_as_ref().copied());
        written.extend(
            crate::lookup::insert_returning(
                connection,
                chunk.to_vec(),
                performance_obligation::Entity::find()
                    .filter(performance_obligation::Column::ContractLineId.is_in(lines)),
            )
            .await?,
        );
    }
    written.sort_by_key(|obligation| obligation.id);
    let company = ratable_method(connection).await?;
    let mut rows = Vec::new();
    for obligation in written {
        let method = by_id
            .get(&obligation.contract_id)
            .and_then(|contract| contract.revenue_method.as_deref())
            .and_then(RatableMethod::parse)
            .unwrap_or(company);
        let from = obligation.service_start;
        rows.extend(planned_rows(
            &obligation,
            obligation.allocated_minor,
            from,
            method,
            "adjustment",
            (0, None),
        )?);
    }
    for chunk in rows.chunks(INSERT_CHUNK) {
        revenue_schedule::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(connection)
            .await?;
    }
    Ok(())
}

/// Rows per multi-row INSERT: an obligation binds about 20 values and a schedule row 11, well
/// inside SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
const INSERT_CHUNK: usize = 500;

pub(super) async fn find_contract<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
) -> AppResult<contract::Model> {
    contract::Entity::find_by_id(contract_id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no contract with id {contract_id}.")))
}

pub(super) async fn obligation_of_line<C: ConnectionTrait>(
    connection: &C,
    line_id: i64,
) -> AppResult<Option<performance_obligation::Model>> {
    Ok(performance_obligation::Entity::find()
        .filter(performance_obligation::Column::ContractLineId.eq(line_id))
        .one(connection)
        .await?)
}

/// A licence delivered or a milestone accepted: its revenue is due on that day.
pub async fn on_satisfied<C: ConnectionTrait>(
    connection: &C,
    line_id: i64,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(obligation) = obligation_of_line(connection, line_id).await? else {
        return Ok(());
    };
    performance_obligation::Entity::update_many()
        .col_expr(performance_obligation::Column::SatisfiedOn, Expr::value(on))
        .col_expr(performance_obligation::Column::UpdatedAt, Expr::value(now))
        .filter(performance_obligation::Column::Id.eq(obligation.id))
        .exec(connection)
        .await?;
    revenue_schedule::Entity::update_many()
        .col_expr(revenue_schedule::Column::RecogniseOn, Expr::value(on))
        .filter(revenue_schedule::Column::ObligationId.eq(obligation.id))
        .filter(revenue_schedule::Column::Status.eq(PLANNED))
        .filter(revenue_schedule::Column::Kind.eq("satisfaction"))
        // Parts delivered earlier keep their own dates.
        .filter(revenue_schedule::Column::SourceKey.eq("satisfaction"))
        .exec(connection)
        .await?;
    Ok(())
}

/// Part of a licence's units delivered on `on`: the part's share (`quantity` of the `left`
/// units not yet delivered) of what is still planned for the licence is recognised that day;
/// the last part takes what remains and satisfies the obligation.
#[allow(clippy::too_many_arguments)]
pub async fn on_delivered_part<C: ConnectionTrait>(
    connection: &C,
    line_id: i64,
    delivery_id: i64,
    quantity: rust_decimal::Decimal,
    left: rust_decimal::Decimal,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if quantity >= left {
        return on_satisfied(connection, line_id, on, now).await;
    }
    let Some(obligation) = obligation_of_line(connection, line_id).await? else {
        return Ok(());
    };
    let Some(pending) = revenue_schedule::Entity::find()
        .filter(revenue_schedule::Column::ObligationId.eq(obligation.id))
        .filter(revenue_schedule::Column::Status.eq(PLANNED))
        .filter(revenue_schedule::Column::Kind.eq("satisfaction"))
        .filter(revenue_schedule::Column::SourceKey.eq("satisfaction"))
        .one(connection)
        .await?
    else {
        return Ok(());
    };
    let part = rules::round(rust_decimal::Decimal::from(pending.amount_minor) * quantity / left);
    revenue_schedule::Entity::update_many()
        .col_expr(
            revenue_schedule::Column::AmountMinor,
            Expr::value(pending.amount_minor - part),
        )
        .filter(revenue_schedule::Column::Id.eq(pending.id))
        .exec(connection)
        .await?;
    revenue_schedule::ActiveModel {
        obligation_id: Set(obligation.id),
        contract_id: Set(obligation.contract_id),
        currency: Set(obligation.currency.clone()),
        stream_account: Set(obligation.stream_account.clone()),
        kind: Set("satisfaction".into()),
        source_key: Set(format!("delivery:{delivery_id}")),
        period_start: Set(None),
        period_end: Set(None),
        recognise_on: Set(Some(on)),
        amount_minor: Set(part),
        status: Set(PLANNED.into()),
        ..Default::default()
    }
    .insert(connection)
    .await?;
    Ok(())
}

/// Variable consideration earned (approved time, a month's usage): a row due on `on`, and the
/// obligation's price grows by it.
pub async fn add_variable<C: ConnectionTrait>(
    connection: &C,
    line_id: i64,
    kind: &str,
    source_key: &str,
    on: NaiveDate,
    amount: i64,
) -> AppResult<()> {
    let Some(obligation) = obligation_of_line(connection, line_id).await? else {
        return Ok(());
    };
    if amount == 0 {
        return Ok(());
    }
    revenue_schedule::ActiveModel {
        obligation_id: Set(obligation.id),
        contract_id: Set(obligation.contract_id),
        currency: Set(obligation.currency.clone()),
        stream_account: Set(obligation.stream_account.clone()),
        kind: Set(kind.to_string()),
        source_key: Set(source_key.to_string()),
        period_start: Set(None),
        period_end: Set(None),
        recognise_on: Set(Some(on)),
        amount_minor: Set(amount),
        status: Set(PLANNED.into()),
        ..Default::default()
    }
    .insert(connection)
    .await?;
    performance_obligation::Entity::update_many()
        .col_expr(
            performance_obligation::Column::AllocatedMinor,
            Expr::col(performance_obligation::Column::AllocatedMinor).add(amount),
        )
        .filter(performance_obligation::Column::Id.eq(obligation.id))
        .exec(connection)
        .await?;
    Ok(())
}

/// Marks which obligations carry the contract's discount and allocates again; only before
/// anything of the contract is billed or recognised.
pub async fn assign_discount<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
    line_ids: &[i64],
    now: DateTime<Utc>,
    actor_id: Option<i64>,
) -> AppResult<()> {
    if !is_untouched(connection, contract_id).await? {
        return Err(AppError::Conflict(
            "Part of this contract is already billed or recognised; change its allocation through a modification instead.".into(),
        ));
    }
    let obligations = obligations_of(connection, contract_id).await?;
    for (index, line_id) in line_ids.iter().enumerate() {
        if !obligations
            .iter()
            .any(|obligation| obligation.contract_line_id == *line_id)
        {
            return Err(AppError::validation(
                format!("contractLineIds.{index}"),
                format!("Line {line_id} is not a line of this contract."),
            ));
        }
    }
    let before = snapshot(connection, contract_id).await?;
    for obligation in &obligations {
        performance_obligation::Entity::update_many()
            .col_expr(
                performance_obligation::Column::CarriesDiscount,
                Expr::value(line_ids.is_empty() || line_ids.contains(&obligation.contract_line_id)),
            )
            .filter(performance_obligation::Column::Id.eq(obligation.id))
            .exec(connection)
            .await?;
    }
    let method =
        contract_method(connection, &find_contract(connection, contract_id).await?).await?;
    allocate_from_inception(connection, contract_id, method, now).await?;
    let after = snapshot(connection, contract_id).await?;
    record_modification(
        connection,
        ModificationRecord {
            contract_id,
            treatment: "discount_assignment",
            effective: now.date_naive(),
            reason: "Discount assigned to specific obligations",
            before: &before,
            after: &after,
            changes: None,
            idempotency_key: None,
            actor_id,
            now,
        },
    )
    .await?;
    Ok(())
}

/// Gives every contract without obligations its obligations and schedule (first start after
/// this area was added), each in its own transaction. Returns how many contracts were built.
pub async fn ensure_all(db: &sea_orm::DatabaseConnection, now: DateTime<Utc>) -> AppResult<usize> {
    use sea_orm::TransactionTrait;
    let missing: Vec<i64> = contract::Entity::find()
        .select_only()
        .column(contract::Column::Id)
        .filter(
            contract::Column::Id.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(performance_obligation::Column::ContractId)
                    .from(performance_obligation::Entity)
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    for contract_id in &missing {
        let transaction = db.begin().await?;
        build_contract(&transaction, *contract_id, now).await?;
        transaction.commit().await?;
    }
    Ok(missing.len())
}
