//! sea-orm entities, one per table of `migration/`. They are storage shapes only: services turn
//! them into domain values and GraphQL never exposes them directly.

pub mod approval;
pub mod audit_entry;
pub mod contract;
pub mod contract_line;
pub mod customer;
pub mod deal;
pub mod journal_entry;
pub mod journal_line;
pub mod ledger_account;
pub mod login_throttle;
pub mod number_sequence;
pub mod purchase_order;
pub mod user;
