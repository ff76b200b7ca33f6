//! Purchase orders brought in from outside a deal (an import at cut-over): each is the customer's
//! authority to invoice up to its amount between its dates, with what was already drawn on it
//! before revops. Invoicing draws on them as on a deal's PO.

use crate::access::{Actor, Permission};
use crate::audit;
use crate::entities::purchase_order;
use crate::error::AppResult;
use crate::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;

/// A validated purchase order (number unused for its customer, dates in order, drawn ≤ amount).
#[derive(Debug, Clone, Serialize)]
pub struct NewPurchaseOrder {
    pub customer_id: i64,
    pub number: String,
    pub amount: Money,
    /// Already invoiced against the PO before cut-over.
    pub consumed: Money,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

/// Writes the purchase orders in the caller's transaction, in batches, each with its audit row.
pub async fn insert_many<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    orders: &[NewPurchaseOrder],
    mut progress: impl FnMut(usize),
) -> AppResult<usize> {
    actor.require(Permission::CustomerWrite)?;
    let mut written = 0;
    for chunk in orders.chunks(500) {
        let rows: Vec<purchase_order::ActiveModel> = chunk
            .iter()
            .map(|order| purchase_order::ActiveModel {
                customer_id: Set(order.customer_id),
                contract_id: Set(None),
                number: Set(order.number.clone()),
                amount_minor: Set(order.amount.minor()),
                currency: Set(order.amount.currency().code().to_string()),
                valid_from: Set(order.valid_from),
                valid_to: Set(order.valid_to),
                consumed_minor: Set(order.consumed.minor()),
                ..Default::default()
            })
            .collect();
        purchase_order::Entity::insert_many(rows)
            .exec_without_returning(connection)
            .await?;
        let numbers: Vec<String> = chunk.iter().map(|order| order.number.clone()).collect();
        let customers: Vec<i64> = chunk.iter().map(|order| order.customer_id).collect();
        let created = purchase_order::Entity::find()
            .filter(purchase_order::Column::Number.is_in(numbers))
            .filter(purchase_order::Column::CustomerId.is_in(customers))
            .all(connection)
            .await?;
        let mut records = Vec::with_capacity(chunk.len());
        for order in chunk {
            if let Some(row) = created
                .iter()
                .find(|row| row.customer_id == order.customer_id && row.number == order.number)
            {
                records.push((row.id.to_string(), serde_json::to_string(order)?));
            }
        }
        written += chunk.len();
        audit::record_many(
            connection,
            Some(actor),
            now,
            "purchase_order.import",
            "purchase_order",
            records,
        )
        .await?;
        progress(written);
    }
    Ok(written)
}
