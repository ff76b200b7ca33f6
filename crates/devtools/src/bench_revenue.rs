//! `revops bench-revenue`: times the monthly recognition run for N annual contracts billed
//! upfront (one ratable obligation each, twelve schedule rows), with its journal postings, and a
//! plain batched INSERT of the same journal entries and lines into another fresh database.

use crate::app::App;
use crate::bench::{fresh_url, insert_batched, seed};
use crate::clock::{FixedClock, SharedClock};
use crate::config::Config;
use crate::entities::{
    journal_entry, journal_line, performance_obligation, revenue_position, revenue_schedule,
};
use crate::error::{AppError, AppResult};
use crate::ledger::chart::{DEFERRED_REVENUE, REVENUE_SUBSCRIPTION};
use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{ConnectionTrait, Set, TransactionTrait};
use std::time::Instant;

/// Per contract: 1,200.00 a year, 100.00 a month.
const MONTHLY: i64 = 10_000;

/// Obligations, schedules and billed positions for the contracts `bench::seed` wrote, written
/// directly (a fixture; `revenue::repo::build_contract` is the business path).
async fn seed_revenue(
    db: &sea_orm::DatabaseConnection,
    count: usize,
    day: NaiveDate,
) -> AppResult<()> {
    let now = Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).unwrap_or_default());
    let end = day + chrono::Duration::days(365);
    let transaction = db.begin().await?;
    let ids = 1..=count as i64;
    insert_batched(
        &transaction,
        ids.clone()
            .map(|id| performance_obligation::ActiveModel {
                id: Set(id),
                contract_id: Set(id),
                contract_line_id: Set(id),
                customer_id: Set(id),
                currency: Set("USD".into()),
                pattern: Set("ratable".into()),
                stream_account: Set(REVENUE_SUBSCRIPTION.into()),
                service_start: Set(day),
                service_end: Set(end),
                stated_minor: Set(12 * MONTHLY),
                ssp_minor: Set(12 * MONTHLY),
                ssp_source: Set("no SSP on file: the contract price is used".into()),
                carries_discount: Set(true),
                allocated_minor: Set(12 * MONTHLY),
                satisfied_on: Set(None),
                expected_on: Set(None),
                updated_at: Set(now),
                ssp_method: Set("observable".into()),
                residual_low_minor: Set(None),
                residual_high_minor: Set(None),
            })
            .collect(),
    )
    .await?;
    let periods = crate::revenue::rules::ratable_periods(
        day,
        end,
        crate::revenue::rules::RatableMethod::MonthlyEqual,
        day,
    );
    let rows: Vec<revenue_schedule::ActiveModel> = ids
        .clone()
        .flat_map(|id| {
            periods
                .iter()
                .map(move |period| revenue_schedule::ActiveModel {
                    obligation_id: Set(id),
                    contract_id: Set(id),
                    currency: Set("USD".into()),
                    stream_account: Set(REVENUE_SUBSCRIPTION.into()),
                    kind: Set("ratable".into()),
                    source_key: Set(format!("m:{}", period.month)),
                    period_start: Set(Some(period.start)),
                    period_end: Set(Some(period.end)),
                    recognise_on: Set(Some(period.recognise_on)),
                    amount_minor: Set(MONTHLY),
                    status: Set("planned".into()),
                    ..Default::default()
                })
        })
        .collect();
    insert_batched(&transaction, rows).await?;
    insert_batched(
        &transaction,
        ids.map(|id| revenue_position::ActiveModel {
            contract_id: Set(id),
            currency: Set("USD".into()),
            billed_minor: Set(12 * MONTHLY),
            recognised_minor: Set(0),
        })
        .collect(),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// The recognition run's journal entries and lines, inserted plainly.
async fn plain_insert(
    db: &sea_orm::DatabaseConnection,
    count: usize,
    day: NaiveDate,
) -> AppResult<()> {
    let now = Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).unwrap_or_default());
    let cutoff = crate::revenue::rules::month_end(day);
    let transaction = db.begin().await?;
    let ids = 1..=count as i64;
    insert_batched(
        &transaction,
        ids.clone()
            .map(|id| journal_entry::ActiveModel {
                id: Set(id),
                entry_number: Set(format!("JE-{id:07}")),
                entry_date: Set(cutoff),
                memo: Set(format!(
                    "Revenue recognised for 2026-01: contract C-BENCH-{id}"
                )),
                source: Set(format!("revenue:C-BENCH-{id}:2026-01")),
                reverses_entry_id: Set(None),
                idempotency_key: Set(None),
                posted_by: Set(None),
                posted_at: Set(now),
            })
            .collect(),
    )
    .await?;
    insert_batched(
        &transaction,
        ids.flat_map(|id| {
            [
                (DEFERRED_REVENUE, MONTHLY, 0),
                (REVENUE_SUBSCRIPTION, 0, MONTHLY),
            ]
            .map(|(account, debit, credit)| journal_line::ActiveModel {
                entry_id: Set(id),
                account_code: Set(account.into()),
                currency: Set("USD".into()),
                debit_minor: Set(debit),
                credit_minor: Set(credit),
                ..Default::default()
            })
        })
        .collect(),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

pub struct RevenueBench {
    pub backend: &'static str,
    pub contracts: usize,
    pub entries: i32,
    pub run_seconds: f64,
    pub plain_seconds: f64,
    pub rerun_seconds: f64,
}

impl RevenueBench {
    pub fn figures(&self) -> Vec<crate::bench::Figure> {
        vec![
            crate::bench::Figure {
                name: format!("month-end recognition, {} contracts", self.contracts),
                value: format!("{:.2} s ({} entries)", self.run_seconds, self.entries),
                floor_seconds: Some(self.plain_seconds),
                seconds: self.run_seconds,
                aim: "≤ 10 s on SQLite",
            },
            crate::bench::Figure {
                name: "recognition rerun, nothing left".into(),
                value: format!("{:.2} s", self.rerun_seconds),
                floor_seconds: None,
                seconds: self.rerun_seconds,
                aim: "—",
            },
        ]
    }

    pub fn report(&self) -> String {
        format!(
            "{}: recognition run for {} contracts posted {} entries in {:.2} s; plain batched insert of the same entries and lines {:.2} s; ratio {:.1}×; rerun (nothing left) {:.2} s",
            self.backend,
            self.contracts,
            self.entries,
            self.run_seconds,
            self.plain_seconds,
            self.run_seconds / self.plain_seconds.max(1e-9),
            self.rerun_seconds
        )
    }
}

/// Seeds `count` contracts, times January's recognition run and its rerun, then the plain insert.
pub async fn bench_revenue(
    base: &Config,
    count: usize,
    postgres_server: Option<&str>,
) -> AppResult<RevenueBench> {
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or_else(|| AppError::internal("date"))?;
    let clock: SharedClock = std::sync::Arc::new(FixedClock::new(
        Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).unwrap_or_default())
            + chrono::Duration::days(40),
    ));
    let mut config = base.clone();
    config.database_url = fresh_url(postgres_server, "revenue").await?;
    let app = App::start(config, clock).await?;
    seed(&app.db, count, day).await?;
    seed_revenue(&app.db, count, day).await?;
    if app.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        for table in ["performance_obligations"] {
            app.db
                .execute(sea_orm::Statement::from_string(
                    app.db.get_database_backend(),
                    format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"),
                ))
                .await?;
        }
        app.db.execute_unprepared("ANALYZE").await?;
    }
    let started = Instant::now();
    let report = app
        .revenue
        .run_as(None, "2026-01", day + chrono::Duration::days(40))
        .await?;
    let run_seconds = started.elapsed().as_secs_f64();
    if report.rows_recognised != count as i32 || report.entries != count as i32 {
        return Err(AppError::internal(format!(
            "expected {count} rows and entries, the run recognised {} rows in {} entries",
            report.rows_recognised, report.entries
        )));
    }
    let started = Instant::now();
    let rerun = app
        .revenue
        .run_as(None, "2026-01", day + chrono::Duration::days(40))
        .await?;
    let rerun_seconds = started.elapsed().as_secs_f64();
    if rerun.entries != 0 {
        return Err(AppError::internal("the rerun posted again"));
    }
    let plain = crate::db::connect(&fresh_url(postgres_server, "revenue_plain").await?).await?;
    crate::db::migrate(&plain).await?;
    let started = Instant::now();
    plain_insert(&plain, count, day).await?;
    Ok(RevenueBench {
        backend: if postgres_server.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        contracts: count,
        entries: report.entries,
        run_seconds,
        plain_seconds: started.elapsed().as_secs_f64(),
        rerun_seconds,
    })
}
