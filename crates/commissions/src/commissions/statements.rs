//! Statements: a rep's month with every line explained, attainment and forecast, and the
//! one-row-per-rep overview of a month.

use super::plan::Metric;
use super::repo::{self, PlanVersion};
use super::{
    line_of, open_disputes_in, payout_date_of, rules, totals_of, Attainment, CommissionService,
    Forecast, Statement, StatementSummary,
};
use crate::access::{Actor, Permission};
use crate::entities::{commission_line, deal};
use crate::error::{AppError, AppResult};
use crate::ledger;
use crate::money::{Currency, Money};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeMap, HashMap};

impl CommissionService {
    /// A rep's statement for a month: every line with its explanation, attainment against quota
    /// per component, and (for their own statement) a forecast from their open deals.
    pub async fn statement(
        &self,
        actor: &Actor,
        user_id: i64,
        period: &str,
    ) -> AppResult<Statement> {
        self.check_visible(actor, user_id).await?;
        let (month, next) = crate::calendar::parse_period("period", period)?;
        let month_end = next.pred_opt().unwrap_or(next);
        let names = self.user_names().await?;
        let Some(rep) = names.get(&user_id) else {
            return Err(AppError::not_found("user"));
        };
        let models = commission_line::Entity::find()
            .filter(commission_line::Column::UserId.eq(user_id))
            .filter(commission_line::Column::Period.eq(period))
            .filter(commission_line::Column::Status.ne(repo::RETIRED))
            .order_by_asc(commission_line::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = models.iter().map(|line| line.id).collect();
        let disputes = self.open_disputes_by_line(&ids).await?;
        let lines = models
            .iter()
            .map(|model| line_of(model, disputes.get(&model.id).copied()))
            .collect::<AppResult<Vec<_>>>()?;
        let plans = repo::plan_versions(&self.db).await?;
        let assignment = repo::assignments_for_month(&self.db, month, month_end)
            .await?
            .into_iter()
            .find(|row| row.user_id == user_id);
        let plan = assignment
            .as_ref()
            .and_then(|row| repo::version_in_force(&plans, &row.plan_code, month, month_end))
            .cloned();
        let mut attainment = Vec::new();
        let mut forecast = Vec::new();
        if let (Some(plan), Some(assignment)) = (&plan, &assignment) {
            let currency = plan.document.currency()?;
            let quota = assignment
                .quota_minor
                .unwrap_or(plan.document.quota()?.minor());
            attainment = self
                .attainment(user_id, plan, quota, currency, (month, period))
                .await?;
            if actor.user_id == user_id
                && month <= self.clock.today()
                && self.clock.today() <= month_end
            {
                forecast = self.forecast(user_id, plan, quota, &attainment).await?;
            }
        }
        let next_payout_date = payout_date_of(month);
        Ok(Statement {
            user_id,
            user_name: rep.name.clone(),
            period: period.to_string(),
            assignment: assignment.map(|row| {
                let currency = plan.as_ref().and_then(|plan| plan.document.currency().ok());
                Self::assignment_of(row, &names, currency)
            }),
            plan,
            totals: totals_of(&models)?,
            paid: totals_of(models.iter().filter(|line| line.status == repo::PAID))?,
            unpaid: totals_of(models.iter().filter(|line| line.status == repo::CALCULATED))?,
            lines,
            attainment,
            forecast,
            next_payout_date,
        })
    }

    /// Attainment per component over the quota window up to `month`: the cumulative credit at
    /// each month's end and the share of quota it reaches (team credit is not measured).
    async fn attainment(
        &self,
        user_id: i64,
        plan: &PlanVersion,
        quota: i64,
        currency: Currency,
        (month, period): (NaiveDate, &str),
    ) -> AppResult<Vec<Attainment>> {
        let mut attainment = Vec::new();
        let (window_start, window_end) = rules::quota_window(month, plan.document.quota.period);
        let window_lines = commission_line::Entity::find()
            .filter(commission_line::Column::UserId.eq(user_id))
            .filter(commission_line::Column::Kind.eq("credit"))
            .filter(commission_line::Column::Status.ne(repo::RETIRED))
            .filter(commission_line::Column::Period.gte(ledger::period_of(window_start)))
            .filter(commission_line::Column::Period.lte(period))
            .all(&self.db)
            .await?;
        for component in &plan.document.components {
            if component.metric == Metric::TeamCredit {
                continue;
            }
            let mut months = Vec::new();
            let mut cumulative = 0;
            let mut cursor = window_start;
            while cursor <= month {
                let key = ledger::period_of(cursor);
                cumulative += window_lines
                    .iter()
                    .filter(|line| line.component == component.name && line.period == key)
                    .map(|line| line.credited_minor)
                    .sum::<i64>();
                months.push((key, Money::from_minor(cumulative, currency)));
                cursor = rules::add_months(cursor, 1);
            }
            let percent =
                Decimal::from(cumulative) * Decimal::ONE_HUNDRED / Decimal::from(quota.max(1));
            attainment.push(Attainment {
                component: component.name.clone(),
                metric: component.metric.as_str().into(),
                quota: Money::from_minor(quota, currency),
                window_start: ledger::period_of(window_start),
                window_end: ledger::period_of(window_end),
                credited: Money::from_minor(cumulative, currency),
                percent: format!("{:.2}", percent.round_dp(2)),
                months,
            });
        }
        Ok(attainment)
    }

    /// What each open (not yet approved) deal of the rep would pay under the first booking
    /// component of their plan, starting from today's attainment.
    async fn forecast(
        &self,
        user_id: i64,
        plan: &PlanVersion,
        quota: i64,
        attainment: &[Attainment],
    ) -> AppResult<Vec<Forecast>> {
        let Some(component) = plan
            .document
            .components
            .iter()
            .find(|component| component.metric.is_booking())
        else {
            return Ok(Vec::new());
        };
        let currency = plan.document.currency()?;
        let credited_now = attainment
            .iter()
            .find(|row| row.component == component.name)
            .map(|row| row.credited.minor())
            .unwrap_or(0);
        let bands = rules::bands(component);
        let cap = component
            .cap
            .and_then(|cap| plan.document.money("cap", cap).ok())
            .map(|money| money.minor());
        let mut result = Vec::new();
        for deal in deal::Entity::find()
            .filter(deal::Column::AssignedAeId.eq(user_id))
            .filter(deal::Column::Status.ne("approved"))
            .order_by_asc(deal::Column::Id)
            .all(&self.db)
            .await?
        {
            let (Some(tcv), Some(code)) = (deal.tcv_minor, deal.billing_currency.as_deref()) else {
                continue;
            };
            if code != currency.code() {
                continue;
            }
            let metric = match (component.metric, deal.start_date, deal.end_date) {
                (Metric::BookingsAcv, Some(start), Some(end)) => rules::acv(tcv, start, end),
                (Metric::BookingsTcv, _, _) => tcv,
                (Metric::FirstYearArr, _, _) => deal.arr_minor.unwrap_or(0),
                _ => tcv,
            };
            let earned = rules::earn(
                &bands,
                component.tier_mode,
                quota,
                cap,
                &[
                    rules::Credit {
                        amount: credited_now,
                        flat_rate: None,
                    },
                    rules::Credit {
                        amount: metric,
                        flat_rate: None,
                    },
                ],
            );
            let Some(estimate) = earned.get(1) else {
                continue;
            };
            result.push(Forecast {
                deal_id: deal.id,
                crm_opportunity_id: deal.crm_opportunity_id.clone(),
                product_name: deal.product_name.clone().unwrap_or_default(),
                metric_amount: Money::from_minor(metric, currency),
                estimated: Money::from_minor(estimate.amount, currency),
                explanation: format!(
                    "{} {} from {}% of quota: {} at {}.",
                    component.metric.title(),
                    Money::from_minor(metric, currency).amount_string(),
                    estimate.attainment_before.normalize(),
                    estimate.tier_text(),
                    estimate.rate_text()
                ),
            });
        }
        Ok(result)
    }

    /// One row per rep the actor may see, for a month.
    pub async fn statements(
        &self,
        actor: &Actor,
        period: &str,
    ) -> AppResult<Vec<StatementSummary>> {
        actor.require(Permission::CommissionRead)?;
        let (month, next) = crate::calendar::parse_period("period", period)?;
        let month_end = next.pred_opt().unwrap_or(next);
        let visible: Option<Vec<i64>> = if actor.can(Permission::CommissionReadAll) {
            None
        } else {
            let mut team = self.team_of(actor.user_id).await?;
            team.push(actor.user_id);
            Some(team)
        };
        let names = self.user_names().await?;
        let mut query = commission_line::Entity::find()
            .filter(commission_line::Column::Period.eq(period))
            .filter(commission_line::Column::Status.ne(repo::RETIRED));
        if let Some(visible) = &visible {
            query = query.filter(commission_line::Column::UserId.is_in(visible.clone()));
        }
        let lines = query.all(&self.db).await?;
        let ids: Vec<i64> = lines.iter().map(|line| line.id).collect();
        let disputes = self.open_disputes_by_line(&ids).await?;
        let mut by_user: BTreeMap<i64, Vec<&commission_line::Model>> = BTreeMap::new();
        for line in &lines {
            by_user.entry(line.user_id).or_default().push(line);
        }
        for assignment in repo::assignments_for_month(&self.db, month, month_end).await? {
            if visible
                .as_ref()
                .is_none_or(|visible| visible.contains(&assignment.user_id))
            {
                by_user.entry(assignment.user_id).or_default();
            }
        }
        let plans: HashMap<i64, String> = repo::assignments_for_month(&self.db, month, month_end)
            .await?
            .into_iter()
            .rev()
            .map(|row| (row.user_id, row.plan_code))
            .collect();
        by_user
            .into_iter()
            .map(|(user_id, lines)| {
                Ok(StatementSummary {
                    user_id,
                    user_name: names
                        .get(&user_id)
                        .map(|row| row.name.clone())
                        .unwrap_or_default(),
                    plan_code: plans.get(&user_id).cloned(),
                    lines: i32::try_from(lines.len()).unwrap_or(i32::MAX),
                    totals: totals_of(lines.iter().copied())?,
                    open_disputes: i32::try_from(
                        lines
                            .iter()
                            .filter(|line| disputes.contains_key(&line.id))
                            .count(),
                    )
                    .unwrap_or(i32::MAX),
                })
            })
            .collect()
    }

    async fn open_disputes_by_line(&self, line_ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
        open_disputes_in(&self.db, line_ids).await
    }
}
