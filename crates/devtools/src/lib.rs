//! Developer tools kept out of the business crates: the demo data (`seed`), generated data at
//! scale, and the benchmarks that time the bill run, aging, recognition, commissions and the
//! dashboard against a plain batched insert.

pub use revops_api::{
    access, app, approvals, audit, auth, billing, calendar, clock, commissions, config, crm,
    customers, db, deals, entities, error, graphql, idempotency, imports, invoicing, ledger,
    metrics, money, notifications, pagination, receivables, recurring, renewals, revenue,
    sequences, telemetry, values, webhooks,
};

pub mod bench;
pub mod bench_aging;
pub mod bench_all;
pub mod bench_commissions;
pub mod bench_dashboard;
pub mod bench_import;
pub mod bench_revenue;
pub mod cli;
pub mod seed;
