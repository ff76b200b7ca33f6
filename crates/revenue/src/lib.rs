//! ASC 606 revenue recognition (`revenue`). It sits below the areas that bill and invoice: they
//! call its hooks inside their own transactions (a contract is planned when it is created, an
//! invoice moves the contract's position when it is issued, a credit memo when it credits), and
//! it reads a contract line's terms from `revops-terms`, never from billing.

pub use revops_platform::seal;
pub use revops_platform::{
    access, approvals, audit, auth, calendar, clock, config, customers, entities, error, fx,
    idempotency, ledger, locks, lookup, money, notifications, pagination, sequences, settings,
    telemetry, values, webhooks,
};
pub use revops_terms::{charge, kinds, lines, periods, pricing, schedule};

pub mod revenue;
