//! Imports of the existing book at cut-over. One flow for every kind: upload a CSV or XLSX file →
//! every row validated (errors name row, column and reason, and nothing is kept to commit while
//! any row is wrong) → a preview (records, totals per currency, the journal entries it will post)
//! → commit, exactly once per file (the same file again is recognised) → history.
//!
//! Imports write only through the areas that own the records: customers through the customer
//! master, open invoices through invoicing (which posts the opening entry and the AR history).

pub mod cells;
pub mod commission_assignments;
pub mod contracts;
pub mod customers;
pub mod deferred_revenue;
pub mod open_invoices;
pub mod purchase_orders;
pub mod renewal_schedules;
pub mod table;

#[cfg(test)]
pub(crate) mod properties;

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::customers::{CustomerService, NewCustomer};
use crate::deals::brought_over::{self, BroughtOverBatch, BroughtOverContract};
use crate::deals::purchase_orders::{self as purchase_order_writer, NewPurchaseOrder};
use crate::entities::import;
use crate::error::{AppError, AppResult};
use crate::invoicing::opening::{self, OpeningBatch, OpeningInvoice};
use crate::ledger::{self, chart};
use crate::money::{amount_string_of, Currency};
use crate::pagination::{Page, PageRequest};
use crate::revenue::opening::{self as deferred_writer, DeferredBatch, OpeningDeferred};
use crate::sha256_hex;
use cells::CellError;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use table::Table;

/// The largest file one import takes (DESIGN law 7); 200,000 rows of any kind fit well inside.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// Row errors kept with a rejected import (the count is always exact).
const MAX_ERRORS_KEPT: usize = 1_000;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, async_graphql::Enum)]
pub enum ImportKind {
    /// The customer master.
    Customers,
    /// The AR aging report: invoices still open on the cut-over date.
    OpenInvoices,
    /// Customers' purchase orders with amounts, validity and what was drawn on them.
    PurchaseOrders,
    /// Signed contracts and SOWs still running at cut-over, with lines and billing terms.
    Contracts,
    /// The revenue schedule spreadsheet: what brought-over contracts still defer, by month.
    DeferredRevenue,
    /// Reps' commission plan assignments and quotas.
    CommissionAssignments,
    /// Who owns each running contract's renewal, and its uplift.
    RenewalSchedules,
}

impl ImportKind {
    pub const ALL: [ImportKind; 7] = [
        ImportKind::Customers,
        ImportKind::PurchaseOrders,
        ImportKind::Contracts,
        ImportKind::RenewalSchedules,
        ImportKind::OpenInvoices,
        ImportKind::DeferredRevenue,
        ImportKind::CommissionAssignments,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ImportKind::Customers => "customers",
            ImportKind::OpenInvoices => "open_invoices",
            ImportKind::PurchaseOrders => "purchase_orders",
            ImportKind::Contracts => "contracts",
            ImportKind::DeferredRevenue => "deferred_revenue",
            ImportKind::CommissionAssignments => "commission_assignments",
            ImportKind::RenewalSchedules => "renewal_schedules",
        }
    }

    pub fn parse(text: &str) -> Option<ImportKind> {
        ImportKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    pub fn title(&self) -> &'static str {
        match self {
            ImportKind::Customers => "Customers",
            ImportKind::OpenInvoices => "Open invoices (AR aging at cut-over)",
            ImportKind::PurchaseOrders => "Purchase orders",
            ImportKind::Contracts => "Contracts (subscriptions running at cut-over)",
            ImportKind::DeferredRevenue => "Deferred revenue (revenue schedule at cut-over)",
            ImportKind::CommissionAssignments => "Commission plan assignments and quotas",
            ImportKind::RenewalSchedules => {
                "Renewal schedules (owners and uplift of running contracts)"
            }
        }
    }

    pub fn columns(&self) -> &'static [ColumnSpec] {
        match self {
            ImportKind::Customers => customers::COLUMNS,
            ImportKind::OpenInvoices => open_invoices::COLUMNS,
            ImportKind::PurchaseOrders => purchase_orders::COLUMNS,
            ImportKind::Contracts => contracts::COLUMNS,
            ImportKind::DeferredRevenue => deferred_revenue::COLUMNS,
            ImportKind::CommissionAssignments => commission_assignments::COLUMNS,
            ImportKind::RenewalSchedules => renewal_schedules::COLUMNS,
        }
    }

    /// Opening balances are stated as of a cut-over date; master data is not.
    pub fn needs_cutover_date(&self) -> bool {
        matches!(
            self,
            ImportKind::OpenInvoices | ImportKind::Contracts | ImportKind::DeferredRevenue
        )
    }

    /// The permission of the area that writes the records, checked on top of `ImportRun`.
    fn writer_permission(&self) -> Permission {
        match self {
            ImportKind::Customers | ImportKind::PurchaseOrders => Permission::CustomerWrite,
            ImportKind::OpenInvoices => Permission::InvoiceManage,
            ImportKind::Contracts => Permission::DealApprove,
            ImportKind::DeferredRevenue => Permission::RevenueRun,
            ImportKind::CommissionAssignments => Permission::CommissionPlanManage,
            ImportKind::RenewalSchedules => Permission::RenewalManage,
        }
    }

    /// A CSV with the header and one example row, to fill in.
    pub fn template_csv(&self) -> String {
        let columns = self.columns();
        let line = |cells: Vec<&str>| {
            cells
                .into_iter()
                .map(crate::values::csv_cell)
                .collect::<Vec<_>>()
                .join(",")
        };
        format!(
            "{}\r\n{}\r\n",
            line(columns.iter().map(|column| column.name).collect()),
            line(columns.iter().map(|column| column.example).collect())
        )
    }
}

