//! Credit memos and bad-debt write-offs, both maker-checker: a request records what and why; only
//! the approver's decision (VP Revenue Operations for credit memos, CFO for write-offs, never the
//! requester) numbers and posts the document, in one transaction with its approval.

use super::repo::{self, open_minor, MovementKind, Settlement};
use super::ReceivablesService;
use crate::access::{Actor, Permission};
use crate::approvals::{self, decision, ApprovalDecision, ApprovalKind, DocumentPayload};
use crate::audit::{self, AuditRecord};
use crate::entities::{credit_memo, invoice, invoice_line, write_off};
use crate::error::{AppError, AppResult};
use crate::ledger::chart::{
    ACCOUNTS_RECEIVABLE, BAD_DEBT_EXPENSE, CONTRA_REVENUE, CUSTOMER_CREDITS, DEFERRED_REVENUE,
    TAX_PAYABLE, UNBILLED_RECEIVABLE,
};
use crate::ledger::rules::{BalancedEntry, Posting, Side};
use crate::ledger::{self, EntryHeader};
use crate::money::{allocate, Currency, Money};
use crate::notifications::{self, mail::Attachment, NewMessage};
use crate::pagination::{Page, PageRequest};
use crate::sequences;
use crate::values::{parse_id, require_text};
use async_graphql::{Enum, InputObject, ID};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
pub enum DocumentStatus {
    Requested,
    Approved,
    Rejected,
}

impl DocumentStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            DocumentStatus::Requested => "requested",
            DocumentStatus::Approved => "approved",
            DocumentStatus::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> AppResult<DocumentStatus> {
        [
            DocumentStatus::Requested,
            DocumentStatus::Approved,
            DocumentStatus::Rejected,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
        .ok_or_else(|| AppError::internal(format!("document status {text}")))
    }
}

#[derive(Debug, Clone, InputObject, Serialize)]
pub struct CreditLineInput {
    pub invoice_line_id: ID,
    /// The amount before tax to credit on this line; its tax follows the line's rate.
    pub amount: String,
}

#[derive(Debug, Clone, InputObject)]
pub struct CreditMemoRequestInput {
    pub invoice_id: ID,
    pub reason: String,
    /// A total including tax, spread over the invoice's lines in proportion; or give `lines`.
    pub amount: Option<String>,
    pub lines: Option<Vec<CreditLineInput>>,
    /// The dispute this answers, if any.
    pub dispute_id: Option<ID>,
}

#[derive(Debug, Clone, InputObject)]
pub struct WriteOffRequestInput {
    pub invoice_id: ID,
    /// Default: everything open on the invoice.
    pub amount: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, InputObject)]
pub struct DocumentDecideInput {
    /// The approval request's id (as listed in the approvals inbox).
    pub approval_id: ID,
    pub decision: ApprovalDecision,
    pub comment: String,
}

/// One credited line: what it reverses and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditLine {
    pub invoice_line_id: i64,
    pub description: String,
    pub kind: String,
    pub net_minor: i64,
    pub tax_minor: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreditMemo {
    pub id: i64,
    pub number: Option<String>,
    pub invoice_id: i64,
    pub customer_id: i64,
    pub status: DocumentStatus,
    pub reason: String,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub lines: Vec<CreditLine>,
    /// Applied against the invoice's open amount.
    pub to_invoice: Money,
    /// The rest, as customer credit (the invoice was already paid).
    pub to_credit: Money,
    pub issue_date: Option<NaiveDate>,
    pub approval_id: Option<i64>,
    pub dispute_id: Option<i64>,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub journal_entry_id: Option<i64>,
}

