//! A contract's billing schedule: the charges written for its lines (invoiced, credited or
//! unbilled) and the periods still to come.

use super::*;
use crate::access::{Actor, Permission};
use crate::entities::{billing_charge, contract, invoice, invoice_line};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

impl BillingService {
    /// Past charges (invoiced or waiting) and the periods still to come, per line.
    pub async fn schedule(&self, actor: &Actor, contract_id: i64) -> AppResult<Vec<ScheduleRow>> {
        actor.require(Permission::BillingRead)?;
        let contract = contract::Entity::find_by_id(contract_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                AppError::not_found(format!("There is no contract with id {contract_id}."))
            })?;
        if actor.sees_only_own_deals() {
            let deal = crate::entities::deal::Entity::find_by_id(contract.deal_id)
                .one(&self.db)
                .await?;
            if deal.and_then(|deal| deal.assigned_ae_id) != Some(actor.user_id) {
                return Err(AppError::Forbidden(
                    "This contract belongs to another account executive.".into(),
                ));
            }
        }
        let lines = repo::billable_lines(&self.db, Some(&[contract_id])).await?;
        let (mut rows, keys) = self.charged_rows(&lines).await?;
        rows.extend(upcoming_rows(&lines, &keys)?);
        rows.sort_by_key(|row| (row.due_on, row.contract_line_id));
        Ok(rows)
    }

    /// The charges written for the lines, each invoiced, credited by a memo, or unbilled; and
    /// the charge keys written per line.
    async fn charged_rows(
        &self,
        lines: &[repo::BillableLine],
    ) -> AppResult<(Vec<ScheduleRow>, HashMap<i64, Vec<String>>)> {
        let line_ids: Vec<i64> = lines.iter().map(|line| line.line_id).collect();
        let charges = billing_charge::Entity::find()
            .filter(billing_charge::Column::ContractLineId.is_in(line_ids.clone()))
            .order_by_asc(billing_charge::Column::DueOn)
            .all(&self.db)
            .await?;
        let live_lines = invoice_line::Entity::find()
            .filter(invoice_line::Column::ContractLineId.is_in(line_ids))
            .filter(invoice_line::Column::ActiveChargeId.is_not_null())
            .all(&self.db)
            .await?;
        let invoice_ids: Vec<i64> = live_lines.iter().map(|line| line.invoice_id).collect();
        let numbers: HashMap<i64, Option<String>> = invoice::Entity::find()
            .filter(invoice::Column::Id.is_in(invoice_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|invoice| (invoice.id, invoice.number))
            .collect();
        let on_invoice: HashMap<i64, i64> = live_lines
            .iter()
            .map(|line| (line.charge_id, line.invoice_id))
            .collect();
        // Credits no invoice absorbed were issued as credit memos by the bill run.
        let on_memo: std::collections::HashSet<i64> = crate::entities::credit_memo::Entity::find()
            .filter(
                crate::entities::credit_memo::Column::BillingChargeId
                    .is_in(charges.iter().map(|charge| charge.id)),
            )
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|memo| memo.billing_charge_id)
            .collect();
        let mut rows = Vec::new();
        let mut keys: HashMap<i64, Vec<String>> = HashMap::new();
        for charge in charges {
            let currency = Currency::parse(&charge.currency)?;
            let invoice_id = on_invoice.get(&charge.id).copied();
            keys.entry(charge.contract_line_id)
                .or_default()
                .push(charge.charge_key.clone());
            rows.push(ScheduleRow {
                contract_line_id: charge.contract_line_id,
                description: charge.description,
                period_start: charge.period_start,
                period_end: charge.period_end.and_then(|end| end.pred_opt()),
                amount: Money::from_minor(charge.amount_minor, currency),
                note: charge.proration_note,
                due_on: charge.due_on,
                state: if invoice_id.is_some() {
                    "invoiced"
                } else if on_memo.contains(&charge.id) {
                    "credited"
                } else {
                    "unbilled"
                },
                invoice_number: invoice_id.and_then(|id| numbers.get(&id).cloned().flatten()),
                invoice_id,
            });
        }
        Ok((rows, keys))
    }
}

/// The periods still to come on each line (with their discount lines): those before the
/// service ends with no charge written yet.
fn upcoming_rows(
    lines: &[repo::BillableLine],
    keys: &HashMap<i64, Vec<String>>,
) -> AppResult<Vec<ScheduleRow>> {
    let mut rows = Vec::new();
    for line in lines {
        let written = keys.get(&line.line_id).cloned().unwrap_or_default();
        let stop = line.terms.service_end();
        for period in line
            .terms
            .periods()
            .iter()
            .filter(|period| period.start < stop)
        {
            for charge in line.terms.period_charges(period)? {
                if written.contains(&charge.key) {
                    continue;
                }
                rows.push(ScheduleRow {
                    contract_line_id: line.line_id,
                    description: charge.description,
                    period_start: Some(period.start),
                    period_end: Some(period.last_day()),
                    amount: charge.amount,
                    note: charge.note,
                    due_on: charge.due_on,
                    state: "upcoming",
                    invoice_id: None,
                    invoice_number: None,
                });
            }
        }
    }
    Ok(rows)
}
