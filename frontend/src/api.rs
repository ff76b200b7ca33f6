//! The only module that speaks GraphQL: it posts `{query, variables}` to `/graphql` with the
//! session's bearer token, and turns `errors[].extensions` into a typed [`ApiError`] that
//! forms can show next to the field the server named.

use gloo_net::http::Request;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{json, Value};

use crate::session;

mod receivables;
pub use receivables::*;

mod bank;
mod collections;
mod commissions;
mod disputes;
mod imports;
mod intake;
mod metrics;
mod renewals;
mod revenue;
mod service_accounts;
mod users;
mod webhooks;
pub use bank::*;
pub use collections::*;
pub use commissions::*;
pub use disputes::*;
pub use imports::*;
pub use intake::*;
pub use metrics::*;
pub use renewals::*;
pub use revenue::*;
pub use service_accounts::*;
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

/// Picks the single top-level field out of `data`.
async fn field<T: DeserializeOwned>(
    name: &str,
    query: &str,
    variables: Value,
) -> Result<T, ApiError> {
    let mut data: serde_json::Map<String, Value> = execute(query, variables).await?;
    let value = data.remove(name).unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|error| {
        ApiError::single(
            ErrorCode::Internal,
            format!("The server's answer did not match what this page expects: {error}"),
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

const USER_FIELDS: &str = "id email name role permissions";
const MONEY: &str = "{ amount currency }";

fn deal_row_fields() -> String {
    format!(
        "id crmOpportunityId customer {{ id legalName }} productName tcv {MONEY} arr {MONEY} \
         startDate status isComplete assignedAe {{ id name }} createdAt"
    )
}

fn approval_fields() -> String {
    format!(
        "id kind status customer {{ id legalName }} requestedBy {{ id name }} requestedAt reason \
         currentLimit {MONEY} requestedLimit {MONEY} currentTerms requestedTerms \
         amount {MONEY} invoiceId invoiceNumber documentId \
         decidedBy {{ id name }} decidedAt comment canDecide cannotDecideReason"
    )
}

fn contract_fields() -> String {
    format!(
        "id contractNumber startDate endDate tcv {MONEY} arr {MONEY} \
         lines {{ id productName kind quantity unitPrice {MONEY} billingFrequency startDate endDate billedThrough }} \
         purchaseOrders {{ id number amount {MONEY} validFrom validTo }} broughtOverOn \
         documents {{ id fileName fileBytes fileSha256 uploadedByName uploadedAt downloadUrl }}"
    )
}

fn deal_fields() -> String {
    format!(
        "id crmOpportunityId customer {{ id legalName }} invoicedLegalEntity \
         billingContact {{ name email phone }} productName tcv {MONEY} arr {MONEY} startDate endDate \
         billingFrequency paymentTerms billingCurrency poRequired poNumber taxJurisdiction taxExempt \
         taxExemptionCertificate revenueRecognitionType \
         milestones {{ name dueDate amount {MONEY} }} assignedAe {{ id name }} commissionPlanId status \
         checklist {{ key label complete message }} isComplete contract {{ {} }} createdAt approvedAt \
         approvedBy {{ id name }}",
        contract_fields()
    )
}

pub async fn login(email: String, password: String) -> Result<LoginPayload, ApiError> {
    let query = format!(
        "mutation Login($input: LoginInput!) {{ login(input: $input) {{ token user {{ {USER_FIELDS} }} }} }}"
    );
    field(
        "login",
        &query,
        json!({ "input": { "email": email, "password": password } }),
    )
    .await
}

/// Revokes every token of the signed-in user on the server (all devices).
pub async fn logout() -> Result<serde_json::Value, ApiError> {
    field(
        "logout",
        "mutation Logout { logout { signedOut } }",
        json!({}),
    )
    .await
}

pub async fn me() -> Result<User, ApiError> {
    field(
        "me",
        &format!("query Me {{ me {{ {USER_FIELDS} }} }}"),
        json!({}),
    )
    .await
}

pub async fn customers(
    search: Option<String>,
    after: Option<String>,
) -> Result<Connection<CustomerRow>, ApiError> {
    let query = format!(
        "query Customers($first: Int, $after: String, $search: String) {{ \
           customers(first: $first, after: $after, search: $search) {{ \
             nodes {{ id legalName creditPolicy {{ category }} creditLimit {MONEY} paymentTerms \
                      arr {MONEY} billingCurrency onCreditHold }} \
             pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
    );
    field(
        "customers",
        &query,
        json!({ "first": 25, "after": after, "search": search }),
    )
    .await
}

/// Customers for pickers, A–Z. The API caps a page at 100, so the connection says whether
/// there are more (the picker then asks the user to search).
pub async fn customer_options(
    search: Option<String>,
) -> Result<Connection<CustomerOption>, ApiError> {
    let query = "query CustomerOptions($search: String) { customers(first: 100, search: $search) { \
                 nodes { id legalName billingCurrency paymentTerms billingContact { name email phone } } \
                 pageInfo { hasNextPage endCursor } totalCount } }";
    field("customers", query, json!({ "search": search })).await
}

pub async fn customer(id: String) -> Result<CustomerDetail, ApiError> {
    let query = format!(
        "query Customer($id: ID!) {{ customer(id: $id) {{ \
           id legalName \
           billingAddress {{ line1 line2 city region postalCode country }} \
           remitToAddress {{ line1 line2 city region postalCode country }} \
           taxRegistrationNumber billingContact {{ name email phone }} \
           paymentMethod {{ kind maskedReference }} creditLimit {MONEY} paymentTerms billingCurrency \
           arr {MONEY} \
           creditPolicy {{ category proposedLimit {MONEY} allowedTerms depositRule explanation }} \
           onCreditHold creditHoldReason creditHoldSince hasPaidInvoice priorLatePayer \
           deals {{ {} }} pendingCreditLimitRequest {{ {} }} createdAt }} }}",
        deal_row_fields(),
        approval_fields()
    );
    field("customer", &query, json!({ "id": id })).await
}

#[derive(Deserialize)]
struct CustomerPayload {
    customer: CustomerName,
}

/// Creates a customer from the whole `CustomerCreateInput` the form built.
pub async fn customer_create(input: Value) -> Result<CustomerName, ApiError> {
    let query = "mutation CustomerCreate($input: CustomerCreateInput!) { \
                 customerCreate(input: $input) { customer { id legalName } } }";
    let payload: CustomerPayload =
        field("customerCreate", query, json!({ "input": input })).await?;
    Ok(payload.customer)
}

pub async fn customer_credit_hold_set(
    customer_id: String,
    on_hold: bool,
    reason: String,
) -> Result<CustomerName, ApiError> {
    let query = "mutation CreditHold($input: CustomerCreditHoldSetInput!) { \
                 customerCreditHoldSet(input: $input) { customer { id legalName } } }";
    let input = json!({ "customerId": customer_id, "onHold": on_hold, "reason": reason });
    let payload: CustomerPayload =
        field("customerCreditHoldSet", query, json!({ "input": input })).await?;
    Ok(payload.customer)
}

#[derive(Deserialize)]
struct ApprovalPayload {
    approval: Approval,
}

pub async fn credit_limit_request_create(input: Value) -> Result<Approval, ApiError> {
    let query = format!(
        "mutation CreditLimitRequest($input: CreditLimitRequestCreateInput!) {{ \
           creditLimitRequestCreate(input: $input) {{ approval {{ {} }} }} }}",
        approval_fields()
    );
    let payload: ApprovalPayload = field(
        "creditLimitRequestCreate",
        &query,
        json!({ "input": input }),
    )
    .await?;
    Ok(payload.approval)
}

pub async fn approvals(
    status: Option<String>,
    after: Option<String>,
) -> Result<Connection<Approval>, ApiError> {
    let query = format!(
        "query Approvals($first: Int, $after: String, $status: ApprovalStatus) {{ \
           approvals(first: $first, after: $after, status: $status) {{ nodes {{ {} }} \
           pageInfo {{ hasNextPage endCursor }} totalCount }} }}",
        approval_fields()
    );
    field(
        "approvals",
        &query,
        json!({ "first": 25, "after": after, "status": status }),
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
    let query = "query PendingCount { approvals(first: 1, status: PENDING) { totalCount } }";
    let count: CountOnly = field("approvals", query, json!({})).await?;
    Ok(count.total_count)
}

pub async fn approval_decide(
    id: String,
    decision: &'static str,
    comment: String,
) -> Result<Approval, ApiError> {
    let query = format!(
        "mutation ApprovalDecide($input: ApprovalDecideInput!) {{ \
           approvalDecide(input: $input) {{ approval {{ {} }} }} }}",
        approval_fields()
    );
    let input = json!({ "id": id, "decision": decision, "comment": comment });
    let payload: ApprovalPayload =
        field("approvalDecide", &query, json!({ "input": input })).await?;
    Ok(payload.approval)
}

pub async fn deals(
    search: Option<String>,
    status: Option<String>,
    after: Option<String>,
) -> Result<Connection<DealRow>, ApiError> {
    let query = format!(
        "query Deals($first: Int, $after: String, $search: String, $status: DealStatus) {{ \
           deals(first: $first, after: $after, search: $search, status: $status) {{ \
           nodes {{ {} }} pageInfo {{ hasNextPage endCursor }} totalCount }} }}",
        deal_row_fields()
    );
    field(
        "deals",
        &query,
        json!({ "first": 25, "after": after, "search": search, "status": status }),
    )
    .await
}

pub async fn deal(id: String) -> Result<Deal, ApiError> {
    let query = format!(
        "query Deal($id: ID!) {{ deal(id: $id) {{ {} }} }}",
        deal_fields()
    );
    field("deal", &query, json!({ "id": id })).await
}

pub async fn deal_checklist(input: Value) -> Result<Vec<ChecklistItem>, ApiError> {
    let query = "query DealChecklist($input: DealInput!) { \
                 dealChecklist(input: $input) { key label complete message } }";
    field("dealChecklist", query, json!({ "input": input })).await
}

#[derive(Deserialize)]
struct DealPayload {
    deal: Deal,
}

/// Saves the whole intake form: creates the draft when `id` is `None`, else replaces it.
pub async fn deal_save(id: Option<String>, mut input: Value) -> Result<Deal, ApiError> {
    let payload: DealPayload = match id {
        None => {
            let query = format!(
                "mutation DealCreate($input: DealCreateInput!) {{ \
                   dealCreate(input: $input) {{ deal {{ {} }} }} }}",
                deal_fields()
            );
            field("dealCreate", &query, json!({ "input": input })).await?
        }
        Some(id) => {
            if let Some(object) = input.as_object_mut() {
                object.insert("id".into(), Value::String(id));
            }
            let query = format!(
                "mutation DealUpdate($input: DealUpdateInput!) {{ \
                   dealUpdate(input: $input) {{ deal {{ {} }} }} }}",
                deal_fields()
            );
            field("dealUpdate", &query, json!({ "input": input })).await?
        }
    };
    Ok(payload.deal)
}

pub async fn deal_approve(id: String, idempotency_key: String) -> Result<DealApproved, ApiError> {
    let query = format!(
        "mutation DealApprove($input: DealApproveInput!) {{ dealApprove(input: $input) {{ \
           deal {{ {} }} contract {{ {} }} }} }}",
        deal_fields(),
        contract_fields()
    );
    let input = json!({ "id": id, "idempotencyKey": idempotency_key });
    field("dealApprove", &query, json!({ "input": input })).await
}

/// Users for pickers, with their role: everyone (`None`) or one role's users. The API caps a
/// page at 100, which covers the people a company assigns work to.
pub async fn user_options(role: Option<&'static str>) -> Result<Vec<UserOption>, ApiError> {
    let query = "query Users($role: Role) { users(first: 100, role: $role) { \
                 nodes { id name role } pageInfo { hasNextPage endCursor } totalCount } }";
    let connection: Connection<UserOption> = field("users", query, json!({ "role": role })).await?;
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
    let query = format!(
        "query TrialBalance($asOf: Date!) {{ trialBalance(asOf: $asOf) {{ asOf \
           lines {{ account {{ code name kind }} currency debit {MONEY} credit {MONEY} balance {MONEY} }} \
           totals {{ currency debit {MONEY} credit {MONEY} }} isBalanced }} }}"
    );
    field("trialBalance", &query, json!({ "asOf": as_of })).await
}

pub async fn audit_log(
    entity_type: Option<String>,
    after: Option<String>,
) -> Result<Connection<AuditEntry>, ApiError> {
    let query = "query AuditLog($first: Int, $after: String, $entityType: String) { \
                 auditLog(first: $first, after: $after, entityType: $entityType) { \
                 nodes { id at actorLabel action entityType entityId before after } \
                 pageInfo { hasNextPage endCursor } totalCount } }";
    field(
        "auditLog",
        query,
        json!({ "first": 50, "after": after, "entityType": entity_type }),
    )
    .await
}

fn invoice_fields() -> String {
    format!(
        "id number customer {{ id legalName }} status invoiceDate issueDate dueDate paymentTerms \
         poNumber legalEntity taxExemptionCertificate blockedReason blockedField \
         lines {{ id description note periodStart periodEnd quantity unitPrice {MONEY} amount {MONEY} \
                  taxLabel taxRatePercent tax {MONEY} }} \
         subtotal {MONEY} tax {MONEY} total {MONEY} paid {MONEY} openAmount {MONEY} \
         functionalTotal {MONEY} fxRate voidReason voidedAt credited {MONEY} writtenOff {MONEY} \
         settledOn applications {{ {} }}",
        application_fields()
    )
}

fn bill_run_fields() -> String {
    let invoice = format!(
        "customerId customerName invoiceId number legalEntity poNumber subtotal {MONEY} tax {MONEY} \
         total {MONEY} blockedReason blockedField \
         lines {{ description note periodStart periodEnd quantity amount {MONEY} taxLabel tax {MONEY} }}"
    );
    format!(
        "asOf dryRun chargesWritten issued {{ {invoice} }} held {{ {invoice} }} \
         skipped {{ contractLineId customerId description reason }} summary"
    )
}

const BILL_RUN_STATUS_FIELDS: &str = "businessDate status done total startedAt finishedAt summary";

const TIMESHEET_FIELDS: &str = "id person role workDate description hours \
     rate { amount currency } amount { amount currency } status decidedAt decisionNote";

pub async fn invoices(
    search: Option<String>,
    status: Option<String>,
    overdue: bool,
    after: Option<String>,
) -> Result<Connection<InvoiceRow>, ApiError> {
    let query = format!(
        "query Invoices($first: Int, $after: String, $search: String, $status: InvoiceStatus, \
           $overdue: Boolean) {{ \
           invoices(first: $first, after: $after, search: $search, status: $status, overdue: $overdue) {{ \
             nodes {{ id number customer {{ id legalName }} invoiceDate dueDate status blockedReason \
                      total {MONEY} openAmount {MONEY} }} \
             pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
    );
    field(
        "invoices",
        &query,
        json!({
            "first": 25,
            "after": after,
            "search": search,
            "status": status,
            "overdue": overdue.then_some(true),
        }),
    )
    .await
}

pub async fn invoice(id: String) -> Result<Invoice, ApiError> {
    let query = format!(
        "query Invoice($id: ID!) {{ invoice(id: $id) {{ {} }} }}",
        invoice_fields()
    );
    field("invoice", &query, json!({ "id": id })).await
}

pub async fn invoice_po_set(id: String, po_number: String) -> Result<Invoice, ApiError> {
    let query = format!(
        "mutation InvoicePoSet($id: ID!, $poNumber: String!) {{ \
           invoicePoSet(id: $id, poNumber: $poNumber) {{ {} }} }}",
        invoice_fields()
    );
    field(
        "invoicePoSet",
        &query,
        json!({ "id": id, "poNumber": po_number }),
    )
    .await
}

pub async fn invoice_issue(id: String) -> Result<Invoice, ApiError> {
    let query = format!(
        "mutation InvoiceIssue($id: ID!) {{ invoiceIssue(id: $id) {{ {} }} }}",
        invoice_fields()
    );
    field("invoiceIssue", &query, json!({ "id": id })).await
}

pub async fn invoice_void(
    id: String,
    reason: String,
    release_charges: bool,
) -> Result<Invoice, ApiError> {
    let query = format!(
        "mutation InvoiceVoid($input: InvoiceVoidInput!) {{ invoiceVoid(input: $input) {{ {} }} }}",
        invoice_fields()
    );
    let input = json!({ "id": id, "reason": reason, "releaseCharges": release_charges });
    field("invoiceVoid", &query, json!({ "input": input })).await
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
    let query = format!(
        "query InvoicePreview($asOf: Date!) {{ invoicePreview(asOf: $asOf) {{ {} }} }}",
        bill_run_fields()
    );
    field("invoicePreview", &query, json!({ "asOf": as_of })).await
}

pub async fn bill_run(as_of: String) -> Result<BillRunResult, ApiError> {
    let query = format!(
        "mutation BillRun($asOf: Date!) {{ billRun(asOf: $asOf) {{ {} }} }}",
        bill_run_fields()
    );
    field("billRun", &query, json!({ "asOf": as_of })).await
}

pub async fn bill_run_status(business_date: String) -> Result<Option<BillRunStatus>, ApiError> {
    let query = format!(
        "query BillRunStatus($businessDate: Date!) {{ \
           billRunStatus(businessDate: $businessDate) {{ {BILL_RUN_STATUS_FIELDS} }} }}"
    );
    field(
        "billRunStatus",
        &query,
        json!({ "businessDate": business_date }),
    )
    .await
}

pub async fn bill_runs() -> Result<Vec<BillRunStatus>, ApiError> {
    let query = format!("query BillRuns {{ billRuns {{ {BILL_RUN_STATUS_FIELDS} }} }}");
    field("billRuns", &query, json!({})).await
}

pub async fn contract_billing_schedule(
    contract_id: String,
) -> Result<Vec<BillingScheduleRow>, ApiError> {
    let query = format!(
        "query ContractBillingSchedule($contractId: ID!) {{ \
           contractBillingSchedule(contractId: $contractId) {{ contractLineId description note \
           periodStart periodEnd dueOn amount {MONEY} state invoiceId invoiceNumber }} }}"
    );
    field(
        "contractBillingSchedule",
        &query,
        json!({ "contractId": contract_id }),
    )
    .await
}

pub async fn timesheets(status: Option<String>) -> Result<Vec<Timesheet>, ApiError> {
    let query = format!(
        "query Timesheets($status: String) {{ timesheets(status: $status) {{ {TIMESHEET_FIELDS} }} }}"
    );
    field("timesheets", &query, json!({ "status": status })).await
}

pub async fn timesheet_decide(
    id: String,
    approve: bool,
    note: Option<String>,
) -> Result<Timesheet, ApiError> {
    let query = format!(
        "mutation TimesheetDecide($id: ID!, $approve: Boolean!, $note: String) {{ \
           timesheetDecide(id: $id, approve: $approve, note: $note) {{ {TIMESHEET_FIELDS} }} }}"
    );
    field(
        "timesheetDecide",
        &query,
        json!({ "id": id, "approve": approve, "note": note }),
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
