//! Bank matching: importing a bank's CSV of receipts, the lines waiting for a person (with the
//! match the server proposes), confirming a line into a payment, or setting it aside.

use serde::Deserialize;
use serde_json::Value;

use super::{enum_value, input_value, ops};
use super::{field, ApiError, Connection, CustomerName, Money, Payment};

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

/// Imports a bank CSV (`date,amount,currency,payer,reference`).
pub async fn bank_receipts_import(csv: String) -> Result<BankImport, ApiError> {
    field::<ops::BankReceiptsImport, _>(
        "bankReceiptsImport",
        ops::bank_receipts_import::Variables { csv },
    )
    .await
}

pub async fn bank_receipts(
    status: Option<String>,
    first: u32,
    after: Option<String>,
) -> Result<Connection<BankReceipt>, ApiError> {
    field::<ops::BankReceipts, _>(
        "bankReceipts",
        ops::bank_receipts::Variables {
            status: status.map(enum_value),
            first: Some(i64::from(first)),
            after,
        },
    )
    .await
}

/// Confirms a line into a payment from the whole `BankReceiptConfirmInput`: the proposal as it
/// stands, or the customer (and allocations) a person chose.
pub async fn bank_receipt_confirm(input: Value) -> Result<Payment, ApiError> {
    field::<ops::BankReceiptConfirm, _>(
        "bankReceiptConfirm",
        ops::bank_receipt_confirm::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

pub async fn bank_receipt_ignore(id: String, reason: String) -> Result<BankReceipt, ApiError> {
    field::<ops::BankReceiptIgnore, _>(
        "bankReceiptIgnore",
        ops::bank_receipt_ignore::Variables { id, reason },
    )
    .await
}
