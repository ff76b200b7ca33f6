//! Deals become contracts (`deals`) and contracts bill (`billing`). The bill run hands its plans
//! and cancellation credits down to invoicing and receivables (`revops-receivables`), and a new
//! contract, a delivery or a modification down to revenue (`revops-revenue`); nothing below calls
//! back up. Those crates' areas are re-exported here, so `revops_commerce::invoicing` is
//! `revops_receivables::invoicing` and the layers above name every area in one place.

pub use revops_platform::seal;
pub use revops_platform::{
    access, approvals, audit, auth, calendar, clock, config, customers, entities, error, fx,
    idempotency, ledger, locks, lookup, money, notifications, pagination, sequences, settings,
    telemetry, values, webhooks,
};
pub use revops_receivables::{invoicing, receivables};
pub use revops_revenue::revenue;

pub mod billing;
pub mod credit;
pub mod deals;
