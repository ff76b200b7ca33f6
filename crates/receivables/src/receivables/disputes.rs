//! Disputes (seed 3.2): logged against an invoice with a reason and the customer's words, reviewed
//! by AR within 48 business hours, answered with a credit memo request (valid) or a response with
//! evidence (invalid), escalated when unresolved after 10 days, closed with the resolution.
//! While a dispute is open the invoice's collections ladder pauses.

use super::calendar::BusinessCalendar;
use super::collections::{add_task, contact_email, LadderReport, NewTask};
use super::repo::open_minor;
use super::ReceivablesService;
use crate::access::{Actor, Permission, Role};
use crate::audit::{self, AuditRecord};
use crate::entities::{dispute, dispute_evidence, holiday, invoice, invoice_line};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::notifications::{self, NewMessage};
use crate::pagination::{Page, PageRequest, SortDirection};
use crate::values::{parse_id, require_text, IsoDate};
use async_graphql::{Enum, InputObject, ID};
use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;

/// Business hours AR has to review a dispute.
pub const REVIEW_HOURS: u32 = 48;
/// Calendar days after which an unresolved dispute goes to the VP Revenue Operations.
pub const ESCALATE_AFTER_DAYS: i64 = 10;
/// Largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 5 * 1024 * 1024;
const EVIDENCE_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
    "message/rfc822",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
pub enum DisputeReason {
    Pricing,
    Quantity,
    /// PO missing or wrong.
    PurchaseOrder,
    Duplicate,
    NotDelivered,
    Tax,
    Other,
}

