//! API tests: the real app on port 0 (SQLite or PostgreSQL by `REVOPS_TEST_DB`), spoken to over
//! HTTP with GraphQL exactly as the web app does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backup;
mod billing;
mod billing_day;
mod collections;
mod commissions;
mod crash;
mod credit;
mod customers;
mod cutover;
mod dashboard;
mod deals;
mod discounts;
mod fuzz;
mod http;
mod imports;
mod instances;
mod intake;
mod integrity;
mod jwt;
mod ledger;
mod ledger_export;
mod lists;
mod mail;
mod modifications;
mod plan_changes;
mod proration;
mod receivables;
mod reliability;
mod revenue;
mod role_matrix;
mod seed;
mod service_accounts;
mod ssp;
mod webhooks;
