//! The expansion report (seed 5.2): seat expansions (added MRR from the change date, with the
//! prorated charge billed for it), module upsells (a subscription line added to a running
//! customer), plan upgrades (a plan change that raised a line's monthly value, by the
//! difference), usage billed per customer and month, and uplifts taken at renewal.

use crate::access::{Actor, Permission};
use crate::billing::repo::decimal;
use crate::billing::schedule::months;
use crate::deals::{BillingFrequency, ContractLineKind};
use crate::entities::{
    billing_charge, contract, contract_line, contract_line_change, customer, deal, user,
};
use crate::error::{AppError, AppResult};
use crate::invoicing::plan::Reference;
use crate::money::{Currency, Money};
use crate::receivables::own_customers;
use crate::recurring::repo::RecurringBook;
use crate::recurring::rules::round_minor;
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::HashMap;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, async_graphql::Enum,
)]
pub enum ExpansionKind {
    /// More seats on a running line, from the change date.
    Seats,
    /// A new subscription line for a customer already paying.
    Module,
    /// A plan change to a higher monthly value (another product, price, quantity or billing
    /// period): the difference, from the change date. A change to a lower one is contraction,
    /// not listed here.
    Upgrade,
    /// Usage billed for a month (recognised in the month incurred).
    Usage,
    /// The price rise taken when a contract renewed.
    Uplift,
}

/// One expansion event.
#[derive(Debug, Clone, Serialize)]
pub struct Expansion {
    pub kind: ExpansionKind,
    pub date: NaiveDate,
    /// "YYYY-MM".
    pub month: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub contract_id: i64,
    pub contract_number: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub product: String,
    pub detail: String,
    /// MRR added, in the contract currency (usage adds none).
    pub added_mrr: Money,
    /// What was billed for it: the prorated seat charge or the usage charge, when billed.
    pub billed: Option<Money>,
    /// Added MRR in the functional currency at the day's rate (0 without a rate).
    pub added_mrr_functional: i64,
    pub billed_functional: i64,
}

fn month_key(date: NaiveDate) -> String {
    date.format("%Y-%m").to_string()
}

struct Names {
    customers: HashMap<i64, String>,
    contracts: HashMap<i64, contract::Model>,
    owners: HashMap<i64, (i64, String)>,
}

impl Names {
    #[allow(clippy::too_many_arguments)]
    fn row(
        &self,
        contract_id: i64,
        kind: ExpansionKind,
        date: NaiveDate,
        product: String,
        detail: String,
        added_mrr: Money,
        billed: Option<Money>,
    ) -> Option<Expansion> {
        let contract = self.contracts.get(&contract_id)?;
        let owner = self.owners.get(&contract.deal_id);
        Some(Expansion {
            kind,
            date,
            month: month_key(date),
            customer_id: contract.customer_id,
            customer_name: self
                .customers
                .get(&contract.customer_id)
                .cloned()
                .unwrap_or_default(),
            contract_id,
            contract_number: contract.contract_number.clone(),
            owner_id: owner.map(|(id, _)| *id),
            owner_name: owner.map(|(_, name)| name.clone()),
            product,
            detail,
            added_mrr,
            billed,
            added_mrr_functional: 0,
            billed_functional: 0,
        })
    }
}

impl super::RenewalService {
    /// Expansion events dated `from`..=`to` in the actor's book, by date.
    pub async fn expansions(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<(Vec<Expansion>, Vec<String>)> {
        actor.require(Permission::MetricsRead)?;
        if to < from || (to - from).num_days() > 3660 {
            return Err(AppError::validation(
                "to",
                "Give a range that ends on or after it starts and spans at most ten years.",
            ));
        }
        expansions_in(&self.db, actor, from, to, self.functional).await
    }
}

/// The expansion events of the actor's book dated `from`..=`to`, with any FX warnings.
pub async fn expansions_in<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
    functional: Currency,
) -> AppResult<(Vec<Expansion>, Vec<String>)> {
    let names = Names::load(connection, actor).await?;
    let mut rows = seat_rows(connection, &names, from, to).await?;
    rows.extend(module_rows(connection, &names, from, to).await?);
    rows.extend(usage_rows(connection, &names, from, to).await?);
    rows.extend(uplift_rows(connection, &names, from, to).await?);
    let reference = Reference::load(connection, functional).await?;
    let mut warnings = Vec::new();
    for row in &mut rows {
        row.added_mrr_functional =
            reference.functional_total([row.added_mrr], row.date, &mut warnings);
        row.billed_functional = reference.functional_total(row.billed, row.date, &mut warnings);
    }
    rows.sort_by(|left, right| {
        (left.date, left.kind, left.contract_id).cmp(&(right.date, right.kind, right.contract_id))
    });
    Ok((rows, warnings))
}

