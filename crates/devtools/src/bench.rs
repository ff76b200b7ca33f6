//! `revops bench-billing`: times the bill run for N monthly subscriptions on a fresh database, and
//! a plain batched INSERT of the same rows (charges, invoices, lines, journal entries and lines,
//! outbox) into another fresh database, and prints both and their ratio.

use crate::app::App;
use crate::clock::{FixedClock, SharedClock};
use crate::config::Config;
use crate::entities::{
    billing_charge, contract, contract_line, customer, deal, invoice, invoice_line, journal_entry,
    journal_line, outbox_message, tax_rate,
};
use crate::error::{AppError, AppResult};
use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, Set, Statement, TransactionTrait};
use std::time::Instant;

const BATCH: usize = 400;

/// A fresh database for one measurement: a SQLite file, or a new PostgreSQL database.
pub(crate) async fn fresh_url(server: Option<&str>, label: &str) -> AppResult<String> {
    let name = format!("revops_bench_{label}_{}", uuid::Uuid::new_v4().simple());
    match server {
        None => {
            let directory = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&directory).map_err(AppError::internal)?;
            Ok(format!(
                "sqlite://{}?mode=rwc",
                directory.join("bench.db").display()
            ))
        }
        Some(server) => {
            let admin = sea_orm::Database::connect(format!("{server}/postgres")).await?;
            admin
                .execute(Statement::from_string(
                    admin.get_database_backend(),
                    format!("CREATE DATABASE {name}"),
                ))
                .await?;
            Ok(format!("{server}/{name}"))
        }
    }
}

pub(crate) async fn insert_batched<E, A>(
    connection: &impl ConnectionTrait,
    rows: Vec<A>,
) -> AppResult<()>
where
    E: EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E> + Clone,
    E::Model: sea_orm::IntoActiveModel<A>,
{
    for chunk in rows.chunks(BATCH) {
        E::insert_many(chunk.to_vec())
            .exec_without_returning(connection)
            .await?;
    }
    Ok(())
}

/// A limit no fixture customer reaches, so the benchmarks measure billing, not credit holds.
pub(crate) const FIXTURE_CREDIT_LIMIT: i64 = 10_000_000_000_000; // 100 billion, in cents

/// The fixture customers' billing and remit-to address.
pub(crate) const FIXTURE_ADDRESS: &str = r#"{"line1":"1 Main St","line2":null,"city":"Austin","region":null,"postalCode":"78701","country":"US"}"#;
/// The fixture customers' billing contact.
pub(crate) const FIXTURE_CONTACT: &str = r#"{"name":"AP","email":"ap@bench.example","phone":null}"#;

type Ids = std::ops::RangeInclusive<i64>;
type Timestamp = chrono::DateTime<Utc>;

/// The fixture: N customers, each with one approved deal and a monthly subscription contract
/// starting on `day`, written directly (a benchmark fixture, not a business path).
pub(crate) async fn seed(
    db: &sea_orm::DatabaseConnection,
    count: usize,
    day: NaiveDate,
) -> AppResult<()> {
    let now = Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).unwrap_or_default());
    let transaction = db.begin().await?;
    tax_rate::Entity::insert(tax_rate::ActiveModel {
        country: Set("US".into()),
        region: Set(String::new()),
        rate_percent: Set("0".into()),
        label: Set("US sales tax".into()),
        effective_from: Set(day),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&transaction)
    .await?;
    let ids = 1..=count as i64;
    insert_batched(&transaction, fixture_customers(ids.clone(), now)).await?;
    insert_batched(&transaction, fixture_deals(ids.clone(), now)).await?;
    insert_batched(&transaction, fixture_contracts(ids.clone(), day, now)).await?;
    insert_batched(&transaction, fixture_contract_lines(ids, day)).await?;
    transaction.commit().await?;
    advance_serial_counters(db).await
}

