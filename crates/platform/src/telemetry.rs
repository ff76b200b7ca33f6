//! Operational metrics in the Prometheus text format (`GET /metrics`): HTTP requests by route and
//! status, GraphQL operations by name and outcome with latency histograms, daily jobs by outcome
//! with their durations, mail deliveries, and — read at scrape time — the outbox's depth, its
//! oldest pending message's age, failed messages and the database pool.
//!
//! Counters live in this process (each instance is scraped on its own); the outbox figures come
//! from the shared database, so every instance reports the same ones.

use crate::entities::outbox_message;
use crate::error::AppResult;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, Statement,
};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Distinct label sets kept per family; more (say, made-up operation names) fold into "other".
const MAX_SERIES: usize = 256;

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

impl Histogram {
    fn observe(&mut self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        for (bucket, bound) in self.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        self.count += 1;
        self.sum_seconds += seconds;
    }
}

type Labels = Vec<(&'static str, String)>;

#[derive(Debug, Default)]
struct Families {
    counters: BTreeMap<&'static str, BTreeMap<Labels, u64>>,
    histograms: BTreeMap<&'static str, BTreeMap<Labels, Histogram>>,
}

/// The process's metrics; cheap to clone, shared by the HTTP layer and the jobs.
#[derive(Debug, Clone, Default)]
pub struct Telemetry {
    families: Arc<Mutex<Families>>,
}

fn bounded<V: Default>(series: &mut BTreeMap<Labels, V>, labels: Labels) -> &mut V {
    let key = if series.len() >= MAX_SERIES && !series.contains_key(&labels) {
        labels
            .iter()
            .map(|(name, _)| (*name, "other".to_owned()))
            .collect()
    } else {
        labels
    };
    series.entry(key).or_default()
}

impl Telemetry {
    pub fn count(&self, family: &'static str, labels: Labels, by: u64) {
        if let Ok(mut families) = self.families.lock() {
            *bounded(families.counters.entry(family).or_default(), labels) += by;
        }
    }

    pub fn observe(&self, family: &'static str, labels: Labels, elapsed: Duration) {
        if let Ok(mut families) = self.families.lock() {
            bounded(families.histograms.entry(family).or_default(), labels).observe(elapsed);
        }
    }

    /// One finished HTTP request, by its route template (not the raw path, to bound the series).
    pub fn http_request(&self, route: &str, status: u16, elapsed: Duration) {
        let labels = vec![("route", route.to_owned()), ("status", status.to_string())];
        self.count("revops_http_requests_total", labels, 1);
        self.observe(
            "revops_http_request_duration_seconds",
            vec![("route", route.to_owned())],
            elapsed,
        );
    }

    /// One executed GraphQL operation; `outcome` is "ok" or the first error's code.
    pub fn graphql_operation(&self, operation: &str, outcome: &str, elapsed: Duration) {
        let labels = vec![
            ("operation", operation.to_owned()),
            ("outcome", outcome.to_owned()),
        ];
        self.count("revops_graphql_operations_total", labels, 1);
        self.observe(
            "revops_graphql_operation_duration_seconds",
            vec![("operation", operation.to_owned())],
            elapsed,
        );
    }

    /// One run of a daily job.
    pub fn job_run(&self, job: &str, ok: bool, elapsed: Duration) {
        let outcome = if ok { "ok" } else { "error" };
        let labels = vec![("job", job.to_owned()), ("outcome", outcome.to_owned())];
        self.count("revops_job_runs_total", labels, 1);
        self.observe(
            "revops_job_duration_seconds",
            vec![("job", job.to_owned())],
            elapsed,
        );
    }

    /// The text exposition: this process's families, then the database's gauges.
    pub async fn render(&self, db: &DatabaseConnection) -> AppResult<String> {
        let mut out = String::new();
        if let Ok(families) = self.families.lock() {
            render_families(&families, &mut out);
        }
        render_database(db, &mut out).await?;
        Ok(out)
    }
}

fn label_text(labels: &Labels, extra: Option<(&str, String)>) -> String {
    let escape = |value: &str| {
        value
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    };
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(name, value)| format!("{name}=\"{}\"", escape(value)))
        .collect();
    if let Some((name, value)) = extra {
        parts.push(format!("{name}=\"{value}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

fn render_families(families: &Families, out: &mut String) {
    for (name, series) in &families.counters {
        let _ = writeln!(out, "# TYPE {name} counter");
        for (labels, value) in series {
            let _ = writeln!(out, "{name}{} {value}", label_text(labels, None));
        }
    }
    for (name, series) in &families.histograms {
        let _ = writeln!(out, "# TYPE {name} histogram");
        for (labels, histogram) in series {
            for (bound, count) in BUCKETS.iter().zip(histogram.buckets) {
                let le = Some(("le", bound.to_string()));
                let _ = writeln!(out, "{name}_bucket{} {count}", label_text(labels, le));
            }
            let inf = Some(("le", "+Inf".to_owned()));
            let _ = writeln!(
                out,
                "{name}_bucket{} {}",
                label_text(labels, inf),
                histogram.count
            );
            let plain = label_text(labels, None);
            let _ = writeln!(out, "{name}_sum{plain} {}", histogram.sum_seconds);
            let _ = writeln!(out, "{name}_count{plain} {}", histogram.count);
        }
    }
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> AppResult<i64> {
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    Ok(row
        .map(|row| row.try_get_by_index::<Option<i64>>(0))
        .transpose()?
        .flatten()
        .unwrap_or(0))
}

async fn render_database(db: &DatabaseConnection, out: &mut String) -> AppResult<()> {
    let pending = scalar(
        db,
        "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')",
    )
    .await?;
    let failed = scalar(db, "SELECT COUNT(*) FROM outbox WHERE status = 'failed'").await?;
    let oldest = outbox_message::Entity::find()
        .filter(outbox_message::Column::Status.is_in(["pending", "sending"]))
        .order_by_asc(outbox_message::Column::CreatedAt)
        .one(db)
        .await?;
    let age = oldest.map_or(0.0, |message| {
        (chrono::Utc::now() - message.created_at)
            .num_milliseconds()
            .max(0) as f64
            / 1000.0
    });
    let _ = writeln!(out, "# TYPE revops_outbox_pending gauge");
    let _ = writeln!(out, "revops_outbox_pending {pending}");
    let _ = writeln!(out, "# TYPE revops_outbox_oldest_pending_age_seconds gauge");
    let _ = writeln!(out, "revops_outbox_oldest_pending_age_seconds {age}");
    let _ = writeln!(out, "# TYPE revops_outbox_failed gauge");
    let _ = writeln!(out, "revops_outbox_failed {failed}");
    let (size, idle) = match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::MySql => (0, 0),
    };
    let in_use = (size as usize).saturating_sub(idle);
    let _ = writeln!(out, "# TYPE revops_db_pool_connections gauge");
    let _ = writeln!(out, "revops_db_pool_connections{{state=\"idle\"}} {idle}");
    let _ = writeln!(
        out,
        "revops_db_pool_connections{{state=\"in_use\"}} {in_use}"
    );
    Ok(())
}

/// Logs each step's time at debug level (the benchmarks read them with RUST_LOG=revops=debug).
pub struct Lap(std::time::Instant, &'static str);

impl Lap {
    pub fn start(what: &'static str) -> Lap {
        Lap(std::time::Instant::now(), what)
    }

    pub fn lap(&mut self, step: &str) {
        tracing::debug!(
            what = self.1,
            step,
            ms = self.0.elapsed().as_millis() as u64,
            "step"
        );
        self.0 = std::time::Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_series_are_bounded() {
        // Proves each bucket counts every observation at or below its bound (Prometheus's
        // cumulative buckets) and that label sets beyond the cap fold into "other".
        let telemetry = Telemetry::default();
        telemetry.graphql_operation("Dashboard", "ok", Duration::from_millis(30));
        telemetry.graphql_operation("Dashboard", "ok", Duration::from_millis(300));
        let mut out = String::new();
        render_families(&telemetry.families.lock().unwrap(), &mut out);
        assert!(out.contains(
            "revops_graphql_operation_duration_seconds_bucket{operation=\"Dashboard\",le=\"0.05\"} 1"
        ));
        assert!(out.contains(
            "revops_graphql_operation_duration_seconds_bucket{operation=\"Dashboard\",le=\"0.5\"} 2"
        ));
        assert!(out
            .contains("revops_graphql_operations_total{operation=\"Dashboard\",outcome=\"ok\"} 2"));
        for index in 0..MAX_SERIES + 10 {
            telemetry.count("revops_test_total", vec![("name", index.to_string())], 1);
        }
        let families = telemetry.families.lock().unwrap();
        let series = &families.counters["revops_test_total"];
        assert_eq!(series.len(), MAX_SERIES + 1);
        assert_eq!(series[&vec![("name", "other".to_owned())]], 10);
    }
}
