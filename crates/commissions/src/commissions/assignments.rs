//! Assigning a plan to a rep with an optional quota, for a date range: from the form and from the
//! cut-over import, inside the caller's transaction, so both follow one set of rules (an open-ended
//! earlier assignment is ended the day before; any other overlap is refused).

use super::{plan_currency_in, repo, user_names_in, AssignInput, Assignment, CommissionService};
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{commission_assignment, commission_plan, user};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
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
    let quota = parse_quota(&input, currency)?;
    end_or_refuse_overlaps(connection, &rep, &input).await?;
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

/// The quota in the plan's currency, when one is given; it must be more than zero.
fn parse_quota(input: &AssignInput, currency: Currency) -> AppResult<Option<i64>> {
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
    Ok(quota)
}

/// Ends an open-ended earlier assignment the day before this one starts; refuses any other
/// assignment of the rep that overlaps it.
async fn end_or_refuse_overlaps<C: ConnectionTrait>(
    connection: &C,
    rep: &user::Model,
    input: &AssignInput,
) -> AppResult<()> {
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
    Ok(())
}

impl CommissionService {
    pub(crate) fn assignment_of(
        model: commission_assignment::Model,
        names: &HashMap<i64, user::Model>,
        currency: Option<Currency>,
    ) -> Assignment {
        Assignment {
            id: model.id,
            user_id: model.user_id,
            user_name: names
                .get(&model.user_id)
                .map(|row| row.name.clone())
                .unwrap_or_default(),
            plan_code: model.plan_code,
            effective_from: model.effective_from,
            effective_to: model.effective_to,
            quota: model
                .quota_minor
                .zip(currency)
                .map(|(minor, currency)| Money::from_minor(minor, currency)),
            assigned_at: model.assigned_at,
            acknowledged_at: model.acknowledged_at,
            acknowledged_version: model.acknowledged_version,
        }
    }

    async fn plan_currency(&self, code: &str) -> AppResult<Option<Currency>> {
        plan_currency_in(&self.db, code).await
    }

    /// Assignments visible to the actor (optionally one user's).
    pub async fn assignments(
        &self,
        actor: &Actor,
        user_id: Option<i64>,
    ) -> AppResult<Vec<Assignment>> {
        actor.require(Permission::CommissionRead)?;
        let mut query = commission_assignment::Entity::find();
        if let Some(user_id) = user_id {
            self.check_visible(actor, user_id).await?;
            query = query.filter(commission_assignment::Column::UserId.eq(user_id));
        } else if !actor.can(Permission::CommissionReadAll) {
            let mut visible = self.team_of(actor.user_id).await?;
            visible.push(actor.user_id);
            query = query.filter(commission_assignment::Column::UserId.is_in(visible));
        }
        let names = self.user_names().await?;
        let mut currencies: HashMap<String, Option<Currency>> = HashMap::new();
        let mut result = Vec::new();
        for model in query
            .order_by_asc(commission_assignment::Column::UserId)
            .order_by_desc(commission_assignment::Column::EffectiveFrom)
            .all(&self.db)
            .await?
        {
            if !currencies.contains_key(&model.plan_code) {
                let currency = self.plan_currency(&model.plan_code).await?;
                currencies.insert(model.plan_code.clone(), currency);
            }
            let currency = currencies.get(&model.plan_code).copied().flatten();
            result.push(Self::assignment_of(model, &names, currency));
        }
        Ok(result)
    }

    /// Gives a rep a plan from a date. An open-ended earlier assignment ends the day before; an
    /// overlap with a dated one is refused.
    pub async fn assign(&self, actor: &Actor, input: AssignInput) -> AppResult<Assignment> {
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let assignment = assign_in(&transaction, actor, now, input).await?;
        transaction.commit().await?;
        Ok(assignment)
    }

    /// The rep signs off the plan version in force today for their assignment.
    pub async fn acknowledge(&self, actor: &Actor, assignment_id: i64) -> AppResult<Assignment> {
        actor.require(Permission::CommissionRead)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let Some(model) = commission_assignment::Entity::find_by_id(assignment_id)
            .one(&transaction)
            .await?
        else {
            return Err(AppError::not_found("commission assignment"));
        };
        if model.user_id != actor.user_id {
            return Err(AppError::Forbidden(
                "Only the rep a plan is assigned to can acknowledge it.".into(),
            ));
        }
        let plans = repo::plan_versions(&transaction).await?;
        let today = self.clock.today();
        let version = repo::version_in_force(&plans, &model.plan_code, today, today)
            .or_else(|| plans.iter().find(|plan| plan.code == model.plan_code))
            .map(|plan| plan.version);
        let currency = plan_currency_in(&transaction, &model.plan_code).await?;
        let mut row: commission_assignment::ActiveModel = model.into();
        row.acknowledged_at = Set(Some(now));
        row.acknowledged_version = Set(version);
        let model = row.update(&transaction).await?;
        let names = user_names_in(&transaction).await?;
        let assignment = Self::assignment_of(model, &names, currency);
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "commission.acknowledge",
                entity_type: "commission_assignment",
                entity_id: assignment.id.to_string(),
                before: None::<&()>,
                after: Some(&assignment),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(assignment)
    }
}
