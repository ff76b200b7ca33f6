//! AR aging as of any date. Totals read the aging cells (one row per aging date and movement
//! date, whatever the number of invoices); customer pages and drill-downs read only the invoices
//! open on the date, found by `issue_date <= D < settled_on`.

use super::aging::{days_old, AgingBasis, AgingBucket, BucketTotals};
use super::{own_customers, ReceivablesService};
use crate::access::{Actor, Permission};
use crate::entities::{ar_aging_cell, ar_movement, customer, invoice};
use crate::error::AppResult;
use crate::fx::Rates;
use crate::money::{Currency, Money};
use crate::pagination::{Page, PageRequest};
use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, CaseStatement, Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::BTreeMap;

/// Aging of one currency.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AgingSummary {
    pub currency: Currency,
    pub totals: BucketTotals,
}

impl AgingSummary {
    pub fn total(&self) -> Money {
        Money::from_minor(self.totals.total(), self.currency)
    }
}

#[derive(Debug, Clone)]
pub struct AgingReport {
    pub as_of: NaiveDate,
    pub basis: AgingBasis,
    pub currencies: Vec<AgingSummary>,
    /// Every currency added up in the functional currency at the as-of date's rates.
    pub functional: FunctionalAging,
}

/// The aging of every currency in the functional currency: each currency's total converted once
/// and split over its buckets (`fx::Rates::functional_parts`), so the buckets add up to the
/// total and the total equals the dashboard's outstanding figure. A currency without a rate on
/// the date is left out and named in `warnings`.
#[derive(Debug, Clone)]
pub struct FunctionalAging {
    pub currency: Currency,
    pub totals: BucketTotals,
    pub warnings: Vec<String>,
}

impl FunctionalAging {
    pub fn of(currencies: &[AgingSummary], rates: &Rates, as_of: NaiveDate) -> FunctionalAging {
        let mut totals = BucketTotals::default();
        let mut warnings = Vec::new();
        for summary in currencies {
            let Some(converted) = rates.functional_parts(
                summary.currency,
                &summary.totals.amounts,
                as_of,
                &mut warnings,
            ) else {
                continue;
            };
            for bucket in AgingBucket::ALL {
                let index = bucket.index();
                totals.add(bucket, converted[index], summary.totals.counts[index]);
            }
        }
        FunctionalAging {
            currency: rates.functional,
            totals,
            warnings,
        }
    }

    pub fn total(&self) -> Money {
        Money::from_minor(self.totals.total(), self.currency)
    }
}

#[derive(Debug, Clone)]
pub struct CustomerAging {
    pub customer_id: i64,
    pub legal_name: String,
    pub on_credit_hold: bool,
    pub summary: AgingSummary,
}

/// An invoice open on the aging date, with what was open then.
#[derive(Debug, Clone)]
pub struct AgedInvoice {
    pub invoice_id: i64,
    pub number: String,
    pub customer_id: i64,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub open: Money,
    pub days: i64,
    pub bucket: AgingBucket,
}

#[derive(Debug, FromQueryResult)]
struct CellTotal {
    currency: String,
    bucket: i32,
    amount_minor: i64,
    open_count: i64,
}

#[derive(Debug, FromQueryResult)]
struct OpenRow {
    invoice_id: i64,
    customer_id: i64,
    currency: String,
    invoice_date: NaiveDate,
    due_date: NaiveDate,
    open_minor: i64,
}

impl OpenRow {
    /// The date its age is counted from on `basis`.
    fn aged_from(&self, basis: AgingBasis) -> NaiveDate {
        match basis {
            AgingBasis::InvoiceDate => self.invoice_date,
            AgingBasis::DueDate => self.due_date,
        }
    }
}

/// Invoices issued on or before `as_of` and not settled by then.
fn open_on(as_of: NaiveDate) -> Condition {
    Condition::all()
        .add(invoice::Column::IssueDate.lte(as_of))
        .add(
            Condition::any()
                .add(invoice::Column::SettledOn.is_null())
                .add(invoice::Column::SettledOn.gt(as_of)),
        )
}

