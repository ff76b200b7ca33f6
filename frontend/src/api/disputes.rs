//! Disputes, credit memos and write-offs: logging and reviewing a customer's dispute (with
//! evidence files), asking for and deciding credit memos and write-offs, the contract terms an
//! invoice was billed under, and authenticated downloads of the PDFs and CSVs they produce.

use gloo_net::http::Request;
use serde::Deserialize;
use serde_json::Value;

use super::{
    disposition_filename, field, ApiError, Connection, CustomerName, Deal, ErrorCode, HttpError,
    InvoiceLine, Money, PdfFile,
};
use super::{enum_value, input_value, ops};
use crate::components::sort::SortOrder;
use crate::session;

/// Why a customer disputes an invoice (`DisputeReason`).
pub const DISPUTE_REASONS: [&str; 7] = [
    "PRICING",
    "QUANTITY",
    "PURCHASE_ORDER",
    "DUPLICATE",
    "NOT_DELIVERED",
    "TAX",
    "OTHER",
];

/// The file types the server keeps as evidence.
pub const EVIDENCE_TYPES: [&str; 5] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
    "message/rfc822",
];

/// Evidence files are at most this large (the server's limit).
pub const EVIDENCE_MAX_BYTES: f64 = 5.0 * 1024.0 * 1024.0;

