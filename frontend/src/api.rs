//! The only module that speaks GraphQL: it posts `{query, variables}` to `/graphql` with the
//! session's bearer token, and turns `errors[].extensions` into a typed [`ApiError`] that
//! forms can show next to the field the server named.

use gloo_net::http::Request;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{json, Value};

use crate::components::sort::SortOrder;
use crate::session;

pub(crate) mod ops;
mod receivables;
pub use receivables::*;

mod bank;
mod collections;
mod commissions;
mod disputes;
mod imports;
mod intake;
mod ledger;
mod line_activity;
mod metrics;
mod renewals;
mod revenue;
mod service_accounts;
mod settings;
mod users;
mod webhooks;
pub use bank::*;
pub use collections::*;
pub use commissions::*;
pub use disputes::*;
pub use imports::*;
pub use intake::*;
pub use ledger::*;
pub use line_activity::*;
pub use metrics::*;
pub use renewals::*;
pub use revenue::*;
pub use service_accounts::*;
pub use settings::*;
pub use users::*;
pub use webhooks::*;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// The `extensions.code` values of the contract, plus the client's own failure to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    Validation,
    NotFound,
    Forbidden,
    Unauthenticated,
    Conflict,
    Limit,
    Internal,
    /// The request never got a GraphQL answer (offline, server down, not JSON).
    Network,
}

impl ErrorCode {
    fn parse(code: Option<&str>) -> Self {
        match code {
            Some("VALIDATION") => Self::Validation,
            Some("NOT_FOUND") => Self::NotFound,
            Some("FORBIDDEN") => Self::Forbidden,
            Some("UNAUTHENTICATED") => Self::Unauthenticated,
            Some("CONFLICT") => Self::Conflict,
            Some("LIMIT") => Self::Limit,
            _ => Self::Internal,
        }
    }
}

/// One error from the server, in its own words.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorItem {
    pub code: ErrorCode,
    pub message: String,
    /// The input field it concerns, camelCase and dotted ("billingContact.email").
    pub field: Option<String>,
}

/// Everything that went wrong with one request.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub items: Vec<ErrorItem>,
}

impl ApiError {
    fn single(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            items: vec![ErrorItem {
                code,
                message: message.into(),
                field: None,
            }],
        }
    }

    fn network(detail: impl std::fmt::Display) -> Self {
        Self::single(
            ErrorCode::Network,
            format!("Could not reach the server ({detail}). Check your connection and try again."),
        )
    }

    /// A message the client itself raises for a field, before asking the server.
    pub fn for_field(field: &str, message: impl Into<String>) -> Self {
        Self {
            items: vec![ErrorItem {
                code: ErrorCode::Validation,
                message: message.into(),
                field: Some(field.to_string()),
            }],
        }
    }

    pub fn code(&self) -> ErrorCode {
        self.items
            .first()
            .map_or(ErrorCode::Internal, |item| item.code.clone())
    }

    pub fn is_forbidden(&self) -> bool {
        self.items
            .iter()
            .any(|item| item.code == ErrorCode::Forbidden)
    }

    /// The messages for one field, joined; a field also collects errors about its nested
    /// fields ("tcv" shows "tcv.amount").
    pub fn field(&self, field: &str) -> Option<String> {
        let messages: Vec<&str> = self
            .items
            .iter()
            .filter(|item| {
                item.field.as_deref().is_some_and(|named| {
                    named == field
                        || named
                            .strip_prefix(field)
                            .is_some_and(|rest| rest.starts_with('.'))
                })
            })
            .map(|item| item.message.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    }

    /// Whether any error names a field (so the form can say "see the fields below").
    pub fn has_field_errors(&self) -> bool {
        self.items.iter().any(|item| item.field.is_some())
    }

    /// All messages in one sentence list, for a banner.
    pub fn summary(&self) -> String {
        self.items
            .iter()
            .map(|item| item.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.summary())
    }
}

impl std::error::Error for ApiError {}

#[derive(Deserialize)]
struct Envelope {
    data: Option<Value>,
    errors: Option<Vec<WireError>>,
}

#[derive(Deserialize)]
struct WireError {
    message: String,
    #[serde(default)]
    extensions: Option<WireExtensions>,
}