impl ReceivablesService {
    /// Bucket totals per currency on `as_of`.
    pub async fn aging(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        basis: AgingBasis,
    ) -> AppResult<AgingReport> {
        actor.require(Permission::ReceivablesRead)?;
        let currencies = if own_customers(actor).is_some() {
            // A restricted reader's book is small: add up its open invoices one by one.
            let rows = self
                .open_rows(
                    actor,
                    as_of,
                    Condition::all(),
                    PageRequest {
                        offset: 0,
                        limit: 100_000,
                    },
                )
                .await?;
            let mut by_currency: BTreeMap<String, BucketTotals> = BTreeMap::new();
            for row in rows {
                let aged_from = row.aged_from(basis);
                by_currency.entry(row.currency).or_default().add(
                    AgingBucket::for_days(days_old(aged_from, as_of)),
                    row.open_minor,
                    1,
                );
            }
            by_currency
                .into_iter()
                .map(|(code, totals)| {
                    Ok(AgingSummary {
                        currency: Currency::parse(&code)?,
                        totals,
                    })
                })
                .collect::<AppResult<Vec<_>>>()?
        } else {
            self.cell_totals(as_of, basis).await?
        };
        // Only the FX table is needed here, not the tax table `Reference` also reads.
        let rates = Rates::load(&self.db, self.functional).await?;
        let functional = FunctionalAging::of(&currencies, &rates, as_of);
        Ok(AgingReport {
            as_of,
            basis,
            currencies,
            functional,
        })
    }

    async fn cell_totals(
        &self,
        as_of: NaiveDate,
        basis: AgingBasis,
    ) -> AppResult<Vec<AgingSummary>> {
        let bucket = bucket_case(Expr::col(ar_aging_cell::Column::AgedFrom), as_of);
        let query = Query::select()
            .column(ar_aging_cell::Column::Currency)
            .expr_as(bucket, Alias::new("bucket"))
            .expr_as(
                Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"),
                Alias::new("amount_minor"),
            )
            .expr_as(
                Expr::cust("CAST(SUM(open_count) AS BIGINT)"),
                Alias::new("open_count"),
            )
            .from(ar_aging_cell::Entity)
            .and_where(ar_aging_cell::Column::Basis.eq(basis.as_str()))
            .and_where(ar_aging_cell::Column::MovementDate.lte(as_of))
            .group_by_col(ar_aging_cell::Column::Currency)
            .group_by_col(Alias::new("bucket"))
            .to_owned();
        let statement = self.db.get_database_backend().build(&query);
        let rows = CellTotal::find_by_statement(statement)
            .all(&self.db)
            .await?;
        let mut by_currency: BTreeMap<String, BucketTotals> = BTreeMap::new();
        for row in rows {
            let bucket = AgingBucket::ALL
                .get(usize::try_from(row.bucket).unwrap_or(3))
                .copied()
                .unwrap_or(AgingBucket::Over90);
            by_currency.entry(row.currency).or_default().add(
                bucket,
                row.amount_minor,
                row.open_count,
            );
        }
        by_currency
            .into_iter()
            .filter(|(_, totals)| totals.total() != 0 || totals.count() != 0)
            .map(|(code, totals)| {
                Ok(AgingSummary {
                    currency: Currency::parse(&code)?,
                    totals,
                })
            })
            .collect()
    }

    /// Open amounts on `as_of` of the invoices matching `filter` (on `invoices`), oldest first.
    async fn open_rows(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        filter: Condition,
        page: PageRequest,
    ) -> AppResult<Vec<OpenRow>> {
        let mut invoices = Query::select()
            .column(invoice::Column::Id)
            .from(invoice::Entity)
            .cond_where(open_on(as_of))
            .cond_where(filter)
            .order_by(invoice::Column::InvoiceDate, sea_orm::Order::Asc)
            .order_by(invoice::Column::Id, sea_orm::Order::Asc)
            .offset(page.offset)
            .limit(page.limit)
            .to_owned();
        if let Some(own) = own_customers(actor) {
            invoices.and_where(invoice::Column::CustomerId.in_subquery(own));
        }
        let statement = self.db.get_database_backend().build(&invoices);
        let ids: Vec<i64> = self
            .db
            .query_all(statement)
            .await?
            .iter()
            .map(|row| row.try_get_by_index::<i64>(0))
            .collect::<Result<_, _>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let query = Query::select()
            .columns([
                ar_movement::Column::InvoiceId,
                ar_movement::Column::CustomerId,
                ar_movement::Column::Currency,
                ar_movement::Column::InvoiceDate,
                ar_movement::Column::DueDate,
            ])
            .expr_as(
                Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"),
                Alias::new("open_minor"),
            )
            .from(ar_movement::Entity)
            .and_where(ar_movement::Column::InvoiceId.is_in(ids))
            .and_where(ar_movement::Column::MovementDate.lte(as_of))
            .group_by_columns([
                ar_movement::Column::InvoiceId,
                ar_movement::Column::CustomerId,
                ar_movement::Column::Currency,
                ar_movement::Column::InvoiceDate,
                ar_movement::Column::DueDate,
            ])
            .order_by(ar_movement::Column::InvoiceDate, sea_orm::Order::Asc)
            .order_by(ar_movement::Column::InvoiceId, sea_orm::Order::Asc)
            .to_owned();
        let statement = self.db.get_database_backend().build(&query);
        Ok(OpenRow::find_by_statement(statement)
            .all(&self.db)
            .await?
            .into_iter()
            .filter(|row| row.open_minor != 0)
            .collect())
    }

