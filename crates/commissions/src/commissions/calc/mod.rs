//! A period's commission calculation: gather the credits (deals booked, payments collected),
//! apply each rep's plan in force, add SPIFs, managers' overrides, retroactive true-ups and
//! clawbacks, settle the statement lines (a rerun changes nothing), and post the accrual —
//! Dr commission expense or capitalised contract costs · Cr commissions payable — with the
//! month's amortisation of capitalised costs. Everything runs in the caller's transaction.
//!
//! `execute` here runs the steps, each in its own file: `gather` (plans in force, bookings,
//! collections), `crediting` (component lines, SPIFs, overrides), `clawbacks`, `settle` (the
//! statement lines) and `accrual` (the posting).

mod accrual;
mod clawbacks;
mod crediting;
mod gather;
mod settle;

use accrual::post_accrual;
pub use accrual::post_movements;
use clawbacks::clawback_lines;
use crediting::{credit_lines, override_lines, spif_lines};
use gather::{assignments, bookings, collections};
use settle::settle;

use super::plan::{Business, Metric};
use super::repo::{self, PlanVersion};
use super::rules;
use crate::access::Actor;
use crate::audit::{self, AuditRecord};
use crate::entities::{commission_payout, commission_run};
use crate::error::{AppError, AppResult};
use crate::invoicing::plan::Reference;
use crate::money::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Business days after the month's last day by which the calculation is due.
pub const DUE_BUSINESS_DAYS: u32 = 5;

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub id: i64,
    pub period: String,
    pub as_of: NaiveDate,
    pub due_on: NaiveDate,
    pub lines: i32,
    pub changed: i32,
    pub entries: i32,
    pub totals: Vec<Money>,
    pub warnings: Vec<String>,
    pub ran_at: DateTime<Utc>,
}

impl RunReport {
    pub fn from_model(model: commission_run::Model) -> AppResult<RunReport> {
        let totals: Vec<(String, i64)> =
            serde_json::from_str(&model.totals_json).map_err(AppError::internal)?;
        Ok(RunReport {
            id: model.id,
            period: model.period,
            as_of: model.as_of,
            due_on: model.due_on,
            lines: model.lines,
            changed: model.changed,
            entries: model.entries,
            totals: totals
                .into_iter()
                .map(|(code, minor)| Ok(Money::from_minor(minor, Currency::parse(&code)?)))
                .collect::<AppResult<Vec<_>>>()?,
            warnings: serde_json::from_str(&model.warnings_json).map_err(AppError::internal)?,
            ran_at: model.ran_at,
        })
    }
}

/// A booked deal as the calculation sees it (values from its contract).
#[derive(Debug, Clone)]
struct Booking {
    /// `deal:{id}` for a deal, `seat-change:{id}` for a seat increase on a running contract.
    source: String,
    deal_id: i64,
    contract_id: i64,
    product: String,
    booked_on: NaiveDate,
    start: NaiveDate,
    end: NaiveDate,
    tcv: i64,
    arr: i64,
    acv: i64,
    currency: Currency,
    business: Business,
    plan_code: Option<String>,
    splits: Vec<(i64, i32)>,
}

/// A payment applied to a deal's invoice (cash basis), before tax.
#[derive(Debug, Clone)]
struct Collection {
    application_id: i64,
    booking: usize,
    collected_on: NaiveDate,
    amount: i64,
    currency: Currency,
}

/// A statement line the calculation wants to exist.
#[derive(Debug, Clone)]
struct Wanted {
    user_id: i64,
    plan: (String, i32),
    component: String,
    kind: &'static str,
    source_key: String,
    deal_id: Option<i64>,
    contract_id: Option<i64>,
    business: Option<Business>,
    metric: String,
    metric_minor: i64,
    split_bp: i32,
    credited_minor: i64,
    tier: String,
    rate: String,
    amount: i64,
    currency: Currency,
    explanation: String,
    cause: Option<(&'static str, i64)>,
    reverses_line_id: Option<i64>,
    capitalised: bool,
    amortise_from: Option<NaiveDate>,
    amortise_months: i32,
}

/// The rep's plan for the month.
struct Assigned {
    plan: PlanVersion,
    quota: i64,
}

struct Context {
    month: NaiveDate,
    month_end: NaiveDate,
    cutoff: NaiveDate,
    period: String,
    reference: Reference,
    warnings: Vec<String>,
}

impl Context {
    /// `amount` of `from` in the plan's currency at the rate of `on`; `None` (and a warning) when
    /// the FX table has no rate.
    fn convert(&mut self, amount: i64, from: Currency, to: Currency, on: NaiveDate) -> Option<i64> {
        let converted = self.reference.convert(amount, from, to, on);
        if converted.is_none() {
            self.warnings.push(format!(
                "No FX rate from {} to {} on {on}; that credit is left out until one is set.",
                from.code(),
                to.code()
            ));
        }
        converted
    }

