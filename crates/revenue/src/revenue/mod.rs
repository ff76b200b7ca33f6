//! Revenue recognition under ASC 606 / IFRS 15: performance obligations with their SSP
//! allocation, recognition schedules per pattern, the monthly recognition run, contract
//! modifications, period close, and the deferred-revenue reports. Pure rules live in `rules`,
//! storage and the hooks other areas call in `repo`, the run in `run`, reports in `report`.

pub mod disclosures;
pub mod modifications;
pub mod opening;
pub mod positions;
pub mod repo;
pub mod report;
pub mod rules;
pub mod run;

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::entities::{ledger_period, ssp_price, user};
use crate::error::{AppError, AppResult};
use crate::fx::Rates;
use crate::money::{Currency, Money};
use crate::values::{parse_id, require_text};
use chrono::{DateTime, NaiveDate, Utc};
use rules::{RatableMethod, SspBasis, SspMethod};
use run::RunReport;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct SspPrice {
    pub id: i64,
    pub product_name: String,
    pub basis: SspBasis,
    pub method: SspMethod,
    /// The price or range; under the residual approach the range of prices seen (zero when
    /// none); under cost plus margin the resulting price.
    pub low: Money,
    pub high: Money,
    pub cost: Option<Money>,
    /// The margin in percent, for cost plus margin.
    pub margin_percent: Option<Decimal>,
    pub effective_from: NaiveDate,
}

/// An SSP table entry as asked for. Which amounts it needs depends on the method: a price or
/// range (`low`, `high`) for observable and adjusted-market prices; `cost` and
/// `margin_percent` for cost plus margin; optionally the range of prices seen for the residual.
pub struct SspInput {
    pub product_name: String,
    pub basis: SspBasis,
    pub method: SspMethod,
    pub currency: Option<Currency>,
    pub low: Option<Money>,
    pub high: Option<Money>,
    pub cost: Option<Money>,
    pub margin_percent: Option<Decimal>,
    pub effective_from: NaiveDate,
}

/// The stored amounts of a valid SSP entry: (currency, low, high, cost, margin in basis points).
type SspAmounts = (Currency, i64, i64, Option<i64>, Option<i64>);

/// Refuses an amount the entry's method does not take.
fn unused_amount(field: &str, method: &str) -> AppResult<SspAmounts> {
    Err(AppError::validation(
        field,
        format!("{method} does not take this amount; leave it empty."),
    ))
}

/// Checks an SSP entry's amounts for its method, naming the field at fault.
fn ssp_amounts(input: &SspInput) -> AppResult<SspAmounts> {
    let currency = ssp_currency(input)?;
    match input.method {
        SspMethod::Observable | SspMethod::AdjustedMarket => {
            if input.cost.is_some() {
                return unused_amount("cost", "An observed or market price");
            }
            if input.margin_percent.is_some() {
                return unused_amount("marginPercent", "An observed or market price");
            }
            let (low, high) = ssp_range(input, true)?;
            Ok((currency, low, high, None, None))
        }
        SspMethod::ExpectedCostPlusMargin => cost_plus_margin_amounts(input, currency),
        SspMethod::Residual => {
            if input.cost.is_some() {
                return unused_amount("cost", "The residual approach");
            }
            if input.margin_percent.is_some() {
                return unused_amount("marginPercent", "The residual approach");
            }
            let (low, high) = ssp_range(input, false)?;
            Ok((currency, low, high, None, None))
        }
    }
}

