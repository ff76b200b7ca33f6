//! sea-orm entities, one per table of `migration/`. They are storage shapes only: services turn
//! them into domain values and GraphQL never exposes them directly.

pub mod approval;
pub mod audit_entry;
pub mod billing_charge;
pub mod contract;
pub mod contract_line;
pub mod contract_line_change;
pub mod customer;
pub mod deal;
pub mod fx_rate;
pub mod invoice;
pub mod invoice_line;
pub mod job_run;
pub mod journal_entry;
pub mod journal_line;
pub mod ledger_account;
pub mod legal_entity;
pub mod login_throttle;
pub mod number_sequence;
pub mod outbox_message;
pub mod purchase_order;
pub mod tax_rate;
pub mod timesheet_entry;
pub mod usage_record;
pub mod user;
