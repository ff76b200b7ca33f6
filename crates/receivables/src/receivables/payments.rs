//! Cash in and out: payments applied to invoices (explicitly or oldest first), overpayments kept
//! as customer credit, credit applied later or refunded. Each is one transaction with its ledger
//! entry, its AR movements and its audit row, under an idempotency key.

use super::repo::{self, MovementKind, Settlement};
use super::ReceivablesService;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::customers;
use crate::entities::{ar_application, customer_credit, invoice, payment, refund};
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Claim};
use crate::ledger::chart::{CASH, CUSTOMER_CREDITS};
use crate::ledger::rules::{BalancedEntry, Posting, Side};
use crate::ledger::{self, EntryHeader};
use crate::money::{Currency, Money};
use crate::pagination::{Page, PageRequest, SortDirection};
use crate::values::{parse_id, require_text, IsoDate, MoneyInput};
use async_graphql::{Enum, InputObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;

mod credit;
mod record;

/// How the money arrived (the customer master's `PaymentMethod` is how they usually pay).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
#[graphql(name = "ReceiptMethod")]
pub enum PaymentMethod {
    Ach,
    Wire,
    Check,
    Card,
}

impl PaymentMethod {
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentMethod::Ach => "ach",
            PaymentMethod::Wire => "wire",
            PaymentMethod::Check => "check",
            PaymentMethod::Card => "card",
        }
    }

    pub fn parse(text: &str) -> Option<PaymentMethod> {
        [
            PaymentMethod::Ach,
            PaymentMethod::Wire,
            PaymentMethod::Check,
            PaymentMethod::Card,
        ]
        .into_iter()
        .find(|method| method.as_str() == text)
    }
}

#[derive(Debug, Clone, InputObject, Serialize)]
pub struct AllocationInput {
    pub invoice_id: ID,
    /// Decimal string in the payment's currency, e.g. "1200.00".
    pub amount: String,
}

#[derive(Debug, Clone, InputObject)]
pub struct PaymentRecordInput {
    pub customer_id: ID,
    pub method: PaymentMethod,
    pub amount: MoneyInput,
    pub received_on: IsoDate,
    /// The bank or check reference, as it appears on the statement.
    pub reference: String,
    /// Repeat a request with the same key and the first result comes back; nothing is paid twice.
    pub idempotency_key: String,
    /// Which invoices it pays and how much of each; absent = oldest open invoices first.
    pub allocations: Option<Vec<AllocationInput>>,
    /// Keep the whole amount as customer credit, to apply later.
    pub keep_as_credit: Option<bool>,
}

#[derive(Debug, Clone, InputObject)]
pub struct CreditApplyInput {
    pub customer_id: ID,
    pub currency: String,
    /// Absent = oldest open invoices first until the credit is used up.
    pub allocations: Option<Vec<AllocationInput>>,
    /// Defaults to today.
    pub applied_on: Option<IsoDate>,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, InputObject)]
