//! A perpetual licence delivered in parts: each part is a `line_deliveries` row with its
//! quantity and the business date it was delivered on. Billing charges each part on its date
//! (`delivery:<id>`), and revenue recognises the part's share of what is still to be satisfied
//! on that date (ASC 606-10-25-30: control of those units passed then). The last part delivers
//! the line. A line delivered whole in one go keeps the single charge it always had.

use super::pricing::parse_quantity;
use super::{find_line, repo, BillingService};
use crate::access::Actor;
use crate::audit::{self, AuditRecord};
use crate::entities::{contract_line, line_delivery};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use revops_terms::kinds::ContractLineKind;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

/// The parts of a licence delivered so far, oldest first.
pub async fn deliveries_of<C: ConnectionTrait>(
    connection: &C,
    line_id: i64,
) -> AppResult<Vec<line_delivery::Model>> {
    Ok(line_delivery::Entity::find()
        .filter(line_delivery::Column::ContractLineId.eq(line_id))
        .order_by_asc(line_delivery::Column::Id)
        .all(connection)
        .await?)
}

/// The quantity the parts add up to.
pub fn delivered_quantity(parts: &[line_delivery::Model]) -> AppResult<Decimal> {
    parts.iter().try_fold(Decimal::ZERO, |sum, part| {
        Ok(sum + repo::decimal("delivered quantity", &part.quantity)?)
    })
}

impl BillingService {
    /// Records `quantity` of a perpetual licence (the rest when not given) as delivered on
    /// `delivered_on`; the last part marks the line delivered.
    pub(super) async fn deliver_part(
        &self,
        actor: &Actor,
        line_id: i64,
        quantity: Option<&str>,
        delivered_on: Option<NaiveDate>,
    ) -> AppResult<contract_line::Model> {
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let on = crate::revenue::repo::event_date(
            &transaction,
            "deliveredOn",
            delivered_on.unwrap_or(now.date_naive()),
            self.clock.today(),
        )
        .await?;
        let line = find_line(&transaction, line_id).await?;
        if line.kind != ContractLineKind::PerpetualLicense.as_str() {
            return Err(AppError::validation(
                "quantity",
                "Only a perpetual licence is delivered in parts; other lines are delivered whole.",
            ));
        }
        if line.delivered_at.is_some() {
            return Err(AppError::Conflict(format!(
                "Contract line {line_id} was already delivered."
            )));
        }
        let parts = deliveries_of(&transaction, line_id).await?;
        let Portion {
            total,
            so_far,
            left,
            quantity,
        } = portion(&line, &parts, quantity)?;
        let part = line_delivery::ActiveModel {
            contract_line_id: Set(line_id),
            quantity: Set(quantity.normalize().to_string()),
            delivered_on: Set(on),
            recorded_by: Set(actor.user_id),
            recorded_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let last = quantity == left;
        if last {
            contract_line::Entity::update_many()
                .col_expr(contract_line::Column::DeliveredAt, Expr::value(now))
                .col_expr(
                    contract_line::Column::DeliveredBy,
                    Expr::value(actor.user_id),
                )
                .filter(contract_line::Column::Id.eq(line_id))
                .filter(contract_line::Column::DeliveredAt.is_null())
                .exec(&transaction)
                .await?;
        }
        crate::revenue::repo::on_delivered_part(
            &transaction,
            line_id,
            part.id,
            quantity,
            left,
            on,
            now,
        )
        .await?;
        let after = find_line(&transaction, line_id).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "contract_line.deliver",
                entity_type: "contract_line",
                entity_id: line_id.to_string(),
                before: None,
                after: Some(&serde_json::json!({
                    "deliveryId": part.id, "quantity": part.quantity, "deliveredOn": on,
                    "deliveredSoFar": (so_far + quantity).normalize().to_string(),
                    "ofQuantity": total.normalize().to_string(), "lineDelivered": last,
                })),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }
}

/// The part being delivered against the line: its whole quantity, what is delivered so far,
/// what is left, and this part's quantity (the rest when not given).
struct Portion {
    total: Decimal,
    so_far: Decimal,
    left: Decimal,
    quantity: Decimal,
}

/// Reads the part's quantity against what the line has left: more than zero and at most that.
fn portion(
    line: &contract_line::Model,
    parts: &[line_delivery::Model],
    quantity: Option<&str>,
) -> AppResult<Portion> {
    let total = repo::decimal("quantity", &line.quantity)?;
    let so_far = delivered_quantity(parts)?;
    let left = total - so_far;
    let quantity = match quantity {
        Some(text) => {
            parse_quantity(text).map_err(|message| AppError::validation("quantity", message))?
        }
        None => left,
    };
    if quantity.is_zero() || quantity > left {
        return Err(AppError::validation(
            "quantity",
            format!(
                "Deliver more than 0 and at most the {} of {} not yet delivered.",
                left.normalize(),
                total.normalize()
            ),
        ));
    }
    Ok(Portion {
        total,
        so_far,
        left,
        quantity,
    })
}
