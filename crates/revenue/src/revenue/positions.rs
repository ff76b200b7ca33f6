//! Revenue positions: what each contract has billed and recognised, which splits its deferred
//! revenue from its unbilled AR, and the hooks invoicing, the bill run and credit memos call in
//! their transactions when they bill or void (`on_billed`, `on_billed_many`).

use crate::entities::{contract_line, revenue_position};
use crate::error::{AppError, AppResult};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use std::collections::{BTreeMap, HashMap};

/// How a contract's ledger balances move when it bills or recognises: the change in its
/// deferred revenue (credit balance) and in its unbilled AR (debit balance).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shift {
    pub deferred: i64,
    pub unbilled: i64,
}

/// Deferred revenue is what a contract billed beyond what it recognised; unbilled AR the reverse.
pub fn balances(billed: i64, recognised: i64) -> (i64, i64) {
    ((billed - recognised).max(0), (recognised - billed).max(0))
}

pub fn shift_of(billed: i64, recognised: i64, billed_delta: i64, recognised_delta: i64) -> Shift {
    let (deferred_before, unbilled_before) = balances(billed, recognised);
    let (deferred_after, unbilled_after) =
        balances(billed + billed_delta, recognised + recognised_delta);
    Shift {
        deferred: deferred_after - deferred_before,
        unbilled: unbilled_after - unbilled_before,
    }
}

pub async fn position<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
) -> AppResult<(i64, i64)> {
    Ok(revenue_position::Entity::find_by_id(contract_id)
        .one(connection)
        .await?
        .map_or((0, 0), |row| (row.billed_minor, row.recognised_minor)))
}

/// Moves a contract's position and returns how its balances moved.
pub async fn shift<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
    currency: &str,
    billed_delta: i64,
    recognised_delta: i64,
) -> AppResult<Shift> {
    let (billed, recognised) = position(connection, contract_id).await?;
    add_to_positions(
        connection,
        &[(
            contract_id,
            currency.to_string(),
            billed_delta,
            recognised_delta,
        )],
    )
    .await?;
    Ok(shift_of(billed, recognised, billed_delta, recognised_delta))
}

/// Adds to many contracts' positions in a few statements (the recognition run's path).
pub async fn add_to_positions<C: ConnectionTrait>(
    connection: &C,
    deltas: &[(i64, String, i64, i64)],
) -> AppResult<()> {
    for chunk in deltas.chunks(500) {
        let rows: Vec<revenue_position::ActiveModel> = chunk
            .iter()
            .map(
                |(contract_id, currency, billed, recognised)| revenue_position::ActiveModel {
                    contract_id: Set(*contract_id),
                    currency: Set(currency.clone()),
                    billed_minor: Set(*billed),
                    recognised_minor: Set(*recognised),
                },
            )
            .collect();
        revenue_position::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(revenue_position::Column::ContractId)
                    .value(
                        revenue_position::Column::BilledMinor,
                        Expr::cust("revenue_positions.billed_minor + excluded.billed_minor"),
                    )
                    .value(
                        revenue_position::Column::RecognisedMinor,
                        Expr::cust(
                            "revenue_positions.recognised_minor + excluded.recognised_minor",
                        ),
                    )
                    .to_owned(),
            )
            .exec_without_returning(connection)
            .await?;
    }
    Ok(())
}

/// Nets per contract line summed per contract (with its currency), in contract order.
pub(super) async fn nets_by_contract<C: ConnectionTrait>(
    connection: &C,
    line_nets: &[(i64, i64)],
) -> AppResult<BTreeMap<i64, (String, i64)>> {
    let contracts = line_contracts(connection, line_nets.iter().map(|(line, _)| *line)).await?;
    group_by_contract(&contracts, line_nets)
}

