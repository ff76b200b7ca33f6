//! The application as services see it (`app::App` wires every area's service to one database
//! and clock), the database connection and migrations (`db`), and the GraphQL API over them.

#![recursion_limit = "256"]
pub use revops_insights::seal;
pub use revops_insights::{
    access, approvals, audit, auth, billing, calendar, clock, commissions, config, credit,
    customers, deals, entities, error, idempotency, invoicing, ledger, metrics, money,
    notifications, pagination, receivables, recurring, renewals, revenue, sequences, telemetry,
    values, webhooks,
};

pub use revops_intake::{crm, imports};
pub use revops_platform::secrets;

pub mod app;
pub mod db;
pub mod graphql;
