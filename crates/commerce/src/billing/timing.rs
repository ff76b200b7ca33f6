//! Subscription fees in advance or in arrears, per line (issue 20): a line billed in arrears bills
//! each period on the day after it ends — its seat changes and cancellation credit with it — so
//! the customer pays for service already delivered. Revenue is recognised as the service is
//! delivered either way; until the period is invoiced it sits in unbilled receivables.
//!
//! Chosen until the line's first charge is written; after that its invoices already bill it one
//! way, and it stays.

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{billing_charge, contract, contract_line};
use crate::error::{AppError, AppResult};
use crate::values::parse_id;
use chrono::{DateTime, Utc};
use revops_terms::kinds::ContractLineKind;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde::Serialize;

/// A line's billing timing after it was set.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineTiming {
    pub contract_line_id: i64,
    pub billed_in_arrears: bool,
}

/// Bills a subscription line in arrears (or in advance again). Refused on `contractLineId` for
/// a line that is not a recurring subscription, one of a contract brought over from the old
/// system, or one with a charge already written.
pub async fn set<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    contract_line_id: &str,
    in_arrears: bool,
    now: DateTime<Utc>,
) -> AppResult<LineTiming> {
    actor.require(Permission::ContractChange)?;
    let id = parse_id("contractLineId", contract_line_id)?;
    let line = contract_line::Entity::find_by_id(id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no contract line with id {id}.")))?;
    let result = LineTiming {
        contract_line_id: id,
        billed_in_arrears: in_arrears,
    };
    if line.billed_in_arrears == in_arrears {
        return Ok(result);
    }
    if line.kind != ContractLineKind::Subscription.as_str() || line.billing_frequency.is_none() {
        return Err(AppError::validation(
            "contractLineId",
            format!(
                "{} is not a recurring subscription: only a subscription's periods are billed in advance or in arrears.",
                line.product_name
            ),
        ));
    }
    let found = contract::Entity::find_by_id(line.contract_id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::internal(format!("line {id} without contract")))?;
    super::repo::refuse_brought_over(&found, "billing timing")?;
    crate::customers::lock_for_update(connection, found.customer_id).await?;
    let charged = billing_charge::Entity::find()
        .filter(billing_charge::Column::ContractLineId.eq(id))
        .count(connection)
        .await?;
    if charged > 0 {
        return Err(AppError::validation(
            "contractLineId",
            format!(
                "{} is already billed {}: its invoices bill it that way, so it stays.",
                line.product_name,
                if line.billed_in_arrears {
                    "in arrears"
                } else {
                    "in advance"
                }
            ),
        ));
    }
    let before = LineTiming {
        contract_line_id: id,
        billed_in_arrears: line.billed_in_arrears,
    };
    let mut row: contract_line::ActiveModel = line.into();
    row.billed_in_arrears = Set(in_arrears);
    row.update(connection).await?;
    audit::record(
        connection,
        Some(actor),
        now,
        AuditRecord {
            action: "contract_line.billing_timing_set",
            entity_type: "contract_line",
            entity_id: id.to_string(),
            before: Some(&before),
            after: Some(&result),
        },
    )
    .await?;
    Ok(result)
}
