//! The `revops` command line: serve, migrate, backup, restore, create-user, export-schema,
//! run-daily, and (with the `devtools` feature, the default) seed and the benchmarks.

#![recursion_limit = "256"]
use clap::{Parser, Subcommand};
use revops::access::Role;
use revops::app::App;
use revops::auth::NewUser;
use revops::clock::{SharedClock, SystemClock};
use revops::config::Config;
use revops::error::AppError;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "revops",
    version,
    about = "Revenue operations on one double-entry ledger"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the API and web app.
    Serve {
        /// Address to listen on; port 0 picks a free port (the chosen address is printed).
        #[arg(long, env = "REVOPS_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Write a consistent copy of the database while revops keeps running (SQLite: VACUUM INTO,
    /// checked; PostgreSQL: pg_dump --format=custom).
    Backup {
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
    },
    /// Put a backup in place of the database (stop revops first). Replacing an existing
    /// database needs --force.
    Restore {
        #[arg(long, value_name = "FILE")]
        from: std::path::PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Create a user (the password is read from REVOPS_NEW_USER_PASSWORD or --password).
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, cfo, cro, vp_revops, vp_finance, ar_specialist, account_manager, ae, vp_cs, auditor
        #[arg(long)]
        role: String,
        #[arg(long, env = "REVOPS_NEW_USER_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Write the GraphQL schema (SDL) to a file.
    ExportSchema {
        #[arg(long, default_value = "schema.graphql")]
        out: String,
    },
    /// Run every daily job for one business date (idempotent per job and date).
    RunDaily {
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: chrono::NaiveDate,
    },
    /// Seal the audit log and journal rows not yet in their hash chains (run-daily and the serve
    /// scheduler also do this).
    Seal,
    /// Recompute both hash chains and name the first row that differs from what was sealed.
    /// Exit 0 when intact, 1 when broken, 2 when intact but rows older than the grace period
    /// are still unsealed.
    VerifyChain {
        /// Unsealed rows younger than this many minutes are normal (the sealer runs every minute
        /// in `serve` and at the end of `run-daily`).
        #[arg(long, default_value_t = 60)]
        grace_minutes: i64,
    },
    /// Demo data and the benchmarks (only in a build with the `devtools` feature, the default).
    #[cfg(feature = "devtools")]
    #[command(flatten)]
    Dev(revops_devtools::cli::DevCommand),
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let json = std::env::var("REVOPS_LOG_FORMAT").is_ok_and(|format| format == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
                return;
            }
            Err(error) => tracing::warn!(%error, "cannot listen for SIGTERM; Ctrl-C only"),
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn describe(error: &AppError) -> String {
    match error {
        AppError::Validation { field, message } => format!("{field}: {message}"),
        other => other.message(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match run(cli.command).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<ExitCode, AppError> {
    let config = Config::from_env()?;
    let clock: SharedClock = Arc::new(SystemClock);
    match command {
        Command::Serve { addr } => serve(config, clock, &addr).await,
        Command::Backup { out } => {
            let report = revops::backup::backup(&config.database_url, &out).await?;
            println!(
                "backup written to {} ({} bytes)",
                report.file.display(),
                report.bytes
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from, force } => {
            revops::backup::restore(&config.database_url, &from, force).await?;
            println!(
                "restored {}; start revops to migrate and serve it",
                from.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            App::start(config, clock).await?;
            println!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::CreateUser {
            email,
            name,
            role,
            password,
        } => {
            create_user(
                config,
                clock,
                NewUser {
                    email,
                    name,
                    role: Role::parse(&role).ok_or_else(|| {
                        AppError::validation("role", format!("unknown role {role}"))
                    })?,
                    password,
                },
            )
            .await
        }
        Command::ExportSchema { out } => export_schema(config, clock, &out).await,
        #[cfg(feature = "devtools")]
        Command::Dev(command) => {
            revops_devtools::cli::run(command, config, clock).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Seal => {
            let app = App::start(config, clock).await?;
            let report = revops::jobs::seal(&app).await?;
            println!("{}", report.summary());
            Ok(ExitCode::SUCCESS)
        }
        Command::VerifyChain { grace_minutes } => {
            let app = App::start(config, clock).await?;
            verify_chain(&app, grace_minutes).await
        }
        Command::RunDaily { as_of } => run_daily(config, clock, as_of).await,
    }
}

/// `revops serve`: the app on `addr`, with the daily jobs and mail delivery scheduled, until
/// Ctrl-C or SIGTERM.
async fn serve(config: Config, clock: SharedClock, addr: &str) -> Result<ExitCode, AppError> {
    let app = App::start(config, clock).await?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|error| {
            AppError::validation("addr", format!("cannot listen on {addr}: {error}"))
        })?;
    let local = listener.local_addr().map_err(AppError::internal)?;
    println!("revops is listening on http://{local}");
    tracing::info!(%local, dev_mode = app.config.dev_mode, "serving");
    // Daily jobs for each new business date, and mail delivery every few seconds.
    revops::jobs::spawn_scheduler(app.clone(), std::time::Duration::from_secs(5));
    // Ctrl-C or SIGTERM (what an orchestrator sends) stops taking connections and lets
    // the requests in flight finish before the process exits.
    let shutdown = async {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing requests in flight");
    };
    revops::http::serve(app, listener, shutdown)
        .await
        .map_err(AppError::internal)?;
    Ok(ExitCode::SUCCESS)
}

/// `revops create-user`: a user with a role and password, created by nobody (the first admin).
async fn create_user(
    config: Config,
    clock: SharedClock,
    new_user: NewUser,
) -> Result<ExitCode, AppError> {
    let app = App::start(config, clock).await?;
    let user = app.auth.create_user(None, new_user).await?;
    println!(
        "created user {} ({}) with id {}",
        user.email, user.role, user.id
    );
    Ok(ExitCode::SUCCESS)
}

/// `revops export-schema`: the GraphQL SDL, from an app started on a throwaway database.
async fn export_schema(
    config: Config,
    clock: SharedClock,
    out: &str,
) -> Result<ExitCode, AppError> {
    let mut config = config;
    config.dev_mode = true;
    let directory =
        std::env::temp_dir().join(format!("revops-export-{}", uuid::Uuid::new_v4().simple()));
    config.database_url = format!(
        "sqlite://{}?mode=rwc",
        directory.join("export.db").display()
    );
    config.data_dir = directory.clone();
    let app = App::start(config, clock).await?;
    let sdl = revops::graphql::export_sdl(&revops::graphql::build_schema(app));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::write(out, sdl).map_err(AppError::internal)?;
    println!("wrote {out}");
    Ok(ExitCode::SUCCESS)
}

/// `revops run-daily`: the daily jobs for `as_of`, with their progress on stderr.
async fn run_daily(
    config: Config,
    clock: SharedClock,
    as_of: chrono::NaiveDate,
) -> Result<ExitCode, AppError> {
    let app = App::start(config, clock).await?;
    let last = std::sync::Mutex::new(std::time::Instant::now());
    let reports = revops::jobs::run_daily(&app, as_of, &|job, done, total| {
        // Progress about once a second, and at the end.
        if let Ok(mut last) = last.lock() {
            if done == total || last.elapsed() >= std::time::Duration::from_secs(1) {
                *last = std::time::Instant::now();
                eprintln!("{as_of} {job}: {done} / {total}");
            }
        }
    })
    .await?;
    for report in reports {
        println!("{as_of} {}: {}", report.job, report.summary);
    }
    Ok(ExitCode::SUCCESS)
}

/// `revops verify-chain`: prints each chain's state and the first break, if any.
async fn verify_chain(app: &App, grace_minutes: i64) -> Result<ExitCode, AppError> {
    let grace = chrono::Duration::minutes(grace_minutes.max(0));
    let report = revops::seal::verify::verify(&app.db, app.clock.now(), grace).await?;
    let mut stale = false;
    for chain in &report.chains {
        println!(
            "{}: {} sealed rows verified, up to hash {}; {} not sealed yet",
            chain.chain, chain.sealed, chain.head_hash, chain.unsealed
        );
        if let Some(oldest) = chain.oldest_stale_id {
            stale = true;
            println!(
                "{}: {} rows older than {grace_minutes} minutes are not sealed (the oldest is id {oldest}); run `revops seal`",
                chain.chain, chain.unsealed_stale
            );
        }
    }
    if let Some(broken) = report.broken {
        println!("chain broken: {}", broken.sentence());
        return Ok(ExitCode::FAILURE);
    }
    let total: i64 = report.chains.iter().map(|chain| chain.sealed).sum();
    println!("chain intact: {total} sealed records verified");
    Ok(if stale {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
