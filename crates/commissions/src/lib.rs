//! Commissions: plan documents, quotas and assignments, the month-end calculation and its
//! accrual, statements, disputes and payouts. Reads deals, invoices, payments and revenue below it.

pub use revops_commerce::seal;
pub use revops_commerce::{
    access, approvals, audit, auth, billing, calendar, clock, config, credit, customers, deals,
    entities, error, fx, idempotency, invoicing, ledger, locks, money, notifications, pagination,
    receivables, revenue, sequences, telemetry, values, webhooks,
};

pub mod commissions;