/// The disputed invoice, with what the review compares against the contract.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisputedInvoice {
    pub id: String,
    pub number: Option<String>,
    pub status: String,
    pub invoice_date: String,
    pub due_date: Option<String>,
    pub payment_terms: String,
    pub po_number: Option<String>,
    pub contract_id: Option<String>,
    pub total: Money,
    pub open_amount: Money,
    #[serde(default)]
    pub lines: Vec<InvoiceLine>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dispute {
    pub id: String,
    pub invoice_id: String,
    pub reason: String,
    pub disputed: Money,
    #[serde(default)]
    pub line_ids: Vec<String>,
    /// The customer's words, as received.
    pub customer_statement: String,
    /// OPEN, VALID, INVALID or CLOSED.
    pub status: String,
    pub opened_on: String,
    pub opened_at: String,
    pub review_due_at: String,
    pub reviewed_at: Option<String>,
    pub review_note: Option<String>,
    pub escalated_at: Option<String>,
    pub closed_on: Option<String>,
    pub resolution: Option<String>,
    pub credit_memo_id: Option<String>,
    pub rebill_invoice_id: Option<String>,
    /// Business minutes left to review; negative when late. Frozen once reviewed.
    pub review_minutes_left: i64,
    pub review_late: bool,
    pub customer: Option<CustomerName>,
    pub invoice: DisputedInvoice,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditLine {
    pub invoice_line_id: String,
    pub description: String,
    pub amount: Money,
    pub tax: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditMemo {
    pub id: String,
    /// Assigned on approval.
    pub number: Option<String>,
    /// REQUESTED, APPROVED or REJECTED.
    pub status: String,
    pub reason: String,
    pub invoice_id: String,
    pub dispute_id: Option<String>,
    pub approval_id: Option<String>,
    pub comment: Option<String>,
    pub requested_at: String,
    pub decided_at: Option<String>,
    pub issue_date: Option<String>,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    /// What reduces the invoice's open amount.
    pub to_invoice: Money,
    /// What is left over as customer credit.
    pub to_credit: Money,
    pub pdf_url: String,
    #[serde(default)]
    pub lines: Vec<CreditLine>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteOff {
    pub id: String,
    pub invoice_id: String,
    pub amount: Money,
    pub status: String,
    pub reason: String,
    pub requested_at: String,
    pub approval_id: Option<String>,
    pub comment: Option<String>,
    pub decided_at: Option<String>,
    pub written_off_on: Option<String>,
}

/// The dispute list's filters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DisputeFilter {
    pub status: Option<String>,
    pub invoice_id: Option<String>,
    pub customer_id: Option<String>,
    /// A column of `DisputeSort` (lower case) and direction; the work queue's order when none.
    pub order: Option<SortOrder>,
}

pub async fn disputes(
    filter: DisputeFilter,
    first: u32,
    after: Option<String>,
) -> Result<Connection<Dispute>, ApiError> {
    let (sort, direction) = filter
        .order
        .as_ref()
        .map_or((None, None), super::sort_variables);
    field::<ops::Disputes, _>(
        "disputes",
        ops::disputes::Variables {
            status: filter.status.map(enum_value),
            invoice_id: filter.invoice_id,
            customer_id: filter.customer_id,
            first: Some(i64::from(first)),
            after,
            sort,
            direction,
        },
    )
    .await
}

pub async fn dispute(id: String) -> Result<Dispute, ApiError> {
    field::<ops::Dispute, _>("dispute", ops::dispute::Variables { id }).await
}

/// Logs a dispute from the whole `DisputeLogInput` the form built.
pub async fn dispute_log(input: Value) -> Result<Dispute, ApiError> {
    field::<ops::DisputeLog, _>(
        "disputeLog",
        ops::dispute_log::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

/// Records the review (`DisputeReviewInput`): valid asks for a credit memo, invalid answers the
/// customer with the evidence.
pub async fn dispute_review(input: Value) -> Result<Dispute, ApiError> {
    field::<ops::DisputeReview, _>(
        "disputeReview",
        ops::dispute_review::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

pub async fn dispute_close(input: Value) -> Result<Dispute, ApiError> {
    field::<ops::DisputeClose, _>(
        "disputeClose",
        ops::dispute_close::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

pub async fn dispute_evidence_add(
    dispute_id: String,
    filename: String,
    content_type: String,
    content_base64: String,
) -> Result<Evidence, ApiError> {
    field::<ops::DisputeEvidenceAdd, _>(
        "disputeEvidenceAdd",
        ops::dispute_evidence_add::Variables {
            input: ops::dispute_evidence_add::EvidenceAddInput {
                content_base64,
                content_type,
                dispute_id,
                filename,
            },
        },
    )
    .await
}

pub async fn credit_memos(
    invoice_id: Option<String>,
    customer_id: Option<String>,
    status: Option<String>,
    after: Option<String>,
) -> Result<Connection<CreditMemo>, ApiError> {
    field::<ops::CreditMemos, _>(
        "creditMemos",
        ops::credit_memos::Variables {
            invoice_id,
            customer_id,
            status: status.map(enum_value),
            first: Some(i64::from(50)),
            after,
        },
    )
    .await
}

pub async fn credit_memo(id: String) -> Result<CreditMemo, ApiError> {
    field::<ops::CreditMemo, _>("creditMemo", ops::credit_memo::Variables { id }).await
}

/// Asks for a credit memo from the whole `CreditMemoRequestInput` the form built.
pub async fn credit_memo_request(input: Value) -> Result<CreditMemo, ApiError> {
    field::<ops::CreditMemoRequest, _>(
        "creditMemoRequest",
        ops::credit_memo_request::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

pub async fn credit_memo_decide(
    approval_id: String,
    decision: &'static str,
    comment: String,
) -> Result<CreditMemo, ApiError> {
    field::<ops::CreditMemoDecide, _>(
        "creditMemoDecide",
        ops::credit_memo_decide::Variables {
            input: ops::credit_memo_decide::DocumentDecideInput {
                approval_id,
                comment,
                decision: enum_value(decision),
            },
        },
    )
    .await
}

/// Asks to write off `amount` (everything open when `None`) as bad debt.
pub async fn write_off_request(
    invoice_id: String,
    amount: Option<String>,
    reason: String,
) -> Result<WriteOff, ApiError> {
    field::<ops::WriteOffRequest, _>(
        "writeOffRequest",
        ops::write_off_request::Variables {
            input: ops::write_off_request::WriteOffRequestInput {
                amount,
                invoice_id,
                reason,
            },
        },
    )
    .await
}

pub async fn write_off_decide(
    approval_id: String,
    decision: &'static str,
    comment: String,
) -> Result<WriteOff, ApiError> {
    field::<ops::WriteOffDecide, _>(
        "writeOffDecide",
        ops::write_off_decide::Variables {
            input: ops::write_off_decide::DocumentDecideInput {
                approval_id,
                comment,
                decision: enum_value(decision),
            },
        },
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerDeals {
    #[serde(default)]
    deals: Vec<Deal>,
}

/// The deal whose contract is `contract_id`, read through the customer's deals (the API has no
/// contract query of its own; the deal carries the terms and the contract's lines and POs).
/// `None` when the contract is not among the deals the viewer may see.
pub async fn deal_for_contract(
    customer_id: String,
    contract_id: String,
) -> Result<Option<Deal>, ApiError> {
    let customer: CustomerDeals = field::<ops::ContractTerms, _>(
        "customer",
        ops::contract_terms::Variables { id: customer_id },
    )
    .await?;
    Ok(customer.deals.into_iter().find(|deal| {
        deal.contract
            .as_ref()
            .is_some_and(|contract| contract.id == contract_id)
    }))
}

/// A file behind one of the API's authenticated download URLs (`pdfUrl`, `csvUrl`), fetched
/// with the session's bearer token since a plain link cannot send it.
pub async fn download(url: String, accept: &'static str) -> Result<PdfFile, ApiError> {
    let token = session::token();
    let mut request = Request::get(&url).header("Accept", accept);
    if let Some(token) = &token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let response = request.send().await.map_err(ApiError::network)?;
    let status = response.status();
    if response.ok() {
        let filename = response
            .headers()
            .get("content-disposition")
            .and_then(|header| disposition_filename(&header));
        let bytes = response.binary().await.map_err(ApiError::network)?;
        return Ok(PdfFile { filename, bytes });
    }
    let error = match response.json::<HttpError>().await {
        Ok(body) => ApiError::single(ErrorCode::parse(body.code.as_deref()), body.message),
        Err(_) => ApiError::network(format!("HTTP {status}")),
    };
    if token.is_some() && error.code() == ErrorCode::Unauthenticated {
        session::expire();
    }
    Err(error)
}
