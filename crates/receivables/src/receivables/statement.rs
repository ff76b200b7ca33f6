//! The customer statement: opening balance, every change to what the customer owes in the
//! period (invoices, payments, credits, write-offs, voids) with a running balance, the closing
//! balance and the items still open at the end, per currency; as data, CSV and PDF.

use super::aging::{AgingBasis, AgingBucket};
use super::report::AgedInvoice;
use super::ReceivablesService;
use crate::access::{Actor, Permission};
use crate::entities::{ar_movement, invoice};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::notifications::mail::Attachment;
use crate::pagination::PageRequest;
use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use std::collections::BTreeMap;

/// Most activity lines on one statement.
const MAX_LINES: usize = 5_000;

#[derive(Debug, Clone, Serialize)]
pub struct StatementLine {
    pub date: NaiveDate,
    pub invoice_number: String,
    /// invoice, payment, credit applied, credit memo, write-off, void.
    pub description: String,
    /// Positive adds to what is owed.
    pub amount: Money,
    pub balance: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenItem {
    pub invoice_number: String,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub open: Money,
    pub days: i64,
    pub bucket: AgingBucket,
}

#[derive(Debug, Clone, Serialize)]
pub struct CurrencyStatement {
    pub currency: Currency,
    pub opening: Money,
    pub lines: Vec<StatementLine>,
    pub closing: Money,
    pub open_items: Vec<OpenItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub customer_id: i64,
    pub legal_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currencies: Vec<CurrencyStatement>,
}

fn describe(kind: &str) -> &'static str {
    match kind {
        "issue" => "Invoice",
        "payment" => "Payment",
        "credit" => "Credit applied",
        "credit_memo" => "Credit memo",
        "write_off" => "Written off",
        "void" => "Invoice voided",
        _ => "Adjustment",
    }
}

