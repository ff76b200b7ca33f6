//! The developer subcommands of `revops`: demo and scale data, and the benchmarks. The server
//! binary has them only when built with its `devtools` feature (on by default), so a production
//! build (`cargo build --release -p revops --no-default-features`) carries no seeding or
//! benchmark code.

use crate::app::App;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::error::{AppError, AppResult};

#[derive(clap::Subcommand)]
pub enum DevCommand {
    /// Load data: `--demo` for the documented demo, `--scale N` for N customers' worth.
    Seed {
        #[arg(long)]
        demo: bool,
        #[arg(long, value_name = "N")]
        scale: Option<usize>,
    },
    /// Every benchmark at the sizes of the performance aims (5,000 / 20,000 / 100,000
    /// subscriptions billed, 100,000 contracts recognised, 1,000 reps × 200,000 deals, the
    /// dashboard and aging at 1,000,000 invoices, a 100,000-row import), printed as one table:
    /// figure, SQLite, PostgreSQL, floor, ratio, aim. `--scale-down 10` runs a tenth of each.
    BenchAll {
        #[arg(long, default_value_t = 1)]
        scale_down: usize,
        /// PostgreSQL server without a database name, e.g. postgres://postgres@127.0.0.1:5432
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Time the bill run for N subscriptions against a plain batched insert of the same rows, on
    /// fresh SQLite databases and (with --postgres) fresh PostgreSQL databases.
    BenchBilling {
        #[arg(long, default_value_t = 10_000)]
        subscriptions: usize,
        /// PostgreSQL server without a database name, e.g. postgres://postgres@127.0.0.1:5432
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Times the monthly recognition run for N contracts (with its journal postings) against a
    /// plain batched insert of the same entries, on fresh SQLite (and with --postgres PostgreSQL)
    /// databases.
    BenchRevenue {
        #[arg(long, default_value_t = 100_000)]
        contracts: usize,
        /// PostgreSQL server without a database name, e.g. postgres://postgres@127.0.0.1:5432
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Times a month-end commission calculation (with its ledger accrual) for R reps and D deals
    /// booked in the month, and its rerun, on fresh SQLite (and with --postgres PostgreSQL) databases.
    BenchCommissions {
        #[arg(long, default_value_t = 1_000)]
        reps: usize,
        #[arg(long, default_value_t = 200_000)]
        deals: usize,
        /// PostgreSQL server without a database name, e.g. postgres://postgres@127.0.0.1:5432
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Generates invoices and payments on fresh databases and times AR aging as of several dates.
    BenchAging {
        #[arg(long, default_value_t = 1_000_000)]
        invoices: i64,
        #[arg(long, default_value_t = 500_000)]
        payments: i64,
        /// PostgreSQL server without a database name, e.g. postgres://postgres@127.0.0.1:5432
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Times a cut-over: N customers then N open invoices imported (validate and commit each),
    /// on a fresh SQLite (and with --postgres PostgreSQL) database; the target is under 60 s a file.
    BenchImport {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// What is timed after the customers: open invoices, contracts, or contracts and their
        /// deferred revenue schedule.
        #[arg(long, value_enum, default_value = "open-invoices")]
        kind: crate::bench_import::BenchKind,
        /// PostgreSQL server without a database name, e.g. postgres://postgres@127.0.0.1:5432
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Time the whole dashboard on a large book (SQLite, and PostgreSQL when given).
    BenchDashboard {
        #[arg(long, default_value_t = 1_000_000)]
        invoices: i64,
        #[arg(long, default_value_t = 50_000)]
        customers: i64,
        /// PostgreSQL server without a database name, e.g. postgres://postgres@127.0.0.1:5432
        #[arg(long)]
        postgres: Option<String>,
    },
}

/// Runs one developer subcommand.
pub async fn run(command: DevCommand, config: Config, clock: SharedClock) -> AppResult<()> {
    match command {
        DevCommand::Seed { demo, scale } => run_seed(demo, scale, config, clock).await,
        DevCommand::BenchAll {
            scale_down,
            postgres,
        } => run_bench_all(&config, scale_down, postgres).await,
        DevCommand::BenchBilling {
            subscriptions,
            postgres,
        } => run_bench_billing(&config, subscriptions, postgres).await,
        DevCommand::BenchRevenue {
            contracts,
            postgres,
        } => run_bench_revenue(&config, contracts, postgres).await,
        DevCommand::BenchCommissions {
            reps,
            deals,
            postgres,
        } => run_bench_commissions(&config, reps, deals, postgres).await,
        DevCommand::BenchDashboard {
            invoices,
            customers,
            postgres,
        } => run_bench_dashboard(&config, invoices, customers, postgres).await,
        DevCommand::BenchImport {
            rows,
            kind,
            postgres,
        } => run_bench_import(&config, rows, kind, postgres).await,
        DevCommand::BenchAging {
            invoices,
            payments,
            postgres,
        } => run_bench_aging(&config, invoices, payments, postgres).await,
    }
}

/// `dev seed`: the demo data and/or `scale` customers' worth, saying what was created.
async fn run_seed(
    demo: bool,
    scale: Option<usize>,
    config: Config,
    clock: SharedClock,
) -> AppResult<()> {
    if !demo && scale.is_none() {
        return Err(AppError::validation(
            "seed",
            "say what to seed: --demo or --scale N",
        ));
    }
    let app = App::start(config, clock).await?;
    if demo {
        if crate::seed::seed_demo(&app).await? {
            println!(
                "demo data created; sign in as cfo@{} with password {}",
                crate::seed::DEMO_DOMAIN,
                crate::seed::DEMO_PASSWORD
            );
        } else {
            println!("demo data is already present; nothing to do");
        }
    }
    if let Some(count) = scale {
        let started = std::time::Instant::now();
        let (customers, deals) = crate::seed::seed_scale(&app, count).await?;
        println!(
            "created {customers} customers and {deals} deals in {:.1?}",
            started.elapsed()
        );
    }
    Ok(())
}

/// `dev bench-all`: every benchmark on SQLite (and PostgreSQL when given), as one table.
async fn run_bench_all(
    config: &Config,
    scale_down: usize,
    postgres: Option<String>,
) -> AppResult<()> {
    let sizes = crate::bench_all::Sizes::divided_by(scale_down);
    let sqlite = crate::bench_all::run_all(config, &sizes, None).await?;
    let postgres = match postgres {
        Some(server) => crate::bench_all::run_all(config, &sizes, Some(&server)).await?,
        None => Vec::new(),
    };
    println!("{}", crate::bench_all::table(&sqlite, &postgres));
    Ok(())
}

/// `dev bench-billing`: the bill run on SQLite, then on PostgreSQL when given.
async fn run_bench_billing(
    config: &Config,
    subscriptions: usize,
    postgres: Option<String>,
) -> AppResult<()> {
    let sqlite = crate::bench::bench_billing(config, subscriptions, None).await?;
    println!("{}", sqlite.report());
    if let Some(server) = postgres {
        let postgres = crate::bench::bench_billing(config, subscriptions, Some(&server)).await?;
        println!("{}", postgres.report());
    }
    Ok(())
}

/// `dev bench-revenue`: the recognition run on SQLite, then on PostgreSQL when given.
async fn run_bench_revenue(
    config: &Config,
    contracts: usize,
    postgres: Option<String>,
) -> AppResult<()> {
    let sqlite = crate::bench_revenue::bench_revenue(config, contracts, None).await?;
    println!("{}", sqlite.report());
    if let Some(server) = postgres {
        let postgres =
            crate::bench_revenue::bench_revenue(config, contracts, Some(&server)).await?;
        println!("{}", postgres.report());
    }
    Ok(())
}

/// `dev bench-commissions`: the month-end calculation on SQLite, then on PostgreSQL when given.
async fn run_bench_commissions(
    config: &Config,
    reps: usize,
    deals: usize,
    postgres: Option<String>,
) -> AppResult<()> {
    let sqlite = crate::bench_commissions::bench_commissions(config, reps, deals, None).await?;
    println!("{}", sqlite.report());
    if let Some(server) = postgres {
        let postgres =
            crate::bench_commissions::bench_commissions(config, reps, deals, Some(&server)).await?;
        println!("{}", postgres.report());
    }
    Ok(())
}

/// `dev bench-dashboard`: the dashboard on SQLite, then on PostgreSQL when given.
async fn run_bench_dashboard(
    config: &Config,
    invoices: i64,
    customers: i64,
    postgres: Option<String>,
) -> AppResult<()> {
    let sqlite = crate::bench_dashboard::bench_dashboard(config, invoices, customers, None).await?;
    println!("{}", sqlite.lines.join("\n"));
    if let Some(server) = postgres {
        let postgres =
            crate::bench_dashboard::bench_dashboard(config, invoices, customers, Some(&server))
                .await?;
        println!("{}", postgres.lines.join("\n"));
    }
    Ok(())
}

/// `dev bench-import`: the cut-over import on SQLite, then on PostgreSQL when given.
async fn run_bench_import(
    config: &Config,
    rows: usize,
    kind: crate::bench_import::BenchKind,
    postgres: Option<String>,
) -> AppResult<()> {
    let sqlite = crate::bench_import::bench_import(config, rows, None, kind).await?;
    println!("{}", sqlite.lines.join("\n"));
    if let Some(server) = postgres {
        let postgres = crate::bench_import::bench_import(config, rows, Some(&server), kind).await?;
        println!("{}", postgres.lines.join("\n"));
    }
    Ok(())
}

/// `dev bench-aging`: the aging queries on SQLite, then on PostgreSQL when given.
async fn run_bench_aging(
    config: &Config,
    invoices: i64,
    payments: i64,
    postgres: Option<String>,
) -> AppResult<()> {
    let sqlite = crate::bench_aging::bench_aging(config, invoices, payments, None).await?;
    println!("{}", sqlite.lines.join("\n"));
    if let Some(server) = postgres {
        let postgres =
            crate::bench_aging::bench_aging(config, invoices, payments, Some(&server)).await?;
        println!("{}", postgres.lines.join("\n"));
    }
    Ok(())
}
