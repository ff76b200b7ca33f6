//! What the bill run charges: everything due by the run's date on each billable line (recurring
//! periods, changes, one-time and delivered parts, approved timesheets, finished usage months)
//! that has not been charged yet.

use crate::billing::periods;
use crate::billing::pricing::{self, UsagePricing};
use crate::billing::repo::{self, BillableLine};
use crate::billing::schedule::DueCharge;
use crate::entities::{line_delivery, timesheet_entry, usage_record};
use crate::error::{AppError, AppResult};
use crate::invoicing::rules::ChargeKind;
use crate::money::{Currency, Money};
use chrono::NaiveDate;
use revops_terms::kinds::ContractLineKind;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};

/// Everything due on `as_of` that has not been charged yet, per line.
pub(super) async fn due_charges<C: ConnectionTrait>(
    db: &C,
    lines: &[BillableLine],
    keys: &HashMap<i64, Vec<(String, Option<NaiveDate>)>>,
    as_of: NaiveDate,
) -> AppResult<Vec<(BillableLine, DueCharge)>> {
    let sources = Sources::load(db, lines).await?;
    let current_month = periods::month_of(as_of).2;
    let mut due = Vec::new();
    for line in lines {
        let existing: HashSet<&str> = keys
            .get(&line.line_id)
            .map(|keys| keys.iter().map(|(key, _)| key.as_str()).collect())
            .unwrap_or_default();
        let last_period = keys.get(&line.line_id).and_then(|keys| {
            keys.iter()
                .filter(|(key, _)| key.starts_with("period:"))
                .filter_map(|(_, start)| *start)
                .max()
        });
        let charges = line_charges(
            line,
            &sources,
            &existing,
            last_period,
            as_of,
            &current_month,
        )?;
        for charge in charges {
            if !existing.contains(charge.key.as_str()) {
                due.push((line.clone(), charge));
            }
        }
    }
    Ok(due)
}

/// What lines charge from besides their own terms: approved timesheets, the usage lines' records
/// and the licence lines' deliveries.
struct Sources {
    approved: Vec<timesheet_entry::Model>,
    usage: Vec<usage_record::Model>,
    parts: Vec<line_delivery::Model>,
}

impl Sources {
    /// Reads the sources of `lines`, skipping a read no line needs.
    async fn load<C: ConnectionTrait>(db: &C, lines: &[BillableLine]) -> AppResult<Sources> {
        let approved = timesheet_entry::Entity::find()
            .filter(timesheet_entry::Column::Status.eq("approved"))
            .all(db)
            .await?;
        let usage_lines: Vec<i64> = lines
            .iter()
            .filter(|line| line.terms.kind == ContractLineKind::Usage)
            .map(|line| line.line_id)
            .collect();
        let usage = if usage_lines.is_empty() {
            Vec::new()
        } else {
            crate::lookup::find_in(
                db,
                usage_record::Entity::find(),
                usage_record::Column::ContractLineId,
                usage_lines,
            )
            .await?
        };
        let licence_lines: Vec<i64> = lines
            .iter()
            .filter(|line| line.terms.kind == ContractLineKind::PerpetualLicense)
            .map(|line| line.line_id)
            .collect();
        let parts = if licence_lines.is_empty() {
            Vec::new()
        } else {
            crate::lookup::find_in(
                db,
                line_delivery::Entity::find(),
                line_delivery::Column::ContractLineId,
                licence_lines,
            )
            .await?
        };
        Ok(Sources {
            approved,
            usage,
            parts,
        })
    }
}

/// Every charge one line owes by `as_of`, in the order the run writes them; `existing` holds the
/// keys already charged (the caller leaves those out).
fn line_charges(
    line: &BillableLine,
    sources: &Sources,
    existing: &HashSet<&str>,
    last_period: Option<NaiveDate>,
    as_of: NaiveDate,
    current_month: &str,
) -> AppResult<Vec<DueCharge>> {
    let terms = &line.terms;
    let mut charges = terms.recurring_due(as_of, last_period)?;
    for change in terms
        .changes
        .iter()
        .filter(|change| change.effective <= as_of)
    {
        // On a period's first day, the change is in that period's charge unless the
        // period was billed before it was recorded.
        let billed = format!("period:{}", change.effective);
        if terms.starts_period(change) && !existing.contains(billed.as_str()) {
            continue;
        }
        // A line billed in arrears bills a change with its period, after the period ends.
        if let Some(charge) = terms
            .change_charge(change)?
            .filter(|charge| charge.due_on <= as_of)
        {
            charges.push(charge);
        }
    }
    let mine: Vec<&line_delivery::Model> = sources
        .parts
        .iter()
        .filter(|part| part.contract_line_id == line.line_id)
        .collect();
    if mine.is_empty() {
        if let Some(charge) = terms.one_time_due(as_of)? {
            charges.push(charge);
        }
    }
    for part in mine.into_iter().filter(|part| part.delivered_on <= as_of) {
        charges.push(terms.delivered_part(
            part.id,
            repo::decimal("delivered quantity", &part.quantity)?,
            part.delivered_on,
        )?);
    }
    if terms.kind == ContractLineKind::TimeAndMaterials {
        charges.extend(timesheet_charges(line, &sources.approved, as_of)?);
    }
    if let (ContractLineKind::Usage, Some(pricing)) = (terms.kind, &line.pricing) {
        for (month, quantities) in usage_by_month(&sources.usage, line.line_id) {
            // A month is billed once it is over.
            if month.as_str() >= current_month {
                continue;
            }
            if let Some(charge) = usage_charge(line, pricing, &month, &quantities)? {
                charges.push(charge);
            }
        }
        if let Some(charge) = commitment_true_up(line, pricing, &charges, current_month)? {
            charges.push(charge);
        }
    }
    Ok(charges)
}

