//! The receivables part of the API: AR aging (report, per customer, the invoices behind a
//! figure), payments, customer credits, and the mutations that move money (record a payment,
//! apply credit, refund credit). Every money-moving call carries an idempotency key.

use serde::Deserialize;
use serde_json::Value;

use super::{enum_value, input_value, ops};
use super::{field, ApiError, Connection, CustomerName, InvoiceRow, Money};
use crate::components::sort::SortOrder;

/// The four aging buckets in the order they are shown, from calm to alarming.
pub const AGING_BUCKETS: [&str; 4] = ["CURRENT", "DAYS_31_TO_60", "DAYS_61_TO_90", "OVER_90"];

/// The receipt methods a payment can arrive by (`ReceiptMethod`).
pub const RECEIPT_METHODS: [&str; 4] = ["ACH", "WIRE", "CHECK", "CARD"];

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgingBucketTotal {
    pub bucket: String,
    pub label: String,
    pub amount: Money,
    pub count: i64,
    /// Percent of the currency's AR, two decimals ("12.34").
    pub percent: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgingSummary {
    pub currency: String,
    pub total: Money,
    pub count: i64,
    pub buckets: Vec<AgingBucketTotal>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgingReport {
    pub as_of: String,
    pub basis: String,
    pub currencies: Vec<AgingSummary>,
    /// Every currency in the functional currency: each currency's total converted once at the
    /// date's rates and split over its buckets, so the buckets add up to the total.
    pub functional: AgingSummary,
    /// Currencies left out of `functional` for want of an FX rate on the date.
    pub functional_warnings: Vec<String>,
}

/// One customer's AR in one currency.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerAging {
    pub customer_id: String,
    pub legal_name: String,
    pub on_credit_hold: bool,
    pub aging: AgingSummary,
}

/// An invoice behind an aging figure, with what was open on the aging date.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgedInvoice {
    pub invoice_id: String,
    pub number: String,
    pub customer_id: String,
    pub invoice_date: String,
    pub due_date: String,
    pub open: Money,
    pub days: i64,
    pub bucket: String,
}

/// Money applied to an invoice, from a payment or from customer credit.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: String,
    pub invoice_id: String,
    pub invoice_number: String,
    pub amount: Money,
    pub applied_on: String,
    pub payment_id: Option<String>,
    pub credit_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub id: String,
    pub method: String,
    pub amount: Money,
    pub applied: Money,
    /// Kept as customer credit.
    pub unapplied: Money,
    pub received_on: String,
    pub reference: String,
    pub recorded_at: String,
    pub customer: Option<CustomerName>,
    #[serde(default)]
    pub applications: Vec<Application>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerCredit {
    pub id: String,
    /// "payment" (an overpayment) or "credit_memo".
    pub source: String,
    pub source_id: String,
    pub amount: Money,
    pub remaining: Money,
    pub created_on: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditApplication {
    pub applications: Vec<Application>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    pub id: String,
    pub amount: Money,
    pub refunded_on: String,
    pub reference: String,
}

/// What the payment form needs to know about a customer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayerOption {
    pub id: String,
    pub legal_name: String,
    pub billing_currency: String,
    pub payment_method: Option<PayerMethod>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PayerMethod {
    pub kind: String,
}

/// The aging date, the basis and the page, which every aging query shares.
#[derive(Clone, Debug, PartialEq)]
pub struct AgingView {
    /// None: today on the server's business calendar.
    pub as_of: Option<String>,
    /// "INVOICE_DATE" or "DUE_DATE".
    pub basis: String,
}

pub async fn ar_aging(view: AgingView) -> Result<AgingReport, ApiError> {
    field::<ops::ArAging, _>(
        "arAging",
        ops::ar_aging::Variables {
            as_of: view.as_of,
            basis: Some(enum_value(view.basis)),
        },
    )
    .await
}

pub async fn ar_aging_customers(
    view: AgingView,
    search: Option<String>,
    first: u32,
    after: Option<String>,
) -> Result<Connection<CustomerAging>, ApiError> {
    field::<ops::ArAgingCustomers, _>(
        "arAgingCustomers",
        ops::ar_aging_customers::Variables {
            as_of: view.as_of,
            basis: Some(enum_value(view.basis)),
            search,
            first: Some(i64::from(first)),
            after,
        },
    )
    .await
}

/// Which aging figure to open: any of customer, currency and bucket narrows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AgingDrill {
    pub customer_id: Option<String>,
    pub currency: Option<String>,
    pub bucket: Option<String>,
}

