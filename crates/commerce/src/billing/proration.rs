//! The proration convention a company bills by, and a contract's own (issue 20, "Proration
//! conventions"). The rule is `revops_terms::proration`; this module stores the choice.
//!
//! The company's convention (`company_settings` key `billing.proration`) is stamped on every
//! contract line when it is written (deal approval, import, a line added or a plan changed
//! mid-term), so changing the company's choice never re-prices what was already sold. A contract
//! may be given another convention until its first charge is billed; after that its invoices
//! already state how parts of periods were priced, and the convention stays as billed.

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{contract, contract_line};
use crate::error::{AppError, AppResult};
use crate::values::parse_id;
use chrono::{DateTime, Utc};
pub use revops_terms::proration::ProrationConvention;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;

/// The `company_settings` key of the company's convention.
pub const SETTING: &str = "billing.proration";

/// The company's convention: actual days unless the CFO chose another.
pub async fn company<C: ConnectionTrait>(connection: &C) -> AppResult<ProrationConvention> {
    Ok(crate::settings::get(connection, SETTING)
        .await?
        .as_deref()
        .and_then(ProrationConvention::parse)
        .unwrap_or_default())
}

/// The convention a contract's lines bill by: the one stamped on its first line, else the
/// company's (a contract has at least one line; this covers one mid-write).
pub async fn of_contract<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
) -> AppResult<ProrationConvention> {
    let stamped = contract_line::Entity::find()
        .filter(contract_line::Column::ContractId.eq(contract_id))
        .one(connection)
        .await?
        .and_then(|line| ProrationConvention::parse(&line.proration));
    match stamped {
        Some(convention) => Ok(convention),
        None => company(connection).await,
    }
}

/// Sets the company's convention for contracts written from now on, audited.
pub async fn set_company<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    convention: ProrationConvention,
    now: DateTime<Utc>,
) -> AppResult<ProrationConvention> {
    actor.require(Permission::BillingSetup)?;
    let before = company(connection).await?;
    crate::settings::set(
        connection,
        SETTING,
        convention.as_str(),
        Some(actor.user_id),
        now,
    )
    .await?;
    if before != convention {
        audit::record(
            connection,
            Some(actor),
            now,
            AuditRecord {
                action: "billing.proration_set",
                entity_type: "company_setting",
                entity_id: SETTING.into(),
                before: Some(&before),
                after: Some(&convention),
            },
        )
        .await?;
    }
    Ok(convention)
}

/// A contract's convention after it was set.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractProration {
    pub contract_id: i64,
    pub convention: ProrationConvention,
}

/// Gives a contract its own convention. Refused (naming `contractId`) once any of its charges is
/// billed: its invoices already priced parts of periods one way.
pub async fn set_contract<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    contract_id: &str,
    convention: ProrationConvention,
    now: DateTime<Utc>,
) -> AppResult<ContractProration> {
    actor.require(Permission::ContractChange)?;
    let id = parse_id("contractId", contract_id)?;
    let found = contract::Entity::find_by_id(id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no contract with id {id}.")))?;
    // One change to a customer's contracts at a time (a modification adding a line stamps the
    // convention it reads; a bill run writes the first charge).
    crate::customers::lock_for_update(connection, found.customer_id).await?;
    let before = of_contract(connection, id).await?;
    super::repo::refuse_brought_over(&found, "proration convention")?;
    if before == convention {
        return Ok(ContractProration {
            contract_id: id,
            convention,
        });
    }
    let billed = super::repo::contract_billed(connection, id).await?;
    if billed {
        return Err(AppError::validation(
            "contractId",
            format!(
                "Contract {} is already billed by {}: its invoices priced parts of periods that way, so its convention stays.",
                found.contract_number,
                before.label()
            ),
        ));
    }
    contract_line::Entity::update_many()
        .col_expr(
            contract_line::Column::Proration,
            Expr::value(convention.as_str()),
        )
        .filter(contract_line::Column::ContractId.eq(id))
        .exec(connection)
        .await?;
    // What the contract will bill changed, so revenue's transaction price with it.
    crate::revenue::repo::restate_untouched(connection, id, now).await?;
    let result = ContractProration {
        contract_id: id,
        convention,
    };
    audit::record(
        connection,
        Some(actor),
        now,
        AuditRecord {
            action: "contract.proration_set",
            entity_type: "contract",
            entity_id: id.to_string(),
            before: Some(&ContractProration {
                contract_id: id,
                convention: before,
            }),
            after: Some(&result),
        },
    )
    .await?;
    Ok(result)
}
