//! Milestone and licence lines marked delivered, and a milestone's acceptance by the customer;
//! a licence delivered in parts goes to `deliveries`.

use super::*;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::values::require_text;
use revops_terms::kinds::ContractLineKind;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, QueryFilter, TransactionTrait};

impl BillingService {
    /// Marks a milestone or licence line delivered (the licence is billable from then on).
    /// Records a delivery that happened on `delivered_on` (today when not given).
    pub async fn deliver(
        &self,
        actor: &Actor,
        line_id: i64,
        delivered_on: Option<NaiveDate>,
        quantity: Option<&str>,
    ) -> AppResult<contract_line::Model> {
        actor.require(Permission::DeliveryRecord)?;
        // A licence delivered in parts keeps delivering in parts.
        if quantity.is_some()
            || !deliveries::deliveries_of(&self.db, line_id)
                .await?
                .is_empty()
        {
            return self
                .deliver_part(actor, line_id, quantity, delivered_on)
                .await;
        }
        self.record_delivery_act(actor, line_id, false, None, delivered_on)
            .await
    }

    /// Records the customer's acceptance of a delivered milestone (billable from then on).
    pub async fn accept(
        &self,
        actor: &Actor,
        line_id: i64,
        note: &str,
        accepted_on: Option<NaiveDate>,
    ) -> AppResult<contract_line::Model> {
        actor.require(Permission::DeliveryRecord)?;
        let note = require_text("note", note, 1000)?;
        self.record_delivery_act(actor, line_id, true, Some(note), accepted_on)
            .await
    }

    async fn record_delivery_act(
        &self,
        actor: &Actor,
        line_id: i64,
        acceptance: bool,
        note: Option<String>,
        event_on: Option<NaiveDate>,
    ) -> AppResult<contract_line::Model> {
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        // The business date of the event, entered by a person; the click time stays the record.
        let field = if acceptance {
            "acceptedOn"
        } else {
            "deliveredOn"
        };
        let event_on = crate::revenue::repo::event_date(
            &transaction,
            field,
            event_on.unwrap_or(now.date_naive()),
            self.clock.today(),
        )
        .await?;
        let line = find_line(&transaction, line_id).await?;
        let kind =
            ContractLineKind::parse(&line.kind).ok_or_else(|| AppError::internal("line kind"))?;
        let allowed = if acceptance {
            kind == ContractLineKind::Milestone
        } else {
            matches!(
                kind,
                ContractLineKind::Milestone | ContractLineKind::PerpetualLicense
            )
        };
        if !allowed {
            return Err(AppError::validation(
                "contractLineId",
                format!(
                    "A {} line cannot be {}.",
                    kind.as_str().replace('_', " "),
                    if acceptance { "accepted" } else { "delivered" }
                ),
            ));
        }
        let mut update =
            contract_line::Entity::update_many().filter(contract_line::Column::Id.eq(line_id));
        if acceptance {
            if line.delivered_at.is_none() {
                return Err(AppError::Conflict(
                    "The milestone must be marked delivered before the customer can accept it."
                        .into(),
                ));
            }
            update = update
                .col_expr(contract_line::Column::AcceptedAt, Expr::value(now))
                .col_expr(
                    contract_line::Column::AcceptedBy,
                    Expr::value(actor.user_id),
                )
                .col_expr(contract_line::Column::AcceptanceNote, Expr::value(note))
                .filter(contract_line::Column::AcceptedAt.is_null());
        } else {
            update = update
                .col_expr(contract_line::Column::DeliveredAt, Expr::value(now))
                .col_expr(
                    contract_line::Column::DeliveredBy,
                    Expr::value(actor.user_id),
                )
                .filter(contract_line::Column::DeliveredAt.is_null());
        }
        if update.exec(&transaction).await?.rows_affected != 1 {
            return Err(AppError::Conflict(format!(
                "Contract line {line_id} was already {}.",
                if acceptance { "accepted" } else { "delivered" }
            )));
        }
        // A licence is satisfied on delivery, a milestone on acceptance (ASC 606 point in time).
        if acceptance || kind == ContractLineKind::PerpetualLicense {
            crate::revenue::repo::on_satisfied(&transaction, line_id, event_on, now).await?;
        }
        let after = find_line(&transaction, line_id).await?;
        audit::record(&transaction, Some(actor), now, AuditRecord {
            action: if acceptance { "contract_line.accept" } else { "contract_line.deliver" },
            entity_type: "contract_line",
            entity_id: line_id.to_string(),
            before: Some(&serde_json::json!({"deliveredAt": line.delivered_at, "acceptedAt": line.accepted_at})),
            after: Some(&serde_json::json!({"deliveredAt": after.delivered_at, "acceptedAt": after.accepted_at, "by": actor.user_id})),
        })
        .await?;
        transaction.commit().await?;
        Ok(after)
    }
}
