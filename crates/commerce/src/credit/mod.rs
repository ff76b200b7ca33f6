//! Credit exposure and the credit check (DOMAIN, "Credit policy"). A customer's exposure is read
//! from its open and held invoices, the recurring charges its running lines bill in the next 30
//! days and the customer credit it holds; deal approval, renewal and the bill run check what they
//! add against the customer's credit limit, and the customer page and the dashboard show it. The
//! rule itself is pure, in `rules`.

pub mod rules;

use crate::access::{Actor, Permission};
use crate::entities::{
    contract, contract_line, contract_line_change, customer, customer_credit, invoice,
};
use crate::error::{AppError, AppResult};
use crate::fx::Rates;
use crate::money::{Currency, Money};
use chrono::NaiveDate;
use revops_terms::lines::BillableLine;
use revops_terms::schedule::LineTerms;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeMap, HashMap};

pub use rules::{check, CreditCheck, Exposure, WINDOW_DAYS};

/// Ids per `IN` list, well under both databases' parameter caps.
const CHUNK: usize = 1_000;

/// The customer facts the credit check reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditHolder {
    pub id: i64,
    pub legal_name: String,
    pub billing_currency: String,
    pub credit_limit_minor: i64,
    /// A new customer or a prior late payer: the credit policy takes a deposit above the limit.
    pub takes_deposit: bool,
}

impl From<&customer::Model> for CreditHolder {
    fn from(model: &customer::Model) -> CreditHolder {
        CreditHolder {
            id: model.id,
            legal_name: model.legal_name.clone(),
            billing_currency: model.billing_currency.clone(),
            credit_limit_minor: model.credit_limit_minor,
            takes_deposit: !model.has_paid_invoice || model.prior_late_payer,
        }
    }
}

/// Amounts per customer and currency (minor units).
type ByCurrency = HashMap<i64, BTreeMap<String, i64>>;

/// What a customer owes or will be billed soon, per currency, before conversion.
#[derive(Default)]
struct Owed {
    open: ByCurrency,
    waiting: ByCurrency,
    scheduled: ByCurrency,
    credit: ByCurrency,
}

/// The exposure of each customer in `customers` on `as_of` (the DOMAIN rule: open invoices, held
/// drafts and recurring charges due after `as_of` within the window, less customer credit held),
/// in each one's limit currency. Each currency's sum is converted once at the rates of `as_of`.
pub async fn exposures<C: ConnectionTrait>(
    connection: &C,
    customers: &[customer::Model],
    as_of: NaiveDate,
    rates: &Rates,
) -> AppResult<HashMap<i64, Exposure>> {
    let ids: Vec<i64> = customers.iter().map(|customer| customer.id).collect();
    let mut lines = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        lines.extend(running_lines(connection, Some(chunk), as_of).await?);
    }
    let theirs: Vec<&BillableLine> = lines.iter().collect();
    exposures_with_lines(connection, customers, &theirs, as_of, rates).await
}

/// One customer's credit check on `as_of`: its exposure, plus what `lines` (a new deal's, a
/// renewal's; none for the exposure as it stands) bill within the window, as `what` adds it.
pub async fn check_customer<C: ConnectionTrait>(
    connection: &C,
    customer: &customer::Model,
    lines: &[LineTerms],
    what: Option<&str>,
    as_of: NaiveDate,
    functional: Currency,
) -> AppResult<CreditCheck> {
    let rates = Rates::load(connection, functional).await?;
    let mut exposure = exposures(connection, std::slice::from_ref(customer), as_of, &rates)
        .await?
        .remove(&customer.id)
        .ok_or_else(|| AppError::internal("exposure of a customer read just now"))?;
    let adding = adding(lines, as_of, &rates, &mut exposure)?;
    Ok(check(&exposure, adding, what)?)
}

