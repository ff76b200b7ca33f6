//! Calculation entry points and the period close: calculating on demand or from the daily job,
//! the month-end run made once across instances, and each month's status against the
//! 5-business-day rule.

use super::calc::{self, RunReport};
use super::{repo, rules, CommissionService, PeriodStatus};
use crate::access::{Actor, Permission};
use crate::entities::{commission_payout, commission_run};
use crate::error::AppResult;
use crate::ledger;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

impl CommissionService {
    /// Calculates a period on demand (credits up to today for the current month).
    pub async fn calculate(&self, actor: &Actor, period: &str) -> AppResult<RunReport> {
        actor.require(Permission::CommissionCalculate)?;
        self.calculate_as(Some(actor), period, self.clock.today())
            .await
    }

    /// The calculation as the daily job runs it.
    pub async fn calculate_as(
        &self,
        actor: Option<&Actor>,
        period: &str,
        as_of: NaiveDate,
    ) -> AppResult<RunReport> {
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        calculation_lock(&transaction).await?;
        let report =
            calc::execute(&transaction, actor, period, as_of, now, self.functional).await?;
        transaction.commit().await?;
        Ok(report)
    }

    /// The daily job's month-end calculation of `period`, as of its last day: run once across
    /// every instance. Under the calculation lock it first checks for a closing run (or a payout),
    /// so of several instances reaching the month's close at once, one calculates and the rest
    /// get `None`.
    pub async fn close_month(&self, period: &str) -> AppResult<Option<RunReport>> {
        let (_, next) = crate::calendar::parse_period("period", period)?;
        let month_end = next.pred_opt().unwrap_or(next);
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        calculation_lock(&transaction).await?;
        if closing_run_exists(&transaction, period).await? {
            transaction.commit().await?;
            return Ok(None);
        }
        let report =
            calc::execute(&transaction, None, period, month_end, now, self.functional).await?;
        transaction.commit().await?;
        Ok(Some(report))
    }

    /// Each month's calculation status against the 5-business-day rule, newest first.
    pub async fn periods(&self, actor: &Actor, count: u32) -> AppResult<Vec<PeriodStatus>> {
        actor.require(Permission::CommissionReadAll)?;
        let today = self.clock.today();
        let mut result = Vec::new();
        let mut month = rules::first_of_month(today);
        for _ in 0..count.clamp(1, 36) {
            result.push(self.period_status(month, today).await?);
            month = rules::add_months(month, -1);
        }
        Ok(result)
    }

    pub(super) async fn period_status(
        &self,
        month: NaiveDate,
        today: NaiveDate,
    ) -> AppResult<PeriodStatus> {
        let period = ledger::period_of(month);
        let runs = commission_run::Entity::find()
            .filter(commission_run::Column::Period.eq(period.as_str()))
            .order_by_asc(commission_run::Column::Id)
            .all(&self.db)
            .await?;
        let month_end = rules::last_of_month(month);
        let due_on = crate::receivables::disputes::calendar(&self.db)
            .await?
            .add_business_days(
                month_end.succ_opt().unwrap_or(month_end),
                calc::DUE_BUSINESS_DAYS - 1,
            );
        // A run counts for the close only when made after the month ended.
        let closing_run = runs.iter().find(|run| run.as_of >= month_end);
        let assigned = !repo::assignments_for_month(&self.db, month, month_end)
            .await?
            .is_empty();
        let state = match closing_run {
            Some(run) if run.ran_at.date_naive() <= due_on => "done_on_time",
            Some(_) => "done_late",
            // Nobody was on a plan that month: nothing was due.
            None if !assigned => "no_plans",
            None if today > due_on => "overdue",
            None if today > month_end => "due",
            None => "open",
        };
        let paid_out = commission_payout::Entity::find()
            .filter(commission_payout::Column::Period.eq(period.as_str()))
            .one(&self.db)
            .await?
            .is_some();
        Ok(PeriodStatus {
            period,
            due_on,
            first_run_at: closing_run.map(|run| run.ran_at),
            last_run: runs
                .last()
                .cloned()
                .map(RunReport::from_model)
                .transpose()?,
            state: state.into(),
            paid_out,
        })
    }
}

/// Serialises commission calculations across instances: two at once would both read the lines'
/// accrued amounts before either committed and post the same accrual twice. One lock for every
/// period, not one per period, because a month's accrual also posts what other months' lines
/// still owe (amortisation, true-ups), so two months calculated at once could post those twice.
/// Calculations are a few a month, so waiting costs nothing that matters.
async fn calculation_lock<C: sea_orm::ConnectionTrait>(connection: &C) -> AppResult<()> {
    crate::locks::hold(connection, "commissions:calculation").await
}

/// Whether `period` has a calculation made after it ended, or is paid out.
async fn closing_run_exists<C: sea_orm::ConnectionTrait>(
    connection: &C,
    period: &str,
) -> AppResult<bool> {
    let (_, next) = crate::calendar::parse_period("period", period)?;
    let month_end = next.pred_opt().unwrap_or(next);
    let run = commission_run::Entity::find()
        .filter(commission_run::Column::Period.eq(period))
        .filter(commission_run::Column::AsOf.gte(month_end))
        .one(connection)
        .await?;
    let paid = commission_payout::Entity::find()
        .filter(commission_payout::Column::Period.eq(period))
        .one(connection)
        .await?;
    Ok(run.is_some() || paid.is_some())
}
