//! Requesting a credit memo (maker-checker's maker): the lines and amount checked against what
//! the invoice still has to credit, the memo recorded as requested and its approval opened.

use super::lines::{credited_per_line, line_bases, over_line_cap, requested_lines, uncredited};
use super::{
    invoice_label, memo_from_model, spread_gross, CreditLine, CreditMemo, CreditMemoRequestInput,
    DocumentStatus,
};
use crate::access::{Actor, Permission};
use crate::approvals::{self, ApprovalKind, DocumentPayload};
use crate::audit::{self, AuditRecord};
use crate::entities::{credit_memo, invoice};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::receivables::ReceivablesService;
use crate::values::{parse_id, require_text};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};

impl ReceivablesService {
    pub async fn request_credit_memo(
        &self,
        actor: &Actor,
        input: CreditMemoRequestInput,
    ) -> AppResult<CreditMemo> {
        let transaction = self.db.begin().await?;
        let memo = self
            .request_credit_memo_in(&transaction, actor, input)
            .await?;
        transaction.commit().await?;
        Ok(memo)
    }

    /// The request inside the caller's transaction (a dispute review opens one with its own change).
    pub(in crate::receivables) async fn request_credit_memo_in<C: ConnectionTrait>(
        &self,
        connection: &C,
        actor: &Actor,
        input: CreditMemoRequestInput,
    ) -> AppResult<CreditMemo> {
        actor.require(Permission::CreditMemoRequest)?;
        let invoice_id = parse_id("invoiceId", &input.invoice_id)?;
        let reason = require_text("reason", &input.reason, 2000)?;
        let dispute_id = input
            .dispute_id
            .as_ref()
            .map(|id| parse_id("disputeId", id))
            .transpose()?;
        let invoice = crate::invoicing::find_model(connection, invoice_id).await?;
        crate::receivables::check_visible_on(connection, actor, invoice.customer_id).await?;
        let label = invoice_label(&invoice);
        check_creditable_status(&invoice, &label)?;
        let currency = Currency::parse(&invoice.currency)?;
        let lines = memo_lines(connection, &input, &invoice, &label, currency).await?;
        let subtotal: i64 = lines.iter().map(|line| line.net_minor).sum();
        let tax: i64 = lines.iter().map(|line| line.tax_minor).sum();
        let total = subtotal + tax;
        check_within_creditable(&invoice, &input, total, &label, currency)?;
        let now = self.clock.now();
        let model = credit_memo::ActiveModel {
            number: Set(None),
            legal_entity: Set(invoice.legal_entity.clone()),
            invoice_id: Set(invoice_id),
            customer_id: Set(invoice.customer_id),
            currency: Set(invoice.currency.clone()),
            status: Set(DocumentStatus::Requested.as_str().into()),
            reason: Set(reason.clone()),
            subtotal_minor: Set(subtotal),
            tax_minor: Set(tax),
            total_minor: Set(total),
            lines_json: Set(serde_json::to_string(&lines)?),
            settlement: Set("pending".into()),
            dispute_id: Set(dispute_id),
            requested_by: Set(actor.user_id),
            requested_at: Set(now),
            ..Default::default()
        }
        .insert(connection)
        .await?;
        attach_approval(
            connection, actor, &invoice, model.id, &label, &reason, total, now,
        )
        .await?;
        let created = memo_from_model(
            credit_memo::Entity::find_by_id(model.id)
                .one(connection)
                .await?
                .ok_or_else(|| AppError::internal("memo vanished"))?,
        )?;
        audit::record(
            connection,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "credit_memo.request",
                entity_type: "credit_memo",
                entity_id: created.id.to_string(),
                before: None,
                after: Some(&created),
            },
        )
        .await?;
        Ok(created)
    }
}

/// Only an issued invoice (paid or not) can be credited.
fn check_creditable_status(invoice: &invoice::Model, label: &str) -> AppResult<()> {
    if !matches!(
        invoice.status.as_str(),
        "issued" | "partially_paid" | "paid"
    ) {
        return Err(AppError::validation(
            "invoiceId",
            format!(
                "{label} is {}; only an issued invoice can be credited.",
                invoice.status.replace('_', " ")
            ),
        ));
    }
    Ok(())
}

