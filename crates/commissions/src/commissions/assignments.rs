//! Assigning a plan to a rep with an optional quota, for a date range: from the form and from the
//! cut-over import, inside the caller's transaction, so both follow one set of rules (an open-ended
//! earlier assignment is ended the day before; any other overlap is refused).

use super::{AssignInput, Assignment, CommissionService};
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{commission_assignment, commission_plan, user};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::HashMap;

/// Assigns `input.plan_code` to the rep in the caller's transaction; the caller commits.
pub async fn assign_in<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    input: AssignInput,
) -> AppResult<Assignment> {
    actor.require(Permission::CommissionPlanManage)?;
    let Some(rep) = user::Entity::find_by_id(input.user_id)
        .one(connection)
        .await?
    else {
        return Err(AppError::validation("userId", "No such user."));
    };
    let plan = commission_plan::Entity::find()
        .filter(commission_plan::Column::Code.eq(input.plan_code.trim()))
        .order_by_desc(commission_plan::Column::Version)
        .one(connection)
        .await?
        .ok_or_else(|| {
            AppError::validation(
                "planCode",
                format!("No plan {} has been imported.", input.plan_code.trim()),
            )
        })?;
    if let Some(to) = input.effective_to {
        if to < input.effective_from {
            return Err(AppError::validation(
                "effectiveTo",
                "The assignment ends before it starts.",
            ));
        }
    }
    let currency = Currency::parse(&plan.currency)?;
    let quota = match input
        .quota
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
    {
        Some(text) => {
            let quota = Money::parse(text, currency)
                .map_err(|error| AppError::validation("quota", error.to_string()))?;
            if quota.minor() <= 0 {
                return Err(AppError::validation(
                    "quota",
                    "A quota must be more than zero.",
                ));
            }
            Some(quota.minor())
        }
        None => None,
    };
    for existing in commission_assignment::Entity::find()
        .filter(commission_assignment::Column::UserId.eq(input.user_id))
        .all(connection)
        .await?
    {
        let ends = existing.effective_to;
        let overlaps = existing.effective_from <= input.effective_to.unwrap_or(NaiveDate::MAX)
            && ends.is_none_or(|to| to >= input.effective_from);
        if !overlaps {
            continue;
        }
        if ends.is_none() && existing.effective_from < input.effective_from {
            let mut row: commission_assignment::ActiveModel = existing.into();
            row.effective_to = Set(input.effective_from.pred_opt());
            row.update(connection).await?;
            continue;
        }
        return Err(AppError::validation(
            "effectiveFrom",
            format!(
                "{} already has {} from {}{}; end that assignment first.",
                rep.name,
                existing.plan_code,
                existing.effective_from,
                ends.map(|to| format!(" to {to}")).unwrap_or_default()
            ),
        ));
    }
    let model = commission_assignment::ActiveModel {
        user_id: Set(input.user_id),
        plan_code: Set(plan.code.clone()),
        effective_from: Set(input.effective_from),
        effective_to: Set(input.effective_to),
        quota_minor: Set(quota),
        assigned_by: Set(Some(actor.user_id)),
        assigned_at: Set(now),
        acknowledged_at: Set(None),
        acknowledged_version: Set(None),
        ..Default::default()
    }
    .insert(connection)
    .await?;
    let names: HashMap<i64, user::Model> = [(rep.id, rep)].into_iter().collect();
    let assignment = CommissionService::assignment_of(model, &names, Some(currency));
    audit::record(
        connection,
        Some(actor),
        now,
        AuditRecord {
            action: "commission.assign",
            entity_type: "commission_assignment",
            entity_id: assignment.id.to_string(),
            before: None::<&()>,
            after: Some(&assignment),
        },
    )
    .await?;
    Ok(assignment)
}
