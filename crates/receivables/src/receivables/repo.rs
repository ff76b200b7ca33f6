//! The AR history after issue: a payment, a credit or a write-off reduces an invoice's open
//! amount through `settle`, one `ar_movements` row added to the `ar_aging_cells` of both bases in
//! the same transaction (issue and void are recorded by invoicing, `invoicing::ar_history`).
//! Aging totals as of any date then read the cells, not the invoices and payments.

use super::aging::open_count_delta;
use crate::entities::{ar_movement, invoice};
use crate::error::{AppError, AppResult};
use crate::invoicing::ar_history::record_movement;
use crate::invoicing::InvoiceStatus;
use crate::money::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// Written by invoicing when it issues and voids (`invoicing::ar_history`); payments, credits and
/// write-offs use the same through `settle`.
pub use crate::invoicing::ar_history::{open_minor, MovementKind, Subject};

/// Which running total of the invoice a settlement adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    Paid,
    Credited,
    WrittenOff,
}

/// The status an issued invoice has with these running totals.
pub fn settled_status(model: &invoice::Model) -> InvoiceStatus {
    let open = open_minor(model);
    let settled = model.paid_minor + model.credited_minor + model.written_off_minor;
    if open != 0 {
        if settled == 0 {
            InvoiceStatus::Issued
        } else {
            InvoiceStatus::PartiallyPaid
        }
    } else if model.paid_minor > 0 {
        InvoiceStatus::Paid
    } else if model.written_off_minor > 0 {
        InvoiceStatus::WrittenOff
    } else if model.credited_minor > 0 {
        InvoiceStatus::Credited
    } else {
        InvoiceStatus::Paid
    }
}

/// The latest date the invoice's open amount changed.
pub async fn last_movement_on<C: ConnectionTrait>(
    connection: &C,
    invoice_id: i64,
) -> AppResult<Option<NaiveDate>> {
    Ok(ar_movement::Entity::find()
        .filter(ar_movement::Column::InvoiceId.eq(invoice_id))
        .order_by_desc(ar_movement::Column::MovementDate)
        .one(connection)
        .await?
        .map(|movement| movement.movement_date))
}

/// Reduces an issued invoice's open amount by `amount` on `on`, guarded so that racing writers
/// can never take it below zero, and records the movement. Returns the invoice after.
#[allow(clippy::too_many_arguments)]
pub async fn settle<C: ConnectionTrait>(
    connection: &C,
    invoice_id: i64,
    settlement: Settlement,
    kind: MovementKind,
    amount: Money,
    on: NaiveDate,
    source_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<invoice::Model> {
    let before = crate::invoicing::find_model(connection, invoice_id).await?;
    let label = before
        .number
        .clone()
        .unwrap_or_else(|| format!("draft #{}", before.id));
    check_settleable(connection, &before, &label, amount, on).await?;
    let column = match settlement {
        Settlement::Paid => invoice::Column::PaidMinor,
        Settlement::Credited => invoice::Column::CreditedMinor,
        Settlement::WrittenOff => invoice::Column::WrittenOffMinor,
    };
    let open_expr = Expr::col(invoice::Column::TotalMinor)
        .sub(Expr::col(invoice::Column::PaidMinor))
        .sub(Expr::col(invoice::Column::CreditedMinor))
        .sub(Expr::col(invoice::Column::WrittenOffMinor));
    let updated = invoice::Entity::update_many()
        .col_expr(column, Expr::col(column).add(amount.minor()))
        .col_expr(invoice::Column::UpdatedAt, Expr::value(now))
        .filter(invoice::Column::Id.eq(invoice_id))
        .filter(invoice::Column::Status.is_in(["issued", "partially_paid"]))
        .filter(Expr::expr(open_expr).gte(amount.minor()))
        .exec(connection)
        .await?;
    if updated.rows_affected != 1 {
        let now_open = open_minor(&crate::invoicing::find_model(connection, invoice_id).await?);
        return Err(AppError::Conflict(format!(
            "{label} has only {} open; {} cannot be applied to it.",
            Money::from_minor(now_open, amount.currency()),
            amount
        )));
    }
    let mut after = crate::invoicing::find_model(connection, invoice_id).await?;
    let open_after = open_minor(&after);
    let status = settled_status(&after);
    let settled_on = (open_after == 0).then_some(on);
    invoice::Entity::update_many()
        .col_expr(invoice::Column::Status, Expr::value(status.as_str()))
        .col_expr(invoice::Column::SettledOn, Expr::value(settled_on))
        .filter(invoice::Column::Id.eq(invoice_id))
        .exec(connection)
        .await?;
    after.status = status.as_str().into();
    after.settled_on = settled_on;
    record_movement(
        connection,
        &Subject::from(&after),
        kind,
        -amount.minor(),
        open_count_delta(open_after + amount.minor(), open_after),
        on,
        source_id,
        now,
    )
    .await?;
    if status == InvoiceStatus::Paid {
        emit_paid(connection, &after, now).await?;
    }
    Ok(after)
}

/// What may be applied to an invoice: an amount in its currency, while it is open, dated on or
/// after its issue and its last change (so its history stays in date order).
async fn check_settleable<C: ConnectionTrait>(
    connection: &C,
    before: &invoice::Model,
    label: &str,
    amount: Money,
    on: NaiveDate,
) -> AppResult<()> {
    if Currency::parse(&before.currency)? != amount.currency() {
        return Err(AppError::validation(
            "currency",
            format!(
                "{label} is in {}; an amount in {} cannot be applied to it.",
                before.currency,
                amount.currency().code()
            ),
        ));
    }
    if !matches!(before.status.as_str(), "issued" | "partially_paid") {
        return Err(AppError::Conflict(format!(
            "{label} is {} and has nothing open to settle.",
            before.status.replace('_', " ")
        )));
    }
    let issued_on = before.issue_date.unwrap_or(before.invoice_date);
    if on < issued_on {
        return Err(AppError::validation(
            "date",
            format!(
                "{label} was issued on {issued_on}; nothing can be applied to it before that date."
            ),
        ));
    }
    if let Some(last) = last_movement_on(connection, before.id).await? {
        if on < last {
            return Err(AppError::validation(
                "date",
                format!("{label} already has a change dated {last}; apply this on or after that date so its history stays in date order."),
            ));
        }
    }
    Ok(())
}

/// The `invoice.paid` webhook event, when a settlement leaves a paid invoice with nothing open.
async fn emit_paid<C: ConnectionTrait>(
    connection: &C,
    invoice: &invoice::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let currency = Currency::parse(&invoice.currency)?;
    crate::webhooks::emit(
        connection,
        now,
        crate::webhooks::EventType::InvoicePaid,
        serde_json::json!({
            "invoiceId": invoice.id,
            "number": invoice.number,
            "customerId": invoice.customer_id,
            "total": Money::from_minor(invoice.total_minor, currency),
            "paid": Money::from_minor(invoice.paid_minor, currency),
            "credited": Money::from_minor(invoice.credited_minor, currency),
            "writtenOff": Money::from_minor(invoice.written_off_minor, currency),
            "settledOn": invoice.settled_on,
        }),
    )
    .await
}
