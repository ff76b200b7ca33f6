//! revops: revenue operations on one double-entry ledger. This crate is the server (HTTP, the
//! scheduler's jobs, backup and restore, the `revops` command line); the areas live in the
//! layered crates under `crates/` (see README.md, "Where the code lives"). Their modules are
//! re-exported here, so `revops::billing` names the same module as `revops_commerce::billing`.

#![recursion_limit = "256"]
pub use revops_api::seal;
pub use revops_api::{
    access, app, approvals, audit, auth, billing, calendar, clock, commissions, config, crm,
    customers, db, deals, entities, error, graphql, idempotency, imports, invoicing, ledger,
    metrics, money, notifications, pagination, receivables, recurring, renewals, revenue,
    sequences, telemetry, values, webhooks,
};
#[cfg(feature = "devtools")]
pub use revops_devtools::{
    bench, bench_aging, bench_commissions, bench_dashboard, bench_revenue, seed,
};

pub mod backup;
pub mod http;
pub mod jobs;
