//! Starting the bill run (by a person, or as the scheduler and `run-daily` do), the daily job's
//! trial alerts, and the status of a day's run and of the recent runs.

use super::run::{BillRunReport, RunRequest, RunStatus};
use super::*;
use crate::access::{Actor, Permission};
use sea_orm::TransactionTrait;

impl BillingService {
    /// The daily job's trial alerts (`trials::alert_conversions`) for `as_of`.
    pub async fn run_trial_alerts(&self, as_of: NaiveDate) -> AppResult<usize> {
        let transaction = self.db.begin().await?;
        let raised = trials::alert_conversions(&transaction, as_of, self.clock.now()).await?;
        transaction.commit().await?;
        Ok(raised)
    }

    /// The bill run (or its preview) for `as_of`, started by a person.
    pub async fn run(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        dry_run: bool,
    ) -> AppResult<BillRunReport> {
        actor.require(Permission::BillRun)?;
        self.run_as(
            Some(actor),
            as_of,
            dry_run,
            format!("user:{}", actor.user_id),
            &|_, _| {},
        )
        .await
    }

    /// The bill run as the scheduler and `run-daily` call it.
    pub async fn run_as(
        &self,
        actor: Option<&Actor>,
        as_of: NaiveDate,
        dry_run: bool,
        owner: String,
        on_progress: &(dyn Fn(usize, usize) + Sync),
    ) -> AppResult<BillRunReport> {
        run::execute(
            &self.db,
            RunRequest {
                as_of,
                dry_run,
                actor,
                functional: self.functional,
                seller: self.seller.clone(),
                now: self.clock.now(),
                owner,
            },
            on_progress,
        )
        .await
    }

    pub async fn run_status(&self, actor: &Actor, date: NaiveDate) -> AppResult<Option<RunStatus>> {
        actor.require(Permission::BillingRead)?;
        run::status(&self.db, date).await
    }

    pub async fn recent_runs(&self, actor: &Actor) -> AppResult<Vec<RunStatus>> {
        actor.require(Permission::BillingRead)?;
        run::recent(&self.db, 30).await
    }
}
