//! Deciding a requested credit memo (maker-checker's checker): approving issues it, rejecting
//! closes it; either way with its approval, audit row and, once approved, its webhook event.

use super::{issue_memo, memo_from_model, CreditMemo, DocumentDecideInput, RevenueEffect};
use crate::access::{Actor, Permission};
use crate::approvals::{self, decision, ApprovalKind};
use crate::audit::{self, AuditRecord};
use crate::entities::credit_memo;
use crate::error::{AppError, AppResult};
use crate::receivables::ReceivablesService;
use crate::values::{parse_id, require_text};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};

impl ReceivablesService {
    /// Approves (numbers, posts, applies, e-mails) or rejects a requested credit memo.
    pub async fn decide_credit_memo(
        &self,
        actor: &Actor,
        input: DocumentDecideInput,
    ) -> AppResult<CreditMemo> {
        actor.require(Permission::CreditMemoApprove)?;
        let approval_id = parse_id("approvalId", &input.approval_id)?;
        let comment = require_text("comment", &input.comment, 1000)?;
        let now = self.clock.now();
        let today = self.clock.today();
        let transaction = self.db.begin().await?;
        let (request, status) = approvals::close_request(
            &transaction,
            actor,
            approval_id,
            ApprovalKind::CreditMemo,
            input.decision,
            &comment,
            now,
        )
        .await?;
        let memo_id = request
            .document
            .as_ref()
            .map(|document| document.document_id)
            .ok_or_else(|| AppError::internal("credit memo approval without its memo"))?;
        let model = credit_memo::Entity::find_by_id(memo_id)
            .one(&transaction)
            .await?
            .ok_or_else(|| AppError::internal("credit memo vanished"))?;
        let before = memo_from_model(model.clone())?;
        let approved = status == approvals::ApprovalStatus::Approved;
        let decided = credit_memo::Entity::update_many()
            .col_expr(credit_memo::Column::DecidedBy, Expr::value(actor.user_id))
            .col_expr(credit_memo::Column::DecidedAt, Expr::value(now))
            .col_expr(credit_memo::Column::Comment, Expr::value(comment.clone()))
            .col_expr(
                credit_memo::Column::Status,
                Expr::value(if approved { "approved" } else { "rejected" }),
            );
        decision::claim(
            &transaction,
            decided,
            credit_memo::Column::Id,
            memo_id,
            credit_memo::Column::Status,
            "requested",
            "This credit memo was already decided.",
        )
        .await?;
        if approved {
            // A memo a person asked for is a price concession: it comes off the future schedule.
            issue_memo(
                &transaction,
                Some(actor),
                &model,
                RevenueEffect::Concession,
                today,
                now,
            )
            .await?;
        }
        let after = memo_from_model(
            credit_memo::Entity::find_by_id(memo_id)
                .one(&transaction)
                .await?
                .ok_or_else(|| AppError::internal("memo vanished"))?,
        )?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: if status == approvals::ApprovalStatus::Approved {
                    "credit_memo.approve"
                } else {
                    "credit_memo.reject"
                },
                entity_type: "credit_memo",
                entity_id: memo_id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        if approved {
            emit_memo_approved(&transaction, now, &after).await?;
        }
        transaction.commit().await?;
        Ok(after)
    }
}

/// The `credit_memo.approved` webhook event, in the approving transaction.
async fn emit_memo_approved<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    memo: &CreditMemo,
) -> AppResult<()> {
    crate::webhooks::emit(
        connection,
        now,
        crate::webhooks::EventType::CreditMemoApproved,
        serde_json::json!({
            "creditMemoId": memo.id,
            "number": memo.number,
            "invoiceId": memo.invoice_id,
            "customerId": memo.customer_id,
            "reason": memo.reason,
            "subtotal": memo.subtotal,
            "tax": memo.tax,
            "total": memo.total,
            "toInvoice": memo.to_invoice,
            "toCustomerCredit": memo.to_credit,
            "issueDate": memo.issue_date,
        }),
    )
    .await
}