/// The entry's currency: its amounts' (all in one), or the one chosen when it has none.
fn ssp_currency(input: &SspInput) -> AppResult<Currency> {
    let currency = input
        .low
        .or(input.cost)
        .map(|amount| amount.currency())
        .or(input.currency)
        .ok_or_else(|| match input.method {
            // The amount the method needs first is missing; its currency would come with it.
            SspMethod::ExpectedCostPlusMargin => {
                AppError::validation("cost", "Enter the expected cost per unit, more than zero.")
            }
            SspMethod::Residual => AppError::validation(
                "currency",
                "Choose the currency of the SSP (or enter the range of prices seen).",
            ),
            SspMethod::Observable | SspMethod::AdjustedMarket => {
                AppError::validation("low", "Enter the SSP or the low end of its range.")
            }
        })?;
    for (field, amount) in [
        ("low", input.low),
        ("high", input.high),
        ("cost", input.cost),
    ] {
        if amount.is_some_and(|amount| amount.currency() != currency) {
            return Err(AppError::validation(
                field,
                format!("Every amount of the entry must be in {}.", currency.code()),
            ));
        }
    }
    Ok(currency)
}

/// The low and high ends of the SSP range: both, the high not below the low; none only when not
/// `required`.
fn ssp_range(input: &SspInput, required: bool) -> AppResult<(i64, i64)> {
    match (input.low, input.high) {
        (Some(low), Some(high)) => {
            if low.minor() <= 0 {
                return Err(AppError::validation(
                    "low",
                    "The SSP must be more than zero.",
                ));
            }
            if high.minor() < low.minor() {
                return Err(AppError::validation(
                    "high",
                    "The high end of the range is below the low end.",
                ));
            }
            Ok((low.minor(), high.minor()))
        }
        (None, None) if !required => Ok((0, 0)),
        (None, _) => Err(AppError::validation(
            "low",
            "Enter the SSP or the low end of its range.",
        )),
        (Some(_), None) => Err(AppError::validation(
            "high",
            "Enter the high end of the range (the same as the low end for one price).",
        )),
    }
}

/// Expected cost plus margin: a cost above zero and a margin above -100 % and at most 1000 %
/// (two decimals), which compute the price; the range is not entered.
fn cost_plus_margin_amounts(input: &SspInput, currency: Currency) -> AppResult<SspAmounts> {
    if input.low.is_some() {
        return unused_amount("low", "Expected cost plus margin computes the price and");
    }
    if input.high.is_some() {
        return unused_amount("high", "Expected cost plus margin computes the price and");
    }
    let cost = input.cost.filter(|cost| cost.minor() > 0).ok_or_else(|| {
        AppError::validation("cost", "Enter the expected cost per unit, more than zero.")
    })?;
    let margin = input.margin_percent.ok_or_else(|| {
        AppError::validation("marginPercent", "Enter the margin in percent, e.g. 25.")
    })?;
    let basis_points = margin * Decimal::from(100);
    if margin <= Decimal::from(-100)
        || margin > Decimal::from(1_000)
        || basis_points.fract() != Decimal::ZERO
    {
        return Err(AppError::validation(
            "marginPercent",
            "The margin is a percent above -100 and at most 1000, with at most two decimals.",
        ));
    }
    let margin_bp = basis_points.to_i64().unwrap_or(0);
    let price = rules::cost_plus_margin(cost.minor(), margin_bp);
    Ok((currency, price, price, Some(cost.minor()), Some(margin_bp)))
}

