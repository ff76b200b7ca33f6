//! Reading the revenue reports: a contract's schedule, the contracts list, the deferred-revenue
//! waterfall, remaining performance obligations, the rollforward and revenue by stream (each
//! currency or in the functional currency), and their CSV exports.

use super::*;
use crate::access::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::values::parse_id;

impl RevenueService {
    pub async fn schedule(&self, actor: &Actor, contract_id: i64) -> AppResult<report::Schedule> {
        actor.require(Permission::RevenueRead)?;
        report::schedule(&self.db, contract_id).await
    }

    pub async fn contracts(
        &self,
        actor: &Actor,
        page: crate::pagination::PageRequest,
        search: Option<String>,
    ) -> AppResult<crate::pagination::Page<report::ContractSummary>> {
        actor.require(Permission::RevenueRead)?;
        report::contracts(&self.db, page, search).await
    }

    pub async fn waterfall(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        months: u32,
    ) -> AppResult<report::Waterfall> {
        actor.require(Permission::RevenueTotalsRead)?;
        if !(1..=60).contains(&months) {
            return Err(AppError::validation(
                "months",
                "Show between 1 and 60 months.",
            ));
        }
        report::waterfall(&self.db, as_of, months).await
    }

    /// Remaining performance obligations as of a day (ASC 606-10-50-13).
    pub async fn remaining_obligations(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
    ) -> AppResult<disclosures::Rpo> {
        actor.require(Permission::RevenueTotalsRead)?;
        disclosures::remaining_obligations(&self.db, as_of).await
    }

    /// The rollforward per month, for each currency or in the functional currency (with the
    /// names of currencies left out for want of a rate).
    pub async fn rollforward(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        view: CurrencyView,
    ) -> AppResult<(Vec<report::RollforwardMonth>, Vec<String>)> {
        actor.require(Permission::RevenueTotalsRead)?;
        let months = report::month_range(from, to)?;
        let rows = report::rollforward(&self.db, &months).await?;
        self.in_view(rows, &months, view, report::rollforward_functional)
            .await
    }

    /// Revenue by stream per month, for each currency or in the functional currency.
    pub async fn by_stream(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        view: CurrencyView,
    ) -> AppResult<(Vec<report::StreamMonth>, Vec<String>)> {
        actor.require(Permission::RevenueTotalsRead)?;
        let months = report::month_range(from, to)?;
        let rows = report::by_stream(&self.db, &months).await?;
        self.in_view(rows, &months, view, report::by_stream_functional)
            .await
    }

    /// A month-by-month report's rows as they are (each currency) or through `functional`, with
    /// the currencies it left out for want of a rate.
    async fn in_view<T>(
        &self,
        rows: Vec<T>,
        months: &[(String, NaiveDate, NaiveDate)],
        view: CurrencyView,
        functional: FunctionalView<T>,
    ) -> AppResult<(Vec<T>, Vec<String>)> {
        if view == CurrencyView::EachCurrency {
            return Ok((rows, Vec::new()));
        }
        let rates = Rates::load(&self.db, self.functional).await?;
        let mut warnings = Vec::new();
        let rows = functional(&rows, months, &rates, &mut warnings);
        Ok((rows, warnings))
    }

    /// CSV of a report for the export route.
    pub async fn export_csv(
        &self,
        actor: &Actor,
        report_name: &str,
        params: &std::collections::HashMap<String, String>,
    ) -> AppResult<(String, String)> {
        let get = |name: &str| params.get(name).cloned().unwrap_or_default();
        // `view=functional` adds the currencies up in the functional currency, as the page shows.
        let view = if get("view") == "functional" {
            CurrencyView::Functional
        } else {
            CurrencyView::EachCurrency
        };
        match report_name {
            "waterfall" => {
                let as_of = match params.get("asOf") {
                    Some(text) => text.parse().map_err(|_| AppError::validation("asOf", "Write the date YYYY-MM-DD."))?,
                    None => self.clock.today(),
                };
                let data = self.waterfall(actor, as_of, 24).await?;
                Ok((format!("deferred-revenue-waterfall-{as_of}.csv"), report::waterfall_csv(&data)))
            }
            "rpo" => {
                let as_of = match params.get("asOf") {
                    Some(text) => text.parse().map_err(|_| AppError::validation("asOf", "Write the date YYYY-MM-DD."))?,
                    None => self.clock.today(),
                };
                let data = self.remaining_obligations(actor, as_of).await?;
                Ok((format!("remaining-performance-obligations-{as_of}.csv"), disclosures::rpo_csv(&data)))
            }
            "rollforward" => {
                let (rows, _) = self.rollforward(actor, &get("from"), &get("to"), view).await?;
                Ok((format!("deferred-revenue-rollforward-{}-{}.csv", get("from"), get("to")), report::rollforward_csv(&rows)))
            }
            "streams" => {
                let (rows, _) = self.by_stream(actor, &get("from"), &get("to"), view).await?;
                Ok((format!("revenue-by-stream-{}-{}.csv", get("from"), get("to")), report::streams_csv(&rows)))
            }
            "schedule" => {
                let id = parse_id("contractId", &get("contractId"))?;
                let schedule = self.schedule(actor, id).await?;
                Ok((format!("recognition-schedule-{}.csv", schedule.contract_number), report::schedule_csv(&schedule)))
            }
            other => Err(AppError::validation(
                "report",
                format!("There is no revenue report {other:?}; choose waterfall, rpo, rollforward, streams or schedule."),
            )),
        }
    }
}