pub struct RefundInput {
    pub customer_id: ID,
    pub amount: MoneyInput,
    pub refunded_on: Option<IsoDate>,
    pub reference: String,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Application {
    pub id: i64,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub payment_id: Option<i64>,
    pub credit_id: Option<i64>,
    pub amount: Money,
    pub applied_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub id: i64,
    pub customer_id: i64,
    pub method: PaymentMethod,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub reference: String,
    pub applied: Money,
    pub unapplied: Money,
    pub journal_entry_id: Option<i64>,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerCredit {
    pub id: i64,
    pub customer_id: i64,
    pub source: String,
    pub source_id: i64,
    pub amount: Money,
    pub remaining: Money,
    pub created_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Refund {
    pub id: i64,
    pub customer_id: i64,
    pub amount: Money,
    pub refunded_on: NaiveDate,
    pub reference: String,
    pub journal_entry_id: Option<i64>,
}

/// What applying credit did: the entry posted and the applications it made.
#[derive(Debug, Clone, Serialize)]
pub struct CreditApplication {
    pub journal_entry_id: i64,
    pub applications: Vec<Application>,
}

fn payment_from_model(model: payment::Model) -> AppResult<Payment> {
    let currency = Currency::parse(&model.currency)?;
    Ok(Payment {
        id: model.id,
        customer_id: model.customer_id,
        method: PaymentMethod::parse(&model.method)
            .ok_or_else(|| AppError::internal(format!("payment method {}", model.method)))?,
        amount: Money::from_minor(model.amount_minor, currency),
        received_on: model.received_on,
        reference: model.reference,
        applied: Money::from_minor(model.applied_minor, currency),
        unapplied: Money::from_minor(model.unapplied_minor, currency),
        journal_entry_id: model.journal_entry_id,
        recorded_by: model.recorded_by,
        recorded_at: model.recorded_at,
    })
}

fn credit_from_model(model: customer_credit::Model) -> AppResult<CustomerCredit> {
    let currency = Currency::parse(&model.currency)?;
    Ok(CustomerCredit {
        id: model.id,
        customer_id: model.customer_id,
        source: model.source,
        source_id: model.source_id,
        amount: Money::from_minor(model.amount_minor, currency),
        remaining: Money::from_minor(model.remaining_minor, currency),
        created_on: model.created_on,
    })
}

/// An allocation after parsing: which invoice, how much.
struct Allocation {
    invoice: invoice::Model,
    amount: Money,
}

/// Parses explicit allocations against the customer's invoices, naming the bad field.
async fn parse_allocations<C: ConnectionTrait>(
    connection: &C,
    customer_id: i64,
    currency: Currency,
    inputs: &[AllocationInput],
) -> AppResult<Vec<Allocation>> {
    if inputs.len() > 200 {
        return Err(AppError::Limit("At most 200 invoices per payment.".into()));
    }
    let mut allocations: Vec<Allocation> = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("allocations.{index}.{name}");
        let invoice_id = parse_id(&field("invoiceId"), &input.invoice_id)?;
        if allocations
            .iter()
            .any(|allocation| allocation.invoice.id == invoice_id)
        {
            return Err(AppError::validation(
                field("invoiceId"),
                "This invoice is listed twice; give it one amount.",
            ));
        }
        let amount = Money::parse(&input.amount, currency)
            .map_err(|error| AppError::validation(field("amount"), error.to_string()))?;
        if amount.minor() <= 0 {
            return Err(AppError::validation(
                field("amount"),
                "An allocation must be more than zero.",
            ));
        }
        let invoice = invoice::Entity::find_by_id(invoice_id)
            .one(connection)
            .await?
            .ok_or_else(|| {
                AppError::validation(
                    field("invoiceId"),
                    format!("There is no invoice with id {invoice_id}."),
                )
            })?;
        let label = invoice
            .number
            .clone()
            .unwrap_or_else(|| format!("#{invoice_id}"));
        if invoice.customer_id != customer_id {
            return Err(AppError::validation(
                field("invoiceId"),
                format!("{label} belongs to another customer."),
            ));
        }
        if invoice.currency != currency.code() {
            return Err(AppError::validation(
                field("invoiceId"),
                format!(
                    "{label} is in {}; a {} amount cannot pay it. Record the payment in the invoice's currency.",
                    invoice.currency,
                    currency.code()
                ),
            ));
        }
        let open = repo::open_minor(&invoice);
        if !matches!(invoice.status.as_str(), "issued" | "partially_paid") || open < amount.minor()
        {
            return Err(AppError::validation(
                field("amount"),
                format!(
                    "{label} has {} open; {amount} is more than that.",
                    Money::from_minor(open.max(0), currency)
                ),
            ));
        }
        allocations.push(Allocation { invoice, amount });
    }
    Ok(allocations)
}

/// The customer's open invoices in `currency` issued on or before `on`, oldest first, read under
/// the customer's lock: two payments allocated oldest first at once would otherwise both read the
/// same open amount, and the second would be refused for an invoice it never named.
async fn open_invoices<C: ConnectionTrait>(
    connection: &C,
    customer_id: i64,
    currency: Currency,
    on: NaiveDate,
) -> AppResult<Vec<invoice::Model>> {
    customers::lock_for_update(connection, customer_id).await?;
    Ok(invoice::Entity::find()
        .filter(invoice::Column::CustomerId.eq(customer_id))
        .filter(invoice::Column::Currency.eq(currency.code()))
        .filter(invoice::Column::Status.is_in(["issued", "partially_paid"]))
        .filter(invoice::Column::IssueDate.lte(on))
        .order_by_asc(invoice::Column::InvoiceDate)
        .order_by_asc(invoice::Column::Id)
        .all(connection)
        .await?)
}

/// Spreads `amount` over open invoices oldest first; what is left stays unapplied.
fn oldest_first(invoices: Vec<invoice::Model>, amount: Money) -> Vec<Allocation> {
    let mut left = amount.minor();
    let mut allocations = Vec::new();
    for invoice in invoices {
        if left == 0 {
            break;
        }
        let take = repo::open_minor(&invoice).min(left);
        if take > 0 {
            left -= take;
            allocations.push(Allocation {
                invoice,
                amount: Money::from_minor(take, amount.currency()),
            });
        }
    }
    allocations
}

fn posting(account: &str, side: Side, amount: Money) -> Option<Posting> {
    (amount.minor() > 0).then(|| Posting {
        account_code: account.into(),
        side,
        amount,
    })
}

fn balanced(postings: Vec<Option<Posting>>) -> AppResult<BalancedEntry> {
    BalancedEntry::try_new(postings.into_iter().flatten().collect())
        .map_err(|error| AppError::internal(format!("receivables posting: {error}")))
}

/// Settles each allocation and writes its application row; returns the total applied.
#[allow(clippy::too_many_arguments)]
async fn apply_all<C: ConnectionTrait>(
    connection: &C,
    allocations: &[Allocation],
    kind: MovementKind,
    payment_id: Option<i64>,
    credit_id: Option<i64>,
    on: NaiveDate,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<Vec<invoice::Model>> {
    let mut settled = Vec::new();
    for (index, allocation) in allocations.iter().enumerate() {
        let after = repo::settle(
            connection,
            allocation.invoice.id,
            Settlement::Paid,
            kind,
            allocation.amount,
            on,
            payment_id.or(credit_id),
            now,
        )
        .await
        .map_err(|error| match error {
            AppError::Validation { field, message } => AppError::Validation {
                field: format!("allocations.{index}.{field}"),
                message,
            },
            other => other,
        })?;
        ar_application::ActiveModel {
            invoice_id: Set(allocation.invoice.id),
            payment_id: Set(payment_id),
            credit_id: Set(credit_id),
            amount_minor: Set(allocation.amount.minor()),
            applied_on: Set(on),
            journal_entry_id: Set(None),
            created_by: Set(actor.user_id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(connection)
        .await?;
        settled.push(after);
    }
    Ok(settled)
}

/// Keeps the customer's payment history current: a first paid invoice, a late payer.
async fn update_history<C: ConnectionTrait>(
    connection: &C,
    customer_id: i64,
    settled: &[invoice::Model],
    on: NaiveDate,
) -> AppResult<()> {
    let paid: Vec<&invoice::Model> = settled
        .iter()
        .filter(|invoice| invoice.status == "paid")
        .collect();
    if paid.is_empty() {
        return Ok(());
    }
    let late = paid.iter().any(|invoice| {
        invoice
            .due_date
            .is_some_and(|due| (on - due).num_days() > 30)
    });
    let customer = customers::find_model(connection, customer_id).await?;
    let history = customers::History {
        has_paid_invoice: true,
        prior_late_payer: customer.prior_late_payer || late,
    };
    if history.has_paid_invoice != customer.has_paid_invoice
        || history.prior_late_payer != customer.prior_late_payer
    {
        customers::set_payment_history(connection, customer_id, history).await?;
    }
    Ok(())
}

/// Takes `amount` from the customer's credits oldest first, guarded against racing draws.
/// Returns (credit id, amount) pieces.
async fn draw_credits<C: ConnectionTrait>(
    connection: &C,
    customer_id: i64,
    amount: Money,
) -> AppResult<Vec<(i64, i64)>> {
    let credits = customer_credit::Entity::find()
        .filter(customer_credit::Column::CustomerId.eq(customer_id))
        .filter(customer_credit::Column::Currency.eq(amount.currency().code()))
        .filter(customer_credit::Column::RemainingMinor.gt(0))
        .order_by_asc(customer_credit::Column::CreatedOn)
        .order_by_asc(customer_credit::Column::Id)
        .all(connection)
        .await?;
    let available: i64 = credits.iter().map(|credit| credit.remaining_minor).sum();
    if available < amount.minor() {
        return Err(AppError::validation(
            "amount",
            format!(
                "The customer has {} of credit; {amount} is more than that.",
                Money::from_minor(available, amount.currency())
            ),
        ));
    }
    let mut left = amount.minor();
    let mut pieces = Vec::new();
    for credit in credits {
        if left == 0 {
            break;
        }
        let take = credit.remaining_minor.min(left);
        let drawn = customer_credit::Entity::update_many()
            .col_expr(
                customer_credit::Column::RemainingMinor,
                Expr::col(customer_credit::Column::RemainingMinor).sub(take),
            )
            .filter(customer_credit::Column::Id.eq(credit.id))
            .filter(customer_credit::Column::RemainingMinor.gte(take))
            .exec(connection)
            .await?;
        if drawn.rows_affected != 1 {
            return Err(AppError::Conflict(
                "The customer's credit changed meanwhile; try again.".into(),
            ));
        }
        pieces.push((credit.id, take));
        left -= take;
    }
    Ok(pieces)
}

/// Adds customer credit (an overpayment, or a credit memo on a paid invoice).
pub(super) async fn add_credit<C: ConnectionTrait>(
    connection: &C,
    customer_id: i64,
    source: &str,
    source_id: i64,
    amount: Money,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    customer_credit::ActiveModel {
        customer_id: Set(customer_id),
        currency: Set(amount.currency().code().into()),
        source: Set(source.into()),
        source_id: Set(source_id),
        amount_minor: Set(amount.minor()),
        remaining_minor: Set(amount.minor()),
        created_on: Set(on),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(connection)
    .await?;
    Ok(())
}

fn check_not_future(field: &str, date: NaiveDate, today: NaiveDate) -> AppResult<()> {
    if date > today {
        return Err(AppError::validation(
            field,
            format!("{date} is in the future; record money when it has moved."),
        ));
    }
    Ok(())
}

impl ReceivablesService {
    async fn payment_model(&self, id: i64) -> AppResult<payment::Model> {
        payment::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found(format!("There is no payment with id {id}.")))
    }

    pub async fn payment(&self, actor: &Actor, id: i64) -> AppResult<Payment> {
        actor.require(Permission::ReceivablesRead)?;
        let model = self.payment_model(id).await?;
        self.check_customer_visible(actor, model.customer_id)
            .await?;
        payment_from_model(model)
    }

    /// Newest first; for one customer when given.
    pub async fn payments(
        &self,
        actor: &Actor,
        customer_id: Option<i64>,
        order: (PaymentSort, SortDirection),
        page: PageRequest,
    ) -> AppResult<Page<Payment>> {
        actor.require(Permission::ReceivablesRead)?;
        let mut query = payment::Entity::find();
        if let Some(own) = super::own_customers(actor) {
            query = query.filter(payment::Column::CustomerId.in_subquery(own));
        }
        if let Some(customer_id) = customer_id {
            query = query.filter(payment::Column::CustomerId.eq(customer_id));
        }
        let total = query.clone().count(&self.db).await?;
        let (sort, direction) = order;
        let direction = direction.order();
        let query = match sort {
            PaymentSort::ReceivedOn => query,
            PaymentSort::Amount => query
                .order_by_asc(payment::Column::Currency)
                .order_by(payment::Column::AmountMinor, direction.clone()),
            PaymentSort::Unapplied => query
                .order_by_asc(payment::Column::Currency)
                .order_by(payment::Column::UnappliedMinor, direction.clone()),
            PaymentSort::Method => query.order_by(payment::Column::Method, direction.clone()),
            PaymentSort::Reference => query.order_by(payment::Column::Reference, direction.clone()),
        };
        // Ties fall back to the day received and the id, so a page boundary never shows a row
        // twice or skips one.
        let date_order = if sort == PaymentSort::ReceivedOn {
            direction
        } else {
            sea_orm::Order::Desc
        };
        let rows = query
            .order_by(payment::Column::ReceivedOn, date_order.clone())
            .order_by(payment::Column::Id, date_order)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Page::new(rows, page, total).try_map(payment_from_model)
    }

    /// Applications of a payment, or to an invoice.
    pub async fn applications(
        &self,
        payment_id: Option<i64>,
        invoice_id: Option<i64>,
    ) -> AppResult<Vec<Application>> {
        let mut query = ar_application::Entity::find();
        if let Some(id) = payment_id {
            query = query.filter(ar_application::Column::PaymentId.eq(id));
        }
        if let Some(id) = invoice_id {
            query = query.filter(ar_application::Column::InvoiceId.eq(id));
        }
        let rows = query
            .order_by_asc(ar_application::Column::Id)
            .limit(500)
            .all(&self.db)
            .await?;
        self.applications_of(rows).await
    }

    async fn applications_of(
        &self,
        rows: Vec<ar_application::Model>,
    ) -> AppResult<Vec<Application>> {
        let invoices = invoice::Entity::find()
            .filter(invoice::Column::Id.is_in(rows.iter().map(|row| row.invoice_id)))
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|row| {
                let invoice = invoices
                    .iter()
                    .find(|invoice| invoice.id == row.invoice_id)
                    .ok_or_else(|| AppError::internal("application without invoice"))?;
                Ok(Application {
                    id: row.id,
                    invoice_id: row.invoice_id,
                    invoice_number: invoice.number.clone().unwrap_or_default(),
                    payment_id: row.payment_id,
                    credit_id: row.credit_id,
                    amount: Money::from_minor(
                        row.amount_minor,
                        Currency::parse(&invoice.currency)?,
                    ),
                    applied_on: row.applied_on,
                })
            })
            .collect()
    }

    /// The customer's credits with something left, oldest first.
    pub async fn credits(&self, actor: &Actor, customer_id: i64) -> AppResult<Vec<CustomerCredit>> {
        actor.require(Permission::ReceivablesRead)?;
        self.check_customer_visible(actor, customer_id).await?;
        customer_credit::Entity::find()
            .filter(customer_credit::Column::CustomerId.eq(customer_id))
            .filter(customer_credit::Column::RemainingMinor.gt(0))
            .order_by_asc(customer_credit::Column::CreatedOn)
            .order_by_asc(customer_credit::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(credit_from_model)
            .collect()
    }

    async fn credit_application(&self, journal_entry_id: i64) -> AppResult<CreditApplication> {
        let rows = ar_application::Entity::find()
            .filter(ar_application::Column::JournalEntryId.eq(journal_entry_id))
            .order_by_asc(ar_application::Column::Id)
            .all(&self.db)
            .await?;
        Ok(CreditApplication {
            journal_entry_id,
            applications: self.applications_of(rows).await?,
        })
    }

    /// Pays customer credit back: Dr customer credits · Cr cash.
    pub async fn refund(&self, actor: &Actor, input: RefundInput) -> AppResult<Refund> {
        actor.require(Permission::RefundIssue)?;
        let customer_id = parse_id("customerId", &input.customer_id)?;
        let amount = input.amount.parse("amount")?;
        if amount.minor() <= 0 {
            return Err(AppError::validation(
                "amount.amount",
                "A refund must be more than zero.",
            ));
        }
        let today = self.clock.today();
        let refunded_on = input.refunded_on.map(|date| date.0).unwrap_or(today);
        check_not_future("refundedOn", refunded_on, today)?;
        let reference = require_text("reference", &input.reference, 200)?;
        let request = serde_json::to_string(&serde_json::json!({
            "customerId": customer_id,
            "amount": amount.minor(),
            "currency": amount.currency().code(),
            "refundedOn": refunded_on,
            "reference": reference,
        }))?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        if let Claim::Replay(id) = idempotency::claim(
            &transaction,
            "refund",
            &input.idempotency_key,
            &request,
            actor.user_id,
            now,
        )
        .await?
        {
            transaction.commit().await?;
            return self.refund_by_id(id).await;
        }
        let customer = customers::find_model(&transaction, customer_id).await?;
        draw_credits(&transaction, customer_id, amount)
            .await
            .map_err(|error| match error {
                AppError::Validation { message, .. } => {
                    AppError::validation("amount.amount", message)
                }
                other => other,
            })?;
        let entry = balanced(vec![
            posting(CUSTOMER_CREDITS, Side::Debit, amount),
            posting(CASH, Side::Credit, amount),
        ])?;
        let posted = ledger::post_entry(
            &transaction,
            Some(actor),
            now,
            EntryHeader {
                entry_date: refunded_on,
                memo: format!("Refund {reference} to {}", customer.legal_name),
                source: format!("refund:{customer_id}"),
                idempotency_key: None,
            },
            &entry,
            None,
        )
        .await?;
        let model = refund::ActiveModel {
            customer_id: Set(customer_id),
            currency: Set(amount.currency().code().into()),
            amount_minor: Set(amount.minor()),
            refunded_on: Set(refunded_on),
            reference: Set(reference),
            idempotency_key: Set(input.idempotency_key.trim().to_string()),
            request_json: Set(request),
            journal_entry_id: Set(Some(posted.id)),
            created_by: Set(actor.user_id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let created = refund_from_model(model)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "refund.issue",
                entity_type: "refund",
                entity_id: created.id.to_string(),
                before: None,
                after: Some(&created),
            },
        )
        .await?;
        idempotency::complete(&transaction, "refund", &input.idempotency_key, created.id).await?;
        transaction.commit().await?;
        Ok(created)
    }

    async fn refund_by_id(&self, id: i64) -> AppResult<Refund> {
        refund_from_model(
            refund::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .ok_or_else(|| AppError::not_found(format!("There is no refund with id {id}.")))?,
        )
    }
}

fn refund_from_model(model: refund::Model) -> AppResult<Refund> {
    Ok(Refund {
        id: model.id,
        customer_id: model.customer_id,
        amount: Money::from_minor(model.amount_minor, Currency::parse(&model.currency)?),
        refunded_on: model.refunded_on,
        reference: model.reference,
        journal_entry_id: model.journal_entry_id,
    })
}

/// The column a payment list is ordered by. Amounts order within each currency.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaymentSort {
    /// The day the money arrived (newest first when no order is asked for).
    #[default]
    ReceivedOn,
    Amount,
    /// What is left to apply to invoices.
    Unapplied,
    Method,
    Reference,
}