/// The ratable convention a contract follows: its own override, if any, and the one in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ContractMethod {
    pub contract_id: i64,
    pub override_method: Option<RatableMethod>,
    pub method: RatableMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum PeriodStatus {
    Open,
    Closed,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerPeriod {
    pub period: String,
    pub status: PeriodStatus,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by_name: Option<String>,
    pub reopened_at: Option<DateTime<Utc>>,
    pub reopen_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CloseCheck {
    pub period: String,
    pub trial_balance_zero: bool,
    pub pending_rows: i64,
    pub pending_amount: Vec<Money>,
    pub earlier_open: Vec<String>,
    pub problems: Vec<String>,
}

impl CloseCheck {
    pub fn can_close(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Clone)]
pub struct RevenueService {
    db: DatabaseConnection,
    clock: SharedClock,
    /// The currency the functional views of the reports add every currency up in.
    functional: Currency,
}

/// Turns a month-by-month report's rows (per currency) into its functional-currency rows.
type FunctionalView<T> =
    fn(&[T], &[(String, NaiveDate, NaiveDate)], &Rates, &mut Vec<String>) -> Vec<T>;

/// Which currencies a revenue report shows: every currency added up in the functional currency,
/// or each currency on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum CurrencyView {
    Functional,
    EachCurrency,
}

impl RevenueService {
    pub fn new(db: DatabaseConnection, clock: SharedClock, functional: Currency) -> RevenueService {
        RevenueService {
            db,
            clock,
            functional,
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

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

    pub async fn settings(&self, actor: &Actor) -> AppResult<RatableMethod> {
        actor.require(Permission::RevenueTotalsRead)?;
        repo::ratable_method(&self.db).await
    }

    /// The company's ratable method applies to schedules built or re-planned from now on;
    /// rows already recognised never change.
    pub async fn set_method(
        &self,
        actor: &Actor,
        method: RatableMethod,
    ) -> AppResult<RatableMethod> {
        actor.require(Permission::RevenueSettings)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let before = repo::ratable_method(&transaction).await?;
        repo::set_setting(
            &transaction,
            repo::RATABLE_METHOD,
            method.as_str(),
            Some(actor.user_id),
            now,
        )
        .await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "revenue.method_set",
                entity_type: "company_setting",
                entity_id: repo::RATABLE_METHOD.into(),
                before: Some(&before),
                after: Some(&method),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(method)
    }

    /// Sets a contract's own ratable convention (`None` returns it to the company's). The CFO
    /// only, like the company setting. What the contract has not yet recognised is re-planned
    /// under the new convention in open periods; recognised rows and closed periods never change.
    pub async fn set_contract_method(
        &self,
        actor: &Actor,
        contract_id: &str,
        method: Option<RatableMethod>,
    ) -> AppResult<ContractMethod> {
        actor.require(Permission::RevenueSettings)?;
        let contract_id = parse_id("contractId", contract_id)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let (before, after) = repo::set_contract_method(&transaction, contract_id, method).await?;
        let result = ContractMethod {
            contract_id,
            override_method: method,
            method: repo::contract_method(&transaction, &after).await?,
        };
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "revenue.contract_method_set",
                entity_type: "contract",
                entity_id: contract_id.to_string(),
                before: Some(&serde_json::json!({ "revenueMethod": before.revenue_method })),
                after: Some(&result),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(result)
    }

    pub async fn ssp_prices(&self, actor: &Actor) -> AppResult<Vec<SspPrice>> {
        actor.require(Permission::RevenueTotalsRead)?;
        ssp_price::Entity::find()
            .order_by_asc(ssp_price::Column::ProductName)
            .order_by_asc(ssp_price::Column::Currency)
            .order_by_desc(ssp_price::Column::EffectiveFrom)
            .all(&self.db)
            .await?
            .into_iter()
            .map(ssp_from_model)
            .collect()
    }

    /// Adds (or replaces, for the same product, currency and date) an SSP table entry. Used by
    /// contracts allocated from then on; existing allocations stay as they were made.
    pub async fn set_ssp(&self, actor: &Actor, input: SspInput) -> AppResult<SspPrice> {
        actor.require(Permission::SspManage)?;
        let product = require_text("productName", &input.product_name, 200)?;
        let (currency, low, high, cost, margin_bp) = ssp_amounts(&input)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let currency = currency.code().to_string();
        ssp_price::Entity::delete_many()
            .filter(ssp_price::Column::ProductName.eq(product.clone()))
            .filter(ssp_price::Column::Currency.eq(currency.clone()))
            .filter(ssp_price::Column::EffectiveFrom.eq(input.effective_from))
            .exec(&transaction)
            .await?;
        let model = ssp_price::ActiveModel {
            product_name: Set(product),
            currency: Set(currency),
            basis: Set(input.basis.as_str().into()),
            low_minor: Set(low),
            high_minor: Set(high),
            effective_from: Set(input.effective_from),
            method: Set(input.method.as_str().into()),
            cost_minor: Set(cost),
            margin_bp: Set(margin_bp),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let price = ssp_from_model(model)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "revenue.ssp_set",
                entity_type: "ssp_price",
                entity_id: price.id.to_string(),
                before: None,
                after: Some(&price),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(price)
    }

    /// Marks which lines carry the contract's discount (all, when the list is empty).
    pub async fn assign_discount(
        &self,
        actor: &Actor,
        contract_id: &str,
        line_ids: &[String],
    ) -> AppResult<report::Schedule> {
        actor.require(Permission::SspManage)?;
        let contract_id = parse_id("contractId", contract_id)?;
        let lines = line_ids
            .iter()
            .enumerate()
            .map(|(index, id)| parse_id(&format!("contractLineIds.{index}"), id))
            .collect::<AppResult<Vec<_>>>()?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        repo::assign_discount(&transaction, contract_id, &lines, now, Some(actor.user_id)).await?;
        transaction.commit().await?;
        self.schedule(actor, contract_id).await
    }

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

    /// Months that were ever closed, and the last 12 months up to today.
    pub async fn periods(&self, actor: &Actor) -> AppResult<Vec<LedgerPeriod>> {
        actor.require(Permission::RevenueTotalsRead)?;
        let stored = ledger_period::Entity::find().all(&self.db).await?;
        let mut keys: Vec<String> = stored.iter().map(|row| row.period.clone()).collect();
        let mut month = crate::ledger::period_of(self.clock.today());
        for _ in 0..12 {
            keys.push(month.clone());
            let (first, _) = crate::calendar::parse_period("period", &month)?;
            month = crate::ledger::period_of(first.pred_opt().unwrap_or(first));
        }
        keys.sort();
        keys.dedup();
        keys.reverse();
        let mut result = Vec::new();
        for key in keys {
            let row = stored.iter().find(|row| row.period == key);
            result.push(self.period_view(&key, row).await?);
        }
        Ok(result)
    }

    async fn period_view(
        &self,
        key: &str,
        row: Option<&ledger_period::Model>,
    ) -> AppResult<LedgerPeriod> {
        let closed_by_name = match row.and_then(|row| row.closed_by) {
            Some(id) => user::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .map(|user| user.name),
            None => None,
        };
        Ok(LedgerPeriod {
            period: key.to_string(),
            status: if row.is_some_and(|row| row.status == "closed") {
                PeriodStatus::Closed
            } else {
                PeriodStatus::Open
            },
            closed_at: row.and_then(|row| row.closed_at),
            closed_by_name,
            reopened_at: row.and_then(|row| row.reopened_at),
            reopen_reason: row.and_then(|row| row.reopen_reason.clone()),
        })
    }

    /// What stands between a period and its close: the trial balance must be zero, nothing may
    /// be left to recognise in it, earlier periods with postings must be closed, and it must be over.
    pub async fn close_check(&self, actor: &Actor, period: &str) -> AppResult<CloseCheck> {
        actor.require(Permission::RevenueTotalsRead)?;
        report::close_check(&self.db, period, self.clock.today()).await
    }

    pub async fn close(&self, actor: &Actor, period: &str) -> AppResult<LedgerPeriod> {
        actor.require(Permission::PeriodClose)?;
        let check = report::close_check(&self.db, period, self.clock.today()).await?;
        if !check.can_close() {
            return Err(AppError::Conflict(format!(
                "{period} cannot be closed: {}",
                check.problems.join(" ")
            )));
        }
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let existing = ledger_period::Entity::find_by_id(period.to_string())
            .one(&transaction)
            .await?;
        if existing.as_ref().is_some_and(|row| row.status == "closed") {
            return Err(AppError::Conflict(format!("{period} is already closed.")));
        }
        let row = ledger_period::ActiveModel {
            period: Set(period.to_string()),
            status: Set("closed".into()),
            closed_by: Set(Some(actor.user_id)),
            closed_at: Set(Some(now)),
            reopened_by: Set(existing.as_ref().and_then(|row| row.reopened_by)),
            reopened_at: Set(existing.as_ref().and_then(|row| row.reopened_at)),
            reopen_reason: Set(existing.as_ref().and_then(|row| row.reopen_reason.clone())),
        };
        if existing.is_some() {
            row.update(&transaction).await?;
        } else {
            row.insert(&transaction).await?;
        }
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "period.close",
                entity_type: "ledger_period",
                entity_id: period.to_string(),
                before: None,
                after: Some(&check),
            },
        )
        .await?;
        crate::webhooks::emit(
            &transaction,
            now,
            crate::webhooks::EventType::PeriodClosed,
            serde_json::json!({ "period": period, "closedBy": actor.user_id, "closedAt": now }),
        )
        .await?;
        transaction.commit().await?;
        let row = ledger_period::Entity::find_by_id(period.to_string())
            .one(&self.db)
            .await?;
        self.period_view(period, row.as_ref()).await
    }

    /// Reopens a closed period; only the CFO, with a reason, and only the latest closed one.
    pub async fn reopen(
        &self,
        actor: &Actor,
        period: &str,
        reason: &str,
    ) -> AppResult<LedgerPeriod> {
        actor.require(Permission::PeriodClose)?;
        crate::calendar::parse_period("period", period)?;
        let reason = require_text("reason", reason, 1000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let Some(existing) = ledger_period::Entity::find_by_id(period.to_string())
            .one(&transaction)
            .await?
            .filter(|row| row.status == "closed")
        else {
            return Err(AppError::Conflict(format!("{period} is not closed.")));
        };
        let later = ledger_period::Entity::find()
            .filter(ledger_period::Column::Period.gt(period))
            .filter(ledger_period::Column::Status.eq("closed"))
            .one(&transaction)
            .await?;
        if let Some(later) = later {
            return Err(AppError::Conflict(format!(
                "{} is closed after it; reopen that first.",
                later.period
            )));
        }
        let mut row: ledger_period::ActiveModel = existing.clone().into();
        row.status = Set("open".into());
        row.reopened_by = Set(Some(actor.user_id));
        row.reopened_at = Set(Some(now));
        row.reopen_reason = Set(Some(reason.clone()));
        row.update(&transaction).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "period.reopen",
                entity_type: "ledger_period",
                entity_id: period.to_string(),
                before: Some(
                    &serde_json::json!({"status": "closed", "closedAt": existing.closed_at}),
                ),
                after: Some(&serde_json::json!({"status": "open", "reason": reason})),
            },
        )
        .await?;
        transaction.commit().await?;
        let row = ledger_period::Entity::find_by_id(period.to_string())
            .one(&self.db)
            .await?;
        self.period_view(period, row.as_ref()).await
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

fn ssp_from_model(model: ssp_price::Model) -> AppResult<SspPrice> {
    let currency = crate::money::Currency::parse(&model.currency)?;
    Ok(SspPrice {
        id: model.id,
        product_name: model.product_name,
        basis: SspBasis::parse(&model.basis).ok_or_else(|| AppError::internal("ssp basis"))?,
        method: SspMethod::parse(&model.method).unwrap_or_default(),
        low: Money::from_minor(model.low_minor, currency),
        high: Money::from_minor(model.high_minor, currency),
        cost: model
            .cost_minor
            .map(|cost| Money::from_minor(cost, currency)),
        margin_percent: model
            .margin_bp
            .map(|margin| (Decimal::from(margin) / Decimal::from(100)).normalize()),
        effective_from: model.effective_from,
    })
}
