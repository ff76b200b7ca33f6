//! The revenue-recognition part of the API (ASC 606): contracts with their recognition
//! position, a contract's schedule (obligations, allocation, rows, milestones, modifications),
//! the deferred revenue waterfall, the rollforward, revenue by stream, recognition runs, period
//! close, the ratable method and the SSP table.

use serde::Deserialize;
use serde_json::Value;

use super::{enum_value, input_value, ops};
use super::{field, ApiError, Connection, Money};

/// How the SSP table states a price (`SspBasis`).
pub const SSP_BASES: [&str; 2] = ["PER_UNIT_YEAR", "PER_UNIT"];

/// How an SSP is estimated (`SspMethod`, ASC 606-10-32-33/34).
pub const SSP_METHODS: [&str; 4] = [
    "OBSERVABLE",
    "ADJUSTED_MARKET",
    "EXPECTED_COST_PLUS_MARGIN",
    "RESIDUAL",
];

/// The ratable conventions (`RatableMethod`) the company, or a contract, can follow.
pub const RATABLE_METHODS: [&str; 4] = ["MONTHLY_EQUAL", "MONTHLY_PRORATED", "HALF_MONTH", "DAILY"];

/// A row of the revenue contracts list.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevenueContractRow {
    pub contract_id: String,
    pub contract_number: String,
    pub customer_id: String,
    pub customer_name: String,
    pub currency: String,
    pub start_date: String,
    pub end_date: String,
    pub tcv: Money,
    pub recognised_to_date: Money,
    pub remaining_to_recognise: Money,
    pub deferred_balance: Money,
    pub unbilled_balance: Money,
}

/// A performance obligation with the inputs of its allocation and its progress.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Obligation {
    pub id: String,
    pub contract_line_id: String,
    pub product_name: String,
    pub pattern: String,
    /// The revenue account it is recognised into ("4000" subscription, "4010" services…).
    pub stream_account: String,
    pub service_start: String,
    /// Exclusive: the day after the last day of service.
    pub service_end: String,
    /// The price stated on the contract line.
    pub stated: Money,
    /// Its standalone selling price over its term.
    pub ssp: Money,
    /// Where the SSP came from, in words (the SSP table range, the stated price…).
    pub ssp_source: String,
    pub carries_discount: bool,
    pub allocated: Money,
    pub recognised: Money,
    pub remaining: Money,
    pub satisfied_on: Option<String>,
    /// A milestone delivered and waiting for the customer's acceptance.
    #[serde(default)]
    pub awaiting_acceptance: bool,
}

/// One amount of revenue, recognised or still planned.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecognitionRow {
    pub id: String,
    pub obligation_id: String,
    pub product_name: String,
    /// "ratable", "satisfaction", "catch_up", "adjustment", "timesheet" or "usage".
    pub kind: String,
    /// "YYYY-MM"; none for a milestone awaiting acceptance (then `expected_on` is set).
    pub month: Option<String>,
    pub period_start: Option<String>,
    /// Exclusive, like the obligation's service end.
    pub period_end: Option<String>,
    pub recognise_on: Option<String>,
    pub expected_on: Option<String>,
    pub amount: Money,
    /// "planned" or "recognised".
    pub status: String,
    pub journal_entry_number: Option<String>,
}

impl RecognitionRow {
    pub fn is_recognised(&self) -> bool {
        self.status.eq_ignore_ascii_case("recognised")
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevenueMilestone {
    pub obligation_id: String,
    pub name: String,
    pub expected_on: Option<String>,
    pub amount: Money,
    pub delivered: bool,
    pub satisfied_on: Option<String>,
}

/// A contract modification and how it was accounted for.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevenueModification {
    pub id: String,
    /// combined, separate, prospective, catch_up, price_concession or discount_assignment.
    pub treatment: String,
    pub effective_date: String,
    pub reason: String,
    pub created_at: String,
    /// JSON text: each obligation's price and planned rows before and after the change.
    pub before: String,
    pub after: String,
    /// JSON text: what a contract modification changed, in the order it was applied.
    #[serde(default)]
    pub changes: Option<String>,
}

/// What `contractModify` did: the treatment and the modification log entry.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractModification {
    pub treatment: String,
    pub modification: RevenueModification,
}