    /// Units of `to` per unit of `from` on `on`, as `convert` applies it (six decimals).
    fn cross_rate(&self, from: Currency, to: Currency, on: NaiveDate) -> Option<Decimal> {
        let (from_rate, to_rate) = (
            self.reference.fx_rate(from, on)?,
            self.reference.fx_rate(to, on)?,
        );
        (!to_rate.is_zero()).then(|| {
            (from_rate / to_rate).round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
        })
    }
}

/// Indices of one rep's bookings and collections.
struct Mine<'a> {
    bookings: &'a [usize],
    collections: &'a [usize],
}

fn share(amount: i64, basis_points: i32) -> i64 {
    (Decimal::from(amount) * Decimal::from(basis_points) / Decimal::from(10_000))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0)
}

fn percent(basis_points: i32) -> String {
    format!(
        "{}%",
        (Decimal::from(basis_points) / Decimal::ONE_HUNDRED).normalize()
    )
}

/// An amount as the statements print it: currency code and grouped digits ("EUR 603,243.24").
fn money_text(minor: i64, currency: Currency) -> String {
    Money::from_minor(minor, currency).to_string()
}

/// Calculates `period` as of `as_of` (credits up to the earlier of the month's end and `as_of`).
pub async fn execute<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    period: &str,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    functional: Currency,
) -> AppResult<RunReport> {
    let (month, next) = crate::calendar::parse_period("period", period)?;
    let month_end = next.pred_opt().unwrap_or(next);
    refuse_unopened_or_paid(connection, period, month, as_of).await?;
    let mut context = Context {
        month,
        month_end,
        cutoff: month_end.min(as_of),
        period: period.to_string(),
        reference: Reference::load(connection, functional).await?,
        warnings: Vec::new(),
    };
    let started = std::time::Instant::now();
    let plans = repo::plan_versions(connection).await?;
    let assigned = assignments(connection, &plans, &context).await?;
    let window_start = assigned
        .values()
        .map(|assigned| rules::quota_window(month, assigned.plan.document.quota.period).0)
        .min()
        .unwrap_or(month);
    let bookings = bookings(connection, window_start, &context).await?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission calculation: bookings loaded"
    );
    let needs_cash = assigned.values().any(|assigned| {
        assigned
            .plan
            .document
            .components
            .iter()
            .any(|component| component.metric == Metric::CashCollected)
    });
    let collections = if needs_cash {
        collections(connection, &bookings, window_start, &context).await?
    } else {
        Vec::new()
    };
    warn_unassigned(&plans, &assigned, &bookings, &mut context);
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission calculation: collections loaded"
    );
    let prior = repo::prior_amounts(connection, period, window_start).await?;
    let mut wanted = rep_lines(&assigned, &bookings, &collections, &prior, &mut context);
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission calculation: credits computed"
    );
    override_lines(connection, &assigned, &mut wanted).await?;
    clawback_lines(connection, &assigned, &context, &mut wanted).await?;

    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission calculation: overrides and clawbacks"
    );
    let settled = settle(connection, &context, wanted, now).await?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission calculation: lines settled"
    );
    let entries = post_accrual(connection, actor, &context, &settled.accrued, now).await?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission calculation: accrual posted"
    );
    let report = record_run(connection, actor, as_of, &context, &settled, entries, now).await?;
    // A rerun that changes no line has no news for a subscriber.
    if report.changed > 0 {
        emit_statements_ready(connection, &report, now).await?;
    }
    Ok(report)
}

/// Refuses a month that has not started by `as_of`, and one already paid out (its lines are
/// final).
async fn refuse_unopened_or_paid<C: ConnectionTrait>(
    connection: &C,
    period: &str,
    month: NaiveDate,
    as_of: NaiveDate,
) -> AppResult<()> {
    if month > as_of {
        return Err(AppError::validation(
            "period",
            format!("{period} has not started yet; commissions are calculated from the month's first day."),
        ));
    }
    if commission_payout::Entity::find()
        .filter(commission_payout::Column::Period.eq(period))
        .one(connection)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "{period} is paid out; its lines are final. Changes since (clawbacks, adjustments) land in the open period."
        )));
    }
    Ok(())
}

/// Warns of this month's deals that name a plan never imported, or credit a rep with no plan
/// for the period: their credits are left out, and finance should know why.
fn warn_unassigned(
    plans: &[PlanVersion],
    assigned: &HashMap<i64, Assigned>,
    bookings: &[Booking],
    context: &mut Context,
) {
    let known_plans: HashSet<&str> = plans.iter().map(|plan| plan.code.as_str()).collect();
    for booking in bookings {
        if booking.booked_on >= context.month {
            if let Some(code) = &booking.plan_code {
                if !known_plans.contains(code.as_str()) {
                    context.warnings.push(format!(
                        "Deal {} names plan {code}, which has not been imported.",
                        booking.deal_id
                    ));
                }
            }
            for (user_id, _) in &booking.splits {
                if !assigned.contains_key(user_id) {
                    context.warnings.push(format!(
                        "Deal {} credits user {user_id}, who has no plan assigned for {}.",
                        booking.deal_id, context.period
                    ));
                }
            }
        }
    }
}

