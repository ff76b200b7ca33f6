//! Maker-checker approvals. A request is made by one person and decided by another who holds the
//! approving permission; nobody decides their own request. Credit-limit changes are decided here;
//! credit memos and write-offs open and close their requests through `open_request` and
//! `close_request`, and apply the approved change in the same transaction (receivables).

pub mod decision;

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::customers::{self, PaymentTerms};
use crate::entities::approval;
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::pagination::{Page, PageRequest};
use crate::values::{parse_id, require_text, MoneyInput};
use async_graphql::{Enum, InputObject, ID};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
pub enum ApprovalKind {
    CreditLimit,
    CreditMemo,
    WriteOff,
}

impl ApprovalKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ApprovalKind::CreditLimit => "credit_limit",
            ApprovalKind::CreditMemo => "credit_memo",
            ApprovalKind::WriteOff => "write_off",
        }
    }

    fn parse(text: &str) -> Option<ApprovalKind> {
        [
            ApprovalKind::CreditLimit,
            ApprovalKind::CreditMemo,
            ApprovalKind::WriteOff,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }

    /// The permission that decides this kind, and the sentence for those without it.
    pub fn approver(&self) -> (Permission, &'static str) {
        match self {
            ApprovalKind::CreditLimit => (
                Permission::CreditLimitApprove,
                "Only the VP Finance approves credit-limit changes.",
            ),
            ApprovalKind::CreditMemo => (
                Permission::CreditMemoApprove,
                "Only the VP Revenue Operations approves credit memos.",
            ),
            ApprovalKind::WriteOff => (
                Permission::WriteOffApprove,
                "Only the CFO approves write-offs.",
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
}

impl ApprovalStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> Option<ApprovalStatus> {
        [
            ApprovalStatus::Pending,
            ApprovalStatus::Approved,
            ApprovalStatus::Rejected,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ApprovalDecision {
    Approve,
    Reject,
}

/// What a credit-memo or write-off request asks for (the document itself lives in receivables).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentPayload {
    pub document_id: i64,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub currency: String,
    pub amount_minor: i64,
}

/// What a credit-limit request asks for, with the values it replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CreditLimitPayload {
    currency: String,
    current_limit_minor: i64,
    requested_limit_minor: i64,
    current_terms: PaymentTerms,
    requested_terms: PaymentTerms,
}

#[derive(Debug, Clone, Serialize)]
pub struct Approval {
    pub id: i64,
    pub kind: ApprovalKind,
    pub status: ApprovalStatus,
    pub customer_id: i64,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    pub reason: String,
    pub current_limit: Option<Money>,
    pub requested_limit: Option<Money>,
    pub current_terms: Option<PaymentTerms>,
    pub requested_terms: Option<PaymentTerms>,
    /// Credit memos and write-offs: the document, its invoice and amount.
    pub document: Option<DocumentPayload>,
    pub amount: Option<Money>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
}

impl Approval {
    /// Whether `actor` may decide this request, and if not, why, in words for the inbox.
    pub fn decidable_by(&self, actor: &Actor) -> Result<(), String> {
        if self.status != ApprovalStatus::Pending {
            return Err("This request has already been decided.".into());
        }
        let (permission, who) = self.kind.approver();
        if !actor.can(permission) {
            return Err(who.into());
        }
        decision::refuse_own(
            self.requested_by,
            actor,
            "You requested this change; another approver must decide it.",
        )
        .map_err(|error| error.message())
    }
}

impl TryFrom<approval::Model> for Approval {
    type Error = AppError;
    fn try_from(model: approval::Model) -> AppResult<Approval> {
        let kind = ApprovalKind::parse(&model.kind).ok_or_else(|| {
            AppError::internal(format!(
                "approval {} has unknown kind {}",
                model.id, model.kind
            ))
        })?;
        let mut approval = Approval {
            id: model.id,
            kind,
            status: ApprovalStatus::parse(&model.status).ok_or_else(|| {
                AppError::internal(format!("approval {} has status {}", model.id, model.status))
            })?,
            customer_id: model.customer_id,
            requested_by: model.requested_by,
            requested_at: model.requested_at,
            reason: model.reason,
            current_limit: None,
            requested_limit: None,
            current_terms: None,
            requested_terms: None,
            document: None,
            amount: None,
            decided_by: model.decided_by,
            decided_at: model.decided_at,
            comment: model.comment,
        };
        match kind {
            ApprovalKind::CreditLimit => {
                let payload: CreditLimitPayload = serde_json::from_str(&model.payload_json)?;
                let currency = Currency::parse(&payload.currency)?;
                approval.current_limit =
                    Some(Money::from_minor(payload.current_limit_minor, currency));
                approval.requested_limit =
                    Some(Money::from_minor(payload.requested_limit_minor, currency));
                approval.current_terms = Some(payload.current_terms);
                approval.requested_terms = Some(payload.requested_terms);
            }
            ApprovalKind::CreditMemo | ApprovalKind::WriteOff => {
                let payload: DocumentPayload = serde_json::from_str(&model.payload_json)?;
                approval.amount = Some(Money::from_minor(
                    payload.amount_minor,
                    Currency::parse(&payload.currency)?,
                ));
                approval.document = Some(payload);
            }
        }
        Ok(approval)
    }
}

/// Opens a pending request in the caller's transaction; one pending per kind and subject.
#[allow(clippy::too_many_arguments)]
pub async fn open_request<C: sea_orm::ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    kind: ApprovalKind,
    customer_id: i64,
    subject_key: String,
    reason: &str,
    payload_json: String,
    now: DateTime<Utc>,
) -> AppResult<Approval> {
    let model = approval::ActiveModel {
        kind: Set(kind.as_str().into()),
        subject_key: Set(subject_key),
        status: Set(ApprovalStatus::Pending.as_str().into()),
        customer_id: Set(customer_id),
        requested_by: Set(actor.user_id),
        requested_at: Set(now),
        reason: Set(reason.into()),
        payload_json: Set(payload_json),
        ..Default::default()
    }
    .insert(connection)
    .await
    .map_err(|error| match error.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(
            "A request for this is already pending; it must be decided first.".into(),
        ),
        _ => error.into(),
    })?;
    Approval::try_from(model)
}

/// Decides a pending request of `kind` in the caller's transaction, guarded so two approvers
/// racing cannot both decide; refuses the requester and those without the approving permission.
/// Returns the request as it was before and the new status.
pub async fn close_request<C: sea_orm::ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    id: i64,
    kind: ApprovalKind,
    decision: ApprovalDecision,
    comment: &str,
    now: DateTime<Utc>,
) -> AppResult<(Approval, ApprovalStatus)> {
    let model = approval::Entity::find_by_id(id)
        .one(connection)
        .await?
        .ok_or_else(|| {
            AppError::not_found(format!("There is no approval request with id {id}."))
        })?;
    let before = Approval::try_from(model)?;
    if before.kind != kind {
        return Err(AppError::validation(
            "id",
            format!(
                "Request #{id} is not a {} request.",
                kind.as_str().replace('_', " ")
            ),
        ));
    }
    if let Err(reason) = before.decidable_by(actor) {
        return Err(if before.status == ApprovalStatus::Pending {
            AppError::Forbidden(reason)
        } else {
            AppError::Conflict(reason)
        });
    }
    let status = match decision {
        ApprovalDecision::Approve => ApprovalStatus::Approved,
        ApprovalDecision::Reject => ApprovalStatus::Rejected,
    };
    let decision = approval::Entity::update_many()
        .col_expr(
            approval::Column::Status,
            sea_orm::sea_query::Expr::value(status.as_str()),
        )
        .col_expr(
            approval::Column::DecidedBy,
            sea_orm::sea_query::Expr::value(actor.user_id),
        )
        .col_expr(
            approval::Column::DecidedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .col_expr(
            approval::Column::Comment,
            sea_orm::sea_query::Expr::value(comment.to_string()),
        );
    decision::claim(
        connection,
        decision,
        approval::Column::Id,
        id,
        approval::Column::Status,
        ApprovalStatus::Pending.as_str(),
        "This request has already been decided.",
    )
    .await?;
    Ok((before, status))
}

pub async fn find<C: sea_orm::ConnectionTrait>(connection: &C, id: i64) -> AppResult<Approval> {
    Approval::try_from(
        approval::Entity::find_by_id(id)
            .one(connection)
            .await?
            .ok_or_else(|| {
                AppError::not_found(format!("There is no approval request with id {id}."))
            })?,
    )
}

#[derive(Debug, Clone, InputObject)]
pub struct CreditLimitRequestCreateInput {
    pub customer_id: ID,
    /// The new limit, in the customer's billing currency.
    pub credit_limit: MoneyInput,
    /// New payment terms; the current terms when absent.
    pub payment_terms: Option<PaymentTerms>,
    pub reason: String,
}

#[derive(Debug, Clone, InputObject)]
pub struct ApprovalDecideInput {
    pub id: ID,
    pub decision: ApprovalDecision,
    /// Required for approvals and rejections alike, so the requester learns why.
    pub comment: String,
}

#[derive(Clone)]
pub struct ApprovalService {
    db: DatabaseConnection,
    clock: SharedClock,
}

impl ApprovalService {
    pub fn new(db: DatabaseConnection, clock: SharedClock) -> ApprovalService {
        ApprovalService { db, clock }
    }

    pub async fn request_credit_limit(
        &self,
        actor: &Actor,
        input: CreditLimitRequestCreateInput,
    ) -> AppResult<Approval> {
        actor.require(Permission::CreditLimitRequest)?;
        let customer_id = parse_id("customerId", &input.customer_id)?;
        let requested_limit = input.credit_limit.parse("creditLimit")?;
        let reason = require_text("reason", &input.reason, 1000)?;
        let transaction = self.db.begin().await?;
        let customer =
            customers::Customer::try_from(customers::find_model(&transaction, customer_id).await?)?;
        if requested_limit.currency() != customer.billing_currency {
            return Err(AppError::validation(
                "creditLimit.currency",
                format!(
                    "{} bills in {}; request the limit in that currency.",
                    customer.legal_name,
                    customer.billing_currency.code()
                ),
            ));
        }
        if requested_limit.is_negative() {
            return Err(AppError::validation(
                "creditLimit.amount",
                "A credit limit cannot be negative.",
            ));
        }
        let requested_terms = input.payment_terms.unwrap_or(customer.payment_terms);
        if requested_limit == customer.credit_limit && requested_terms == customer.payment_terms {
            return Err(AppError::validation(
                "creditLimit.amount",
                "This is already the customer's limit and terms.",
            ));
        }
        let pending = approval::Entity::find()
            .filter(approval::Column::CustomerId.eq(customer_id))
            .filter(approval::Column::Kind.eq(ApprovalKind::CreditLimit.as_str()))
            .filter(approval::Column::Status.eq(ApprovalStatus::Pending.as_str()))
            .one(&transaction)
            .await?;
        if let Some(pending) = pending {
            return Err(AppError::Conflict(format!(
                "{} already has a pending credit-limit request (#{}); it must be decided first.",
                customer.legal_name, pending.id
            )));
        }
        let payload = CreditLimitPayload {
            currency: customer.billing_currency.code().to_string(),
            current_limit_minor: customer.credit_limit.minor(),
            requested_limit_minor: requested_limit.minor(),
            current_terms: customer.payment_terms,
            requested_terms,
        };
        let now = self.clock.now();
        let created = open_request(
            &transaction,
            actor,
            ApprovalKind::CreditLimit,
            customer_id,
            String::new(),
            &reason,
            serde_json::to_string(&payload)?,
            now,
        )
        .await
        .map_err(|error| match error {
            AppError::Conflict(_) => AppError::Conflict(format!(
                "{} already has a pending credit-limit request; it must be decided first.",
                customer.legal_name
            )),
            other => other,
        })?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "approval.credit_limit.request",
                entity_type: "approval",
                entity_id: created.id.to_string(),
                before: None,
                after: Some(&created),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(created)
    }

    pub async fn decide(&self, actor: &Actor, input: ApprovalDecideInput) -> AppResult<Approval> {
        actor.require(Permission::CreditLimitApprove)?;
        let id = parse_id("id", &input.id)?;
        let comment = require_text("comment", &input.comment, 1000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let (before, status) = close_request(
            &transaction,
            actor,
            id,
            ApprovalKind::CreditLimit,
            input.decision,
            &comment,
            now,
        )
        .await?;
        if status == ApprovalStatus::Approved {
            let customer_before = customers::Customer::try_from(
                customers::find_model(&transaction, before.customer_id).await?,
            )?;
            let (Some(limit), Some(terms)) = (before.requested_limit, before.requested_terms)
            else {
                return Err(AppError::internal(
                    "credit-limit request without its values",
                ));
            };
            let customer_after =
                customers::apply_credit_terms(&transaction, before.customer_id, limit, terms, now)
                    .await?;
            audit::record(
                &transaction,
                Some(actor),
                now,
                AuditRecord {
                    action: "customer.credit_limit.change",
                    entity_type: "customer",
                    entity_id: before.customer_id.to_string(),
                    before: Some(&customer_before),
                    after: Some(&customer_after),
                },
            )
            .await?;
        }
        let after = Approval::try_from(
            approval::Entity::find_by_id(id)
                .one(&transaction)
                .await?
                .ok_or_else(|| AppError::internal("approval vanished"))?,
        )?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "approval.decide",
                entity_type: "approval",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }

    /// Pending first, then newest first; an account manager sees the requests of their book's
    /// customers only (`customers::Book`), as they see only those customers' records.
    pub async fn list(
        &self,
        actor: &Actor,
        status: Option<ApprovalStatus>,
        page: PageRequest,
    ) -> AppResult<Page<Approval>> {
        actor.require(Permission::ApprovalRead)?;
        let mut query = approval::Entity::find();
        if let Some(book) = customers::Book::of(actor).customer_ids() {
            query = query.filter(approval::Column::CustomerId.in_subquery(book));
        }
        if let Some(status) = status {
            query = query.filter(approval::Column::Status.eq(status.as_str()));
        }
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_desc(sea_orm::sea_query::Expr::cust(
                "CASE WHEN status = 'pending' THEN 1 ELSE 0 END",
            ))
            .order_by_desc(approval::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Page::new(rows, page, total).try_map(Approval::try_from)
    }

    pub async fn pending_for_customer(&self, customer_id: i64) -> AppResult<Option<Approval>> {
        approval::Entity::find()
            .filter(approval::Column::CustomerId.eq(customer_id))
            .filter(approval::Column::Kind.eq(ApprovalKind::CreditLimit.as_str()))
            .filter(approval::Column::Status.eq(ApprovalStatus::Pending.as_str()))
            .one(&self.db)
            .await?
            .map(Approval::try_from)
            .transpose()
    }
}
