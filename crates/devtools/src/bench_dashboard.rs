//! `revops bench-dashboard`: the whole revenue-ops dashboard on a large book. The fixture is
//! `customers` customers with two subscription contracts each (one starting 90 days ago, one
//! with a start spread over the last two years, so MRR moves every month and renewals fall due
//! every day) and `invoices` invoices over two years with half of them paid, the AR history and
//! aging cells written as the services write them. It times `dashboard` (every section, as the
//! CFO sees it), twelve months of `mrrMovements`, the renewal pipeline and a drill-down.

use crate::access::{Actor, Role};
use crate::app::App;
use crate::bench::{fresh_url, insert_batched as insert};
use crate::bench_aging::summary;
use crate::clock::{FixedClock, SharedClock};
use crate::config::Config;
use crate::entities::{contract, contract_line, deal};
use crate::error::{AppError, AppResult};
use crate::metrics::{DashboardFigure, DashboardPeriod};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use sea_orm::{ConnectionTrait, Set, Statement, TransactionTrait};
use std::time::Instant;

/// The second contract of every customer, with spread start dates and prices.
async fn second_contracts(
    db: &sea_orm::DatabaseConnection,
    customers: i64,
    today: NaiveDate,
) -> AppResult<()> {
    let now = Utc.from_utc_datetime(&today.and_hms_opt(6, 0, 0).unwrap_or_default());
    let ids = customers + 1..=customers * 2;
    let transaction = db.begin().await?;
    insert(&transaction, second_deals(ids.clone(), customers, now)).await?;
    insert(
        &transaction,
        second_contract_rows(ids.clone(), customers, today, now),
    )
    .await?;
    insert(&transaction, second_contract_lines(ids, today)).await?;
    transaction.commit().await?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        for table in [
            "customers",
            "deals",
            "contracts",
            "contract_lines",
            "invoices",
        ] {
            db.execute(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"),
            ))
            .await?;
        }
    }
    db.execute_unprepared("ANALYZE").await?;
    Ok(())
}

/// A second contract's start: spread over the last two years by its id.
fn second_start(id: i64, today: NaiveDate) -> NaiveDate {
    today - Duration::days(id % 720)
}

