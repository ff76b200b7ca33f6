//! `revops bench-aging`: generates N invoices over two years for many customers, half of them
//! paid by a payment each (the AR history and aging cells written as the services write them),
//! then times `arAging` bucket totals, a page of customers with their buckets and a drill-down
//! page as of several dates, against a plain join of invoices with payments for comparison.

use crate::access::{Actor, Role};
use crate::app::App;
use crate::bench::{fresh_url, insert_batched as insert, FIXTURE_ADDRESS, FIXTURE_CONTACT};
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

/// How many aging cells' amounts and open counts, by (basis, aged-from date, movement date).
type Cells = HashMap<(&'static str, NaiveDate, NaiveDate), (i64, i64)>;

/// What every slice of the fixture is generated from.
struct FixtureShape {
    payments: i64,
    /// Every `step`-th invoice is paid, so `payments` of them are.
    step: i64,
    customers: i64,
    today: NaiveDate,
    now: chrono::DateTime<Utc>,
}

/// One generated invoice: whose it is, its dates and total, and when (if ever) it was paid.
#[derive(Clone, Copy)]
struct FixtureInvoice {
    id: i64,
    customer_id: i64,
    invoice_date: NaiveDate,
    due_date: NaiveDate,
    total: i64,
    paid_on: Option<NaiveDate>,
}

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
    let customers = customers.min(invoices.max(1)).max(1);
    insert_customers(db, if existing { 0 } else { customers }, now).await?;
    // Every `step`-th invoice is paid, so `payments` of them are.
    let step = if payments > 0 {
        (invoices / payments).max(1)
    } else {
        i64::MAX
    };
    let shape = FixtureShape {
        payments,
        step,
        customers,
        today,
        now,
    };
    let mut cells: Cells = HashMap::new();
    let slice = 20_000;
    let mut paid_so_far = 0;
    let mut start = 1;
    while start <= invoices {
        let end = (start + slice - 1).min(invoices);
        let (invoice_rows, movement_rows) =
            slice_rows(start..=end, &shape, &mut paid_so_far, &mut cells);
        let transaction = db.begin().await?;
        insert(&transaction, invoice_rows).await?;
        insert(&transaction, movement_rows).await?;
        transaction.commit().await?;
        start = end + 1;
    }
    insert_aging_cells(db, cells).await?;
    // Fresh statistics, as a live database would have, so the planners choose as they would.
    db.execute_unprepared("ANALYZE").await?;
    Ok(())
}

