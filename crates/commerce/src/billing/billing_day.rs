//! A contract's billing day (issue 20, "a chosen billing day separate from the start date"): the
//! day of the month its subscription lines bill on, as Zuora's bill cycle day or Stripe's
//! `billing_cycle_anchor`. Each subscription line's periods are then counted from the latest
//! such day on or before its start (`periods::billing_day_anchor`): the first period is the stub
//! to the next billing day, prorated by the contract's convention, and the last one ends with the
//! term. A line added mid-term bills on the same day, so it joins the contract's invoices.
//!
//! Set until the contract's first charge is written; after that its invoices already carry its
//! periods, and the day stays.

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{contract, contract_line};
use crate::error::{AppError, AppResult};
use crate::values::parse_id;
use chrono::{DateTime, Utc};
use revops_terms::kinds::ContractLineKind;
use revops_terms::periods::billing_day_anchor;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;

/// A contract's billing day after it was set.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractBillingDay {
    pub contract_id: i64,
    pub billing_day: Option<i32>,
}

/// The anchor a subscription line starting `start` takes under a contract billed on `day`.
pub fn anchor(day: Option<i32>, start: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
    let day = u32::try_from(day?).ok()?;
    Some(billing_day_anchor(start, day))
}

/// The anchor of a subscription line added mid-term to a contract billed on a day: the anchor of
/// a line of the contract billed as often, so the new line's periods end with that line's (an
/// annual line joins the contract's year, not one starting in its own month); else the billing
/// day's. `None` when the contract has no billing day.
pub async fn added_line_anchor<C: ConnectionTrait>(
    connection: &C,
    contract: &contract::Model,
    frequency: Option<&str>,
    start: chrono::NaiveDate,
) -> AppResult<Option<chrono::NaiveDate>> {
    if contract.billing_day.is_none() {
        return Ok(None);
    }
    let sibling = contract_line::Entity::find()
        .filter(contract_line::Column::ContractId.eq(contract.id))
        .filter(contract_line::Column::Kind.eq(ContractLineKind::Subscription.as_str()))
        .filter(contract_line::Column::BillingFrequency.eq(frequency))
        .filter(contract_line::Column::BillingAnchor.is_not_null())
        .filter(contract_line::Column::BillingAnchor.lte(start))
        .one(connection)
        .await?;
    Ok(match sibling.and_then(|line| line.billing_anchor) {
        Some(anchor) => Some(anchor),
        None => anchor(contract.billing_day, start),
    })
}

/// Bills a contract's subscription lines on `day` of the month (`None`: each from its own start
/// date again). Refused on `billingDay` outside 1–31, and on `contractId` once anything is
/// billed, when the contract has no subscription line, or when a plan change is recorded (its
/// new line is co-termed with the old one).
pub async fn set<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    contract_id: &str,
    day: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<ContractBillingDay> {
    actor.require(Permission::ContractChange)?;
    let id = parse_id("contractId", contract_id)?;
    if day.is_some_and(|day| !(1..=31).contains(&day)) {
        return Err(AppError::validation(
            "billingDay",
            "A billing day is a day of the month, 1 to 31 (a later day than a month has bills on its last day).",
        ));
    }
    let found = contract::Entity::find_by_id(id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no contract with id {id}.")))?;
    let result = ContractBillingDay {
        contract_id: id,
        billing_day: day,
    };
    if found.billing_day == day {
        return Ok(result);
    }
    super::repo::refuse_brought_over(&found, "billing day")?;
    // One change to a customer's contracts at a time (a modification adding a line reads the
    // billing day; a bill run writes the first charge).
    crate::customers::lock_for_update(connection, found.customer_id).await?;
    if super::repo::contract_billed(connection, id).await? {
        return Err(AppError::validation(
            "contractId",
            format!(
                "Contract {} is already billed: its periods are on invoices, so its billing day stays.",
                found.contract_number
            ),
        ));
    }
    let lines = contract_line::Entity::find()
        .filter(contract_line::Column::ContractId.eq(id))
        .all(connection)
        .await?;
    if lines.iter().any(|line| line.replaces_line_id.is_some()) {
        return Err(AppError::validation(
            "contractId",
            format!(
                "Contract {} has a plan change recorded, whose new line is co-termed with the old one; set the billing day before changing plans.",
                found.contract_number
            ),
        ));
    }
    let recurring: Vec<&contract_line::Model> = lines
        .iter()
        .filter(|line| {
            line.kind == ContractLineKind::Subscription.as_str() && line.billing_frequency.is_some()
        })
        .collect();
    if day.is_some() && recurring.iter().any(|line| line.alignment == "calendar") {
        return Err(AppError::validation(
            "contractId",
            format!(
                "Contract {} has lines billed on calendar periods (from the 1st of each month, quarter or year); they keep their calendar days.",
                found.contract_number
            ),
        ));
    }
    if recurring.is_empty() {
        return Err(AppError::validation(
            "contractId",
            format!(
                "Contract {} has no subscription line to bill on a day of the month.",
                found.contract_number
            ),
        ));
    }
    for line in recurring {
        let mut row: contract_line::ActiveModel = line.clone().into();
        row.billing_anchor = Set(anchor(day, line.start_date));
        row.update(connection).await?;
    }
    let before = ContractBillingDay {
        contract_id: id,
        billing_day: found.billing_day,
    };
    let mut row: contract::ActiveModel = found.into();
    row.billing_day = Set(day);
    row.update(connection).await?;
    // The periods changed, so what the contract bills and revenue's price with them.
    crate::revenue::repo::restate_untouched(connection, id, now).await?;
    audit::record(
        connection,
        Some(actor),
        now,
        AuditRecord {
            action: "contract.billing_day_set",
            entity_type: "contract",
            entity_id: id.to_string(),
            before: Some(&before),
            after: Some(&result),
        },
    )
    .await?;
    Ok(result)
}