/// Every assigned rep's component lines and SPIFs, reps in id order (team credit is the
/// managers' overrides, added later).
fn rep_lines(
    assigned: &HashMap<i64, Assigned>,
    bookings: &[Booking],
    collections: &[Collection],
    prior: &HashMap<(i64, String), i64>,
    context: &mut Context,
) -> Vec<Wanted> {
    // Each rep's bookings and collections, so a rep's credits are found without a scan.
    let mut booked_by: HashMap<i64, Vec<usize>> = HashMap::new();
    for (index, booking) in bookings.iter().enumerate() {
        for (user_id, _) in &booking.splits {
            booked_by.entry(*user_id).or_default().push(index);
        }
    }
    let mut collected_by: HashMap<i64, Vec<usize>> = HashMap::new();
    for (index, collection) in collections.iter().enumerate() {
        for (user_id, _) in &bookings[collection.booking].splits {
            collected_by.entry(*user_id).or_default().push(index);
        }
    }
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut users: Vec<&i64> = assigned.keys().collect();
    users.sort();
    for user_id in &users {
        let Some(assigned) = assigned.get(user_id) else {
            continue;
        };
        let mine = Mine {
            bookings: booked_by
                .get(user_id)
                .map(Vec::as_slice)
                .unwrap_or_default(),
            collections: collected_by
                .get(user_id)
                .map(Vec::as_slice)
                .unwrap_or_default(),
        };
        for component in &assigned.plan.document.components {
            if component.metric == Metric::TeamCredit {
                continue;
            }
            credit_lines(
                **user_id,
                assigned,
                component,
                bookings,
                collections,
                &mine,
                prior,
                context,
                &mut wanted,
            );
        }
        spif_lines(**user_id, assigned, bookings, &mine, context, &mut wanted);
    }
    wanted
}

/// Records the run (its totals, warnings and when disputes are due) and audits it.
async fn record_run<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    as_of: NaiveDate,
    context: &Context,
    settled: &settle::Settled,
    entries: i32,
    now: DateTime<Utc>,
) -> AppResult<RunReport> {
    let period = context.period.as_str();
    let month_end = context.month_end;
    let due_on = crate::receivables::disputes::calendar(connection)
        .await?
        .add_business_days(
            month_end.succ_opt().unwrap_or(month_end),
            DUE_BUSINESS_DAYS - 1,
        );
    let totals = repo::period_totals(connection, period).await?;
    let run = commission_run::ActiveModel {
        period: Set(period.to_string()),
        as_of: Set(as_of),
        due_on: Set(due_on),
        lines: Set(settled.lines),
        changed: Set(settled.changed),
        entries: Set(entries),
        totals_json: Set(serde_json::to_string(
            &totals
                .iter()
                .map(|money| (money.currency().code(), money.minor()))
                .collect::<Vec<_>>(),
        )
        .map_err(AppError::internal)?),
        warnings_json: Set(
            serde_json::to_string(&dedup(&context.warnings)).map_err(AppError::internal)?
        ),
        run_by: Set(actor.map(|actor| actor.user_id)),
        ran_at: Set(now),
        ..Default::default()
    }
    .insert(connection)
    .await?;
    let report = RunReport::from_model(run)?;
    audit::record(
        connection,
        actor,
        now,
        AuditRecord {
            action: "commission.calculate",
            entity_type: "commission_run",
            entity_id: report.id.to_string(),
            before: None::<&()>,
            after: Some(&report),
        },
    )
    .await?;
    Ok(report)
}

/// The `commission_statement.ready` webhook event, in the calculation's transaction.
async fn emit_statements_ready<C: ConnectionTrait>(
    connection: &C,
    report: &RunReport,
    now: DateTime<Utc>,
) -> AppResult<()> {
    crate::webhooks::emit(
        connection,
        now,
        crate::webhooks::EventType::CommissionStatementReady,
        serde_json::json!({
            "runId": report.id,
            "period": report.period,
            "asOf": report.as_of,
            "lines": report.lines,
            "changedLines": report.changed,
            "totals": report.totals,
            "disputeDueOn": report.due_on,
        }),
    )
    .await
}

fn dedup(warnings: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    warnings
        .iter()
        .filter(|warning| seen.insert(warning.as_str()))
        .take(100)
        .cloned()
        .collect()
}
