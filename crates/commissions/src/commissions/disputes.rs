//! Disputes: a payee questions a line of their statement; a reviewer accepts with an adjustment
//! line (accrued at once) or rejects.

use super::{
    calc, line_of, repo, CommissionService, Dispute, DisputeStatus, Resolution,
    DISPUTE_ANSWER_HOURS,
};
use crate::access::{Actor, Permission};
use crate::approvals::decision;
use crate::audit::{self, AuditRecord};
use crate::entities::{commission_dispute, commission_line, user};
use crate::error::{AppError, AppResult};
use crate::ledger::{self, EntryHeader};
use crate::money::{Currency, Money};
use crate::values::require_text;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use std::collections::HashMap;

impl CommissionService {
    async fn dispute_of(
        &self,
        model: commission_dispute::Model,
        names: &HashMap<i64, user::Model>,
    ) -> AppResult<Dispute> {
        let line = commission_line::Entity::find_by_id(model.line_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::internal("dispute without its line"))?;
        let adjustment = match model.adjustment_line_id {
            Some(id) => commission_line::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .map(|row| line_of(&row, None))
                .transpose()?,
            None => None,
        };
        let status = DisputeStatus::parse(&model.status)?;
        Ok(Dispute {
            id: model.id,
            line: line_of(&line, (status == DisputeStatus::Open).then_some(model.id))?,
            raised_by: model.raised_by,
            raised_by_name: names
                .get(&model.raised_by)
                .map(|row| row.name.clone())
                .unwrap_or_default(),
            reason: model.reason,
            status,
            raised_at: model.raised_at,
            answer_due_at: model.answer_due_at,
            resolved_by_name: model
                .resolved_by
                .and_then(|id| names.get(&id).map(|row| row.name.clone())),
            resolved_at: model.resolved_at,
            comment: model.comment,
            adjustment,
        })
    }

    /// Disputes the actor may see: their own, their team's, or all for reviewers and the roles that see all.
    pub async fn disputes(
        &self,
        actor: &Actor,
        status: Option<DisputeStatus>,
    ) -> AppResult<Vec<Dispute>> {
        actor.require(Permission::CommissionRead)?;
        let mut query = commission_dispute::Entity::find();
        if let Some(status) = status {
            query = query.filter(commission_dispute::Column::Status.eq(status.as_str()));
        }
        let models = query
            .order_by_desc(commission_dispute::Column::Id)
            .all(&self.db)
            .await?;
        let sees_all = actor.can(Permission::CommissionReadAll)
            || actor.can(Permission::CommissionDisputeResolve);
        let team = if sees_all {
            Vec::new()
        } else {
            self.team_of(actor.user_id).await?
        };
        let names = self.user_names().await?;
        let mut result = Vec::new();
        for model in models.into_iter().take(500) {
            if !sees_all && model.raised_by != actor.user_id && !team.contains(&model.raised_by) {
                continue;
            }
            result.push(self.dispute_of(model, &names).await?);
        }
        Ok(result)
    }

