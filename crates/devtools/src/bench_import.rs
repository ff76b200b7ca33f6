//! `revops bench-import`: a cut-over at scale. Generates a customers file and, by `--kind`, an
//! open-invoices file, a contracts file (one annual subscription line per contract), or a
//! contracts file and its deferred revenue schedule or its renewal schedule, of N rows each, then
//! times each import's
//! upload (read and validate every row) and commit (write, post, age) through the import
//! service, printing the commit's progress as it goes. The floors beside the figures: reading the
//! file alone, and (for open invoices) a plain batched INSERT of the same number of invoice rows
//! into a fresh database.

use crate::access::{Actor, Role};
use crate::app::App;
use crate::auth::NewUser;
use crate::bench::{fresh_url, insert_batched};
use crate::clock::{FixedClock, SharedClock};
use crate::config::Config;
use crate::entities::{customer, invoice};
use crate::error::{AppError, AppResult};
use crate::imports::{table::Table, ImportKind, ImportRecord, ImportStatus, Upload};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
use std::time::Instant;

const CUTOVER: (i32, u32, u32) = (2026, 11, 26);

/// What `bench-import` times after the customers file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchKind {
    /// N open invoices (the AR aging report), with the INSERT floor.
    OpenInvoices,
    /// N contracts brought over, one line each.
    Contracts,
    /// N contracts (timed too), then their deferred revenue schedule, one row per contract.
    DeferredRevenue,
    /// N contracts (timed too), then their renewal schedule: an owner for every other one and
    /// an uplift for each.
    RenewalSchedules,
}

/// N contracts of one annual line each, running 2026-04-01 to 2027-03-31 and invoiced by the
/// old system through its end, spread over the customers.
fn contracts_csv(rows: usize, customers: usize) -> String {
    let mut file = String::from("contract_ref,customer_ref,product,quantity,unit_price,currency,billing_frequency,start_date,end_date,billed_through,tax_jurisdiction\r\n");
    for index in 1..=rows {
        file.push_str(&format!(
            "OLD-C-{index:07},ACCT-{:06},Platform seats,{},1200.00,USD,annually,2026-04-01,2027-03-31,2027-03-31,US-CA\r\n",
            index % customers + 1,
            index % 50 + 1
        ));
    }
    file
}

/// One month still deferred per contract of `contracts_csv`: 100.00 per seat in January 2027,
/// within the 1,200.00 a seat the old system invoiced for the service after the cut-over.
fn deferred_csv(rows: usize) -> String {
    let mut file = String::from("contract_ref,product,month,currency,amount\r\n");
    for index in 1..=rows {
        file.push_str(&format!(
            "OLD-C-{index:07},Platform seats,2027-01,USD,{}.00\r\n",
            (index % 50 + 1) * 100
        ));
    }
    file
}

/// The renewal schedule of `contracts_csv`'s contracts: each checked against its end date, every
/// other one handed to `owner`, each with an uplift of 0–9 %.
fn renewals_csv(rows: usize, owner: &str) -> String {
    let mut file = String::from("contract,end_date,owner_email,renewal_uplift_percent\r\n");
    for index in 1..=rows {
        let owner = if index % 2 == 0 { owner } else { "" };
        file.push_str(&format!(
            "OLD-C-{index:07},2027-03-31,{owner},{}\r\n",
            index % 10
        ));
    }
    file
}

fn customers_csv(rows: usize) -> String {
    let mut file = String::from("external_ref,legal_name,billing_line1,billing_city,billing_postal_code,billing_country,contact_name,contact_email,billing_currency\r\n");
    for index in 1..=rows {
        file.push_str(&format!(
            "ACCT-{index:06},Customer {index} Inc.,{index} Market Street,Austin,78701,US,Accounts Payable,ap{index}@bench.example,USD\r\n"
        ));
    }
    file
}

fn invoices_csv(rows: usize, customers: usize, cutover: NaiveDate) -> String {
    let mut file = String::from(
        "customer_ref,invoice_number,invoice_date,due_date,currency,total_amount,open_amount\r\n",
    );
    for index in 1..=rows {
        let invoice_date = cutover - Duration::days((index % 120) as i64);
        let due_date = invoice_date + Duration::days(30);
        let total = 10_000 + (index * 7_919) % 990_000;
        let open = total - (index % 3) * total / 4;
        file.push_str(&format!(
            "ACCT-{:06},OLD-{index:07},{invoice_date},{due_date},USD,{}.{:02},{}.{:02}\r\n",
            index % customers + 1,
            total / 100,
            total % 100,
            open / 100,
            open % 100
        ));
    }
    file
}

