//! Deals and their contracts: the deal list, one deal with its lines, checklist and contract,
//! saving the intake form, its credit check, approving it into a contract, and keeping the signed
//! document with the contract.

use serde::Deserialize;
use serde_json::Value;

use super::{enum_value, imports, input_value, ops, sort_variables};
use super::{field, ApiError, Connection, Contact, CreditCheck, CustomerName, Money, UserRef};
use crate::components::sort::SortOrder;

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
pub struct DealApproved {
    pub deal: Deal,
    pub contract: Contract,
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
