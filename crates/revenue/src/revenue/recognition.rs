//! Running recognition for a period, on demand or as the daily job calls it, and the list of
//! recent runs. The run itself is `run::execute`.

use super::run::RunReport;
use super::*;
use crate::access::{Actor, Permission};
use crate::error::AppResult;
use sea_orm::{EntityTrait, QueryOrder, TransactionTrait};

impl RevenueService {
    /// Runs recognition for a period on demand (cut off at today for the current month).
    pub async fn run(&self, actor: &Actor, period: &str) -> AppResult<RunReport> {
        actor.require(Permission::RevenueRun)?;
        self.run_as(Some(actor), period, self.clock.today()).await
    }

    /// The run as the daily job calls it.
    pub async fn run_as(
        &self,
        actor: Option<&Actor>,
        period: &str,
        as_of: NaiveDate,
    ) -> AppResult<RunReport> {
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let report = run::execute(&transaction, actor, period, as_of, now).await?;
        transaction.commit().await?;
        Ok(report)
    }

    pub async fn runs(&self, actor: &Actor) -> AppResult<Vec<RunReport>> {
        actor.require(Permission::RevenueTotalsRead)?;
        crate::entities::revenue_run::Entity::find()
            .order_by_desc(crate::entities::revenue_run::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .take(50)
            .map(RunReport::from_model)
            .collect()
    }
}
