//! `revops bench-aging`: generates N invoices over two years for many customers, half of them
//! paid by a payment each (the AR history and aging cells written as the services write them),
//! then times `arAging` bucket totals, a page of customers with their buckets and a drill-down
//! page as of several dates, against a plain join of invoices with payments for comparison.

use crate::access::{Actor, Role};
use crate::app::App;
use crate::bench::{fresh_url, insert_batched as insert};
use crate::clock::{FixedClock, SharedClock};
use crate::config::Config;
use crate::entities::{ar_aging_cell, ar_movement, customer, invoice};
use crate::error::{AppError, AppResult};
use crate::pagination::PageRequest;
use crate::receivables::aging::{AgingBasis, AgingBucket};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use sea_orm::{ConnectionTrait, Set, Statement, TransactionTrait};
use std::collections::HashMap;
use std::time::Instant;

const CUSTOMERS: i64 = 20_000;
const DAYS: i64 = 730;

/// Writes the fixture in slices of `slice` invoices, each slice one transaction: `invoices`
/// over two years for `customers` customers (created here unless `existing`).
pub(crate) async fn generate(
    db: &sea_orm::DatabaseConnection,
    invoices: i64,
    payments: i64,
    customers: i64,
    existing: bool,
    today: NaiveDate,
) -> AppResult<()> {
    let now = Utc.from_utc_datetime(&today.and_hms_opt(6, 0, 0).unwrap_or_default());
    let address = r#"{"line1":"1 Main St","line2":null,"city":"Austin","region":null,"postalCode":"78701","country":"US"}"#;
    let contact = r#"{"name":"AP","email":"ap@bench.example","phone":null}"#;
    let customers = customers.min(invoices.max(1)).max(1);
    let transaction = db.begin().await?;
    let new_customers = 1..=if existing { 0 } else { customers };
    insert(
        &transaction,
        new_customers
            .map(|id| customer::ActiveModel {
                id: Set(id),
                legal_name: Set(format!("Customer {id:05}")),
                billing_address_json: Set(address.into()),
                remit_to_address_json: Set(address.into()),
                billing_contact_json: Set(contact.into()),
                credit_limit_minor: Set(0),
                payment_terms: Set("net_30".into()),
                billing_currency: Set("USD".into()),
                has_paid_invoice: Set(true),
                prior_late_payer: Set(false),
                on_credit_hold: Set(false),
                on_watch: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .collect(),
    )
    .await?;
    transaction.commit().await?;
    // Every `step`-th invoice is paid, so `payments` of them are.
    let step = if payments > 0 {
        (invoices / payments).max(1)
    } else {
        i64::MAX
    };
    let mut cells: HashMap<(&'static str, NaiveDate, NaiveDate), (i64, i64)> = HashMap::new();
    let slice = 20_000;
    let mut paid_so_far = 0;
    let mut start = 1;
    while start <= invoices {
        let end = (start + slice - 1).min(invoices);
        let mut invoice_rows = Vec::new();
        let mut movement_rows = Vec::new();
        for id in start..=end {
            let invoice_date = today - Duration::days(id % DAYS);
            let due_date = invoice_date + Duration::days(30);
            let total = 10_000 + (id * 7_919) % 990_000;
            let paid_on = (paid_so_far < payments && id % step == 0)
                .then(|| (invoice_date + Duration::days(5 + id % 60)).min(today));
            if paid_on.is_some() {
                paid_so_far += 1;
            }
            let customer_id = id % customers + 1;
            invoice_rows.push(invoice::ActiveModel {
                id: Set(id),
                number: Set(Some(format!("INV-B-{id:07}"))),
                batch_key: Set(format!("bench|{id}")),
                legal_entity: Set("Bench Inc.".into()),
                customer_id: Set(customer_id),
                contract_id: Set(None),
                currency: Set("USD".into()),
                status: Set(if paid_on.is_some() { "paid" } else { "issued" }.into()),
                invoice_date: Set(invoice_date),
                issue_date: Set(Some(invoice_date)),
                due_date: Set(Some(due_date)),
                payment_terms: Set("net_30".into()),
                po_number: Set(None),
                purchase_order_id: Set(None),
                tax_exemption_certificate: Set(None),
                subtotal_minor: Set(total),
                tax_minor: Set(0),
                total_minor: Set(total),
                paid_minor: Set(if paid_on.is_some() { total } else { 0 }),
                credited_minor: Set(0),
                written_off_minor: Set(0),
                settled_on: Set(paid_on),
                blocked_field: Set(None),
                blocked_reason: Set(None),
                functional_currency: Set("USD".into()),
                fx_rate: Set(None),
                functional_total_minor: Set(Some(total)),
                journal_entry_id: Set(None),
                issued_by: Set(None),
                issued_at: Set(Some(now)),
                voided_by: Set(None),
                voided_at: Set(None),
                void_reason: Set(None),
                void_journal_entry_id: Set(None),
                import_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
            let mut movement = |kind: &str, amount: i64, on: NaiveDate, count: i64| {
                movement_rows.push(ar_movement::ActiveModel {
                    invoice_id: Set(id),
                    customer_id: Set(customer_id),
                    currency: Set("USD".into()),
                    kind: Set(kind.into()),
                    amount_minor: Set(amount),
                    movement_date: Set(on),
                    invoice_date: Set(invoice_date),
                    due_date: Set(due_date),
                    source_id: Set(None),
                    created_at: Set(now),
                    ..Default::default()
                });
                for (basis, aged_from) in [("invoice", invoice_date), ("due", due_date)] {
                    let cell = cells.entry((basis, aged_from, on)).or_default();
                    cell.0 += amount;
                    cell.1 += count;
                }
            };
            movement("issue", total, invoice_date, 1);
            if let Some(on) = paid_on {
                movement("payment", -total, on, -1);
            }
        }
        let transaction = db.begin().await?;
        insert(&transaction, invoice_rows).await?;
        insert(&transaction, movement_rows).await?;
        transaction.commit().await?;
        start = end + 1;
    }
    let transaction = db.begin().await?;
    insert(
        &transaction,
        cells
            .into_iter()
            .map(
                |((basis, aged_from, on), (amount, count))| ar_aging_cell::ActiveModel {
                    basis: Set(basis.into()),
                    currency: Set("USD".into()),
                    aged_from: Set(aged_from),
                    movement_date: Set(on),
                    amount_minor: Set(amount),
                    open_count: Set(count),
                    ..Default::default()
                },
            )
            .collect(),
    )
    .await?;
    transaction.commit().await?;
    // Fresh statistics, as a live database would have, so the planners choose as they would.
    db.execute_unprepared("ANALYZE").await?;
    Ok(())
}

/// The fastest and the median of `runs` timings, in milliseconds (wall-clock, not money).
pub(crate) fn summary(mut timings: Vec<f64>) -> (f64, f64) {
    timings.sort_by(f64::total_cmp);
    let min = timings.first().copied().unwrap_or(0.0);
    let median = timings.get(timings.len() / 2).copied().unwrap_or(0.0);
    (min, median)
}

pub struct AgingBench {
    pub lines: Vec<String>,
    pub figures: Vec<crate::bench_all::Figure>,
}

/// Generates the fixture on a fresh database and times the aging queries.
pub async fn bench_aging(
    base: &Config,
    invoices: i64,
    payments: i64,
    postgres_server: Option<&str>,
) -> AppResult<AgingBench> {
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).ok_or_else(|| AppError::internal("date"))?;
    let clock: SharedClock = std::sync::Arc::new(FixedClock::new(
        Utc.from_utc_datetime(&today.and_hms_opt(12, 0, 0).unwrap_or_default()),
    ));
    let mut config = base.clone();
    config.database_url = fresh_url(postgres_server, "aging").await?;
    let app = App::start(config, clock).await?;
    let backend = if postgres_server.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let started = Instant::now();
    generate(&app.db, invoices, payments, CUSTOMERS, false, today).await?;
    let mut lines = vec![format!(
        "{backend}: generated {invoices} invoices, {payments} payments, {} customers in {:.1} s",
        CUSTOMERS.min(invoices.max(1)),
        started.elapsed().as_secs_f64()
    )];
    let actor = Actor {
        user_id: 0,
        email: "bench@revops".into(),
        role: Role::Cfo,
    };
    let runs = 7;
    let mut figures = Vec::new();
    for as_of in [
        today,
        today - Duration::days(180),
        today - Duration::days(500),
    ] {
        let mut totals = Vec::new();
        let mut report = None;
        for _ in 0..runs {
            let started = Instant::now();
            report = Some(
                app.receivables
                    .aging(&actor, as_of, AgingBasis::InvoiceDate)
                    .await?,
            );
            totals.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let report = report.ok_or_else(|| AppError::internal("no run"))?;
        let usd = report
            .currencies
            .first()
            .map(|summary| (summary.totals.total(), summary.totals.count()))
            .unwrap_or((0, 0));
        let (min, median) = summary(totals);
        lines.push(format!("  arAging totals as of {as_of}: {min:.1} ms best, {median:.1} ms median ({} open invoices, {} minor units)", usd.1, usd.0));
        let mut pages = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            let page = app
                .receivables
                .aging_by_customer(
                    &actor,
                    as_of,
                    AgingBasis::InvoiceDate,
                    None,
                    PageRequest {
                        offset: 0,
                        limit: 50,
                    },
                )
                .await?;
            pages.push(started.elapsed().as_secs_f64() * 1000.0);
            if page.items.is_empty() {
                return Err(AppError::internal("empty customer page"));
            }
        }
        let (min, median) = summary(pages);
        if as_of == today {
            figures.push(crate::bench_all::Figure {
                name: format!("AR aging customer page, {invoices} invoices"),
                value: format!("{min:.0} ms best, {median:.0} ms median"),
                floor_seconds: None,
                seconds: min / 1000.0,
                aim: "< 100 ms",
            });
        }
        lines.push(format!(
            "  arAgingCustomers first 50 as of {as_of}: {min:.1} ms best, {median:.1} ms median"
        ));
        let mut drills = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            app.receivables
                .aged_invoices(
                    &actor,
                    as_of,
                    AgingBasis::InvoiceDate,
                    None,
                    None,
                    Some(AgingBucket::Over90),
                    PageRequest {
                        offset: 0,
                        limit: 50,
                    },
                )
                .await?;
            drills.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let (min, median) = summary(drills);
        lines.push(format!(
            "  arAgingInvoices over-90 page as of {as_of}: {min:.1} ms best, {median:.1} ms median"
        ));
        // The plain way: invoices joined with what was paid on or before the date.
        let started = Instant::now();
        let backend_kind = app.db.get_database_backend();
        let plain = app
            .db
            .query_one(Statement::from_string(
                backend_kind,
                format!(
                    "SELECT CAST(SUM(i.total_minor - COALESCE(p.paid, 0)) AS BIGINT) AS open_minor FROM invoices i \
                     LEFT JOIN (SELECT invoice_id, SUM(-amount_minor) AS paid FROM ar_movements WHERE kind <> 'issue' AND movement_date <= '{as_of}' GROUP BY invoice_id) p ON p.invoice_id = i.id \
                     WHERE i.issue_date <= '{as_of}'"
                ),
            ))
            .await?
            .and_then(|row| row.try_get_by_index::<i64>(0).ok())
            .unwrap_or(0);
        let plain_ms = started.elapsed().as_secs_f64() * 1000.0;
        if plain != usd.0 {
            return Err(AppError::internal(format!(
                "aging {} differs from the plain join {plain} as of {as_of}",
                usd.0
            )));
        }
        lines.push(format!(
            "  plain join of invoices with payments as of {as_of}: {plain_ms:.0} ms (same total)"
        ));
    }
    Ok(AgingBench { lines, figures })
}