/// Uploads and commits one file, printing the timings and the commit's progress.
async fn time_import(
    app: &App,
    actor: &Actor,
    kind: ImportKind,
    bytes: Vec<u8>,
    lines: &mut Vec<String>,
    figures: &mut Vec<crate::bench::Figure>,
) -> AppResult<ImportRecord> {
    let started = Instant::now();
    let table = Table::read(&bytes).map_err(AppError::internal)?;
    let read_seconds = started.elapsed().as_secs_f64();
    drop(table);
    let started = Instant::now();
    let upload = Upload {
        kind,
        file_name: format!("{}.csv", kind.as_str()),
        cutover_date: NaiveDate::from_ymd_opt(CUTOVER.0, CUTOVER.1, CUTOVER.2),
    };
    let uploaded = app.imports.upload(actor, upload, &bytes).await?;
    let validate_seconds = started.elapsed().as_secs_f64();
    if uploaded.status != ImportStatus::Validated {
        return Err(AppError::internal(format!(
            "the generated {} file was rejected: {:?}",
            kind.as_str(),
            uploaded.errors.first()
        )));
    }
    let service = app.imports.clone();
    let id = uploaded.id;
    let watcher = tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            if let Some(progress) = service.progress(id) {
                eprintln!("  … written {} of {}", progress.done, progress.total);
            }
        }
    });
    let started = Instant::now();
    let committed = app.imports.commit(actor, id).await;
    watcher.abort();
    let commit_seconds = started.elapsed().as_secs_f64();
    let committed = committed?;
    figures.push(crate::bench::Figure {
        name: format!(
            "import of {} {}, validate and commit",
            uploaded.row_count,
            kind.as_str()
        ),
        value: format!("{:.1} s", validate_seconds + commit_seconds),
        floor_seconds: None,
        seconds: validate_seconds + commit_seconds,
        aim: "< 60 s",
    });
    lines.push(format!(
        "  {:<16} {} rows ({:.1} MB): validate {validate_seconds:.1} s (floor: reading the file {read_seconds:.1} s), commit {commit_seconds:.1} s, together {:.1} s (target: under 60 s)",
        kind.as_str(),
        uploaded.row_count,
        bytes.len() as f64 / 1_048_576.0,
        validate_seconds + commit_seconds
    ));
    Ok(committed)
}