    /// A payee questions one of their own lines; a reviewer answers within 48 business hours.
    pub async fn raise_dispute(
        &self,
        actor: &Actor,
        line_id: i64,
        reason: &str,
    ) -> AppResult<Dispute> {
        actor.require(Permission::CommissionDisputeRaise)?;
        let reason = require_text("reason", reason, 2000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let Some(line) = commission_line::Entity::find_by_id(line_id)
            .one(&transaction)
            .await?
        else {
            return Err(AppError::not_found("commission line"));
        };
        if line.user_id != actor.user_id {
            return Err(AppError::Forbidden(
                "You can dispute only lines of your own statement.".into(),
            ));
        }
        if line.status == repo::RETIRED {
            return Err(AppError::validation(
                "lineId",
                "This line is no longer on your statement.",
            ));
        }
        if commission_dispute::Entity::find()
            .filter(commission_dispute::Column::LineId.eq(line_id))
            .filter(commission_dispute::Column::Status.eq(DisputeStatus::Open.as_str()))
            .one(&transaction)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(
                "This line already has an open dispute.".into(),
            ));
        }
        let calendar = crate::receivables::disputes::calendar(&transaction).await?;
        let model = commission_dispute::ActiveModel {
            line_id: Set(line_id),
            raised_by: Set(actor.user_id),
            reason: Set(reason),
            status: Set(DisputeStatus::Open.as_str().into()),
            raised_at: Set(now),
            answer_due_at: Set(calendar.add_business_hours(now, DISPUTE_ANSWER_HOURS)),
            resolved_by: Set(None),
            resolved_at: Set(None),
            comment: Set(None),
            adjustment_line_id: Set(None),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "commission.dispute_raise",
                entity_type: "commission_dispute",
                entity_id: model.id.to_string(),
                before: None::<&()>,
                after: Some(&model.reason),
            },
        )
        .await?;
        transaction.commit().await?;
        let names = self.user_names().await?;
        self.dispute_of(model, &names).await
    }

    /// A reviewer (never the payee) accepts with an adjustment line in the open period — accrued
    /// at once — or rejects, with a comment the rep sees.
    pub async fn resolve_dispute(
        &self,
        actor: &Actor,
        dispute_id: i64,
        resolution: Resolution,
        comment: &str,
    ) -> AppResult<Dispute> {
        actor.require(Permission::CommissionDisputeResolve)?;
        let comment = require_text("comment", comment, 2000)?;
        let now = self.clock.now();
        let today = self.clock.today();
        let transaction = self.db.begin().await?;
        let Some(dispute) = commission_dispute::Entity::find_by_id(dispute_id)
            .one(&transaction)
            .await?
        else {
            return Err(AppError::not_found("commission dispute"));
        };
        if dispute.status != DisputeStatus::Open.as_str() {
            return Err(AppError::Conflict(format!(
                "This dispute is already {}.",
                dispute.status
            )));
        }
        decision::refuse_own(
            dispute.raised_by,
            actor,
            "Nobody resolves their own dispute.",
        )?;
        let status = match resolution {
            Resolution::Reject => DisputeStatus::Rejected,
            Resolution::Accept { .. } => DisputeStatus::Accepted,
        };
        // Claimed before anything else is written, so of two reviewers deciding at once one
        // wins and the other's transaction (with any adjustment) rolls back.
        decision::claim(
            &transaction,
            commission_dispute::Entity::update_many()
                .col_expr(
                    commission_dispute::Column::Status,
                    Expr::value(status.as_str()),
                )
                .col_expr(
                    commission_dispute::Column::ResolvedBy,
                    Expr::value(actor.user_id),
                )
                .col_expr(commission_dispute::Column::ResolvedAt, Expr::value(now)),
            commission_dispute::Column::Id,
            dispute_id,
            commission_dispute::Column::Status,
            DisputeStatus::Open.as_str(),
            "This dispute has just been resolved by someone else.",
        )
        .await?;
        let line = commission_line::Entity::find_by_id(dispute.line_id)
            .one(&transaction)
            .await?
            .ok_or_else(|| AppError::internal("dispute without its line"))?;
        let adjustment_id = match resolution {
            Resolution::Reject => None,
            Resolution::Accept { adjustment } => Some(
                adjust(
                    &transaction,
                    actor,
                    &line,
                    dispute_id,
                    &adjustment,
                    &comment,
                    today,
                    now,
                )
                .await?,
            ),
        };
        let mut row: commission_dispute::ActiveModel = dispute.into();
        row.status = Set(status.as_str().into());
        row.resolved_by = Set(Some(actor.user_id));
        row.resolved_at = Set(Some(now));
        row.comment = Set(Some(comment));
        row.adjustment_line_id = Set(adjustment_id);
        let model = row.update(&transaction).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "commission.dispute_resolve",
                entity_type: "commission_dispute",
                entity_id: dispute_id.to_string(),
                before: None::<&()>,
                after: Some(&(status.as_str(), adjustment_id)),
            },
        )
        .await?;
        transaction.commit().await?;
        let names = self.user_names().await?;
        self.dispute_of(model, &names).await
    }
}

/// Writes an accepted dispute's adjustment line in the open period and accrues it at once;
/// returns the line's id.
#[allow(clippy::too_many_arguments)]
async fn adjust(
    transaction: &DatabaseTransaction,
    actor: &Actor,
    line: &commission_line::Model,
    dispute_id: i64,
    adjustment: &str,
    comment: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let currency = Currency::parse(&line.currency)?;
    let amount = Money::parse(adjustment.trim(), currency)
        .map_err(|error| AppError::validation("adjustment", error.to_string()))?;
    if amount.is_zero() {
        return Err(AppError::validation(
            "adjustment",
            "An accepted dispute adjusts by a non-zero amount (negative to reduce).",
        ));
    }
    let period = ledger::period_of(today);
    let adjustment = commission_line::ActiveModel {
        period: Set(period.clone()),
        user_id: Set(line.user_id),
        plan_code: Set(line.plan_code.clone()),
        plan_version: Set(line.plan_version),
        component: Set(line.component.clone()),
        kind: Set("adjustment".into()),
        source_key: Set(format!("dispute:{dispute_id}")),
        deal_id: Set(line.deal_id),
        contract_id: Set(line.contract_id),
        business: Set(line.business.clone()),
        metric: Set(line.metric.clone()),
        metric_minor: Set(0),
        split_bp: Set(line.split_bp),
        credited_minor: Set(0),
        tier: Set("Dispute adjustment".into()),
        rate: Set(String::new()),
        amount_minor: Set(amount.minor()),
        currency: Set(line.currency.clone()),
        explanation: Set(format!(
            "Dispute #{dispute_id} on line {} ({}) accepted: {comment}",
            line.id, line.period
        )),
        cause_type: Set(Some("dispute".into())),
        cause_id: Set(Some(dispute_id)),
        reverses_line_id: Set(Some(line.id)),
        capitalised: Set(false),
        amortise_from: Set(None),
        amortise_months: Set(0),
        accrued_minor: Set(0),
        amortised_minor: Set(0),
        status: Set(repo::CALCULATED.into()),
        payout_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(transaction)
    .await?;
    let movements = repo::accrual_movements(transaction, today, Some(&[adjustment.id])).await?;
    calc::post_movements(
        transaction,
        Some(actor),
        &movements,
        Some(&[adjustment.id]),
        EntryHeader {
            entry_date: today,
            memo: format!("Commission dispute #{dispute_id} adjustment"),
            source: format!("commission-dispute:{dispute_id}"),
            idempotency_key: None,
        },
        now,
    )
    .await?;
    Ok(adjustment.id)
}
