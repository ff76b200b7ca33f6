//! Payments, customer credits and refunds; AR aging with drill-down.

use super::customers::Customer;
use super::loaders::load_customer;
use super::types::{connection, Money};
use super::{actor, app};
use crate::pagination::{requested_order, PageRequest, SortDirection};
use crate::receivables::aging::{AgingBasis, AgingBucket};
use crate::receivables::bank::{self, BankReceiptConfirmInput, ReceiptStatus};
use crate::receivables::payments::{
    self, CreditApplyInput, PaymentMethod, PaymentRecordInput, PaymentSort, RefundInput,
};
use crate::receivables::report;
use crate::values::{parse_currency, parse_id, IsoDate};
use async_graphql::{ComplexObject, Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

#[derive(Clone, SimpleObject)]
pub struct Application {
    pub id: ID,
    pub invoice_id: ID,
    pub invoice_number: String,
    pub payment_id: Option<ID>,
    /// The customer credit drawn, when credit (not a payment) paid it.
    pub credit_id: Option<ID>,
    pub amount: Money,
    pub applied_on: IsoDate,
}

impl From<payments::Application> for Application {
    fn from(application: payments::Application) -> Application {
        Application {
            id: ID(application.id.to_string()),
            invoice_id: ID(application.invoice_id.to_string()),
            invoice_number: application.invoice_number,
            payment_id: application.payment_id.map(|id| ID(id.to_string())),
            credit_id: application.credit_id.map(|id| ID(id.to_string())),
            amount: application.amount.into(),
            applied_on: IsoDate(application.applied_on),
        }
    }
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct Payment {
    pub id: ID,
    pub method: PaymentMethod,
    pub amount: Money,
    pub received_on: IsoDate,
    pub reference: String,
    pub applied: Money,
    /// Kept as customer credit.
    pub unapplied: Money,
    pub journal_entry_id: Option<ID>,
    pub recorded_at: DateTime<Utc>,
    #[graphql(skip)]
    pub customer_id: i64,
}

impl From<payments::Payment> for Payment {
    fn from(payment: payments::Payment) -> Payment {
        Payment {
            id: ID(payment.id.to_string()),
            method: payment.method,
            amount: payment.amount.into(),
            received_on: IsoDate(payment.received_on),
            reference: payment.reference,
            applied: payment.applied.into(),
            unapplied: payment.unapplied.into(),
            journal_entry_id: payment.journal_entry_id.map(|id| ID(id.to_string())),
            recorded_at: payment.recorded_at,
            customer_id: payment.customer_id,
        }
    }
}

#[ComplexObject]
impl Payment {
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Customer>> {
        Ok(load_customer(ctx, self.customer_id)
            .await?
            .map(Customer::from))
    }

    async fn applications(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Application>> {
        let id = parse_id("id", &self.id)?;
        Ok(app(ctx)
            .receivables
            .applications(Some(id), None)
            .await?
            .into_iter()
            .map(Application::from)
            .collect())
    }
}

connection!(PaymentConnection, PaymentEdge, Payment);

#[derive(Clone, SimpleObject)]
pub struct CustomerCredit {
    pub id: ID,
    /// "payment" (an overpayment) or "credit_memo".
    pub source: String,
    pub source_id: ID,
    pub amount: Money,
    pub remaining: Money,
    pub created_on: IsoDate,
}

impl From<payments::CustomerCredit> for CustomerCredit {
    fn from(credit: payments::CustomerCredit) -> CustomerCredit {
        CustomerCredit {
            id: ID(credit.id.to_string()),
            source: credit.source,
            source_id: ID(credit.source_id.to_string()),
            amount: credit.amount.into(),
            remaining: credit.remaining.into(),
            created_on: IsoDate(credit.created_on),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct CreditApplication {
    pub journal_entry_id: ID,
    pub applications: Vec<Application>,
}

#[derive(Clone, SimpleObject)]
pub struct Refund {
    pub id: ID,
    pub amount: Money,
    pub refunded_on: IsoDate,
    pub reference: String,
    pub journal_entry_id: Option<ID>,
}

#[derive(Clone, SimpleObject)]
pub struct AgingBucketTotal {
    pub bucket: AgingBucket,
    pub label: String,
    pub amount: Money,
    /// Invoices open in the bucket.
    pub count: i64,
    /// Percent of AR in this currency, two decimals; the four add up to 100.00.
    pub percent: String,
}

#[derive(Clone, SimpleObject)]
pub struct AgingSummary {
    pub currency: String,
    pub total: Money,
    pub count: i64,
    pub buckets: Vec<AgingBucketTotal>,
}

impl From<report::AgingSummary> for AgingSummary {
    fn from(summary: report::AgingSummary) -> AgingSummary {
        let percents = summary.totals.percents();
        let currency = summary.currency;
        AgingSummary {
            currency: currency.code().to_string(),
            total: summary.total().into(),
            count: summary.totals.count(),
            buckets: AgingBucket::ALL
                .into_iter()
                .map(|bucket| AgingBucketTotal {
                    bucket,
                    label: bucket.label().to_string(),
                    amount: crate::money::Money::from_minor(
                        summary.totals.amounts[bucket.index()],
                        currency,
                    )
                    .into(),
                    count: summary.totals.counts[bucket.index()],
                    percent: percents[bucket.index()].to_string(),
                })
                .collect(),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct AgingReport {
    pub as_of: IsoDate,
    pub basis: AgingBasis,
    /// One summary per currency with AR; the ledger's AR balance in that currency on the date.
    pub currencies: Vec<AgingSummary>,
    /// Every currency in the functional currency at the date's rates: each currency's total is
    /// converted once and split over its buckets, so the buckets add up to this total, which is
    /// the dashboard's outstanding figure to the cent.
    pub functional: AgingSummary,
    /// Currencies left out of `functional` because the FX table has no rate for them on the date.
    pub functional_warnings: Vec<String>,
}

#[derive(Clone, SimpleObject)]
pub struct CustomerAging {
    pub customer_id: ID,
    pub legal_name: String,
    pub on_credit_hold: bool,
    pub aging: AgingSummary,
}

connection!(CustomerAgingConnection, CustomerAgingEdge, CustomerAging);

#[derive(Clone, SimpleObject)]
pub struct AgedInvoice {
    pub invoice_id: ID,
    pub number: String,
    pub customer_id: ID,
    pub invoice_date: IsoDate,
    pub due_date: IsoDate,
    /// What was open on the aging date.
    pub open: Money,
    /// Days since the invoice date (or past due, by basis) on the aging date.
    pub days: i64,
    pub bucket: AgingBucket,
}

connection!(AgedInvoiceConnection, AgedInvoiceEdge, AgedInvoice);

#[derive(Clone, SimpleObject)]
pub struct StatementLine {
    pub date: IsoDate,
    pub invoice_number: String,
    pub description: String,
    /// Positive adds to what the customer owes.
    pub amount: Money,
    pub balance: Money,
}

#[derive(Clone, SimpleObject)]
pub struct StatementOpenItem {
    pub invoice_number: String,
    pub invoice_date: IsoDate,
    pub due_date: IsoDate,
    pub open: Money,
    pub days: i64,
    pub bucket: AgingBucket,
}

#[derive(Clone, SimpleObject)]
pub struct CurrencyStatement {
    pub currency: String,
    pub opening: Money,
    pub lines: Vec<StatementLine>,
    pub closing: Money,
    pub open_items: Vec<StatementOpenItem>,
}

#[derive(Clone, SimpleObject)]
pub struct CustomerStatement {
    pub customer_id: ID,
    pub legal_name: String,
    pub from: IsoDate,
    pub to: IsoDate,
    pub currencies: Vec<CurrencyStatement>,
    /// Authenticated downloads (send the bearer token).
    pub pdf_url: String,
    pub csv_url: String,
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct BankReceipt {
    pub id: ID,
    pub batch: String,
    pub row: i32,
    pub received_on: IsoDate,
    pub amount: Money,
    pub payer: String,
    pub reference: String,
    pub status: ReceiptStatus,
    pub proposed_customer_id: Option<ID>,
    pub proposed_invoice_ids: Vec<ID>,
    /// invoice_number, amount_and_customer or amount_only.
    pub proposal_basis: Option<String>,
    /// Why this match was proposed, in words.
    pub proposal_explanation: Option<String>,
    pub payment_id: Option<ID>,
    pub imported_at: DateTime<Utc>,
}

#[ComplexObject]
impl BankReceipt {
    async fn proposed_customer(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Customer>> {
        let Some(id) = &self.proposed_customer_id else {
            return Ok(None);
        };
        Ok(load_customer(ctx, parse_id("id", id)?)
            .await?
            .map(Customer::from))
    }
}

impl From<bank::BankReceipt> for BankReceipt {
    fn from(receipt: bank::BankReceipt) -> BankReceipt {
        BankReceipt {
            id: ID(receipt.id.to_string()),
            batch: receipt.batch,
            row: receipt.row,
            received_on: IsoDate(receipt.received_on),
            amount: receipt.amount.into(),
            payer: receipt.payer,
            reference: receipt.reference,
            status: receipt.status,
            proposed_customer_id: receipt.proposed_customer_id.map(|id| ID(id.to_string())),
            proposed_invoice_ids: receipt
                .proposed_invoice_ids
                .into_iter()
                .map(|id| ID(id.to_string()))
                .collect(),
            proposal_basis: receipt.proposal_basis,
            proposal_explanation: receipt.proposal_explanation,
            payment_id: receipt.payment_id.map(|id| ID(id.to_string())),
            imported_at: receipt.imported_at,
        }
    }
}

connection!(BankReceiptConnection, BankReceiptEdge, BankReceipt);

#[derive(Clone, SimpleObject)]
pub struct BankRowError {
    /// Data row, counting from 1 after the header (0 = the file as a whole).
    pub row: i32,
    pub field: String,
    pub message: String,
}

#[derive(Clone, SimpleObject)]
pub struct BankImport {
    pub batch: String,
    pub imported: Vec<BankReceipt>,
    /// Rows already imported from an earlier file (skipped).
    pub duplicates: i32,
    pub rejected: Vec<BankRowError>,
}

#[derive(Default)]
pub struct ReceivablesQuery;

#[Object]
impl ReceivablesQuery {
    /// AR aging on `asOf` (default today): invoices issued and money received after it do not count.
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn ar_aging(
        &self,
        ctx: &Context<'_>,
        as_of: Option<IsoDate>,
        basis: Option<AgingBasis>,
    ) -> async_graphql::Result<AgingReport> {
        let as_of = as_of.map(|date| date.0).unwrap_or(app(ctx).clock.today());
        let report = app(ctx)
            .receivables
            .aging(actor(ctx)?, as_of, basis.unwrap_or(AgingBasis::InvoiceDate))
            .await?;
        Ok(AgingReport {
            as_of: IsoDate(report.as_of),
            basis: report.basis,
            currencies: report
                .currencies
                .into_iter()
                .map(AgingSummary::from)
                .collect(),
            functional: AgingSummary::from(report::AgingSummary {
                currency: report.functional.currency,
                totals: report.functional.totals,
            }),
            functional_warnings: report.functional.warnings,
        })
    }

    /// Customers with AR open on `asOf`, alphabetically, with their buckets (one row per currency).
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn ar_aging_customers(
        &self,
        ctx: &Context<'_>,
        as_of: Option<IsoDate>,
        basis: Option<AgingBasis>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<CustomerAgingConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let as_of = as_of.map(|date| date.0).unwrap_or(app(ctx).clock.today());
        let rows = app(ctx)
            .receivables
            .aging_by_customer(
                actor(ctx)?,
                as_of,
                basis.unwrap_or(AgingBasis::InvoiceDate),
                search,
                page,
            )
            .await?;
        Ok(CustomerAgingConnection::from_page(rows, |row| {
            CustomerAging {
                customer_id: ID(row.customer_id.to_string()),
                legal_name: row.legal_name,
                on_credit_hold: row.on_credit_hold,
                aging: row.summary.into(),
            }
        }))
    }

    /// The invoices behind an aging figure, oldest first.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn ar_aging_invoices(
        &self,
        ctx: &Context<'_>,
        as_of: Option<IsoDate>,
        basis: Option<AgingBasis>,
        customer_id: Option<ID>,
        currency: Option<String>,
        bucket: Option<AgingBucket>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<AgedInvoiceConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let as_of = as_of.map(|date| date.0).unwrap_or(app(ctx).clock.today());
        let customer_id = customer_id
            .map(|id| parse_id("customerId", &id))
            .transpose()?;
        let currency = currency
            .map(|code| parse_currency("currency", &code))
            .transpose()?;
        let rows = app(ctx)
            .receivables
            .aged_invoices(
                actor(ctx)?,
                as_of,
                basis.unwrap_or(AgingBasis::InvoiceDate),
                customer_id,
                currency,
                bucket,
                page,
            )
            .await?;
        Ok(AgedInvoiceConnection::from_page(rows, |row| AgedInvoice {
            invoice_id: ID(row.invoice_id.to_string()),
            number: row.number,
            customer_id: ID(row.customer_id.to_string()),
            invoice_date: IsoDate(row.invoice_date),
            due_date: IsoDate(row.due_date),
            open: row.open.into(),
            days: row.days,
            bucket: row.bucket,
        }))
    }

    async fn payments(
        &self,
        ctx: &Context<'_>,
        customer_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "The column to order by (amounts within each currency).")] sort: Option<
            PaymentSort,
        >,
        #[graphql(desc = "Which way; ascending when a column is given without it.")]
        direction: Option<SortDirection>,
    ) -> async_graphql::Result<PaymentConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let customer_id = customer_id
            .map(|id| parse_id("customerId", &id))
            .transpose()?;
        let order = requested_order(
            sort,
            direction,
            (PaymentSort::ReceivedOn, SortDirection::Desc),
        );
        let rows = app(ctx)
            .receivables
            .payments(actor(ctx)?, customer_id, order, page)
            .await?;
        Ok(PaymentConnection::from_page(rows, Payment::from))
    }

    async fn payment(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Payment> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx).receivables.payment(actor(ctx)?, id).await?.into())
    }

    /// Opening balance, activity with running balance, closing balance and open items; the
    /// period defaults to this month to date.
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn customer_statement(
        &self,
        ctx: &Context<'_>,
        customer_id: ID,
        from: Option<IsoDate>,
        to: Option<IsoDate>,
    ) -> async_graphql::Result<CustomerStatement> {
        let id = parse_id("customerId", &customer_id)?;
        let statement = app(ctx)
            .receivables
            .statement(
                actor(ctx)?,
                id,
                from.map(|date| date.0),
                to.map(|date| date.0),
            )
            .await?;
        let query = format!("from={}&to={}", statement.from, statement.to);
        Ok(CustomerStatement {
            customer_id: ID(id.to_string()),
            legal_name: statement.legal_name,
            from: IsoDate(statement.from),
            to: IsoDate(statement.to),
            pdf_url: format!("/api/customers/{id}/statement?{query}&format=pdf"),
            csv_url: format!("/api/customers/{id}/statement?{query}&format=csv"),
            currencies: statement
                .currencies
                .into_iter()
                .map(|part| CurrencyStatement {
                    currency: part.currency.code().to_string(),
                    opening: part.opening.into(),
                    closing: part.closing.into(),
                    lines: part
                        .lines
                        .into_iter()
                        .map(|line| StatementLine {
                            date: IsoDate(line.date),
                            invoice_number: line.invoice_number,
                            description: line.description,
                            amount: line.amount.into(),
                            balance: line.balance.into(),
                        })
                        .collect(),
                    open_items: part
                        .open_items
                        .into_iter()
                        .map(|item| StatementOpenItem {
                            invoice_number: item.invoice_number,
                            invoice_date: IsoDate(item.invoice_date),
                            due_date: IsoDate(item.due_date),
                            open: item.open.into(),
                            days: item.days,
                            bucket: item.bucket,
                        })
                        .collect(),
                })
                .collect(),
        })
    }

    /// Imported bank lines: waiting for a person first, then the rest.
    async fn bank_receipts(
        &self,
        ctx: &Context<'_>,
        status: Option<ReceiptStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<BankReceiptConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let rows = app(ctx)
            .receivables
            .bank_receipts(actor(ctx)?, status, page)
            .await?;
        Ok(BankReceiptConnection::from_page(rows, BankReceipt::from))
    }

    /// The customer's credits with something left to apply or refund.
    async fn customer_credits(
        &self,
        ctx: &Context<'_>,
        customer_id: ID,
    ) -> async_graphql::Result<Vec<CustomerCredit>> {
        let customer_id = parse_id("customerId", &customer_id)?;
        Ok(app(ctx)
            .receivables
            .credits(actor(ctx)?, customer_id)
            .await?
            .into_iter()
            .map(CustomerCredit::from)
            .collect())
    }
}

#[derive(Default)]
pub struct ReceivablesMutation;

#[Object]
impl ReceivablesMutation {
    /// Records money received and applies it (explicitly or oldest first); the rest becomes
    /// customer credit. Posts Dr cash · Cr AR (· Cr customer credits).
    async fn payment_record(
        &self,
        ctx: &Context<'_>,
        input: PaymentRecordInput,
    ) -> async_graphql::Result<Payment> {
        Ok(app(ctx)
            .receivables
            .record_payment(actor(ctx)?, input)
            .await?
            .into())
    }

    /// Applies customer credit to open invoices: Dr customer credits · Cr AR.
    async fn credit_apply(
        &self,
        ctx: &Context<'_>,
        input: CreditApplyInput,
    ) -> async_graphql::Result<CreditApplication> {
        let result = app(ctx)
            .receivables
            .apply_credit(actor(ctx)?, input)
            .await?;
        Ok(CreditApplication {
            journal_entry_id: ID(result.journal_entry_id.to_string()),
            applications: result
                .applications
                .into_iter()
                .map(Application::from)
                .collect(),
        })
    }

    /// Imports a bank CSV (header `date,amount,currency,payer,reference`, at most 2,000 rows) and
    /// proposes a match for each line; rows seen in an earlier file are skipped.
    async fn bank_receipts_import(
        &self,
        ctx: &Context<'_>,
        csv: String,
    ) -> async_graphql::Result<BankImport> {
        let result = app(ctx)
            .receivables
            .import_bank_csv(actor(ctx)?, &csv)
            .await?;
        Ok(BankImport {
            batch: result.batch,
            imported: result.imported.into_iter().map(BankReceipt::from).collect(),
            duplicates: i32::try_from(result.duplicates).unwrap_or(i32::MAX),
            rejected: result
                .rejected
                .into_iter()
                .map(|error| BankRowError {
                    row: i32::try_from(error.row).unwrap_or(i32::MAX),
                    field: error.field,
                    message: error.message,
                })
                .collect(),
        })
    }

    /// Confirms a bank line into a payment (the proposal, or the customer and allocations given).
    async fn bank_receipt_confirm(
        &self,
        ctx: &Context<'_>,
        input: BankReceiptConfirmInput,
    ) -> async_graphql::Result<Payment> {
        Ok(app(ctx)
            .receivables
            .confirm_bank_receipt(actor(ctx)?, input)
            .await?
            .into())
    }

    /// Sets a bank line aside (not a customer payment), with the reason.
    async fn bank_receipt_ignore(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<BankReceipt> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx)
            .receivables
            .ignore_bank_receipt(actor(ctx)?, id, &reason)
            .await?
            .into())
    }

    /// Pays customer credit back out: Dr customer credits · Cr cash.
    async fn credit_refund(
        &self,
        ctx: &Context<'_>,
        input: RefundInput,
    ) -> async_graphql::Result<Refund> {
        let refund = app(ctx).receivables.refund(actor(ctx)?, input).await?;
        Ok(Refund {
            id: ID(refund.id.to_string()),
            amount: refund.amount.into(),
            refunded_on: IsoDate(refund.refunded_on),
            reference: refund.reference,
            journal_entry_id: refund.journal_entry_id.map(|id| ID(id.to_string())),
        })
    }
}
