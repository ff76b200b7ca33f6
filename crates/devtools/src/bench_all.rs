//! `revops bench-all`: every benchmark at the sizes the performance aims name, on fresh SQLite
//! and (with `--postgres`) PostgreSQL databases, printed as one table — each figure on both
//! databases, the floor it is measured against (a plain batched insert or a plain query of the
//! same rows, timed in the same run) and the ratio to it, beside the aim.

use crate::config::Config;
use crate::error::AppResult;

/// Each benchmark's figures (defined beside the shared helpers, so the benchmarks never name
/// this table's module).
pub use crate::bench::Figure;

/// Sizes of one `bench-all` run: the aims' sizes divided by `scale_down` (1 = full size).
pub struct Sizes {
    pub subscriptions: Vec<usize>,
    pub contracts: usize,
    pub reps: usize,
    pub deals: usize,
    pub invoices: i64,
    pub customers: i64,
    pub import_rows: usize,
}

impl Sizes {
    pub fn divided_by(scale_down: usize) -> Sizes {
        let scale_down = scale_down.max(1);
        Sizes {
            subscriptions: vec![
                5_000 / scale_down,
                20_000 / scale_down,
                100_000 / scale_down,
            ],
            contracts: 100_000 / scale_down,
            reps: (1_000 / scale_down).max(1),
            deals: 200_000 / scale_down,
            invoices: 1_000_000 / scale_down as i64,
            customers: 50_000 / scale_down as i64,
            import_rows: 100_000 / scale_down,
        }
    }
}

/// Runs every benchmark on one database and returns its figures (progress lines go to stderr).
pub async fn run_all(
    config: &Config,
    sizes: &Sizes,
    postgres_server: Option<&str>,
) -> AppResult<Vec<Figure>> {
    let mut figures = Vec::new();
    for count in &sizes.subscriptions {
        let result = crate::bench::bench_billing(config, *count, postgres_server).await?;
        eprintln!("{}", result.report());
        figures.push(result.figure());
    }
    let revenue =
        crate::bench_revenue::bench_revenue(config, sizes.contracts, postgres_server).await?;
    eprintln!("{}", revenue.report());
    figures.extend(revenue.figures());
    let commissions = crate::bench_commissions::bench_commissions(
        config,
        sizes.reps,
        sizes.deals,
        postgres_server,
    )
    .await?;
    eprintln!("{}", commissions.report());
    figures.extend(commissions.figures());
    let dashboard = crate::bench_dashboard::bench_dashboard(
        config,
        sizes.invoices,
        sizes.customers,
        postgres_server,
    )
    .await?;
    eprintln!("{}", dashboard.lines.join("\n"));
    figures.extend(dashboard.figures);
    let aging = crate::bench_aging::bench_aging(
        config,
        sizes.invoices,
        sizes.invoices / 2,
        postgres_server,
    )
    .await?;
    eprintln!("{}", aging.lines.join("\n"));
    figures.extend(aging.figures);
    let import = crate::bench_import::bench_import(
        config,
        sizes.import_rows,
        postgres_server,
        // Customers then open invoices; `bench-import --kind contracts|deferred-revenue` times
        // the other kinds on their own.
        crate::bench_import::BenchKind::OpenInvoices,
    )
    .await?;
    eprintln!("{}", import.lines.join("\n"));
    figures.extend(import.figures);
    Ok(figures)
}

/// The table: one row per figure, SQLite and PostgreSQL side by side, each with its floor and
/// ratio, then the aim.
pub fn table(sqlite: &[Figure], postgres: &[Figure]) -> String {
    let cell = |figure: Option<&Figure>| match figure {
        Some(figure) => figure.value.clone(),
        None => "—".into(),
    };
    let floor = |figure: Option<&Figure>| match figure.and_then(|figure| figure.floor_seconds) {
        Some(seconds) => format!("{seconds:.2} s"),
        None => "—".into(),
    };
    let ratio = |figure: Option<&Figure>| match figure.and_then(Figure::ratio) {
        Some(ratio) => format!("{ratio:.1}×"),
        None => "—".into(),
    };
    let mut out = String::from(
        "| figure | SQLite | PostgreSQL | floor SQLite | floor PostgreSQL | ratio SQLite | ratio PostgreSQL | aim |\n|---|---|---|---|---|---|---|---|\n",
    );
    for figure in sqlite {
        let other = postgres.iter().find(|other| other.name == figure.name);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            figure.name,
            cell(Some(figure)),
            cell(other),
            floor(Some(figure)),
            floor(other),
            ratio(Some(figure)),
            ratio(other),
            figure.aim
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{table, Figure};

    #[test]
    fn the_table_puts_both_databases_on_one_row_with_floor_and_ratio() {
        let figure = |value: &str, seconds, floor| Figure {
            name: "bill run, 10 subscriptions".into(),
            value: value.into(),
            floor_seconds: floor,
            seconds,
            aim: "≤ 3× the floor",
        };
        let text = table(
            &[figure("10 invoices/s", 1.0, Some(0.5))],
            &[figure("5 invoices/s", 2.0, None)],
        );
        assert!(
            text.contains("| bill run, 10 subscriptions | 10 invoices/s | 5 invoices/s | 0.50 s | — | 2.0× | — | ≤ 3× the floor |"),
            "{text}"
        );
    }
}
