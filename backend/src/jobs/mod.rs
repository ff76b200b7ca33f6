//! The daily run and the in-process scheduler: every scheduled job for one business date, through
//! the same services the API uses. Each job is idempotent per business date (the bill run by its
//! charge keys, the outbox by its claims, recognition by its schedule rows' status, commissions by their lines' keys, renewal alerts by their
//! (renewal, mark, person) keys), so a second run, a restart or a second instance is
//! harmless. Later areas register their jobs in `run_daily`.

use crate::app::App;
use crate::error::AppResult;
use crate::notifications::outbox;
use chrono::{Datelike, NaiveDate};
use std::time::Duration;

/// What one job did on one date, for the CLI and the web app.
#[derive(Debug, Clone)]
pub struct JobReport {
    pub job: &'static str,
    pub summary: String,
}

fn owner() -> String {
    format!("pid:{}", std::process::id())
}

/// Runs one job, recording its outcome and duration for `GET /metrics`.
async fn timed<T>(
    app: &App,
    job: &str,
    work: impl std::future::Future<Output = AppResult<T>>,
) -> AppResult<T> {
    let started = std::time::Instant::now();
    let result = work.await;
    app.telemetry
        .job_run(job, result.is_ok(), started.elapsed());
    result
}

/// Runs the daily jobs for `as_of`. `on_progress` hears (job, done, total) while they work.
pub async fn run_daily(
    app: &App,
    as_of: NaiveDate,
    on_progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> AppResult<Vec<JobReport>> {
    crate::db::ping(&app.db).await?;
    let mut reports = Vec::new();
    let bill_run = timed(
        app,
        crate::billing::run::JOB,
        app.billing
            .run_as(None, as_of, false, owner(), &|done, total| {
                on_progress(crate::billing::run::JOB, done, total)
            }),
    )
    .await?;
    reports.push(JobReport {
        job: crate::billing::run::JOB,
        summary: bill_run.summary(),
    });
    let ladder = timed(
        app,
        "collections",
        app.receivables
            .run_ladder(None, as_of, &app.config.legal_entity),
    )
    .await?;
    reports.push(JobReport {
        job: "collections",
        summary: ladder.summary(),
    });
    // Recognition runs on the last day of each month (and on demand); a rerun posts nothing new.
    if as_of.succ_opt().is_some_and(|next| next.day() == 1) {
        reports.push(revenue_job(app, as_of).await?);
    }
    reports.extend(commission_job(app, as_of).await);
    // Renewal alerts at 90, 60 and 30 days; each (renewal, mark, person) once ever.
    let alerts = timed(app, "renewals", app.renewals.run_alerts(as_of)).await?;
    reports.push(JobReport {
        job: "renewals",
        summary: alerts.summary(),
    });
    // Free trials converting within a week: their owners alerted, each line once ever.
    let trials = timed(app, "trials", app.billing.run_trial_alerts(as_of)).await?;
    reports.push(JobReport {
        job: "trials",
        summary: format!("{trials} trial conversion alert(s)"),
    });
    let hooks = timed(app, "webhooks", send_webhooks(app)).await?;
    reports.push(JobReport {
        job: "webhooks",
        summary: format!(
            "{} delivered, {} to retry, {} failed",
            hooks.delivered, hooks.retried, hooks.failed
        ),
    });
    let sent = timed(app, "mail", send_mail(app)).await?;
    reports.push(JobReport {
        job: "mail",
        summary: format!(
            "{} sent, {} to retry, {} failed",
            sent.sent, sent.retried, sent.failed
        ),
    });
    // Last, so the day's audit rows and journal entries are in the chains when the run ends.
    reports.push(seal_job(app).await);
    Ok(reports)
}

/// The month's recognition run on its last day. Another instance's run that marked the same
/// rows first recognised them; this one rolled back whole, and the day's other jobs still run.
async fn revenue_job(app: &App, as_of: NaiveDate) -> AppResult<JobReport> {
    let period = crate::ledger::period_of(as_of);
    let summary = match timed(app, "revenue", app.revenue.run_as(None, &period, as_of)).await {
        Ok(run) => format!(
            "{period}: {} schedule rows of {} contracts recognised in {} entries",
            run.rows_recognised, run.contracts, run.entries
        ),
        // Another instance's run marked the same rows first: its transaction recognised
        // them, this one rolled back whole, and the rest of the day's jobs still run here.
        Err(crate::error::AppError::Conflict(message)) => {
            tracing::info!(%period, %message, "recognition done by another instance");
            format!("{period}: recognised by another instance at the same time")
        }
        Err(error) => return Err(error),
    };
    Ok(JobReport {
        job: "revenue",
        summary,
    })
}

/// The month-end commission calculation of the month before; a failure is reported, not fatal.
async fn commission_job(app: &App, as_of: NaiveDate) -> Option<JobReport> {
    // Commissions: the month-end calculation of the month before, on the first daily run after
    // it ends (until it has one; the 5-business-day rule measures this), never once paid out.
    // Several instances reaching it at once calculate it once (`close_month` checks under a lock).
    let last_month_end = crate::commissions::rules::first_of_month(as_of)
        .pred_opt()
        .unwrap_or(as_of);
    let period = crate::ledger::period_of(last_month_end);
    let summary = match timed(app, "commissions", app.commissions.close_month(&period)).await {
        Ok(Some(run)) => Some(format!(
            "{period}: {} lines ({} changed), {} entries, {} warnings",
            run.lines,
            run.changed,
            run.entries,
            run.warnings.len()
        )),
        Ok(None) => None,
        Err(error) => {
            tracing::warn!(%period, error = ?error, "commission calculation not done");
            Some(format!("{period}: not calculated: {}", error.message()))
        }
    };
    summary.map(|summary| JobReport {
        job: "commissions",
        summary,
    })
}

/// The daily run's sealing pass. A failure does not undo the day's work: the next pass (a minute
/// later in `serve`, or the next run) seals what this one left.
async fn seal_job(app: &App) -> JobReport {
    let summary = match timed(app, "seal", seal(app)).await {
        Ok(sealed) => sealed.summary(),
        Err(error) => {
            tracing::warn!(error = ?error, "sealing pass failed");
            format!("not sealed: {}", error.message())
        }
    };
    JobReport {
        job: "seal",
        summary,
    }
}

/// One sealing pass over the audit log and the journal (see `seal`).
pub async fn seal(app: &App) -> AppResult<crate::seal::SealReport> {
    crate::seal::seal_all(&app.db, app.clock.now()).await
}

/// One pass of the outbox sender.
pub async fn send_mail(app: &App) -> AppResult<outbox::SendReport> {
    let transport = app.config.mail_transport()?;
    let lease = chrono::Duration::seconds(app.config.outbox_lease_seconds);
    let report = outbox::deliver_due(
        &app.db,
        &transport,
        &app.attachments,
        &app.config.mail_from,
        app.clock.now(),
        lease,
    )
    .await?;
    for (outcome, count) in [
        ("sent", report.sent),
        ("retried", report.retried),
        ("failed", report.failed),
    ] {
        app.telemetry.count(
            "revops_mail_deliveries_total",
            vec![("outcome", outcome.to_owned())],
            count as u64,
        );
    }
    Ok(report)
}

/// One pass of the webhook sender (beside the mail outbox, with the same lease rule).
pub async fn send_webhooks(app: &App) -> AppResult<crate::webhooks::sender::DeliveryReport> {
    let report = app.webhooks.deliver_due().await?;
    for (outcome, count) in [
        ("delivered", report.delivered),
        ("retried", report.retried),
        ("failed", report.failed),
    ] {
        app.telemetry.count(
            "revops_webhook_deliveries_total",
            vec![("outcome", outcome.to_owned())],
            count as u64,
        );
    }
    Ok(report)
}

/// How often the scheduler seals new audit rows and journal entries between daily runs.
const SEAL_EVERY: Duration = Duration::from_secs(60);

/// The scheduler inside `revops serve`: sends due mail and webhooks every few seconds, seals the
/// audit log and journal every minute and runs the daily jobs once per business date (on start
/// for today, then whenever the date changes).
pub fn spawn_scheduler(app: App, tick: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_daily: Option<NaiveDate> = None;
        let mut last_seal = std::time::Instant::now();
        loop {
            let today = app.clock.today();
            if last_daily != Some(today) {
                match run_daily(&app, today, &|_, _, _| {}).await {
                    Ok(reports) => {
                        for report in reports {
                            tracing::info!(%today, job = report.job, summary = %report.summary, "daily job");
                        }
                        last_daily = Some(today);
                    }
                    Err(error) => {
                        tracing::error!(%today, error = ?error, "daily run failed; retrying next tick")
                    }
                }
            } else {
                if let Err(error) = send_mail(&app).await {
                    tracing::warn!(error = ?error, "mail pass failed");
                }
                if let Err(error) = send_webhooks(&app).await {
                    tracing::warn!(error = ?error, "webhook pass failed");
                }
                if last_seal.elapsed() >= SEAL_EVERY {
                    last_seal = std::time::Instant::now();
                    if let Err(error) = timed(&app, "seal", seal(&app)).await {
                        tracing::warn!(error = ?error, "sealing pass failed");
                    }
                }
            }
            tokio::time::sleep(tick).await;
        }
    })
}
