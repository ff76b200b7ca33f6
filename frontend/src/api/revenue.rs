//! The revenue-recognition part of the API (ASC 606): contracts with their recognition
//! position, a contract's schedule (obligations, allocation, rows, milestones, modifications),
//! the deferred revenue waterfall, the rollforward, revenue by stream, recognition runs, period
//! close, the ratable method and the SSP table.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{field, ApiError, Connection, Money, MONEY};

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

fn revenue_contract_fields() -> String {
    format!(
        "contractId contractNumber customerId customerName currency startDate endDate \
         tcv {MONEY} recognisedToDate {MONEY} remainingToRecognise {MONEY} \
         deferredBalance {MONEY} unbilledBalance {MONEY}"
    )
}

fn revenue_schedule_fields() -> String {
    format!(
        "contractId contractNumber customerId customerName currency startDate endDate \
         tcv {MONEY} arr {MONEY} monthsTotal monthlyRecognition {MONEY} allocatedTotal {MONEY} \
         billedToDate {MONEY} recognisedToDate {MONEY} remainingToRecognise {MONEY} \
         deferredBalance {MONEY} unbilledBalance {MONEY} \
         obligations {{ id contractLineId productName pattern streamAccount serviceStart serviceEnd \
           stated {MONEY} ssp {MONEY} sspSource carriesDiscount allocated {MONEY} \
           recognised {MONEY} remaining {MONEY} satisfiedOn awaitingAcceptance }} \
         rows {{ id obligationId productName kind month periodStart periodEnd recogniseOn \
           expectedOn amount {MONEY} status journalEntryNumber }} \
         milestones {{ obligationId name expectedOn amount {MONEY} delivered satisfiedOn }} \
         modifications {{ {MODIFICATION_FIELDS} }} ratableMethod overrideMethod"
    )
}

const MODIFICATION_FIELDS: &str =
    "id treatment effectiveDate reason createdAt before after changes";

fn rpo_figure_fields() -> String {
    format!(
        "total {MONEY} within12Months {MONEY} months13To24 {MONEY} beyond24Months {MONEY} \
         dateNotKnown {MONEY}"
    )
}

/// Records a contract modification; `input` is a `ContractModifyInput`.
pub async fn contract_modify(input: Value) -> Result<ContractModification, ApiError> {
    let query = format!(
        "mutation ContractModify($input: ContractModifyInput!) {{ contractModify(input: $input) {{ \
           treatment modification {{ {MODIFICATION_FIELDS} }} }} }}"
    );
    field("contractModify", &query, json!({ "input": input })).await
}

/// Records that a perpetual licence line was delivered on a day (the whole quantity, or
/// `quantity` units of it); the part is billed and recognised on that day.
pub async fn contract_line_deliver(
    line_id: String,
    delivered_on: String,
    quantity: Option<String>,
) -> Result<Value, ApiError> {
    field(
        "contractLineDeliver",
        "mutation ContractLineDeliver($id: ID!, $deliveredOn: Date, $quantity: String) { \
         contractLineDeliver(id: $id, deliveredOn: $deliveredOn, quantity: $quantity) { id } }",
        json!({ "id": line_id, "deliveredOn": delivered_on, "quantity": quantity }),
    )
    .await
}

/// Records the customer's acceptance of a milestone line on a day, with a note.
pub async fn contract_line_accept(
    line_id: String,
    accepted_on: String,
    note: String,
) -> Result<Value, ApiError> {
    field(
        "contractLineAccept",
        "mutation ContractLineAccept($id: ID!, $note: String!, $acceptedOn: Date) { \
         contractLineAccept(id: $id, note: $note, acceptedOn: $acceptedOn) { id } }",
        json!({ "id": line_id, "note": note, "acceptedOn": accepted_on }),
    )
    .await
}

/// Sets a contract's own ratable convention (`None`: back to the company's).
pub async fn contract_revenue_method_set(
    contract_id: String,
    method: Option<String>,
) -> Result<Value, ApiError> {
    field(
        "contractRevenueMethodSet",
        "mutation ContractRevenueMethodSet($input: ContractRevenueMethodSetInput!) { \
         contractRevenueMethodSet(input: $input) { contractId overrideMethod ratableMethod } }",
        json!({ "input": { "contractId": contract_id, "method": method } }),
    )
    .await
}

