//! Wiring: one `App` holds the database, the clock and every area's service.

use crate::approvals::ApprovalService;
use crate::audit::AuditService;
use crate::auth::{AuthService, JwtKeys};
use crate::billing::BillingService;
use crate::clock::SharedClock;
use crate::commissions::CommissionService;
use crate::config::Config;
use crate::crm::IntakeService;
use crate::customers::CustomerService;
use crate::deals::DealService;
use crate::error::AppResult;
use crate::imports::ImportService;
use crate::invoicing::InvoiceService;
use crate::ledger::LedgerService;
use crate::metrics::MetricsService;
use crate::notifications::attachments::Attachments;
use crate::receivables::ReceivablesService;
use crate::renewals::RenewalService;
use crate::revenue::RevenueService;
use crate::webhooks::WebhookService;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct App {
    pub config: Config,
    pub db: DatabaseConnection,
    pub clock: SharedClock,
    pub auth: AuthService,
    pub audit: AuditService,
    pub ledger: LedgerService,
    pub customers: CustomerService,
    pub approvals: ApprovalService,
    pub deals: DealService,
    /// Customers' credit exposure against their limits.
    pub credit: crate::credit::CreditService,
    pub billing: BillingService,
    pub invoices: InvoiceService,
    pub receivables: ReceivablesService,
    pub revenue: RevenueService,
    pub commissions: CommissionService,
    pub renewals: RenewalService,
    pub metrics: MetricsService,
    /// Imports of the existing book at cut-over.
    pub imports: ImportService,
    /// CRM closed-won intake: the inbox and its processing into deals.
    pub intake: IntakeService,
    /// Operational counters for `GET /metrics` (not the business metrics above).
    pub telemetry: crate::telemetry::Telemetry,
    /// The renderers of outbox attachments, registered by the areas that own the documents.
    pub attachments: Attachments,
    /// Outgoing webhooks: endpoints, their delivery log and the sender.
    pub webhooks: WebhookService,
}

/// Each area that attaches documents to e-mail registers how to render them.
fn attachment_renderers() -> AppResult<Attachments> {
    Attachments::default()
        .register(
            crate::invoicing::INVOICE_PDF,
            Arc::new(crate::invoicing::InvoicePdf),
        )?
        .register(
            crate::receivables::credit_memos::CREDIT_MEMO_PDF,
            Arc::new(crate::receivables::credit_memos::CreditMemoPdf),
        )?
        .register(
            crate::receivables::disputes::DISPUTE_EVIDENCE,
            Arc::new(crate::receivables::disputes::DisputeEvidence),
        )
}

impl App {
    /// Opens and migrates the database and builds the services.
    pub async fn start(config: Config, clock: SharedClock) -> AppResult<App> {
        let db = crate::db::connect(&config.database_url).await?;
        crate::db::migrate(&db).await?;
        let secret = config.resolve_jwt_secret()?;
        let previous = config.resolve_previous_jwt_secret()?;
        let keys = JwtKeys::new(&secret, chrono::Duration::hours(config.token_ttl_hours))
            .with_previous(previous.as_deref());
        let secrets = crate::secrets::SecretBox::new(&config.resolve_secrets_key()?);
        let resealed = crate::secrets::reseal_all(&db, &secrets).await?;
        if resealed > 0 {
            tracing::info!(
                resealed,
                "stored secrets written before encryption are now encrypted"
            );
        }
        let receivables =
            ReceivablesService::new(db.clone(), clock.clone(), config.functional_currency);
        // One recurring-book cache shared by the dashboard and the renewal pipeline.
        let books = crate::recurring::repo::Books::default();
        let deals = DealService::new(db.clone(), clock.clone(), config.functional_currency);
        let customers = CustomerService::new(db.clone(), clock.clone());
        let auth = AuthService::new(db.clone(), clock.clone(), keys);
        let intake = IntakeService::new(
            db.clone(),
            clock.clone(),
            deals.clone(),
            customers.clone(),
            auth.clone(),
            secrets.clone(),
        );
        let commissions =
            CommissionService::new(db.clone(), clock.clone(), config.functional_currency);
        Ok(App {
            auth,
            intake,
            audit: AuditService::new(db.clone()),
            ledger: LedgerService::new(db.clone(), clock.clone()),
            customers,
            approvals: ApprovalService::new(db.clone(), clock.clone()),
            deals,
            credit: crate::credit::CreditService::new(
                db.clone(),
                clock.clone(),
                config.functional_currency,
            ),
            billing: BillingService::new(
                db.clone(),
                clock.clone(),
                config.functional_currency,
                config.legal_entity.clone(),
            ),
            invoices: InvoiceService::new(
                db.clone(),
                clock.clone(),
                config.functional_currency,
                config.legal_entity.clone(),
            ),
            revenue: RevenueService::new(db.clone(), clock.clone(), config.functional_currency),
            imports: ImportService::new(
                db.clone(),
                clock.clone(),
                config.legal_entity.clone(),
                config.functional_currency,
            ),
            renewals: RenewalService::new(
                db.clone(),
                clock.clone(),
                config.functional_currency,
                books.clone(),
            ),
            metrics: MetricsService::new(
                db.clone(),
                clock.clone(),
                config.functional_currency,
                receivables.clone(),
                commissions.clone(),
                books,
            ),
            receivables,
            commissions,
            telemetry: crate::telemetry::Telemetry::default(),
            attachments: attachment_renderers()?,
            webhooks: WebhookService::new(
                db.clone(),
                clock.clone(),
                chrono::Duration::seconds(config.outbox_lease_seconds),
                secrets,
            ),
            config,
            db,
            clock,
        })
    }
}