fn memo_from_model(model: credit_memo::Model) -> AppResult<CreditMemo> {
    let currency = Currency::parse(&model.currency)?;
    let money = |minor| Money::from_minor(minor, currency);
    Ok(CreditMemo {
        id: model.id,
        number: model.number,
        invoice_id: model.invoice_id,
        customer_id: model.customer_id,
        status: DocumentStatus::parse(&model.status)?,
        reason: model.reason,
        subtotal: money(model.subtotal_minor),
        tax: money(model.tax_minor),
        total: money(model.total_minor),
        lines: serde_json::from_str(&model.lines_json)?,
        to_invoice: money(model.to_invoice_minor),
        to_credit: money(model.to_credit_minor),
        issue_date: model.issue_date,
        approval_id: model.approval_id,
        dispute_id: model.dispute_id,
        requested_by: model.requested_by,
        requested_at: model.requested_at,
        decided_by: model.decided_by,
        decided_at: model.decided_at,
        comment: model.comment,
        journal_entry_id: model.journal_entry_id,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct WriteOff {
    pub id: i64,
    pub invoice_id: i64,
    pub customer_id: i64,
    pub amount: Money,
    pub reason: String,
    pub status: DocumentStatus,
    pub approval_id: Option<i64>,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub written_off_on: Option<NaiveDate>,
    pub journal_entry_id: Option<i64>,
}

fn write_off_from_model(model: write_off::Model) -> AppResult<WriteOff> {
    Ok(WriteOff {
        id: model.id,
        invoice_id: model.invoice_id,
        customer_id: model.customer_id,
        amount: Money::from_minor(model.amount_minor, Currency::parse(&model.currency)?),
        reason: model.reason,
        status: DocumentStatus::parse(&model.status)?,
        approval_id: model.approval_id,
        requested_by: model.requested_by,
        requested_at: model.requested_at,
        decided_by: model.decided_by,
        decided_at: model.decided_at,
        comment: model.comment,
        written_off_on: model.written_off_on,
        journal_entry_id: model.journal_entry_id,
    })
}

/// `value × numerator ÷ denominator`, rounded half away from zero (integers only).
fn scale(value: i64, numerator: i64, denominator: i64) -> i64 {
    if denominator == 0 {
        return 0;
    }
    let product = i128::from(value) * i128::from(numerator);
    let denominator = i128::from(denominator);
    let half = denominator.abs();
    let rounded = (2 * product + product.signum() * half) / (2 * denominator);
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// An invoice line as a credit sees it.
#[derive(Debug, Clone)]
pub struct LineBasis {
    pub id: i64,
    pub description: String,
    pub kind: String,
    pub net_minor: i64,
    pub tax_minor: i64,
}

/// Spreads a total including tax over the lines in proportion to their totals (largest
/// remainder), then splits each line's share into tax at the line's rate and the rest net.
pub fn spread_gross(gross: Money, lines: &[LineBasis]) -> AppResult<Vec<CreditLine>> {
    let weights: Vec<u64> = lines
        .iter()
        .map(|line| u64::try_from(line.net_minor + line.tax_minor).unwrap_or(0))
        .collect();
    let shares = allocate(gross, &weights).map_err(|_| {
        AppError::validation("amount", "The invoice has no positive lines to credit.")
    })?;
    Ok(lines
        .iter()
        .zip(shares)
        .filter(|(_, share)| share.minor() != 0)
        .map(|(line, share)| {
            let tax = scale(
                share.minor(),
                line.tax_minor,
                line.net_minor + line.tax_minor,
            );
            CreditLine {
                invoice_line_id: line.id,
                description: line.description.clone(),
                kind: line.kind.clone(),
                net_minor: share.minor() - tax,
                tax_minor: tax,
            }
        })
        .collect())
}

/// The lines a person asked to credit, each more than zero and at most what the line still has
/// uncredited (its net less earlier credit memos on it), so credits never exceed what was billed.
fn requested_lines(
    inputs: &[CreditLineInput],
    bases: &[LineBasis],
    credited: &std::collections::HashMap<i64, i64>,
    label: &str,
    currency: Currency,
) -> AppResult<Vec<CreditLine>> {
    let mut lines = Vec::new();
    for (index, line_input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("lines.{index}.{name}");
        let line_id = parse_id(&field("invoiceLineId"), &line_input.invoice_line_id)?;
        let basis = bases
            .iter()
            .find(|basis| basis.id == line_id)
            .ok_or_else(|| {
                AppError::validation(
                    field("invoiceLineId"),
                    format!("Line {line_id} is not on {label}."),
                )
            })?;
        let net = Money::parse(&line_input.amount, currency)
            .map_err(|error| AppError::validation(field("amount"), error.to_string()))?;
        let already: i64 = credited.get(&line_id).copied().unwrap_or(0)
            + lines
                .iter()
                .filter(|line: &&CreditLine| line.invoice_line_id == line_id)
                .map(|line| line.net_minor)
                .sum::<i64>();
        let remaining = basis.net_minor - already;
        if net.minor() <= 0 || net.minor() > remaining {
            return Err(AppError::validation(
                field("amount"),
                format!(
                    "Credit more than zero and at most the {} the line still has uncredited (billed {}, credited {}).",
                    Money::from_minor(remaining.max(0), currency),
                    Money::from_minor(basis.net_minor, currency),
                    Money::from_minor(already, currency)
                ),
            ));
        }
        lines.push(line_credit(basis, net.minor()));
    }
    Ok(lines)
}

/// A credited line's tax at the line's own rate.
pub fn line_credit(line: &LineBasis, net_minor: i64) -> CreditLine {
    CreditLine {
        invoice_line_id: line.id,
        description: line.description.clone(),
        kind: line.kind.clone(),
        net_minor,
        tax_minor: scale(net_minor, line.tax_minor, line.net_minor),
    }
}

/// The reversing entry of a credit memo: deferred revenue for the part of the contract not yet
/// recognised and contra revenue for the part already recognised (`revenue` = (deferred,
/// contra), from the contracts' positions), tax payable; the credit side to AR as far as the
/// invoice is open and to customer credits beyond that.
pub fn credit_memo_entry(
    lines: &[CreditLine],
    revenue: (i64, i64),
    currency: Currency,
    to_invoice: i64,
    to_credit: i64,
) -> AppResult<BalancedEntry> {
    let (deferred, contra) = revenue;
    credit_memo_entry_debits(
        lines,
        &[(DEFERRED_REVENUE, deferred), (CONTRA_REVENUE, contra)],
        currency,
        to_invoice,
        to_credit,
    )
}

/// The reversing entry with the revenue side given as debits per account (deferred revenue and
/// contra revenue for a concession; deferred revenue and unbilled AR for ended service).
pub fn credit_memo_entry_debits(
    lines: &[CreditLine],
    revenue: &[(&'static str, i64)],
    currency: Currency,
    to_invoice: i64,
    to_credit: i64,
) -> AppResult<BalancedEntry> {
    let tax: i64 = lines.iter().map(|line| line.tax_minor).sum();
    let postings = revenue
        .iter()
        .map(|(account, minor)| (*account, Side::Debit, *minor))
        .chain([
            (TAX_PAYABLE, Side::Debit, tax),
            (ACCOUNTS_RECEIVABLE, Side::Credit, to_invoice),
            (CUSTOMER_CREDITS, Side::Credit, to_credit),
        ])
        .filter(|(_, _, minor)| *minor > 0)
        .map(|(account, side, minor)| Posting {
            account_code: account.into(),
            side,
            amount: Money::from_minor(minor, currency),
        })
        .collect();
    BalancedEntry::try_new(postings)
        .map_err(|error| AppError::internal(format!("credit memo posting: {error}")))
}

async fn line_bases<C: ConnectionTrait>(
    connection: &C,
    invoice_id: i64,
) -> AppResult<Vec<LineBasis>> {
    Ok(invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(invoice_id))
        .order_by_asc(invoice_line::Column::Position)
        .all(connection)
        .await?
        .into_iter()
        .map(|line| LineBasis {
            id: line.id,
            description: line.description,
            kind: line.kind,
            net_minor: line.amount_minor,
            tax_minor: line.tax_minor,
        })
        .collect())
}

fn invoice_label(model: &invoice::Model) -> String {
    model
        .number
        .clone()
        .unwrap_or_else(|| format!("draft #{}", model.id))
}

/// How a credit memo reaches revenue recognition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevenueEffect {
    /// A price concession a person asked for: the part still deferred comes off the future
    /// schedule (`revenue::repo::on_credited`), the part already recognised is contra revenue.
    Concession,
    /// Service that ended early (a cancellation): the cancellation already re-planned the
    /// schedule, so the memo only takes back what was billed, as an invoice carrying the credit
    /// would (`revenue::positions::on_billed` with the nets reversed); what revenue ran ahead of
    /// the new price moves to unbilled AR, which the schedule's catch-up reverses. Booking contra
    /// revenue here as well would reverse that revenue twice.
    ServiceEnded,
}

/// The debits a memo's nets make on the revenue side, per account, after telling revenue.
async fn revenue_debits<C: ConnectionTrait>(
    connection: &C,
    effect: RevenueEffect,
    line_nets: &[(i64, i64)],
    on: NaiveDate,
    now: DateTime<Utc>,
    actor_id: Option<i64>,
    reason: &str,
) -> AppResult<Vec<(&'static str, i64)>> {
    Ok(match effect {
        RevenueEffect::Concession => {
            let (deferred, contra) =
                crate::revenue::repo::on_credited(connection, line_nets, on, now, actor_id, reason)
                    .await?;
            vec![(DEFERRED_REVENUE, deferred), (CONTRA_REVENUE, contra)]
        }
        RevenueEffect::ServiceEnded => {
            let reversed: Vec<(i64, i64)> =
                line_nets.iter().map(|(line, net)| (*line, -net)).collect();
            // Signed credits, negative here: their negation is what the memo debits.
            let (deferred, unbilled) =
                crate::revenue::positions::on_billed(connection, &reversed).await?;
            vec![
                (DEFERRED_REVENUE, -deferred),
                (UNBILLED_RECEIVABLE, -unbilled),
            ]
        }
    })
}

/// Issues a decided credit memo in the caller's transaction — the one way a memo is numbered
/// `CM-YYYY-NNNNNN`, posted, applied to the invoice's open amount (the rest kept as customer
/// credit), reported to revenue recognition and e-mailed — for approved requests and for the
/// credits the bill run issues alike.
pub(crate) async fn issue_memo<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    model: &credit_memo::Model,
    effect: RevenueEffect,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let memo_id = model.id;
    let invoice = crate::invoicing::find_model(connection, model.invoice_id).await?;
    let currency = Currency::parse(&invoice.currency)?;
    let creditable = invoice.total_minor - invoice.credited_minor - invoice.written_off_minor;
    if model.total_minor > creditable {
        return Err(AppError::Conflict(format!(
            "{} has only {} left to credit now; reject this request and ask again.",
            invoice_label(&invoice),
            Money::from_minor(creditable, currency)
        )));
    }
    let open = if matches!(invoice.status.as_str(), "issued" | "partially_paid") {
        open_minor(&invoice)
    } else {
        0
    };
    let to_invoice = open.min(model.total_minor);
    let to_credit = model.total_minor - to_invoice;
    let number = next_number(connection, &model.legal_entity, today).await?;
    let lines: Vec<CreditLine> = serde_json::from_str(&model.lines_json)?;
    let line_nets = contract_line_nets(connection, model.invoice_id, &lines).await?;
    let revenue = revenue_debits(
        connection,
        effect,
        &line_nets,
        today,
        now,
        actor.map(|actor| actor.user_id),
        &format!("Credit memo {number}"),
    )
    .await?;
    let entry = credit_memo_entry_debits(&lines, &revenue, currency, to_invoice, to_credit)?;
    let customer = crate::customers::find_model(connection, model.customer_id).await?;
    let posted = ledger::post_entry(
        connection,
        actor,
        now,
        EntryHeader {
            entry_date: today,
            memo: format!(
                "Credit memo {number} on {} to {}",
                invoice_label(&invoice),
                customer.legal_name
            ),
            source: format!("credit-memo:{number}"),
            idempotency_key: None,
        },
        &entry,
        None,
    )
    .await?;
    apply_memo(
        connection,
        model,
        &invoice,
        (to_invoice, to_credit),
        today,
        now,
    )
    .await?;
    let issued = Issued {
        number: &number,
        on: today,
        to_invoice,
        to_credit,
        journal_entry_id: posted.id,
    };
    mark_issued(connection, memo_id, issued).await?;
    let mail = MemoMail {
        number: &number,
        invoice: &invoice,
        customer: &customer,
        to_credit,
    };
    enqueue_memo_mail(connection, model, mail, now).await
}

/// The next gapless number `CM-YYYY-NNNNNN` of the legal entity for the issue date's year, drawn
/// in the caller's transaction.
async fn next_number<C: ConnectionTrait>(
    connection: &C,
    legal_entity: &str,
    on: NaiveDate,
) -> AppResult<String> {
    let year = on.year();
    let sequence = format!("credit-memo:{legal_entity}:{year}");
    Ok(format!(
        "CM-{year}-{:06}",
        sequences::next_value(connection, &sequence).await?
    ))
}

/// What issuing gave a memo.
struct Issued<'a> {
    number: &'a str,
    on: NaiveDate,
    to_invoice: i64,
    to_credit: i64,
    journal_entry_id: i64,
}

/// Records the memo as issued, once: a memo that already has a number is refused.
async fn mark_issued<C: ConnectionTrait>(
    connection: &C,
    memo_id: i64,
    issued: Issued<'_>,
) -> AppResult<()> {
    let settlement = if issued.to_credit > 0 {
        "credit"
    } else {
        "invoice"
    };
    let updated = credit_memo::Entity::update_many()
        .col_expr(credit_memo::Column::Status, Expr::value("approved"))
        .col_expr(credit_memo::Column::Number, Expr::value(issued.number))
        .col_expr(credit_memo::Column::IssueDate, Expr::value(issued.on))
        .col_expr(
            credit_memo::Column::ToInvoiceMinor,
            Expr::value(issued.to_invoice),
        )
        .col_expr(
            credit_memo::Column::ToCreditMinor,
            Expr::value(issued.to_credit),
        )
        .col_expr(credit_memo::Column::Settlement, Expr::value(settlement))
        .col_expr(
            credit_memo::Column::JournalEntryId,
            Expr::value(issued.journal_entry_id),
        )
        .filter(credit_memo::Column::Id.eq(memo_id))
        .filter(credit_memo::Column::Number.is_null())
        .exec(connection)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(
            "This credit memo was already issued.".into(),
        ));
    }
    Ok(())
}

