//! The recurring book: every subscription line (with its seat changes and cancellation) that
//! started by a date, read in two lean queries, and the MRR per customer or contract it gives
//! on any date.

use crate::billing::periods::Alignment;
use crate::billing::repo::{change_from_model, decimal};
use crate::billing::schedule::LineTerms;
use crate::deals::{BillingFrequency, ContractLineKind};
use crate::entities::{contract, contract_line, contract_line_change};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter};
use std::collections::{BTreeMap, HashMap};

use super::rules::{line_mrr, round_minor};

/// One subscription line of the book.
#[derive(Debug, Clone)]
pub struct BookLine {
    pub line_id: i64,
    pub contract_id: i64,
    pub customer_id: i64,
    pub terms: LineTerms,
}

#[derive(Debug, FromQueryResult)]
struct LineRow {
    id: i64,
    contract_id: i64,
    customer_id: i64,
    product_name: String,
    quantity: String,
    unit_price_minor: i64,
    currency: String,
    billing_frequency: Option<String>,
    start_date: NaiveDate,
    end_date: NaiveDate,
    discount_json: Option<String>,
    billing_anchor: Option<NaiveDate>,
}

/// Every subscription line (started on or before `until`, when given) of the customers `own`
/// selects (all when `None`).
#[derive(Debug, Clone, Default)]
pub struct RecurringBook {
    pub lines: Vec<BookLine>,
    /// Each customer's first subscription day: a customer from nothing who started before the
    /// window is a reactivation, not new.
    pub first_start: HashMap<i64, NaiveDate>,
}

fn line_ids(until: Option<NaiveDate>, own: Option<SelectStatement>) -> SelectStatement {
    let mut query = Query::select()
        .column((contract_line::Entity, contract_line::Column::Id))
        .from(contract_line::Entity)
        .inner_join(
            contract::Entity,
            Expr::col((contract::Entity, contract::Column::Id))
                .equals((contract_line::Entity, contract_line::Column::ContractId)),
        )
        .and_where(
            Expr::col((contract_line::Entity, contract_line::Column::Kind))
                .eq(ContractLineKind::Subscription.as_str()),
        )
        .to_owned();
    if let Some(until) = until {
        query.and_where(
            Expr::col((contract_line::Entity, contract_line::Column::StartDate)).lte(until),
        );
    }
    if let Some(own) = own {
        query.and_where(
            Expr::col((contract::Entity, contract::Column::CustomerId)).in_subquery(own),
        );
    }
    query
}

impl RecurringBook {
    pub async fn load<C: ConnectionTrait>(
        connection: &C,
        until: Option<NaiveDate>,
        own: Option<SelectStatement>,
    ) -> AppResult<RecurringBook> {
        let mut query = line_ids(until, own.clone());
        query
            .clear_selects()
            .columns([
                (contract_line::Entity, contract_line::Column::Id),
                (contract_line::Entity, contract_line::Column::ContractId),
                (contract_line::Entity, contract_line::Column::ProductName),
                (contract_line::Entity, contract_line::Column::Quantity),
                (contract_line::Entity, contract_line::Column::UnitPriceMinor),
                (contract_line::Entity, contract_line::Column::Currency),
                (
                    contract_line::Entity,
                    contract_line::Column::BillingFrequency,
                ),
                (contract_line::Entity, contract_line::Column::StartDate),
                (contract_line::Entity, contract_line::Column::EndDate),
                (contract_line::Entity, contract_line::Column::DiscountJson),
                (contract_line::Entity, contract_line::Column::BillingAnchor),
            ])
            .column((contract::Entity, contract::Column::CustomerId));
        let statement = connection.get_database_backend().build(&query);
        let rows = LineRow::find_by_statement(statement)
            .all(connection)
            .await?;
        let mut changes: HashMap<i64, Vec<_>> = HashMap::new();
        for change in contract_line_change::Entity::find()
            .filter(contract_line_change::Column::ContractLineId.in_subquery(line_ids(until, own)))
            .filter(until.map_or(sea_orm::Condition::all(), |until| {
                sea_orm::Condition::all()
                    .add(contract_line_change::Column::EffectiveDate.lte(until))
            }))
            .all(connection)
            .await?
        {
            changes
                .entry(change.contract_line_id)
                .or_default()
                .push(change_from_model(&change)?);
        }
        let mut book = RecurringBook::default();
        for row in rows {
            let currency = Currency::parse(&row.currency)?;
            let terms = LineTerms {
                // Periods as billing counts them (a plan change's line keeps the old anchor), so
                // a discount for some periods covers the same days here as on the invoices.
                anchor: row.billing_anchor,
                replaced_by: None,
                kind: ContractLineKind::Subscription,
                product: row.product_name,
                quantity: decimal("quantity", &row.quantity)?,
                unit_price: Money::from_minor(row.unit_price_minor, currency),
                frequency: row
                    .billing_frequency
                    .as_deref()
                    .and_then(BillingFrequency::parse),
                alignment: Alignment::Anniversary,
                start: row.start_date,
                end: row.end_date,
                delivered_on: None,
                accepted_on: None,
                changes: changes.remove(&row.id).unwrap_or_default(),
                billed_through: None,
                // MRR counts whole periods' prices; the convention prices only parts of them.
                proration: Default::default(),
                in_arrears: false,
                discount: row
                    .discount_json
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(|error| {
                        AppError::internal(format!("line {} discount: {error}", row.id))
                    })?,
            };
            let first = book
                .first_start
                .entry(row.customer_id)
                .or_insert(row.start_date);
            *first = (*first).min(row.start_date);
            book.lines.push(BookLine {
                line_id: row.id,
                contract_id: row.contract_id,
                customer_id: row.customer_id,
                terms,
            });
        }
        Ok(book)
    }

