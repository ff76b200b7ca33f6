//! The MRR bridge month by month (`mrrMovements`).

use super::{DashboardPeriod, MetricsService, MonthMovements};
use crate::access::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::invoicing::plan::Reference;
use crate::receivables::own_customers;
use chrono::{Datelike, Duration, NaiveDate};

impl MetricsService {
    /// The MRR bridge month by month for the months `from`..=`to` touch (at most 36), each
    /// measured on its last day (or today for the current month) at that day's rate.
    pub async fn mrr_movements(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<MonthMovements>> {
        actor.require(Permission::MetricsRead)?;
        Self::require_revenue(actor)?;
        if to < from {
            return Err(AppError::validation(
                "to",
                "The range ends before it starts.",
            ));
        }
        let first = DashboardPeriod::Month.start(from);
        let months = (to.year() - first.year()) * 12 + to.month() as i32 - first.month() as i32 + 1;
        if months > 36 {
            return Err(AppError::validation(
                "to",
                "Ask for at most 36 months of movements at once.",
            ));
        }
        let today = self.clock.today();
        let book = self.books.get(&self.db, own_customers(actor)).await?;
        let reference = Reference::load(&self.db, self.functional).await?;
        let mut warnings = Vec::new();
        let mut result = Vec::new();
        let mut month = first;
        for _ in 0..months {
            let next = crate::calendar::add_months(month, 1);
            let measured_on = (next - Duration::days(1)).min(today.max(month));
            let opening = month - Duration::days(1);
            let bridge = self.bridge(&book, opening, measured_on, &reference, &mut warnings);
            let (movements, _) = Self::moves(&book, &bridge, opening);
            result.push(MonthMovements {
                month: month.format("%Y-%m").to_string(),
                measured_on,
                net_percent: movements.net_percent(),
                movements,
            });
            month = next;
        }
        Ok(result)
    }
}