/// The contract line and net of each credited invoice line (what revenue recognition reads).
async fn contract_line_nets<C: ConnectionTrait>(
    connection: &C,
    invoice_id: i64,
    lines: &[CreditLine],
) -> AppResult<Vec<(i64, i64)>> {
    let contract_lines: std::collections::HashMap<i64, i64> = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(invoice_id))
        .all(connection)
        .await?
        .into_iter()
        .map(|line| (line.id, line.contract_line_id))
        .collect();
    Ok(lines
        .iter()
        .filter_map(|line| {
            contract_lines
                .get(&line.invoice_line_id)
                .map(|contract_line| (*contract_line, line.net_minor))
        })
        .collect())
}

/// Credited on the invoice is the whole memo (it caps later credits); only the part still open
/// reduces AR, the rest is customer credit.
async fn apply_memo<C: ConnectionTrait>(
    connection: &C,
    model: &credit_memo::Model,
    invoice: &invoice::Model,
    (to_invoice, to_credit): (i64, i64),
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let currency = Currency::parse(&invoice.currency)?;
    if to_invoice > 0 {
        repo::settle(
            connection,
            invoice.id,
            Settlement::Credited,
            MovementKind::CreditMemo,
            Money::from_minor(to_invoice, currency),
            today,
            Some(model.id),
            now,
        )
        .await?;
    }
    if to_credit > 0 {
        invoice::Entity::update_many()
            .col_expr(
                invoice::Column::CreditedMinor,
                Expr::col(invoice::Column::CreditedMinor).add(to_credit),
            )
            .filter(invoice::Column::Id.eq(invoice.id))
            .exec(connection)
            .await?;
        super::payments::add_credit(
            connection,
            model.customer_id,
            "credit_memo",
            model.id,
            Money::from_minor(to_credit, currency),
            today,
            now,
        )
        .await?;
    }
    Ok(())
}

