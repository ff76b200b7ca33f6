//! The daily run: every scheduled job for one business date, through the same services the API
//! uses. Areas register their jobs here as they arrive (bill run, collections ladder,
//! recognition, renewal alerts, commission close); each must be idempotent per business date.

use crate::app::App;
use crate::error::AppResult;
use chrono::NaiveDate;

/// What one job did on one date, for the CLI and (later) the web app's progress view.
#[derive(Debug, Clone)]
pub struct JobReport {
    pub job: &'static str,
    pub summary: String,
}

/// Runs the daily jobs for `as_of`. The foundation has no scheduled jobs yet, so this reports
/// that plainly instead of pretending work happened.
pub async fn run_daily(app: &App, as_of: NaiveDate) -> AppResult<Vec<JobReport>> {
    crate::db::ping(&app.db).await?;
    tracing::info!(%as_of, "daily run: no jobs are registered yet");
    Ok(Vec::new())
}