impl Names {
    /// The actor's contracts, every customer's name and each approved deal's owner.
    async fn load<C: ConnectionTrait>(connection: &C, actor: &Actor) -> AppResult<Names> {
        let own = own_customers(actor);
        let mut contracts_query = contract::Entity::find();
        if let Some(own) = own.clone() {
            contracts_query = contracts_query.filter(contract::Column::CustomerId.in_subquery(own));
        }
        let contracts: HashMap<i64, contract::Model> = contracts_query
            .all(connection)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        let users: HashMap<i64, String> = user::Entity::find()
            .all(connection)
            .await?
            .into_iter()
            .map(|row| (row.id, row.name))
            .collect();
        let owners: HashMap<i64, (i64, String)> = deal::Entity::find()
            .filter(deal::Column::Status.eq("approved"))
            .all(connection)
            .await?
            .into_iter()
            .filter_map(|row| {
                let owner = row.assigned_ae_id?;
                Some((
                    row.id,
                    (owner, users.get(&owner).cloned().unwrap_or_default()),
                ))
            })
            .collect();
        let customers: HashMap<i64, String> = customer::Entity::find()
            .all(connection)
            .await?
            .into_iter()
            .map(|row| (row.id, row.legal_name))
            .collect();
        Ok(Names {
            customers,
            contracts,
            owners,
        })
    }
}

