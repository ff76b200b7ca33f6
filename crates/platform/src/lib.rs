//! The platform every business area stands on: who may do what (`access`), the audit trail,
//! sign-in and users (`auth`), customers and their credit, the approvals inbox, the double-entry
//! ledger, notifications (outbox and mail), number sequences, company settings, idempotency keys,
//! configuration and telemetry. Nothing here knows a business area above it.

// The lower crates' modules at this crate's root, so every area names them the same way
// (`crate::money`, `crate::entities`) in whichever crate it lives.
pub use revops_core::{calendar, clock, error, money, pagination, values};
pub use revops_entities as entities;

pub mod access;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod config;
pub mod customers;
pub mod fx;
pub mod idempotency;
pub mod ledger;
pub mod locks;
pub mod lookup;
pub mod notifications;
pub mod seal;
pub mod secrets;
pub mod sequences;
pub mod settings;
pub mod telemetry;
pub mod webhooks;