    /// Customers with AR open on `as_of`, alphabetically, each with its buckets per currency.
    pub async fn aging_by_customer(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        basis: AgingBasis,
        search: Option<String>,
        page: PageRequest,
    ) -> AppResult<Page<CustomerAging>> {
        actor.require(Permission::ReceivablesRead)?;
        // A correlated EXISTS probes each customer's open invoices through (customer_id,
        // settled_on) and stops at the first; an IN over every open invoice costs seconds at a
        // million invoices.
        let has_open = Query::select()
            .expr(Expr::val(1))
            .from(invoice::Entity)
            .and_where(
                Expr::col((invoice::Entity, invoice::Column::CustomerId))
                    .equals((customer::Entity, customer::Column::Id)),
            )
            .cond_where(open_on(as_of))
            .to_owned();
        let mut query = customer::Entity::find().filter(Expr::exists(has_open));
        if let Some(own) = own_customers(actor) {
            query = query.filter(customer::Column::Id.in_subquery(own));
        }
        if let Some(condition) =
            crate::pagination::search_condition(search, &[customer::Column::LegalName])
        {
            query = query.filter(condition);
        }
        let total = query.clone().count(&self.db).await?;
        let customers = query
            .order_by_asc(customer::Column::LegalName)
            .order_by_asc(customer::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = customers.iter().map(|customer| customer.id).collect();
        let rows = self
            .open_rows(
                actor,
                as_of,
                Condition::all().add(invoice::Column::CustomerId.is_in(ids)),
                PageRequest {
                    offset: 0,
                    limit: 1_000_000,
                },
            )
            .await?;
        let mut totals: BTreeMap<(i64, String), BucketTotals> = BTreeMap::new();
        for row in rows {
            let aged_from = row.aged_from(basis);
            totals
                .entry((row.customer_id, row.currency))
                .or_default()
                .add(
                    AgingBucket::for_days(days_old(aged_from, as_of)),
                    row.open_minor,
                    1,
                );
        }
        let mut items = Vec::new();
        for customer in customers {
            for ((customer_id, code), bucket_totals) in totals.range((customer.id, String::new())..)
            {
                if *customer_id != customer.id {
                    break;
                }
                items.push(CustomerAging {
                    customer_id: customer.id,
                    legal_name: customer.legal_name.clone(),
                    on_credit_hold: customer.on_credit_hold,
                    summary: AgingSummary {
                        currency: Currency::parse(code)?,
                        totals: *bucket_totals,
                    },
                });
            }
        }
        Ok(Page::new(items, page, total))
    }

    /// The invoices behind a figure: open on `as_of`, optionally for one customer, currency and
    /// bucket, oldest first.
    #[allow(clippy::too_many_arguments)]
    pub async fn aged_invoices(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        basis: AgingBasis,
        customer_id: Option<i64>,
        currency: Option<Currency>,
        bucket: Option<AgingBucket>,
        page: PageRequest,
    ) -> AppResult<Page<AgedInvoice>> {
        actor.require(Permission::ReceivablesRead)?;
        if let Some(customer_id) = customer_id {
            self.check_customer_visible(actor, customer_id).await?;
        }
        let mut filter = Condition::all();
        if let Some(customer_id) = customer_id {
            filter = filter.add(invoice::Column::CustomerId.eq(customer_id));
        }
        if let Some(currency) = currency {
            filter = filter.add(invoice::Column::Currency.eq(currency.code()));
        }
        if let Some(bucket) = bucket {
            let column = match basis {
                AgingBasis::InvoiceDate => invoice::Column::InvoiceDate,
                AgingBasis::DueDate => invoice::Column::DueDate,
            };
            let (from, until) = bucket.aged_from_range(as_of);
            if let Some(from) = from {
                filter = filter.add(column.gte(from));
            }
            if let Some(until) = until {
                filter = filter.add(column.lt(until));
            }
        }
        let total = if customer_id.is_none() && own_customers(actor).is_none() {
            // The cells already count the open invoices per bucket on any date.
            self.cell_totals(as_of, basis)
                .await?
                .iter()
                .filter(|summary| currency.is_none_or(|currency| summary.currency == currency))
                .map(|summary| match bucket {
                    Some(bucket) => summary.totals.counts[bucket.index()],
                    None => summary.totals.count(),
                })
                .sum::<i64>()
                .max(0)
                .unsigned_abs()
        } else {
            let mut count_query = invoice::Entity::find()
                .filter(open_on(as_of))
                .filter(filter.clone());
            if let Some(own) = own_customers(actor) {
                count_query = count_query.filter(invoice::Column::CustomerId.in_subquery(own));
            }
            count_query.count(&self.db).await?
        };
        let rows = self.open_rows(actor, as_of, filter, page).await?;
        let items = self.aged_items(rows, basis, as_of).await?;
        Ok(Page::new(items, page, total))
    }

    async fn aged_items(
        &self,
        rows: Vec<OpenRow>,
        basis: AgingBasis,
        as_of: NaiveDate,
    ) -> AppResult<Vec<AgedInvoice>> {
        let numbers: BTreeMap<i64, String> = invoice::Entity::find()
            .filter(invoice::Column::Id.is_in(rows.iter().map(|row| row.invoice_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|model| (model.id, model.number.unwrap_or_default()))
            .collect();
        rows.into_iter()
            .map(|row| {
                let aged_from = row.aged_from(basis);
                let days = days_old(aged_from, as_of);
                Ok(AgedInvoice {
                    invoice_id: row.invoice_id,
                    number: numbers.get(&row.invoice_id).cloned().unwrap_or_default(),
                    customer_id: row.customer_id,
                    invoice_date: row.invoice_date,
                    due_date: row.due_date,
                    open: Money::from_minor(row.open_minor, Currency::parse(&row.currency)?),
                    days,
                    bucket: AgingBucket::for_days(days),
                })
            })
            .collect()
    }

    /// Open amount and count per currency of the invoices past due on `as_of` (due before it).
    pub async fn overdue_totals(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
    ) -> AppResult<Vec<(Currency, i64, i64)>> {
        actor.require(Permission::ReceivablesRead)?;
        let mut totals: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        if own_customers(actor).is_some() {
            let rows = self
                .open_rows(
                    actor,
                    as_of,
                    Condition::all().add(invoice::Column::DueDate.lt(as_of)),
                    PageRequest {
                        offset: 0,
                        limit: 100_000,
                    },
                )
                .await?;
            for row in rows {
                let entry = totals.entry(row.currency).or_default();
                entry.0 += row.open_minor;
                entry.1 += 1;
            }
        } else {
            let query = Query::select()
                .column(ar_aging_cell::Column::Currency)
                .expr_as(
                    Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"),
                    Alias::new("amount_minor"),
                )
                .expr_as(
                    Expr::cust("CAST(SUM(open_count) AS BIGINT)"),
                    Alias::new("open_count"),
                )
                .expr_as(Expr::val(0), Alias::new("bucket"))
                .from(ar_aging_cell::Entity)
                .and_where(ar_aging_cell::Column::Basis.eq(AgingBasis::DueDate.as_str()))
                .and_where(ar_aging_cell::Column::AgedFrom.lt(as_of))
                .and_where(ar_aging_cell::Column::MovementDate.lte(as_of))
                .group_by_col(ar_aging_cell::Column::Currency)
                .to_owned();
            let statement = self.db.get_database_backend().build(&query);
            for row in CellTotal::find_by_statement(statement)
                .all(&self.db)
                .await?
            {
                totals.insert(row.currency, (row.amount_minor, row.open_count));
            }
        }
        totals
            .into_iter()
            .filter(|(_, (amount, count))| *amount != 0 || *count != 0)
            .map(|(code, (amount, count))| Ok((Currency::parse(&code)?, amount, count)))
            .collect()
    }

    /// The invoices past due on `as_of`, oldest due first, with their open amounts.
    pub async fn overdue_invoices(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        page: PageRequest,
    ) -> AppResult<Vec<AgedInvoice>> {
        actor.require(Permission::ReceivablesRead)?;
        let rows = self
            .open_rows(
                actor,
                as_of,
                Condition::all().add(invoice::Column::DueDate.lt(as_of)),
                page,
            )
            .await?;
        self.aged_items(rows, AgingBasis::DueDate, as_of).await
    }
}

/// `CASE` giving the bucket index of an aging date on `as_of`.
fn bucket_case(column: Expr, as_of: NaiveDate) -> sea_orm::sea_query::SimpleExpr {
    let from = |bucket: AgingBucket| bucket.aged_from_range(as_of).0;
    let mut case = CaseStatement::new();
    for (index, bucket) in [
        AgingBucket::Current,
        AgingBucket::Days31To60,
        AgingBucket::Days61To90,
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(from) = from(bucket) {
            case = case.case(column.clone().gte(from), Expr::val(index as i32));
        }
    }
    case.finally(Expr::val(3)).into()
}