/// Remaining performance obligations as of a day (ASC 606-10-50-13).
pub async fn remaining_obligations(as_of: String) -> Result<RemainingObligations, ApiError> {
    let figures = rpo_figure_fields();
    let query = format!(
        "query RemainingObligations($asOf: Date) {{ remainingPerformanceObligations(asOf: $asOf) {{ \
           asOf currencies {{ currency contracts figures {{ {figures} }} \
             streams {{ stream figures {{ {figures} }} }} }} }} }}"
    );
    field(
        "remainingPerformanceObligations",
        &query,
        json!({ "asOf": as_of }),
    )
    .await
}

fn revenue_run_fields() -> String {
    format!("id period asOf contracts rowsRecognised entries total {MONEY} ranAt")
}

const LEDGER_PERIOD_FIELDS: &str = "period status closedAt closedByName reopenedAt reopenReason";

fn ssp_price_fields() -> String {
    format!(
        "id productName currency basis method low {MONEY} high {MONEY} cost {MONEY} \
         marginPercent effectiveFrom"
    )
}

pub async fn revenue_contracts(
    search: Option<String>,
    after: Option<String>,
    first: u32,
) -> Result<Connection<RevenueContractRow>, ApiError> {
    let query = format!(
        "query RevenueContracts($first: Int, $after: String, $search: String) {{ \
           revenueContracts(first: $first, after: $after, search: $search) {{ \
             nodes {{ {} }} pageInfo {{ hasNextPage endCursor }} totalCount }} }}",
        revenue_contract_fields()
    );
    field(
        "revenueContracts",
        &query,
        json!({ "first": first, "after": after, "search": search }),
    )
    .await
}

pub async fn revenue_schedule(contract_id: String) -> Result<RevenueSchedule, ApiError> {
    let query = format!(
        "query RevenueSchedule($contractId: ID!) {{ revenueSchedule(contractId: $contractId) {{ {} }} }}",
        revenue_schedule_fields()
    );
    field(
        "revenueSchedule",
        &query,
        json!({ "contractId": contract_id }),
    )
    .await
}

/// Marks the contract lines that carry the contract's discount (empty: all of them) and
/// allocates the price again; the server allows it only before anything is billed or recognised.
pub async fn revenue_discount_assign(
    contract_id: String,
    contract_line_ids: Vec<String>,
) -> Result<RevenueSchedule, ApiError> {
    let query = format!(
        "mutation RevenueDiscountAssign($contractId: ID!, $contractLineIds: [ID!]!) {{ \
           revenueDiscountAssign(contractId: $contractId, contractLineIds: $contractLineIds) {{ {} }} }}",
        revenue_schedule_fields()
    );
    field(
        "revenueDiscountAssign",
        &query,
        json!({ "contractId": contract_id, "contractLineIds": contract_line_ids }),
    )
    .await
}

pub async fn revenue_waterfall(as_of: String, months: u32) -> Result<RevenueWaterfall, ApiError> {
    let query = format!(
        "query RevenueWaterfall($asOf: Date!, $months: Int) {{ \
           revenueWaterfall(asOf: $asOf, months: $months) {{ asOf \
             currencies {{ currency deferredBalance {MONEY} unbilledBalance {MONEY} \
               scheduled {MONEY} awaitingSatisfaction {MONEY} }} \
             rows {{ currency month amount {MONEY} }} }} }}"
    );
    field(
        "revenueWaterfall",
        &query,
        json!({ "asOf": as_of, "months": months }),
    )
    .await
}

pub async fn revenue_rollforward(
    from: String,
    to: String,
) -> Result<Vec<RollforwardMonth>, ApiError> {
    let query = format!(
        "query RevenueRollforward($from: String!, $to: String!) {{ \
           revenueRollforward(from: $from, to: $to) {{ month currency openingDeferred {MONEY} \
           billed {MONEY} recognised {MONEY} closingDeferred {MONEY} openingUnbilled {MONEY} \
           closingUnbilled {MONEY} }} }}"
    );
    field(
        "revenueRollforward",
        &query,
        json!({ "from": from, "to": to }),
    )
    .await
}

