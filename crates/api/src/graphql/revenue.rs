//! Revenue recognition: schedules, waterfall, rollforward, revenue by stream, runs, periods,
//! the SSP table and the ratable method.

use super::types::{connection, Money};
use super::{actor, app};
use crate::error::AppError;
use crate::pagination::PageRequest;
use crate::revenue::report;
use crate::revenue::rules::{Pattern, RatableMethod, SspBasis, SspMethod};
use crate::revenue::run::RunReport;
use crate::revenue::{self, CloseCheck, CurrencyView, PeriodStatus, SspInput};
use crate::values::{parse_id, IsoDate, MoneyInput};
use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

fn date(value: chrono::NaiveDate) -> IsoDate {
    IsoDate(value)
}

/// A performance obligation with the inputs of its allocation.
#[derive(Clone, SimpleObject)]
pub struct Obligation {
    pub id: ID,
    pub contract_line_id: ID,
    pub product_name: String,
    pub pattern: Pattern,
    /// The revenue account it is recognised into (4000 subscription, 4010 services, 4020 usage, 4030 licence).
    pub stream_account: String,
    pub service_start: IsoDate,
    /// Exclusive.
    pub service_end: IsoDate,
    /// What the contract charges for it (fixed obligations).
    pub stated: Money,
    /// Its standalone selling price over its term.
    pub ssp: Money,
    /// Where the SSP came from, in words.
    pub ssp_source: String,
    pub carries_discount: bool,
    /// Its share of the transaction price (recognised + remaining).
    pub allocated: Money,
    pub recognised: Money,
    pub remaining: Money,
    pub satisfied_on: Option<IsoDate>,
    /// A milestone delivered and waiting for the customer's acceptance.
    pub awaiting_acceptance: bool,
}

#[derive(Clone, SimpleObject)]
pub struct RevenueScheduleRow {
    pub id: ID,
    pub obligation_id: ID,
    pub product_name: String,
    /// ratable, satisfaction, catch_up, adjustment, timesheet or usage.
    pub kind: String,
    /// The month it is (to be) recognised in; empty while awaiting satisfaction.
    pub month: Option<String>,
    pub period_start: Option<IsoDate>,
    /// Exclusive (the day after the period's last service day).
    pub period_end: Option<IsoDate>,
    pub recognise_on: Option<IsoDate>,
    pub expected_on: Option<IsoDate>,
    pub amount: Money,
    /// planned or recognised.
    pub status: String,
    pub journal_entry_number: Option<String>,
}

#[derive(Clone, SimpleObject)]
pub struct MilestoneRecognition {
    pub obligation_id: ID,
    pub name: String,
    pub expected_on: Option<IsoDate>,
    pub amount: Money,
    pub delivered: bool,
    pub satisfied_on: Option<IsoDate>,
}

#[derive(Clone, SimpleObject)]
pub struct RevenueModification {
    pub id: ID,
    /// combined, separate, prospective, catch_up, price_concession or discount_assignment.
    pub treatment: String,
    pub effective_date: IsoDate,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    /// JSON: each obligation's price and planned rows before the change.
    pub before: String,
    pub after: String,
    /// JSON: the changes a `contractModify` made (added lines, seats, terms, cancellations), in
    /// the canonical order they were applied; empty for other modifications.
    pub changes: Option<String>,
}

impl From<crate::revenue::report::Modification> for RevenueModification {
    fn from(modification: crate::revenue::report::Modification) -> RevenueModification {
        RevenueModification {
            id: id(modification.id),
            treatment: modification.treatment,
            effective_date: date(modification.effective_date),
            reason: modification.reason,
            created_at: modification.created_at,
            before: modification.before,
            after: modification.after,
            changes: modification.changes,
        }
    }
}

/// Remaining performance obligations in one currency or stream, by expected recognition.
#[derive(Clone, SimpleObject)]
pub struct RpoFigures {
    pub total: Money,
    /// Within 12 months after the as-of date (what is due and not yet run included).
    pub within12_months: Money,
    pub months13_to24: Money,
    pub beyond24_months: Money,
    /// Awaiting delivery or acceptance with no expected date.
    pub date_not_known: Money,
}