struct MemoMail<'a> {
    number: &'a str,
    invoice: &'a invoice::Model,
    customer: &'a crate::entities::customer::Model,
    to_credit: i64,
}

/// The customer's e-mail with the memo's PDF, once per memo (the outbox's dedupe key).
async fn enqueue_memo_mail<C: ConnectionTrait>(
    connection: &C,
    model: &credit_memo::Model,
    mail: MemoMail<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let currency = Currency::parse(&model.currency)?;
    let number = mail.number;
    notifications::enqueue(
        connection,
        now,
        NewMessage {
            kind: "credit_memo_email",
            dedupe_key: format!("credit-memo-email:{}", model.id),
            recipient: super::collections::contact_email(mail.customer),
            subject: format!("Credit memo {number} from {}", model.legal_entity),
            body: format!(
                "Hello,\n\nPlease find attached credit memo {number} for {} {} on invoice {}.\n{}\nThank you.\n",
                Money::from_minor(model.total_minor, currency).amount_string(),
                currency.code(),
                invoice_label(mail.invoice),
                if mail.to_credit > 0 {
                    format!(
                        "{} {} is held as credit on your account.\n",
                        Money::from_minor(mail.to_credit, currency).amount_string(),
                        currency.code()
                    )
                } else {
                    String::new()
                }
            ),
            attachment: Some((CREDIT_MEMO_PDF, model.id)),
        },
    )
    .await?;
    Ok(())
}

