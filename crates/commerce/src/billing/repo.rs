//! Queries of the billing area: contract lines with their terms and changes, and charges.

use crate::entities::{billing_charge, contract, contract_line, contract_line_change};
use crate::error::{AppError, AppResult};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

pub use revops_terms::lines::{
    assemble, change_from_model, decimal, discount_of, line_terms, pricing_of, BillableLine,
};

/// Lines (all, or those of some contracts) with their contracts' customers and changes.
pub async fn billable_lines<C: ConnectionTrait>(
    connection: &C,
    contract_ids: Option<&[i64]>,
) -> AppResult<Vec<BillableLine>> {
    let mut contracts = contract::Entity::find();
    let mut lines = contract_line::Entity::find().order_by_asc(contract_line::Column::Id);
    let mut changes = contract_line_change::Entity::find();
    if let Some(ids) = contract_ids {
        contracts = contracts.filter(contract::Column::Id.is_in(ids.iter().copied()));
        lines = lines.filter(contract_line::Column::ContractId.is_in(ids.iter().copied()));
        changes = changes.filter(
            contract_line_change::Column::ContractLineId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(contract_line::Column::Id)
                    .from(contract_line::Entity)
                    .and_where(contract_line::Column::ContractId.is_in(ids.iter().copied()))
                    .to_owned(),
            ),
        );
    }
    let customers: HashMap<i64, i64> = contracts
        .all(connection)
        .await?
        .into_iter()
        .map(|contract| (contract.id, contract.customer_id))
        .collect();
    let changes = changes.all(connection).await?;
    assemble(lines.all(connection).await?, &customers, changes)
}

/// Whether any charge of a contract's lines is written (billed, or waiting for its invoice):
/// from then on its billing terms (proration convention, billing day) stay as billed.
pub async fn contract_billed<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
) -> AppResult<bool> {
    use sea_orm::PaginatorTrait;
    Ok(billing_charge::Entity::find()
        .filter(
            billing_charge::Column::ContractLineId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(contract_line::Column::Id)
                    .from(contract_line::Entity)
                    .and_where(contract_line::Column::ContractId.eq(contract_id))
                    .to_owned(),
            ),
        )
        .count(connection)
        .await?
        > 0)
}

/// Refuses (on `contractId`) to change how a contract bills when it was brought over from the
/// old system: its periods continue the old system's (`billed_through` is one of their ends) and
/// revenue kept the allocation brought over, so neither is re-derived here.
pub fn refuse_brought_over(found: &contract::Model, what: &str) -> AppResult<()> {
    if found.brought_over_on.is_some() {
        return Err(AppError::validation(
            "contractId",
            format!(
                "Contract {} was brought over from the old system on {}: its periods continue the old system's, so its {what} stays as imported.",
                found.contract_number,
                found.brought_over_on.map(|day| day.to_string()).unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// The charge keys already written for each line.
pub async fn charge_keys<C: ConnectionTrait>(
    connection: &C,
    line_ids: Option<&[i64]>,
) -> AppResult<HashMap<i64, Vec<(String, Option<chrono::NaiveDate>)>>> {
    // Only the three columns the schedule needs: the run reads every line's history, so the
    // descriptions and amounts of old charges are not worth loading.
    let mut query = billing_charge::Entity::find()
        .select_only()
        .column(billing_charge::Column::ContractLineId)
        .column(billing_charge::Column::ChargeKey)
        .column(billing_charge::Column::PeriodStart);
    if let Some(ids) = line_ids {
        query = query.filter(billing_charge::Column::ContractLineId.is_in(ids.iter().copied()));
    }
    let mut keys: HashMap<i64, Vec<(String, Option<chrono::NaiveDate>)>> = HashMap::new();
    let rows: Vec<(i64, String, Option<chrono::NaiveDate>)> =
        query.into_tuple().all(connection).await?;
    for (line_id, key, period_start) in rows {
        keys.entry(line_id).or_default().push((key, period_start));
    }
    Ok(keys)
}
