//! Invoices and the receivables they become: `invoicing` (an invoice plan written as a draft or
//! an issued invoice, tax, numbering, the PDF) and `receivables` (payments, AR aging, the
//! collections ladder, disputes, credit memos and write-offs, statements). They share one crate
//! because each calls the other inside one transaction: issuing an invoice records its AR
//! movement, and a credit memo or a statement renders through the invoice's PDF. Both sit above
//! revenue (an issue or a credit moves the contract's revenue position) and below billing, which
//! hands the bill run's plans and cancellation credits down to them.

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
