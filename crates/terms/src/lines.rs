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