    /// The subscription lines of some contracts (the renewal pipeline's).
    pub async fn load_contracts<C: ConnectionTrait>(
        connection: &C,
        contract_ids: &[i64],
    ) -> AppResult<RecurringBook> {
        let mut book = RecurringBook::default();
        for line in crate::billing::repo::billable_lines(connection, Some(contract_ids)).await? {
            if line.terms.kind != ContractLineKind::Subscription {
                continue;
            }
            let first = book
                .first_start
                .entry(line.customer_id)
                .or_insert(line.terms.start);
            *first = (*first).min(line.terms.start);
            book.lines.push(BookLine {
                line_id: line.line_id,
                contract_id: line.contract_id,
                customer_id: line.customer_id,
                terms: line.terms,
            });
        }
        Ok(book)
    }

    /// MRR on `on` per key (customer or contract) and currency, each rounded once.
    pub fn mrr_by(
        &self,
        on: NaiveDate,
        key: impl Fn(&BookLine) -> i64,
    ) -> BTreeMap<(i64, Currency), i64> {
        let mut sums: BTreeMap<(i64, Currency), Decimal> = BTreeMap::new();
        for line in &self.lines {
            let value = line_mrr(&line.terms, on);
            if !value.is_zero() {
                *sums
                    .entry((key(line), line.terms.unit_price.currency()))
                    .or_default() += value;
            }
        }
        sums.into_iter()
            .map(|(key, value)| (key, round_minor(value)))
            .collect()
    }

    /// Whether the customer had a subscription before `date`.
    pub fn started_before(&self, customer_id: i64, date: NaiveDate) -> bool {
        self.first_start
            .get(&customer_id)
            .is_some_and(|first| *first < date)
    }
}

/// What the recurring book depends on: a write that changes MRR adds a line, a contract or a
/// line change, so these counts and highest ids move with every such write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromQueryResult)]
struct Fingerprint {
    lines: i64,
    last_line: Option<i64>,
    changes: i64,
    last_change: Option<i64>,
    contracts: i64,
}

/// The book last read and the fingerprint it was read at.
type Cached = Option<(Fingerprint, std::sync::Arc<RecurringBook>)>;

/// The whole recurring book, read once and reused while the database's fingerprint is
/// unchanged (checked on every use, so several instances sharing one database stay right).
/// A reader restricted to their own book gets a fresh read of just that book.
#[derive(Clone, Default)]
pub struct Books {
    cached: std::sync::Arc<std::sync::Mutex<Cached>>,
}

impl Books {
    pub async fn get<C: ConnectionTrait>(
        &self,
        connection: &C,
        own: Option<SelectStatement>,
    ) -> AppResult<std::sync::Arc<RecurringBook>> {
        if own.is_some() {
            return Ok(std::sync::Arc::new(
                RecurringBook::load(connection, None, own).await?,
            ));
        }
        let statement = sea_orm::Statement::from_string(
            connection.get_database_backend(),
            "SELECT CAST((SELECT COUNT(*) FROM contract_lines) AS BIGINT) AS lines, \
             (SELECT MAX(id) FROM contract_lines) AS last_line, \
             CAST((SELECT COUNT(*) FROM contract_line_changes) AS BIGINT) AS changes, \
             (SELECT MAX(id) FROM contract_line_changes) AS last_change, \
             CAST((SELECT COUNT(*) FROM contracts) AS BIGINT) AS contracts",
        );
        let fingerprint = Fingerprint::find_by_statement(statement)
            .one(connection)
            .await?
            .ok_or_else(|| crate::error::AppError::internal("no book fingerprint"))?;
        if let Ok(cached) = self.cached.lock() {
            if let Some((seen, book)) = cached.as_ref() {
                if *seen == fingerprint {
                    return Ok(book.clone());
                }
            }
        }
        let book = std::sync::Arc::new(RecurringBook::load(connection, None, None).await?);
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some((fingerprint, book.clone()));
        }
        Ok(book)
    }
}
