//! Getting a company's book into revops at cut-over: imports that read a CSV or XLSX file,
//! validate every row, preview what will be written and posted, and commit it exactly once,
//! writing only through the areas that own the records.

pub use revops_commerce::{
    access, approvals, audit, auth, billing, calendar, clock, config, customers, deals, entities,
    error, idempotency, invoicing, ledger, money, notifications, pagination, receivables, revenue,
    sequences, telemetry, values, webhooks,
};
pub use revops_commissions::commissions;
pub use revops_platform::secrets;

pub mod crm;

/// SHA-256 of bytes as lowercase hex: how imports recognise a file and intake a body.
pub(crate) use auth::api_key::sha256_hex;

pub mod imports;
