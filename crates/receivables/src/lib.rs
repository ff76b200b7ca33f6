//! Invoices and the receivables they become: `invoicing` (an invoice plan written as a draft or
//! an issued invoice, tax, numbering, the PDF) and `receivables` (payments, AR aging, the
//! collections ladder, disputes, credit memos and write-offs, statements). Receivables sits on
//! invoicing and calls it (an invoice's model and PDF, which credit memos and statements render
//! through); invoicing never calls receivables — the AR history it writes when it issues or
//! voids an invoice is its own (`invoicing::ar_history`), which receivables reads and adds to.
//! They share one crate because both write the same invoice rows inside one transaction. Both sit
//! above revenue (an issue or a credit moves the contract's revenue position) and below billing,
//! which hands the bill run's plans and cancellation credits down to them.

pub use revops_platform::seal;
pub use revops_platform::{
    access, approvals, audit, auth, calendar, clock, config, customers, entities, error, fx,
    idempotency, ledger, locks, lookup, money, notifications, pagination, sequences, telemetry,
    values, webhooks,
};
pub use revops_revenue::revenue;
pub use revops_terms::{charge, kinds, lines, periods, pricing, schedule};

pub mod invoicing;
pub mod receivables;
