//! `revops bench-commissions`: times a month-end commission calculation for R reps and D deals
//! booked in the month (each credited to one rep under a tiered quarterly plan with an
//! accelerator, a cap and a clawback window), with its ledger accrual, and the rerun.

use crate::access::{Actor, Role};
use crate::app::App;
use crate::bench::{fresh_url, insert_batched, seed};
use crate::clock::{FixedClock, SharedClock};
use crate::config::Config;
use crate::entities::{commission_assignment, deal, user};
use crate::error::{AppError, AppResult};
use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, EntityTrait, Set, TransactionTrait};
use std::time::Instant;

const PLAN: &str = r#"code: PLAN-BENCH
name: Benchmark plan
currency: USD
effective_from: 2026-01-01
quota:
  period: quarter
  amount: "200.00"
clawback:
  window_days: 180
components:
  - name: New business
    metric: bookings_acv
    tiers:
      - { from: 0, rate: 8 }
      - { from: 100, rate: 12 }
    accelerators:
      - { above: 150, multiplier: 1.5 }
    cap: "100000.00"
"#;

pub struct CommissionBench {
    pub backend: &'static str,
    pub reps: usize,
    pub deals: usize,
    pub lines: i32,
    pub run_seconds: f64,
    pub rerun_seconds: f64,
}

impl CommissionBench {
    pub fn figures(&self) -> Vec<crate::bench::Figure> {
        vec![
            crate::bench::Figure {
                name: format!(
                    "commission month-end, {} reps × {} deals",
                    self.reps, self.deals
                ),
                value: format!("{:.2} s ({} lines)", self.run_seconds, self.lines),
                floor_seconds: None,
                seconds: self.run_seconds,
                aim: "< 5 s",
            },
            crate::bench::Figure {
                name: "commission rerun, nothing changed".into(),
                value: format!("{:.2} s", self.rerun_seconds),
                floor_seconds: None,
                seconds: self.rerun_seconds,
                aim: "< 1 s",
            },
        ]
    }

    pub fn report(&self) -> String {
        format!(
            "{}: month-end commission calculation for {} reps and {} credited deals wrote {} statement lines (with the ledger accrual) in {:.2} s; rerun (nothing changed) {:.2} s",
            self.backend, self.reps, self.deals, self.lines, self.run_seconds, self.rerun_seconds
        )
    }
}

/// Seeds `deals` approved January deals spread over `reps` reps, then times January's
/// calculation as of 1 February and its rerun.
pub async fn bench_commissions(
    base: &Config,
    reps: usize,
    deals: usize,
    postgres_server: Option<&str>,
) -> AppResult<CommissionBench> {
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or_else(|| AppError::internal("date"))?;
    let as_of = NaiveDate::from_ymd_opt(2026, 2, 1).ok_or_else(|| AppError::internal("date"))?;
    let clock: SharedClock = std::sync::Arc::new(FixedClock::new(
        Utc.from_utc_datetime(&as_of.and_hms_opt(6, 0, 0).unwrap_or_default()),
    ));
    let mut config = base.clone();
    config.database_url = fresh_url(postgres_server, "commissions").await?;
    let app = App::start(config, clock).await?;
    seed(&app.db, deals, day).await?;
    let reps_i64 = i64::try_from(reps.max(1)).map_err(AppError::internal)?;
    seed_reps(&app, reps_i64, day).await?;
    // The import is audited under an existing user (rep 1 stands in for the administrator).
    let admin = Actor {
        user_id: 1,
        email: "bench@revops.local".into(),
        role: Role::Admin,
    };
    app.commissions.import_plan(&admin, PLAN, None).await?;
    let started = Instant::now();
    let run = app.commissions.calculate_as(None, "2026-01", as_of).await?;
    let run_seconds = started.elapsed().as_secs_f64();
    let expected = i32::try_from(deals).unwrap_or(i32::MAX);
    if run.lines != expected || run.entries != 1 {
        return Err(AppError::internal(format!(
            "expected {expected} lines (a credit per deal) in one entry; the calculation wrote {} lines in {} entries ({:?})",
            run.lines, run.entries, run.warnings
        )));
    }
    let started = Instant::now();
    let rerun = app.commissions.calculate_as(None, "2026-01", as_of).await?;
    let rerun_seconds = started.elapsed().as_secs_f64();
    if rerun.changed != 0 || rerun.entries != 0 {
        return Err(AppError::internal(
            "the rerun changed lines or posted again",
        ));
    }
    Ok(CommissionBench {
        backend: if postgres_server.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        reps,
        deals,
        lines: run.lines,
        run_seconds,
        rerun_seconds,
    })
}

/// Writes `reps` reps on the benchmark plan from `day` and credits every deal to one of them,
/// approved on `day` (round robin).
async fn seed_reps(app: &App, reps_i64: i64, day: NaiveDate) -> AppResult<()> {
    let now = Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).unwrap_or_default());
    let transaction = app.db.begin().await?;
    insert_batched(&transaction, rep_users(reps_i64, now)).await?;
    insert_batched(&transaction, rep_assignments(reps_i64, day, now)).await?;
    // Deals approved through January, each credited to one rep (round robin).
    deal::Entity::update_many()
        .col_expr(
            deal::Column::AssignedAeId,
            Expr::cust(format!("(id % {reps_i64}) + 1")),
        )
        .col_expr(deal::Column::CommissionPlanId, Expr::value("PLAN-BENCH"))
        .col_expr(
            deal::Column::ApprovedAt,
            Expr::value(Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap_or_default())),
        )
        .exec(&transaction)
        .await?;
    transaction.commit().await?;
    if app.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        for table in ["users"] {
            app.db
                .execute(sea_orm::Statement::from_string(
                    app.db.get_database_backend(),
                    format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"),
                ))
                .await?;
        }
        app.db.execute_unprepared("ANALYZE").await?;
    }
    Ok(())
}

/// Reps 1 to `reps` as AE users.
fn rep_users(reps: i64, now: chrono::DateTime<Utc>) -> Vec<user::ActiveModel> {
    (1..=reps)
        .map(|id| user::ActiveModel {
            id: Set(id),
            email: Set(format!("rep{id}@bench.example")),
            name: Set(format!("Rep {id}")),
            role: Set("ae".into()),
            password_hash: Set(String::new()),
            created_at: Set(now),
            manager_id: Set(None),
            deactivated_at: Set(None),
            token_version: Set(0),
            kind: Set("person".into()),
        })
        .collect()
}

/// Every rep's assignment to the benchmark plan from `day`.
fn rep_assignments(
    reps: i64,
    day: NaiveDate,
    now: chrono::DateTime<Utc>,
) -> Vec<commission_assignment::ActiveModel> {
    (1..=reps)
        .map(|id| commission_assignment::ActiveModel {
            user_id: Set(id),
            plan_code: Set("PLAN-BENCH".into()),
            effective_from: Set(day),
            effective_to: Set(None),
            quota_minor: Set(None),
            assigned_by: Set(None),
            assigned_at: Set(now),
            acknowledged_at: Set(None),
            acknowledged_version: Set(None),
            ..Default::default()
        })
        .collect()
}