/// As `exposures`, with the customers' lines already read (the bill run's): only the invoices
/// are read here.
pub async fn exposures_with_lines<C: ConnectionTrait>(
    connection: &C,
    customers: &[customer::Model],
    lines: &[&BillableLine],
    as_of: NaiveDate,
    rates: &Rates,
) -> AppResult<HashMap<i64, Exposure>> {
    let ids: Vec<i64> = customers.iter().map(|customer| customer.id).collect();
    let mut owed = Owed::default();
    for chunk in ids.chunks(CHUNK) {
        invoiced(connection, Some(chunk), &mut owed).await?;
    }
    add_scheduled(lines.iter().copied(), as_of, &mut owed)?;
    convert_all(customers, &owed, as_of, rates)
}

fn convert_all(
    customers: &[customer::Model],
    owed: &Owed,
    as_of: NaiveDate,
    rates: &Rates,
) -> AppResult<HashMap<i64, Exposure>> {
    customers
        .iter()
        .map(|customer| {
            Ok((
                customer.id,
                convert(&CreditHolder::from(customer), owed, as_of, rates)?,
            ))
        })
        .collect()
}

/// Every customer whose exposure on `as_of` is over its credit limit (or cannot be converted),
/// with its check, largest excess first; for the dashboard's alerts. Checks only customers with
/// something owed, scheduled or held.
pub async fn over_limit<C: ConnectionTrait>(
    connection: &C,
    as_of: NaiveDate,
    rates: &Rates,
) -> AppResult<Vec<(CreditHolder, CreditCheck)>> {
    let mut owed = Owed::default();
    invoiced(connection, None, &mut owed).await?;
    let lines = running_lines(connection, None, as_of).await?;
    add_scheduled(lines.iter(), as_of, &mut owed)?;
    let ids: std::collections::BTreeSet<i64> = owed
        .open
        .keys()
        .chain(owed.waiting.keys())
        .chain(owed.scheduled.keys())
        .chain(owed.credit.keys())
        .copied()
        .collect();
    // Only the columns the check reads, of every customer (one query beats thousands of ids).
    let customers: Vec<(i64, String, String, i64, bool, bool)> = customer::Entity::find()
        .select_only()
        .column(customer::Column::Id)
        .column(customer::Column::LegalName)
        .column(customer::Column::BillingCurrency)
        .column(customer::Column::CreditLimitMinor)
        .column(customer::Column::HasPaidInvoice)
        .column(customer::Column::PriorLatePayer)
        .into_tuple()
        .all(connection)
        .await?;
    let mut over = Vec::new();
    for (id, legal_name, billing_currency, credit_limit_minor, has_paid, late) in customers {
        if !ids.contains(&id) {
            continue;
        }
        let customer = CreditHolder {
            id,
            legal_name,
            billing_currency,
            credit_limit_minor,
            takes_deposit: !has_paid || late,
        };
        let exposure = convert(&customer, &owed, as_of, rates)?;
        let checked = check(&exposure, Money::zero(exposure.currency()), None)?;
        if checked.needs_vp_finance {
            over.push((customer, checked));
        }
    }
    over.sort_by(|(a, left), (b, right)| {
        right
            .over_by
            .map(|money| money.minor())
            .cmp(&left.over_by.map(|money| money.minor()))
            .then_with(|| a.legal_name.cmp(&b.legal_name))
    });
    Ok(over)
}

/// What `lines` (a new deal's, a renewal's) bill by the end of the window from `as_of`, in
/// `exposure`'s currency; an amount in a currency without a rate is named in `unconverted`.
pub fn adding(
    lines: &[LineTerms],
    as_of: NaiveDate,
    rates: &Rates,
    exposure: &mut Exposure,
) -> AppResult<Money> {
    let until = rules::window_end(as_of);
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for terms in lines {
        for charge in terms.recurring_due(until, None)? {
            *sums
                .entry(charge.amount.currency().code().to_string())
                .or_default() += charge.amount.minor();
        }
    }
    in_currency(
        &sums,
        exposure.currency(),
        as_of,
        rates,
        &mut exposure.unconverted,
    )
}

