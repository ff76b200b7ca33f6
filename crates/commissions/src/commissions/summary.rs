//! The dashboard's commissions summary: earned this month, payable, disputes and last month's close.

use super::{
    payout_date_of, repo, rules, totals_of, CommissionService, DisputeStatus, Summary, PAYOUT_DAY,
};
use crate::access::{Actor, Permission};
use crate::entities::{commission_dispute, commission_line};
use crate::error::AppResult;
use crate::ledger;
use chrono::Datelike;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

impl CommissionService {
    /// For the dashboard: earned this month, payable with the next payout date, disputes, and
    /// whether last month's calculation met the 5-business-day rule. An AE sees their own.
    pub async fn summary(&self, actor: &Actor) -> AppResult<Summary> {
        actor.require(Permission::CommissionRead)?;
        let today = self.clock.today();
        let month = rules::first_of_month(today);
        let own_only = !actor.can(Permission::CommissionReadAll);
        let mut query = commission_line::Entity::find()
            .filter(commission_line::Column::Status.ne(repo::RETIRED))
            .filter(
                commission_line::Column::Period
                    .eq(ledger::period_of(month))
                    .or(commission_line::Column::Status.eq(repo::CALCULATED)),
            );
        if own_only {
            query = query.filter(commission_line::Column::UserId.eq(actor.user_id));
        }
        let lines = query.all(&self.db).await?;
        let period = ledger::period_of(month);
        let earned = totals_of(lines.iter().filter(|line| line.period == period))?;
        let payable = totals_of(
            lines
                .iter()
                .filter(|line| line.status == repo::CALCULATED && line.period < period),
        )?;
        let mut disputes = commission_dispute::Entity::find()
            .filter(commission_dispute::Column::Status.eq(DisputeStatus::Open.as_str()));
        if own_only {
            disputes = disputes.filter(commission_dispute::Column::RaisedBy.eq(actor.user_id));
        }
        let open = disputes.all(&self.db).await?;
        let now = self.clock.now();
        let last_month = rules::add_months(month, -1);
        Ok(Summary {
            as_of: today,
            earned_month_to_date: earned,
            payable,
            next_payout_date: if today.day() <= PAYOUT_DAY {
                payout_date_of(last_month)
            } else {
                payout_date_of(month)
            },
            open_disputes: i32::try_from(open.len()).unwrap_or(i32::MAX),
            overdue_disputes: i32::try_from(
                open.iter().filter(|row| row.answer_due_at < now).count(),
            )
            .unwrap_or(i32::MAX),
            last_close: self.period_status(last_month, today).await?,
        })
    }
}
