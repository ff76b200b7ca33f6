//! Period close: the months shown with their status, the close check, closing a period (with
//! the `period.closed` webhook event) and reopening the latest closed one with a reason.

use super::*;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{ledger_period, user};
use crate::error::{AppError, AppResult};
use crate::values::require_text;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

impl RevenueService {
    /// Months that were ever closed, and the last 12 months up to today.
    pub async fn periods(&self, actor: &Actor) -> AppResult<Vec<LedgerPeriod>> {
        actor.require(Permission::RevenueTotalsRead)?;
        let stored = ledger_period::Entity::find().all(&self.db).await?;
        let mut keys: Vec<String> = stored.iter().map(|row| row.period.clone()).collect();
        let mut month = crate::ledger::period_of(self.clock.today());
        for _ in 0..12 {
            keys.push(month.clone());
            let (first, _) = crate::calendar::parse_period("period", &month)?;
            month = crate::ledger::period_of(first.pred_opt().unwrap_or(first));
        }
        keys.sort();
        keys.dedup();
        keys.reverse();
        let mut result = Vec::new();
        for key in keys {
            let row = stored.iter().find(|row| row.period == key);
            result.push(self.period_view(&key, row).await?);
        }
        Ok(result)
    }

    async fn period_view(
        &self,
        key: &str,
        row: Option<&ledger_period::Model>,
    ) -> AppResult<LedgerPeriod> {
        let closed_by_name = match row.and_then(|row| row.closed_by) {
            Some(id) => user::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .map(|user| user.name),
            None => None,
        };
        Ok(LedgerPeriod {
            period: key.to_string(),
            status: if row.is_some_and(|row| row.status == "closed") {
                PeriodStatus::Closed
            } else {
                PeriodStatus::Open
            },
            closed_at: row.and_then(|row| row.closed_at),
            closed_by_name,
            reopened_at: row.and_then(|row| row.reopened_at),
            reopen_reason: row.and_then(|row| row.reopen_reason.clone()),
        })
    }

    /// What stands between a period and its close: the trial balance must be zero, nothing may
    /// be left to recognise in it, earlier periods with postings must be closed, and it must be over.
    pub async fn close_check(&self, actor: &Actor, period: &str) -> AppResult<CloseCheck> {
        actor.require(Permission::RevenueTotalsRead)?;
        report::close_check(&self.db, period, self.clock.today()).await
    }

    pub async fn close(&self, actor: &Actor, period: &str) -> AppResult<LedgerPeriod> {
        actor.require(Permission::PeriodClose)?;
        let check = report::close_check(&self.db, period, self.clock.today()).await?;
        if !check.can_close() {
            return Err(AppError::Conflict(format!(
                "{period} cannot be closed: {}",
                check.problems.join(" ")
            )));
        }
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let existing = ledger_period::Entity::find_by_id(period.to_string())
            .one(&transaction)
            .await?;
        if existing.as_ref().is_some_and(|row| row.status == "closed") {
            return Err(AppError::Conflict(format!("{period} is already closed.")));
        }
        let row = ledger_period::ActiveModel {
            period: Set(period.to_string()),
            status: Set("closed".into()),
            closed_by: Set(Some(actor.user_id)),
            closed_at: Set(Some(now)),
            reopened_by: Set(existing.as_ref().and_then(|row| row.reopened_by)),
            reopened_at: Set(existing.as_ref().and_then(|row| row.reopened_at)),
            reopen_reason: Set(existing.as_ref().and_then(|row| row.reopen_reason.clone())),
        };
        if existing.is_some() {
            row.update(&transaction).await?;
        } else {
            row.insert(&transaction).await?;
        }
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "period.close",
                entity_type: "ledger_period",
                entity_id: period.to_string(),
                before: None,
                after: Some(&check),
            },
        )
        .await?;
        crate::webhooks::emit(
            &transaction,
            now,
            crate::webhooks::EventType::PeriodClosed,
            serde_json::json!({ "period": period, "closedBy": actor.user_id, "closedAt": now }),
        )
        .await?;
        transaction.commit().await?;
        let row = ledger_period::Entity::find_by_id(period.to_string())
            .one(&self.db)
            .await?;
        self.period_view(period, row.as_ref()).await
    }

    /// Reopens a closed period; only the CFO, with a reason, and only the latest closed one.
    pub async fn reopen(
        &self,
        actor: &Actor,
        period: &str,
        reason: &str,
    ) -> AppResult<LedgerPeriod> {
        actor.require(Permission::PeriodClose)?;
        crate::calendar::parse_period("period", period)?;
        let reason = require_text("reason", reason, 1000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let Some(existing) = ledger_period::Entity::find_by_id(period.to_string())
            .one(&transaction)
            .await?
            .filter(|row| row.status == "closed")
        else {
            return Err(AppError::Conflict(format!("{period} is not closed.")));
        };
        let later = ledger_period::Entity::find()
            .filter(ledger_period::Column::Period.gt(period))
            .filter(ledger_period::Column::Status.eq("closed"))
            .one(&transaction)
            .await?;
        if let Some(later) = later {
            return Err(AppError::Conflict(format!(
                "{} is closed after it; reopen that first.",
                later.period
            )));
        }
        let mut row: ledger_period::ActiveModel = existing.clone().into();
        row.status = Set("open".into());
        row.reopened_by = Set(Some(actor.user_id));
        row.reopened_at = Set(Some(now));
        row.reopen_reason = Set(Some(reason.clone()));
        row.update(&transaction).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "period.reopen",
                entity_type: "ledger_period",
                entity_id: period.to_string(),
                before: Some(
                    &serde_json::json!({"status": "closed", "closedAt": existing.closed_at}),
                ),
                after: Some(&serde_json::json!({"status": "open", "reason": reason})),
            },
        )
        .await?;
        transaction.commit().await?;
        let row = ledger_period::Entity::find_by_id(period.to_string())
            .one(&self.db)
            .await?;
        self.period_view(period, row.as_ref()).await
    }
}
