//! The revenue-ops metrics part of the API: the role-aware dashboard with its sections, the rows
//! behind any of its figures, the MRR bridge month by month, and the expansion report.

use serde::Deserialize;

use super::{enum_value, ops};
use super::{field, ApiError, Money};

/// The to-date windows the dashboard's flows cover (`DashboardPeriod`), with their names.
pub const DASHBOARD_PERIODS: [(&str, &str); 3] = [
    ("MONTH", "Month to date"),
    ("QUARTER", "Quarter to date"),
    ("YEAR", "Year to date"),
];

/// The kinds of expansion (`ExpansionKind`).
pub const EXPANSION_KINDS: [&str; 5] = ["SEATS", "MODULE", "UPGRADE", "USAGE", "UPLIFT"];

/// The MRR bridge over a window; every movement is a positive amount.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MrrBridge {
    pub opening: Money,
    pub new: Money,
    pub reactivation: Money,
    pub expansion: Money,
    pub contraction: Money,
    pub churn: Money,
    pub closing: Money,
    pub net_change: Money,
    /// Net change over the opening MRR ("4.25"); none when there was nothing to start from.
    pub net_percent: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardRevenue {
    pub mrr: Money,
    pub arr: Money,
    pub paying_customers: i64,
    pub movements: MrrBridge,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardInvoicing {
    pub issued_count: i64,
    pub issued_total: Money,
    pub paid_count: i64,
    pub paid_total: Money,
    /// Mean days from issue to payment ("23.5"); none when nothing was paid.
    pub average_days_to_pay: Option<String>,
    pub outstanding_count: i64,
    pub outstanding_total: Money,
    pub overdue_count: i64,
    pub overdue_total: Money,
    /// Open invoices over 60 days old: to escalate.
    pub over60_count: i64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardAgingLine {
    pub bucket: String,
    pub label: String,
    pub amount: Money,
    pub count: i64,
    /// Percent of AR ("12.50").
    pub percent: String,
    pub flag: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardAging {
    pub total: Money,
    pub lines: Vec<DashboardAgingLine>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardCommissions {
    pub earned_month_to_date: Money,
    pub payable: Money,
    pub next_payout_date: String,
    pub open_disputes: i64,
    pub overdue_disputes: i64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardHeldCustomer {
    pub customer_id: String,
    pub name: String,
    pub since: Option<String>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardAlerts {
    pub renewals_due: i64,
    pub renewals_arr: Money,
    pub renewals_at_risk: i64,
    pub arr_at_risk: Money,
    pub blocked_po_count: i64,
    pub blocked_po_amount: Money,
    #[serde(default)]
    pub credit_holds: Vec<DashboardHeldCustomer>,
}

/// A customer whose exposure is over its credit limit (amounts in the limit's currency).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardOverLimitCustomer {
    pub customer_id: String,
    pub name: String,
    pub exposure: Money,
    pub limit: Money,
    pub over_by: Option<Money>,
    pub explanation: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QualityItem {
    pub label: String,
    pub link: Option<String>,
    pub due_at: Option<String>,
    pub done_at: Option<String>,
    pub late: bool,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QualityRule {
    pub key: String,
    pub title: String,
    pub met: bool,
    pub late: i64,
    #[serde(default)]
    pub items: Vec<QualityItem>,
}

/// The dashboard; a section the reader's role does not see is `None`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub as_of: String,
    pub period: String,
    pub window_start: String,
    /// The functional currency every amount is in.
    pub currency: String,
    /// True when the figures cover only the reader's own book.
    pub own_book: bool,
    pub revenue: Option<DashboardRevenue>,
    pub invoicing: Option<DashboardInvoicing>,
    pub aging: Option<DashboardAging>,
    pub commissions: Option<DashboardCommissions>,
    pub alerts: Option<DashboardAlerts>,
    pub quality: Option<Vec<QualityRule>>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A row behind a dashboard figure.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardRow {
    pub reference: String,
    pub customer_id: Option<String>,
    pub customer_name: String,
    pub date: Option<String>,
    /// In the row's own currency.
    pub amount: Option<Money>,
    /// In the functional currency.
    pub amount_functional: Money,
    pub detail: String,
    /// The web app page that shows the row.
    pub link: Option<String>,
}

/// One month of the MRR bridge.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MrrMonth {
    pub month: String,
    pub measured_on: String,
    pub movements: MrrBridge,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Expansion {
    pub kind: String,
    pub date: String,
    pub month: String,
    pub customer_id: String,
    pub customer_name: String,
    pub contract_id: String,
    pub contract_number: String,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub product: String,
    pub detail: String,
    /// In the contract currency (usage adds none).
    pub added_mrr: Money,
    pub added_mrr_functional: Money,
    /// What was billed for it, when billed.
    pub billed: Option<Money>,
    pub billed_functional: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpansionReport {
    pub rows: Vec<Expansion>,
    pub added_mrr: Money,
    pub billed: Money,
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// The dashboard for `as_of` (the server's today when `None`) and the to-date `period`.
pub async fn dashboard(as_of: Option<String>, period: String) -> Result<Dashboard, ApiError> {
    field::<ops::Dashboard, _>(
        "dashboard",
        ops::dashboard::Variables {
            as_of,
            period: Some(enum_value(period)),
        },
    )
    .await
}

/// Customers over their credit limit on `as_of`, largest excess first (at most 500).
pub async fn customers_over_credit_limit(
    as_of: String,
) -> Result<Vec<DashboardOverLimitCustomer>, ApiError> {
    field::<ops::CustomersOverCreditLimit, _>(
        "customersOverCreditLimit",
        ops::customers_over_credit_limit::Variables { as_of: Some(as_of) },
    )
    .await
}

/// The rows behind one dashboard figure (at most 500).
pub async fn dashboard_rows(
    figure: String,
    as_of: Option<String>,
    period: String,
) -> Result<Vec<DashboardRow>, ApiError> {
    field::<ops::DashboardRows, _>(
        "dashboardRows",
        ops::dashboard_rows::Variables {
            figure: enum_value(figure),
            as_of,
            period: Some(enum_value(period)),
        },
    )
    .await
}

/// The MRR bridge for each month `from`..`to` touch (at most 36).
pub async fn mrr_movements(from: String, to: String) -> Result<Vec<MrrMonth>, ApiError> {
    field::<ops::MrrMovements, _>("mrrMovements", ops::mrr_movements::Variables { from, to }).await
}

/// Seat expansions, module upsells, usage and renewal uplifts dated `from`..=`to`.
pub async fn expansions(from: String, to: String) -> Result<ExpansionReport, ApiError> {
    field::<ops::Expansions, _>("expansions", ops::expansions::Variables { from, to }).await
}