impl From<revenue::disclosures::RpoFigures> for RpoFigures {
    fn from(figures: revenue::disclosures::RpoFigures) -> RpoFigures {
        RpoFigures {
            total: figures.total.into(),
            within12_months: figures.within_12_months.into(),
            months13_to24: figures.months_13_to_24.into(),
            beyond24_months: figures.beyond_24_months.into(),
            date_not_known: figures.date_not_known.into(),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct RpoStream {
    /// subscription, services, usage or licence.
    pub stream: String,
    pub figures: RpoFigures,
}

#[derive(Clone, SimpleObject)]
pub struct RpoCurrency {
    pub currency: String,
    /// Contracts with something remaining.
    pub contracts: i64,
    pub figures: RpoFigures,
    pub streams: Vec<RpoStream>,
}

#[derive(Clone, SimpleObject)]
pub struct RemainingObligations {
    pub as_of: IsoDate,
    pub currencies: Vec<RpoCurrency>,
}

/// A contract's recognition schedule; recognised + remaining = allocated total, and deferred −
/// unbilled = billed − recognised (net of contra revenue).
#[derive(Clone, SimpleObject)]
pub struct RevenueSchedule {
    pub contract_id: ID,
    pub contract_number: String,
    pub customer_id: ID,
    pub customer_name: String,
    pub currency: String,
    pub start_date: IsoDate,
    pub end_date: IsoDate,
    pub tcv: Money,
    pub arr: Money,
    pub months_total: i32,
    pub monthly_recognition: Money,
    pub allocated_total: Money,
    pub billed_to_date: Money,
    pub recognised_to_date: Money,
    pub remaining_to_recognise: Money,
    pub deferred_balance: Money,
    pub unbilled_balance: Money,
    pub obligations: Vec<Obligation>,
    pub rows: Vec<RevenueScheduleRow>,
    pub milestones: Vec<MilestoneRecognition>,
    pub modifications: Vec<RevenueModification>,
    /// The ratable convention the contract's schedule follows.
    pub ratable_method: RatableMethod,
    /// The contract's own convention, when it overrides the company's.
    pub override_method: Option<RatableMethod>,
}

fn id(value: i64) -> ID {
    ID(value.to_string())
}

impl From<report::Schedule> for RevenueSchedule {
    fn from(schedule: report::Schedule) -> RevenueSchedule {
        RevenueSchedule {
            contract_id: id(schedule.contract_id),
            contract_number: schedule.contract_number,
            customer_id: id(schedule.customer_id),
            customer_name: schedule.customer_name,
            currency: schedule.currency.code().to_string(),
            start_date: date(schedule.start_date),
            end_date: date(schedule.end_date),
            tcv: schedule.tcv.into(),
            arr: schedule.arr.into(),
            months_total: schedule.months_total,
            monthly_recognition: schedule.monthly_recognition.into(),
            allocated_total: schedule.allocated_total.into(),
            billed_to_date: schedule.billed_to_date.into(),
            recognised_to_date: schedule.recognised_to_date.into(),
            remaining_to_recognise: schedule.remaining_to_recognise.into(),
            deferred_balance: schedule.deferred_balance.into(),
            unbilled_balance: schedule.unbilled_balance.into(),
            obligations: schedule
                .obligations
                .into_iter()
                .map(|obligation| Obligation {
                    id: id(obligation.id),
                    contract_line_id: id(obligation.contract_line_id),
                    product_name: obligation.product_name,
                    pattern: obligation.pattern,
                    stream_account: obligation.stream_account,
                    service_start: date(obligation.service_start),
                    service_end: date(obligation.service_end),
                    stated: obligation.stated.into(),
                    ssp: obligation.ssp.into(),
                    ssp_source: obligation.ssp_source,
                    carries_discount: obligation.carries_discount,
                    allocated: obligation.allocated.into(),
                    recognised: obligation.recognised.into(),
                    remaining: obligation.remaining.into(),
                    satisfied_on: obligation.satisfied_on.map(date),
                    awaiting_acceptance: obligation.awaiting_acceptance,
                })
                .collect(),
            rows: schedule
                .rows
                .into_iter()
                .map(|row| RevenueScheduleRow {
                    id: id(row.id),
                    obligation_id: id(row.obligation_id),
                    product_name: row.product_name,
                    kind: row.kind,
                    month: row.month,
                    period_start: row.period_start.map(date),
                    period_end: row.period_end.map(date),
                    recognise_on: row.recognise_on.map(date),
                    expected_on: row.expected_on.map(date),
                    amount: row.amount.into(),
                    status: row.status,
                    journal_entry_number: row.journal_entry_number,
                })
                .collect(),
            milestones: schedule
                .milestones
                .into_iter()
                .map(|milestone| MilestoneRecognition {
                    obligation_id: id(milestone.obligation_id),
                    name: milestone.name,
                    expected_on: milestone.expected_on.map(date),
                    amount: milestone.amount.into(),
                    delivered: milestone.delivered,
                    satisfied_on: milestone.satisfied_on.map(date),
                })
                .collect(),
            modifications: schedule
                .modifications
                .into_iter()
                .map(RevenueModification::from)
                .collect(),
            ratable_method: schedule.ratable_method,
            override_method: schedule.override_method,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct RevenueContract {
    pub contract_id: ID,
    pub contract_number: String,
    pub customer_id: ID,
    pub customer_name: String,
    pub currency: String,
    pub start_date: IsoDate,
    pub end_date: IsoDate,
    pub tcv: Money,
    pub recognised_to_date: Money,
    pub remaining_to_recognise: Money,
    pub deferred_balance: Money,
    pub unbilled_balance: Money,
}

impl From<report::ContractSummary> for RevenueContract {
    fn from(row: report::ContractSummary) -> RevenueContract {
        RevenueContract {
            contract_id: id(row.contract_id),
            contract_number: row.contract_number,
            customer_id: id(row.customer_id),
            customer_name: row.customer_name,
            currency: row.currency.code().to_string(),
            start_date: date(row.start_date),
            end_date: date(row.end_date),
            tcv: row.tcv.into(),
            recognised_to_date: row.recognised_to_date.into(),
            remaining_to_recognise: row.remaining_to_recognise.into(),
            deferred_balance: row.deferred_balance.into(),
            unbilled_balance: row.unbilled_balance.into(),
        }
    }
}

connection!(
    RevenueContractConnection,
    RevenueContractEdge,
    RevenueContract
);

#[derive(Clone, SimpleObject)]
pub struct WaterfallCurrency {
    pub currency: String,
    /// Deferred revenue in the ledger on the date.
    pub deferred_balance: Money,
    /// Unbilled AR (contract asset) in the ledger on the date.
    pub unbilled_balance: Money,
    /// Everything planned with a date.
    pub scheduled: Money,
    /// Planned but waiting for delivery or acceptance (no date yet).
    pub awaiting_satisfaction: Money,
}

#[derive(Clone, SimpleObject)]
pub struct WaterfallMonth {
    pub currency: String,
    pub month: String,
    pub amount: Money,
}

/// Future recognition by month (anything overdue shows in the current month).
#[derive(Clone, SimpleObject)]
pub struct RevenueWaterfall {
    pub as_of: IsoDate,
    pub currencies: Vec<WaterfallCurrency>,
    pub rows: Vec<WaterfallMonth>,
}

#[derive(Clone, SimpleObject)]
pub struct RollforwardMonth {
    pub month: String,
    pub currency: String,
    pub opening_deferred: Money,
    pub billed: Money,
    pub recognised: Money,
    /// In the functional view, what moving the rates from the opening day to the month's last
    /// day did to deferred revenue; zero in a currency's own rows.
    pub fx_translation: Money,
    /// opening + billed − recognised + FX translation.
    pub closing_deferred: Money,
    pub opening_unbilled: Money,
    pub closing_unbilled: Money,
}

#[derive(Clone, SimpleObject)]
pub struct StreamMonth {
    pub month: String,
    pub currency: String,
    pub subscription: Money,
    pub services: Money,
    pub usage: Money,
    pub licence: Money,
    /// Contra revenue (credit memos on recognised revenue), negative.
    pub contra: Money,
    pub total: Money,
    /// Billed in the month, net of voids and credit memos.
    pub billed: Money,
}

#[derive(Clone, SimpleObject)]
pub struct RevenueRun {
    pub id: ID,
    pub period: String,
    pub as_of: IsoDate,
    pub contracts: i32,
    pub rows_recognised: i32,
    pub entries: i32,
    /// Recognised per currency.
    pub total: Vec<Money>,
    pub ran_at: DateTime<Utc>,
}

impl From<RunReport> for RevenueRun {
    fn from(report: RunReport) -> RevenueRun {
        RevenueRun {
            id: id(report.id),
            period: report.period,
            as_of: date(report.as_of),
            contracts: report.contracts,
            rows_recognised: report.rows_recognised,
            entries: report.entries,
            total: report.totals.into_iter().map(Money::from).collect(),
            ran_at: report.ran_at,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct LedgerPeriod {
    pub period: String,
    pub status: PeriodStatus,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by_name: Option<String>,
    pub reopened_at: Option<DateTime<Utc>>,
    pub reopen_reason: Option<String>,
}

impl From<revenue::LedgerPeriod> for LedgerPeriod {
    fn from(period: revenue::LedgerPeriod) -> LedgerPeriod {
        LedgerPeriod {
            period: period.period,
            status: period.status,
            closed_at: period.closed_at,
            closed_by_name: period.closed_by_name,
            reopened_at: period.reopened_at,
            reopen_reason: period.reopen_reason,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct PeriodCloseCheck {
    pub period: String,
    pub trial_balance_zero: bool,
    /// Schedule rows due by the period's end and not yet recognised.
    pub pending_rows: i64,
    pub pending_amount: Vec<Money>,
    pub earlier_open: Vec<String>,
    pub can_close: bool,
    pub problems: Vec<String>,
}

impl From<CloseCheck> for PeriodCloseCheck {
    fn from(check: CloseCheck) -> PeriodCloseCheck {
        PeriodCloseCheck {
            can_close: check.can_close(),
            period: check.period,
            trial_balance_zero: check.trial_balance_zero,
            pending_rows: check.pending_rows,
            pending_amount: check.pending_amount.into_iter().map(Money::from).collect(),
            earlier_open: check.earlier_open,
            problems: check.problems,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct RevenueSettings {
    pub ratable_method: RatableMethod,
}

#[derive(InputObject)]
pub struct ContractRevenueMethodSetInput {
    pub contract_id: ID,
    /// The contract's own convention; null returns it to the company's.
    pub method: Option<RatableMethod>,
}

#[derive(Clone, SimpleObject)]
pub struct ContractRevenueMethodSetPayload {
    pub contract_id: ID,
    /// The contract's own convention, if it has one.
    pub override_method: Option<RatableMethod>,
    /// The convention in force for the contract.
    pub ratable_method: RatableMethod,
}

#[derive(Clone, SimpleObject)]
pub struct SspPrice {
    pub id: ID,
    pub product_name: String,
    pub currency: String,
    pub basis: SspBasis,
    /// How the SSP was estimated (ASC 606-10-32-33/34).
    pub method: SspMethod,
    /// The SSP or the low end of its range; for the residual approach the low end of the
    /// prices seen (zero when none were); for cost plus margin the resulting price.
    pub low: Money,
    pub high: Money,
    /// The expected cost per unit, for cost plus margin.
    pub cost: Option<Money>,
    /// The margin over cost in percent, for cost plus margin.
    pub margin_percent: Option<String>,
    pub effective_from: IsoDate,
}

impl From<revenue::SspPrice> for SspPrice {
    fn from(price: revenue::SspPrice) -> SspPrice {
        SspPrice {
            id: id(price.id),
            product_name: price.product_name,
            currency: price.low.currency().code().to_string(),
            basis: price.basis,
            method: price.method,
            low: price.low.into(),
            high: price.high.into(),
            cost: price.cost.map(Into::into),
            margin_percent: price.margin_percent.map(|margin| margin.to_string()),
            effective_from: date(price.effective_from),
        }
    }
}

#[derive(InputObject)]
pub struct SspPriceSetInput {
    pub product_name: String,
    pub basis: SspBasis,
    /// How the SSP is estimated; an observable price or range when left out.
    #[graphql(default)]
    pub method: SspMethod,
    /// The SSP, or the low end of its range (observable, adjusted market); for the residual
    /// approach the low end of the prices seen, if any. Not used for cost plus margin.
    pub low: Option<MoneyInput>,
    /// The high end of the range; the same as `low` for a single price.
    pub high: Option<MoneyInput>,
    /// Expected cost per unit (or unit-year), for cost plus margin.
    pub cost: Option<MoneyInput>,
    /// Margin over cost in percent (e.g. "25"), for cost plus margin.
    pub margin_percent: Option<String>,
    /// The currency, when no amount is given (a residual with no range seen).
    pub currency: Option<String>,
    pub effective_from: IsoDate,
}

#[derive(Default)]
pub struct RevenueQuery;

#[Object]
impl RevenueQuery {
    /// Contracts with their recognition summary, newest first.
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn revenue_contracts(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<RevenueContractConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let rows = app(ctx)
            .revenue
            .contracts(actor(ctx)?, page, search)
            .await?;
        Ok(RevenueContractConnection::from_page(
            rows,
            RevenueContract::from,
        ))
    }

    /// A contract's recognition schedule, obligations and allocation.
    async fn revenue_schedule(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
    ) -> async_graphql::Result<RevenueSchedule> {
        let contract_id = parse_id("contractId", &contract_id)?;
        Ok(app(ctx)
            .revenue
            .schedule(actor(ctx)?, contract_id)
            .await?
            .into())
    }

    /// Deferred revenue waterfall: future recognition by month from `asOf` (default today).
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn revenue_waterfall(
        &self,
        ctx: &Context<'_>,
        as_of: Option<IsoDate>,
        months: Option<i32>,
    ) -> async_graphql::Result<RevenueWaterfall> {
        let app = app(ctx);
        let as_of = as_of.map(|date| date.0).unwrap_or(app.clock.today());
        let months = u32::try_from(months.unwrap_or(12)).unwrap_or(0);
        let data = app.revenue.waterfall(actor(ctx)?, as_of, months).await?;
        Ok(RevenueWaterfall {
            as_of: date(data.as_of),
            currencies: data
                .currencies
                .into_iter()
                .map(|row| WaterfallCurrency {
                    currency: row.currency.code().to_string(),
                    deferred_balance: row.deferred_balance.into(),
                    unbilled_balance: row.unbilled_balance.into(),
                    scheduled: row.scheduled.into(),
                    awaiting_satisfaction: row.awaiting_satisfaction.into(),
                })
                .collect(),
            rows: data
                .rows
                .into_iter()
                .map(|row| WaterfallMonth {
                    currency: row.currency.code().to_string(),
                    month: row.month,
                    amount: row.amount.into(),
                })
                .collect(),
        })
    }

    /// Remaining performance obligations (ASC 606-10-50-13) as of a day (default today): the
    /// fixed consideration allocated to what is not yet satisfied, by when it is expected to be
    /// recognised, per currency and stream. Variable consideration recognised as earned (T&M,
    /// usage) is left out (50-14(b)).
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn remaining_performance_obligations(
        &self,
        ctx: &Context<'_>,
        as_of: Option<IsoDate>,
    ) -> async_graphql::Result<RemainingObligations> {
        let app = app(ctx);
        let as_of = as_of.map(|date| date.0).unwrap_or(app.clock.today());
        let data = app
            .revenue
            .remaining_obligations(actor(ctx)?, as_of)
            .await?;
        Ok(RemainingObligations {
            as_of: date(data.as_of),
            currencies: data
                .currencies
                .into_iter()
                .map(|row| RpoCurrency {
                    currency: row.currency.code().to_string(),
                    contracts: row.contracts,
                    figures: row.figures.into(),
                    streams: row
                        .streams
                        .into_iter()
                        .map(|stream| RpoStream {
                            stream: stream.stream,
                            figures: stream.figures.into(),
                        })
                        .collect(),
                })
                .collect(),
        })
    }

    /// Opening deferred + billed − recognised (+ FX translation) = closing, per month
    /// ("YYYY-MM"): for each currency (`EACH_CURRENCY`, the default) or every currency in the
    /// functional currency (`FUNCTIONAL`: balances at their day's rate, the month's movements at
    /// its last day's rate, and the translation that closes the difference).
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn revenue_rollforward(
        &self,
        ctx: &Context<'_>,
        from: String,
        to: String,
        view: Option<CurrencyView>,
    ) -> async_graphql::Result<Vec<RollforwardMonth>> {
        let (rows, warnings) = app(ctx)
            .revenue
            .rollforward(
                actor(ctx)?,
                &from,
                &to,
                view.unwrap_or(CurrencyView::EachCurrency),
            )
            .await?;
        refuse_missing_rates(warnings)?;
        Ok(rows
            .into_iter()
            .map(|row| RollforwardMonth {
                month: row.month,
                currency: row.currency.code().to_string(),
                opening_deferred: row.opening_deferred.into(),
                billed: row.billed.into(),
                recognised: row.recognised.into(),
                fx_translation: row.fx_translation.into(),
                closing_deferred: row.closing_deferred.into(),
                opening_unbilled: row.opening_unbilled.into(),
                closing_unbilled: row.closing_unbilled.into(),
            })
            .collect())
    }

    /// Revenue recognised by stream and month, with what was billed: for each currency (the
    /// default) or in the functional currency (each month at its last day's rate).
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn revenue_by_stream(
        &self,
        ctx: &Context<'_>,
        from: String,
        to: String,
        view: Option<CurrencyView>,
    ) -> async_graphql::Result<Vec<StreamMonth>> {
        let (rows, warnings) = app(ctx)
            .revenue
            .by_stream(
                actor(ctx)?,
                &from,
                &to,
                view.unwrap_or(CurrencyView::EachCurrency),
            )
            .await?;
        refuse_missing_rates(warnings)?;
        Ok(rows
            .into_iter()
            .map(|row| StreamMonth {
                month: row.month,
                currency: row.currency.code().to_string(),
                subscription: row.subscription.into(),
                services: row.services.into(),
                usage: row.usage.into(),
                licence: row.licence.into(),
                contra: row.contra.into(),
                total: row.total.into(),
                billed: row.billed.into(),
            })
            .collect())
    }

    /// The latest recognition runs.
    async fn revenue_runs(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RevenueRun>> {
        Ok(app(ctx)
            .revenue
            .runs(actor(ctx)?)
            .await?
            .into_iter()
            .map(RevenueRun::from)
            .collect())
    }

    /// Months ever closed and the last twelve, newest first.
    async fn ledger_periods(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LedgerPeriod>> {
        Ok(app(ctx)
            .revenue
            .periods(actor(ctx)?)
            .await?
            .into_iter()
            .map(LedgerPeriod::from)
            .collect())
    }

    /// What stands between a month and its close.
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn period_close_check(
        &self,
        ctx: &Context<'_>,
        period: String,
    ) -> async_graphql::Result<PeriodCloseCheck> {
        Ok(app(ctx)
            .revenue
            .close_check(actor(ctx)?, &period)
            .await?
            .into())
    }

    async fn revenue_settings(&self, ctx: &Context<'_>) -> async_graphql::Result<RevenueSettings> {
        Ok(RevenueSettings {
            ratable_method: app(ctx).revenue.settings(actor(ctx)?).await?,
        })
    }

    /// The standalone selling price table.
    async fn ssp_prices(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SspPrice>> {
        Ok(app(ctx)
            .revenue
            .ssp_prices(actor(ctx)?)
            .await?
            .into_iter()
            .map(SspPrice::from)
            .collect())
    }
}

#[derive(Default)]
pub struct RevenueMutation;

#[Object]
impl RevenueMutation {
    /// Recognises everything due in a period ("YYYY-MM") up to today; a rerun finds nothing new.
    async fn revenue_run(
        &self,
        ctx: &Context<'_>,
        period: String,
    ) -> async_graphql::Result<RevenueRun> {
        Ok(app(ctx).revenue.run(actor(ctx)?, &period).await?.into())
    }

    /// Closes a month: no posting may be dated in it afterwards. The CFO only.
    async fn period_close(
        &self,
        ctx: &Context<'_>,
        period: String,
    ) -> async_graphql::Result<LedgerPeriod> {
        Ok(app(ctx).revenue.close(actor(ctx)?, &period).await?.into())
    }

    /// Reopens the latest closed month, with a reason. The CFO only.
    async fn period_reopen(
        &self,
        ctx: &Context<'_>,
        period: String,
        reason: String,
    ) -> async_graphql::Result<LedgerPeriod> {
        Ok(app(ctx)
            .revenue
            .reopen(actor(ctx)?, &period, &reason)
            .await?
            .into())
    }

    /// Adds an SSP table entry (a price, or a range) effective from a date.
    async fn ssp_price_set(
        &self,
        ctx: &Context<'_>,
        input: SspPriceSetInput,
    ) -> async_graphql::Result<SspPrice> {
        let margin_percent = input
            .margin_percent
            .map(|text| {
                text.trim().parse::<rust_decimal::Decimal>().map_err(|_| {
                    AppError::validation(
                        "marginPercent",
                        format!("\"{text}\" is not a percent; write it like 25 or 12.5."),
                    )
                })
            })
            .transpose()?;
        let price = SspInput {
            product_name: input.product_name,
            basis: input.basis,
            method: input.method,
            currency: input
                .currency
                .map(|code| crate::money::Currency::parse(&code))
                .transpose()
                .map_err(|_| {
                    AppError::validation("currency", "Use an ISO 4217 code such as USD.")
                })?,
            low: input.low.map(|low| low.parse("low")).transpose()?,
            high: input.high.map(|high| high.parse("high")).transpose()?,
            cost: input.cost.map(|cost| cost.parse("cost")).transpose()?,
            margin_percent,
            effective_from: input.effective_from.0,
        };
        Ok(app(ctx).revenue.set_ssp(actor(ctx)?, price).await?.into())
    }

    /// The company's ratable method for schedules built from now on. The CFO only.
    async fn revenue_method_set(
        &self,
        ctx: &Context<'_>,
        method: RatableMethod,
    ) -> async_graphql::Result<RevenueSettings> {
        Ok(RevenueSettings {
            ratable_method: app(ctx).revenue.set_method(actor(ctx)?, method).await?,
        })
    }

    /// A contract's own ratable convention (method null: back to the company's). The CFO only;
    /// what the contract has not yet recognised is re-planned in open periods.
    async fn contract_revenue_method_set(
        &self,
        ctx: &Context<'_>,
        input: ContractRevenueMethodSetInput,
    ) -> async_graphql::Result<ContractRevenueMethodSetPayload> {
        let result = app(ctx)
            .revenue
            .set_contract_method(actor(ctx)?, input.contract_id.as_str(), input.method)
            .await?;
        Ok(ContractRevenueMethodSetPayload {
            contract_id: id(result.contract_id),
            override_method: result.override_method,
            ratable_method: result.method,
        })
    }

    /// Marks the lines that carry the contract's discount (empty = all) and allocates again;
    /// only before anything of the contract is billed or recognised.
    async fn revenue_discount_assign(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
        contract_line_ids: Vec<ID>,
    ) -> async_graphql::Result<RevenueSchedule> {
        let ids: Vec<String> = contract_line_ids.into_iter().map(|id| id.0).collect();
        Ok(app(ctx)
            .revenue
            .assign_discount(actor(ctx)?, &contract_id, &ids)
            .await?
            .into())
    }
}

/// A functional view that would leave a currency out for want of an FX rate is refused rather
/// than shown short: the message names the currency and the date, and the per-currency view
/// still answers.
fn refuse_missing_rates(warnings: Vec<String>) -> async_graphql::Result<()> {
    match warnings.first() {
        None => Ok(()),
        Some(_) => Err(crate::error::AppError::validation(
            "view",
            format!(
                "{} Set the rate, or show each currency on its own.",
                warnings.join(" ")
            ),
        )
        .into()),
    }
}
