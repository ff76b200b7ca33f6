//! Credit memos and bad-debt write-offs, both maker-checker: a request records what and why; only
//! the approver's decision (VP Revenue Operations for credit memos, CFO for write-offs, never the
//! requester) numbers and posts the document, in one transaction with its approval.
//!
//! One file per use case: `request.rs` (asking for a credit memo), `decide.rs` (the approver's
//! decision), `issue.rs` (`issue_memo`, the one issuing path), `read.rs` (one memo, the list),
//! `pdf.rs` (the memo's PDF), `write_offs.rs` (requesting and deciding a write-off); `lines.rs`
//! holds the arithmetic of credited lines and the reversing entry. This file keeps the types
//! they share.

use crate::approvals::ApprovalDecision;
use crate::entities::{credit_memo, invoice, write_off};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use async_graphql::{Enum, InputObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

mod decide;
mod issue;
mod lines;
mod pdf;
mod read;
mod request;
mod write_offs;

pub(crate) use issue::issue_memo;
pub use issue::RevenueEffect;
pub use lines::{
    credit_memo_entry, credit_memo_entry_debits, line_credit, spread_gross, LineBasis,
};
pub use pdf::{pdf_attachment, CreditMemoPdf, CREDIT_MEMO_PDF};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
pub enum DocumentStatus {
    Requested,
    Approved,
    Rejected,
}

impl DocumentStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            DocumentStatus::Requested => "requested",
            DocumentStatus::Approved => "approved",
            DocumentStatus::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> AppResult<DocumentStatus> {
        [
            DocumentStatus::Requested,
            DocumentStatus::Approved,
            DocumentStatus::Rejected,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
        .ok_or_else(|| AppError::internal(format!("document status {text}")))
    }
}

#[derive(Debug, Clone, InputObject, Serialize)]
pub struct CreditLineInput {
    pub invoice_line_id: ID,
    /// The amount before tax to credit on this line; its tax follows the line's rate.
    pub amount: String,
}

#[derive(Debug, Clone, InputObject)]
pub struct CreditMemoRequestInput {
    pub invoice_id: ID,
    pub reason: String,
    /// A total including tax, spread over the invoice's lines in proportion; or give `lines`.
    pub amount: Option<String>,
    pub lines: Option<Vec<CreditLineInput>>,
    /// The dispute this answers, if any.
    pub dispute_id: Option<ID>,
}

#[derive(Debug, Clone, InputObject)]
pub struct WriteOffRequestInput {
    pub invoice_id: ID,
    /// Default: everything open on the invoice.
    pub amount: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, InputObject)]
pub struct DocumentDecideInput {
    /// The approval request's id (as listed in the approvals inbox).
    pub approval_id: ID,
    pub decision: ApprovalDecision,
    pub comment: String,
}

/// One credited line: what it reverses and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditLine {
    pub invoice_line_id: i64,
    pub description: String,
    pub kind: String,
    pub net_minor: i64,
    pub tax_minor: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreditMemo {
    pub id: i64,
    pub number: Option<String>,
    pub invoice_id: i64,
    pub customer_id: i64,
    pub status: DocumentStatus,
    pub reason: String,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub lines: Vec<CreditLine>,
    /// Applied against the invoice's open amount.
    pub to_invoice: Money,
    /// The rest, as customer credit (the invoice was already paid).
    pub to_credit: Money,
    pub issue_date: Option<NaiveDate>,
    pub approval_id: Option<i64>,
    pub dispute_id: Option<i64>,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub journal_entry_id: Option<i64>,
}

fn memo_from_model(model: credit_memo::Model) -> AppResult<CreditMemo> {
    let currency = Currency::parse(&model.currency)?;
    let money = |minor| Money::from_minor(minor, currency);
    Ok(CreditMemo {
        id: model.id,
        number: model.number,
        invoice_id: model.invoice_id,
        customer_id: model.customer_id,
        status: DocumentStatus::parse(&model.status)?,
        reason: model.reason,
        subtotal: money(model.subtotal_minor),
        tax: money(model.tax_minor),
        total: money(model.total_minor),
        lines: serde_json::from_str(&model.lines_json)?,
        to_invoice: money(model.to_invoice_minor),
        to_credit: money(model.to_credit_minor),
        issue_date: model.issue_date,
        approval_id: model.approval_id,
        dispute_id: model.dispute_id,
        requested_by: model.requested_by,
        requested_at: model.requested_at,
        decided_by: model.decided_by,
        decided_at: model.decided_at,
        comment: model.comment,
        journal_entry_id: model.journal_entry_id,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct WriteOff {
    pub id: i64,
    pub invoice_id: i64,
    pub customer_id: i64,
    pub amount: Money,
    pub reason: String,
    pub status: DocumentStatus,
    pub approval_id: Option<i64>,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub written_off_on: Option<NaiveDate>,
    pub journal_entry_id: Option<i64>,
}

fn write_off_from_model(model: write_off::Model) -> AppResult<WriteOff> {
    Ok(WriteOff {
        id: model.id,
        invoice_id: model.invoice_id,
        customer_id: model.customer_id,
        amount: Money::from_minor(model.amount_minor, Currency::parse(&model.currency)?),
        reason: model.reason,
        status: DocumentStatus::parse(&model.status)?,
        approval_id: model.approval_id,
        requested_by: model.requested_by,
        requested_at: model.requested_at,
        decided_by: model.decided_by,
        decided_at: model.decided_at,
        comment: model.comment,
        written_off_on: model.written_off_on,
        journal_entry_id: model.journal_entry_id,
    })
}

fn invoice_label(model: &invoice::Model) -> String {
    model
        .number
        .clone()
        .unwrap_or_else(|| format!("draft #{}", model.id))
}
