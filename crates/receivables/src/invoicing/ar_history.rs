//! The AR history as invoicing writes it: every change to an invoice's open amount is one
//! `ar_movements` row, added to the `ar_aging_cells` of both aging bases in the same
//! transaction. Issuing, the cut-over's opening invoices and voiding record theirs here, inside
//! invoicing's own transaction; payments, credits and write-offs (`receivables::repo::settle`)
//! record theirs through the same `record_movement`. Kept in invoicing, the lower of the two
//! areas, so invoicing never calls up into receivables.

use crate::entities::{ar_aging_cell, ar_movement, invoice};
use crate::error::AppResult;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the days are counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, async_graphql::Enum)]
pub enum AgingBasis {
    /// Days since the invoice date, as the collections ladder counts (the default).
    InvoiceDate,
    /// Days past the due date; not yet due counts as current.
    DueDate,
}

impl AgingBasis {
    pub fn as_str(&self) -> &'static str {
        match self {
            AgingBasis::InvoiceDate => "invoice",
            AgingBasis::DueDate => "due",
        }
    }

    pub const ALL: [AgingBasis; 2] = [AgingBasis::InvoiceDate, AgingBasis::DueDate];
}

/// How a change to an invoice's open amount moves the count of open invoices.
pub fn open_count_delta(open_before: i64, open_after: i64) -> i64 {
    i64::from(open_after != 0) - i64::from(open_before != 0)
}

/// Why an invoice's open amount changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovementKind {
    Issue,
    Payment,
    CreditApplied,
    CreditMemo,
    WriteOff,
    Void,
}

impl MovementKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            MovementKind::Issue => "issue",
            MovementKind::Payment => "payment",
            MovementKind::CreditApplied => "credit",
            MovementKind::CreditMemo => "credit_memo",
            MovementKind::WriteOff => "write_off",
            MovementKind::Void => "void",
        }
    }
}

/// What is still owed on the invoice. A credit memo on a paid invoice credits more than was open
/// (the excess becomes customer credit), so the difference can go below zero; nothing is owed then.
pub fn open_minor(model: &invoice::Model) -> i64 {
    (model.total_minor - model.paid_minor - model.credited_minor - model.written_off_minor).max(0)
}

/// The invoice facts a movement carries, so aging never joins back to invoices.
pub struct Subject {
    pub invoice_id: i64,
    pub customer_id: i64,
    pub currency: String,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
}

impl From<&invoice::Model> for Subject {
    fn from(model: &invoice::Model) -> Subject {
        Subject {
            invoice_id: model.id,
            customer_id: model.customer_id,
            currency: model.currency.clone(),
            invoice_date: model.invoice_date,
            due_date: model.due_date.unwrap_or(model.invoice_date),
        }
    }
}

/// A cell row already there takes the new amount and count on top of its own, so many writers
/// (an issue, a payment, an import) can add to one cell.
fn add_to_cell() -> OnConflict {
    OnConflict::columns([
        ar_aging_cell::Column::Basis,
        ar_aging_cell::Column::Currency,
        ar_aging_cell::Column::MovementDate,
        ar_aging_cell::Column::AgedFrom,
    ])
    .value(
        ar_aging_cell::Column::AmountMinor,
        Expr::cust("ar_aging_cells.amount_minor + excluded.amount_minor"),
    )
    .value(
        ar_aging_cell::Column::OpenCount,
        Expr::cust("ar_aging_cells.open_count + excluded.open_count"),
    )
    .to_owned()
}