impl ReceivablesService {
    pub async fn statement(
        &self,
        actor: &Actor,
        customer_id: i64,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> AppResult<Statement> {
        actor.require(Permission::ReceivablesRead)?;
        self.check_customer_visible(actor, customer_id).await?;
        let today = self.clock.today();
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| to.with_day(1).unwrap_or(to));
        if from > to {
            return Err(AppError::validation(
                "from",
                "The statement must start on or before its end.",
            ));
        }
        let customer = crate::customers::find_model(&self.db, customer_id).await?;
        let movements = ar_movement::Entity::find()
            .filter(ar_movement::Column::CustomerId.eq(customer_id))
            .filter(ar_movement::Column::MovementDate.lte(to))
            .order_by_asc(ar_movement::Column::MovementDate)
            .order_by_asc(ar_movement::Column::Id)
            .all(&self.db)
            .await?;
        let in_period = movements
            .iter()
            .filter(|movement| movement.movement_date >= from)
            .count();
        if in_period > MAX_LINES {
            return Err(AppError::Limit(format!("The period has {in_period} changes; choose a shorter period (at most {MAX_LINES}).")));
        }
        let numbers: BTreeMap<i64, String> = invoice::Entity::find()
            .filter(invoice::Column::CustomerId.eq(customer_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|model| (model.id, model.number.unwrap_or_default()))
            .collect();
        let by_currency = running_balances(&movements, &numbers, from)?;
        let open = self
            .aged_invoices(
                actor,
                to,
                AgingBasis::InvoiceDate,
                Some(customer_id),
                None,
                None,
                PageRequest {
                    offset: 0,
                    limit: 10_000,
                },
            )
            .await?;
        let currencies = currency_statements(by_currency, &open.items)?;
        Ok(Statement {
            customer_id,
            legal_name: customer.legal_name,
            from,
            to,
            currencies,
        })
    }

    /// The statement as a CSV (`format=csv`) or PDF (default) download.
    pub async fn statement_file(
        &self,
        actor: &Actor,
        customer_id: i64,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        format: Option<&str>,
    ) -> AppResult<Attachment> {
        let statement = self.statement(actor, customer_id, from, to).await?;
        let stem = format!(
            "statement-{}-{}-{}",
            customer_id, statement.from, statement.to
        );
        match format.unwrap_or("pdf") {
            "csv" => Ok(Attachment {
                filename: format!("{stem}.csv"),
                content_type: "text/csv; charset=utf-8".into(),
                bytes: statement_csv(&statement).into_bytes(),
            }),
            "pdf" => Ok(Attachment {
                filename: format!("{stem}.pdf"),
                content_type: "application/pdf".into(),
                bytes: self.statement_pdf(&statement).await?,
            }),
            other => Err(AppError::validation(
                "format",
                format!("{other:?} is not a statement format; use pdf or csv."),
            )),
        }
    }

    async fn statement_pdf(&self, statement: &Statement) -> AppResult<Vec<u8>> {
        use crate::invoicing::pdf::{DocumentLine, InvoiceDocument, Labels, Party};
        let customer = crate::customers::Customer::try_from(
            crate::customers::find_model(&self.db, statement.customer_id).await?,
        )?;
        let entity_name = self.seller_name().await?;
        // One page set per currency would need a multi-document writer; a statement in several
        // currencies lists each currency's activity in turn under the first one's totals.
        let first = statement.currencies.first();
        let code = first.map(|part| part.currency.code()).unwrap_or("USD");
        let mut lines = Vec::new();
        for part in &statement.currencies {
            for line in &part.lines {
                lines.push(DocumentLine {
                    description: format!("{} {}", line.description, line.invoice_number),
                    period: Some(line.date.to_string()),
                    quantity: String::new(),
                    unit_price: String::new(),
                    amount: line.amount.to_string(),
                    tax_label: String::new(),
                    tax_amount: String::new(),
                    note: Some(format!("Balance {}", line.balance)),
                });
            }
        }
        let open_lines: Vec<String> = statement
            .currencies
            .iter()
            .flat_map(|part| part.open_items.iter())
            .map(|item| {
                format!(
                    "Open: {} dated {} due {} — {} ({} days)",
                    item.invoice_number, item.invoice_date, item.due_date, item.open, item.days
                )
            })
            .collect();
        let document = InvoiceDocument {
            title: "STATEMENT OF ACCOUNT".into(),
            number: format!("{}", statement.customer_id),
            issue_date: statement.from.to_string(),
            due_date: statement.to.to_string(),
            payment_terms: customer.payment_terms.label().to_string(),
            currency: code.to_string(),
            seller: Party {
                name: entity_name.clone(),
                address_lines: Vec::new(),
                tax_id: None,
            },
            bill_to: Party {
                name: customer.legal_name.clone(),
                address_lines: vec![
                    customer.billing_address.city.clone(),
                    customer.billing_address.country.clone(),
                ],
                tax_id: customer.tax_registration_number.clone(),
            },
            remit_to: vec![entity_name],
            po_number: None,
            tax_exemption_certificate: None,
            lines,
            subtotal: first
                .map(|part| part.opening.to_string())
                .unwrap_or_else(|| "0.00".into()),
            tax_total: first
                .map(|part| {
                    Money::from_minor(part.closing.minor() - part.opening.minor(), part.currency)
                        .to_string()
                })
                .unwrap_or_else(|| "0.00".into()),
            total: first
                .map(|part| part.closing.to_string())
                .unwrap_or_else(|| "0.00".into()),
            payment_instructions: if open_lines.is_empty() {
                vec!["Nothing is open. Thank you.".into()]
            } else {
                open_lines
            },
            labels: Labels::statement(),
        };
        Ok(crate::invoicing::pdf::render(&document))
    }

    async fn seller_name(&self) -> AppResult<String> {
        Ok(crate::entities::legal_entity::Entity::find()
            .one(&self.db)
            .await?
            .map(|entity| entity.name)
            .unwrap_or_else(|| "Accounts Receivable".into()))
    }
}

/// Section, date, invoice, description, amount, currency, balance — one table a spreadsheet reads.
pub fn statement_csv(statement: &Statement) -> String {
    let mut out = String::from("section,date,invoice,description,amount,currency,balance\n");
    for part in &statement.currencies {
        let code = part.currency.code();
        out.push_str(&format!(
            "opening,{},,Opening balance,,{code},{}\n",
            statement.from,
            part.opening.amount_string()
        ));
        for line in &part.lines {
            out.push_str(&format!(
                "activity,{},{},{},{},{code},{}\n",
                line.date,
                crate::values::csv_cell(&line.invoice_number),
                crate::values::csv_cell(&line.description),
                line.amount.amount_string(),
                line.balance.amount_string()
            ));
        }
        out.push_str(&format!(
            "closing,{},,Closing balance,,{code},{}\n",
            statement.to,
            part.closing.amount_string()
        ));
        for item in &part.open_items {
            out.push_str(&format!(
                "open,{},{},Due {} ({} days),{},{code},\n",
                item.invoice_date,
                crate::values::csv_cell(&item.invoice_number),
                item.due_date,
                item.days,
                item.open.amount_string()
            ));
        }
    }
    out
}

/// Per currency: (opening balance, the period's lines with their running balance, closing
/// balance).
type ByCurrency = BTreeMap<String, (i64, Vec<StatementLine>, i64)>;

/// Each currency's balance before `from` and every movement from then on, with the balance it
/// leaves.
fn running_balances(
    movements: &[ar_movement::Model],
    numbers: &BTreeMap<i64, String>,
    from: NaiveDate,
) -> AppResult<ByCurrency> {
    let mut by_currency: ByCurrency = BTreeMap::new();
    for movement in movements {
        let currency = Currency::parse(&movement.currency)?;
        let entry = by_currency
            .entry(movement.currency.clone())
            .or_insert((0, Vec::new(), 0));
        if movement.movement_date < from {
            entry.0 += movement.amount_minor;
            entry.2 += movement.amount_minor;
        } else {
            entry.2 += movement.amount_minor;
            entry.1.push(StatementLine {
                date: movement.movement_date,
                invoice_number: numbers
                    .get(&movement.invoice_id)
                    .cloned()
                    .unwrap_or_default(),
                description: describe(&movement.kind).into(),
                amount: Money::from_minor(movement.amount_minor, currency),
                balance: Money::from_minor(entry.2, currency),
            });
        }
    }
    Ok(by_currency)
}

/// One statement per currency that has a balance or a movement, with its open invoices.
fn currency_statements(
    by_currency: ByCurrency,
    open_items: &[AgedInvoice],
) -> AppResult<Vec<CurrencyStatement>> {
    let mut currencies = Vec::new();
    for (code, (opening, lines, closing)) in by_currency {
        let currency = Currency::parse(&code)?;
        if opening == 0 && closing == 0 && lines.is_empty() {
            continue;
        }
        currencies.push(CurrencyStatement {
            currency,
            opening: Money::from_minor(opening, currency),
            lines,
            closing: Money::from_minor(closing, currency),
            open_items: open_items
                .iter()
                .filter(|item| item.open.currency() == currency)
                .map(|item| OpenItem {
                    invoice_number: item.number.clone(),
                    invoice_date: item.invoice_date,
                    due_date: item.due_date,
                    open: item.open,
                    days: item.days,
                    bucket: item.bucket,
                })
                .collect(),
        });
    }
    Ok(currencies)
}