impl ReceivablesService {
    /// The credit memo PDF for a reader allowed to see it.
    pub async fn credit_memo_pdf(&self, actor: &Actor, id: i64) -> AppResult<Attachment> {
        self.credit_memo(actor, id).await?;
        pdf_attachment(&self.db, id).await
    }

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
    pub(super) async fn request_credit_memo_in<C: ConnectionTrait>(
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
        super::check_visible_on(connection, actor, invoice.customer_id).await?;
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

    pub async fn credit_memo(&self, actor: &Actor, id: i64) -> AppResult<CreditMemo> {
        actor.require(Permission::ReceivablesRead)?;
        let model = credit_memo::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found(format!("There is no credit memo with id {id}.")))?;
        self.check_customer_visible(actor, model.customer_id)
            .await?;
        memo_from_model(model)
    }

    pub async fn credit_memos(
        &self,
        actor: &Actor,
        invoice_id: Option<i64>,
        customer_id: Option<i64>,
        status: Option<DocumentStatus>,
        page: PageRequest,
    ) -> AppResult<Page<CreditMemo>> {
        actor.require(Permission::ReceivablesRead)?;
        let mut query = credit_memo::Entity::find();
        if let Some(id) = invoice_id {
            query = query.filter(credit_memo::Column::InvoiceId.eq(id));
        }
        if let Some(id) = customer_id {
            query = query.filter(credit_memo::Column::CustomerId.eq(id));
        }
        if let Some(status) = status {
            query = query.filter(credit_memo::Column::Status.eq(status.as_str()));
        }
        if let Some(own) = super::own_customers(actor) {
            query = query.filter(credit_memo::Column::CustomerId.in_subquery(own));
        }
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_desc(credit_memo::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Page::new(rows, page, total).try_map(memo_from_model)
    }

    pub async fn request_write_off(
        &self,
        actor: &Actor,
        input: WriteOffRequestInput,
    ) -> AppResult<WriteOff> {
        actor.require(Permission::WriteOffRequest)?;
        let invoice_id = parse_id("invoiceId", &input.invoice_id)?;
        let reason = require_text("reason", &input.reason, 2000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let invoice = crate::invoicing::find_model(&transaction, invoice_id).await?;
        let label = invoice_label(&invoice);
        let currency = Currency::parse(&invoice.currency)?;
        let amount = write_off_amount(&invoice, input.amount.as_deref(), &label, currency)?;
        let model = write_off::ActiveModel {
            invoice_id: Set(invoice_id),
            customer_id: Set(invoice.customer_id),
            currency: Set(invoice.currency.clone()),
            amount_minor: Set(amount.minor()),
            reason: Set(reason.clone()),
            status: Set("requested".into()),
            requested_by: Set(actor.user_id),
            requested_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let approval = approvals::open_request(
            &transaction,
            actor,
            ApprovalKind::WriteOff,
            invoice.customer_id,
            format!("invoice:{invoice_id}"),
            &reason,
            serde_json::to_string(&DocumentPayload {
                document_id: model.id,
                invoice_id,
                invoice_number: label.clone(),
                currency: invoice.currency.clone(),
                amount_minor: amount.minor(),
            })?,
            now,
        )
        .await
        .map_err(|error| match error {
            AppError::Conflict(_) => AppError::Conflict(format!(
                "{label} already has a write-off waiting for approval."
            )),
            other => other,
        })?;
        write_off::Entity::update_many()
            .col_expr(write_off::Column::ApprovalId, Expr::value(approval.id))
            .filter(write_off::Column::Id.eq(model.id))
            .exec(&transaction)
            .await?;
        let created = write_off_from_model(
            write_off::Entity::find_by_id(model.id)
                .one(&transaction)
                .await?
                .ok_or_else(|| AppError::internal("write-off vanished"))?,
        )?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "write_off.request",
                entity_type: "write_off",
                entity_id: created.id.to_string(),
                before: None,
                after: Some(&created),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(created)
    }

    /// Approves (Dr bad-debt expense · Cr AR) or rejects a requested write-off.
    pub async fn decide_write_off(
        &self,
        actor: &Actor,
        input: DocumentDecideInput,
    ) -> AppResult<WriteOff> {
        actor.require(Permission::WriteOffApprove)?;
        let approval_id = parse_id("approvalId", &input.approval_id)?;
        let comment = require_text("comment", &input.comment, 1000)?;
        let now = self.clock.now();
        let today = self.clock.today();
        let transaction = self.db.begin().await?;
        let (request, status) = approvals::close_request(
            &transaction,
            actor,
            approval_id,
            ApprovalKind::WriteOff,
            input.decision,
            &comment,
            now,
        )
        .await?;
        let id = request
            .document
            .as_ref()
            .map(|document| document.document_id)
            .ok_or_else(|| AppError::internal("write-off approval without its write-off"))?;
        let model = write_off::Entity::find_by_id(id)
            .one(&transaction)
            .await?
            .ok_or_else(|| AppError::internal("write-off vanished"))?;
        let before = write_off_from_model(model.clone())?;
        let mut update = write_off::Entity::update_many()
            .col_expr(write_off::Column::DecidedBy, Expr::value(actor.user_id))
            .col_expr(write_off::Column::DecidedAt, Expr::value(now))
            .col_expr(write_off::Column::Comment, Expr::value(comment));
        if status == approvals::ApprovalStatus::Approved {
            let entry_id =
                post_write_off(&transaction, actor, &model, before.amount, today, now).await?;
            update = update
                .col_expr(write_off::Column::Status, Expr::value("approved"))
                .col_expr(write_off::Column::WrittenOffOn, Expr::value(today))
                .col_expr(write_off::Column::JournalEntryId, Expr::value(entry_id));
        } else {
            update = update.col_expr(write_off::Column::Status, Expr::value("rejected"));
        }
        decision::claim(
            &transaction,
            update,
            write_off::Column::Id,
            id,
            write_off::Column::Status,
            "requested",
            "This write-off was already decided.",
        )
        .await?;
        let after = write_off_from_model(
            write_off::Entity::find_by_id(id)
                .one(&transaction)
                .await?
                .ok_or_else(|| AppError::internal("write-off vanished"))?,
        )?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: if status == approvals::ApprovalStatus::Approved {
                    "write_off.approve"
                } else {
                    "write_off.reject"
                },
                entity_type: "write_off",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        if status == approvals::ApprovalStatus::Approved {
            emit_write_off_approved(&transaction, now, &after).await?;
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

/// The `write_off.approved` webhook event, in the approving transaction.
async fn emit_write_off_approved<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    write_off: &WriteOff,
) -> AppResult<()> {
    crate::webhooks::emit(
        connection,
        now,
        crate::webhooks::EventType::WriteOffApproved,
        serde_json::json!({
            "writeOffId": write_off.id,
            "invoiceId": write_off.invoice_id,
            "customerId": write_off.customer_id,
            "amount": write_off.amount,
            "reason": write_off.reason,
            "writtenOffOn": write_off.written_off_on,
        }),
    )
    .await
}

/// The outbox attachment kind of a credit memo e-mail's PDF.
pub const CREDIT_MEMO_PDF: &str = "credit_memo_pdf";

/// Renders `CREDIT_MEMO_PDF` attachments for the outbox sender.
pub struct CreditMemoPdf;

#[async_trait::async_trait]
impl crate::notifications::attachments::AttachmentRenderer for CreditMemoPdf {
    async fn render(&self, db: &DatabaseConnection, id: i64) -> AppResult<Vec<Attachment>> {
        Ok(vec![pdf_attachment(db, id).await?])
    }
}

/// The credit memo PDF: the invoice's layout titled CREDIT MEMO with the credited lines.
pub async fn pdf_attachment(db: &DatabaseConnection, memo_id: i64) -> AppResult<Attachment> {
    let memo = memo_from_model(
        credit_memo::Entity::find_by_id(memo_id)
            .one(db)
            .await?
            .ok_or_else(|| {
                AppError::not_found(format!("There is no credit memo with id {memo_id}."))
            })?,
    )?;
    let invoice = crate::invoicing::invoice_from_model(
        crate::invoicing::find_model(db, memo.invoice_id).await?,
    )?;
    let (mut document, invoice_lines) = crate::invoicing::invoice_document(db, &invoice).await?;
    let currency = memo.total.currency();
    let code = currency.code();
    let number = memo
        .number
        .clone()
        .unwrap_or_else(|| format!("CM-REQUEST-{}", memo.id));
    let invoice_number = document.number.clone();
    document.title = if memo.number.is_some() {
        "CREDIT MEMO".into()
    } else {
        "CREDIT MEMO — NOT APPROVED".into()
    };
    document.number = number.clone();
    document.labels = crate::invoicing::pdf::Labels::credit_memo();
    document.payment_terms = "—".into();
    document.issue_date = memo
        .issue_date
        .map(|date| date.to_string())
        .unwrap_or_else(|| "pending approval".into());
    document.due_date = invoice_number.clone();
    document.lines = memo
        .lines
        .iter()
        .map(|line| {
            let source = invoice_lines
                .iter()
                .find(|source| source.id == line.invoice_line_id);
            crate::invoicing::pdf::DocumentLine {
                description: line.description.clone(),
                period: source
                    .and_then(|source| source.period_start.zip(source.period_end))
                    .map(|(start, end)| format!("{start} – {end}")),
                quantity: "1".into(),
                unit_price: format!(
                    "-{}",
                    Money::from_minor(line.net_minor, currency).amount_string()
                ),
                amount: format!(
                    "-{}",
                    Money::from_minor(line.net_minor, currency).amount_string()
                ),
                tax_label: source
                    .map(|source| source.tax_label.clone())
                    .unwrap_or_default(),
                tax_amount: format!(
                    "-{}",
                    Money::from_minor(line.tax_minor, currency).amount_string()
                ),
                note: None,
            }
        })
        .collect();
    document.subtotal = format!("-{} {code}", memo.subtotal.amount_string());
    document.tax_total = format!("-{} {code}", memo.tax.amount_string());
    document.total = format!("-{} {code}", memo.total.amount_string());
    document.payment_instructions = vec![
        format!("Reason: {}", memo.reason),
        if memo.to_credit.minor() > 0 {
            format!(
                "{} {code} reduces {invoice_number}; {} {code} is held as credit on your account.",
                memo.to_invoice.amount_string(),
                memo.to_credit.amount_string()
            )
        } else {
            format!("This credit reduces the amount due on {invoice_number}.")
        },
    ];
    Ok(Attachment {
        filename: format!("{number}.pdf"),
        content_type: "application/pdf".into(),
        bytes: crate::invoicing::pdf::render(&document),
    })
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
            spread_gross(gross, &bases)?
        }
        (None, Some(inputs)) if !inputs.is_empty() => {
            let credited =
                super::charge_credits::credited_by_invoice_line(connection, [invoice.id]).await?;
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

/// What a write-off takes: the amount asked (all that is open when none), more than zero and at
/// most what the issued invoice has open.
fn write_off_amount(
    invoice: &invoice::Model,
    asked: Option<&str>,
    label: &str,
    currency: Currency,
) -> AppResult<Money> {
    let open = if matches!(invoice.status.as_str(), "issued" | "partially_paid") {
        open_minor(invoice)
    } else {
        0
    };
    if open == 0 {
        return Err(AppError::validation(
            "invoiceId",
            format!("{label} has nothing open to write off."),
        ));
    }
    let amount = match asked {
        Some(text) => Money::parse(text, currency)
            .map_err(|error| AppError::validation("amount", error.to_string()))?,
        None => Money::from_minor(open, currency),
    };
    if amount.minor() <= 0 || amount.minor() > open {
        return Err(AppError::validation(
            "amount",
            format!(
                "Write off more than zero and at most the {} open.",
                Money::from_minor(open, currency)
            ),
        ));
    }
    Ok(amount)
}

/// Settles the approved write-off on its invoice and posts it: Dr bad-debt expense · Cr AR.
/// Returns the journal entry's id.
async fn post_write_off(
    transaction: &DatabaseTransaction,
    actor: &Actor,
    model: &write_off::Model,
    amount: Money,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let invoice = repo::settle(
        transaction,
        model.invoice_id,
        Settlement::WrittenOff,
        MovementKind::WriteOff,
        amount,
        today,
        Some(model.id),
        now,
    )
    .await?;
    let entry = BalancedEntry::try_new(vec![
        Posting {
            account_code: BAD_DEBT_EXPENSE.into(),
            side: Side::Debit,
            amount,
        },
        Posting {
            account_code: ACCOUNTS_RECEIVABLE.into(),
            side: Side::Credit,
            amount,
        },
    ])
    .map_err(|error| AppError::internal(format!("write-off posting: {error}")))?;
    let posted = ledger::post_entry(
        transaction,
        Some(actor),
        now,
        EntryHeader {
            entry_date: today,
            memo: format!("Bad debt: {} written off", invoice_label(&invoice)),
            source: format!("write-off:{}", model.id),
            idempotency_key: None,
        },
        &entry,
        None,
    )
    .await?;
    Ok(posted.id)
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn lines() -> Vec<LineBasis> {
        vec![
            LineBasis {
                id: 1,
                description: "Subscription".into(),
                kind: "subscription".into(),
                net_minor: 1000_00,
                tax_minor: 72_50,
            },
            LineBasis {
                id: 2,
                description: "Services".into(),
                kind: "milestone".into(),
                net_minor: 500_00,
                tax_minor: 0,
            },
        ]
    }

    #[test]
    fn a_gross_credit_spreads_over_lines_and_keeps_each_lines_tax_rate() {
        let spread = spread_gross(Money::from_minor(157_25, usd()), &lines()).unwrap();
        let total: i64 = spread
            .iter()
            .map(|line| line.net_minor + line.tax_minor)
            .sum();
        assert_eq!(total, 157_25);
        assert_eq!(spread[0].net_minor + spread[0].tax_minor, 107_25);
        assert_eq!(spread[0].tax_minor, 7_25);
        assert_eq!(spread[1].tax_minor, 0);
    }

    #[test]
    fn the_posting_reverses_deferred_contra_and_tax_and_balances() {
        let spread = spread_gross(Money::from_minor(157_25, usd()), &lines()).unwrap();
        let entry = credit_memo_entry(&spread, (100_00, 50_00), usd(), 100_00, 57_25).unwrap();
        let account = |code: &str| {
            entry
                .postings()
                .iter()
                .find(|posting| posting.account_code == code)
                .map(|posting| posting.amount.minor())
        };
        assert_eq!(account(DEFERRED_REVENUE), Some(100_00));
        assert_eq!(account(CONTRA_REVENUE), Some(50_00));
        assert_eq!(account(TAX_PAYABLE), Some(7_25));
        assert_eq!(account(ACCOUNTS_RECEIVABLE), Some(100_00));
        assert_eq!(account(CUSTOMER_CREDITS), Some(57_25));
    }

    proptest::proptest! {
        /// However credits are asked for, what is granted by the rule "at most billed less
        /// earlier credits" never exceeds what was billed, and each credit's lines add up to it.
        #[test]
        fn credits_never_exceed_what_was_billed(
            line_amounts in proptest::collection::vec((1i64..500_000, 0i64..50_000), 1..6),
            requests in proptest::collection::vec(1i64..400_000, 1..12),
        ) {
            let lines: Vec<LineBasis> = line_amounts
                .iter()
                .enumerate()
                .map(|(index, (net, tax))| LineBasis {
                    id: index as i64,
                    description: String::new(),
                    kind: if index % 2 == 0 { "subscription".into() } else { "usage".into() },
                    net_minor: *net,
                    tax_minor: *tax,
                })
                .collect();
            let billed: i64 = line_amounts.iter().map(|(net, tax)| net + tax).sum();
            let mut credited = 0;
            for gross in requests {
                let spread = spread_gross(Money::from_minor(gross, usd()), &lines).unwrap();
                let total: i64 = spread.iter().map(|line| line.net_minor + line.tax_minor).sum();
                proptest::prop_assert_eq!(total, gross);
                if total <= billed - credited {
                    credited += total;
                    let net: i64 = spread.iter().map(|line| line.net_minor).sum();
                    let entry = credit_memo_entry(&spread, (net, 0), usd(), total, 0).unwrap();
                    let debits: i64 = entry.postings().iter().filter(|posting| posting.side == Side::Debit).map(|posting| posting.amount.minor()).sum();
                    proptest::prop_assert_eq!(debits, total);
                }
                proptest::prop_assert!(credited <= billed);
            }
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(scale(1, 1, 2), 1);
        assert_eq!(scale(-1, 1, 2), -1);
        assert_eq!(scale(10, 1, 3), 3);
    }
}
