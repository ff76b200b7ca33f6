//! Getting a company's book into revops at cut-over: imports that read a CSV or XLSX file,
//! validate every row, preview what will be written and posted, and commit it exactly once,
//! writing only through the areas that own the records.

pub use revops_commerce::{
    access, approvals, audit, auth, billing, calendar, clock, config, customers, deals, entities,
    error, idempotency, invoicing, ledger, money, notifications, pagination, receivables, revenue,
    sequences, telemetry, values,
};

pub mod crm;
pub mod imports;
