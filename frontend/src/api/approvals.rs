//! Approvals: asking for a higher credit limit, the list of requests (credit limits, credit memos,
//! write-offs) with how many wait for a decision, and approving or rejecting one.

use serde::Deserialize;
use serde_json::Value;

use super::{enum_value, input_value, ops};
use super::{field, ApiError, Connection, CustomerName, Money, UserRef};

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