/// Writes one movement and adds it to the aging cells.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_movement<C: ConnectionTrait>(
    connection: &C,
    invoice: &Subject,
    kind: MovementKind,
    amount: i64,
    count_delta: i64,
    movement_date: NaiveDate,
    source_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let due_date = invoice.due_date;
    ar_movement::Entity::insert(ar_movement::ActiveModel {
        invoice_id: Set(invoice.invoice_id),
        customer_id: Set(invoice.customer_id),
        currency: Set(invoice.currency.clone()),
        kind: Set(kind.as_str().into()),
        amount_minor: Set(amount),
        movement_date: Set(movement_date),
        invoice_date: Set(invoice.invoice_date),
        due_date: Set(due_date),
        source_id: Set(source_id),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(connection)
    .await?;
    for basis in AgingBasis::ALL {
        let aged_from = match basis {
            AgingBasis::InvoiceDate => invoice.invoice_date,
            AgingBasis::DueDate => due_date,
        };
        ar_aging_cell::Entity::insert(ar_aging_cell::ActiveModel {
            basis: Set(basis.as_str().into()),
            currency: Set(invoice.currency.clone()),
            aged_from: Set(aged_from),
            movement_date: Set(movement_date),
            amount_minor: Set(amount),
            open_count: Set(count_delta),
            ..Default::default()
        })
        .on_conflict(add_to_cell())
        .exec_without_returning(connection)
        .await?;
    }
    Ok(())
}

/// Records a just-issued invoice of `total_minor` in the AR history (called by invoicing inside
/// its transaction, with the facts it just wrote).
pub async fn record_issue<C: ConnectionTrait>(
    connection: &C,
    subject: Subject,
    issue_date: NaiveDate,
    total_minor: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if total_minor == 0 {
        invoice::Entity::update_many()
            .col_expr(invoice::Column::SettledOn, Expr::value(issue_date))
            .filter(invoice::Column::Id.eq(subject.invoice_id))
            .exec(connection)
            .await?;
        return Ok(());
    }
    record_movement(
        connection,
        &subject,
        MovementKind::Issue,
        total_minor,
        open_count_delta(0, total_minor),
        issue_date,
        None,
        now,
    )
    .await
}

/// Records invoices brought over at cut-over, each with what is open on it, as issued on
/// `cutover_date` (aged from their own dates).
pub async fn record_openings<C: ConnectionTrait>(
    connection: &C,
    opened: &[(Subject, i64)],
    cutover_date: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let issued: Vec<(&Subject, i64, NaiveDate)> = opened
        .iter()
        .map(|(subject, open_minor)| (subject, *open_minor, cutover_date))
        .collect();
    record_issues(connection, &issued, now).await
}

/// Records many issued invoices at once (the bill run's chunks, the cut-over import), each
/// `(invoice, amount open, issued on)`, exactly as `record_issue` would one by one: the
/// movements in batches, and the aging cells summed in memory first so each cell is written
/// once. Invoices of zero are settled on their issue day and move nothing.
pub async fn record_issues<C: ConnectionTrait>(
    connection: &C,
    issued: &[(&Subject, i64, NaiveDate)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let settled: Vec<(i64, NaiveDate)> = issued
        .iter()
        .filter(|(_, amount, _)| *amount == 0)
        .map(|(subject, _, on)| (subject.invoice_id, *on))
        .collect();
    for (on, ids) in group_by_date(&settled) {
        invoice::Entity::update_many()
            .col_expr(invoice::Column::SettledOn, Expr::value(on))
            .filter(invoice::Column::Id.is_in(ids))
            .exec(connection)
            .await?;
    }
    let open: Vec<&(&Subject, i64, NaiveDate)> = issued
        .iter()
        .filter(|(_, amount, _)| *amount != 0)
        .collect();
    type CellKey = (&'static str, String, NaiveDate, NaiveDate);
    let mut cells: BTreeMap<CellKey, (i64, i64)> = BTreeMap::new();
    for chunk in open.chunks(1_000) {
        let rows: Vec<ar_movement::ActiveModel> = chunk
            .iter()
            .map(|(subject, amount, on)| ar_movement::ActiveModel {
                invoice_id: Set(subject.invoice_id),
                customer_id: Set(subject.customer_id),
                currency: Set(subject.currency.clone()),
                kind: Set(MovementKind::Issue.as_str().into()),
                amount_minor: Set(*amount),
                movement_date: Set(*on),
                invoice_date: Set(subject.invoice_date),
                due_date: Set(subject.due_date),
                source_id: Set(None),
                created_at: Set(now),
                ..Default::default()
            })
            .collect();
        ar_movement::Entity::insert_many(rows)
            .exec_without_returning(connection)
            .await?;
        for (subject, amount, on) in chunk {
            for basis in AgingBasis::ALL {
                let aged_from = match basis {
                    AgingBasis::InvoiceDate => subject.invoice_date,
                    AgingBasis::DueDate => subject.due_date,
                };
                let cell = cells
                    .entry((basis.as_str(), subject.currency.clone(), aged_from, *on))
                    .or_default();
                cell.0 += amount;
                cell.1 += open_count_delta(0, *amount);
            }
        }
    }
    let cells: Vec<ar_aging_cell::ActiveModel> = cells
        .into_iter()
        .map(
            |((basis, currency, aged_from, movement_date), (amount, count))| {
                ar_aging_cell::ActiveModel {
                    basis: Set(basis.into()),
                    currency: Set(currency),
                    aged_from: Set(aged_from),
                    movement_date: Set(movement_date),
                    amount_minor: Set(amount),
                    open_count: Set(count),
                    ..Default::default()
                }
            },
        )
        .collect();
    for chunk in cells.chunks(1_000) {
        ar_aging_cell::Entity::insert_many(chunk.to_vec())
            .on_conflict(add_to_cell())
            .exec_without_returning(connection)
            .await?;
    }
    Ok(())
}

/// Ids grouped by their date, for one UPDATE per date.
fn group_by_date(rows: &[(i64, NaiveDate)]) -> BTreeMap<NaiveDate, Vec<i64>> {
    let mut by_date: BTreeMap<NaiveDate, Vec<i64>> = BTreeMap::new();
    for (id, on) in rows {
        by_date.entry(*on).or_default().push(*id);
    }
    by_date
}

/// Records a void (the invoice had nothing applied), dated `on`.
pub async fn record_void<C: ConnectionTrait>(
    connection: &C,
    before: &invoice::Model,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let open = open_minor(before);
    invoice::Entity::update_many()
        .col_expr(invoice::Column::SettledOn, Expr::value(on))
        .filter(invoice::Column::Id.eq(before.id))
        .exec(connection)
        .await?;
    if before.issue_date.is_none() || open == 0 {
        return Ok(());
    }
    record_movement(
        connection,
        &Subject::from(before),
        MovementKind::Void,
        -open,
        open_count_delta(open, 0),
        on,
        None,
        now,
    )
    .await
}
