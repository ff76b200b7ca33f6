//! What the CRO and CFO read: the recurring book (MRR and its movements), the renewal pipeline
//! and expansions, and the dashboard that brings every area's figures together.

pub use revops_commissions::seal;
pub use revops_commissions::{
    access, approvals, audit, auth, billing, calendar, clock, commissions, config, credit,
    customers, deals, entities, error, fx, idempotency, invoicing, ledger, money, notifications,
    pagination, receivables, revenue, sequences, telemetry, values, webhooks,
};

pub mod metrics;
pub mod recurring;
pub mod renewals;
