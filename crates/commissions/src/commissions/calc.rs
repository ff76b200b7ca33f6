//! A period's commission calculation: gather the credits (deals booked, payments collected),
//! apply each rep's plan in force, add SPIFs, managers' overrides, retroactive true-ups and
//! clawbacks, settle the statement lines (a rerun changes nothing), and post the accrual —
//! Dr commission expense or capitalised contract costs · Cr commissions payable — with the
//! month's amortisation of capitalised costs. Everything runs in the caller's transaction.

use super::plan::{Business, ClawbackMode, Component, Metric};
use super::repo::{self, PlanVersion};
use super::rules::{self, Credit};
use crate::access::Actor;
use crate::audit::{self, AuditRecord};
use crate::billing::periods;
use crate::entities::{
    ar_application, commission_line, commission_payout, commission_run, contract, deal, invoice,
    user,
};
use crate::error::{AppError, AppResult};
use crate::invoicing::plan::Reference;
use crate::ledger::chart::{CAPITALISED_CONTRACT_COSTS, COMMISSIONS_PAYABLE, COMMISSION_EXPENSE};
use crate::ledger::rules::{signed_posting, BalancedEntry};
use crate::ledger::{self, EntryHeader};
use crate::money::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Rows written per INSERT (SQLite allows 32,766 bound values; a line has 32 columns).
const LINE_CHUNK: usize = 1000;
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

fn money_text(minor: i64, currency: Currency) -> String {
    Money::from_minor(minor, currency).amount_string()
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
    let known_plans: HashSet<&str> = plans.iter().map(|plan| plan.code.as_str()).collect();
    for booking in &bookings {
        if booking.booked_on >= month {
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
                        "Deal {} credits user {user_id}, who has no plan assigned for {period}.",
                        booking.deal_id
                    ));
                }
            }
        }
    }
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission calculation: collections loaded"
    );
    let prior = repo::prior_amounts(connection, period, window_start).await?;

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
                &bookings,
                &collections,
                &mine,
                &prior,
                &mut context,
                &mut wanted,
            );
        }
        spif_lines(
            **user_id,
            assigned,
            &bookings,
            &mine,
            &mut context,
            &mut wanted,
        );
    }
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
    // A rerun that changes no line has no news for a subscriber.
    if report.changed > 0 {
        emit_statements_ready(connection, &report, now).await?;
    }
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

/// Each user's plan version in force for the month (the latest assignment starting by the
/// month's end and not ended before it starts).
async fn assignments<C: ConnectionTrait>(
    connection: &C,
    plans: &[PlanVersion],
    context: &Context,
) -> AppResult<HashMap<i64, Assigned>> {
    let mut result = HashMap::new();
    for assignment in
        repo::assignments_for_month(connection, context.month, context.month_end).await?
    {
        if result.contains_key(&assignment.user_id) {
            continue;
        }
        let Some(plan) = repo::version_in_force(
            plans,
            &assignment.plan_code,
            context.month,
            context.month_end,
        ) else {
            continue;
        };
        let quota = match assignment.quota_minor {
            Some(quota) => quota,
            None => plan.document.quota()?.minor(),
        };
        result.insert(
            assignment.user_id,
            Assigned {
                plan: plan.clone(),
                quota,
            },
        );
    }
    Ok(result)
}

