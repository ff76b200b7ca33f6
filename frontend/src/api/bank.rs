//! Bank matching: importing a bank's CSV of receipts, the lines waiting for a person (with the
//! match the server proposes), confirming a line into a payment, or setting it aside.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{field, ApiError, Connection, CustomerName, Money, Payment, MONEY};

/// The payment a confirmed line became (the same fields the payments pages read).
fn payment_fields() -> String {
    format!(
        "id method amount {MONEY} applied {MONEY} unapplied {MONEY} receivedOn reference \
         recordedAt customer {{ id legalName }} applications {{ {} }}",
        super::receivables::application_fields()
    )
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BankReceipt {
    pub id: String,
    pub batch: String,
    /// The data row in its file, counting from 1 after the header.
    pub row: i64,
    pub received_on: String,
    pub amount: Money,
    pub payer: String,
    pub reference: String,
    /// UNMATCHED, PROPOSED, MATCHED or IGNORED.
    pub status: String,
    pub proposed_customer: Option<CustomerName>,
    #[serde(default)]
    pub proposed_invoice_ids: Vec<String>,
    /// invoice_number, amount_and_customer or amount_only.
    pub proposal_basis: Option<String>,
    pub proposal_explanation: Option<String>,
    pub payment_id: Option<String>,
}

/// A row the import refused, with the column and why.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BankRowError {
    /// 0 is the file as a whole (or its header).
    pub row: i64,
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BankImport {
    pub batch: String,
    pub imported: Vec<BankReceipt>,
    /// Rows already imported from an earlier file, skipped.
    pub duplicates: i64,
    pub rejected: Vec<BankRowError>,
}

const RECEIPT_FIELDS: &str = "id batch row receivedOn amount { amount currency } payer reference \
     status proposedCustomer { id legalName } proposedInvoiceIds proposalBasis \
     proposalExplanation paymentId";

/// Imports a bank CSV (`date,amount,currency,payer,reference`).
pub async fn bank_receipts_import(csv: String) -> Result<BankImport, ApiError> {
    let query = format!(
        "mutation BankReceiptsImport($csv: String!) {{ bankReceiptsImport(csv: $csv) {{ \
           batch duplicates imported {{ {RECEIPT_FIELDS} }} rejected {{ row field message }} }} }}"
    );
    field("bankReceiptsImport", &query, json!({ "csv": csv })).await
}

pub async fn bank_receipts(
    status: Option<String>,
    first: u32,
    after: Option<String>,
) -> Result<Connection<BankReceipt>, ApiError> {
    let query = format!(
        "query BankReceipts($status: ReceiptStatus, $first: Int, $after: String) {{ \
           bankReceipts(status: $status, first: $first, after: $after) {{ \
             nodes {{ {RECEIPT_FIELDS} }} pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
    );
    field(
        "bankReceipts",
        &query,
        json!({ "status": status, "first": first, "after": after }),
    )
    .await
}

/// Confirms a line into a payment from the whole `BankReceiptConfirmInput`: the proposal as it
/// stands, or the customer (and allocations) a person chose.
pub async fn bank_receipt_confirm(input: Value) -> Result<Payment, ApiError> {
    let query = format!(
        "mutation BankReceiptConfirm($input: BankReceiptConfirmInput!) {{ \
           bankReceiptConfirm(input: $input) {{ {} }} }}",
        payment_fields()
    );
    field("bankReceiptConfirm", &query, json!({ "input": input })).await
}

pub async fn bank_receipt_ignore(id: String, reason: String) -> Result<BankReceipt, ApiError> {
    let query = format!(
        "mutation BankReceiptIgnore($id: ID!, $reason: String!) {{ \
           bankReceiptIgnore(id: $id, reason: $reason) {{ {RECEIPT_FIELDS} }} }}"
    );
    field(
        "bankReceiptIgnore",
        &query,
        json!({ "id": id, "reason": reason }),
    )
    .await
}