pub async fn revenue_by_stream(from: String, to: String) -> Result<Vec<StreamMonth>, ApiError> {
    let query = format!(
        "query RevenueByStream($from: String!, $to: String!) {{ \
           revenueByStream(from: $from, to: $to) {{ month currency subscription {MONEY} \
           services {MONEY} usage {MONEY} licence {MONEY} contra {MONEY} total {MONEY} \
           billed {MONEY} }} }}"
    );
    field("revenueByStream", &query, json!({ "from": from, "to": to })).await
}

pub async fn revenue_runs() -> Result<Vec<RevenueRun>, ApiError> {
    let query = format!(
        "query RevenueRuns {{ revenueRuns {{ {} }} }}",
        revenue_run_fields()
    );
    field("revenueRuns", &query, json!({})).await
}

pub async fn revenue_run(period: String) -> Result<RevenueRun, ApiError> {
    let query = format!(
        "mutation RevenueRun($period: String!) {{ revenueRun(period: $period) {{ {} }} }}",
        revenue_run_fields()
    );
    field("revenueRun", &query, json!({ "period": period })).await
}

pub async fn ledger_periods() -> Result<Vec<LedgerPeriod>, ApiError> {
    let query = format!("query LedgerPeriods {{ ledgerPeriods {{ {LEDGER_PERIOD_FIELDS} }} }}");
    field("ledgerPeriods", &query, json!({})).await
}

pub async fn period_close_check(period: String) -> Result<PeriodCloseCheck, ApiError> {
    let query = format!(
        "query PeriodCloseCheck($period: String!) {{ periodCloseCheck(period: $period) {{ \
           period trialBalanceZero pendingRows pendingAmount {MONEY} earlierOpen canClose \
           problems }} }}"
    );
    field("periodCloseCheck", &query, json!({ "period": period })).await
}

pub async fn period_close(period: String) -> Result<LedgerPeriod, ApiError> {
    let query = format!(
        "mutation PeriodClose($period: String!) {{ periodClose(period: $period) {{ {LEDGER_PERIOD_FIELDS} }} }}"
    );
    field("periodClose", &query, json!({ "period": period })).await
}

pub async fn period_reopen(period: String, reason: String) -> Result<LedgerPeriod, ApiError> {
    let query = format!(
        "mutation PeriodReopen($period: String!, $reason: String!) {{ \
           periodReopen(period: $period, reason: $reason) {{ {LEDGER_PERIOD_FIELDS} }} }}"
    );
    field(
        "periodReopen",
        &query,
        json!({ "period": period, "reason": reason }),
    )
    .await
}

pub async fn revenue_settings() -> Result<RevenueSettings, ApiError> {
    field(
        "revenueSettings",
        "query RevenueSettings { revenueSettings { ratableMethod } }",
        json!({}),
    )
    .await
}

pub async fn revenue_method_set(method: String) -> Result<RevenueSettings, ApiError> {
    field(
        "revenueMethodSet",
        "mutation RevenueMethodSet($method: RatableMethod!) { \
         revenueMethodSet(method: $method) { ratableMethod } }",
        json!({ "method": method }),
    )
    .await
}

pub async fn ssp_prices() -> Result<Vec<SspPrice>, ApiError> {
    let query = format!(
        "query SspPrices {{ sspPrices {{ {} }} }}",
        ssp_price_fields()
    );
    field("sspPrices", &query, json!({})).await
}

/// Adds an SSP table entry (`input` is an `SspPriceSetInput`: which amounts it carries depends
/// on the method).
pub async fn ssp_price_set(input: Value) -> Result<SspPrice, ApiError> {
    let query = format!(
        "mutation SspPriceSet($input: SspPriceSetInput!) {{ \
           sspPriceSet(input: $input) {{ {} }} }}",
        ssp_price_fields()
    );
    field("sspPriceSet", &query, json!({ "input": input })).await
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