/// A usage line's minimum-commitment true-up, once its term's last month is over: what the
/// months' usage charges (all of them recomputed above from the records, billed or due now) fell
/// short of the commitment (`pricing::true_up`), billed once under the key `true-up:<last day>`.
fn commitment_true_up(
    line: &BillableLine,
    pricing: &UsagePricing,
    charges: &[DueCharge],
    current_month: &str,
) -> AppResult<Option<DueCharge>> {
    if pricing.commitment.is_none() {
        return Ok(None);
    }
    let terms = &line.terms;
    let stop = terms.service_end();
    let last_day = stop.pred_opt().unwrap_or(stop);
    if periods::month_of(last_day).2.as_str() >= current_month {
        return Ok(None);
    }
    let mut billed = Money::zero(terms.unit_price.currency());
    for charge in charges
        .iter()
        .filter(|charge| charge.kind == ChargeKind::Usage && charge.key.starts_with("usage:"))
    {
        billed = billed.checked_add(charge.amount)?;
    }
    let Some((short, note)) = crate::billing::pricing::true_up(pricing, billed)? else {
        return Ok(None);
    };
    Ok(Some(DueCharge {
        key: format!("true-up:{last_day}"),
        kind: ChargeKind::Usage,
        description: format!(
            "{}: minimum commitment true-up ({} – {last_day})",
            terms.product, terms.start
        ),
        period: Some((terms.start, stop)),
        quantity: Decimal::ONE,
        unit_price: short,
        amount: short,
        note: Some(note),
        due_on: stop,
    }))
}

/// A time-and-materials line's approved hours, each charged once it was approved by `as_of`.
fn timesheet_charges(
    line: &BillableLine,
    approved: &[timesheet_entry::Model],
    as_of: NaiveDate,
) -> AppResult<Vec<DueCharge>> {
    let terms = &line.terms;
    let mut charges = Vec::new();
    for entry in approved
        .iter()
        .filter(|entry| entry.contract_line_id == line.line_id)
    {
        let hours = repo::decimal("hours", &entry.hours)?;
        let rate = Money::from_minor(entry.rate_minor, Currency::parse(&entry.currency)?);
        let decided = entry
            .decided_at
            .map_or(entry.work_date, |at| at.date_naive());
        if decided > as_of {
            continue;
        }
        charges.push(DueCharge {
            key: format!("timesheet:{}", entry.id),
            kind: ChargeKind::TimeAndMaterials,
            description: format!(
                "{}: {} ({}), {} — {}",
                terms.product, entry.person, entry.role, entry.work_date, entry.description
            ),
            period: Some((
                entry.work_date,
                entry.work_date.succ_opt().unwrap_or(entry.work_date),
            )),
            quantity: hours,
            unit_price: rate,
            amount: periods::prorate(rate, hours, periods::Proration::FULL)?,
            note: Some(format!(
                "{} h × {} approved",
                hours.normalize(),
                rate.amount_string()
            )),
            due_on: decided,
        });
    }
    Ok(charges)
}

/// A usage line's recorded quantities grouped by month ("YYYY-MM"), oldest first.
fn usage_by_month(records: &[usage_record::Model], line_id: i64) -> Vec<(String, Vec<Decimal>)> {
    let mut months: std::collections::BTreeMap<String, Vec<Decimal>> = Default::default();
    for record in records
        .iter()
        .filter(|record| record.contract_line_id == line_id)
    {
        if let Ok(quantity) = record.quantity.parse::<Decimal>() {
            months
                .entry(record.usage_month.clone())
                .or_default()
                .push(quantity);
        }
    }
    months.into_iter().collect()
}

/// The overage charge of one finished month, billed in that month's name; none within the allowance.
pub fn usage_charge(
    line: &BillableLine,
    pricing: &UsagePricing,
    month: &str,
    quantities: &[Decimal],
) -> AppResult<Option<DueCharge>> {
    let used = pricing::aggregate(quantities, pricing.aggregation);
    let priced = pricing::price(pricing, used, line.terms.unit_price.currency())?;
    if priced.amount.is_zero() {
        return Ok(None);
    }
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| AppError::internal(format!("usage month {month}")))?;
    let (start, end, _) = periods::month_of(first);
    Ok(Some(DueCharge {
        key: format!("usage:{month}"),
        kind: ChargeKind::Usage,
        description: format!("{}: {} overage, {month}", line.terms.product, pricing.meter),
        period: Some((start, end)),
        quantity: priced.billable,
        unit_price: Money::zero(line.terms.unit_price.currency()),
        amount: priced.amount,
        note: Some(priced.note),
        due_on: end,
    }))
}
