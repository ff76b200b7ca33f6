//! The journal exports to the company's ERP (CFO, VP Finance, admin): the batches so far and
//! creating one for a closed period or a date range. Each entry goes to each destination once.

use serde::Deserialize;

use super::{enum_value, ops};
use super::{field, ApiError, Connection, Money, UserRef};

/// Where an export goes (`Destination`), in the order the form offers them, with what each means.
pub const EXPORT_DESTINATIONS: [(&str, &str); 4] = [
    ("NETSUITE", "NetSuite journal import"),
    ("QUICKBOOKS", "QuickBooks Online journal entries"),
    ("XERO", "Xero manual journals"),
    ("CSV", "revops CSV (any system)"),
];

/// The label of a destination code, or the code itself when this page does not know it.
pub fn destination_label(code: &str) -> String {
    EXPORT_DESTINATIONS
        .iter()
        .find(|(value, _)| *value == code)
        .map_or_else(|| code.to_string(), |(_, label)| (*label).to_string())
}

/// Debits and credits of one currency in a batch (equal: every entry balances).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportTotal {
    pub currency: String,
    pub debit: Money,
    pub credit: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerExport {
    pub id: String,
    pub destination: String,
    /// The closed period exported ("2026-11"), or none for a date range.
    pub period: Option<String>,
    pub from: String,
    pub to: String,
    pub entry_count: i64,
    pub line_count: i64,
    pub totals: Vec<ExportTotal>,
    pub file_name: String,
    pub download_url: String,
    pub created_at: String,
    pub created_by: Option<UserRef>,
}

/// The batch a create made: enough to download it at once (the list reads the rest).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedExport {
    pub id: String,
    pub entry_count: i64,
    pub file_name: String,
    pub download_url: String,
}

/// What a create answered: the batch, or none when everything in range had already gone to that
/// destination, and the server's words either way.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportOutcome {
    pub batch: Option<CreatedExport>,
    pub message: String,
}

/// What to export: a closed period, or a date range (both days included).
#[derive(Clone, Debug, PartialEq)]
pub enum ExportRange {
    Period(String),
    Dates { from: String, to: String },
}

pub async fn ledger_exports(after: Option<String>) -> Result<Connection<LedgerExport>, ApiError> {
    field::<ops::LedgerExports, _>(
        "ledgerExports",
        ops::ledger_exports::Variables {
            first: Some(25),
            after,
        },
    )
    .await
}

pub async fn ledger_export_create(
    destination: String,
    range: ExportRange,
) -> Result<ExportOutcome, ApiError> {
    let (period, from, to) = match range {
        ExportRange::Period(period) => (Some(period), None, None),
        ExportRange::Dates { from, to } => (None, Some(from), Some(to)),
    };
    field::<ops::LedgerExportCreate, _>(
        "ledgerExportCreate",
        ops::ledger_export_create::Variables {
            input: ops::ledger_export_create::LedgerExportCreateInput {
                destination: enum_value(destination),
                from,
                period,
                to,
            },
        },
    )
    .await
}