/// The contract and currency of each contract line.
async fn line_contracts<C: ConnectionTrait>(
    connection: &C,
    line_ids: impl Iterator<Item = i64>,
) -> AppResult<HashMap<i64, (i64, String)>> {
    Ok(crate::lookup::find_in(
        connection,
        contract_line::Entity::find(),
        contract_line::Column::Id,
        line_ids,
    )
    .await?
    .into_iter()
    .map(|line| (line.id, (line.contract_id, line.currency)))
    .collect())
}

fn group_by_contract(
    contracts: &HashMap<i64, (i64, String)>,
    line_nets: &[(i64, i64)],
) -> AppResult<BTreeMap<i64, (String, i64)>> {
    let mut by_contract: BTreeMap<i64, (String, i64)> = BTreeMap::new();
    for (line, net) in line_nets {
        let (contract_id, currency) = contracts
            .get(line)
            .ok_or_else(|| AppError::internal(format!("contract line {line} vanished")))?;
        by_contract
            .entry(*contract_id)
            .or_insert_with(|| (currency.clone(), 0))
            .1 += net;
    }
    Ok(by_contract)
}

/// Positions (billed, recognised) of many contracts; a contract with none is (0, 0).
async fn positions_of<C: ConnectionTrait>(
    connection: &C,
    contract_ids: &[i64],
) -> AppResult<HashMap<i64, (i64, i64)>> {
    Ok(crate::lookup::find_in(
        connection,
        revenue_position::Entity::find(),
        revenue_position::Column::ContractId,
        contract_ids.iter().copied(),
    )
    .await?
    .into_iter()
    .map(|row| (row.contract_id, (row.billed_minor, row.recognised_minor)))
    .collect())
}

/// An invoice (positive nets) or its void (negative) moves billed on each contract it bills.
/// Returns the credit to deferred revenue and the credit to unbilled AR (negative = debit);
/// together they equal the net billed.
pub async fn on_billed<C: ConnectionTrait>(
    connection: &C,
    line_nets: &[(i64, i64)],
) -> AppResult<(i64, i64)> {
    let by_contract = nets_by_contract(connection, line_nets).await?;
    let (mut deferred, mut unbilled) = (0, 0);
    for (contract_id, (currency, net)) in by_contract {
        let moved = shift(connection, contract_id, &currency, net, 0).await?;
        deferred += moved.deferred;
        unbilled -= moved.unbilled;
    }
    Ok((deferred, unbilled))
}

/// `on_billed` for many invoices at once (the bill run's chunks), each given by its line nets:
/// one read of the lines and positions, one write of the summed deltas. Each invoice's result
/// sees the invoices before it on the same contract, exactly as calls one by one would.
pub async fn on_billed_many<C: ConnectionTrait>(
    connection: &C,
    invoices: &[Vec<(i64, i64)>],
) -> AppResult<Vec<(i64, i64)>> {
    let contracts =
        line_contracts(connection, invoices.iter().flatten().map(|(line, _)| *line)).await?;
    let mut contract_ids: Vec<i64> = contracts.values().map(|(id, _)| *id).collect();
    contract_ids.sort_unstable();
    contract_ids.dedup();
    let mut positions = positions_of(connection, &contract_ids).await?;
    let mut deltas: BTreeMap<i64, (String, i64)> = BTreeMap::new();
    let mut results = Vec::with_capacity(invoices.len());
    for line_nets in invoices {
        let (mut deferred, mut unbilled) = (0, 0);
        for (contract_id, (currency, net)) in group_by_contract(&contracts, line_nets)? {
            let (billed, recognised) = positions.entry(contract_id).or_insert((0, 0));
            let moved = shift_of(*billed, *recognised, net, 0);
            *billed += net;
            deferred += moved.deferred;
            unbilled -= moved.unbilled;
            deltas.entry(contract_id).or_insert((currency, 0)).1 += net;
        }
        results.push((deferred, unbilled));
    }
    let deltas: Vec<(i64, String, i64, i64)> = deltas
        .into_iter()
        .map(|(contract_id, (currency, billed))| (contract_id, currency, billed, 0))
        .collect();
    add_to_positions(connection, &deltas).await?;
    Ok(results)
}