#[derive(Deserialize)]
struct WireExtensions {
    code: Option<String>,
    field: Option<String>,
}

impl From<WireError> for ErrorItem {
    fn from(wire: WireError) -> Self {
        let (code, field) = match wire.extensions {
            Some(extensions) => (extensions.code, extensions.field),
            None => (None, None),
        };
        ErrorItem {
            code: ErrorCode::parse(code.as_deref()),
            message: wire.message,
            field,
        }
    }
}

/// Sends one GraphQL operation and decodes `data` into `T`.
///
/// A request that carried a token and is refused as unauthenticated ends the session: the token
/// expired or was revoked, and the user must sign in again.
async fn execute<T: DeserializeOwned>(query: &str, variables: Value) -> Result<T, ApiError> {
    let token = session::token();
    let mut request = Request::post("/graphql").header("Accept", "application/json");
    if let Some(token) = &token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let response = request
        .json(&json!({ "query": query, "variables": variables }))
        .map_err(ApiError::network)?
        .send()
        .await
        .map_err(ApiError::network)?;
    let status = response.status();
    let envelope: Result<Envelope, _> = response.json().await;
    let envelope = match envelope {
        Ok(envelope) => envelope,
        Err(_) if status == 401 => Envelope {
            data: None,
            errors: Some(vec![WireError {
                message: "Your session has ended. Please sign in again.".into(),
                extensions: Some(WireExtensions {
                    code: Some("UNAUTHENTICATED".into()),
                    field: None,
                }),
            }]),
        },
        Err(error) => return Err(ApiError::network(format!("HTTP {status}: {error}"))),
    };
    if let Some(errors) = envelope.errors.filter(|errors| !errors.is_empty()) {
        let error = ApiError {
            items: errors.into_iter().map(ErrorItem::from).collect(),
        };
        if token.is_some() && error.code() == ErrorCode::Unauthenticated {
            session::expire();
        }
        return Err(error);
    }
    let data = envelope
        .data
        .ok_or_else(|| ApiError::single(ErrorCode::Internal, "The server sent no data."))?;
    serde_json::from_value(data).map_err(|error| {
        ApiError::single(
            ErrorCode::Internal,
            format!("The server's answer did not match what this page expects: {error}"),
        )
    })
}

/// Sends one operation typed from `schema.graphql` (see [`ops`]) and decodes the single
/// top-level field `name` of its `data` into `T`.
async fn field<Q, T>(name: &str, variables: Q::Variables) -> Result<T, ApiError>
where
    Q: graphql_client::GraphQLQuery,
    T: DeserializeOwned,
{
    take_field(data::<Q, _>(variables).await?, name)
}

/// The top-level field `name` of an answer's `data`, decoded into `T`.
fn take_field<T: DeserializeOwned>(
    mut data: serde_json::Map<String, Value>,
    name: &str,
) -> Result<T, ApiError> {
    let value = data.remove(name).unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|error| {
        ApiError::single(
            ErrorCode::Internal,
            format!("The server's answer did not match what this page expects: {error}"),
        )
    })
}

/// Sends one operation typed from `schema.graphql` and decodes its whole `data` into `T` (for
/// operations that read several top-level fields).
async fn data<Q, T>(variables: Q::Variables) -> Result<T, ApiError>
where
    Q: graphql_client::GraphQLQuery,
    T: DeserializeOwned,
{
    let body = Q::build_query(variables);
    let variables = serde_json::to_value(&body.variables).map_err(|error| {
        ApiError::single(
            ErrorCode::Internal,
            format!("This page could not write its request: {error}"),
        )
    })?;
    execute(body.query, variables).await
}

/// A lookup by a list of ids (`customersByIds` and its like): the ids once each, a page of
/// them per request, the found items in one list.
async fn by_ids<Q, T>(
    name: &str,
    ids: Vec<String>,
    variables: impl Fn(Vec<String>) -> Q::Variables,
) -> Result<Vec<T>, ApiError>
where
    Q: graphql_client::GraphQLQuery,
    T: DeserializeOwned,
{
    /// The server's cap on ids per lookup.
    const IDS_PER_REQUEST: usize = 100;
    let mut unique = ids;
    unique.sort();
    unique.dedup();
    let mut found = Vec::with_capacity(unique.len());
    for chunk in unique.chunks(IDS_PER_REQUEST) {
        let page: Vec<T> = field::<Q, _>(name, variables(chunk.to_vec())).await?;
        found.extend(page);
    }
    Ok(found)
}