/// The memo's lines: a gross amount spread over the invoice's lines, or the lines asked for
/// (within what earlier credits left on each).
async fn memo_lines<C: ConnectionTrait>(
    connection: &C,
    input: &CreditMemoRequestInput,
    invoice: &invoice::Model,
    label: &str,
    currency: Currency,
) -> AppResult<Vec<CreditLine>> {
    let bases = line_bases(connection, invoice.id).await?;
    let approved: Vec<Vec<CreditLine>> = credit_memo::Entity::find()
        .filter(credit_memo::Column::Status.eq("approved"))
        .filter(credit_memo::Column::InvoiceId.eq(invoice.id))
        .all(connection)
        .await?
        .iter()
        .map(|memo| serde_json::from_str(&memo.lines_json))
        .collect::<Result<_, _>>()?;
    let by_line = credited_per_line(&approved);
    let credited: std::collections::HashMap<i64, i64> = by_line
        .iter()
        .map(|(line, (net, _))| (*line, *net))
        .collect();
    Ok(match (&input.amount, &input.lines) {
        (Some(amount), None) => {
            let gross = Money::parse(amount, currency)
                .map_err(|error| AppError::validation("amount", error.to_string()))?;
            if gross.minor() <= 0 {
                return Err(AppError::validation(
                    "amount",
                    "A credit must be more than zero.",
                ));
            }
            // Over what each line still has, so no line is credited past what it billed.
            let spread = spread_gross(gross, &uncredited(&bases, &by_line))?;
            if let Some((line, left)) = over_line_cap(&bases, &credited, &spread) {
                return Err(AppError::validation(
                    "amount",
                    format!(
                        "The line \"{}\" has only {} left to credit; credit less, or credit lines one by one.",
                        line.description,
                        Money::from_minor(left, currency)
                    ),
                ));
            }
            spread
        }
        (None, Some(inputs)) if !inputs.is_empty() => {
            requested_lines(inputs, &bases, &credited, label, currency)?
        }
        _ => {
            return Err(AppError::validation(
                "amount",
                "Give either an amount or the lines to credit.",
            ));
        }
    })
}

/// A memo credits at most what the invoice billed less earlier credits and write-offs.
fn check_within_creditable(
    invoice: &invoice::Model,
    input: &CreditMemoRequestInput,
    total: i64,
    label: &str,
    currency: Currency,
) -> AppResult<()> {
    let creditable = invoice.total_minor - invoice.credited_minor - invoice.written_off_minor;
    if total > creditable {
        let field = if input.amount.is_some() {
            "amount"
        } else {
            "lines"
        };
        return Err(AppError::validation(
            field,
            format!(
                "{label} billed {} and earlier credits and write-offs leave {} to credit; {} is more.",
                Money::from_minor(invoice.total_minor, currency),
                Money::from_minor(creditable, currency),
                Money::from_minor(total, currency)
            ),
        ));
    }
    Ok(())
}

/// Opens the memo's approval request (one waiting per invoice) and links it to the memo.
#[allow(clippy::too_many_arguments)]
async fn attach_approval<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    invoice: &invoice::Model,
    memo_id: i64,
    label: &str,
    reason: &str,
    total: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let approval = approvals::open_request(
        connection,
        actor,
        ApprovalKind::CreditMemo,
        invoice.customer_id,
        format!("invoice:{}", invoice.id),
        reason,
        serde_json::to_string(&DocumentPayload {
            document_id: memo_id,
            invoice_id: invoice.id,
            invoice_number: label.to_string(),
            currency: invoice.currency.clone(),
            amount_minor: total,
        })?,
        now,
    )
    .await
    .map_err(|error| match error {
        AppError::Conflict(_) => AppError::Conflict(format!(
            "{label} already has a credit memo waiting for approval; it must be decided first."
        )),
        other => other,
    })?;
    credit_memo::Entity::update_many()
        .col_expr(credit_memo::Column::ApprovalId, Expr::value(approval.id))
        .filter(credit_memo::Column::Id.eq(memo_id))
        .exec(connection)
        .await?;
    Ok(())
}