/// One approved deal per second contract, for customer `id - customers`.
fn second_deals(
    ids: std::ops::RangeInclusive<i64>,
    customers: i64,
    now: chrono::DateTime<Utc>,
) -> Vec<deal::ActiveModel> {
    ids.map(|id| deal::ActiveModel {
        id: Set(id),
        crm_opportunity_id: Set(format!("BENCH-{id}")),
        customer_id: Set(Some(id - customers)),
        billing_contact_json: Set(Some(crate::bench::FIXTURE_CONTACT.into())),
        payment_terms: Set(Some("net_30".into())),
        po_required: Set(false),
        tax_jurisdiction: Set(Some("US".into())),
        tax_exempt: Set(false),
        milestones_json: Set("[]".into()),
        assigned_ae_id: Set(None),
        status: Set("approved".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .collect()
}

/// The second contracts: a year from their spread start, at spread prices, 3% uplift.
fn second_contract_rows(
    ids: std::ops::RangeInclusive<i64>,
    customers: i64,
    today: NaiveDate,
    now: chrono::DateTime<Utc>,
) -> Vec<contract::ActiveModel> {
    ids.map(|id| contract::ActiveModel {
        id: Set(id),
        contract_number: Set(format!("C-BENCH-{id}")),
        deal_id: Set(id),
        customer_id: Set(id - customers),
        start_date: Set(second_start(id, today)),
        end_date: Set(second_start(id, today) + Duration::days(364)),
        tcv_minor: Set(12 * (5_000 + (id % 50) * 1_000)),
        arr_minor: Set(12 * (5_000 + (id % 50) * 1_000)),
        currency: Set("USD".into()),
        created_at: Set(now),
        uplift_percent: Set("3".into()),
        renewed_from_id: Set(None),
        revenue_method: Set(None),
        import_id: Set(None),
        brought_over_on: Set(None),
        renewal_owner_id: Set(None),
        billing_day: Set(None),
    })
    .collect()
}

/// One monthly subscription line per second contract.
fn second_contract_lines(
    ids: std::ops::RangeInclusive<i64>,
    today: NaiveDate,
) -> Vec<contract_line::ActiveModel> {
    ids.map(|id| contract_line::ActiveModel {
        id: Set(id),
        contract_id: Set(id),
        product_name: Set("Analytics".into()),
        kind: Set("subscription".into()),
        quantity: Set(format!("{}", 1 + id % 5)),
        unit_price_minor: Set(5_000 + (id % 50) * 1_000),
        currency: Set("USD".into()),
        billing_frequency: Set(Some("monthly".into())),
        start_date: Set(second_start(id, today)),
        end_date: Set(second_start(id, today) + Duration::days(364)),
        alignment: Set("anniversary".into()),
        ..Default::default()
    })
    .collect()
}

/// What `bench_dashboard` found: the lines to print and the figures for `bench-all`.
pub struct DashboardBench {
    pub lines: Vec<String>,
    pub figures: Vec<crate::bench::Figure>,
}

/// A figure timed in milliseconds, best of the runs (no floor: these are reads).
fn read_figure(
    name: String,
    best_ms: f64,
    median_ms: f64,
    aim: &'static str,
) -> crate::bench::Figure {
    crate::bench::Figure {
        name,
        value: format!("{best_ms:.0} ms best, {median_ms:.0} ms median"),
        floor_seconds: None,
        seconds: best_ms / 1000.0,
        aim,
    }
}

/// How many times each dashboard query is timed.
const RUNS: usize = 5;

/// Builds the fixture on a fresh database (SQLite, or PostgreSQL on `postgres_server`) and
/// times the dashboard's queries.
pub async fn bench_dashboard(
    base: &Config,
    invoices: i64,
    customers: i64,
    postgres_server: Option<&str>,
) -> AppResult<DashboardBench> {
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).ok_or_else(|| AppError::internal("date"))?;
    let clock: SharedClock = std::sync::Arc::new(FixedClock::new(
        Utc.from_utc_datetime(&today.and_hms_opt(12, 0, 0).unwrap_or_default()),
    ));
    let mut config = base.clone();
    config.database_url = fresh_url(postgres_server, "dashboard").await?;
    let app = App::start(config, clock).await?;
    let backend = if postgres_server.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let started = Instant::now();
    build_fixture(&app, invoices, customers, today).await?;
    let mut lines = vec![format!(
        "{backend}: generated {customers} customers, {} contracts, {invoices} invoices in {:.1} s",
        customers * 2,
        started.elapsed().as_secs_f64()
    )];
    let actor = Actor {
        user_id: 0,
        email: "bench@revops".into(),
        role: Role::Cfo,
    };
    let (line, figure) = time_dashboard(&app, &actor, today, invoices, customers).await?;
    let mut figures = vec![figure];
    lines.push(line);
    let (min, median) = time_mrr_movements(&app, &actor, today).await?;
    figures.push(read_figure(
        "mrrMovements, 12 months".into(),
        min,
        median,
        "< 100 ms",
    ));
    lines.push(format!(
        "  mrrMovements, 12 months: {min:.0} ms best, {median:.0} ms median"
    ));
    let (pipeline, (min, median)) = time_renewal_pipeline(&app, &actor).await?;
    figures.push(read_figure(
        "renewalPipeline, 90 days".into(),
        min,
        median,
        "< 100 ms",
    ));
    lines.push(format!(
        "  renewalPipeline, 90 days ({pipeline} contracts): {min:.0} ms best, {median:.0} ms median"
    ));
    let (min, median) = time_overdue_rows(&app, &actor, today).await?;
    figures.push(read_figure(
        "dashboardRows(OVERDUE), first 500".into(),
        min,
        median,
        "—",
    ));
    lines.push(format!(
        "  dashboardRows(OVERDUE), first 500: {min:.0} ms best, {median:.0} ms median"
    ));
    Ok(DashboardBench { lines, figures })
}

/// The fixture: the billing fixture's customers and contracts, the aging fixture's invoices, and
/// every customer's second contract.
async fn build_fixture(
    app: &App,
    invoices: i64,
    customers: i64,
    today: NaiveDate,
) -> AppResult<()> {
    let count = usize::try_from(customers).map_err(|_| AppError::internal("customers"))?;
    crate::bench::seed(&app.db, count, today - Duration::days(90)).await?;
    crate::bench_aging::generate(&app.db, invoices, invoices / 2, customers, true, today).await?;
    second_contracts(&app.db, customers, today).await
}

/// Times the whole dashboard as the CFO sees it: its report line and figure.
async fn time_dashboard(
    app: &App,
    actor: &Actor,
    today: NaiveDate,
    invoices: i64,
    customers: i64,
) -> AppResult<(String, crate::bench::Figure)> {
    let mut timings = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        last = Some(
            app.metrics
                .dashboard(actor, Some(today), DashboardPeriod::Month)
                .await?,
        );
        timings.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let dashboard = last.ok_or_else(|| AppError::internal("no run"))?;
    let (min, median) = summary(timings);
    let figure = read_figure(
        format!("dashboard, {invoices} invoices / {customers} customers"),
        min,
        median,
        "< 150 ms",
    );
    let revenue = dashboard
        .revenue
        .as_ref()
        .ok_or_else(|| AppError::internal("no revenue section"))?;
    let invoicing = dashboard
        .invoicing
        .as_ref()
        .ok_or_else(|| AppError::internal("no invoicing section"))?;
    let line = format!(
        "  dashboard (all sections, as the CFO): {min:.0} ms best, {median:.0} ms median — MRR {} from {} customers, {} open invoices, {} renewals due in 30 days",
        crate::money::Money::from_minor(revenue.mrr, dashboard.currency),
        revenue.paying_customers,
        invoicing.outstanding_count,
        dashboard.alerts.as_ref().map_or(0, |alerts| alerts.renewals_due),
    );
    Ok((line, figure))
}

/// Times twelve months of `mrrMovements`: fastest and median, in ms.
async fn time_mrr_movements(app: &App, actor: &Actor, today: NaiveDate) -> AppResult<(f64, f64)> {
    let mut timings = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        app.metrics
            .mrr_movements(actor, today - Duration::days(330), today)
            .await?;
        timings.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(summary(timings))
}

/// Times the 90-day renewal pipeline: how many contracts it holds, and fastest and median in ms.
async fn time_renewal_pipeline(app: &App, actor: &Actor) -> AppResult<(usize, (f64, f64))> {
    let mut timings = Vec::new();
    let mut pipeline = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        pipeline = app.renewals.pipeline(actor, 90).await?.len();
        timings.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((pipeline, summary(timings)))
}

/// Times the overdue drill-down (`dashboardRows(OVERDUE)`): fastest and median, in ms.
async fn time_overdue_rows(app: &App, actor: &Actor, today: NaiveDate) -> AppResult<(f64, f64)> {
    let mut timings = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        app.metrics
            .rows(
                actor,
                Some(today),
                DashboardPeriod::Month,
                DashboardFigure::Overdue,
            )
            .await?;
        timings.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(summary(timings))
}