/// Creates customers 1 to `count` in one transaction.
async fn insert_customers(
    db: &sea_orm::DatabaseConnection,
    count: i64,
    now: chrono::DateTime<Utc>,
) -> AppResult<()> {
    let transaction = db.begin().await?;
    insert(
        &transaction,
        (1..=count)
            .map(|id| customer::ActiveModel {
                id: Set(id),
                legal_name: Set(format!("Customer {id:05}")),
                billing_address_json: Set(FIXTURE_ADDRESS.into()),
                remit_to_address_json: Set(FIXTURE_ADDRESS.into()),
                billing_contact_json: Set(FIXTURE_CONTACT.into()),
                credit_limit_minor: Set(crate::bench::FIXTURE_CREDIT_LIMIT),
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
    Ok(())
}

/// The invoice and movement rows of invoices `ids`, counting the paid ones and adding every
/// movement to the aging cells.
fn slice_rows(
    ids: std::ops::RangeInclusive<i64>,
    shape: &FixtureShape,
    paid_so_far: &mut i64,
    cells: &mut Cells,
) -> (Vec<invoice::ActiveModel>, Vec<ar_movement::ActiveModel>) {
    let mut invoice_rows = Vec::new();
    let mut movement_rows = Vec::new();
    for id in ids {
        let invoice_date = shape.today - Duration::days(id % DAYS);
        let due_date = invoice_date + Duration::days(30);
        let total = 10_000 + (id * 7_919) % 990_000;
        let paid_on = (*paid_so_far < shape.payments && id % shape.step == 0)
            .then(|| (invoice_date + Duration::days(5 + id % 60)).min(shape.today));
        if paid_on.is_some() {
            *paid_so_far += 1;
        }
        let generated = FixtureInvoice {
            id,
            customer_id: id % shape.customers + 1,
            invoice_date,
            due_date,
            total,
            paid_on,
        };
        invoice_rows.push(invoice_row(&generated, shape.now));
        movement_rows.push(movement_row(
            &generated,
            "issue",
            total,
            invoice_date,
            shape.now,
        ));
        add_to_cells(cells, &generated, total, invoice_date, 1);
        if let Some(on) = paid_on {
            movement_rows.push(movement_row(&generated, "payment", -total, on, shape.now));
            add_to_cells(cells, &generated, -total, on, -1);
        }
    }
    (invoice_rows, movement_rows)
}

/// The invoice row: issued, or paid in full when it has a payment.
fn invoice_row(generated: &FixtureInvoice, now: chrono::DateTime<Utc>) -> invoice::ActiveModel {
    let FixtureInvoice {
        id,
        customer_id,
        invoice_date,
        due_date,
        total,
        paid_on,
    } = *generated;
    invoice::ActiveModel {
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
    }
}

/// An AR movement of `amount` on `on` against the invoice.
fn movement_row(
    generated: &FixtureInvoice,
    kind: &str,
    amount: i64,
    on: NaiveDate,
    now: chrono::DateTime<Utc>,
) -> ar_movement::ActiveModel {
    ar_movement::ActiveModel {
        invoice_id: Set(generated.id),
        customer_id: Set(generated.customer_id),
        currency: Set("USD".into()),
        kind: Set(kind.into()),
        amount_minor: Set(amount),
        movement_date: Set(on),
        invoice_date: Set(generated.invoice_date),
        due_date: Set(generated.due_date),
        source_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
}

/// Adds a movement to the invoice-date and due-date aging cells.
fn add_to_cells(
    cells: &mut Cells,
    generated: &FixtureInvoice,
    amount: i64,
    on: NaiveDate,
    count: i64,
) {
    for (basis, aged_from) in [
        ("invoice", generated.invoice_date),
        ("due", generated.due_date),
    ] {
        let cell = cells.entry((basis, aged_from, on)).or_default();
        cell.0 += amount;
        cell.1 += count;
    }
}

/// Writes the aging cells in one transaction.
async fn insert_aging_cells(db: &sea_orm::DatabaseConnection, cells: Cells) -> AppResult<()> {
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
    pub figures: Vec<crate::bench::Figure>,
}

/// How many times each aging query is timed.
const RUNS: usize = 7;

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
    let mut figures = Vec::new();
    for as_of in [
        today,
        today - Duration::days(180),
        today - Duration::days(500),
    ] {
        let (totals_line, open_minor) = time_aging_totals(&app, &actor, as_of).await?;
        lines.push(totals_line);
        let (min, median) = time_customer_page(&app, &actor, as_of).await?;
        if as_of == today {
            figures.push(crate::bench::Figure {
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
        let (min, median) = time_over_90_page(&app, &actor, as_of).await?;
        lines.push(format!(
            "  arAgingInvoices over-90 page as of {as_of}: {min:.1} ms best, {median:.1} ms median"
        ));
        lines.push(time_plain_join(&app, as_of, open_minor).await?);
    }
    Ok(AgingBench { lines, figures })
}

/// Times `arAging` bucket totals as of the date: its report line and the USD open total.
async fn time_aging_totals(app: &App, actor: &Actor, as_of: NaiveDate) -> AppResult<(String, i64)> {
    let mut totals = Vec::new();
    let mut report = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        report = Some(
            app.receivables
                .aging(actor, as_of, AgingBasis::InvoiceDate)
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
    Ok((format!("  arAging totals as of {as_of}: {min:.1} ms best, {median:.1} ms median ({} open invoices, {} minor units)", usd.1, usd.0), usd.0))
}

/// Times the first page of 50 customers with their buckets: fastest and median, in ms.
async fn time_customer_page(app: &App, actor: &Actor, as_of: NaiveDate) -> AppResult<(f64, f64)> {
    let mut pages = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let page = app
            .receivables
            .aging_by_customer(
                actor,
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
    Ok(summary(pages))
}

/// Times the drill-down page of invoices over 90 days: fastest and median, in ms.
async fn time_over_90_page(app: &App, actor: &Actor, as_of: NaiveDate) -> AppResult<(f64, f64)> {
    let mut drills = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        app.receivables
            .aged_invoices(
                actor,
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
    Ok(summary(drills))
}

/// Times the plain way (invoices joined with what was paid on or before the date), checks it
/// agrees with aging's `open_minor`, and returns its report line.
async fn time_plain_join(app: &App, as_of: NaiveDate, open_minor: i64) -> AppResult<String> {
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
    if plain != open_minor {
        return Err(AppError::internal(format!(
            "aging {open_minor} differs from the plain join {plain} as of {as_of}"
        )));
    }
    Ok(format!(
        "  plain join of invoices with payments as of {as_of}: {plain_ms:.0} ms (same total)"
    ))
}