/// A plain batched INSERT of `rows` invoice rows into a fresh database: the floor of a commit.
async fn insert_floor(
    base: &Config,
    rows: usize,
    server: Option<&str>,
    cutover: NaiveDate,
) -> AppResult<f64> {
    let mut config = base.clone();
    config.database_url = fresh_url(server, "import_floor").await?;
    let db = crate::db::connect(&config.database_url).await?;
    crate::db::migrate(&db).await?;
    let now = Utc::now();
    let address = r#"{"line1":"1 Main St","line2":null,"city":"Austin","region":null,"postalCode":"78701","country":"US"}"#;
    let owner =
        customer::ActiveModel {
            legal_name: Set("Floor Customer".into()),
            billing_address_json: Set(address.into()),
            remit_to_address_json: Set(address.into()),
            billing_contact_json: Set(
                r#"{"name":"AP","email":"ap@floor.example","phone":null}"#.into()
            ),
            credit_limit_minor: Set(crate::bench::FIXTURE_CREDIT_LIMIT),
            payment_terms: Set("net_30".into()),
            billing_currency: Set("USD".into()),
            has_paid_invoice: Set(false),
            prior_late_payer: Set(false),
            on_credit_hold: Set(false),
            on_watch: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&db)
        .await?;
    let models: Vec<invoice::ActiveModel> = (1..=rows as i64)
        .map(|id| invoice::ActiveModel {
            number: Set(Some(format!("OLD-{id:07}"))),
            batch_key: Set(format!("floor|{id}")),
            legal_entity: Set("Bench Inc.".into()),
            customer_id: Set(owner.id),
            currency: Set("USD".into()),
            status: Set("issued".into()),
            invoice_date: Set(cutover),
            issue_date: Set(Some(cutover)),
            due_date: Set(Some(cutover)),
            payment_terms: Set("net_30".into()),
            subtotal_minor: Set(10_000),
            tax_minor: Set(0),
            total_minor: Set(10_000),
            paid_minor: Set(0),
            credited_minor: Set(0),
            written_off_minor: Set(0),
            functional_currency: Set("USD".into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    let started = Instant::now();
    let transaction = db.begin().await?;
    insert_batched(&transaction, models).await?;
    transaction.commit().await?;
    Ok(started.elapsed().as_secs_f64())
}

/// What `bench_import` found: the lines to print and the figures for `bench-all`.
pub struct ImportBench {
    pub lines: Vec<String>,
    pub figures: Vec<crate::bench::Figure>,
}

/// Runs the cut-over benchmark for `rows` customers and `rows` rows of `kind`.
pub async fn bench_import(
    base: &Config,
    rows: usize,
    server: Option<&str>,
    kind: BenchKind,
) -> AppResult<ImportBench> {
    let cutover = NaiveDate::from_ymd_opt(CUTOVER.0, CUTOVER.1, CUTOVER.2)
        .ok_or_else(|| AppError::internal("cut-over date"))?;
    let clock: SharedClock = std::sync::Arc::new(FixedClock::new(
        Utc.from_utc_datetime(
            &(cutover + Duration::days(1))
                .and_hms_opt(9, 0, 0)
                .unwrap_or_default(),
        ),
    ));
    let mut config = base.clone();
    config.database_url = fresh_url(server, "import").await?;
    let app = App::start(config, clock).await?;
    let actor = create_bench_admin(&app).await?;
    let backend = if server.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let what = match kind {
        BenchKind::OpenInvoices => "open invoices",
        BenchKind::Contracts => "contracts",
        BenchKind::DeferredRevenue => "contracts and their deferred revenue rows",
        BenchKind::RenewalSchedules => "contracts and their renewal schedule rows",
    };
    let mut lines = vec![format!(
        "{backend}: cut-over import of {rows} customers and {rows} {what}"
    )];
    let mut figures = Vec::new();
    time_import(
        &app,
        &actor,
        ImportKind::Customers,
        customers_csv(rows).into_bytes(),
        &mut lines,
        &mut figures,
    )
    .await?;
    if kind != BenchKind::OpenInvoices {
        time_contract_imports(&app, &actor, rows, kind, &mut lines, &mut figures).await?;
        return Ok(ImportBench { lines, figures });
    }
    let invoices = time_import(
        &app,
        &actor,
        ImportKind::OpenInvoices,
        invoices_csv(rows, rows, cutover).into_bytes(),
        &mut lines,
        &mut figures,
    )
    .await?;
    let floor = insert_floor(base, rows, server, cutover).await?;
    lines.push(format!(
        "  floor of a commit: a plain batched INSERT of {rows} invoice rows took {floor:.1} s; the opening entries were {}",
        invoices.result.map(|result| result.entry_numbers.join(", ")).unwrap_or_default()
    ));
    Ok(ImportBench { lines, figures })
}

/// Creates the administrator the imports run as.
async fn create_bench_admin(app: &App) -> AppResult<Actor> {
    let admin = app
        .auth
        .create_user(
            None,
            NewUser {
                email: "admin@bench.example".into(),
                name: "Bench Admin".into(),
                role: Role::Admin,
                password: "bench-password-1".into(),
            },
        )
        .await?;
    Ok(Actor {
        user_id: admin.id,
        email: admin.email.clone(),
        role: Role::Admin,
    })
}

/// Times the contracts import and, for `DeferredRevenue` and `RenewalSchedules`, the schedule's.
async fn time_contract_imports(
    app: &App,
    actor: &Actor,
    rows: usize,
    kind: BenchKind,
    lines: &mut Vec<String>,
    figures: &mut Vec<crate::bench::Figure>,
) -> AppResult<()> {
    time_import(
        app,
        actor,
        ImportKind::Contracts,
        contracts_csv(rows, rows).into_bytes(),
        lines,
        figures,
    )
    .await?;
    if kind == BenchKind::DeferredRevenue {
        let deferred = time_import(
            app,
            actor,
            ImportKind::DeferredRevenue,
            deferred_csv(rows).into_bytes(),
            lines,
            figures,
        )
        .await?;
        lines.push(format!(
            "  the opening entries were {}",
            deferred
                .result
                .map(|result| result.entry_numbers.join(", "))
                .unwrap_or_default()
        ));
    }
    if kind == BenchKind::RenewalSchedules {
        time_import(
            app,
            actor,
            ImportKind::RenewalSchedules,
            renewals_csv(rows, &actor.email).into_bytes(),
            lines,
            figures,
        )
        .await?;
    }
    Ok(())
}
