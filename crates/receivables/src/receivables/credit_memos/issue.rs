//! Issuing a decided credit memo: numbering, posting, applying it to the invoice (the rest kept
//! as customer credit), telling revenue recognition and e-mailing the customer.

use super::{credit_memo_entry_debits, invoice_label, CreditLine, CREDIT_MEMO_PDF};
use crate::access::Actor;
use crate::entities::{credit_memo, invoice, invoice_line};
use crate::error::{AppError, AppResult};
use crate::ledger::chart::{CONTRA_REVENUE, DEFERRED_REVENUE, UNBILLED_RECEIVABLE};
use crate::ledger::{self, EntryHeader};
use crate::money::{Currency, Money};
use crate::notifications::{self, NewMessage};
use crate::receivables::repo::{self, open_minor, MovementKind, Settlement};
use crate::sequences;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

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

/// No invoice line is credited past what it billed, counting every other memo approved on the
/// invoice: a request checked against the credits of its day may meet, at approval, a credit the
/// bill run issued since (a cancellation) — then it is refused and asked again, not over-credited.
async fn check_line_caps<C: ConnectionTrait>(
    connection: &C,
    model: &credit_memo::Model,
    invoice: &invoice::Model,
    lines: &[CreditLine],
    currency: Currency,
) -> AppResult<()> {
    let bases = super::lines::line_bases(connection, invoice.id).await?;
    let mut credited = std::collections::HashMap::new();
    for other in credit_memo::Entity::find()
        .filter(credit_memo::Column::Status.eq("approved"))
        .filter(credit_memo::Column::InvoiceId.eq(invoice.id))
        .filter(credit_memo::Column::Id.ne(model.id))
        .all(connection)
        .await?
    {
        for line in serde_json::from_str::<Vec<CreditLine>>(&other.lines_json)? {
            *credited.entry(line.invoice_line_id).or_insert(0) += line.net_minor;
        }
    }
    match super::lines::over_line_cap(&bases, &credited, lines) {
        Some((line, left)) => Err(AppError::Conflict(format!(
            "{}'s line \"{}\" has only {} left to credit now (billed {}); reject this request and ask again.",
            invoice_label(invoice),
            line.description,
            Money::from_minor(left, currency),
            Money::from_minor(line.net_minor, currency)
        ))),
        None => Ok(()),
    }
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
    check_line_caps(connection, model, &invoice, &lines, currency).await?;
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
        crate::receivables::payments::add_credit(
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
            recipient: crate::receivables::collections::contact_email(mail.customer),
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
