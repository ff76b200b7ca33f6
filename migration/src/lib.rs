//! All DDL of revops lives here; `revops serve` and `revops migrate` apply it on SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261127_000001_foundation;
mod m20261128_000001_billing;
mod m20261129_000001_receivables;
mod m20261130_000001_revenue;
mod m20261201_000001_commissions;
mod m20261202_000001_renewals;
mod m20261205_000001_billing_credits;
mod m20261205_000002_revenue_method;
mod m20261205_000003_user_admin;
mod m20261205_000004_imports;
mod m20261205_000005_intake;
mod m20261206_000001_service_accounts;
mod m20261206_000002_intake_connectors;
mod m20261206_000003_ledger_exports;
mod m20261206_000004_brought_over;
mod m20261207_000001_webhooks;
mod m20261208_000001_seals;
mod m20261209_000001_contract_modifications;
mod m20261210_000001_ssp_methods;
mod m20261211_000001_deal_lines;
mod m20261211_000002_sealed_secrets;
mod m20261211_000003_renewal_owners;
mod m20261211_000004_line_discounts;
mod m20261211_000005_coupons;
mod m20261211_000006_trials;
mod m20261211_000007_plan_changes;
mod m20261211_000008_coupon_archive;
mod m20261211_000009_proration;
mod m20261211_000010_billing_day;
mod m20261211_000011_in_arrears;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_foundation::Migration),
            Box::new(m20261128_000001_billing::Migration),
            Box::new(m20261129_000001_receivables::Migration),
            Box::new(m20261130_000001_revenue::Migration),
            Box::new(m20261201_000001_commissions::Migration),
            Box::new(m20261202_000001_renewals::Migration),
            Box::new(m20261205_000001_billing_credits::Migration),
            Box::new(m20261205_000002_revenue_method::Migration),
            Box::new(m20261205_000003_user_admin::Migration),
            Box::new(m20261205_000004_imports::Migration),
            Box::new(m20261205_000005_intake::Migration),
            Box::new(m20261206_000001_service_accounts::Migration),
            Box::new(m20261206_000002_intake_connectors::Migration),
            Box::new(m20261206_000003_ledger_exports::Migration),
            Box::new(m20261206_000004_brought_over::Migration),
            Box::new(m20261207_000001_webhooks::Migration),
            Box::new(m20261208_000001_seals::Migration),
            Box::new(m20261209_000001_contract_modifications::Migration),
            Box::new(m20261210_000001_ssp_methods::Migration),
            Box::new(m20261211_000001_deal_lines::Migration),
            Box::new(m20261211_000002_sealed_secrets::Migration),
            Box::new(m20261211_000003_renewal_owners::Migration),
            Box::new(m20261211_000004_line_discounts::Migration),
            Box::new(m20261211_000005_coupons::Migration),
            Box::new(m20261211_000006_trials::Migration),
            Box::new(m20261211_000007_plan_changes::Migration),
            Box::new(m20261211_000008_coupon_archive::Migration),
            Box::new(m20261211_000009_proration::Migration),
            Box::new(m20261211_000010_billing_day::Migration),
            Box::new(m20261211_000011_in_arrears::Migration),
        ]
    }
}
