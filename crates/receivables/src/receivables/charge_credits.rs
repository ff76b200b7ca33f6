//! Credits the bill run cannot net against an invoice — a cancellation's unused prepaid time
//! with no later invoice to absorb it — issued at once as credit memos against the invoice(s)
//! that billed the period, through the same issuing code as approved memos.
//!
//! No maker-checker approval: the cancellation itself was the authorised act (recorded by a
//! person holding the contract-change permission, audited then); these memos only carry out the
//! credit that cancellation decided, capped at what is still billed and uncredited on the line.

use super::credit_memos::{issue_memo, line_credit, CreditLine, LineBasis, RevenueEffect};
use crate::access::Actor;
use crate::audit::{self, AuditRecord};
use crate::entities::{billing_charge, credit_memo, invoice, invoice_line};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::HashMap;

/// A credit charge to issue as credit memos.
pub struct ChargeCredit<'a> {
    pub charge: &'a billing_charge::Model,
    /// Who authorised it: the person who recorded the cancellation.
    pub requested_by: i64,
    /// The business date of the bill run: the memos' issue date.
    pub on: NaiveDate,
}

/// What became of a credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Issued as these credit memos (ids).
    Issued(Vec<i64>),
    /// No issued invoice bills its period yet: the credit waits for one.
    Waiting,
    /// Another run issued it first (the unique key refused a second memo); roll back.
    Raced,
}

/// An invoice line the credit can go against, with what it still has uncredited.
struct Target {
    invoice: invoice::Model,
    basis: LineBasis,
    remaining_minor: i64,
}

/// Net credited so far on each invoice line by approved credit memos of these invoices.
pub async fn credited_by_invoice_line<C: ConnectionTrait>(
    connection: &C,
    invoice_ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, i64>> {
    let mut credited = HashMap::new();
    for memo in credit_memo::Entity::find()
        .filter(credit_memo::Column::Status.eq("approved"))
        .filter(credit_memo::Column::InvoiceId.is_in(invoice_ids))
        .all(connection)
        .await?
    {
        let lines: Vec<CreditLine> = serde_json::from_str(&memo.lines_json)?;
        for line in lines {
            *credited.entry(line.invoice_line_id).or_insert(0) += line.net_minor;
        }
    }
    Ok(credited)
}

/// The issued invoice lines that billed the charge's line for its period (the same period end),
/// newest first, with what each still has uncredited.
async fn targets<C: ConnectionTrait>(
    connection: &C,
    charge: &billing_charge::Model,
) -> AppResult<Vec<Target>> {
    let Some(period_end) = charge.period_end else {
        return Ok(Vec::new());
    };
    let lines = invoice_line::Entity::find()
        .filter(invoice_line::Column::ContractLineId.eq(charge.contract_line_id))
        .filter(invoice_line::Column::PeriodEnd.eq(period_end))
        .filter(invoice_line::Column::ActiveChargeId.is_not_null())
        .filter(invoice_line::Column::AmountMinor.gt(0))
        .order_by_desc(invoice_line::Column::Id)
        .all(connection)
        .await?;
    let invoices: HashMap<i64, invoice::Model> = invoice::Entity::find()
        .filter(invoice::Column::Id.is_in(lines.iter().map(|line| line.invoice_id)))
        .filter(invoice::Column::Status.is_in(["issued", "partially_paid", "paid"]))
        .all(connection)
        .await?
        .into_iter()
        .map(|invoice| (invoice.id, invoice))
        .collect();
    let credited = credited_by_invoice_line(connection, invoices.keys().copied()).await?;
    Ok(lines
        .into_iter()
        .filter_map(|line| {
            let invoice = invoices.get(&line.invoice_id)?.clone();
            let remaining_minor = line.amount_minor - credited.get(&line.id).copied().unwrap_or(0);
            Some(Target {
                invoice,
                remaining_minor,
                basis: LineBasis {
                    id: line.id,
                    description: line.description,
                    kind: line.kind,
                    net_minor: line.amount_minor,
                    tax_minor: line.tax_minor,
                },
            })
        })
        .collect())
}

/// Spreads a credit of `credit_minor` (net, positive) over the targets newest first, each up to
/// what it has left; returns the credited lines per invoice, in target order.
fn spread_over(targets: Vec<Target>, credit_minor: i64) -> Vec<(invoice::Model, Vec<CreditLine>)> {
    let mut left = credit_minor;
    let mut per_invoice: Vec<(invoice::Model, Vec<CreditLine>)> = Vec::new();
    for target in targets {
        let net = left.min(target.remaining_minor);
        if net <= 0 {
            continue;
        }
        left -= net;
        let line = line_credit(&target.basis, net);
        match per_invoice
            .iter_mut()
            .find(|(invoice, _)| invoice.id == target.invoice.id)
        {
            Some((_, lines)) => lines.push(line),
            None => per_invoice.push((target.invoice, vec![line])),
        }
    }
    per_invoice
}

/// Issues the credit as credit memos in the caller's transaction (a savepoint the caller rolls
/// back unless the outcome is `Issued`). The unique key (charge, invoice) refuses a second memo
/// for the same credit: the outcome is then `Raced`.
pub async fn issue_for_charge<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    credit: ChargeCredit<'_>,
    now: DateTime<Utc>,
) -> AppResult<Outcome> {
    let charge = credit.charge;
    let found = targets(connection, charge).await?;
    let mut issued = Vec::new();
    for (invoice, lines) in spread_over(found, -charge.amount_minor) {
        let Some(model) = insert_memo(connection, &invoice, &lines, &credit, now).await? else {
            return Ok(Outcome::Raced);
        };
        issue_memo(
            connection,
            actor,
            &model,
            RevenueEffect::ServiceEnded,
            credit.on,
            now,
        )
        .await?;
        let after = credit_memo::Entity::find_by_id(model.id)
            .one(connection)
            .await?
            .ok_or_else(|| AppError::internal("credit memo vanished"))?;
        audit::record(
            connection,
            actor,
            now,
            AuditRecord::<(), _> {
                action: "credit_memo.issue_for_cancellation",
                entity_type: "credit_memo",
                entity_id: model.id.to_string(),
                before: None,
                after: Some(&serde_json::json!({
                    "number": after.number,
                    "invoiceId": after.invoice_id,
                    "billingChargeId": after.billing_charge_id,
                    "total": after.total_minor,
                    "toInvoice": after.to_invoice_minor,
                    "toCredit": after.to_credit_minor,
                    "currency": after.currency,
                    "reason": after.reason,
                })),
            },
        )
        .await?;
        issued.push(model.id);
    }
    Ok(if issued.is_empty() {
        Outcome::Waiting
    } else {
        Outcome::Issued(issued)
    })
}

