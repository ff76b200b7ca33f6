//! A stored contract line read as its terms: the conversions billing, revenue and the MRR book
//! share, so each reads a line the same way.

use crate::discount::LineDiscount;
use crate::entities::{contract_line, contract_line_change};
use crate::error::{AppError, AppResult};
use crate::kinds::{BillingFrequency, ContractLineKind};
use crate::money::{Currency, Money};
use crate::periods::Alignment;
use crate::pricing::UsagePricing;
use crate::proration::ProrationConvention;
use crate::schedule::{ChangeKind, LineChange, LineTerms};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;

pub fn decimal(field: &str, text: &str) -> AppResult<Decimal> {
    Decimal::from_str(text)
        .map_err(|_| AppError::internal(format!("stored {field} {text:?} is not a decimal")))
}

pub fn line_terms(model: &contract_line::Model, changes: Vec<LineChange>) -> AppResult<LineTerms> {
    Ok(LineTerms {
        anchor: model.billing_anchor,
        replaced_by: None,
        kind: ContractLineKind::parse(&model.kind)
            .ok_or_else(|| AppError::internal(format!("line kind {}", model.kind)))?,
        product: model.product_name.clone(),
        quantity: decimal("quantity", &model.quantity)?,
        unit_price: Money::from_minor(model.unit_price_minor, Currency::parse(&model.currency)?),
        frequency: model
            .billing_frequency
            .as_deref()
            .and_then(BillingFrequency::parse),
        alignment: Alignment::parse(&model.alignment).unwrap_or(Alignment::Anniversary),
        start: model.start_date,
        end: model.end_date,
        delivered_on: model.delivered_at.map(|at| at.date_naive()),
        accepted_on: model.accepted_at.map(|at| at.date_naive()),
        changes,
        billed_through: model.billed_through,
        discount: discount_of(model)?,
        in_arrears: model.billed_in_arrears,
        proration: ProrationConvention::parse(&model.proration).ok_or_else(|| {
            AppError::internal(format!("line {} proration {}", model.id, model.proration))
        })?,
    })
}

/// The line's recurring discount, if it has one.
pub fn discount_of(model: &contract_line::Model) -> AppResult<Option<LineDiscount>> {
    model
        .discount_json
        .as_deref()
        .map(|json| {
            serde_json::from_str(json)
                .map_err(|error| AppError::internal(format!("line {} discount: {error}", model.id)))
        })
        .transpose()
}

pub fn change_from_model(model: &contract_line_change::Model) -> AppResult<LineChange> {
    Ok(LineChange {
        id: model.id,
        kind: ChangeKind::parse(&model.kind)
            .ok_or_else(|| AppError::internal(format!("change kind {}", model.kind)))?,
        effective: model.effective_date,
        old_quantity: decimal("old quantity", &model.old_quantity)?,
        new_quantity: decimal("new quantity", &model.new_quantity)?,
    })
}

pub fn pricing_of(model: &contract_line::Model) -> AppResult<Option<UsagePricing>> {
    model
        .usage_pricing_json
        .as_deref()
        .map(|json| {
            serde_json::from_str(json)
                .map_err(|error| AppError::internal(format!("line {} pricing: {error}", model.id)))
        })
        .transpose()
}

/// A contract line with everything billing (and the credit check's scheduled charges) needs to know
/// about it.
#[derive(Debug, Clone)]
pub struct BillableLine {
    pub line_id: i64,
    pub contract_id: i64,
    pub customer_id: i64,
    pub terms: LineTerms,
    pub pricing: Option<UsagePricing>,
    /// The line this one replaced in a plan change: its billing runs on in this one.
    pub replaces_line_id: Option<i64>,
}

/// Stored lines read as billable lines: each with its contract's customer (`customers`: contract
/// id → customer id) and its own changes among `changes`.
pub fn assemble(
    models: Vec<contract_line::Model>,
    customers: &HashMap<i64, i64>,
    changes: Vec<contract_line_change::Model>,
) -> AppResult<Vec<BillableLine>> {
    let mut changes_by_line: HashMap<i64, Vec<LineChange>> = HashMap::new();
    for change in changes {
        changes_by_line
            .entry(change.contract_line_id)
            .or_default()
            .push(change_from_model(&change)?);
    }
    // A line replaced in a plan change names its successor on its credit.
    let by_id: HashMap<i64, &contract_line::Model> =
        models.iter().map(|model| (model.id, model)).collect();
    let successors: HashMap<i64, String> = models
        .iter()
        .filter_map(|model| {
            let old = by_id.get(&model.replaces_line_id?)?;
            Some((old.id, new_plan(old, model)))
        })
        .collect();
    models
        .into_iter()
        .map(|model| {
            let customer_id = *customers
                .get(&model.contract_id)
                .ok_or_else(|| AppError::internal(format!("line {} without contract", model.id)))?;
            Ok(BillableLine {
                replaces_line_id: model.replaces_line_id,
                line_id: model.id,
                contract_id: model.contract_id,
                customer_id,
                terms: LineTerms {
                    replaced_by: successors.get(&model.id).cloned(),
                    ..line_terms(
                        &model,
                        changes_by_line.remove(&model.id).unwrap_or_default(),
                    )?
                },
                pricing: pricing_of(&model)?,
            })
        })
        .collect()
}

/// The new plan in words, by what changed first: its product, its billing period, its price, or
/// its quantity ("Platform seats Pro", "Platform seats billed annually").
fn new_plan(old: &contract_line::Model, new: &contract_line::Model) -> String {
    if new.product_name != old.product_name {
        return new.product_name.clone();
    }
    if new.billing_frequency != old.billing_frequency {
        if let Some(frequency) = new.billing_frequency.as_deref() {
            return format!("{} billed {frequency}", new.product_name);
        }
    }
    if new.unit_price_minor != old.unit_price_minor {
        return format!(
            "{} at {}",
            new.product_name,
            Currency::parse(&new.currency)
                .map(|currency| Money::from_minor(new.unit_price_minor, currency).to_string())
                .unwrap_or_default()
        );
    }
    format!("{} × {}", new.product_name, new.quantity)
}