/// Open amounts of issued invoices, totals of drafts and customer credit held, per customer and
/// currency.
async fn invoiced<C: ConnectionTrait>(
    connection: &C,
    customer_ids: Option<&[i64]>,
    owed: &mut Owed,
) -> AppResult<()> {
    let mut query = invoice::Entity::find()
        .select_only()
        .column(invoice::Column::CustomerId)
        .column(invoice::Column::Currency)
        .column(invoice::Column::Status)
        .column_as(
            // What is still owed on each invoice, never below zero (`receivables::repo::open_minor`);
            // a draft is owed whole once it is issued.
            Expr::cust(
                "CAST(SUM(CASE WHEN status = 'draft' THEN total_minor \
                 WHEN total_minor - paid_minor - credited_minor - written_off_minor > 0 \
                 THEN total_minor - paid_minor - credited_minor - written_off_minor ELSE 0 END) AS BIGINT)",
            ),
            "amount",
        )
        .filter(invoice::Column::Status.is_in(["draft", "issued", "partially_paid"]))
        .group_by(invoice::Column::CustomerId)
        .group_by(invoice::Column::Currency)
        .group_by(invoice::Column::Status);
    if let Some(ids) = customer_ids {
        query = query.filter(invoice::Column::CustomerId.is_in(ids.iter().copied()));
    }
    let rows: Vec<(i64, String, String, Option<i64>)> = query.into_tuple().all(connection).await?;
    let mut held = customer_credit::Entity::find()
        .select_only()
        .column(customer_credit::Column::CustomerId)
        .column(customer_credit::Column::Currency)
        .column_as(
            Expr::cust("CAST(SUM(remaining_minor) AS BIGINT)"),
            "remaining",
        )
        .filter(customer_credit::Column::RemainingMinor.gt(0))
        .group_by(customer_credit::Column::CustomerId)
        .group_by(customer_credit::Column::Currency);
    if let Some(ids) = customer_ids {
        held = held.filter(customer_credit::Column::CustomerId.is_in(ids.iter().copied()));
    }
    let credits: Vec<(i64, String, Option<i64>)> = held.into_tuple().all(connection).await?;
    for (customer_id, currency, remaining) in credits {
        *owed
            .credit
            .entry(customer_id)
            .or_default()
            .entry(currency)
            .or_default() += remaining.unwrap_or(0);
    }
    for (customer_id, currency, status, amount) in rows {
        let target = if status == "draft" {
            &mut owed.waiting
        } else {
            &mut owed.open
        };
        *target
            .entry(customer_id)
            .or_default()
            .entry(currency)
            .or_default() += amount.unwrap_or(0);
    }
    Ok(())
}

/// Subscription lines of the customers (all when `None`) still running after `as_of` and
/// started by the window's end, with their changes: the lines that can bill in the window.
async fn running_lines<C: ConnectionTrait>(
    connection: &C,
    customer_ids: Option<&[i64]>,
    as_of: NaiveDate,
) -> AppResult<Vec<BillableLine>> {
    let until = rules::window_end(as_of);
    let mut contracts = contract::Entity::find()
        .select_only()
        .column(contract::Column::Id)
        .column(contract::Column::CustomerId)
        .filter(contract::Column::EndDate.gt(as_of))
        .filter(contract::Column::StartDate.lte(until));
    if let Some(ids) = customer_ids {
        contracts = contracts.filter(contract::Column::CustomerId.is_in(ids.iter().copied()));
    }
    let owners: HashMap<i64, i64> = contracts
        .into_tuple::<(i64, i64)>()
        .all(connection)
        .await?
        .into_iter()
        .collect();
    let lines = contract_line::Entity::find()
        .filter(contract_line::Column::Kind.eq("subscription"))
        .filter(contract_line::Column::EndDate.gt(as_of))
        .filter(contract_line::Column::StartDate.lte(until));
    // Every customer (the dashboard): one read of the running lines and of all changes, rather
    // than lists of ids; a few customers: their contracts' lines and those lines' changes.
    let (models, line_changes) = match customer_ids {
        None => {
            let models: Vec<contract_line::Model> = lines
                .all(connection)
                .await?
                .into_iter()
                .filter(|line| owners.contains_key(&line.contract_id))
                .collect();
            let changes = contract_line_change::Entity::find().all(connection).await?;
            (models, changes)
        }
        Some(_) => {
            let models = crate::lookup::find_in(
                connection,
                lines,
                contract_line::Column::ContractId,
                owners.keys().copied(),
            )
            .await?;
            let changes = crate::lookup::find_in(
                connection,
                contract_line_change::Entity::find(),
                contract_line_change::Column::ContractLineId,
                models.iter().map(|line| line.id),
            )
            .await?;
            (models, changes)
        }
    };
    revops_terms::lines::assemble(models, &owners, line_changes)
}