/// Deals approved from `from` through the cut-off, with their contracts, splits and kind of business.
async fn bookings<C: ConnectionTrait>(
    connection: &C,
    from: NaiveDate,
    context: &Context,
) -> AppResult<Vec<Booking>> {
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let end = context
        .cutoff
        .succ_opt()
        .unwrap_or(context.cutoff)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    // (id, customer, product, approved at, assigned AE, plan id): only what a credit needs.
    type DealRow = (
        i64,
        Option<i64>,
        Option<String>,
        Option<DateTime<Utc>>,
        Option<i64>,
        Option<String>,
    );
    let deals: Vec<DealRow> = deal::Entity::find()
        .select_only()
        .columns([
            deal::Column::Id,
            deal::Column::CustomerId,
            deal::Column::ProductName,
            deal::Column::ApprovedAt,
            deal::Column::AssignedAeId,
            deal::Column::CommissionPlanId,
        ])
        .filter(deal::Column::Status.eq("approved"))
        // A deal brought over at cut-over earned its commission in the old tool; its contract
        // still counts in the customer's history below (so a later deal is an expansion).
        .filter(deal::Column::ImportId.is_null())
        .filter(deal::Column::ApprovedAt.gte(start))
        .filter(deal::Column::ApprovedAt.lt(end))
        .order_by_asc(deal::Column::ApprovedAt)
        .order_by_asc(deal::Column::Id)
        .into_tuple()
        .all(connection)
        .await?;
    if deals.is_empty() {
        return Ok(Vec::new());
    }
    let started = std::time::Instant::now();
    tracing::debug!(deals = deals.len(), "commission bookings: deals read");
    // The window's deals as a subquery: every contract of their customers (the deals' own, and
    // the history that says whether a deal is new, expansion or renewal), and their splits,
    // each in one query.
    let window_deals = sea_orm::sea_query::Query::select()
        .column(deal::Column::Id)
        .from(deal::Entity)
        .and_where(deal::Column::Status.eq("approved"))
        .and_where(deal::Column::ApprovedAt.gte(start))
        .and_where(deal::Column::ApprovedAt.lt(end))
        .to_owned();
    let window_customers = sea_orm::sea_query::Query::select()
        .column(deal::Column::CustomerId)
        .from(deal::Entity)
        .and_where(deal::Column::Status.eq("approved"))
        .and_where(deal::Column::ApprovedAt.gte(start))
        .and_where(deal::Column::ApprovedAt.lt(end))
        .to_owned();
    let mut contracts: HashMap<i64, contract::Model> = HashMap::new();
    let mut history: HashMap<i64, Vec<(i64, NaiveDate, NaiveDate)>> = HashMap::new();
    for row in contract::Entity::find()
        .filter(contract::Column::CustomerId.in_subquery(window_customers))
        .all(connection)
        .await?
    {
        history
            .entry(row.customer_id)
            .or_default()
            .push((row.id, row.start_date, row.end_date));
        contracts.insert(row.deal_id, row);
    }
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission bookings: contracts read"
    );
    let mut splits: HashMap<i64, Vec<(i64, i32)>> = HashMap::new();
    for row in crate::entities::deal_split::Entity::find()
        .filter(crate::entities::deal_split::Column::DealId.in_subquery(window_deals))
        .order_by_asc(crate::entities::deal_split::Column::Id)
        .all(connection)
        .await?
    {
        splits
            .entry(row.deal_id)
            .or_default()
            .push((row.user_id, row.share_bp));
    }
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission bookings: splits read"
    );
    let mut result = Vec::with_capacity(deals.len());
    for (deal_id, _, product, approved_at, assigned_ae, plan_code) in deals {
        let Some(contract) = contracts.get(&deal_id) else {
            continue;
        };
        let earlier: Vec<(NaiveDate, NaiveDate)> = history
            .get(&contract.customer_id)
            .map(|rows| {
                rows.iter()
                    .filter(|(id, start, _)| {
                        *start < contract.start_date
                            || (*start == contract.start_date && *id < contract.id)
                    })
                    .map(|(_, start, end)| (*start, *end))
                    .collect()
            })
            .unwrap_or_default();
        let splits = match splits.get(&deal_id) {
            Some(rows) => rows.clone(),
            None => match assigned_ae {
                Some(ae) => vec![(ae, 10_000)],
                None => Vec::new(),
            },
        };
        let Some(approved_at) = approved_at else {
            continue;
        };
        result.push(Booking {
            source: format!("deal:{deal_id}"),
            acv: rules::acv(contract.tcv_minor, contract.start_date, contract.end_date),
            deal_id,
            contract_id: contract.id,
            product: product.unwrap_or_default(),
            booked_on: approved_at.date_naive(),
            start: contract.start_date,
            end: contract.end_date,
            tcv: contract.tcv_minor,
            arr: contract.arr_minor,
            currency: Currency::parse(&contract.currency)?,
            business: rules::business_of(contract.start_date, &earlier),
            plan_code,
            splits,
        });
    }
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission bookings: built"
    );
    result.extend(seat_increases(connection, start, end).await?);
    Ok(result)
}

