//! The receivables part of the API: AR aging (report, per customer, the invoices behind a
//! figure), payments, customer credits, and the mutations that move money (record a payment,
//! apply credit, refund credit). Every money-moving call carries an idempotency key.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{field, ApiError, Connection, CustomerName, InvoiceRow, Money, MONEY};

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

fn aging_summary_fields() -> String {
    format!("currency total {MONEY} count buckets {{ bucket label amount {MONEY} count percent }}")
}

pub(crate) fn application_fields() -> String {
    format!("id invoiceId invoiceNumber amount {MONEY} appliedOn paymentId creditId")
}

fn payment_fields() -> String {
    format!(
        "id method amount {MONEY} applied {MONEY} unapplied {MONEY} receivedOn reference \
         recordedAt customer {{ id legalName }} applications {{ {} }}",
        application_fields()
    )
}

const CREDIT_FIELDS: &str = "id source sourceId amount { amount currency } \
     remaining { amount currency } createdOn";

pub async fn ar_aging(view: AgingView) -> Result<AgingReport, ApiError> {
    let query = format!(
        "query ArAging($asOf: Date, $basis: AgingBasis) {{ arAging(asOf: $asOf, basis: $basis) {{ \
           asOf basis currencies {{ {} }} }} }}",
        aging_summary_fields()
    );
    field(
        "arAging",
        &query,
        json!({ "asOf": view.as_of, "basis": view.basis }),
    )
    .await
}

