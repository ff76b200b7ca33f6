//! Usage as people handle it: readings uploaded as CSV (each recorded as in `usage`), and the
//! usage per meter and month of a contract's lines, priced as the bill run would.

use super::*;
use crate::access::{Actor, Permission};
use crate::entities::{billing_charge, usage_record};
use revops_terms::kinds::ContractLineKind;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter};

#[derive(Debug, Clone, Serialize)]
pub struct UsageMonth {
    pub contract_line_id: i64,
    pub meter: String,
    pub month: String,
    pub records: i32,
    pub used: String,
    pub billable: String,
    pub amount: Money,
    pub billed: bool,
}

impl BillingService {
    /// CSV with a header `contract_line_id,meter,quantity,occurred_at,client_id`.
    pub async fn upload_usage_csv(&self, actor: &Actor, csv: &str) -> AppResult<UsageImportResult> {
        actor.require(Permission::UsageWrite)?;
        let mut rows = csv.lines().filter(|line| !line.trim().is_empty());
        let header: Vec<String> = rows
            .next()
            .unwrap_or_default()
            .split(',')
            .map(|cell| cell.trim().to_ascii_lowercase())
            .collect();
        let expected = [
            "contract_line_id",
            "meter",
            "quantity",
            "occurred_at",
            "client_id",
        ];
        if header != expected {
            return Err(AppError::validation(
                "csv",
                format!("The first line must be the header {}.", expected.join(",")),
            ));
        }
        let mut inputs = Vec::new();
        let mut bad = Vec::new();
        for (index, line) in rows.enumerate() {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            let row = i32::try_from(index + 1).unwrap_or(i32::MAX);
            if cells.len() != 5 {
                bad.push(UsageRejection {
                    row,
                    field: "csv".into(),
                    message: format!("Expected 5 columns, found {}.", cells.len()),
                });
                continue;
            }
            let Ok(occurred_at) = DateTime::parse_from_rfc3339(cells[3]) else {
                bad.push(UsageRejection {
                    row,
                    field: "occurredAt".into(),
                    message: format!(
                        "{:?} is not a timestamp such as 2026-03-04T10:00:00Z.",
                        cells[3]
                    ),
                });
                continue;
            };
            inputs.push((
                row,
                UsageInput {
                    contract_line_id: cells[0].into(),
                    meter: cells[1].into(),
                    quantity: cells[2].into(),
                    occurred_at: occurred_at.with_timezone(&Utc),
                    client_id: cells[4].into(),
                },
            ));
        }
        let rows_of: Vec<i32> = inputs.iter().map(|(row, _)| *row).collect();
        let mut result = self
            .record_usage(actor, inputs.into_iter().map(|(_, input)| input).collect())
            .await?;
        // Report CSV rows, not positions among the parsed records.
        for rejection in &mut result.rejected {
            let position = usize::try_from(rejection.row - 1).unwrap_or(0);
            rejection.row = rows_of.get(position).copied().unwrap_or(rejection.row);
        }
        result.rejected.extend(bad);
        result.rejected.sort_by_key(|rejection| rejection.row);
        Ok(result)
    }

    /// Usage per meter and month for the lines of a contract, priced as the bill run would.
    pub async fn usage(&self, actor: &Actor, contract_id: i64) -> AppResult<Vec<UsageMonth>> {
        actor.require(Permission::BillingRead)?;
        let lines = repo::billable_lines(&self.db, Some(&[contract_id])).await?;
        let mut months = Vec::new();
        for line in lines
            .iter()
            .filter(|line| line.terms.kind == ContractLineKind::Usage)
        {
            let Some(pricing) = &line.pricing else {
                continue;
            };
            let records = usage_record::Entity::find()
                .filter(usage_record::Column::ContractLineId.eq(line.line_id))
                .all(&self.db)
                .await?;
            let billed: Vec<String> = billing_charge::Entity::find()
                .filter(billing_charge::Column::ContractLineId.eq(line.line_id))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|charge| charge.charge_key)
                .collect();
            let mut by_month: std::collections::BTreeMap<String, Vec<Decimal>> = Default::default();
            for record in &records {
                by_month
                    .entry(record.usage_month.clone())
                    .or_default()
                    .push(repo::decimal("quantity", &record.quantity)?);
            }
            for (month, quantities) in by_month {
                let used = pricing::aggregate(&quantities, pricing.aggregation);
                let priced = pricing::price(pricing, used, line.terms.unit_price.currency())?;
                months.push(UsageMonth {
                    contract_line_id: line.line_id,
                    meter: pricing.meter.clone(),
                    billed: billed.contains(&format!("usage:{month}")),
                    month,
                    records: i32::try_from(quantities.len()).unwrap_or(i32::MAX),
                    used: used.normalize().to_string(),
                    billable: priced.billable.normalize().to_string(),
                    amount: priced.amount,
                });
            }
        }
        Ok(months)
    }
}
