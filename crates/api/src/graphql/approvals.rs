//! The approvals inbox: credit-limit, credit-memo and write-off requests and their decisions.

use super::customers::Customer;
use super::loaders::{load_customer, UserLoader};
use super::types::{connection, Money, User};
use super::{actor, app};
use crate::approvals::{
    self, ApprovalDecideInput, ApprovalKind, ApprovalStatus, CreditLimitRequestCreateInput,
};
use crate::customers::PaymentTerms;
use crate::error::AppError;
use crate::pagination::PageRequest;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct Approval {
    pub id: ID,
    pub kind: ApprovalKind,
    pub status: ApprovalStatus,
    pub requested_at: DateTime<Utc>,
    pub reason: String,
    /// Credit-limit requests: the limit and terms now and asked for.
    pub current_limit: Option<Money>,
    pub requested_limit: Option<Money>,
    pub current_terms: Option<PaymentTerms>,
    pub requested_terms: Option<PaymentTerms>,
    /// Credit memos and write-offs: the amount asked for.
    pub amount: Option<Money>,
    pub invoice_id: Option<ID>,
    pub invoice_number: Option<String>,
    /// The credit memo or write-off the request is about.
    pub document_id: Option<ID>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    #[graphql(skip)]
    pub domain: approvals::Approval,
}

impl From<approvals::Approval> for Approval {
    fn from(approval: approvals::Approval) -> Approval {
        Approval {
            id: ID(approval.id.to_string()),
            kind: approval.kind,
            status: approval.status,
            requested_at: approval.requested_at,
            reason: approval.reason.clone(),
            current_limit: approval.current_limit.map(Money::from),
            requested_limit: approval.requested_limit.map(Money::from),
            amount: approval.amount.map(Money::from),
            invoice_id: approval
                .document
                .as_ref()
                .map(|document| ID(document.invoice_id.to_string())),
            invoice_number: approval
                .document
                .as_ref()
                .map(|document| document.invoice_number.clone()),
            document_id: approval
                .document
                .as_ref()
                .map(|document| ID(document.document_id.to_string())),
            current_terms: approval.current_terms,
            requested_terms: approval.requested_terms,
            decided_at: approval.decided_at,
            comment: approval.comment.clone(),
            domain: approval,
        }
    }
}

async fn load_user(ctx: &Context<'_>, id: i64) -> async_graphql::Result<User> {
    ctx.data_unchecked::<DataLoader<UserLoader>>()
        .load_one(id)
        .await?
        .map(User::from)
        .ok_or_else(|| AppError::internal(format!("user {id} is missing")).into())
}

#[ComplexObject]
impl Approval {
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Customer> {
        // An account manager reads the whole inbox but another owner's customer record is
        // outside their book: the field is refused rather than shown.
        load_customer(ctx, self.domain.customer_id)
            .await?
            .map(Customer::from)
            .ok_or_else(|| {
                AppError::Forbidden(
                    "This customer is not in your book; its record is not visible to you.".into(),
                )
                .into()
            })
    }

    async fn requested_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        load_user(ctx, self.domain.requested_by).await
    }

    async fn decided_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.domain.decided_by {
            Some(id) => load_user(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }

    /// Whether the viewer may decide it: false for one's own request, for non-approvers and once decided.
    async fn can_decide(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.domain.decidable_by(actor(ctx)?).is_ok())
    }

    async fn cannot_decide_reason(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<String>> {
        Ok(self.domain.decidable_by(actor(ctx)?).err())
    }
}

connection!(ApprovalConnection, ApprovalEdge, Approval);

#[derive(Default)]
pub struct ApprovalQuery;

#[Object]
impl ApprovalQuery {
    /// Pending requests first, then newest first.
    async fn approvals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<ApprovalStatus>,
    ) -> async_graphql::Result<ApprovalConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let approvals = app(ctx).approvals.list(actor(ctx)?, status, page).await?;
        Ok(ApprovalConnection::from_page(approvals, Approval::from))
    }
}

#[derive(SimpleObject)]
pub struct ApprovalPayload {
    pub approval: Approval,
}

#[derive(Default)]
pub struct ApprovalMutation;

#[Object]
impl ApprovalMutation {
    /// Asks for a new credit limit (and optionally terms); VP Finance decides.
    async fn credit_limit_request_create(
        &self,
        ctx: &Context<'_>,
        input: CreditLimitRequestCreateInput,
    ) -> async_graphql::Result<ApprovalPayload> {
        let approval = app(ctx)
            .approvals
            .request_credit_limit(actor(ctx)?, input)
            .await?;
        Ok(ApprovalPayload {
            approval: approval.into(),
        })
    }

    /// Approves or rejects a request with a comment; never one's own.
    async fn approval_decide(
        &self,
        ctx: &Context<'_>,
        input: ApprovalDecideInput,
    ) -> async_graphql::Result<ApprovalPayload> {
        let approval = app(ctx).approvals.decide(actor(ctx)?, input).await?;
        Ok(ApprovalPayload {
            approval: approval.into(),
        })
    }
}