/// The memo row, not yet numbered; `None` when the unique key says another run wrote it.
async fn insert_memo<C: ConnectionTrait>(
    connection: &C,
    invoice: &invoice::Model,
    lines: &[CreditLine],
    credit: &ChargeCredit<'_>,
    now: DateTime<Utc>,
) -> AppResult<Option<credit_memo::Model>> {
    let subtotal: i64 = lines.iter().map(|line| line.net_minor).sum();
    let tax: i64 = lines.iter().map(|line| line.tax_minor).sum();
    let charge = credit.charge;
    let reason = match &charge.proration_note {
        Some(note) => format!("{} — {note}", charge.description),
        None => charge.description.clone(),
    };
    let row = credit_memo::ActiveModel {
        number: Set(None),
        legal_entity: Set(invoice.legal_entity.clone()),
        invoice_id: Set(invoice.id),
        customer_id: Set(invoice.customer_id),
        currency: Set(invoice.currency.clone()),
        status: Set("requested".into()),
        reason: Set(reason),
        subtotal_minor: Set(subtotal),
        tax_minor: Set(tax),
        total_minor: Set(subtotal + tax),
        lines_json: Set(serde_json::to_string(lines)?),
        settlement: Set("pending".into()),
        requested_by: Set(credit.requested_by),
        requested_at: Set(now),
        decided_at: Set(Some(now)),
        comment: Set(Some(
            "Issued by the bill run for a cancellation; the cancellation was the approved act."
                .into(),
        )),
        billing_charge_id: Set(Some(charge.id)),
        ..Default::default()
    };
    let inserted = match credit_memo::Entity::insert(row).exec(connection).await {
        Ok(inserted) => inserted,
        Err(error) => {
            return match error.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Ok(None),
                _ => Err(error.into()),
            }
        }
    };
    credit_memo::Entity::find_by_id(inserted.last_insert_id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::internal("credit memo vanished"))
        .map(Some)
}
