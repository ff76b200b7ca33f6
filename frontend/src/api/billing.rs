//! Billing: the bill run (a preview of what it would issue, running it, and its progress), a
//! contract's billing schedule, and the timesheets waiting to be approved for billing.

use serde::Deserialize;

use super::ops;
use super::{field, ApiError, Money};

/// A line the bill run writes (or, in a preview, would write).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedInvoiceLine {
    pub description: String,
    pub note: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub quantity: String,
    pub amount: Money,
    pub tax_label: String,
    pub tax: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillRunInvoice {
    pub customer_id: String,
    pub customer_name: String,
    pub invoice_id: Option<String>,
    pub number: Option<String>,
    pub legal_entity: String,
    pub po_number: Option<String>,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub blocked_reason: Option<String>,
    pub blocked_field: Option<String>,
    #[serde(default)]
    pub lines: Vec<PlannedInvoiceLine>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedCharge {
    pub contract_line_id: String,
    pub customer_id: String,
    pub description: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillRunResult {
    pub as_of: String,
    pub dry_run: bool,
    pub charges_written: i64,
    pub issued: Vec<BillRunInvoice>,
    pub held: Vec<BillRunInvoice>,
    pub skipped: Vec<SkippedCharge>,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillRunStatus {
    pub business_date: String,
    /// "running" or "done".
    pub status: String,
    pub done: i64,
    pub total: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingScheduleRow {
    pub contract_line_id: String,
    pub description: String,
    pub note: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub due_on: String,
    pub amount: Money,
    /// "invoiced", "unbilled" or "upcoming".
    pub state: String,
    pub invoice_id: Option<String>,
    pub invoice_number: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timesheet {
    pub id: String,
    pub person: String,
    pub role: String,
    pub work_date: String,
    pub description: String,
    pub hours: String,
    pub rate: Money,
    pub amount: Money,
    /// "submitted", "approved" or "rejected".
    pub status: String,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

/// What the bill run would issue on `as_of`, without writing anything.
pub async fn invoice_preview(as_of: String) -> Result<BillRunResult, ApiError> {
    field::<ops::InvoicePreview, _>("invoicePreview", ops::invoice_preview::Variables { as_of })
        .await
}

pub async fn bill_run(as_of: String) -> Result<BillRunResult, ApiError> {
    field::<ops::BillRun, _>("billRun", ops::bill_run::Variables { as_of }).await
}

pub async fn bill_run_status(business_date: String) -> Result<Option<BillRunStatus>, ApiError> {
    field::<ops::BillRunStatus, _>(
        "billRunStatus",
        ops::bill_run_status::Variables { business_date },
    )
    .await
}

pub async fn bill_runs() -> Result<Vec<BillRunStatus>, ApiError> {
    field::<ops::BillRuns, _>("billRuns", ops::bill_runs::Variables).await
}

pub async fn contract_billing_schedule(
    contract_id: String,
) -> Result<Vec<BillingScheduleRow>, ApiError> {
    field::<ops::ContractBillingSchedule, _>(
        "contractBillingSchedule",
        ops::contract_billing_schedule::Variables { contract_id },
    )
    .await
}

pub async fn timesheets(status: Option<String>) -> Result<Vec<Timesheet>, ApiError> {
    field::<ops::Timesheets, _>("timesheets", ops::timesheets::Variables { status }).await
}

pub async fn timesheet_decide(
    id: String,
    approve: bool,
    note: Option<String>,
) -> Result<Timesheet, ApiError> {
    field::<ops::TimesheetDecide, _>(
        "timesheetDecide",
        ops::timesheet_decide::Variables { id, approve, note },
    )
    .await
}