/// Remaining performance obligations in one currency or stream, by expected recognition.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RpoFigures {
    pub total: Money,
    pub within12_months: Money,
    pub months13_to24: Money,
    pub beyond24_months: Money,
    pub date_not_known: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RpoStream {
    pub stream: String,
    pub figures: RpoFigures,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RpoCurrency {
    pub currency: String,
    pub contracts: i64,
    pub figures: RpoFigures,
    #[serde(default)]
    pub streams: Vec<RpoStream>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemainingObligations {
    pub as_of: String,
    #[serde(default)]
    pub currencies: Vec<RpoCurrency>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevenueSchedule {
    pub contract_id: String,
    pub contract_number: String,
    pub customer_id: String,
    pub customer_name: String,
    pub currency: String,
    pub start_date: String,
    pub end_date: String,
    pub tcv: Money,
    pub arr: Money,
    pub months_total: i64,
    pub monthly_recognition: Money,
    pub allocated_total: Money,
    pub billed_to_date: Money,
    pub recognised_to_date: Money,
    pub remaining_to_recognise: Money,
    pub deferred_balance: Money,
    pub unbilled_balance: Money,
    #[serde(default)]
    pub obligations: Vec<Obligation>,
    #[serde(default)]
    pub rows: Vec<RecognitionRow>,
    #[serde(default)]
    pub milestones: Vec<RevenueMilestone>,
    #[serde(default)]
    pub modifications: Vec<RevenueModification>,
    /// The ratable convention the schedule follows (`RatableMethod`).
    pub ratable_method: String,
    /// The contract's own convention, when it overrides the company's.
    pub override_method: Option<String>,
}

/// One currency's balances in the waterfall.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaterfallCurrency {
    pub currency: String,
    pub deferred_balance: Money,
    pub unbilled_balance: Money,
    /// Future recognition with a month.
    pub scheduled: Money,
    /// Milestones waiting for acceptance, with no month yet.
    pub awaiting_satisfaction: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaterfallRow {
    pub currency: String,
    pub month: String,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevenueWaterfall {
    pub as_of: String,
    #[serde(default)]
    pub currencies: Vec<WaterfallCurrency>,
    #[serde(default)]
    pub rows: Vec<WaterfallRow>,
}

/// One month of the deferred and unbilled rollforward in one currency.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollforwardMonth {
    pub month: String,
    pub currency: String,
    pub opening_deferred: Money,
    pub billed: Money,
    pub recognised: Money,
    /// In the functional view: what the rates' move did to deferred revenue; zero otherwise.
    pub fx_translation: Money,
    pub closing_deferred: Money,
    pub opening_unbilled: Money,
    pub closing_unbilled: Money,
}

/// Revenue recognised in one month by stream, with what was billed.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamMonth {
    pub month: String,
    pub currency: String,
    pub subscription: Money,
    pub services: Money,
    pub usage: Money,
    pub licence: Money,
    pub contra: Money,
    pub total: Money,
    pub billed: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevenueRun {
    pub id: String,
    pub period: String,
    pub as_of: String,
    pub contracts: i64,
    pub rows_recognised: i64,
    pub entries: i64,
    #[serde(default)]
    pub total: Vec<Money>,
    pub ran_at: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerPeriod {
    pub period: String,
    /// "OPEN" or "CLOSED".
    pub status: String,
    pub closed_at: Option<String>,
    pub closed_by_name: Option<String>,
    pub reopened_at: Option<String>,
    pub reopen_reason: Option<String>,
}

impl LedgerPeriod {
    pub fn is_closed(&self) -> bool {
        self.status.eq_ignore_ascii_case("CLOSED")
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeriodCloseCheck {
    pub period: String,
    pub trial_balance_zero: bool,
    pub pending_rows: i64,
    #[serde(default)]
    pub pending_amount: Vec<Money>,
    #[serde(default)]
    pub earlier_open: Vec<String>,
    pub can_close: bool,
    #[serde(default)]
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevenueSettings {
    pub ratable_method: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SspPrice {
    pub id: String,
    pub product_name: String,
    pub currency: String,
    pub basis: String,
    pub method: String,
    pub low: Money,
    pub high: Money,
    pub cost: Option<Money>,
    pub margin_percent: Option<String>,
    pub effective_from: String,
}

/// What a contract modification would bill, before it is recorded: the credits and charges it
/// makes due on the lines' next invoice, each with its proration stated.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractModificationPreview {
    pub treatment: String,
    pub total: Money,
    pub charges: Vec<crate::api::BillingScheduleRow>,
}

/// Works out what a modification would bill; `input` is the `ContractModifyInput` the form
/// would record. Nothing is written.
pub async fn contract_modify_preview(
    input: Value,
) -> Result<ContractModificationPreview, ApiError> {
    field::<ops::ContractModifyPreview, _>(
        "contractModifyPreview",
        ops::contract_modify_preview::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

/// Records a contract modification; `input` is a `ContractModifyInput`.
pub async fn contract_modify(input: Value) -> Result<ContractModification, ApiError> {
    field::<ops::ContractModify, _>(
        "contractModify",
        ops::contract_modify::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

/// Records that a perpetual licence line was delivered on a day (the whole quantity, or
/// `quantity` units of it); the part is billed and recognised on that day.
pub async fn contract_line_deliver(
    line_id: String,
    delivered_on: String,
    quantity: Option<String>,
) -> Result<Value, ApiError> {
    field::<ops::ContractLineDeliver, _>(
        "contractLineDeliver",
        ops::contract_line_deliver::Variables {
            id: line_id,
            delivered_on: Some(delivered_on),
            quantity,
        },
    )
    .await
}

/// Records the customer's acceptance of a milestone line on a day, with a note.
pub async fn contract_line_accept(
    line_id: String,
    accepted_on: String,
    note: String,
) -> Result<Value, ApiError> {
    field::<ops::ContractLineAccept, _>(
        "contractLineAccept",
        ops::contract_line_accept::Variables {
            id: line_id,
            note,
            accepted_on: Some(accepted_on),
        },
    )
    .await
}

/// Sets a contract's own ratable convention (`None`: back to the company's).
pub async fn contract_revenue_method_set(
    contract_id: String,
    method: Option<String>,
) -> Result<Value, ApiError> {
    field::<ops::ContractRevenueMethodSet, _>(
        "contractRevenueMethodSet",
        ops::contract_revenue_method_set::Variables {
            input: ops::contract_revenue_method_set::ContractRevenueMethodSetInput {
                contract_id,
                method: method.map(enum_value),
            },
        },
    )
    .await
}

/// Remaining performance obligations as of a day (ASC 606-10-50-13).
pub async fn remaining_obligations(as_of: String) -> Result<RemainingObligations, ApiError> {
    field::<ops::RemainingObligations, _>(
        "remainingPerformanceObligations",
        ops::remaining_obligations::Variables { as_of: Some(as_of) },
    )
    .await
}

pub async fn revenue_contracts(
    search: Option<String>,
    after: Option<String>,
    first: u32,
) -> Result<Connection<RevenueContractRow>, ApiError> {
    field::<ops::RevenueContracts, _>(
        "revenueContracts",
        ops::revenue_contracts::Variables {
            first: Some(i64::from(first)),
            after,
            search,
        },
    )
    .await
}

pub async fn revenue_schedule(contract_id: String) -> Result<RevenueSchedule, ApiError> {
    field::<ops::RevenueSchedule, _>(
        "revenueSchedule",
        ops::revenue_schedule::Variables { contract_id },
    )
    .await
}

/// Marks the contract lines that carry the contract's discount (empty: all of them) and
/// allocates the price again; the server allows it only before anything is billed or recognised.
pub async fn revenue_discount_assign(
    contract_id: String,
    contract_line_ids: Vec<String>,
) -> Result<RevenueSchedule, ApiError> {
    field::<ops::RevenueDiscountAssign, _>(
        "revenueDiscountAssign",
        ops::revenue_discount_assign::Variables {
            contract_id,
            contract_line_ids,
        },
    )
    .await
}

pub async fn revenue_waterfall(as_of: String, months: u32) -> Result<RevenueWaterfall, ApiError> {
    field::<ops::RevenueWaterfall, _>(
        "revenueWaterfall",
        ops::revenue_waterfall::Variables {
            as_of,
            months: Some(i64::from(months)),
        },
    )
    .await
}

/// The rollforward per month; `functional`: every currency added up in the functional
/// currency (with the FX translation line), else each currency on its own.
pub async fn revenue_rollforward(
    from: String,
    to: String,
    functional: bool,
) -> Result<Vec<RollforwardMonth>, ApiError> {
    field::<ops::RevenueRollforward, _>(
        "revenueRollforward",
        ops::revenue_rollforward::Variables {
            from,
            to,
            view: Some(enum_value(currency_view(functional))),
        },
    )
    .await
}

pub async fn revenue_by_stream(
    from: String,
    to: String,
    functional: bool,
) -> Result<Vec<StreamMonth>, ApiError> {
    field::<ops::RevenueByStream, _>(
        "revenueByStream",
        ops::revenue_by_stream::Variables {
            from,
            to,
            view: Some(enum_value(currency_view(functional))),
        },
    )
    .await
}

fn currency_view(functional: bool) -> &'static str {
    if functional {
        "FUNCTIONAL"
    } else {
        "EACH_CURRENCY"
    }
}

pub async fn revenue_runs() -> Result<Vec<RevenueRun>, ApiError> {
    field::<ops::RevenueRuns, _>("revenueRuns", ops::revenue_runs::Variables).await
}

pub async fn revenue_run(period: String) -> Result<RevenueRun, ApiError> {
    field::<ops::RevenueRun, _>("revenueRun", ops::revenue_run::Variables { period }).await
}

pub async fn ledger_periods() -> Result<Vec<LedgerPeriod>, ApiError> {
    field::<ops::LedgerPeriods, _>("ledgerPeriods", ops::ledger_periods::Variables).await
}

pub async fn period_close_check(period: String) -> Result<PeriodCloseCheck, ApiError> {
    field::<ops::PeriodCloseCheck, _>(
        "periodCloseCheck",
        ops::period_close_check::Variables { period },
    )
    .await
}

pub async fn period_close(period: String) -> Result<LedgerPeriod, ApiError> {
    field::<ops::PeriodClose, _>("periodClose", ops::period_close::Variables { period }).await
}

pub async fn period_reopen(period: String, reason: String) -> Result<LedgerPeriod, ApiError> {
    field::<ops::PeriodReopen, _>(
        "periodReopen",
        ops::period_reopen::Variables { period, reason },
    )
    .await
}

pub async fn revenue_settings() -> Result<RevenueSettings, ApiError> {
    field::<ops::RevenueSettings, _>("revenueSettings", ops::revenue_settings::Variables).await
}

pub async fn revenue_method_set(method: String) -> Result<RevenueSettings, ApiError> {
    field::<ops::RevenueMethodSet, _>(
        "revenueMethodSet",
        ops::revenue_method_set::Variables {
            method: enum_value(method),
        },
    )
    .await
}

pub async fn ssp_prices() -> Result<Vec<SspPrice>, ApiError> {
    field::<ops::SspPrices, _>("sspPrices", ops::ssp_prices::Variables).await
}

/// Adds an SSP table entry (`input` is an `SspPriceSetInput`: which amounts it carries depends
/// on the method).
pub async fn ssp_price_set(input: Value) -> Result<SspPrice, ApiError> {
    field::<ops::SspPriceSet, _>(
        "sspPriceSet",
        ops::ssp_price_set::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

/// The authenticated CSV export of one revenue report, e.g.
/// `revenue_export_url("rollforward", &[("from", "2026-06"), ("to", "2026-11")])`.
pub fn revenue_export_url(report: &str, params: &[(&str, &str)]) -> String {
    let mut url = format!(
        "/api/revenue/export?report={}",
        String::from(js_sys::encode_uri_component(report))
    );
    for (key, value) in params {
        url.push_str(&format!(
            "&{key}={}",
            String::from(js_sys::encode_uri_component(value))
        ));
    }
    url
}
