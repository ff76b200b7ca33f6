//! Deal splits: who is credited on a deal and with what share (the assigned AE holds 100 %
//! when a deal has none).

use super::CommissionService;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{deal, deal_split, user};
use crate::error::{AppError, AppResult};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use std::str::FromStr;

impl CommissionService {
    /// A deal's splits; without any, the assigned AE holds 100 %. Someone who does not see all
    /// commissions sees only splits they (or their team) are part of.
    pub async fn splits(&self, actor: &Actor, deal_id: i64) -> AppResult<Vec<(i64, String, i32)>> {
        actor.require(Permission::CommissionRead)?;
        let result = self.splits_unchecked(deal_id).await?;
        if !actor.can(Permission::CommissionReadAll) && !actor.can(Permission::DealSplitManage) {
            let mut visible = self.team_of(actor.user_id).await?;
            visible.push(actor.user_id);
            if !result
                .iter()
                .any(|(user_id, _, _)| visible.contains(user_id))
            {
                return Err(AppError::Forbidden(
                    "You can see the split only of deals you are credited on.".into(),
                ));
            }
        }
        Ok(result)
    }

    async fn splits_unchecked(&self, deal_id: i64) -> AppResult<Vec<(i64, String, i32)>> {
        let names = self.user_names().await?;
        let rows = deal_split::Entity::find()
            .filter(deal_split::Column::DealId.eq(deal_id))
            .order_by_asc(deal_split::Column::Id)
            .all(&self.db)
            .await?;
        if rows.is_empty() {
            let deal = deal::Entity::find_by_id(deal_id)
                .one(&self.db)
                .await?
                .ok_or_else(|| AppError::not_found("deal"))?;
            return Ok(deal
                .assigned_ae_id
                .map(|ae| {
                    vec![(
                        ae,
                        names
                            .get(&ae)
                            .map(|row| row.name.clone())
                            .unwrap_or_default(),
                        10_000,
                    )]
                })
                .unwrap_or_default());
        }
        Ok(rows
            .into_iter()
            .map(|row| {
                (
                    row.user_id,
                    names
                        .get(&row.user_id)
                        .map(|user| user.name.clone())
                        .unwrap_or_default(),
                    row.share_bp,
                )
            })
            .collect())
    }

    /// Replaces a deal's split; the percentages must sum to exactly 100.
    pub async fn set_splits(
        &self,
        actor: &Actor,
        deal_id: i64,
        splits: &[(i64, String)],
    ) -> AppResult<Vec<(i64, String, i32)>> {
        actor.require(Permission::DealSplitManage)?;
        if splits.is_empty() || splits.len() > 10 {
            return Err(AppError::validation(
                "splits",
                "Give 1 to 10 reps and their percentages.",
            ));
        }
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        if deal::Entity::find_by_id(deal_id)
            .one(&transaction)
            .await?
            .is_none()
        {
            return Err(AppError::not_found("deal"));
        }
        let mut total = 0;
        let mut parsed = Vec::new();
        for (index, (user_id, percent)) in splits.iter().enumerate() {
            if user::Entity::find_by_id(*user_id)
                .one(&transaction)
                .await?
                .is_none()
            {
                return Err(AppError::validation(
                    format!("splits.{index}.userId"),
                    "No such user.",
                ));
            }
            if parsed.iter().any(|(other, _)| other == user_id) {
                return Err(AppError::validation(
                    format!("splits.{index}.userId"),
                    "This rep is listed twice.",
                ));
            }
            let bp = parse_percent_bp(&format!("splits.{index}.percent"), percent)?;
            total += bp;
            parsed.push((*user_id, bp));
        }
        if total != 10_000 {
            return Err(AppError::validation(
                "splits",
                format!(
                    "The split adds up to {}%; it must be exactly 100%.",
                    (Decimal::from(total) / Decimal::ONE_HUNDRED).normalize()
                ),
            ));
        }
        let before: Vec<(i64, i32)> = deal_split::Entity::find()
            .filter(deal_split::Column::DealId.eq(deal_id))
            .all(&transaction)
            .await?
            .into_iter()
            .map(|row| (row.user_id, row.share_bp))
            .collect();
        deal_split::Entity::delete_many()
            .filter(deal_split::Column::DealId.eq(deal_id))
            .exec(&transaction)
            .await?;
        for (user_id, bp) in &parsed {
            deal_split::ActiveModel {
                deal_id: Set(deal_id),
                user_id: Set(*user_id),
                share_bp: Set(*bp),
                created_by: Set(Some(actor.user_id)),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&transaction)
            .await?;
        }
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "deal.split_set",
                entity_type: "deal",
                entity_id: deal_id.to_string(),
                before: Some(&before),
                after: Some(&parsed),
            },
        )
        .await?;
        transaction.commit().await?;
        self.splits_unchecked(deal_id).await
    }
}

fn parse_percent_bp(field: &str, text: &str) -> AppResult<i32> {
    let value = Decimal::from_str(text.trim()).map_err(|_| {
        AppError::validation(
            field,
            format!("{text:?} is not a percentage; write e.g. 60 or 33.33."),
        )
    })?;
    if value <= Decimal::ZERO || value > Decimal::ONE_HUNDRED || value.scale() > 2 {
        return Err(AppError::validation(
            field,
            format!("{text} must be above 0 and at most 100, with at most two decimals."),
        ));
    }
    use rust_decimal::prelude::ToPrimitive;
    (value * Decimal::ONE_HUNDRED)
        .to_i32()
        .ok_or_else(|| AppError::validation(field, "The percentage is out of range."))
}