impl DisputeReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            DisputeReason::Pricing => "pricing",
            DisputeReason::Quantity => "quantity",
            DisputeReason::PurchaseOrder => "po",
            DisputeReason::Duplicate => "duplicate",
            DisputeReason::NotDelivered => "not_delivered",
            DisputeReason::Tax => "tax",
            DisputeReason::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<DisputeReason> {
        [
            DisputeReason::Pricing,
            DisputeReason::Quantity,
            DisputeReason::PurchaseOrder,
            DisputeReason::Duplicate,
            DisputeReason::NotDelivered,
            DisputeReason::Tax,
            DisputeReason::Other,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
pub enum DisputeStatus {
    /// Waiting for AR's review.
    Open,
    /// Found valid: a credit memo was requested; a corrected invoice may follow.
    Valid,
    /// Found invalid: the customer was answered with evidence.
    Invalid,
    Closed,
}

impl DisputeStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            DisputeStatus::Open => "open",
            DisputeStatus::Valid => "valid",
            DisputeStatus::Invalid => "invalid",
            DisputeStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<DisputeStatus> {
        [
            DisputeStatus::Open,
            DisputeStatus::Valid,
            DisputeStatus::Invalid,
            DisputeStatus::Closed,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ReviewOutcome {
    Valid,
    Invalid,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dispute {
    pub id: i64,
    pub invoice_id: i64,
    pub customer_id: i64,
    pub reason: DisputeReason,
    pub disputed: Money,
    pub line_ids: Vec<i64>,
    pub customer_statement: String,
    pub status: DisputeStatus,
    pub opened_on: NaiveDate,
    pub opened_at: DateTime<Utc>,
    pub opened_by: i64,
    pub review_due_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<i64>,
    pub review_note: Option<String>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub closed_on: Option<NaiveDate>,
    pub closed_by: Option<i64>,
    pub resolution: Option<String>,
    pub credit_memo_id: Option<i64>,
    pub rebill_invoice_id: Option<i64>,
}

impl Dispute {
    /// Whether the review is past its deadline at `now` (reviewed late or still waiting).
    pub fn review_late(&self, now: DateTime<Utc>) -> bool {
        self.reviewed_at.unwrap_or(now) > self.review_due_at
    }
}

fn dispute_from_model(model: dispute::Model) -> AppResult<Dispute> {
    Ok(Dispute {
        id: model.id,
        invoice_id: model.invoice_id,
        customer_id: model.customer_id,
        reason: DisputeReason::parse(&model.reason_code)
            .ok_or_else(|| AppError::internal(format!("dispute reason {}", model.reason_code)))?,
        disputed: Money::from_minor(model.disputed_minor, Currency::parse(&model.currency)?),
        line_ids: serde_json::from_str(&model.line_ids_json)?,
        customer_statement: model.customer_statement,
        status: DisputeStatus::parse(&model.status)
            .ok_or_else(|| AppError::internal(format!("dispute status {}", model.status)))?,
        opened_on: model.opened_on,
        opened_at: model.opened_at,
        opened_by: model.opened_by,
        review_due_at: model.review_due_at,
        reviewed_at: model.reviewed_at,
        reviewed_by: model.reviewed_by,
        review_note: model.review_note,
        escalated_at: model.escalated_at,
        closed_on: model.closed_on,
        closed_by: model.closed_by,
        resolution: model.resolution,
        credit_memo_id: model.credit_memo_id,
        rebill_invoice_id: model.rebill_invoice_id,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub id: i64,
    pub dispute_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: i64,
    pub uploaded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, InputObject)]
pub struct DisputeLogInput {
    pub invoice_id: ID,
    pub reason: DisputeReason,
    /// In the invoice's currency, e.g. "1200.00"; at most what is open.
    pub disputed_amount: String,
    /// The invoice lines disputed; empty = the invoice as a whole.
    pub line_ids: Option<Vec<ID>>,
    /// The customer's words, as received.
    pub customer_statement: String,
}

#[derive(Debug, Clone, InputObject)]
pub struct DisputeReviewInput {
    pub id: ID,
    pub outcome: ReviewOutcome,
    /// What the review found, checked against the contract.
    pub note: String,
    /// Valid: the credit to request, in the invoice's currency (default: the disputed amount).
    pub credit_amount: Option<String>,
    /// Invalid: the answer e-mailed to the customer, with the evidence files attached.
    pub response: Option<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct DisputeCloseInput {
    pub id: ID,
    pub resolution: String,
    /// The corrected invoice that replaces the disputed one, when there is one.
    pub rebill_invoice_id: Option<ID>,
}

#[derive(Debug, Clone, InputObject)]
pub struct EvidenceAddInput {
    pub dispute_id: ID,
    pub filename: String,
    /// application/pdf, image/png, image/jpeg, text/plain or message/rfc822.
    pub content_type: String,
    /// The file, base64-encoded; at most 5 MB.
    pub content_base64: String,
}

/// The company's business calendar (weekends and the holidays table).
pub async fn calendar<C: ConnectionTrait>(connection: &C) -> AppResult<BusinessCalendar> {
    Ok(BusinessCalendar::new(
        holiday::Entity::find()
            .all(connection)
            .await?
            .into_iter()
            .map(|row| row.holiday),
    ))
}

#[derive(Debug, Clone, Serialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
}

impl ReceivablesService {
    pub async fn log_dispute(&self, actor: &Actor, input: DisputeLogInput) -> AppResult<Dispute> {
        actor.require(Permission::DisputeLog)?;
        let invoice_id = parse_id("invoiceId", &input.invoice_id)?;
        let statement = require_text("customerStatement", &input.customer_statement, 5000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let invoice = crate::invoicing::find_model(&transaction, invoice_id).await?;
        super::check_visible_on(&transaction, actor, invoice.customer_id).await?;
        let number = invoice.number.clone().unwrap_or_default();
        let disputed = disputed_amount(&invoice, &input.disputed_amount, &number)?;
        let line_ids =
            disputed_lines(&transaction, invoice_id, input.line_ids.as_deref(), &number).await?;
        refuse_second_dispute(&transaction, invoice_id, &number).await?;
        let review_due_at = calendar(&transaction)
            .await?
            .add_business_hours(now, REVIEW_HOURS);
        let model = dispute::ActiveModel {
            invoice_id: Set(invoice_id),
            customer_id: Set(invoice.customer_id),
            currency: Set(invoice.currency.clone()),
            reason_code: Set(input.reason.as_str().into()),
            disputed_minor: Set(disputed.minor()),
            line_ids_json: Set(serde_json::to_string(&line_ids)?),
            customer_statement: Set(statement),
            status: Set(DisputeStatus::Open.as_str().into()),
            opened_on: Set(self.clock.today()),
            opened_at: Set(now),
            opened_by: Set(actor.user_id),
            review_due_at: Set(review_due_at),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let customer = crate::customers::find_model(&transaction, invoice.customer_id).await?;
        add_task(
            &transaction,
            NewTask {
                dedupe_key: format!("dispute:{}:review", model.id),
                customer: &customer,
                invoice_id: Some(invoice_id),
                dispute_id: Some(model.id),
                kind: "task",
                title: format!(
                    "Review the dispute on {number} by {}",
                    review_due_at.format("%Y-%m-%d %H:%M UTC")
                ),
                detail: format!(
                    "{} disputes {disputed} ({}).",
                    customer.legal_name,
                    input.reason.as_str()
                ),
                role: Role::ArSpecialist,
                due_on: review_due_at.date_naive(),
                now,
            },
        )
        .await?;
        let created = dispute_from_model(model)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "dispute.log",
                entity_type: "dispute",
                entity_id: created.id.to_string(),
                before: None,
                after: Some(&created),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(created)
    }

    async fn dispute_model<C: ConnectionTrait>(
        connection: &C,
        id: i64,
    ) -> AppResult<dispute::Model> {
        dispute::Entity::find_by_id(id)
            .one(connection)
            .await?
            .ok_or_else(|| AppError::not_found(format!("There is no dispute with id {id}.")))
    }

    pub async fn dispute(&self, actor: &Actor, id: i64) -> AppResult<Dispute> {
        actor.require(Permission::ReceivablesRead)?;
        let model = Self::dispute_model(&self.db, id).await?;
        self.check_customer_visible(actor, model.customer_id)
            .await?;
        dispute_from_model(model)
    }

    /// Unresolved first (oldest review deadline first), then the rest newest first.
    pub async fn disputes(
        &self,
        actor: &Actor,
        status: Option<DisputeStatus>,
        invoice_id: Option<i64>,
        customer_id: Option<i64>,
        order: (DisputeSort, SortDirection),
        page: PageRequest,
    ) -> AppResult<Page<Dispute>> {
        actor.require(Permission::ReceivablesRead)?;
        let mut query = dispute::Entity::find();
        if let Some(status) = status {
            query = query.filter(dispute::Column::Status.eq(status.as_str()));
        }
        if let Some(id) = invoice_id {
            query = query.filter(dispute::Column::InvoiceId.eq(id));
        }
        if let Some(id) = customer_id {
            query = query.filter(dispute::Column::CustomerId.eq(id));
        }
        if let Some(own) = super::own_customers(actor) {
            query = query.filter(dispute::Column::CustomerId.in_subquery(own));
        }
        let total = query.clone().count(&self.db).await?;
        let (sort, direction) = order;
        let direction = direction.order();
        let query = match sort {
            // The work queue: disputes still being worked before closed ones, then by deadline.
            DisputeSort::ReviewDue => query
                .order_by_desc(Expr::cust("CASE WHEN status = 'closed' THEN 0 ELSE 1 END"))
                .order_by(dispute::Column::ReviewDueAt, direction),
            DisputeSort::OpenedOn => query.order_by(dispute::Column::OpenedOn, direction),
            DisputeSort::Amount => query
                .order_by_asc(dispute::Column::Currency)
                .order_by(dispute::Column::DisputedMinor, direction),
            DisputeSort::Status => query.order_by(dispute::Column::Status, direction),
            DisputeSort::Reason => query.order_by(dispute::Column::ReasonCode, direction),
        };
        // Ties fall back to the newest first, so a page boundary never shows a row twice.
        let rows = query
            .order_by_desc(dispute::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Page::new(rows, page, total).try_map(dispute_from_model)
    }

    /// Business minutes left until the review deadline (negative once late).
    pub async fn review_minutes_left(&self, dispute: &Dispute) -> AppResult<i64> {
        let until = dispute.reviewed_at.unwrap_or(self.clock.now());
        Ok(calendar(&self.db)
            .await?
            .business_minutes_between(until, dispute.review_due_at))
    }

    pub async fn add_evidence(
        &self,
        actor: &Actor,
        input: EvidenceAddInput,
    ) -> AppResult<Evidence> {
        actor.require(Permission::DisputeReview)?;
        let dispute_id = parse_id("disputeId", &input.dispute_id)?;
        let filename = require_text("filename", &input.filename, 200)?;
        if filename.contains(['/', '\\']) {
            return Err(AppError::validation(
                "filename",
                "A file name cannot contain a path.",
            ));
        }
        let content_type = input.content_type.trim().to_ascii_lowercase();
        if !EVIDENCE_TYPES.contains(&content_type.as_str()) {
            return Err(AppError::validation(
                "contentType",
                format!(
                    "Attach a PDF, PNG, JPEG, text or e-mail file ({}).",
                    EVIDENCE_TYPES.join(", ")
                ),
            ));
        }
        if input.content_base64.len() > MAX_EVIDENCE_BYTES / 3 * 4 + 8 {
            return Err(AppError::Limit(
                "An evidence file can be at most 5 MB.".into(),
            ));
        }
        let content = base64::engine::general_purpose::STANDARD
            .decode(input.content_base64.trim())
            .map_err(|_| AppError::validation("contentBase64", "The file is not valid base64."))?;
        if content.is_empty() || content.len() > MAX_EVIDENCE_BYTES {
            return Err(AppError::validation(
                "contentBase64",
                "The file must be between 1 byte and 5 MB.",
            ));
        }
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = Self::dispute_model(&transaction, dispute_id).await?;
        if model.status == "closed" {
            return Err(AppError::Conflict(
                "The dispute is closed; evidence can no longer be added.".into(),
            ));
        }
        let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
        let saved = dispute_evidence::ActiveModel {
            dispute_id: Set(dispute_id),
            filename: Set(filename),
            content_type: Set(content_type),
            size_bytes: Set(size),
            content: Set(content),
            uploaded_by: Set(actor.user_id),
            uploaded_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let evidence = evidence_from_model(saved);
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "dispute.evidence.add",
                entity_type: "dispute",
                entity_id: dispute_id.to_string(),
                before: None,
                after: Some(&evidence),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(evidence)
    }

    pub async fn evidence(&self, actor: &Actor, dispute_id: i64) -> AppResult<Vec<Evidence>> {
        self.dispute(actor, dispute_id).await?;
        Ok(dispute_evidence::Entity::find()
            .filter(dispute_evidence::Column::DisputeId.eq(dispute_id))
            .order_by_asc(dispute_evidence::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(evidence_from_model)
            .collect())
    }

    /// AR's review. Valid: a credit memo is requested (approval by the VP Revenue Operations).
    /// Invalid: the response goes to the customer with the evidence attached.
    pub async fn review_dispute(
        &self,
        actor: &Actor,
        input: DisputeReviewInput,
    ) -> AppResult<Dispute> {
        actor.require(Permission::DisputeReview)?;
        let id = parse_id("id", &input.id)?;
        let note = require_text("note", &input.note, 5000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = Self::dispute_model(&transaction, id).await?;
        super::check_visible_on(&transaction, actor, model.customer_id).await?;
        let before = dispute_from_model(model.clone())?;
        if before.status != DisputeStatus::Open {
            return Err(AppError::Conflict(
                "This dispute was already reviewed.".into(),
            ));
        }
        let invoice = crate::invoicing::find_model(&transaction, model.invoice_id).await?;
        let number = invoice.number.clone().unwrap_or_default();
        let (status, credit_memo_id) = match input.outcome {
            ReviewOutcome::Valid => {
                let memo_id = self
                    .credit_valid_dispute(&transaction, actor, &model, &before, &input, &note)
                    .await?;
                (DisputeStatus::Valid, Some(memo_id))
            }
            ReviewOutcome::Invalid => {
                let response = input.response.as_deref().unwrap_or("");
                respond_invalid(&transaction, &model, response, &number, now).await?;
                (DisputeStatus::Invalid, None)
            }
        };
        dispute::Entity::update_many()
            .col_expr(dispute::Column::Status, Expr::value(status.as_str()))
            .col_expr(dispute::Column::ReviewedAt, Expr::value(now))
            .col_expr(dispute::Column::ReviewedBy, Expr::value(actor.user_id))
            .col_expr(dispute::Column::ReviewNote, Expr::value(note))
            .col_expr(dispute::Column::CreditMemoId, Expr::value(credit_memo_id))
            .filter(dispute::Column::Id.eq(id))
            .exec(&transaction)
            .await?;
        close_review_task(&transaction, id, actor, now).await?;
        let after = dispute_from_model(Self::dispute_model(&transaction, id).await?)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "dispute.review",
                entity_type: "dispute",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }

    /// A valid dispute opens a credit memo request for the amount given (the disputed amount
    /// when none), in the review's transaction.
    async fn credit_valid_dispute(
        &self,
        transaction: &DatabaseTransaction,
        actor: &Actor,
        model: &dispute::Model,
        before: &Dispute,
        input: &DisputeReviewInput,
        note: &str,
    ) -> AppResult<i64> {
        let amount = match &input.credit_amount {
            Some(text) => text.clone(),
            None => before.disputed.amount_string(),
        };
        let memo = self
            .request_credit_memo_in(
                transaction,
                actor,
                super::credit_memos::CreditMemoRequestInput {
                    invoice_id: ID(model.invoice_id.to_string()),
                    reason: format!("Dispute #{} found valid: {note}", model.id),
                    amount: Some(amount),
                    lines: None,
                    dispute_id: Some(ID(model.id.to_string())),
                },
            )
            .await
            .map_err(|error| match error {
                AppError::Validation { field, message } if field == "amount" => {
                    AppError::validation("creditAmount", message)
                }
                other => other,
            })?;
        Ok(memo.id)
    }

    /// Closes a dispute with its resolution; the invoice's ladder resumes from its dates.
    pub async fn close_dispute(
        &self,
        actor: &Actor,
        input: DisputeCloseInput,
    ) -> AppResult<Dispute> {
        actor.require(Permission::DisputeReview)?;
        let id = parse_id("id", &input.id)?;
        let resolution = require_text("resolution", &input.resolution, 5000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = Self::dispute_model(&transaction, id).await?;
        super::check_visible_on(&transaction, actor, model.customer_id).await?;
        let before = dispute_from_model(model.clone())?;
        if before.status == DisputeStatus::Closed {
            return Err(AppError::Conflict("This dispute is already closed.".into()));
        }
        let rebill = match &input.rebill_invoice_id {
            Some(text) => {
                let rebill_id = parse_id("rebillInvoiceId", text)?;
                let rebill = invoice::Entity::find_by_id(rebill_id)
                    .one(&transaction)
                    .await?
                    .ok_or_else(|| {
                        AppError::validation(
                            "rebillInvoiceId",
                            format!("There is no invoice with id {rebill_id}."),
                        )
                    })?;
                if rebill.customer_id != model.customer_id || rebill_id == model.invoice_id {
                    return Err(AppError::validation(
                        "rebillInvoiceId",
                        "The corrected invoice must be another invoice of the same customer.",
                    ));
                }
                Some(rebill_id)
            }
            None => None,
        };
        dispute::Entity::update_many()
            .col_expr(dispute::Column::Status, Expr::value("closed"))
            .col_expr(dispute::Column::ClosedOn, Expr::value(self.clock.today()))
            .col_expr(dispute::Column::ClosedAt, Expr::value(now))
            .col_expr(dispute::Column::ClosedBy, Expr::value(actor.user_id))
            .col_expr(dispute::Column::Resolution, Expr::value(resolution.clone()))
            .col_expr(dispute::Column::RebillInvoiceId, Expr::value(rebill))
            .filter(dispute::Column::Id.eq(id))
            .exec(&transaction)
            .await?;
        let after = dispute_from_model(Self::dispute_model(&transaction, id).await?)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "dispute.close",
                entity_type: "dispute",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        // The customer's record shows the outcome in its activity.
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "customer.dispute.resolved",
                entity_type: "customer",
                entity_id: model.customer_id.to_string(),
                before: None,
                after: Some(&serde_json::json!({ "dispute": id, "invoice": model.invoice_id, "resolution": resolution, "rebillInvoiceId": rebill })),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }

    /// Alerts for reviews past 48 business hours, and escalation of disputes unresolved after
    /// 10 days to the VP Revenue Operations and the account manager; each once.
    pub(super) async fn check_dispute_deadlines(
        &self,
        actor: Option<&Actor>,
        as_of: NaiveDate,
        report: &mut LadderReport,
    ) -> AppResult<()> {
        let now = self.clock.now();
        let unresolved = dispute::Entity::find()
            .filter(dispute::Column::Status.ne("closed"))
            .filter(
                Condition::any()
                    .add(dispute::Column::EscalatedAt.is_null())
                    .add(dispute::Column::LateAlertedAt.is_null()),
            )
            .all(&self.db)
            .await?;
        for model in unresolved {
            let late = model.reviewed_at.is_none()
                && model.late_alerted_at.is_none()
                && model.review_due_at < now;
            let escalate = model.escalated_at.is_none()
                && model.opened_on + Duration::days(ESCALATE_AFTER_DAYS) <= as_of;
            if !late && !escalate {
                continue;
            }
            let transaction = self.db.begin().await?;
            let customer = crate::customers::find_model(&transaction, model.customer_id).await?;
            let number = crate::invoicing::find_model(&transaction, model.invoice_id)
                .await?
                .number
                .unwrap_or_default();
            if late {
                add_task(
                    &transaction,
                    NewTask {
                        dedupe_key: format!("dispute:{}:late", model.id),
                        customer: &customer,
                        invoice_id: Some(model.invoice_id),
                        dispute_id: Some(model.id),
                        kind: "alert",
                        title: format!("Dispute review on {number} is late"),
                        detail: format!(
                            "The 48-business-hour review was due {}.",
                            model.review_due_at.format("%Y-%m-%d %H:%M UTC")
                        ),
                        role: Role::ArSpecialist,
                        due_on: as_of,
                        now,
                    },
                )
                .await?;
                dispute::Entity::update_many()
                    .col_expr(dispute::Column::LateAlertedAt, Expr::value(now))
                    .filter(dispute::Column::Id.eq(model.id))
                    .exec(&transaction)
                    .await?;
                report.disputes_late.push(model.id);
            }
            if escalate {
                for role in [Role::VpRevops, Role::AccountManager] {
                    add_task(&transaction, NewTask {
                        dedupe_key: format!("dispute:{}:escalate:{}", model.id, role.as_str()),
                        customer: &customer,
                        invoice_id: Some(model.invoice_id),
                        dispute_id: Some(model.id),
                        kind: "task",
                        title: format!("Escalated: dispute on {number} unresolved after {ESCALATE_AFTER_DAYS} days"),
                        detail: format!("{} opened it on {}: \"{}\"", customer.legal_name, model.opened_on, model.customer_statement),
                        role,
                        due_on: as_of,
                        now,
                    })
                    .await?;
                }
                dispute::Entity::update_many()
                    .col_expr(dispute::Column::EscalatedAt, Expr::value(now))
                    .filter(dispute::Column::Id.eq(model.id))
                    .exec(&transaction)
                    .await?;
                audit::record(&transaction, actor, now, AuditRecord::<(), _> {
                    action: "dispute.escalate",
                    entity_type: "dispute",
                    entity_id: model.id.to_string(),
                    before: None,
                    after: Some(&serde_json::json!({ "to": ["vp_revops", "account_manager"], "asOf": as_of })),
                })
                .await?;
                report.disputes_escalated.push(model.id);
            }
            transaction.commit().await?;
        }
        Ok(())
    }

    pub async fn holidays(&self, actor: &Actor) -> AppResult<Vec<Holiday>> {
        actor.require(Permission::CollectionsWork)?;
        Ok(holiday::Entity::find()
            .order_by_asc(holiday::Column::Holiday)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| Holiday {
                date: row.holiday,
                name: row.name,
            })
            .collect())
    }

    /// Adds a company holiday, or removes it when `name` is None.
    pub async fn set_holiday(
        &self,
        actor: &Actor,
        date: IsoDate,
        name: Option<String>,
    ) -> AppResult<Vec<Holiday>> {
        actor.require(Permission::CollectionsSetup)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        holiday::Entity::delete_many()
            .filter(holiday::Column::Holiday.eq(date.0))
            .exec(&transaction)
            .await?;
        if let Some(name) = &name {
            let name = require_text("name", name, 200)?;
            holiday::ActiveModel {
                holiday: Set(date.0),
                name: Set(name),
                ..Default::default()
            }
            .insert(&transaction)
            .await?;
        }
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: if name.is_some() {
                    "calendar.holiday.set"
                } else {
                    "calendar.holiday.remove"
                },
                entity_type: "holiday",
                entity_id: date.0.to_string(),
                before: None,
                after: Some(&name),
            },
        )
        .await?;
        transaction.commit().await?;
        self.holidays(actor).await
    }
}

fn evidence_from_model(model: dispute_evidence::Model) -> Evidence {
    Evidence {
        id: model.id,
        dispute_id: model.dispute_id,
        filename: model.filename,
        content_type: model.content_type,
        size_bytes: model.size_bytes,
        uploaded_by: model.uploaded_by,
        uploaded_at: model.uploaded_at,
    }
}

/// The outbox attachment kind of a dispute's evidence files.
pub const DISPUTE_EVIDENCE: &str = "dispute_evidence";

/// Renders `DISPUTE_EVIDENCE` attachments for the outbox sender.
pub struct DisputeEvidence;

#[async_trait::async_trait]
impl crate::notifications::attachments::AttachmentRenderer for DisputeEvidence {
    async fn render(
        &self,
        db: &sea_orm::DatabaseConnection,
        id: i64,
    ) -> AppResult<Vec<crate::notifications::mail::Attachment>> {
        evidence_attachments(db, id).await
    }
}

/// The evidence files of a dispute, as mail attachments.
pub async fn evidence_attachments(
    db: &sea_orm::DatabaseConnection,
    dispute_id: i64,
) -> AppResult<Vec<crate::notifications::mail::Attachment>> {
    Ok(dispute_evidence::Entity::find()
        .filter(dispute_evidence::Column::DisputeId.eq(dispute_id))
        .order_by_asc(dispute_evidence::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| crate::notifications::mail::Attachment {
            filename: row.filename,
            content_type: row.content_type,
            bytes: row.content,
        })
        .collect())
}

/// What the customer disputes: more than zero and at most what the invoice has open (an
/// invoice with nothing open cannot be disputed).
fn disputed_amount(invoice: &invoice::Model, text: &str, number: &str) -> AppResult<Money> {
    if !matches!(invoice.status.as_str(), "issued" | "partially_paid") {
        return Err(AppError::validation(
            "invoiceId",
            format!(
                "{number} is {}; only an invoice with money open can be disputed.",
                invoice.status.replace('_', " ")
            ),
        ));
    }
    let currency = Currency::parse(&invoice.currency)?;
    let disputed = Money::parse(text, currency)
        .map_err(|error| AppError::validation("disputedAmount", error.to_string()))?;
    let open = open_minor(invoice);
    if disputed.minor() <= 0 || disputed.minor() > open {
        return Err(AppError::validation(
            "disputedAmount",
            format!(
                "The disputed amount must be more than zero and at most the {} open.",
                Money::from_minor(open, currency)
            ),
        ));
    }
    Ok(disputed)
}

/// The invoice lines the dispute names; each must be on the invoice.
async fn disputed_lines(
    transaction: &DatabaseTransaction,
    invoice_id: i64,
    ids: Option<&[ID]>,
    number: &str,
) -> AppResult<Vec<i64>> {
    let mut line_ids = Vec::new();
    for (index, id) in ids.unwrap_or_default().iter().enumerate() {
        let line_id = parse_id(&format!("lineIds.{index}"), id)?;
        let belongs = invoice_line::Entity::find_by_id(line_id)
            .one(transaction)
            .await?
            .is_some_and(|line| line.invoice_id == invoice_id);
        if !belongs {
            return Err(AppError::validation(
                format!("lineIds.{index}"),
                format!("Line {line_id} is not on {number}."),
            ));
        }
        line_ids.push(line_id);
    }
    Ok(line_ids)
}

/// One unresolved dispute per invoice at a time.
async fn refuse_second_dispute(
    transaction: &DatabaseTransaction,
    invoice_id: i64,
    number: &str,
) -> AppResult<()> {
    let unresolved = dispute::Entity::find()
        .filter(dispute::Column::InvoiceId.eq(invoice_id))
        .filter(dispute::Column::Status.ne("closed"))
        .count(transaction)
        .await?;
    if unresolved > 0 {
        return Err(AppError::Conflict(format!(
            "{number} already has an unresolved dispute; add to it or close it first."
        )));
    }
    Ok(())
}

/// An invalid dispute is answered: the response is e-mailed to the customer with the supporting
/// documents, and the invoice stays payable.
async fn respond_invalid(
    transaction: &DatabaseTransaction,
    model: &dispute::Model,
    response: &str,
    number: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let response = require_text("response", response, 10_000)?;
    let customer = crate::customers::find_model(transaction, model.customer_id).await?;
    notifications::enqueue(
        transaction,
        now,
        NewMessage {
            kind: "dispute_response",
            dedupe_key: format!("dispute-response:{}", model.id),
            recipient: contact_email(&customer),
            subject: format!("Your dispute of invoice {number}"),
            body: format!("Hello,\n\nWe have reviewed your dispute of invoice {number} against your contract.\n\n{response}\n\nThe supporting documents are attached. The invoice remains payable.\n"),
            attachment: Some((DISPUTE_EVIDENCE, model.id)),
        },
    )
    .await?;
    Ok(())
}

/// Marks the dispute's review task done.
async fn close_review_task(
    transaction: &DatabaseTransaction,
    id: i64,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<()> {
    crate::entities::collection_task::Entity::update_many()
        .col_expr(
            crate::entities::collection_task::Column::Status,
            Expr::value("done"),
        )
        .col_expr(
            crate::entities::collection_task::Column::DoneBy,
            Expr::value(actor.user_id),
        )
        .col_expr(
            crate::entities::collection_task::Column::DoneAt,
            Expr::value(now),
        )
        .filter(
            crate::entities::collection_task::Column::DedupeKey.eq(format!("dispute:{id}:review")),
        )
        .filter(crate::entities::collection_task::Column::Status.eq("open"))
        .exec(transaction)
        .await?;
    Ok(())
}

/// The column a dispute list is ordered by. Amounts order within each currency.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DisputeSort {
    /// The review deadline, disputes being worked before closed ones (the default, soonest
    /// first: the work queue).
    #[default]
    ReviewDue,
    OpenedOn,
    Amount,
    Status,
    Reason,
}