pub async fn ar_aging_invoices(
    view: AgingView,
    drill: AgingDrill,
    after: Option<String>,
) -> Result<Connection<AgedInvoice>, ApiError> {
    field::<ops::ArAgingInvoices, _>(
        "arAgingInvoices",
        ops::ar_aging_invoices::Variables {
            as_of: view.as_of,
            basis: Some(enum_value(view.basis)),
            customer_id: drill.customer_id,
            currency: drill.currency,
            bucket: drill.bucket.map(enum_value),
            first: Some(i64::from(50)),
            after,
        },
    )
    .await
}

/// Payments, newest first, or in `order` (a column of `PaymentSort`, in lower case).
pub async fn payments(
    customer_id: Option<String>,
    first: u32,
    order: Option<SortOrder>,
    after: Option<String>,
) -> Result<Connection<Payment>, ApiError> {
    let (sort, direction) = order.as_ref().map_or((None, None), super::sort_variables);
    field::<ops::Payments, _>(
        "payments",
        ops::payments::Variables {
            customer_id,
            first: Some(i64::from(first)),
            after,
            sort,
            direction,
        },
    )
    .await
}

pub async fn payment(id: String) -> Result<Payment, ApiError> {
    field::<ops::Payment, _>("payment", ops::payment::Variables { id }).await
}

pub async fn customer_credits(customer_id: String) -> Result<Vec<CustomerCredit>, ApiError> {
    field::<ops::CustomerCredits, _>(
        "customerCredits",
        ops::customer_credits::Variables { customer_id },
    )
    .await
}

/// Customers for the payment form's picker, A–Z (100 at most; the picker then asks to search).
pub async fn payer_options(search: Option<String>) -> Result<Connection<PayerOption>, ApiError> {
    field::<ops::PayerOptions, _>("customers", ops::payer_options::Variables { search }).await
}

#[derive(Deserialize)]
struct OpenInvoicePages {
    issued: Connection<InvoiceRow>,
    partial: Connection<InvoiceRow>,
}

/// A customer's issued and partly paid invoices (all currencies), oldest first. The list asks
/// for both statuses in one request; each is capped at 100 invoices.
pub async fn open_invoices(customer_id: String) -> Result<Vec<InvoiceRow>, ApiError> {
    let pages: OpenInvoicePages =
        super::data::<ops::OpenInvoices, _>(ops::open_invoices::Variables {
            customer_id: Some(customer_id),
        })
        .await?;
    let mut invoices: Vec<InvoiceRow> = pages
        .issued
        .nodes
        .into_iter()
        .chain(pages.partial.nodes)
        .collect();
    invoices.sort_by(|a, b| {
        a.invoice_date
            .cmp(&b.invoice_date)
            .then_with(|| a.number.cmp(&b.number))
    });
    Ok(invoices)
}

/// Records a payment from the whole `PaymentRecordInput` the form built.
pub async fn payment_record(input: Value) -> Result<Payment, ApiError> {
    field::<ops::PaymentRecord, _>(
        "paymentRecord",
        ops::payment_record::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

/// Applies the customer's credit in one currency to their open invoices, oldest first.
pub async fn credit_apply(
    customer_id: String,
    currency: String,
    idempotency_key: String,
) -> Result<CreditApplication, ApiError> {
    field::<ops::CreditApply, _>(
        "creditApply",
        ops::credit_apply::Variables {
            input: ops::credit_apply::CreditApplyInput {
                allocations: None,
                applied_on: None,
                currency,
                customer_id,
                idempotency_key,
            },
        },
    )
    .await
}

pub async fn credit_refund(
    customer_id: String,
    amount: Money,
    refunded_on: Option<String>,
    reference: String,
    idempotency_key: String,
) -> Result<Refund, ApiError> {
    field::<ops::CreditRefund, _>(
        "creditRefund",
        ops::credit_refund::Variables {
            input: ops::credit_refund::RefundInput {
                amount: ops::credit_refund::MoneyInput {
                    amount: amount.amount,
                    currency: amount.currency,
                },
                customer_id,
                idempotency_key,
                reference,
                refunded_on,
            },
        },
    )
    .await
}

/// Legal names of customers by id (`customersByIds`). Lists such as the aging drill-down know
/// only customer ids.
pub async fn customer_names(
    ids: Vec<String>,
) -> Result<std::collections::HashMap<String, String>, ApiError> {
    let customers: Vec<CustomerName> =
        super::by_ids::<ops::CustomerNames, _>("customersByIds", ids, |ids| {
            ops::customer_names::Variables { ids }
        })
        .await?;
    Ok(customers
        .into_iter()
        .map(|customer| (customer.id, customer.legal_name))
        .collect())
}

/// One customer as the payment form needs it (the picker may not list them all).
pub async fn payer(id: String) -> Result<PayerOption, ApiError> {
    field::<ops::Payer, _>("customer", ops::payer::Variables { id }).await
}