/// One column of a kind's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub required: bool,
    pub example: &'static str,
    pub description: &'static str,
}

impl ColumnSpec {
    pub const fn required(
        name: &'static str,
        example: &'static str,
        description: &'static str,
    ) -> ColumnSpec {
        ColumnSpec {
            name,
            required: true,
            example,
            description,
        }
    }

    pub const fn optional(
        name: &'static str,
        example: &'static str,
        description: &'static str,
    ) -> ColumnSpec {
        ColumnSpec {
            name,
            required: false,
            example,
            description,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
pub enum ImportStatus {
    /// Every row is valid; waiting to be committed.
    Validated,
    /// At least one row is wrong; nothing can be committed from this upload.
    Rejected,
    /// Written, once.
    Committed,
}

impl ImportStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ImportStatus::Validated => "validated",
            ImportStatus::Rejected => "rejected",
            ImportStatus::Committed => "committed",
        }
    }

    pub fn parse(text: &str) -> Option<ImportStatus> {
        [
            ImportStatus::Validated,
            ImportStatus::Rejected,
            ImportStatus::Committed,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

/// One line of a journal entry the commit will post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLine {
    pub account_code: String,
    pub account_name: String,
    pub currency: String,
    pub debit: String,
    pub credit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewEntry {
    pub memo: String,
    pub lines: Vec<PreviewLine>,
}

/// What a commit will write: records, amounts per currency and the journal entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub records: u64,
    /// (currency, amount as a decimal string) of the money the rows carry.
    pub totals: Vec<(String, String)>,
    pub entries: Vec<PreviewEntry>,
    /// Header columns the kind does not read, so a misspelt one is noticed.
    pub ignored_columns: Vec<String>,
}

/// What a commit wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
    pub records: u64,
    pub entry_numbers: Vec<String>,
}

/// An import as its history shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub kind: ImportKind,
    pub file_name: String,
    pub file_format: String,
    pub file_sha256: String,
    pub file_bytes: i64,
    pub status: ImportStatus,
    pub cutover_date: Option<NaiveDate>,
    pub row_count: i64,
    pub error_count: i64,
    pub errors: Vec<CellError>,
    pub preview: Preview,
    pub uploaded_by: i64,
    pub uploaded_at: DateTime<Utc>,
    pub committed_by: Option<i64>,
    pub committed_at: Option<DateTime<Utc>>,
    pub result: Option<ImportResult>,
}

impl TryFrom<import::Model> for ImportRecord {
    type Error = AppError;

    fn try_from(model: import::Model) -> AppResult<ImportRecord> {
        Ok(ImportRecord {
            id: model.id,
            kind: ImportKind::parse(&model.kind)
                .ok_or_else(|| AppError::internal(format!("import kind {}", model.kind)))?,
            status: ImportStatus::parse(&model.status)
                .ok_or_else(|| AppError::internal(format!("import status {}", model.status)))?,
            file_name: model.file_name,
            file_format: model.file_format,
            file_sha256: model.file_sha256,
            file_bytes: model.file_bytes,
            cutover_date: model.cutover_date,
            row_count: model.row_count,
            error_count: model.error_count,
            errors: serde_json::from_str(&model.errors_json)?,
            preview: serde_json::from_str(&model.preview_json)?,
            uploaded_by: model.uploaded_by,
            uploaded_at: model.uploaded_at,
            committed_by: model.committed_by,
            committed_at: model.committed_at,
            result: model
                .result_json
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?,
        })
    }
}

