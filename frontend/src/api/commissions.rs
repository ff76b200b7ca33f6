//! The commissions part of the API: versioned plan documents and who is assigned which, a rep's
//! statement for a month (lines with their explanation, attainment, forecast), the statements
//! of a team, the month-by-month calculation status and runs, disputes of statement lines,
//! payouts with their payroll CSV, and how a deal's credit is split between reps.

use serde::Deserialize;
use serde_json::Value;

use super::{enum_value, input_value, ops};
use super::{field, ApiError, Money};

/// The formats a plan document is written in (`PlanFormat`).
pub const PLAN_FORMATS: [&str; 2] = ["YAML", "JSON"];

/// The published JSON Schema of plan documents (public, no token needed).
pub const PLAN_SCHEMA_URL: &str = "/api/commissions/plan-schema.json";

/// One band of attainment with its effective rate.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionBand {
    pub label: String,
    pub from_percent: String,
    /// None for the open top band.
    pub to_percent: Option<String>,
    pub rate_percent: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionComponent {
    pub name: String,
    pub metric: String,
    /// "retroactive" or "marginal".
    pub tier_mode: String,
    pub cap: Option<String>,
    #[serde(default)]
    pub bands: Vec<CommissionBand>,
}

/// One version of a plan.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionPlan {
    pub id: String,
    /// What deals name in `commissionPlanId`.
    pub code: String,
    pub version: i64,
    pub name: String,
    pub currency: String,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub capitalise: bool,
    pub quota_period: String,
    pub quota: Money,
    #[serde(default)]
    pub components: Vec<CommissionComponent>,
    /// The document as it was imported (YAML or JSON).
    pub source_text: String,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionAssignment {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub plan_code: String,
    pub effective_from: String,
    pub effective_to: Option<String>,
    /// The rep's own quota, when it differs from the plan's.
    pub quota: Option<Money>,
    pub assigned_at: String,
    pub acknowledged_at: Option<String>,
    pub acknowledged_version: Option<i64>,
}