/// Seat increases recorded from `start` to `end` on running contracts: expansion bookings of
/// the added ARR (the added seats × the period price × periods a year), credited to the
/// contract's deal's reps, with the remaining term's value as their TCV.
async fn seat_increases<C: ConnectionTrait>(
    connection: &C,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<Vec<Booking>> {
    use crate::deals::model::BillingFrequency;
    use crate::entities::{contract_line, contract_line_change};
    let changes = contract_line_change::Entity::find()
        .filter(contract_line_change::Column::Kind.eq("quantity"))
        .filter(contract_line_change::Column::CreatedAt.gte(start))
        .filter(contract_line_change::Column::CreatedAt.lt(end))
        .order_by_asc(contract_line_change::Column::CreatedAt)
        .order_by_asc(contract_line_change::Column::Id)
        .all(connection)
        .await?;
    let increases: Vec<(contract_line_change::Model, Decimal)> = changes
        .into_iter()
        .filter_map(|change| {
            let old = Decimal::from_str_exact(change.old_quantity.trim()).ok()?;
            let new = Decimal::from_str_exact(change.new_quantity.trim()).ok()?;
            (new > old).then_some((change, new - old))
        })
        .collect();
    if increases.is_empty() {
        return Ok(Vec::new());
    }
    let line_ids: Vec<i64> = increases
        .iter()
        .map(|(change, _)| change.contract_line_id)
        .collect();
    let lines: HashMap<i64, contract_line::Model> = contract_line::Entity::find()
        .filter(contract_line::Column::Id.is_in(line_ids))
        .all(connection)
        .await?
        .into_iter()
        .map(|line| (line.id, line))
        .collect();
    let contracts: HashMap<i64, contract::Model> = contract::Entity::find()
        .filter(contract::Column::Id.is_in(lines.values().map(|line| line.contract_id)))
        .all(connection)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let deals: HashMap<i64, deal::Model> = deal::Entity::find()
        .filter(deal::Column::Id.is_in(contracts.values().map(|row| row.deal_id)))
        .all(connection)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let deal_ids: Vec<i64> = deals.keys().copied().collect();
    let splits = repo::splits_of(connection, &deal_ids).await?;
    let mut result = Vec::new();
    for (change, added) in increases {
        let Some(line) = lines.get(&change.contract_line_id) else {
            continue;
        };
        let Some(per_year) = line
            .billing_frequency
            .as_deref()
            .and_then(BillingFrequency::parse)
            .and_then(|frequency| frequency.periods_per_year())
        else {
            continue;
        };
        let Some(contract) = contracts.get(&line.contract_id) else {
            continue;
        };
        let Some(deal) = deals.get(&contract.deal_id) else {
            continue;
        };
        let added_arr = (added * Decimal::from(line.unit_price_minor) * Decimal::from(per_year))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .unwrap_or(0);
        let months = rules::term_months(change.effective_date, contract.end_date);
        let remaining = (Decimal::from(added_arr) * Decimal::from(months) / Decimal::from(12))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .unwrap_or(0);
        let splits = match splits.get(&deal.id) {
            Some(rows) => rows.clone(),
            None => deal
                .assigned_ae_id
                .map(|ae| vec![(ae, 10_000)])
                .unwrap_or_default(),
        };
        result.push(Booking {
            source: format!("seat-change:{}", change.id),
            deal_id: deal.id,
            contract_id: contract.id,
            product: line.product_name.clone(),
            booked_on: change.created_at.date_naive(),
            start: change.effective_date,
            end: contract.end_date,
            tcv: remaining,
            arr: added_arr,
            acv: added_arr,
            currency: Currency::parse(&contract.currency)?,
            business: Business::Expansion,
            plan_code: deal.commission_plan_id.clone(),
            splits,
        });
    }
    Ok(result)
}

/// Payments applied from `from` through the cut-off to invoices of the booked deals' contracts.
/// Contracts booked before the window also collect: their bookings are loaded on demand.
async fn collections<C: ConnectionTrait>(
    connection: &C,
    bookings: &[Booking],
    from: NaiveDate,
    context: &Context,
) -> AppResult<Vec<Collection>> {
    let by_contract: HashMap<i64, usize> = bookings
        .iter()
        .enumerate()
        .map(|(index, booking)| (booking.contract_id, index))
        .collect();
    let applications = ar_application::Entity::find()
        .filter(ar_application::Column::PaymentId.is_not_null())
        .filter(ar_application::Column::AppliedOn.gte(from))
        .filter(ar_application::Column::AppliedOn.lte(context.cutoff))
        .order_by_asc(ar_application::Column::AppliedOn)
        .order_by_asc(ar_application::Column::Id)
        .all(connection)
        .await?;
    let invoice_ids: Vec<i64> = applications.iter().map(|row| row.invoice_id).collect();
    let mut invoices: HashMap<i64, invoice::Model> = HashMap::new();
    for chunk in invoice_ids.chunks(repo::ID_CHUNK) {
        for row in invoice::Entity::find()
            .filter(invoice::Column::Id.is_in(chunk.iter().copied()))
            .all(connection)
            .await?
        {
            invoices.insert(row.id, row);
        }
    }
    let mut result = Vec::new();
    for application in applications {
        let Some(invoice) = invoices.get(&application.invoice_id) else {
            continue;
        };
        let Some(index) = invoice.contract_id.and_then(|id| by_contract.get(&id)) else {
            continue;
        };
        let pre_tax = if invoice.total_minor > 0 {
            (Decimal::from(application.amount_minor) * Decimal::from(invoice.subtotal_minor)
                / Decimal::from(invoice.total_minor))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .unwrap_or(0)
        } else {
            0
        };
        result.push(Collection {
            application_id: application.id,
            booking: *index,
            collected_on: application.applied_on,
            amount: pre_tax,
            currency: Currency::parse(&invoice.currency)?,
        });
    }
    Ok(result)
}

/// Indices of one rep's bookings and collections.
struct Mine<'a> {
    bookings: &'a [usize],
    collections: &'a [usize],
}

