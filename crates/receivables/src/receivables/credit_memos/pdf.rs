//! The credit memo's PDF: for a reader in the app and as the attachment the outbox sends.

use super::memo_from_model;
use crate::access::Actor;
use crate::entities::credit_memo;
use crate::error::{AppError, AppResult};
use crate::money::Money;
use crate::notifications::mail::Attachment;
use crate::receivables::ReceivablesService;
use sea_orm::{DatabaseConnection, EntityTrait};

impl ReceivablesService {
    /// The credit memo PDF for a reader allowed to see it.
    pub async fn credit_memo_pdf(&self, actor: &Actor, id: i64) -> AppResult<Attachment> {
        self.credit_memo(actor, id).await?;
        pdf_attachment(&self.db, id).await
    }
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
                    Money::from_minor(line.net_minor, currency).grouped_amount()
                ),
                amount: format!(
                    "-{}",
                    Money::from_minor(line.net_minor, currency).grouped_amount()
                ),
                tax_label: source
                    .map(|source| source.tax_label.clone())
                    .unwrap_or_default(),
                tax_amount: format!(
                    "-{}",
                    Money::from_minor(line.tax_minor, currency).grouped_amount()
                ),
                note: None,
            }
        })
        .collect();
    document.subtotal = format!("{code} -{}", memo.subtotal.grouped_amount());
    document.tax_total = format!("{code} -{}", memo.tax.grouped_amount());
    document.total = format!("{code} -{}", memo.total.grouped_amount());
    document.payment_instructions = vec![
        format!("Reason: {}", memo.reason),
        if memo.to_credit.minor() > 0 {
            format!(
                "{} reduces {invoice_number}; {} is held as credit on your account.",
                memo.to_invoice, memo.to_credit
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