/// A statement line and why it pays what it pays.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionLine {
    pub id: String,
    pub period: String,
    pub user_id: String,
    pub plan_code: String,
    pub plan_version: i64,
    pub component: String,
    /// credit, trueup, spif, override, clawback or adjustment.
    pub kind: String,
    pub deal_id: Option<String>,
    /// new, expansion or renewal.
    pub business: Option<String>,
    pub metric: String,
    /// The rep's share, percent ("60", "33.33").
    pub split_percent: String,
    pub credited: Money,
    pub tier: String,
    pub rate: String,
    pub amount: Money,
    pub explanation: String,
    /// credit_memo, write_off, churn or dispute.
    pub cause_type: Option<String>,
    pub capitalised: bool,
    /// calculated or paid.
    pub status: String,
    pub open_dispute_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttainmentMonth {
    pub period: String,
    /// Cumulative credited through this month of the quota window.
    pub credited: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionAttainment {
    pub component: String,
    pub metric: String,
    pub quota: Money,
    pub window_start: String,
    pub window_end: String,
    pub credited: Money,
    pub percent: String,
    #[serde(default)]
    pub months: Vec<AttainmentMonth>,
}

/// What an open deal would pay once booked.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionForecast {
    pub deal_id: String,
    pub crm_opportunity_id: String,
    pub product_name: String,
    pub metric_amount: Money,
    pub estimated: Money,
    pub explanation: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionStatement {
    pub user_id: String,
    pub user_name: String,
    pub period: String,
    pub plan: Option<CommissionPlan>,
    pub assignment: Option<CommissionAssignment>,
    #[serde(default)]
    pub lines: Vec<CommissionLine>,
    #[serde(default)]
    pub totals: Vec<Money>,
    #[serde(default)]
    pub paid: Vec<Money>,
    #[serde(default)]
    pub unpaid: Vec<Money>,
    #[serde(default)]
    pub attainment: Vec<CommissionAttainment>,
    #[serde(default)]
    pub forecast: Vec<CommissionForecast>,
    pub next_payout_date: String,
}

/// One rep's row of the statements overview.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionStatementSummary {
    pub user_id: String,
    pub user_name: String,
    pub plan_code: Option<String>,
    pub lines: i64,
    #[serde(default)]
    pub totals: Vec<Money>,
    pub open_disputes: i64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionRun {
    pub id: String,
    pub period: String,
    pub as_of: String,
    pub due_on: String,
    pub lines: i64,
    /// Lines inserted, changed or retired by this run.
    pub changed: i64,
    /// Journal entries posted.
    pub entries: i64,
    #[serde(default)]
    pub totals: Vec<Money>,
    #[serde(default)]
    pub warnings: Vec<String>,
    pub ran_at: String,
}

/// A month's calculation against the five-business-day rule.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionPeriodStatus {
    pub period: String,
    pub due_on: String,
    /// open, due, overdue, done_on_time or done_late.
    pub state: String,
    pub first_run_at: Option<String>,
    pub last_run: Option<CommissionRun>,
    pub paid_out: bool,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionDispute {
    pub id: String,
    pub line: CommissionLine,
    pub raised_by: String,
    pub raised_by_name: String,
    pub reason: String,
    /// "OPEN", "ACCEPTED" or "REJECTED".
    pub status: String,
    pub raised_at: String,
    pub answer_due_at: String,
    pub resolved_by_name: Option<String>,
    pub resolved_at: Option<String>,
    pub comment: Option<String>,
    /// The line an accepted dispute added.
    pub adjustment: Option<CommissionLine>,
}

impl CommissionDispute {
    pub fn is_open(&self) -> bool {
        self.status == "OPEN"
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionPayoutRow {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub lines: i64,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionPayout {
    pub id: String,
    pub period: String,
    pub payout_date: String,
    pub approved_at: String,
    pub approved_by_name: String,
    pub lines: i64,
    #[serde(default)]
    pub totals: Vec<Money>,
    /// `GET` with the bearer token for the payroll CSV.
    pub csv_url: String,
    /// Who is paid what (filled for one payout; empty in lists).
    #[serde(default)]
    pub rows: Vec<CommissionPayoutRow>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionSummary {
    pub as_of: String,
    #[serde(default)]
    pub earned_month_to_date: Vec<Money>,
    /// Calculated and not yet paid, from months before this one.
    #[serde(default)]
    pub payable: Vec<Money>,
    pub next_payout_date: String,
    pub open_disputes: i64,
    pub overdue_disputes: i64,
    pub last_close: CommissionPeriodStatus,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealSplit {
    pub user_id: String,
    pub user_name: String,
    /// Percent as a decimal string ("60", "33.33").
    pub percent: String,
}

pub async fn commission_plans() -> Result<Vec<CommissionPlan>, ApiError> {
    field::<ops::CommissionPlans, _>("commissionPlans", ops::commission_plans::Variables).await
}

/// A complete example plan in YAML, to start a new plan from.
pub async fn commission_plan_example() -> Result<String, ApiError> {
    field::<ops::CommissionPlanExample, _>(
        "commissionPlanExample",
        ops::commission_plan_example::Variables,
    )
    .await
}

/// Imports a plan document as the next version of its code. A bad document comes back as a
/// VALIDATION error whose field is the path inside it (`document.components[0].tiers[1].rate`).
pub async fn commission_plan_import(
    document: String,
    format: Option<String>,
) -> Result<CommissionPlan, ApiError> {
    field::<ops::CommissionPlanImport, _>(
        "commissionPlanImport",
        ops::commission_plan_import::Variables {
            input: ops::commission_plan_import::CommissionPlanImportInput {
                document,
                format: format.map(enum_value),
            },
        },
    )
    .await
}

/// Every assignment the caller may see, or one rep's.
pub async fn commission_assignments(
    user_id: Option<String>,
) -> Result<Vec<CommissionAssignment>, ApiError> {
    field::<ops::CommissionAssignments, _>(
        "commissionAssignments",
        ops::commission_assignments::Variables { user_id },
    )
    .await
}

/// Gives a rep a plan from a date; `input` is the whole `CommissionPlanAssignInput`.
pub async fn commission_plan_assign(input: Value) -> Result<CommissionAssignment, ApiError> {
    field::<ops::CommissionPlanAssign, _>(
        "commissionPlanAssign",
        ops::commission_plan_assign::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

/// The rep signs off their assigned plan.
pub async fn commission_plan_acknowledge(
    assignment_id: String,
) -> Result<CommissionAssignment, ApiError> {
    field::<ops::CommissionPlanAcknowledge, _>(
        "commissionPlanAcknowledge",
        ops::commission_plan_acknowledge::Variables { assignment_id },
    )
    .await
}

/// Sets who a user reports to; `None` clears it.
pub async fn user_manager_set(
    user_id: String,
    manager_id: Option<String>,
) -> Result<bool, ApiError> {
    field::<ops::UserManagerSet, _>(
        "userManagerSet",
        ops::user_manager_set::Variables {
            user_id,
            manager_id,
        },
    )
    .await
}

/// A rep's statement for a month; the caller's own when `user_id` is `None`.
pub async fn commission_statement(
    user_id: Option<String>,
    period: String,
) -> Result<CommissionStatement, ApiError> {
    field::<ops::CommissionStatement, _>(
        "commissionStatement",
        ops::commission_statement::Variables { user_id, period },
    )
    .await
}

/// One row per rep the caller may see for a month.
pub async fn commission_statements(
    period: String,
) -> Result<Vec<CommissionStatementSummary>, ApiError> {
    field::<ops::CommissionStatements, _>(
        "commissionStatements",
        ops::commission_statements::Variables { period },
    )
    .await
}

pub async fn commission_periods(count: u32) -> Result<Vec<CommissionPeriodStatus>, ApiError> {
    field::<ops::CommissionPeriods, _>(
        "commissionPeriods",
        ops::commission_periods::Variables {
            count: Some(i64::from(count)),
        },
    )
    .await
}

/// Calculates a month up to today; a rerun changes nothing unless the inputs did.
pub async fn commission_calculate(period: String) -> Result<CommissionRun, ApiError> {
    field::<ops::CommissionCalculate, _>(
        "commissionCalculate",
        ops::commission_calculate::Variables { period },
    )
    .await
}

/// Disputes the caller may see, optionally of one status (`CommissionDisputeStatus`).
pub async fn commission_disputes(
    status: Option<String>,
) -> Result<Vec<CommissionDispute>, ApiError> {
    field::<ops::CommissionDisputes, _>(
        "commissionDisputes",
        ops::commission_disputes::Variables {
            status: status.map(enum_value),
        },
    )
    .await
}

/// Disputes a line of the caller's own statement.
pub async fn commission_dispute_raise(
    line_id: String,
    reason: String,
) -> Result<CommissionDispute, ApiError> {
    field::<ops::CommissionDisputeRaise, _>(
        "commissionDisputeRaise",
        ops::commission_dispute_raise::Variables {
            input: ops::commission_dispute_raise::CommissionDisputeRaiseInput { line_id, reason },
        },
    )
    .await
}

/// Accepts a dispute with an adjustment (decimal string, negative to reduce) or rejects it.
pub async fn commission_dispute_resolve(
    dispute_id: String,
    accept: bool,
    adjustment: Option<String>,
    comment: String,
) -> Result<CommissionDispute, ApiError> {
    field::<ops::CommissionDisputeResolve, _>(
        "commissionDisputeResolve",
        ops::commission_dispute_resolve::Variables {
            input: ops::commission_dispute_resolve::CommissionDisputeResolveInput {
                accept,
                adjustment,
                comment,
                dispute_id,
            },
        },
    )
    .await
}

pub async fn commission_payouts() -> Result<Vec<CommissionPayout>, ApiError> {
    field::<ops::CommissionPayouts, _>("commissionPayouts", ops::commission_payouts::Variables)
        .await
}

/// One payout with who is paid what.
pub async fn commission_payout(id: String) -> Result<CommissionPayout, ApiError> {
    field::<ops::CommissionPayout, _>("commissionPayout", ops::commission_payout::Variables { id })
        .await
}

/// Approves the payout of a month and everything earlier still unpaid. Idempotent per key.
pub async fn commission_payout_approve(
    period: String,
    payout_date: String,
    idempotency_key: String,
) -> Result<CommissionPayout, ApiError> {
    field::<ops::CommissionPayoutApprove, _>(
        "commissionPayoutApprove",
        ops::commission_payout_approve::Variables {
            input: ops::commission_payout_approve::CommissionPayoutApproveInput {
                idempotency_key,
                payout_date,
                period,
            },
        },
    )
    .await
}

pub async fn commission_summary() -> Result<CommissionSummary, ApiError> {
    field::<ops::CommissionSummary, _>("commissionSummary", ops::commission_summary::Variables)
        .await
}

/// How a deal's credit is split (the assigned AE at 100 % when no split was set).
pub async fn deal_splits(deal_id: String) -> Result<Vec<DealSplit>, ApiError> {
    field::<ops::DealSplits, _>("dealSplits", ops::deal_splits::Variables { deal_id }).await
}

/// Replaces a deal's split; `splits` are `(user id, percent)` and must sum to exactly 100.
pub async fn deal_split_set(
    deal_id: String,
    splits: Vec<(String, String)>,
) -> Result<Vec<DealSplit>, ApiError> {
    field::<ops::DealSplitSet, _>(
        "dealSplitSet",
        ops::deal_split_set::Variables {
            input: ops::deal_split_set::DealSplitSetInput {
                deal_id,
                splits: splits
                    .into_iter()
                    .map(|(user_id, percent)| ops::deal_split_set::DealSplitInput {
                        user_id,
                        percent,
                    })
                    .collect(),
            },
        },
    )
    .await
}