/// One component's credits over the quota window, the lines for this month, and a true-up when
/// what earlier months were paid differs from what the window now owes for them (retroactive
/// tiers reached, or a recalculation).
#[allow(clippy::too_many_arguments)]
fn credit_lines(
    user_id: i64,
    assigned: &Assigned,
    component: &Component,
    bookings: &[Booking],
    collections: &[Collection],
    mine: &Mine,
    prior: &HashMap<(i64, String), i64>,
    context: &mut Context,
    wanted: &mut Vec<Wanted>,
) {
    let document = &assigned.plan.document;
    let Ok(plan_currency) = document.currency() else {
        return;
    };
    let (window_start, _) = rules::quota_window(context.month, document.quota.period);
    struct Item {
        on: NaiveDate,
        booking: usize,
        source: String,
        metric_minor: i64,
        split_bp: i32,
        credited: i64,
    }
    let mut items: Vec<Item> = Vec::new();
    if component.metric == Metric::CashCollected {
        for collection in mine.collections.iter().map(|index| &collections[*index]) {
            if collection.collected_on < window_start {
                continue;
            }
            let booking = &bookings[collection.booking];
            let Some(split) = booking.splits.iter().find(|(id, _)| *id == user_id) else {
                continue;
            };
            let Some(converted) = context.convert(
                collection.amount,
                collection.currency,
                plan_currency,
                collection.collected_on,
            ) else {
                continue;
            };
            items.push(Item {
                on: collection.collected_on,
                booking: collection.booking,
                source: format!("payment-application:{}", collection.application_id),
                metric_minor: collection.amount,
                split_bp: split.1,
                credited: share(converted, split.1),
            });
        }
    } else {
        for (index, booking) in mine
            .bookings
            .iter()
            .map(|index| (*index, &bookings[*index]))
        {
            if booking.booked_on < window_start {
                continue;
            }
            let Some(split) = booking.splits.iter().find(|(id, _)| *id == user_id) else {
                continue;
            };
            let metric_minor = match component.metric {
                Metric::BookingsAcv => booking.acv,
                Metric::BookingsTcv => rules::tcv_credit(
                    booking.tcv,
                    booking.start,
                    booking.end,
                    component.multi_year.as_ref().map(|multi| multi.max_years),
                ),
                _ => booking.arr,
            };
            let Some(converted) = context.convert(
                metric_minor,
                booking.currency,
                plan_currency,
                booking.booked_on,
            ) else {
                continue;
            };
            items.push(Item {
                on: booking.booked_on,
                booking: index,
                source: booking.source.clone(),
                metric_minor,
                split_bp: split.1,
                credited: share(converted, split.1),
            });
        }
    }
    items.sort_by(|a, b| (a.on, a.booking, &a.source).cmp(&(b.on, b.booking, &b.source)));
    let credits: Vec<Credit> = items
        .iter()
        .map(|item| Credit {
            amount: item.credited,
            flat_rate: component.business_rates.of(bookings[item.booking].business),
        })
        .collect();
    let cap = component
        .cap
        .and_then(|cap| document.money("cap", cap).ok())
        .map(|money| money.minor());
    let bands = rules::bands(component);
    let earned = rules::earn(&bands, component.tier_mode, assigned.quota, cap, &credits);
    let mut owed_before = 0_i64;
    for (item, earned) in items.iter().zip(&earned) {
        if item.on < context.month {
            owed_before += earned.amount;
            continue;
        }
        let booking = &bookings[item.booking];
        let capitalised = document.capitalise
            && component.metric.is_booking()
            && rules::term_months(booking.start, booking.end) > 12;
        let mut explanation = if booking.source.starts_with("seat-change") {
            format!(
                "Seat increase on {} from {} (expansion). ",
                booking.product, booking.start
            )
        } else {
            String::new()
        };
        explanation += &format!(
            "{} {} {} × split {} = {} credited; attainment {}% → {}% of quota {}.",
            component.metric.title(),
            money_text(
                item.metric_minor,
                if component.metric == Metric::CashCollected {
                    plan_currency
                } else {
                    booking.currency
                }
            ),
            if component.metric == Metric::CashCollected {
                "(before tax)"
            } else {
                ""
            },
            percent(item.split_bp),
            money_text(item.credited, plan_currency),
            earned.attainment_before.normalize(),
            earned.attainment_after.normalize(),
            money_text(assigned.quota, plan_currency),
        )
        .replace("  ", " ");
        for piece in &earned.pieces {
            explanation.push_str(&format!(
                " {} at {}% ({}).",
                money_text(piece.credited, plan_currency),
                piece.rate.normalize(),
                piece.label
            ));
        }
        if earned.capped {
            explanation.push_str(" Cut by the component's cap for the quota period.");
        }
        if capitalised {
            explanation.push_str(&format!(
                " Capitalised (ASC 340-40) and amortised over the {}-month term.",
                rules::term_months(booking.start, booking.end)
            ));
        }
        wanted.push(Wanted {
            user_id,
            plan: (assigned.plan.code.clone(), assigned.plan.version),
            component: component.name.clone(),
            kind: "credit",
            source_key: format!("{}:{}:{}", context.period, component.name, item.source),
            deal_id: Some(booking.deal_id),
            contract_id: Some(booking.contract_id),
            business: Some(booking.business),
            metric: component.metric.as_str().into(),
            metric_minor: item.metric_minor,
            split_bp: item.split_bp,
            credited_minor: item.credited,
            tier: earned.tier_text(),
            rate: earned.rate_text(),
            amount: earned.amount,
            currency: plan_currency,
            explanation,
            cause: None,
            reverses_line_id: None,
            capitalised,
            amortise_from: capitalised
                .then(|| rules::first_of_month(booking.start.max(context.month))),
            amortise_months: if capitalised {
                rules::term_months(booking.start.max(context.month), booking.end)
            } else {
                0
            },
        });
    }
    let paid_before = prior
        .get(&(user_id, component.name.clone()))
        .copied()
        .unwrap_or(0);
    if owed_before != paid_before {
        let difference = owed_before - paid_before;
        wanted.push(Wanted {
            user_id,
            plan: (assigned.plan.code.clone(), assigned.plan.version),
            component: component.name.clone(),
            kind: "trueup",
            source_key: format!("{}:{}:trueup", context.period, component.name),
            deal_id: None,
            contract_id: None,
            business: None,
            metric: component.metric.as_str().into(),
            metric_minor: 0,
            split_bp: 10_000,
            credited_minor: 0,
            tier: match component.tier_mode {
                super::plan::TierMode::Retroactive => "Retroactive true-up".into(),
                super::plan::TierMode::Marginal => "Recalculation".into(),
            },
            rate: String::new(),
            amount: difference,
            currency: plan_currency,
            explanation: format!(
                "Earlier months of this quota period owe {} at today's attainment; {} was credited then.",
                money_text(owed_before, plan_currency),
                money_text(paid_before, plan_currency)
            ),
            cause: None,
            reverses_line_id: None,
            capitalised: false,
            amortise_from: None,
            amortise_months: 0,
        });
    }
}