/// Adds each line's recurring charges due after `as_of` and by the window's end.
fn add_scheduled<'a>(
    lines: impl Iterator<Item = &'a BillableLine>,
    as_of: NaiveDate,
    owed: &mut Owed,
) -> AppResult<()> {
    let until = rules::window_end(as_of);
    for line in lines {
        for charge in line.terms.recurring_due(until, Some(as_of))? {
            *owed
                .scheduled
                .entry(line.customer_id)
                .or_default()
                .entry(charge.amount.currency().code().to_string())
                .or_default() += charge.amount.minor();
        }
    }
    Ok(())
}

/// One customer's amounts in its limit's currency.
fn convert(
    customer: &CreditHolder,
    owed: &Owed,
    as_of: NaiveDate,
    rates: &Rates,
) -> AppResult<Exposure> {
    let currency = Currency::parse(&customer.billing_currency)?;
    let limit = Money::from_minor(customer.credit_limit_minor, currency);
    let mut exposure = Exposure::nothing(&customer.legal_name, limit);
    exposure.takes_deposit = customer.takes_deposit;
    let empty = BTreeMap::new();
    let of = |part: &ByCurrency| part.get(&customer.id).unwrap_or(&empty).clone();
    let parts = [
        (&owed.open, &mut exposure.open),
        (&owed.waiting, &mut exposure.waiting),
        (&owed.scheduled, &mut exposure.scheduled),
        (&owed.credit, &mut exposure.credit),
    ];
    for (part, into) in parts {
        *into = in_currency(&of(part), currency, as_of, rates, &mut exposure.unconverted)?;
    }
    Ok(exposure)
}

/// The sum of `sums` in `target`: each currency's sum converted once (the one conversion rule,
/// `fx::Rates::convert`); a currency with no rate is named in `unconverted` and left out.
fn in_currency(
    sums: &BTreeMap<String, i64>,
    target: Currency,
    on: NaiveDate,
    rates: &Rates,
    unconverted: &mut Vec<String>,
) -> AppResult<Money> {
    let mut total = Money::zero(target);
    for (code, &amount) in sums {
        if amount == 0 {
            continue;
        }
        let currency = Currency::parse(code)?;
        match rates.convert(amount, currency, target, on) {
            Some(converted) => total = total.checked_add(Money::from_minor(converted, target))?,
            None => {
                if !unconverted.contains(code) {
                    unconverted.push(code.clone());
                }
            }
        }
    }
    Ok(total)
}

/// Reads customers' exposure for the customer page.
#[derive(Clone)]
pub struct CreditService {
    db: sea_orm::DatabaseConnection,
    clock: crate::clock::SharedClock,
    functional: Currency,
}

impl CreditService {
    pub fn new(
        db: sea_orm::DatabaseConnection,
        clock: crate::clock::SharedClock,
        functional: Currency,
    ) -> CreditService {
        CreditService {
            db,
            clock,
            functional,
        }
    }

    /// The customer's exposure today against its limit.
    pub async fn exposure(&self, actor: &Actor, customer_id: i64) -> AppResult<CreditCheck> {
        actor.require(Permission::CustomerRead)?;
        let customer = crate::customers::find_model(&self.db, customer_id).await?;
        check_customer(
            &self.db,
            &customer,
            &[],
            None,
            self.clock.today(),
            self.functional,
        )
        .await
    }

    /// Customers over their credit limit today, largest excess first.
    pub async fn over_limit(&self) -> AppResult<Vec<(CreditHolder, CreditCheck)>> {
        let rates = Rates::load(&self.db, self.functional).await?;
        over_limit(&self.db, self.clock.today(), &rates).await
    }
}