/// How far a running commit has got (kept by the instance doing it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// The rows of a valid file, ready to write.
enum Validated {
    Customers(Vec<NewCustomer>),
    OpenInvoices(Vec<OpeningInvoice>),
    PurchaseOrders(Vec<NewPurchaseOrder>),
    Contracts(Vec<BroughtOverContract>),
    DeferredRevenue(Vec<OpeningDeferred>),
    CommissionAssignments(Vec<commission_assignments::AssignmentRow>),
    RenewalSchedules(Vec<crate::deals::renewal_terms::RenewalTerms>),
}

/// The outcome of checking a file.
struct Checked {
    rows: usize,
    errors: Vec<CellError>,
    validated: Option<Validated>,
    preview: Preview,
}

/// What an upload says about itself.
#[derive(Debug, Clone)]
pub struct Upload {
    pub kind: ImportKind,
    pub file_name: String,
    pub cutover_date: Option<NaiveDate>,
}

#[derive(Clone)]
pub struct ImportService {
    db: DatabaseConnection,
    clock: SharedClock,
    legal_entity: String,
    functional: Currency,
    progress: Arc<Mutex<HashMap<i64, Progress>>>,
}

/// The key a committed file holds, unique: one file of a kind is committed once.
fn committed_key(kind: ImportKind, sha256: &str) -> String {
    format!("{}:{sha256}", kind.as_str())
}

fn account_name(code: &str) -> String {
    chart::CHART
        .iter()
        .find(|(known, _, _)| *known == code)
        .map(|(_, name, _)| (*name).to_string())
        .unwrap_or_default()
}

/// The opening entries as the preview shows them.
fn preview_entries(
    entries: &[crate::ledger::rules::BalancedEntry],
    memo: &str,
) -> Vec<PreviewEntry> {
    entries
        .iter()
        .map(|entry| PreviewEntry {
            memo: memo.to_string(),
            lines: entry
                .postings()
                .iter()
                .map(|posting| {
                    let amount = posting.amount.amount_string();
                    let debit = posting.side == crate::ledger::rules::Side::Debit;
                    PreviewLine {
                        account_code: posting.account_code.clone(),
                        account_name: account_name(&posting.account_code),
                        currency: posting.amount.currency().code().to_string(),
                        debit: if debit { amount.clone() } else { String::new() },
                        credit: if debit { String::new() } else { amount },
                    }
                })
                .collect(),
        })
        .collect()
}

fn open_totals(invoices: &[OpeningInvoice]) -> Vec<(String, String)> {
    totals_of(invoices.iter().map(|invoice| invoice.open))
}

mod service;

/// Every customer with an external reference, by it: how the kinds after `customers` find theirs.
async fn customers_by_reference<C: sea_orm::ConnectionTrait>(
    connection: &C,
) -> AppResult<HashMap<String, i64>> {
    Ok(crate::entities::customer::Entity::find()
        .select_only()
        .column(crate::entities::customer::Column::ExternalRef)
        .column(crate::entities::customer::Column::Id)
        .into_tuple::<(Option<String>, i64)>()
        .all(connection)
        .await?
        .into_iter()
        .filter_map(|(reference, id)| reference.map(|reference| (reference, id)))
        .collect())
}

/// Amounts per currency of the purchase orders (their authorised totals).
fn po_totals(orders: &[NewPurchaseOrder]) -> Vec<(String, String)> {
    totals_of(orders.iter().map(|order| order.amount))
}

/// Sums per currency, as the preview shows them.
fn totals_of(amounts: impl Iterator<Item = crate::money::Money>) -> Vec<(String, String)> {
    let mut sums: BTreeMap<&'static str, (i128, Currency)> = BTreeMap::new();
    for amount in amounts {
        let currency = amount.currency();
        sums.entry(currency.code()).or_insert((0, currency)).0 += i128::from(amount.minor());
    }
    sums.into_iter()
        .map(|(code, (minor, currency))| (code.to_string(), amount_string_of(minor, currency)))
        .collect()
}
