//! The customers part of the API: the customer list and the pickers' options, one customer with
//! its credit exposure and policy, creating and changing a customer, and putting one on or off
//! credit hold.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{execute, input_value, ops, sort_variables, take_field};
use super::{
    field, Address, ApiError, Approval, Connection, Contact, DealRow, Money, PaymentMethod,
};
use crate::components::sort::SortOrder;

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