/// One fixture customer per id.
fn fixture_customers(ids: Ids, now: Timestamp) -> Vec<customer::ActiveModel> {
    ids.map(|id| customer::ActiveModel {
        id: Set(id),
        legal_name: Set(format!("Bench customer {id}")),
        billing_address_json: Set(FIXTURE_ADDRESS.into()),
        remit_to_address_json: Set(FIXTURE_ADDRESS.into()),
        billing_contact_json: Set(FIXTURE_CONTACT.into()),
        credit_limit_minor: Set(FIXTURE_CREDIT_LIMIT),
        payment_terms: Set("net_30".into()),
        billing_currency: Set("USD".into()),
        has_paid_invoice: Set(true),
        prior_late_payer: Set(false),
        on_credit_hold: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .collect()
}

/// One approved deal per fixture customer.
fn fixture_deals(ids: Ids, now: Timestamp) -> Vec<deal::ActiveModel> {
    ids.map(|id| deal::ActiveModel {
        id: Set(id),
        crm_opportunity_id: Set(format!("BENCH-{id}")),
        customer_id: Set(Some(id)),
        billing_contact_json: Set(Some(FIXTURE_CONTACT.into())),
        payment_terms: Set(Some("net_30".into())),
        po_required: Set(false),
        tax_jurisdiction: Set(Some("US".into())),
        tax_exempt: Set(false),
        milestones_json: Set("[]".into()),
        status: Set("approved".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .collect()
}

/// One year-long contract per fixture deal, starting on `day`.
fn fixture_contracts(ids: Ids, day: NaiveDate, now: Timestamp) -> Vec<contract::ActiveModel> {
    ids.map(|id| contract::ActiveModel {
        id: Set(id),
        contract_number: Set(format!("C-BENCH-{id}")),
        deal_id: Set(id),
        customer_id: Set(id),
        start_date: Set(day),
        end_date: Set(day + chrono::Duration::days(364)),
        tcv_minor: Set(120_000),
        arr_minor: Set(120_000),
        currency: Set("USD".into()),
        created_at: Set(now),
        uplift_percent: Set("0".into()),
        renewed_from_id: Set(None),
        revenue_method: Set(None),
        import_id: Set(None),
        brought_over_on: Set(None),
        renewal_owner_id: Set(None),
        billing_day: Set(None),
    })
    .collect()
}

/// One monthly subscription line per fixture contract.
fn fixture_contract_lines(ids: Ids, day: NaiveDate) -> Vec<contract_line::ActiveModel> {
    ids.map(|id| contract_line::ActiveModel {
        id: Set(id),
        contract_id: Set(id),
        product_name: Set("Platform".into()),
        kind: Set("subscription".into()),
        quantity: Set("1".into()),
        unit_price_minor: Set(10_000),
        currency: Set("USD".into()),
        billing_frequency: Set(Some("monthly".into())),
        start_date: Set(day),
        end_date: Set(day + chrono::Duration::days(364)),
        alignment: Set("anniversary".into()),
        ..Default::default()
    })
    .collect()
}

/// On PostgreSQL, moves the serial counters past the fixture's explicit ids.
async fn advance_serial_counters(db: &sea_orm::DatabaseConnection) -> AppResult<()> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // Explicit ids leave the serial counters behind; move them past the fixture.
        for table in ["customers", "deals", "contracts", "contract_lines"] {
            db.execute(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"),
            ))
            .await?;
        }
    }
    Ok(())
}

/// The same rows the bill run writes, inserted plainly in batches in one transaction.
async fn plain_insert(
    db: &sea_orm::DatabaseConnection,
    count: usize,
    day: NaiveDate,
) -> AppResult<()> {
    let now = Utc::now();
    let transaction = db.begin().await?;
    let ids = 1..=count as i64;
    insert_batched(&transaction, plain_charges(ids.clone(), day, now)).await?;
    insert_batched(&transaction, plain_invoices(ids.clone(), day, now)).await?;
    insert_batched(&transaction, plain_invoice_lines(ids.clone(), day)).await?;
    insert_batched(&transaction, plain_journal_entries(ids.clone(), day, now)).await?;
    insert_batched(&transaction, plain_journal_lines(ids.clone())).await?;
    insert_batched(&transaction, plain_outbox_messages(ids, now)).await?;
    transaction.commit().await?;
    Ok(())
}

/// One subscription charge per contract line, as the bill run records them.
fn plain_charges(ids: Ids, day: NaiveDate, now: Timestamp) -> Vec<billing_charge::ActiveModel> {
    ids.map(|id| billing_charge::ActiveModel {
        contract_line_id: Set(id),
        charge_key: Set(format!("period:{day}")),
        contract_id: Set(id),
        customer_id: Set(id),
        kind: Set("subscription".into()),
        description: Set("Platform".into()),
        period_start: Set(Some(day)),
        period_end: Set(Some(day)),
        quantity: Set("1".into()),
        unit_price_minor: Set(10_000),
        amount_minor: Set(10_000),
        currency: Set("USD".into()),
        proration_note: Set(None),
        due_on: Set(day),
        created_at: Set(now),
        ..Default::default()
    })
    .collect()
}

/// One issued invoice per contract.
fn plain_invoices(ids: Ids, day: NaiveDate, now: Timestamp) -> Vec<invoice::ActiveModel> {
    ids.map(|id| invoice::ActiveModel {
        number: Set(Some(format!("INV-2026-{id:06}"))),
        batch_key: Set(format!("bench-{id}")),
        legal_entity: Set("Revops Inc.".into()),
        customer_id: Set(id),
        contract_id: Set(Some(id)),
        currency: Set("USD".into()),
        status: Set("issued".into()),
        invoice_date: Set(day),
        issue_date: Set(Some(day)),
        due_date: Set(Some(day)),
        payment_terms: Set("net_30".into()),
        subtotal_minor: Set(10_000),
        tax_minor: Set(0),
        total_minor: Set(10_000),
        paid_minor: Set(0),
        credited_minor: Set(0),
        functional_currency: Set("USD".into()),
        fx_rate: Set(Some("1".into())),
        functional_total_minor: Set(Some(10_000)),
        journal_entry_id: Set(Some(id)),
        issued_at: Set(Some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .collect()
}

/// One line per invoice, for its charge.
fn plain_invoice_lines(ids: Ids, day: NaiveDate) -> Vec<invoice_line::ActiveModel> {
    ids.map(|id| invoice_line::ActiveModel {
        invoice_id: Set(id),
        position: Set(0),
        charge_id: Set(id),
        active_charge_id: Set(Some(id)),
        contract_line_id: Set(id),
        kind: Set("subscription".into()),
        description: Set("Platform".into()),
        period_start: Set(Some(day)),
        period_end: Set(Some(day)),
        quantity: Set("1".into()),
        unit_price_minor: Set(10_000),
        amount_minor: Set(10_000),
        proration_note: Set(None),
        tax_jurisdiction: Set("US".into()),
        tax_rate_percent: Set("0".into()),
        tax_label: Set("US 0%".into()),
        tax_minor: Set(0),
        revenue_account: Set("2000".into()),
        ..Default::default()
    })
    .collect()
}

/// One journal entry per invoice.
fn plain_journal_entries(
    ids: Ids,
    day: NaiveDate,
    now: Timestamp,
) -> Vec<journal_entry::ActiveModel> {
    ids.map(|id| journal_entry::ActiveModel {
        entry_number: Set(format!("JE-B{id:07}")),
        entry_date: Set(day),
        memo: Set("Invoice".into()),
        source: Set(format!("invoice:{id}")),
        reverses_entry_id: Set(None),
        idempotency_key: Set(None),
        posted_by: Set(None),
        posted_at: Set(now),
        ..Default::default()
    })
    .collect()
}

/// Each journal entry's two lines: receivable debited, revenue credited.
fn plain_journal_lines(ids: Ids) -> Vec<journal_line::ActiveModel> {
    ids.flat_map(|id| {
        [
            journal_line::ActiveModel {
                entry_id: Set(id),
                account_code: Set("1100".into()),
                currency: Set("USD".into()),
                debit_minor: Set(10_000),
                credit_minor: Set(0),
                ..Default::default()
            },
            journal_line::ActiveModel {
                entry_id: Set(id),
                account_code: Set("2000".into()),
                currency: Set("USD".into()),
                debit_minor: Set(0),
                credit_minor: Set(10_000),
                ..Default::default()
            },
        ]
    })
    .collect()
}

/// One pending invoice email per invoice.
fn plain_outbox_messages(ids: Ids, now: Timestamp) -> Vec<outbox_message::ActiveModel> {
    ids.map(|id| outbox_message::ActiveModel {
        kind: Set("invoice_email".into()),
        dedupe_key: Set(format!("invoice-email:{id}")),
        recipient: Set("ap@bench.example".into()),
        subject: Set("Invoice".into()),
        body: Set("Please find attached.".into()),
        attachment_kind: Set(Some("invoice_pdf".into())),
        attachment_ref: Set(Some(id)),
        status: Set("pending".into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    })
    .collect()
}

/// What one measurement found.
pub struct BenchResult {
    pub backend: &'static str,
    pub invoices: usize,
    pub bill_run_seconds: f64,
    pub plain_insert_seconds: f64,
}

impl BenchResult {
    pub fn figure(&self) -> Figure {
        Figure {
            name: format!("bill run, {} subscriptions", self.invoices),
            value: format!(
                "{:.0} invoices/s ({:.2} s)",
                self.invoices as f64 / self.bill_run_seconds.max(1e-9),
                self.bill_run_seconds
            ),
            floor_seconds: Some(self.plain_insert_seconds),
            seconds: self.bill_run_seconds,
            aim: "≥ 10,000/s SQLite, ≥ 5,000/s PostgreSQL at 100,000; ≤ 3× the floor; flat per invoice",
        }
    }

    pub fn report(&self) -> String {
        format!(
            "{}: {} invoices in {:.2} s ({:.0} invoices/s); plain batched insert of the same rows {:.2} s; ratio {:.1}×",
            self.backend,
            self.invoices,
            self.bill_run_seconds,
            self.invoices as f64 / self.bill_run_seconds.max(1e-9),
            self.plain_insert_seconds,
            self.bill_run_seconds / self.plain_insert_seconds.max(1e-9)
        )
    }
}

/// Seeds `count` subscriptions, times the bill run, then times the plain insert.
/// `postgres_server` is `postgres://user@host:port` (no database), or None for SQLite.
pub async fn bench_billing(
    base: &Config,
    count: usize,
    postgres_server: Option<&str>,
) -> AppResult<BenchResult> {
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or_else(|| AppError::internal("date"))?;
    let clock: SharedClock = std::sync::Arc::new(FixedClock::new(
        Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).unwrap_or_default()),
    ));
    let mut config = base.clone();
    config.database_url = fresh_url(postgres_server, "run").await?;
    let app = App::start(config, clock).await?;
    seed(&app.db, count, day).await?;
    let started = Instant::now();
    let report = app
        .billing
        .run_as(None, day, false, "bench".into(), &|_, _| {})
        .await?;
    let bill_run_seconds = started.elapsed().as_secs_f64();
    if report.issued.len() != count {
        return Err(AppError::internal(format!(
            "expected {count} invoices, the run issued {}",
            report.issued.len()
        )));
    }
    let plain = crate::db::connect(&fresh_url(postgres_server, "plain").await?).await?;
    crate::db::migrate(&plain).await?;
    // The same customers and contracts exist there, so the foreign keys hold; only the
    // bill run's own rows are timed.
    seed(&plain, count, day).await?;
    let started = Instant::now();
    plain_insert(&plain, count, day).await?;
    Ok(BenchResult {
        backend: if postgres_server.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        invoices: count,
        bill_run_seconds,
        plain_insert_seconds: started.elapsed().as_secs_f64(),
    })
}

/// One measured figure on one database.
#[derive(Debug, Clone)]
pub struct Figure {
    /// What was timed, e.g. "bill run, 20000 subscriptions".
    pub name: String,
    /// The figure as read, e.g. "1234 invoices/s (16.21 s)" or "143 ms best".
    pub value: String,
    /// The same rows written (or read) the plainest way, in seconds, where there is one.
    pub floor_seconds: Option<f64>,
    /// The timed work in seconds, for the ratio to the floor.
    pub seconds: f64,
    /// The aim this figure answers to.
    pub aim: &'static str,
}

impl Figure {
    pub fn ratio(&self) -> Option<f64> {
        self.floor_seconds
            .map(|floor| self.seconds / floor.max(1e-9))
    }
}