pub async fn ar_aging_customers(
    view: AgingView,
    search: Option<String>,
    first: u32,
    after: Option<String>,
) -> Result<Connection<CustomerAging>, ApiError> {
    let query = format!(
        "query ArAgingCustomers($asOf: Date, $basis: AgingBasis, $search: String, $first: Int, \
           $after: String) {{ \
           arAgingCustomers(asOf: $asOf, basis: $basis, search: $search, first: $first, after: $after) {{ \
             nodes {{ customerId legalName onCreditHold aging {{ {} }} }} \
             pageInfo {{ hasNextPage endCursor }} totalCount }} }}",
        aging_summary_fields()
    );
    field(
        "arAgingCustomers",
        &query,
        json!({
            "asOf": view.as_of,
            "basis": view.basis,
            "search": search,
            "first": first,
            "after": after,
        }),
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
    let query = format!(
        "query ArAgingInvoices($asOf: Date, $basis: AgingBasis, $customerId: ID, $currency: String, \
           $bucket: AgingBucket, $first: Int, $after: String) {{ \
           arAgingInvoices(asOf: $asOf, basis: $basis, customerId: $customerId, currency: $currency, \
             bucket: $bucket, first: $first, after: $after) {{ \
             nodes {{ invoiceId number customerId invoiceDate dueDate open {MONEY} days bucket }} \
             pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
    );
    field(
        "arAgingInvoices",
        &query,
        json!({
            "asOf": view.as_of,
            "basis": view.basis,
            "customerId": drill.customer_id,
            "currency": drill.currency,
            "bucket": drill.bucket,
            "first": 50,
            "after": after,
        }),
    )
    .await
}

pub async fn payments(
    customer_id: Option<String>,
    first: u32,
    after: Option<String>,
) -> Result<Connection<Payment>, ApiError> {
    let query = format!(
        "query Payments($customerId: ID, $first: Int, $after: String) {{ \
           payments(customerId: $customerId, first: $first, after: $after) {{ \
             nodes {{ {} }} pageInfo {{ hasNextPage endCursor }} totalCount }} }}",
        payment_fields()
    );
    field(
        "payments",
        &query,
        json!({ "customerId": customer_id, "first": first, "after": after }),
    )
    .await
}

pub async fn payment(id: String) -> Result<Payment, ApiError> {
    let query = format!(
        "query Payment($id: ID!) {{ payment(id: $id) {{ {} }} }}",
        payment_fields()
    );
    field("payment", &query, json!({ "id": id })).await
}

pub async fn customer_credits(customer_id: String) -> Result<Vec<CustomerCredit>, ApiError> {
    let query = format!(
        "query CustomerCredits($customerId: ID!) {{ customerCredits(customerId: $customerId) {{ \
           {CREDIT_FIELDS} }} }}"
    );
    field(
        "customerCredits",
        &query,
        json!({ "customerId": customer_id }),
    )
    .await
}

/// Customers for the payment form's picker, A–Z (100 at most; the picker then asks to search).
pub async fn payer_options(search: Option<String>) -> Result<Connection<PayerOption>, ApiError> {
    let query = "query PayerOptions($search: String) { customers(first: 100, search: $search) { \
                 nodes { id legalName billingCurrency paymentMethod { kind } } \
                 pageInfo { hasNextPage endCursor } totalCount } }";
    field("customers", query, json!({ "search": search })).await
}

#[derive(Deserialize)]
struct OpenInvoicePages {
    issued: Connection<InvoiceRow>,
    partial: Connection<InvoiceRow>,
}

/// A customer's issued and partly paid invoices (all currencies), oldest first. The list asks
/// for both statuses in one request; each is capped at 100 invoices.
pub async fn open_invoices(customer_id: String) -> Result<Vec<InvoiceRow>, ApiError> {
    let nodes = format!(
        "nodes {{ id number customer {{ id legalName }} invoiceDate dueDate status blockedReason \
                  total {MONEY} openAmount {MONEY} }} pageInfo {{ hasNextPage endCursor }} totalCount"
    );
    let query = format!(
        "query OpenInvoices($customerId: ID) {{ \
           issued: invoices(customerId: $customerId, status: ISSUED, first: 100) {{ {nodes} }} \
           partial: invoices(customerId: $customerId, status: PARTIALLY_PAID, first: 100) {{ {nodes} }} }}"
    );
    let pages: OpenInvoicePages =
        super::execute(&query, json!({ "customerId": customer_id })).await?;
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
    let query = format!(
        "mutation PaymentRecord($input: PaymentRecordInput!) {{ paymentRecord(input: $input) {{ {} }} }}",
        payment_fields()
    );
    field("paymentRecord", &query, json!({ "input": input })).await
}

/// Applies the customer's credit in one currency to their open invoices, oldest first.
pub async fn credit_apply(
    customer_id: String,
    currency: String,
    idempotency_key: String,
) -> Result<CreditApplication, ApiError> {
    let query = format!(
        "mutation CreditApply($input: CreditApplyInput!) {{ creditApply(input: $input) {{ \
           applications {{ {} }} }} }}",
        application_fields()
    );
    let input = json!({
        "customerId": customer_id,
        "currency": currency,
        "idempotencyKey": idempotency_key,
    });
    field("creditApply", &query, json!({ "input": input })).await
}

pub async fn credit_refund(
    customer_id: String,
    amount: Money,
    refunded_on: Option<String>,
    reference: String,
    idempotency_key: String,
) -> Result<Refund, ApiError> {
    let query = format!(
        "mutation CreditRefund($input: RefundInput!) {{ creditRefund(input: $input) {{ \
           id amount {MONEY} refundedOn reference }} }}"
    );
    let input = json!({
        "customerId": customer_id,
        "amount": { "amount": amount.amount, "currency": amount.currency },
        "refundedOn": refunded_on,
        "reference": reference,
        "idempotencyKey": idempotency_key,
    });
    field("creditRefund", &query, json!({ "input": input })).await
}

/// Legal names of customers by id, in one request (each id an aliased `customer` field). Lists
/// such as the aging drill-down know only customer ids.
pub async fn customer_names(
    ids: Vec<String>,
) -> Result<std::collections::HashMap<String, String>, ApiError> {
    let mut unique = ids;
    unique.sort();
    unique.dedup();
    if unique.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let fields = (0..unique.len())
        .map(|index| format!("c{index}: customer(id: $c{index}) {{ id legalName }}"))
        .collect::<Vec<_>>()
        .join(" ");
    let parameters = (0..unique.len())
        .map(|index| format!("$c{index}: ID!"))
        .collect::<Vec<_>>()
        .join(", ");
    let query = format!("query CustomerNames({parameters}) {{ {fields} }}");
    let variables: serde_json::Map<String, Value> = unique
        .iter()
        .enumerate()
        .map(|(index, id)| (format!("c{index}"), Value::String(id.clone())))
        .collect();
    let data: std::collections::HashMap<String, CustomerName> =
        super::execute(&query, Value::Object(variables)).await?;
    Ok(data
        .into_values()
        .map(|customer| (customer.id, customer.legal_name))
        .collect())
}

/// One customer as the payment form needs it (the picker may not list them all).
pub async fn payer(id: String) -> Result<PayerOption, ApiError> {
    let query = "query Payer($id: ID!) { customer(id: $id) { \
                 id legalName billingCurrency paymentMethod { kind } } }";
    field("customer", query, json!({ "id": id })).await
}