/// Seats: quantity increases effective in the range, with the prorated charge billed for each.
async fn seat_rows<C: ConnectionTrait>(
    connection: &C,
    names: &Names,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<Expansion>> {
    let mut rows = Vec::new();
    let changes = contract_line_change::Entity::find()
        .filter(contract_line_change::Column::Kind.eq("quantity"))
        .filter(contract_line_change::Column::EffectiveDate.between(from, to))
        .all(connection)
        .await?;
    let line_ids: Vec<i64> = changes.iter().map(|row| row.contract_line_id).collect();
    let lines: HashMap<i64, contract_line::Model> = contract_line::Entity::find()
        .filter(contract_line::Column::Id.is_in(line_ids.clone()))
        .all(connection)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let charges: HashMap<(i64, String), billing_charge::Model> = billing_charge::Entity::find()
        .filter(billing_charge::Column::ContractLineId.is_in(line_ids))
        .filter(billing_charge::Column::ChargeKey.starts_with("change:"))
        .all(connection)
        .await?
        .into_iter()
        .map(|row| ((row.contract_line_id, row.charge_key.clone()), row))
        .collect();
    for change in changes {
        let Some(line) = lines.get(&change.contract_line_id) else {
            continue;
        };
        let added = decimal("new quantity", &change.new_quantity)?
            - decimal("old quantity", &change.old_quantity)?;
        let Some(period_months) = months(
            line.billing_frequency
                .as_deref()
                .and_then(BillingFrequency::parse),
        ) else {
            continue;
        };
        if added <= Decimal::ZERO {
            continue;
        }
        let currency = Currency::parse(&line.currency)?;
        let mrr = round_minor(
            added * Decimal::from(line.unit_price_minor) / Decimal::from(period_months),
        );
        let billed = charges
            .get(&(line.id, format!("change:{}", change.id)))
            .map(|charge| Money::from_minor(charge.amount_minor, currency));
        rows.extend(names.row(
            line.contract_id,
            ExpansionKind::Seats,
            change.effective_date,
            line.product_name.clone(),
            format!(
                "{} → {} seats ({})",
                decimal("old quantity", &change.old_quantity)?.normalize(),
                decimal("new quantity", &change.new_quantity)?.normalize(),
                change.reason
            ),
            Money::from_minor(mrr, currency),
            billed,
        ));
    }
    Ok(rows)
}

/// Modules: subscription lines starting in the range for a customer with MRR the day before
/// from another line, except a renewal term's own lines; a line that replaced another in a plan
/// change is an upgrade by the difference instead (or nothing, when it is worth less).
async fn module_rows<C: ConnectionTrait>(
    connection: &C,
    names: &Names,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<Expansion>> {
    let mut rows = Vec::new();
    let started = contract_line::Entity::find()
        .filter(contract_line::Column::Kind.eq(ContractLineKind::Subscription.as_str()))
        .filter(contract_line::Column::StartDate.between(from, to))
        .all(connection)
        .await?;
    let started_customers: Vec<i64> = started
        .iter()
        .filter_map(|line| names.contracts.get(&line.contract_id))
        .map(|row| row.customer_id)
        .collect();
    let running_ids: Vec<i64> = names
        .contracts
        .values()
        .filter(|row| started_customers.contains(&row.customer_id))
        .map(|row| row.id)
        .collect();
    let running = RecurringBook::load_contracts(connection, &running_ids).await?;
    let replaced: HashMap<i64, contract_line::Model> = contract_line::Entity::find()
        .filter(
            contract_line::Column::Id
                .is_in(started.iter().filter_map(|line| line.replaces_line_id)),
        )
        .all(connection)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    for line in started {
        if let Some(old) = line.replaces_line_id.and_then(|id| replaced.get(&id)) {
            rows.extend(upgrade_row(names, old, &line)?);
            continue;
        }
        let Some(owning) = names.contracts.get(&line.contract_id) else {
            continue;
        };
        if owning.renewed_from_id.is_some() {
            continue;
        }
        let Some(period_months) = months(
            line.billing_frequency
                .as_deref()
                .and_then(BillingFrequency::parse),
        ) else {
            continue;
        };
        let day_before = line.start_date - Duration::days(1);
        let already_paying = running.lines.iter().any(|other| {
            other.customer_id == owning.customer_id
                && other.line_id != line.id
                && !crate::recurring::rules::line_mrr(&other.terms, day_before).is_zero()
        });
        if !already_paying {
            continue;
        }
        let currency = Currency::parse(&line.currency)?;
        let mrr = round_minor(
            decimal("quantity", &line.quantity)? * Decimal::from(line.unit_price_minor)
                / Decimal::from(period_months),
        );
        rows.extend(names.row(
            line.contract_id,
            ExpansionKind::Module,
            line.start_date,
            line.product_name.clone(),
            format!("New line from {} to {}", line.start_date, line.end_date),
            Money::from_minor(mrr, currency),
            None,
        ));
    }
    Ok(rows)
}

/// A line's monthly value at list price: quantity × unit price ÷ months per period.
fn monthly_list(line: &contract_line::Model) -> AppResult<Option<i64>> {
    let Some(period_months) = months(
        line.billing_frequency
            .as_deref()
            .and_then(BillingFrequency::parse),
    ) else {
        return Ok(None);
    };
    Ok(Some(round_minor(
        decimal("quantity", &line.quantity)? * Decimal::from(line.unit_price_minor)
            / Decimal::from(period_months),
    )))
}

/// A plan change (`new` replacing `old`) that raised the line's monthly value: the difference.
fn upgrade_row(
    names: &Names,
    old: &contract_line::Model,
    new: &contract_line::Model,
) -> AppResult<Option<Expansion>> {
    let (Some(before), Some(after)) = (monthly_list(old)?, monthly_list(new)?) else {
        return Ok(None);
    };
    if after <= before {
        return Ok(None);
    }
    let currency = Currency::parse(&new.currency)?;
    let plan = |line: &contract_line::Model| {
        format!(
            "{} × {} {}",
            decimal("quantity", &line.quantity)
                .map(|quantity| quantity.normalize().to_string())
                .unwrap_or_else(|_| line.quantity.clone()),
            Money::from_minor(line.unit_price_minor, currency),
            line.billing_frequency.as_deref().unwrap_or_default()
        )
    };
    Ok(names.row(
        new.contract_id,
        ExpansionKind::Upgrade,
        new.start_date,
        new.product_name.clone(),
        format!(
            "Plan change from {} ({}) to {}",
            old.product_name,
            plan(old),
            plan(new)
        ),
        Money::from_minor(after - before, currency),
        None,
    ))
}

/// Usage: billed usage per line and month in the range.
async fn usage_rows<C: ConnectionTrait>(
    connection: &C,
    names: &Names,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<Expansion>> {
    let mut rows = Vec::new();
    for charge in billing_charge::Entity::find()
        .filter(billing_charge::Column::Kind.eq("usage"))
        .filter(billing_charge::Column::PeriodStart.between(from, to))
        .all(connection)
        .await?
    {
        let currency = Currency::parse(&charge.currency)?;
        let date = charge.period_start.unwrap_or(charge.due_on);
        rows.extend(names.row(
            charge.contract_id,
            ExpansionKind::Usage,
            date,
            charge.description.clone(),
            format!(
                "{} units billed",
                decimal("quantity", &charge.quantity)?.normalize()
            ),
            Money::zero(currency),
            Some(Money::from_minor(charge.amount_minor, currency)),
        ));
    }
    Ok(rows)
}

/// Uplifts: renewal terms starting in the range, MRR above the renewed term's last day.
async fn uplift_rows<C: ConnectionTrait>(
    connection: &C,
    names: &Names,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<Expansion>> {
    let mut rows = Vec::new();
    let renewals: Vec<contract::Model> = names
        .contracts
        .values()
        .filter(|row| {
            row.renewed_from_id.is_some() && row.start_date >= from && row.start_date <= to
        })
        .cloned()
        .collect();
    let pairs: Vec<i64> = renewals
        .iter()
        .flat_map(|row| [row.id, row.renewed_from_id.unwrap_or(row.id)])
        .collect();
    let pair_book = RecurringBook::load_contracts(connection, &pairs).await?;
    for renewal in renewals {
        let Some(old_id) = renewal.renewed_from_id else {
            continue;
        };
        let Some(old) = names.contracts.get(&old_id) else {
            continue;
        };
        let after = pair_book.mrr_by(renewal.start_date, |line| line.contract_id);
        let before = pair_book.mrr_by(old.end_date, |line| line.contract_id);
        let currency = Currency::parse(&renewal.currency)?;
        let new_mrr = after.get(&(renewal.id, currency)).copied().unwrap_or(0);
        let old_mrr = before.get(&(old.id, currency)).copied().unwrap_or(0);
        if new_mrr <= old_mrr {
            continue;
        }
        rows.extend(names.row(
            renewal.id,
            ExpansionKind::Uplift,
            renewal.start_date,
            format!("Renewal of {}", old.contract_number),
            format!("{}% uplift at renewal", renewal.uplift_percent),
            Money::from_minor(new_mrr - old_mrr, currency),
            None,
        ));
    }
    Ok(rows)
}
