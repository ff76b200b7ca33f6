//! The GraphQL API: schema root, one file per area, scalars, the access guard and loaders.
//! Resolvers are thin: parse input, call the service with the actor, map the result.

mod approvals;
mod audit;
mod auth;
mod billing;
mod collections;
mod commissions;
mod customers;
mod deals;
pub mod errors;
pub mod guard;
mod imports;
mod intake;
mod invoicing;
mod ledger;
mod ledger_export;
pub mod live;
mod loaders;
mod metrics;
mod receivables;
mod renewals;
mod revenue;
mod service_accounts;
pub mod types;
mod webhooks;

use crate::access::Actor;
use crate::app::App;
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, MergedObject, SDLExportOptions, Schema};
pub use guard::Caller;

#[derive(MergedObject, Default)]
pub struct Query(
    auth::AuthQuery,
    customers::CustomerQuery,
    deals::DealQuery,
    approvals::ApprovalQuery,
    ledger::LedgerQuery,
    ledger_export::LedgerExportQuery,
    audit::AuditQuery,
    billing::BillingQuery,
    invoicing::InvoiceQuery,
    receivables::ReceivablesQuery,
    collections::CollectionsQuery,
    revenue::RevenueQuery,
    commissions::CommissionQuery,
    metrics::MetricsQuery,
    renewals::RenewalQuery,
    imports::ImportQuery,
    intake::IntakeQuery,
    service_accounts::ServiceAccountQuery,
    webhooks::WebhookQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    auth::AuthMutation,
    customers::CustomerMutation,
    deals::DealMutation,
    approvals::ApprovalMutation,
    ledger::LedgerMutation,
    ledger_export::LedgerExportMutation,
    billing::BillingMutation,
    invoicing::InvoiceMutation,
    receivables::ReceivablesMutation,
    collections::CollectionsMutation,
    revenue::RevenueMutation,
    commissions::CommissionMutation,
    renewals::RenewalMutation,
    imports::ImportMutation,
    intake::IntakeMutation,
    service_accounts::ServiceAccountMutation,
    webhooks::WebhookMutation,
);

pub type AppSchema = Schema<Query, Mutation, live::Subscription>;

pub const MAX_DEPTH: usize = 12;
/// The budget of one request: every field costs 1 and a report its weight (`cost`), so a query
/// asking for a report hundreds of times under aliases is refused (`LIMIT`) before any of it runs.
pub const MAX_COMPLEXITY: usize = 2_000;

/// What a field costs against `MAX_COMPLEXITY` beyond its own selection.
pub mod cost {
    /// A report that reads a whole book (the dashboard, aging, the trial balance, revenue
    /// roll-forwards, the renewal pipeline, commission summaries): at most twenty in one request,
    /// more than any page of the web app asks for at once.
    pub const REPORT: usize = 100;
}

pub fn build_schema(app: App) -> AppSchema {
    let dev_mode = app.config.dev_mode;
    let builder = Schema::build(Query::default(), Mutation::default(), live::Subscription)
        .data(DataLoader::new(
            loaders::CustomerLoader(app.customers.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            loaders::UserLoader(app.auth.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            loaders::ServiceAccountLoader(app.auth.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            loaders::ArrLoader(app.customers.clone()),
            tokio::spawn,
        ))
        .data(app)
        .extension(guard::AccessGuard)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY);
    if dev_mode {
        builder.finish()
    } else {
        builder.disable_introspection().finish()
    }
}

/// The SDL committed as `schema.graphql`, sorted so diffs are readable.
pub fn export_sdl(schema: &AppSchema) -> String {
    schema.sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_enum_items())
}

pub(crate) fn app<'a>(ctx: &'a Context<'_>) -> &'a App {
    // Registered in build_schema; a missing App is a programming error caught by every test.
    ctx.data_unchecked::<App>()
}

pub(crate) fn actor<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Actor> {
    match ctx.data_opt::<Caller>() {
        Some(Caller::SignedIn(actor)) => Ok(actor),
        Some(Caller::Refused(reason)) => Err(errors::coded("UNAUTHENTICATED", reason.clone())),
        _ => Err(errors::coded("UNAUTHENTICATED", "Sign in first.")),
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn committed_schema_matches_the_code() {
        // Proves schema.graphql is regenerated whenever the API changes (run `revops export-schema`).
        let directory =
            std::env::temp_dir().join(format!("revops-schema-{}", uuid::Uuid::new_v4().simple()));
        let mut config = crate::config::Config::from_env().unwrap();
        config.database_url = format!(
            "sqlite://{}?mode=rwc",
            directory.join("schema.db").display()
        );
        config.data_dir = directory.clone();
        config.dev_mode = true;
        let app = crate::app::App::start(config, std::sync::Arc::new(crate::clock::SystemClock))
            .await
            .unwrap();
        let generated = super::export_sdl(&super::build_schema(app));
        let committed =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema.graphql"))
                .unwrap_or_default();
        let _ = std::fs::remove_dir_all(&directory);
        assert!(
            generated == committed,
            "schema.graphql is out of date: run `cargo run -p revops -- export-schema` and commit it"
        );
    }
}
