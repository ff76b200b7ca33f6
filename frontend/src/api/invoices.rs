//! Invoices: the invoice list, one invoice with its lines and what was applied to it, setting its
//! PO number, issuing and voiding it, and downloading its PDF.

use gloo_net::http::Request;
use serde::Deserialize;

use super::{disposition_filename, enum_value, ops, sort_variables, HttpError};
use super::{field, ApiError, Application, Connection, CustomerName, ErrorCode, Money};
use crate::components::sort::SortOrder;
use crate::session;

/// A row of the invoice list.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceRow {
    pub id: String,
    pub number: Option<String>,
    pub customer: Option<CustomerName>,
    pub invoice_date: String,
    pub due_date: Option<String>,
    pub status: String,
    pub blocked_reason: Option<String>,
    pub total: Money,
    pub open_amount: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceLine {
    pub id: String,
    pub description: String,
    pub note: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub quantity: String,
    pub unit_price: Money,
    pub amount: Money,
    pub tax_label: String,
    pub tax_rate_percent: String,
    pub tax: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    pub id: String,
    pub number: Option<String>,
    pub customer: Option<CustomerName>,
    pub status: String,
    pub invoice_date: String,
    pub issue_date: Option<String>,
    pub due_date: Option<String>,
    pub payment_terms: String,
    pub po_number: Option<String>,
    pub legal_entity: String,
    pub tax_exemption_certificate: Option<String>,
    pub blocked_reason: Option<String>,
    pub blocked_field: Option<String>,
    #[serde(default)]
    pub lines: Vec<InvoiceLine>,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub paid: Money,
    pub open_amount: Money,
    pub functional_total: Option<Money>,
    pub fx_rate: Option<String>,
    pub void_reason: Option<String>,
    pub voided_at: Option<String>,
    /// Approved credit memos applied to this invoice.
    pub credited: Money,
    /// Approved bad-debt write-offs.
    pub written_off: Money,
    /// The date nothing remained open (paid, credited, written off or void).
    pub settled_on: Option<String>,
    /// Payments and credit applied to this invoice, oldest first.
    #[serde(default)]
    pub applications: Vec<Application>,
}

/// An invoice PDF as downloaded, with the file name the server suggests.
pub struct PdfFile {
    pub filename: Option<String>,
    pub bytes: Vec<u8>,
}

pub async fn invoices(
    search: Option<String>,
    status: Option<String>,
    overdue: bool,
    order: SortOrder,
    after: Option<String>,
) -> Result<Connection<InvoiceRow>, ApiError> {
    let (sort, direction) = sort_variables(&order);
    field::<ops::Invoices, _>(
        "invoices",
        ops::invoices::Variables {
            first: Some(i64::from(25)),
            after,
            search,
            status: status.map(enum_value),
            overdue: overdue.then_some(true),
            sort,
            direction,
        },
    )
    .await
}

pub async fn invoice(id: String) -> Result<Invoice, ApiError> {
    field::<ops::Invoice, _>("invoice", ops::invoice::Variables { id }).await
}

pub async fn invoice_po_set(id: String, po_number: String) -> Result<Invoice, ApiError> {
    field::<ops::InvoicePoSet, _>(
        "invoicePoSet",
        ops::invoice_po_set::Variables { id, po_number },
    )
    .await
}

pub async fn invoice_issue(id: String) -> Result<Invoice, ApiError> {
    field::<ops::InvoiceIssue, _>("invoiceIssue", ops::invoice_issue::Variables { id }).await
}

pub async fn invoice_void(
    id: String,
    reason: String,
    release_charges: bool,
) -> Result<Invoice, ApiError> {
    field::<ops::InvoiceVoid, _>(
        "invoiceVoid",
        ops::invoice_void::Variables {
            input: ops::invoice_void::InvoiceVoidInput {
                id,
                reason,
                release_charges,
            },
        },
    )
    .await
}

/// The invoice PDF, fetched with the session's bearer token (a plain link cannot send it).
pub async fn invoice_pdf(id: String) -> Result<PdfFile, ApiError> {
    let token = session::token();
    let url = format!(
        "/api/invoices/{}/pdf",
        String::from(js_sys::encode_uri_component(&id))
    );
    let mut request = Request::get(&url).header("Accept", "application/pdf");
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
