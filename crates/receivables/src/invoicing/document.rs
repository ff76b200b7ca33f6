//! An invoice's printed document: what its PDF prints, the PDF for a reader and for the outbox
//! sender, and the `INVOICE_PDF` attachment renderer.

use super::*;
use crate::access::Actor;
use crate::notifications::mail::Attachment;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

impl InvoiceService {
    /// The invoice PDF for a reader allowed to see the invoice.
    pub async fn pdf(&self, actor: &Actor, id: i64) -> AppResult<Attachment> {
        let invoice = self.get(actor, id).await?;
        render_pdf(&self.db, &invoice).await
    }
}

fn address_lines(address: &Address) -> Vec<String> {
    let mut lines = vec![address.line1.clone()];
    if let Some(line2) = &address.line2 {
        lines.push(line2.clone());
    }
    let region = address
        .region
        .clone()
        .map(|region| format!(" {region}"))
        .unwrap_or_default();
    lines.push(format!("{}{region} {}", address.city, address.postal_code));
    lines.push(address.country.clone());
    lines
}

/// Renders an invoice's PDF from its stored (immutable once issued) rows.
pub async fn render_pdf(db: &DatabaseConnection, invoice: &Invoice) -> AppResult<Attachment> {
    let (document, _) = invoice_document(db, invoice).await?;
    Ok(Attachment {
        filename: format!("{}.pdf", document.number),
        content_type: "application/pdf".into(),
        bytes: pdf::render(&document),
    })
}

/// What an invoice's PDF prints, with its lines (credit memos start from it).
pub async fn invoice_document(
    db: &DatabaseConnection,
    invoice: &Invoice,
) -> AppResult<(pdf::InvoiceDocument, Vec<InvoiceLine>)> {
    let lines = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(invoice.id))
        .order_by_asc(invoice_line::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|line| line_from_model(line, invoice.total.currency()))
        .collect::<AppResult<Vec<_>>>()?;
    let customer = crate::customers::find_model(db, invoice.customer_id).await?;
    let billing_address: Address =
        serde_json::from_str(&customer.billing_address_json).map_err(AppError::internal)?;
    let entity = legal_entity::Entity::find()
        .filter(legal_entity::Column::Name.eq(invoice.legal_entity.clone()))
        .one(db)
        .await?
        .map(entity_from_model)
        .transpose()?;
    let code = invoice.total.currency().code();
    let amount = |money: Money| money.to_string();
    let number = invoice
        .number
        .clone()
        .unwrap_or_else(|| format!("DRAFT-{}", invoice.id));
    let document = pdf::InvoiceDocument {
        title: match invoice.status {
            InvoiceStatus::Void => "INVOICE — VOID".into(),
            InvoiceStatus::Draft => "DRAFT INVOICE".into(),
            _ => "INVOICE".into(),
        },
        number: number.clone(),
        issue_date: invoice
            .issue_date
            .unwrap_or(invoice.invoice_date)
            .to_string(),
        due_date: invoice
            .due_date
            .map(|date| date.to_string())
            .unwrap_or_else(|| "on issue".into()),
        payment_terms: crate::values::capitalise(invoice.payment_terms.label()),
        currency: code.to_string(),
        seller: pdf::Party {
            name: invoice.legal_entity.clone(),
            address_lines: entity
                .as_ref()
                .map(|entity| address_lines(&entity.address))
                .unwrap_or_default(),
            tax_id: entity.as_ref().and_then(|entity| entity.tax_id.clone()),
        },
        bill_to: pdf::Party {
            name: customer.legal_name.clone(),
            address_lines: address_lines(&billing_address),
            tax_id: customer.tax_registration_number.clone(),
        },
        remit_to: entity
            .as_ref()
            .map(|entity| entity.remit_to.clone())
            .unwrap_or_else(|| vec![invoice.legal_entity.clone()]),
        po_number: invoice.po_number.clone(),
        tax_exemption_certificate: invoice.tax_exemption_certificate.clone(),
        lines: lines
            .iter()
            .map(|line| pdf::DocumentLine {
                description: line.description.clone(),
                period: line
                    .period_start
                    .zip(line.period_end)
                    .map(|(start, end)| format!("{start} – {end}")),
                quantity: line.quantity.clone(),
                unit_price: line.unit_price.grouped_amount(),
                amount: line.amount.grouped_amount(),
                tax_label: line.tax_label.clone(),
                tax_amount: line.tax.grouped_amount(),
                note: line.note.clone(),
            })
            .collect(),
        subtotal: amount(invoice.subtotal),
        tax_total: amount(invoice.tax),
        total: amount(invoice.total),
        payment_instructions: entity
            .as_ref()
            .map(|entity| {
                entity
                    .payment_instructions
                    .lines()
                    .map(str::to_string)
                    .chain([format!("Please quote {number} with your payment.")])
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("Please quote {number} with your payment.")]),
        labels: pdf::Labels::invoice(),
    };
    Ok((document, lines))
}

/// The outbox attachment kind of an invoice e-mail's PDF.
pub const INVOICE_PDF: &str = "invoice_pdf";

/// The PDF attachment of an invoice e-mail (the outbox sender calls this at send time).
pub async fn pdf_attachment(db: &DatabaseConnection, invoice_id: i64) -> AppResult<Attachment> {
    let invoice = invoice_from_model(find_model(db, invoice_id).await?)?;
    render_pdf(db, &invoice).await
}

/// Renders `INVOICE_PDF` attachments for the outbox sender.
pub struct InvoicePdf;

#[async_trait::async_trait]
impl crate::notifications::attachments::AttachmentRenderer for InvoicePdf {
    async fn render(&self, db: &DatabaseConnection, id: i64) -> AppResult<Vec<Attachment>> {
        Ok(vec![pdf_attachment(db, id).await?])
    }
}