/// A SPIF pays its amount (times the rep's split) for each deal booked this month inside its
/// dates that matches its criteria.
fn spif_lines(
    user_id: i64,
    assigned: &Assigned,
    bookings: &[Booking],
    mine: &Mine,
    context: &mut Context,
    wanted: &mut Vec<Wanted>,
) {
    let document = &assigned.plan.document;
    let Ok(plan_currency) = document.currency() else {
        return;
    };
    for spif in &document.spifs {
        let Ok(amount) = document.money("spif", spif.amount) else {
            continue;
        };
        for booking in mine.bookings.iter().map(|index| &bookings[*index]) {
            if booking.booked_on < context.month
                || booking.booked_on < spif.from
                || booking.booked_on > spif.to
            {
                continue;
            }
            let Some(split) = booking.splits.iter().find(|(id, _)| *id == user_id) else {
                continue;
            };
            if !spif.business.is_empty() && !spif.business.contains(&booking.business) {
                continue;
            }
            if let Some(text) = &spif.product_contains {
                if !booking
                    .product
                    .to_lowercase()
                    .contains(&text.to_lowercase())
                {
                    continue;
                }
            }
            let acv = booking.acv;
            if let Some(minimum) = spif.min_acv {
                let Ok(minimum) = document.money("spif", minimum) else {
                    continue;
                };
                let Some(converted) =
                    context.convert(acv, booking.currency, plan_currency, booking.booked_on)
                else {
                    continue;
                };
                if converted < minimum.minor() {
                    continue;
                }
            }
            let paid = share(amount.minor(), split.1);
            wanted.push(Wanted {
                user_id,
                plan: (assigned.plan.code.clone(), assigned.plan.version),
                component: spif.name.clone(),
                kind: "spif",
                source_key: format!("spif:{}:{}", spif.name, booking.source),
                deal_id: Some(booking.deal_id),
                contract_id: Some(booking.contract_id),
                business: Some(booking.business),
                metric: "spif".into(),
                metric_minor: acv,
                split_bp: split.1,
                credited_minor: 0,
                tier: "SPIF".into(),
                rate: money_text(amount.minor(), plan_currency),
                amount: paid,
                currency: plan_currency,
                explanation: format!(
                    "SPIF \"{}\" ({} to {}): {} per matching deal × split {}.",
                    spif.name,
                    spif.from,
                    spif.to,
                    money_text(amount.minor(), plan_currency),
                    percent(split.1)
                ),
                cause: None,
                reverses_line_id: None,
                capitalised: false,
                amortise_from: None,
                amortise_months: 0,
            });
        }
    }
}

