//! revops: revenue operations on one double-entry ledger. See README.md for the map of areas.

pub mod app;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod billing;
pub mod clock;
pub mod config;
pub mod customers;
pub mod db;
pub mod deals;
pub mod entities;
pub mod error;
pub mod graphql;
pub mod http;
pub mod idempotency;
pub mod invoicing;
pub mod jobs;
pub mod ledger;
pub mod money;
pub mod notifications;
pub mod pagination;
pub mod receivables;
pub mod seed;
pub mod sequences;
pub mod values;
