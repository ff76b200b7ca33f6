//! Gathering the period's inputs: each rep's plan in force, the deals booked (and seat
//! increases on running contracts) and the payments collected on their invoices.

use super::{Assigned, Booking, Collection, Context};
use crate::commissions::plan::Business;
use crate::commissions::repo::{self, PlanVersion};
use crate::commissions::rules;
use crate::deals::model::BillingFrequency;
use crate::entities::{
    ar_application, contract, contract_line, contract_line_change, deal, invoice,
};
use crate::error::AppResult;
use crate::money::Currency;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Each user's plan version in force for the month (the latest assignment starting by the
/// month's end and not ended before it starts).
pub(super) async fn assignments<C: ConnectionTrait>(
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

/// A deal as bookings read it: (id, customer, product, approved at, assigned AE, plan id), only
/// what a credit needs.
type DealRow = (
    i64,
    Option<i64>,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<i64>,
    Option<String>,
);

/// Each customer's contracts by start: (contract, start, end).
type History = HashMap<i64, Vec<(i64, NaiveDate, NaiveDate)>>;

/// Deals approved from `from` through the cut-off, with their contracts, splits and kind of business.
pub(super) async fn bookings<C: ConnectionTrait>(
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
    let deals = window_deals(connection, start, end).await?;
    if deals.is_empty() {
        return Ok(Vec::new());
    }
    let started = std::time::Instant::now();
    tracing::debug!(deals = deals.len(), "commission bookings: deals read");
    let (contracts, history) = customer_contracts(connection, start, end).await?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission bookings: contracts read"
    );
    let splits = window_splits(connection, start, end).await?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission bookings: splits read"
    );
    let mut result = Vec::with_capacity(deals.len());
    for deal in deals {
        if let Some(booking) = booking_of(deal, &contracts, &history, &splits)? {
            result.push(booking);
        }
    }
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "commission bookings: built"
    );
    result.extend(seat_increases(connection, start, end).await?);
    Ok(result)
}

/// The deals approved in the window, oldest first.
async fn window_deals<C: ConnectionTrait>(
    connection: &C,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<Vec<DealRow>> {
    Ok(deal::Entity::find()
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
        .await?)
}

/// `column` of the deals approved in the window, as a subquery: every other read joins on it
/// instead of binding the deals' ids.
fn window_subquery(
    column: deal::Column,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(column)
        .from(deal::Entity)
        .and_where(deal::Column::Status.eq("approved"))
        .and_where(deal::Column::ApprovedAt.gte(start))
        .and_where(deal::Column::ApprovedAt.lt(end))
        .to_owned()
}

/// Every contract of the window's customers, by deal (the deals' own), and each customer's
/// history of contracts, which says whether a deal is new, expansion or renewal.
async fn customer_contracts<C: ConnectionTrait>(
    connection: &C,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<(HashMap<i64, contract::Model>, History)> {
    let mut contracts: HashMap<i64, contract::Model> = HashMap::new();
    let mut history: History = HashMap::new();
    for row in contract::Entity::find()
        .filter(contract::Column::CustomerId.in_subquery(window_subquery(
            deal::Column::CustomerId,
            start,
            end,
        )))
        .all(connection)
        .await?
    {
        history
            .entry(row.customer_id)
            .or_default()
            .push((row.id, row.start_date, row.end_date));
        contracts.insert(row.deal_id, row);
    }
    Ok((contracts, history))
}

/// The window's deals' splits: (rep, share in basis points) per deal.
async fn window_splits<C: ConnectionTrait>(
    connection: &C,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<HashMap<i64, Vec<(i64, i32)>>> {
    let mut splits: HashMap<i64, Vec<(i64, i32)>> = HashMap::new();
    for row in crate::entities::deal_split::Entity::find()
        .filter(
            crate::entities::deal_split::Column::DealId.in_subquery(window_subquery(
                deal::Column::Id,
                start,
                end,
            )),
        )
        .order_by_asc(crate::entities::deal_split::Column::Id)
        .all(connection)
        .await?
    {
        splits
            .entry(row.deal_id)
            .or_default()
            .push((row.user_id, row.share_bp));
    }
    Ok(splits)
}

/// One deal's booking: its contract's values, its splits (the assigned AE's whole when it has
/// none), and new, expansion or renewal business from the customer's earlier contracts. `None`
/// for a deal without a contract or an approval time.
fn booking_of(
    deal: DealRow,
    contracts: &HashMap<i64, contract::Model>,
    history: &History,
    splits: &HashMap<i64, Vec<(i64, i32)>>,
) -> AppResult<Option<Booking>> {
    let (deal_id, _, product, approved_at, assigned_ae, plan_code) = deal;
    let Some(contract) = contracts.get(&deal_id) else {
        return Ok(None);
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
        return Ok(None);
    };
    Ok(Some(Booking {
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
    }))
}

/// Seat increases recorded from `start` to `end` on running contracts: expansion bookings of
/// the added ARR (the added seats × the period price × periods a year), credited to the
/// contract's deal's reps, with the remaining term's value as their TCV.
async fn seat_increases<C: ConnectionTrait>(
    connection: &C,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<Vec<Booking>> {
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
    let owners = SeatOwners::load(connection, &increases).await?;
    let mut result = Vec::new();
    for (change, added) in increases {
        if let Some(booking) = owners.booking(&change, added)? {
            result.push(booking);
        }
    }
    Ok(result)
}

/// What a seat increase is credited through: its line, the line's contract, the contract's deal
/// and the deal's splits.
struct SeatOwners {
    lines: HashMap<i64, contract_line::Model>,
    contracts: HashMap<i64, contract::Model>,
    deals: HashMap<i64, deal::Model>,
    splits: HashMap<i64, Vec<(i64, i32)>>,
}

impl SeatOwners {
    async fn load<C: ConnectionTrait>(
        connection: &C,
        increases: &[(contract_line_change::Model, Decimal)],
    ) -> AppResult<SeatOwners> {
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
        Ok(SeatOwners {
            lines,
            contracts,
            deals,
            splits,
        })
    }

    /// The expansion booking of `added` seats; `None` when the line bills no recurring period
    /// or its contract or deal is gone.
    fn booking(
        &self,
        change: &contract_line_change::Model,
        added: Decimal,
    ) -> AppResult<Option<Booking>> {
        let Some(line) = self.lines.get(&change.contract_line_id) else {
            return Ok(None);
        };
        let Some(per_year) = line
            .billing_frequency
            .as_deref()
            .and_then(BillingFrequency::parse)
            .and_then(|frequency| frequency.periods_per_year())
        else {
            return Ok(None);
        };
        let Some(contract) = self.contracts.get(&line.contract_id) else {
            return Ok(None);
        };
        let Some(deal) = self.deals.get(&contract.deal_id) else {
            return Ok(None);
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
        let splits = match self.splits.get(&deal.id) {
            Some(rows) => rows.clone(),
            None => deal
                .assigned_ae_id
                .map(|ae| vec![(ae, 10_000)])
                .unwrap_or_default(),
        };
        Ok(Some(Booking {
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
        }))
    }
}

/// Payments applied from `from` through the cut-off to invoices of the booked deals' contracts.
/// Contracts booked before the window also collect: their bookings are loaded on demand.
pub(super) async fn collections<C: ConnectionTrait>(
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
