//! Small building blocks shared by every page: states, badges, money cells, form fields.

pub mod aging;
pub mod alerts;
pub mod checklist;
pub mod collections_status;
pub mod commissions;
pub mod customer_collections;
pub mod download;
pub mod export;
pub mod field;
pub mod file_read;
pub mod imports;
pub mod intake_inbox;
pub mod invoice_collections;
pub mod mapping_editor;
pub mod metrics;
pub mod money;
pub mod pager;
pub mod renewals;
pub mod revenue;
pub mod sort;
pub mod states;
pub mod status;