/// A schema enum from the text a form holds; text the schema does not know is sent as it is,
/// and the server refuses it by the field's name.
fn enum_value<E: DeserializeOwned>(text: impl Into<String>) -> E {
    // A generated enum reads any string (unknown ones as its `Other` variant), so this cannot fail.
    serde_json::from_value(Value::String(text.into())).unwrap_or_else(|_| unreachable!())
}

/// An input object a form built as JSON, read into the operation's generated input type, so a
/// key the schema lacks is caught here rather than sent.
fn input_value<I: DeserializeOwned>(input: Value) -> Result<I, ApiError> {
    serde_json::from_value(input).map_err(|error| {
        ApiError::single(
            ErrorCode::Internal,
            format!("This page built an input the server does not take: {error}"),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Types (the parts of the schema the web app reads)
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    #[serde(default)]
    pub permissions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRef {
    pub id: String,
    pub name: String,
}

/// A user as pickers list them: name and role.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOption {
    pub id: String,
    pub name: String,
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Money {
    pub amount: String,
    pub currency: String,
}

impl Money {
    pub fn display(&self) -> String {
        crate::format::money(&self.amount, &self.currency)
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection<T> {
    pub nodes: Vec<T>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    pub kind: String,
    pub masked_reference: Option<String>,
}

/// A customer's exposure against its credit limit, with what a deal would add (DOMAIN, "Credit
/// policy"): open invoices, drafts waiting and the next 30 days' scheduled charges.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditCheck {
    pub limit: Money,
    pub exposure: Money,
    pub open: Money,
    pub waiting: Money,
    pub scheduled: Money,
    pub credit: Money,
    pub adding: Money,
    pub after: Money,
    pub over_by: Option<Money>,
    pub needs_vp_finance: bool,
    /// The deposit (recorded as customer credit) that brings it within the limit, when the
    /// customer's credit policy takes one.
    pub deposit: Option<Money>,
    pub explanation: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditPolicy {
    pub category: String,
    pub proposed_limit: Money,
    pub allowed_terms: Vec<String>,
    pub deposit_rule: String,
    pub explanation: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryOnly {
    pub category: String,
}

/// A row of the customer list.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRow {
    pub id: String,
    pub legal_name: String,
    pub credit_policy: CategoryOnly,
    pub credit_limit: Money,
    pub payment_terms: String,
    pub arr: Money,
    pub billing_currency: String,
    pub on_credit_hold: bool,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDetail {
    pub id: String,
    pub legal_name: String,
    pub billing_address: Address,
    pub remit_to_address: Address,
    pub tax_registration_number: Option<String>,
    pub billing_contact: Contact,
    pub payment_method: Option<PaymentMethod>,
    pub credit_limit: Money,
    pub credit_exposure: CreditCheck,
    pub payment_terms: String,
    pub billing_currency: String,
    pub arr: Money,
    pub credit_policy: CreditPolicy,
    pub on_credit_hold: bool,
    pub credit_hold_reason: Option<String>,
    pub credit_hold_since: Option<String>,
    pub has_paid_invoice: bool,
    pub prior_late_payer: bool,
    #[serde(default)]
    pub deals: Vec<DealRow>,
    pub pending_credit_limit_request: Option<Approval>,
    pub created_at: String,
}

/// What the deal form needs to know about a customer to prefill itself.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerOption {
    pub id: String,
    pub legal_name: String,
    pub billing_currency: String,
    pub payment_terms: String,
    pub billing_contact: Contact,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerName {
    pub id: String,
    pub legal_name: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealRow {
    pub id: String,
    pub crm_opportunity_id: String,
    pub customer: Option<CustomerName>,
    pub product_name: Option<String>,
    pub tcv: Option<Money>,
    pub arr: Option<Money>,
    pub start_date: Option<String>,
    pub status: String,
    pub is_complete: bool,
    pub assigned_ae: Option<UserRef>,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Milestone {
    pub name: String,
    pub due_date: Option<String>,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItem {
    pub key: String,
    pub label: String,
    pub complete: bool,
    pub message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deal {
    pub id: String,
    pub crm_opportunity_id: String,
    pub customer: Option<CustomerName>,
    pub invoiced_legal_entity: Option<String>,
    pub billing_contact: Option<Contact>,
    pub product_name: Option<String>,
    pub tcv: Option<Money>,
    pub arr: Option<Money>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub billing_frequency: Option<String>,
    pub payment_terms: Option<String>,
    pub billing_currency: Option<String>,
    pub po_required: bool,
    pub po_number: Option<String>,
    pub tax_jurisdiction: Option<String>,
    pub tax_exempt: bool,
    pub tax_exemption_certificate: Option<String>,
    pub revenue_recognition_type: Option<String>,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    #[serde(default)]
    pub lines: Vec<DealLine>,
    pub assigned_ae: Option<UserRef>,
    pub commission_plan_id: Option<String>,
    pub status: String,
    #[serde(default)]
    pub checklist: Vec<ChecklistItem>,
    pub is_complete: bool,
    pub contract: Option<Contract>,
    pub created_at: String,
    pub approved_at: Option<String>,
    pub approved_by: Option<UserRef>,
}

/// One product sold on a deal; the deal's product, TCV and ARR are computed from its lines.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealLine {
    pub product_name: String,
    pub kind: Option<String>,
    pub quantity: String,
    pub unit_price: Money,
    pub billing_frequency: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub reference: Option<String>,
    #[serde(default)]
    pub discount: Option<LineDiscount>,
    /// A free trial: free until this day, when the line converts to paid.
    #[serde(default)]
    pub trial_ends_on: Option<String>,
}

/// A recurring discount on a subscription line.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineDiscount {
    pub percent: Option<String>,
    pub amount: Option<Money>,
    pub periods: Option<i64>,
    pub from: Option<String>,
    pub label: String,
    pub coupon: Option<String>,
    /// In words: "20% off, 3 periods".
    pub description: String,
}

/// A contract line's discount, in words.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountSummary {
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub id: String,
    pub contract_number: String,
    pub start_date: String,
    pub end_date: String,
    pub tcv: Money,
    pub arr: Money,
    #[serde(default)]
    pub lines: Vec<ContractLine>,
    #[serde(default)]
    pub purchase_orders: Vec<PurchaseOrder>,
    /// Set for a contract brought over from the old system at cut-over.
    #[serde(default)]
    pub brought_over_on: Option<String>,
    /// The day of the month its subscription lines bill on; `None`: each from its start date.
    #[serde(default)]
    pub billing_day: Option<i64>,
    #[serde(default)]
    pub documents: Vec<ContractDocument>,
}

/// A signed contract or SOW kept with its contract.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractDocument {
    pub id: String,
    pub file_name: String,
    pub file_bytes: i64,
    pub file_sha256: String,
    #[serde(default)]
    pub uploaded_by_name: String,
    #[serde(default)]
    pub uploaded_at: String,
    pub download_url: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractLine {
    pub id: String,
    pub product_name: String,
    pub kind: String,
    pub quantity: String,
    pub unit_price: Money,
    pub billing_frequency: Option<String>,
    pub start_date: String,
    pub end_date: String,
    /// A brought-over line: the last day the old system invoiced.
    #[serde(default)]
    pub billed_through: Option<String>,
    #[serde(default)]
    pub discount: Option<DiscountSummary>,
    /// A free trial's first day; the line bills from its start date.
    #[serde(default)]
    pub trial_from: Option<String>,
    /// The day service stopped before the end date (a cancellation or a plan change).
    #[serde(default)]
    pub cancelled_on: Option<String>,
    /// The line this one took over from in a plan change.
    #[serde(default)]
    pub replaces_line_id: Option<String>,
    /// How a part of one of its periods is billed: the contract's proration convention.
    #[serde(default)]
    pub proration: Option<String>,
    /// A subscription billed in arrears: each period after it ends.
    #[serde(default)]
    pub billed_in_arrears: bool,
    /// A usage line's meter, which its readings name.
    #[serde(default)]
    pub usage_meter: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrder {
    pub id: String,
    pub number: String,
    pub amount: Money,
    pub valid_from: String,
    pub valid_to: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub customer: CustomerName,
    pub requested_by: UserRef,
    pub requested_at: String,
    pub reason: String,
    /// Credit-limit requests: the limit and terms now and asked for (absent for other kinds).
    pub current_limit: Option<Money>,
    pub requested_limit: Option<Money>,
    pub current_terms: Option<String>,
    pub requested_terms: Option<String>,
    /// Credit memos and write-offs: the amount asked for, the invoice and the document.
    pub amount: Option<Money>,
    pub invoice_id: Option<String>,
    pub invoice_number: Option<String>,
    pub document_id: Option<String>,
    pub decided_by: Option<UserRef>,
    pub decided_at: Option<String>,
    pub comment: Option<String>,
    pub can_decide: bool,
    pub cannot_decide_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerAccount {
    pub code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrialBalanceLine {
    pub account: LedgerAccount,
    pub currency: String,
    pub debit: Money,
    pub credit: Money,
    pub balance: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotal {
    pub currency: String,
    pub debit: Money,
    pub credit: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrialBalance {
    pub as_of: String,
    pub lines: Vec<TrialBalanceLine>,
    pub totals: Vec<CurrencyTotal>,
    pub is_balanced: bool,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: String,
    pub at: String,
    /// Who, in words: a person's name, "service account: <name> (<prefix>)", or "System".
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginPayload {
    pub token: String,
    pub user: User,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealApproved {
    pub deal: Deal,
    pub contract: Contract,
}

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

/// A line the bill run writes (or, in a preview, would write).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedInvoiceLine {
    pub description: String,
    pub note: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub quantity: String,
    pub amount: Money,
    pub tax_label: String,
    pub tax: Money,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillRunInvoice {
    pub customer_id: String,
    pub customer_name: String,
    pub invoice_id: Option<String>,
    pub number: Option<String>,
    pub legal_entity: String,
    pub po_number: Option<String>,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub blocked_reason: Option<String>,
    pub blocked_field: Option<String>,
    #[serde(default)]
    pub lines: Vec<PlannedInvoiceLine>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedCharge {
    pub contract_line_id: String,
    pub customer_id: String,
    pub description: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillRunResult {
    pub as_of: String,
    pub dry_run: bool,
    pub charges_written: i64,
    pub issued: Vec<BillRunInvoice>,
    pub held: Vec<BillRunInvoice>,
    pub skipped: Vec<SkippedCharge>,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillRunStatus {
    pub business_date: String,
    /// "running" or "done".
    pub status: String,
    pub done: i64,
    pub total: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingScheduleRow {
    pub contract_line_id: String,
    pub description: String,
    pub note: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub due_on: String,
    pub amount: Money,
    /// "invoiced", "unbilled" or "upcoming".
    pub state: String,
    pub invoice_id: Option<String>,
    pub invoice_number: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timesheet {
    pub id: String,
    pub person: String,
    pub role: String,
    pub work_date: String,
    pub description: String,
    pub hours: String,
    pub rate: Money,
    pub amount: Money,
    /// "submitted", "approved" or "rejected".
    pub status: String,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

/// An invoice PDF as downloaded, with the file name the server suggests.
pub struct PdfFile {
    pub filename: Option<String>,
    pub bytes: Vec<u8>,
}

// ---------------------------------------------------------------------------------------------
// Fragments and operations
// ---------------------------------------------------------------------------------------------

pub async fn login(email: String, password: String) -> Result<LoginPayload, ApiError> {
    field::<ops::Login, _>(
        "login",
        ops::login::Variables {
            input: ops::login::LoginInput { email, password },
        },
    )
    .await
}

/// Revokes every token of the signed-in user on the server (all devices).
pub async fn logout() -> Result<serde_json::Value, ApiError> {
    field::<ops::Logout, _>("logout", ops::logout::Variables).await
}

pub async fn me() -> Result<User, ApiError> {
    field::<ops::Me, _>("me", ops::me::Variables).await
}

pub async fn customers(
    search: Option<String>,
    order: SortOrder,
    after: Option<String>,
) -> Result<Connection<CustomerRow>, ApiError> {
    let (sort, direction) = sort_variables(&order);
    field::<ops::Customers, _>(
        "customers",
        ops::customers::Variables {
            first: Some(i64::from(25)),
            after,
            search,
            sort,
            direction,
        },
    )
    .await
}

/// A list's `sort` and `direction` variables from the page's order: its key in the URL is the
/// schema's column name in lower case (`?sort=due_date` is `DUE_DATE`).
fn sort_variables<S: DeserializeOwned, D: DeserializeOwned>(
    order: &SortOrder,
) -> (Option<S>, Option<D>) {
    let direction = if order.descending { "DESC" } else { "ASC" };
    (
        Some(enum_value(order.key.to_ascii_uppercase())),
        Some(enum_value(direction)),
    )
}

/// Customers for pickers, A–Z. The API caps a page at 100, so the connection says whether
/// there are more (the picker then asks the user to search).
pub async fn customer_options(
    search: Option<String>,
) -> Result<Connection<CustomerOption>, ApiError> {
    field::<ops::CustomerOptions, _>("customers", ops::customer_options::Variables { search }).await
}

pub async fn customer(id: String) -> Result<CustomerDetail, ApiError> {
    field::<ops::Customer, _>("customer", ops::customer::Variables { id }).await
}

#[derive(Deserialize)]
struct CustomerPayload {
    customer: CustomerName,
}

/// Creates a customer from the whole `CustomerCreateInput` the form built.
pub async fn customer_create(input: Value) -> Result<CustomerName, ApiError> {
    let payload: CustomerPayload = field::<ops::CustomerCreate, _>(
        "customerCreate",
        ops::customer_create::Variables {
            input: input_value(input)?,
        },
    )
    .await?;
    Ok(payload.customer)
}

/// Changes a customer: `input` is a `CustomerUpdateInput` holding only the parts that changed.
/// It is read into the operation's generated input type first (a key the schema lacks is caught
/// here) but sent as built, because the typed input leaves out a `null` — and a `null` payment
/// method is how the form removes the one on file.
pub async fn customer_update(input: Value) -> Result<CustomerName, ApiError> {
    let checked = ops::customer_update::Variables {
        input: input_value(input.clone())?,
    };
    let body = <ops::CustomerUpdate as graphql_client::GraphQLQuery>::build_query(checked);
    let data = execute(body.query, json!({ "input": input })).await?;
    let payload: CustomerPayload = take_field(data, "customerUpdate")?;
    Ok(payload.customer)
}

pub async fn customer_credit_hold_set(
    customer_id: String,
    on_hold: bool,
    reason: String,
) -> Result<CustomerName, ApiError> {
    let payload: CustomerPayload = field::<ops::CreditHold, _>(
        "customerCreditHoldSet",
        ops::credit_hold::Variables {
            input: ops::credit_hold::CustomerCreditHoldSetInput {
                customer_id,
                on_hold,
                reason,
            },
        },
    )
    .await?;
    Ok(payload.customer)
}

#[derive(Deserialize)]
struct ApprovalPayload {
    approval: Approval,
}

pub async fn credit_limit_request_create(input: Value) -> Result<Approval, ApiError> {
    let payload: ApprovalPayload = field::<ops::CreditLimitRequest, _>(
        "creditLimitRequestCreate",
        ops::credit_limit_request::Variables {
            input: input_value(input)?,
        },
    )
    .await?;
    Ok(payload.approval)
}

pub async fn approvals(
    status: Option<String>,
    after: Option<String>,
) -> Result<Connection<Approval>, ApiError> {
    field::<ops::Approvals, _>(
        "approvals",
        ops::approvals::Variables {
            first: Some(i64::from(25)),
            after,
            status: status.map(enum_value),
        },
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CountOnly {
    total_count: i64,
}

/// How many approvals wait for a decision (the navigation badge).
pub async fn pending_approval_count() -> Result<i64, ApiError> {
    let count: CountOnly =
        field::<ops::PendingCount, _>("approvals", ops::pending_count::Variables).await?;
    Ok(count.total_count)
}

pub async fn approval_decide(
    id: String,
    decision: &'static str,
    comment: String,
) -> Result<Approval, ApiError> {
    let payload: ApprovalPayload = field::<ops::ApprovalDecide, _>(
        "approvalDecide",
        ops::approval_decide::Variables {
            input: ops::approval_decide::ApprovalDecideInput {
                comment,
                decision: enum_value(decision),
                id,
            },
        },
    )
    .await?;
    Ok(payload.approval)
}

pub async fn deals(
    search: Option<String>,
    status: Option<String>,
    order: SortOrder,
    after: Option<String>,
) -> Result<Connection<DealRow>, ApiError> {
    let (sort, direction) = sort_variables(&order);
    field::<ops::Deals, _>(
        "deals",
        ops::deals::Variables {
            first: Some(i64::from(25)),
            after,
            search,
            status: status.map(enum_value),
            sort,
            direction,
        },
    )
    .await
}

pub async fn deal(id: String) -> Result<Deal, ApiError> {
    field::<ops::Deal, _>("deal", ops::deal::Variables { id }).await
}

pub async fn deal_checklist(input: Value) -> Result<Vec<ChecklistItem>, ApiError> {
    field::<ops::DealChecklist, _>(
        "dealChecklist",
        ops::deal_checklist::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

#[derive(Deserialize)]
struct DealPayload {
    deal: Deal,
}

/// Saves the whole intake form: creates the draft when `id` is `None`, else replaces it.
pub async fn deal_save(id: Option<String>, mut input: Value) -> Result<Deal, ApiError> {
    let payload: DealPayload = match id {
        None => {
            field::<ops::DealCreate, _>(
                "dealCreate",
                ops::deal_create::Variables {
                    input: input_value(input)?,
                },
            )
            .await?
        }
        Some(id) => {
            if let Some(object) = input.as_object_mut() {
                object.insert("id".into(), Value::String(id));
            }
            field::<ops::DealUpdate, _>(
                "dealUpdate",
                ops::deal_update::Variables {
                    input: input_value(input)?,
                },
            )
            .await?
        }
    };
    Ok(payload.deal)
}

/// `approve_over_credit_limit`: a VP Finance's confirmation that the deal may take the customer
/// over its credit limit (the limit is then raised).
pub async fn deal_approve(
    id: String,
    idempotency_key: String,
    approve_over_credit_limit: bool,
) -> Result<DealApproved, ApiError> {
    field::<ops::DealApprove, _>(
        "dealApprove",
        ops::deal_approve::Variables {
            input: ops::deal_approve::DealApproveInput {
                id,
                idempotency_key,
                approve_over_credit_limit: approve_over_credit_limit.then_some(true),
            },
        },
    )
    .await
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DealCreditOnly {
    credit_check: Option<CreditCheck>,
}

/// A draft deal's credit check; None once approved or while its customer or lines are missing.
pub async fn deal_credit_check(id: String) -> Result<Option<CreditCheck>, ApiError> {
    let deal: DealCreditOnly =
        field::<ops::DealCreditCheck, _>("deal", ops::deal_credit_check::Variables { id }).await?;
    Ok(deal.credit_check)
}

/// Users for pickers, with their role: everyone (`None`) or one role's users. The API caps a
/// page at 100, which covers the people a company assigns work to.
pub async fn user_options(role: Option<&'static str>) -> Result<Vec<UserOption>, ApiError> {
    let connection: Connection<UserOption> = field::<ops::UserOptions, _>(
        "users",
        ops::user_options::Variables {
            role: role.map(enum_value),
        },
    )
    .await?;
    Ok(connection.nodes)
}

/// Users with one role, for pickers such as the deal's account executive.
pub async fn users_with_role(role: &'static str) -> Result<Vec<UserRef>, ApiError> {
    Ok(user_options(Some(role))
        .await?
        .into_iter()
        .map(|user| UserRef {
            id: user.id,
            name: user.name,
        })
        .collect())
}

pub async fn trial_balance(as_of: String) -> Result<TrialBalance, ApiError> {
    field::<ops::TrialBalance, _>("trialBalance", ops::trial_balance::Variables { as_of }).await
}

pub async fn audit_log(
    entity_type: Option<String>,
    after: Option<String>,
) -> Result<Connection<AuditEntry>, ApiError> {
    field::<ops::AuditLog, _>(
        "auditLog",
        ops::audit_log::Variables {
            first: Some(i64::from(50)),
            after,
            entity_type,
        },
    )
    .await
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

/// The file name in a `Content-Disposition` header (`inline; filename="INV-1.pdf"`).
fn disposition_filename(header: &str) -> Option<String> {
    header
        .split(';')
        .filter_map(|part| part.trim().strip_prefix("filename="))
        .map(|name| name.trim_matches('"').to_string())
        .find(|name| !name.is_empty())
}

#[derive(Deserialize)]
struct HttpError {
    code: Option<String>,
    message: String,
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

/// What the bill run would issue on `as_of`, without writing anything.
pub async fn invoice_preview(as_of: String) -> Result<BillRunResult, ApiError> {
    field::<ops::InvoicePreview, _>("invoicePreview", ops::invoice_preview::Variables { as_of })
        .await
}

pub async fn bill_run(as_of: String) -> Result<BillRunResult, ApiError> {
    field::<ops::BillRun, _>("billRun", ops::bill_run::Variables { as_of }).await
}

pub async fn bill_run_status(business_date: String) -> Result<Option<BillRunStatus>, ApiError> {
    field::<ops::BillRunStatus, _>(
        "billRunStatus",
        ops::bill_run_status::Variables { business_date },
    )
    .await
}

pub async fn bill_runs() -> Result<Vec<BillRunStatus>, ApiError> {
    field::<ops::BillRuns, _>("billRuns", ops::bill_runs::Variables).await
}

pub async fn contract_billing_schedule(
    contract_id: String,
) -> Result<Vec<BillingScheduleRow>, ApiError> {
    field::<ops::ContractBillingSchedule, _>(
        "contractBillingSchedule",
        ops::contract_billing_schedule::Variables { contract_id },
    )
    .await
}

pub async fn timesheets(status: Option<String>) -> Result<Vec<Timesheet>, ApiError> {
    field::<ops::Timesheets, _>("timesheets", ops::timesheets::Variables { status }).await
}

pub async fn timesheet_decide(
    id: String,
    approve: bool,
    note: Option<String>,
) -> Result<Timesheet, ApiError> {
    field::<ops::TimesheetDecide, _>(
        "timesheetDecide",
        ops::timesheet_decide::Variables { id, approve, note },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_collect_nested_fields_but_not_lookalikes() {
        let error = ApiError {
            items: vec![
                ErrorItem {
                    code: ErrorCode::Validation,
                    message: "Enter an amount.".into(),
                    field: Some("tcv.amount".into()),
                },
                ErrorItem {
                    code: ErrorCode::Validation,
                    message: "Too long.".into(),
                    field: Some("tcvNote".into()),
                },
            ],
        };
        assert_eq!(error.field("tcv").as_deref(), Some("Enter an amount."));
        assert_eq!(error.field("arr"), None);
        assert!(error.has_field_errors());
    }

    #[test]
    fn pdf_file_name_comes_from_the_disposition_header() {
        assert_eq!(
            disposition_filename("inline; filename=\"INV-2026-0001.pdf\"").as_deref(),
            Some("INV-2026-0001.pdf")
        );
        assert_eq!(disposition_filename("inline"), None);
    }
}

/// What `POST /api/contracts/{id}/documents` answers.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachedDocument {
    pub id: String,
    pub file_name: String,
    pub file_bytes: i64,
    pub file_sha256: String,
}

/// Keeps the signed PDF with the contract (the file streamed as the body).
pub async fn contract_document_attach(
    contract_id: String,
    file: web_sys::File,
) -> Result<AttachedDocument, ApiError> {
    let encode = |text: &str| String::from(js_sys::encode_uri_component(text));
    let url = format!(
        "/api/contracts/{}/documents?fileName={}",
        encode(&contract_id),
        encode(&file.name())
    );
    imports::post_file(&url, file).await
}