/// A manager's override: their rate on each credit line of the reps who report to them.
async fn override_lines<C: ConnectionTrait>(
    connection: &C,
    assigned: &HashMap<i64, Assigned>,
    wanted: &mut Vec<Wanted>,
) -> AppResult<()> {
    let managers: Vec<(i64, &Assigned, &Component)> = assigned
        .iter()
        .flat_map(|(user_id, assigned)| {
            assigned
                .plan
                .document
                .components
                .iter()
                .filter(|component| component.metric == Metric::TeamCredit)
                .map(move |component| (*user_id, assigned, component))
        })
        .collect();
    if managers.is_empty() {
        return Ok(());
    }
    let reports: HashMap<i64, i64> = user::Entity::find()
        .filter(user::Column::ManagerId.is_not_null())
        .all(connection)
        .await?
        .into_iter()
        .filter_map(|row| row.manager_id.map(|manager| (row.id, manager)))
        .collect();
    let mut added = Vec::new();
    for (manager, assigned, component) in managers {
        let Ok(currency) = assigned.plan.document.currency() else {
            continue;
        };
        let rate = component.rate.map(|rate| rate.0).unwrap_or_default();
        for line in wanted.iter().filter(|line| {
            line.kind == "credit"
                && reports.get(&line.user_id) == Some(&manager)
                && line.currency == currency
        }) {
            let amount = (Decimal::from(line.credited_minor) * rate / Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                .to_i64()
                .unwrap_or(0);
            added.push(Wanted {
                user_id: manager,
                plan: (assigned.plan.code.clone(), assigned.plan.version),
                component: component.name.clone(),
                kind: "override",
                source_key: format!(
                    "override:{}:{}:{}",
                    component.name, line.user_id, line.source_key
                ),
                deal_id: line.deal_id,
                contract_id: line.contract_id,
                business: line.business,
                metric: Metric::TeamCredit.as_str().into(),
                metric_minor: line.credited_minor,
                split_bp: 10_000,
                credited_minor: line.credited_minor,
                tier: "Manager override".into(),
                rate: format!("{}%", rate.normalize()),
                amount,
                currency,
                explanation: format!(
                    "Override on user {}'s credit of {} ({}) at {}%.",
                    line.user_id,
                    money_text(line.credited_minor, currency),
                    line.component,
                    rate.normalize()
                ),
                cause: None,
                reverses_line_id: None,
                capitalised: line.capitalised,
                amortise_from: line.amortise_from,
                amortise_months: line.amortise_months,
            });
        }
    }
    wanted.extend(added);
    Ok(())
}

/// Reverses commission on amounts that went away within the plan's window: approved credit
/// memos and write-offs on the deal's invoices (their pre-tax share of the contract value), and
/// churn (every line of the contract cancelled) — once per cause and line, in this period
/// unless an earlier period already took it.
async fn clawback_lines<C: ConnectionTrait>(
    connection: &C,
    assigned: &HashMap<i64, Assigned>,
    context: &Context,
    wanted: &mut Vec<Wanted>,
) -> AppResult<()> {
    let windows: HashMap<(String, i32), (u32, ClawbackMode)> = assigned
        .values()
        .filter_map(|assigned| {
            assigned.plan.document.clawback.as_ref().map(|clawback| {
                (
                    (assigned.plan.code.clone(), assigned.plan.version),
                    (clawback.window_days, clawback.mode),
                )
            })
        })
        .collect();
    let mut all_windows = windows.clone();
    for plan in repo::plan_versions(connection).await? {
        if let Some(clawback) = &plan.document.clawback {
            all_windows
                .entry((plan.code.clone(), plan.version))
                .or_insert((clawback.window_days, clawback.mode));
        }
    }
    if all_windows.is_empty() {
        return Ok(());
    }
    let causes = repo::reductions_through(connection, context.cutoff).await?;
    if causes.is_empty() {
        return Ok(());
    }
    let contract_ids: Vec<i64> = causes.keys().copied().collect();
    let lines = repo::clawable_lines(connection, &contract_ids).await?;
    let (taken, mut clawed) = repo::clawback_keys(connection, &context.period).await?;
    let bookings = repo::booking_facts(connection, &contract_ids).await?;
    for line in lines {
        let Some(contract_id) = line.contract_id else {
            continue;
        };
        let Some(&(window_days, mode)) =
            all_windows.get(&(line.plan_code.clone(), line.plan_version))
        else {
            continue;
        };
        let Some(facts) = bookings.get(&contract_id) else {
            continue;
        };
        let Ok(currency) = Currency::parse(&line.currency) else {
            continue;
        };
        for cause in causes.get(&contract_id).into_iter().flatten() {
            if (cause.on - facts.booked_on).num_days() > i64::from(window_days)
                || cause.on < facts.booked_on
            {
                continue;
            }
            let key = format!("clawback:{}:{}:{}", cause.kind, cause.id, line.id);
            if taken.contains(&(line.user_id, key.clone())) {
                continue;
            }
            let amount = match (cause.kind, mode) {
                ("churn", ClawbackMode::Prorated) => {
                    // Billing's day count, so the clawback reverses the share of the days the
                    // cancellation credit gave back (its effective day is the first unserved).
                    let term = periods::term_days(facts.start, facts.end);
                    let unserved = periods::unserved_days(cause.on, facts.end);
                    rules::clawback_share(line.amount_minor, unserved, term)
                }
                ("churn", ClawbackMode::Full) => line.amount_minor,
                _ => rules::clawback_share(line.amount_minor, cause.amount, facts.tcv),
            };
            // Never more than what the line paid, over all its clawbacks.
            let already = clawed.entry(line.id).or_default();
            let amount = amount.min(line.amount_minor - *already);
            if amount <= 0 {
                continue;
            }
            *already += amount;
            let what = match cause.kind {
                "credit_memo" => format!(
                    "Credit memo {} of {} against a contract value of {}",
                    cause.label,
                    money_text(cause.amount, facts.currency),
                    money_text(facts.tcv, facts.currency)
                ),
                "write_off" => format!(
                    "Write-off of {} (before tax) against a contract value of {}",
                    money_text(cause.amount, facts.currency),
                    money_text(facts.tcv, facts.currency)
                ),
                _ => format!(
                    "The customer churned on {} ({} days after booking)",
                    cause.on,
                    (cause.on - facts.booked_on).num_days()
                ),
            };
            wanted.push(Wanted {
                user_id: line.user_id,
                plan: (line.plan_code.clone(), line.plan_version),
                component: line.component.clone(),
                kind: "clawback",
                source_key: key,
                deal_id: line.deal_id,
                contract_id: Some(contract_id),
                business: line.business.as_deref().and_then(Business::parse),
                metric: line.metric.clone(),
                metric_minor: cause.amount,
                split_bp: line.split_bp,
                credited_minor: 0,
                tier: "Clawback".into(),
                rate: line.rate.clone(),
                amount: -amount,
                currency,
                explanation: format!(
                    "{what}, within the plan's {window_days}-day window: reverses {} of the {} paid on line {} ({}).",
                    money_text(amount, currency),
                    money_text(line.amount_minor, currency),
                    line.id,
                    line.period
                ),
                cause: Some((cause.kind, cause.id)),
                reverses_line_id: Some(line.id),
                capitalised: line.capitalised,
                amortise_from: line.amortise_from,
                amortise_months: line.amortise_months,
            });
        }
    }
    Ok(())
}

struct Settled {
    lines: i32,
    changed: i32,
    /// What expensed lines now owe beyond what they had accrued, per currency; those lines are
    /// already marked accrued (capitalised lines go through `repo::accrual_movements`).
    accrued: BTreeMap<String, i64>,
}

/// Makes the period's calculated lines what `wanted` says: unchanged lines are left alone,
/// changed ones updated, new ones inserted, and ones no longer owed deleted (their accrual is
/// reversed by the posting). Paid lines and dispute adjustments are never touched.
async fn settle<C: ConnectionTrait>(
    connection: &C,
    context: &Context,
    wanted: Vec<Wanted>,
    now: DateTime<Utc>,
) -> AppResult<Settled> {
    // (id, user, source key, status, kind, amount, credited, tier, explanation, accrued, capitalised)
    type Existing = (
        i64,
        i64,
        String,
        String,
        String,
        i64,
        i64,
        String,
        String,
        i64,
        bool,
    );
    let existing: Vec<Existing> = commission_line::Entity::find()
        .select_only()
        .columns([
            commission_line::Column::Id,
            commission_line::Column::UserId,
            commission_line::Column::SourceKey,
            commission_line::Column::Status,
            commission_line::Column::Kind,
            commission_line::Column::AmountMinor,
            commission_line::Column::CreditedMinor,
            commission_line::Column::Tier,
            commission_line::Column::Explanation,
            commission_line::Column::AccruedMinor,
            commission_line::Column::Capitalised,
        ])
        .filter(commission_line::Column::Period.eq(context.period.as_str()))
        .into_tuple()
        .all(connection)
        .await?;
    let mut by_key: HashMap<(i64, String), Existing> = existing
        .into_iter()
        .map(|line| ((line.1, line.2.clone()), line))
        .collect();
    let total = i32::try_from(wanted.len()).unwrap_or(i32::MAX);
    let mut changed = 0;
    let mut inserts = Vec::new();
    let mut accrued: BTreeMap<String, i64> = BTreeMap::new();
    for line in wanted {
        match by_key.remove(&(line.user_id, line.source_key.clone())) {
            Some((
                id,
                _,
                _,
                status,
                kind,
                amount,
                credited,
                tier,
                explanation,
                old_accrued,
                old_capitalised,
            )) => {
                if status == repo::PAID || kind == "adjustment" {
                    continue;
                }
                if status != repo::RETIRED
                    && amount == line.amount
                    && explanation == line.explanation
                    && tier == line.tier
                    && credited == line.credited_minor
                {
                    continue;
                }
                changed += 1;
                let mut row = commission_line::ActiveModel {
                    id: sea_orm::ActiveValue::Unchanged(id),
                    ..Default::default()
                };
                row.tier = Set(line.tier);
                row.rate = Set(line.rate);
                row.amount_minor = Set(line.amount);
                row.credited_minor = Set(line.credited_minor);
                row.metric_minor = Set(line.metric_minor);
                row.split_bp = Set(line.split_bp);
                row.explanation = Set(line.explanation);
                row.capitalised = Set(line.capitalised);
                row.amortise_from = Set(line.amortise_from);
                row.amortise_months = Set(line.amortise_months);
                row.status = Set(repo::CALCULATED.into());
                row.updated_at = Set(now);
                if !line.capitalised && !old_capitalised {
                    *accrued.entry(line.currency.code().to_string()).or_default() +=
                        line.amount - old_accrued;
                    row.accrued_minor = Set(line.amount);
                }
                row.update(connection).await?;
            }
            None => {
                changed += 1;
                let accrued_now = if line.capitalised { 0 } else { line.amount };
                *accrued.entry(line.currency.code().to_string()).or_default() += accrued_now;
                inserts.push(commission_line::ActiveModel {
                    period: Set(context.period.clone()),
                    user_id: Set(line.user_id),
                    plan_code: Set(line.plan.0),
                    plan_version: Set(line.plan.1),
                    component: Set(line.component),
                    kind: Set(line.kind.into()),
                    source_key: Set(line.source_key),
                    deal_id: Set(line.deal_id),
                    contract_id: Set(line.contract_id),
                    business: Set(line.business.map(|business| business.as_str().to_string())),
                    metric: Set(line.metric),
                    metric_minor: Set(line.metric_minor),
                    split_bp: Set(line.split_bp),
                    credited_minor: Set(line.credited_minor),
                    tier: Set(line.tier),
                    rate: Set(line.rate),
                    amount_minor: Set(line.amount),
                    currency: Set(line.currency.code().into()),
                    explanation: Set(line.explanation),
                    cause_type: Set(line.cause.map(|(kind, _)| kind.to_string())),
                    cause_id: Set(line.cause.map(|(_, id)| id)),
                    reverses_line_id: Set(line.reverses_line_id),
                    capitalised: Set(line.capitalised),
                    amortise_from: Set(line.amortise_from),
                    amortise_months: Set(line.amortise_months),
                    accrued_minor: Set(accrued_now),
                    amortised_minor: Set(0),
                    status: Set(repo::CALCULATED.into()),
                    payout_id: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
            }
        }
    }
    for chunk in inserts.chunks(LINE_CHUNK) {
        commission_line::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(connection)
            .await?;
    }
    let stale: Vec<Existing> = by_key
        .into_values()
        .filter(|line| line.3 == repo::CALCULATED && line.4 != "adjustment")
        .collect();
    if !stale.is_empty() {
        changed += i32::try_from(stale.len()).unwrap_or(i32::MAX);
        let ids: Vec<i64> = stale.iter().map(|line| line.0).collect();
        repo::retire_lines(connection, &ids).await?;
    }
    Ok(Settled {
        lines: total,
        changed,
        accrued,
    })
}

/// Posts what the lines owe beyond what was accrued, and amortisation of capitalised costs
/// through the month: Dr 6000 / Dr 1400 · Cr 2300, and Dr 6000 · Cr 1400. One entry per
/// currency; none when nothing changed (a rerun posts nothing).
async fn post_accrual<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    context: &Context,
    settled: &BTreeMap<String, i64>,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    let mut movements = repo::accrual_movements(connection, context.month_end, None).await?;
    movements.extend(
        settled
            .iter()
            .filter(|(_, owed)| **owed != 0)
            .map(|(currency, owed)| repo::Movement {
                id: 0,
                currency: currency.clone(),
                capitalised: false,
                amount: *owed,
                accrued: 0,
                amortised: 0,
                amortised_target: 0,
            }),
    );
    post_movements(
        connection,
        actor,
        &movements,
        None,
        EntryHeader {
            entry_date: context.cutoff,
            memo: format!("Commission accrual {}", context.period),
            source: format!("commissions:{}", context.period),
            idempotency_key: None,
        },
        now,
    )
    .await
}

/// Posts the movements (one entry per currency, memo suffixed with it) and records them as
/// accrued and amortised.
pub async fn post_movements<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    movements: &[repo::Movement],
    ids: Option<&[i64]>,
    header: EntryHeader,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    if movements.is_empty() {
        return Ok(0);
    }
    let mut by_currency: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for movement in movements {
        let entry = by_currency.entry(movement.currency.clone()).or_default();
        let accrual = movement.amount - movement.accrued;
        let amortisation = movement.amortised_target - movement.amortised;
        if movement.capitalised {
            entry.1 += accrual - amortisation;
            entry.0 += amortisation;
        } else {
            entry.0 += accrual;
        }
        entry.2 += accrual;
    }
    let mut entries = Vec::new();
    for (code, (expense, capitalised, payable)) in by_currency {
        let currency = Currency::parse(&code)?;
        let postings: Vec<_> = [
            signed_posting(COMMISSION_EXPENSE, expense, currency),
            signed_posting(CAPITALISED_CONTRACT_COSTS, capitalised, currency),
            signed_posting(COMMISSIONS_PAYABLE, -payable, currency),
        ]
        .into_iter()
        .flatten()
        .collect();
        if postings.len() < 2 {
            continue;
        }
        let entry = BalancedEntry::try_new(postings).map_err(AppError::internal)?;
        entries.push((
            EntryHeader {
                entry_date: header.entry_date,
                memo: format!("{} ({code})", header.memo),
                source: header.source.clone(),
                idempotency_key: None,
            },
            entry,
        ));
    }
    let count = i32::try_from(entries.len()).unwrap_or(i32::MAX);
    ledger::post_entries(connection, actor, now, entries).await?;
    repo::mark_accrued(connection, movements, ids).await?;
    Ok(count)
}
