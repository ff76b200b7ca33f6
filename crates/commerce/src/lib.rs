//! The contract-to-cash areas that move one contract's money together: deals become contracts
//! (`deals`), contracts bill (`billing`), bills become invoices (`invoicing`), invoices are
//! collected, credited and disputed (`receivables`) and revenue is recognised under ASC 606
//! (`revenue`). They call each other inside one transaction (an invoice posts AR and moves the
//! revenue position at once), which is why they are one crate; everything else sits above or below.

pub use revops_platform::seal;
pub use revops_platform::{
    access, approvals, audit, auth, calendar, clock, config, customers, entities, error,
    idempotency, ledger, locks, lookup, money, notifications, pagination, sequences, telemetry,
    values, webhooks,
};

pub mod billing;
pub mod deals;
pub mod invoicing;
pub mod receivables;
pub mod revenue;
