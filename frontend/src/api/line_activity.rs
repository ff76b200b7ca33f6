//! What happens on a contract's usage and time-and-materials lines: usage readings recorded by
//! hand (the same `usageRecord` the metering feeds call), the usage billed by month, and hours
//! submitted from a timesheet for approval.

use serde::Deserialize;

use super::{field, ops, ApiError, Money, Timesheet};

/// One line's usage in one month: what was read, what is billable beyond the allowance, and
/// whether the month is billed.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageMonth {
    pub contract_line_id: String,
    pub meter: String,
    /// "YYYY-MM".
    pub month: String,
    pub records: i64,
    pub used: String,
    pub billable: String,
    pub amount: Money,
    pub billed: bool,
}

/// A reading the server refused, with the field it concerns.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageRejection {
    pub row: i64,
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageImportResult {
    pub accepted: i64,
    #[serde(default)]
    pub duplicates: Vec<String>,
    #[serde(default)]
    pub rejected: Vec<UsageRejection>,
}

/// One reading as a person enters it.
#[derive(Clone, Debug, PartialEq)]
pub struct UsageReading {
    pub contract_line_id: String,
    pub meter: String,
    pub quantity: String,
    /// An RFC 3339 instant.
    pub occurred_at: String,
    /// Makes a resend of the same reading (a double click, a retry) count once.
    pub client_id: String,
}

pub async fn contract_usage(contract_id: String) -> Result<Vec<UsageMonth>, ApiError> {
    field::<ops::ContractUsage, _>(
        "contractUsage",
        ops::contract_usage::Variables { contract_id },
    )
    .await
}

pub async fn usage_record(reading: UsageReading) -> Result<UsageImportResult, ApiError> {
    field::<ops::UsageRecord, _>(
        "usageRecord",
        ops::usage_record::Variables {
            records: vec![ops::usage_record::UsageRecordInput {
                client_id: reading.client_id,
                contract_line_id: reading.contract_line_id,
                meter: reading.meter,
                occurred_at: reading.occurred_at,
                quantity: reading.quantity,
            }],
        },
    )
    .await
}

/// Hours as a timesheet entry holds them, before they are submitted.
#[derive(Clone, Debug, PartialEq)]
pub struct TimesheetDraft {
    pub contract_line_id: String,
    pub person: String,
    pub role: String,
    pub work_date: String,
    pub hours: String,
    pub rate: Money,
    pub description: String,
}

/// Submits hours for approval; approved, they are billed on the next run.
pub async fn timesheet_submit(draft: TimesheetDraft) -> Result<Timesheet, ApiError> {
    field::<ops::TimesheetSubmit, _>(
        "timesheetSubmit",
        ops::timesheet_submit::Variables {
            input: ops::timesheet_submit::TimesheetSubmitInput {
                contract_line_id: draft.contract_line_id,
                description: draft.description,
                hours: draft.hours,
                person: draft.person,
                rate: ops::timesheet_submit::MoneyInput {
                    amount: draft.rate.amount,
                    currency: draft.rate.currency,
                },
                role: draft.role,
                work_date: draft.work_date,
            },
        },
    )
    .await
}
