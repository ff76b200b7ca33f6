//! The role × permission matrix and the permission each GraphQL operation needs: the single
//! source of truth that services enforce, the GraphQL guard repeats, and the matrix test walks.

use std::fmt;

/// A user's role; `User.permissions` lists what it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum Role {
    Admin,
    Cfo,
    Cro,
    VpRevops,
    VpFinance,
    ArSpecialist,
    AccountManager,
    Ae,
    VpCs,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Admin,
        Role::Cfo,
        Role::Cro,
        Role::VpRevops,
        Role::VpFinance,
        Role::ArSpecialist,
        Role::AccountManager,
        Role::Ae,
        Role::VpCs,
        Role::Auditor,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Cfo => "cfo",
            Role::Cro => "cro",
            Role::VpRevops => "vp_revops",
            Role::VpFinance => "vp_finance",
            Role::ArSpecialist => "ar_specialist",
            Role::AccountManager => "account_manager",
            Role::Ae => "ae",
            Role::VpCs => "vp_cs",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    pub fn title(&self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Cfo => "CFO",
            Role::Cro => "CRO",
            Role::VpRevops => "VP Revenue Operations",
            Role::VpFinance => "VP Finance",
            Role::ArSpecialist => "AR Specialist",
            Role::AccountManager => "Account Manager",
            Role::Ae => "Account Executive",
            Role::VpCs => "VP Customer Success",
            Role::Auditor => "Auditor",
        }
    }
}

impl serde::Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    CustomerRead,
    CustomerWrite,
    CreditHoldManage,
    CreditLimitRequest,
    CreditLimitApprove,
    ApprovalRead,
    /// Read deals; an AE holding only this sees just the deals assigned to them.
    DealRead,
    DealWrite,
    DealApprove,
    LedgerRead,
    LedgerPost,
    /// Send journal entries to the ERP as an export batch (each entry once per destination).
    LedgerExport,
    AuditRead,
    UserRead,
    /// Create users, change roles, deactivate; create and revoke service accounts.
    UserAdmin,
    /// Read billing schedules, usage and timesheets; an AE sees only their own customers.
    BillingRead,
    UsageWrite,
    TimesheetSubmit,
    TimesheetApprove,
    /// Mark milestones and licences delivered, and record a customer's acceptance.
    DeliveryRecord,
    /// Seat changes, cancellations and added lines on a contract.
    ContractChange,
    BillRun,
    /// Read invoices; an AE sees only invoices of customers they hold deals with.
    InvoiceRead,
    /// Issue a held draft, set its PO, void an unpaid invoice.
    InvoiceManage,
    /// Tax rates, FX rates, legal entities and coupons.
    BillingSetup,
    /// AR aging, payments, credits and statements; AEs and account managers see their own customers.
    ReceivablesRead,
    /// Record payments, apply customer credit, import and match bank receipts.
    PaymentRecord,
    /// Pay customer credit back out.
    RefundIssue,
    /// The collections queue: see and complete tasks.
    CollectionsWork,
    /// Run the collections ladder for a date on demand.
    CollectionsRun,
    /// Ladder steps and the holiday calendar.
    CollectionsSetup,
    /// Log a customer's dispute against an invoice.
    DisputeLog,
    /// Review, answer and close disputes.
    DisputeReview,
    /// Ask for a credit memo (maker).
    CreditMemoRequest,
    /// Only the VP Revenue Operations approves credit memos (checker).
    CreditMemoApprove,
    /// Ask to write an invoice off as bad debt (maker).
    WriteOffRequest,
    /// Only the CFO approves write-offs (checker).
    WriteOffApprove,
    /// Per-contract recognition schedules and allocations.
    RevenueRead,
    /// Revenue totals: waterfall, rollforward, revenue by stream, runs, periods.
    RevenueTotalsRead,
    /// Run revenue recognition for a period on demand.
    RevenueRun,
    /// Close and reopen ledger periods (the CFO).
    PeriodClose,
    /// The standalone selling price table and discount assignment.
    SspManage,
    /// The company's ratable method.
    RevenueSettings,
    /// Own commissions (plan, statement, disputes); managers also their team's.
    CommissionRead,
    /// Every rep's commissions, plans, periods and payouts.
    CommissionReadAll,
    /// Import plans, assign them, set managers.
    CommissionPlanManage,
    /// Run a period's commission calculation on demand.
    CommissionCalculate,
    /// Dispute a line of one's own statement.
    CommissionDisputeRaise,
    /// Answer commission disputes.
    CommissionDisputeResolve,
    /// Approve a period's payout (never one's own).
    CommissionPayoutApprove,
    /// Split a deal's credit between reps.
    DealSplitManage,
    /// The dashboard, MRR movements and the expansion report (own book for AEs and account
    /// managers; the AR team sees invoicing, aging and alerts only).
    MetricsRead,
    /// The renewal pipeline and a renewal's history (own book for AEs and account managers).
    RenewalRead,
    /// Set a renewal's status and log contacts (the owner, or a role that sees every renewal).
    RenewalManage,
    /// Renew a contract into its next term.
    RenewalRenew,
    /// See the import history, its errors and previews.
    ImportRead,
    /// Upload and commit imports (each kind also needs the permission of the area it writes).
    ImportRun,
    /// Send closed-won deals in from a CRM (a service account's role, usually).
    IntakeSubmit,
    /// See the intake inbox and the amendments waiting.
    IntakeRead,
    /// Resolve amendments a CRM sent for approved deals, and replay inbox events.
    IntakeReview,
    /// Outgoing webhooks: endpoints, their secrets, deliveries and redelivery (admin only).
    WebhookManage,
}

impl Permission {
    pub const ALL: [Permission; 61] = [
        Permission::CustomerRead,
        Permission::CustomerWrite,
        Permission::CreditHoldManage,
        Permission::CreditLimitRequest,
        Permission::CreditLimitApprove,
        Permission::ApprovalRead,
        Permission::DealRead,
        Permission::DealWrite,
        Permission::DealApprove,
        Permission::LedgerRead,
        Permission::LedgerPost,
        Permission::LedgerExport,
        Permission::AuditRead,
        Permission::UserRead,
        Permission::UserAdmin,
        Permission::BillingRead,
        Permission::UsageWrite,
        Permission::TimesheetSubmit,
        Permission::TimesheetApprove,
        Permission::DeliveryRecord,
        Permission::ContractChange,
        Permission::BillRun,
        Permission::InvoiceRead,
        Permission::InvoiceManage,
        Permission::BillingSetup,
        Permission::ReceivablesRead,
        Permission::PaymentRecord,
        Permission::RefundIssue,
        Permission::CollectionsWork,
        Permission::CollectionsRun,
        Permission::CollectionsSetup,
        Permission::DisputeLog,
        Permission::DisputeReview,
        Permission::CreditMemoRequest,
        Permission::CreditMemoApprove,
        Permission::WriteOffRequest,
        Permission::WriteOffApprove,
        Permission::RevenueRead,
        Permission::RevenueTotalsRead,
        Permission::RevenueRun,
        Permission::PeriodClose,
        Permission::SspManage,
        Permission::RevenueSettings,
        Permission::CommissionRead,
        Permission::CommissionReadAll,
        Permission::CommissionPlanManage,
        Permission::CommissionCalculate,
        Permission::CommissionDisputeRaise,
        Permission::CommissionDisputeResolve,
        Permission::CommissionPayoutApprove,
        Permission::DealSplitManage,
        Permission::MetricsRead,
        Permission::RenewalRead,
        Permission::RenewalManage,
        Permission::RenewalRenew,
        Permission::ImportRead,
        Permission::ImportRun,
        Permission::IntakeSubmit,
        Permission::IntakeRead,
        Permission::IntakeReview,
        Permission::WebhookManage,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Permission::CustomerRead => "CUSTOMER_READ",
            Permission::CustomerWrite => "CUSTOMER_WRITE",
            Permission::CreditHoldManage => "CREDIT_HOLD_MANAGE",
            Permission::CreditLimitRequest => "CREDIT_LIMIT_REQUEST",
            Permission::CreditLimitApprove => "CREDIT_LIMIT_APPROVE",
            Permission::ApprovalRead => "APPROVAL_READ",
            Permission::DealRead => "DEAL_READ",
            Permission::DealWrite => "DEAL_WRITE",
            Permission::DealApprove => "DEAL_APPROVE",
            Permission::LedgerRead => "LEDGER_READ",
            Permission::LedgerPost => "LEDGER_POST",
            Permission::LedgerExport => "LEDGER_EXPORT",
            Permission::AuditRead => "AUDIT_READ",
            Permission::UserRead => "USER_READ",
            Permission::UserAdmin => "USER_ADMIN",
            Permission::BillingRead => "BILLING_READ",
            Permission::UsageWrite => "USAGE_WRITE",
            Permission::TimesheetSubmit => "TIMESHEET_SUBMIT",
            Permission::TimesheetApprove => "TIMESHEET_APPROVE",
            Permission::DeliveryRecord => "DELIVERY_RECORD",
            Permission::ContractChange => "CONTRACT_CHANGE",
            Permission::BillRun => "BILL_RUN",
            Permission::InvoiceRead => "INVOICE_READ",
            Permission::InvoiceManage => "INVOICE_MANAGE",
            Permission::BillingSetup => "BILLING_SETUP",
            Permission::ReceivablesRead => "RECEIVABLES_READ",
            Permission::PaymentRecord => "PAYMENT_RECORD",
            Permission::RefundIssue => "REFUND_ISSUE",
            Permission::CollectionsWork => "COLLECTIONS_WORK",
            Permission::CollectionsRun => "COLLECTIONS_RUN",
            Permission::CollectionsSetup => "COLLECTIONS_SETUP",
            Permission::DisputeLog => "DISPUTE_LOG",
            Permission::DisputeReview => "DISPUTE_REVIEW",
            Permission::CreditMemoRequest => "CREDIT_MEMO_REQUEST",
            Permission::CreditMemoApprove => "CREDIT_MEMO_APPROVE",
            Permission::WriteOffRequest => "WRITE_OFF_REQUEST",
            Permission::WriteOffApprove => "WRITE_OFF_APPROVE",
            Permission::RevenueRead => "REVENUE_READ",
            Permission::RevenueTotalsRead => "REVENUE_TOTALS_READ",
            Permission::RevenueRun => "REVENUE_RUN",
            Permission::PeriodClose => "PERIOD_CLOSE",
            Permission::SspManage => "SSP_MANAGE",
            Permission::RevenueSettings => "REVENUE_SETTINGS",
            Permission::CommissionRead => "COMMISSION_READ",
            Permission::CommissionReadAll => "COMMISSION_ALL_READ",
            Permission::CommissionPlanManage => "COMMISSION_PLAN_MANAGE",
            Permission::CommissionCalculate => "COMMISSION_CALCULATE",
            Permission::CommissionDisputeRaise => "COMMISSION_DISPUTE_RAISE",
            Permission::CommissionDisputeResolve => "COMMISSION_DISPUTE_RESOLVE",
            Permission::CommissionPayoutApprove => "COMMISSION_PAYOUT_APPROVE",
            Permission::DealSplitManage => "DEAL_SPLIT_MANAGE",
            Permission::MetricsRead => "METRICS_READ",
            Permission::RenewalRead => "RENEWAL_READ",
            Permission::RenewalManage => "RENEWAL_MANAGE",
            Permission::RenewalRenew => "RENEWAL_RENEW",
            Permission::ImportRead => "IMPORT_READ",
            Permission::ImportRun => "IMPORT_RUN",
            Permission::IntakeSubmit => "INTAKE_SUBMIT",
            Permission::IntakeRead => "INTAKE_READ",
            Permission::IntakeReview => "INTAKE_REVIEW",
            Permission::WebhookManage => "WEBHOOK_MANAGE",
        }
    }

    /// Which roles hold this permission. Read this table as the policy:
    /// only vp_finance approves credit limits; the auditor only reads; an AE works its own deals.
    pub fn roles(&self) -> &'static [Role] {
        use Role::*;
        match self {
            Permission::CustomerRead => &[
                Admin,
                Cfo,
                Cro,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
                Ae,
                VpCs,
                Auditor,
            ],
            Permission::CustomerWrite => &[
                Admin,
                Cfo,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
            ],
            Permission::CreditHoldManage => &[Admin, Cfo, VpFinance],
            Permission::CreditLimitRequest => &[
                Admin,
                Cfo,
                Cro,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
            ],
            Permission::CreditLimitApprove => &[VpFinance],
            Permission::ApprovalRead => &[
                Admin,
                Cfo,
                Cro,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
                Auditor,
            ],
            Permission::DealRead => &[
                Admin,
                Cfo,
                Cro,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
                Ae,
                VpCs,
                Auditor,
            ],
            Permission::DealWrite => &[Admin, Cro, VpRevops, AccountManager, Ae],
            Permission::DealApprove => &[Admin, Cfo, VpRevops, VpFinance],
            Permission::LedgerRead => &[Admin, Cfo, VpRevops, VpFinance, Auditor],
            Permission::LedgerPost => &[Admin, Cfo, VpFinance],
            Permission::LedgerExport => &[Admin, Cfo, VpFinance],
            Permission::AuditRead => &[Admin, Cfo, Auditor],
            Permission::UserRead => &[
                Admin,
                Cfo,
                Cro,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
                Ae,
                VpCs,
                Auditor,
            ],
            Permission::UserAdmin => &[Admin],
            Permission::BillingRead => &[
                Admin,
                Cfo,
                Cro,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
                Ae,
                VpCs,
                Auditor,
            ],
            Permission::UsageWrite => &[Admin, VpRevops],
            Permission::TimesheetSubmit => &[Admin, VpRevops, AccountManager, VpCs],
            Permission::TimesheetApprove => &[Admin, VpRevops, VpCs],
            Permission::DeliveryRecord => &[Admin, VpRevops, AccountManager, VpCs],
            Permission::ContractChange => &[Admin, VpRevops, VpFinance, AccountManager],
            Permission::BillRun => &[Admin, Cfo, VpFinance],
            Permission::InvoiceRead => &[
                Admin,
                Cfo,
                Cro,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
                Ae,
                VpCs,
                Auditor,
            ],
            Permission::InvoiceManage => &[Admin, Cfo, VpFinance, ArSpecialist],
            Permission::BillingSetup => &[Admin, Cfo, VpFinance],
            Permission::ReceivablesRead => &[
                Admin,
                Cfo,
                Cro,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
                Ae,
                Auditor,
            ],
            Permission::PaymentRecord => &[Admin, Cfo, VpFinance, ArSpecialist],
            Permission::RefundIssue => &[Admin, Cfo, VpFinance],
            Permission::CollectionsWork => &[
                Admin,
                Cfo,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
            ],
            Permission::CollectionsRun => &[Admin, Cfo, VpFinance, ArSpecialist],
            Permission::CollectionsSetup => &[Admin, Cfo, VpFinance],
            Permission::DisputeLog => &[
                Admin,
                Cfo,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
            ],
            Permission::DisputeReview => &[Admin, Cfo, VpRevops, VpFinance, ArSpecialist],
            Permission::CreditMemoRequest => &[ArSpecialist, AccountManager],
            Permission::CreditMemoApprove => &[VpRevops],
            Permission::WriteOffRequest => &[ArSpecialist],
            Permission::WriteOffApprove => &[Cfo],
            Permission::RevenueRead => &[Admin, Cfo, VpRevops, VpFinance, Auditor],
            Permission::RevenueTotalsRead => &[Admin, Cfo, Cro, VpRevops, VpFinance, Auditor],
            Permission::RevenueRun => &[Admin, Cfo, VpFinance],
            Permission::PeriodClose => &[Cfo],
            Permission::SspManage => &[Admin, Cfo, VpRevops, VpFinance],
            Permission::RevenueSettings => &[Cfo],
            Permission::CommissionRead => &[
                Admin,
                Cfo,
                Cro,
                VpRevops,
                VpFinance,
                AccountManager,
                Ae,
                VpCs,
                Auditor,
            ],
            Permission::CommissionReadAll => &[Admin, Cfo, Cro, VpRevops, VpFinance, Auditor],
            Permission::CommissionPlanManage => &[Admin, VpRevops],
            Permission::CommissionCalculate => &[Admin, Cfo, VpRevops],
            Permission::CommissionDisputeRaise => &[Cro, AccountManager, Ae, VpCs],
            Permission::CommissionDisputeResolve => &[Admin, VpRevops],
            Permission::CommissionPayoutApprove => &[VpRevops],
            Permission::DealSplitManage => &[Admin, VpRevops],
            Permission::MetricsRead => &[
                Admin,
                Cfo,
                Cro,
                VpRevops,
                VpFinance,
                ArSpecialist,
                AccountManager,
                Ae,
                VpCs,
                Auditor,
            ],
            Permission::RenewalRead => &[
                Admin,
                Cfo,
                Cro,
                VpRevops,
                VpFinance,
                AccountManager,
                Ae,
                VpCs,
                Auditor,
            ],
            Permission::RenewalManage => &[Admin, Cro, VpRevops, AccountManager, Ae, VpCs],
            Permission::RenewalRenew => &[Admin, Cro, VpRevops, VpFinance],
            Permission::ImportRead => &[Admin, Cfo, VpRevops, VpFinance, Auditor],
            Permission::ImportRun => &[Admin, Cfo, VpRevops, VpFinance],
            Permission::IntakeSubmit => &[Admin, VpRevops],
            Permission::IntakeRead => &[Admin, Cfo, Cro, VpRevops, Auditor],
            Permission::IntakeReview => &[Admin, VpRevops],
            Permission::WebhookManage => &[Admin],
        }
    }
}

pub fn role_has(role: Role, permission: Permission) -> bool {
    permission.roles().contains(&role)
}

pub fn permissions_of(role: Role) -> Vec<Permission> {
    Permission::ALL
        .into_iter()
        .filter(|permission| role_has(role, *permission))
        .collect()
}

/// What a top-level GraphQL field requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (only `login`).
    Public,
    /// Any signed-in user.
    SignedIn,
    Needs(Permission),
}

/// Every query, mutation and subscription of the schema with the access it needs. A field missing here is
/// refused for everybody (fail closed), and the matrix test fails, so a new field cannot be
/// forgotten.
pub const OPERATIONS: &[(&str, &str, Access)] = &[
    (
        "Query",
        "importKinds",
        Access::Needs(Permission::ImportRead),
    ),
    ("Query", "imports", Access::Needs(Permission::ImportRead)),
    ("Query", "import", Access::Needs(Permission::ImportRead)),
    (
        "Mutation",
        "importCommit",
        Access::Needs(Permission::ImportRun),
    ),
    (
        "Query",
        "intakeEvents",
        Access::Needs(Permission::IntakeRead),
    ),
    (
        "Query",
        "intakeConnectors",
        Access::Needs(Permission::IntakeRead),
    ),
    (
        "Mutation",
        "intakeConnectorCreate",
        Access::Needs(Permission::UserAdmin),
    ),
    (
        "Mutation",
        "intakeConnectorUpdate",
        Access::Needs(Permission::UserAdmin),
    ),
    (
        "Query",
        "dealAmendments",
        Access::Needs(Permission::IntakeRead),
    ),
    (
        "Mutation",
        "intakeEventReplay",
        Access::Needs(Permission::IntakeReview),
    ),
    (
        "Mutation",
        "dealAmendmentResolve",
        Access::Needs(Permission::IntakeReview),
    ),
    ("Query", "me", Access::SignedIn),
    ("Query", "users", Access::Needs(Permission::UserRead)),
    (
        "Query",
        "customers",
        Access::Needs(Permission::CustomerRead),
    ),
    ("Query", "customer", Access::Needs(Permission::CustomerRead)),
    (
        "Query",
        "customersByIds",
        Access::Needs(Permission::CustomerRead),
    ),
    ("Query", "deals", Access::Needs(Permission::DealRead)),
    ("Query", "deal", Access::Needs(Permission::DealRead)),
    ("Query", "dealsByIds", Access::Needs(Permission::DealRead)),
    (
        "Query",
        "dealChecklist",
        Access::Needs(Permission::DealRead),
    ),
    (
        "Query",
        "approvals",
        Access::Needs(Permission::ApprovalRead),
    ),
    ("Query", "accounts", Access::Needs(Permission::LedgerRead)),
    (
        "Query",
        "trialBalance",
        Access::Needs(Permission::LedgerRead),
    ),
    (
        "Query",
        "journalEntries",
        Access::Needs(Permission::LedgerRead),
    ),
    ("Query", "auditLog", Access::Needs(Permission::AuditRead)),
    (
        "Query",
        "ledgerExports",
        Access::Needs(Permission::LedgerRead),
    ),
    (
        "Mutation",
        "ledgerExportCreate",
        Access::Needs(Permission::LedgerExport),
    ),
    ("Mutation", "login", Access::Public),
    (
        "Mutation",
        "userCreate",
        Access::Needs(Permission::UserAdmin),
    ),
    (
        "Mutation",
        "userRoleSet",
        Access::Needs(Permission::UserAdmin),
    ),
    (
        "Mutation",
        "userDeactivate",
        Access::Needs(Permission::UserAdmin),
    ),
    (
        "Mutation",
        "userReactivate",
        Access::Needs(Permission::UserAdmin),
    ),
    ("Mutation", "logout", Access::SignedIn),
    (
        "Query",
        "serviceAccounts",
        Access::Needs(Permission::UserAdmin),
    ),
    (
        "Mutation",
        "serviceAccountCreate",
        Access::Needs(Permission::UserAdmin),
    ),
    (
        "Mutation",
        "serviceAccountRevoke",
        Access::Needs(Permission::UserAdmin),
    ),
    (
        "Query",
        "webhookEventTypes",
        Access::Needs(Permission::WebhookManage),
    ),
    (
        "Query",
        "webhookEndpoints",
        Access::Needs(Permission::WebhookManage),
    ),
    (
        "Query",
        "webhookDeliveries",
        Access::Needs(Permission::WebhookManage),
    ),
    (
        "Mutation",
        "webhookEndpointCreate",
        Access::Needs(Permission::WebhookManage),
    ),
    (
        "Mutation",
        "webhookEndpointUpdate",
        Access::Needs(Permission::WebhookManage),
    ),
    (
        "Mutation",
        "webhookEndpointRotateSecret",
        Access::Needs(Permission::WebhookManage),
    ),
    (
        "Mutation",
        "webhookEndpointDelete",
        Access::Needs(Permission::WebhookManage),
    ),
    (
        "Mutation",
        "webhookRedeliver",
        Access::Needs(Permission::WebhookManage),
    ),
    (
        "Mutation",
        "webhookTest",
        Access::Needs(Permission::WebhookManage),
    ),
    (
        "Mutation",
        "customerCreate",
        Access::Needs(Permission::CustomerWrite),
    ),
    (
        "Mutation",
        "customerUpdate",
        Access::Needs(Permission::CustomerWrite),
    ),
    (
        "Mutation",
        "customerCreditHoldSet",
        Access::Needs(Permission::CreditHoldManage),
    ),
    (
        "Mutation",
        "creditLimitRequestCreate",
        Access::Needs(Permission::CreditLimitRequest),
    ),
    (
        "Mutation",
        "approvalDecide",
        Access::Needs(Permission::CreditLimitApprove),
    ),
    (
        "Mutation",
        "dealCreate",
        Access::Needs(Permission::DealWrite),
    ),
    (
        "Mutation",
        "dealUpdate",
        Access::Needs(Permission::DealWrite),
    ),
    (
        "Mutation",
        "dealApprove",
        Access::Needs(Permission::DealApprove),
    ),
    (
        "Mutation",
        "journalEntryPost",
        Access::Needs(Permission::LedgerPost),
    ),
    (
        "Mutation",
        "journalEntryReverse",
        Access::Needs(Permission::LedgerPost),
    ),
    ("Query", "invoices", Access::Needs(Permission::InvoiceRead)),
    ("Query", "invoice", Access::Needs(Permission::InvoiceRead)),
    (
        "Query",
        "invoicesByIds",
        Access::Needs(Permission::InvoiceRead),
    ),
    ("Query", "taxRates", Access::Needs(Permission::InvoiceRead)),
    ("Query", "fxRates", Access::Needs(Permission::InvoiceRead)),
    (
        "Query",
        "legalEntities",
        Access::Needs(Permission::InvoiceRead),
    ),
    (
        "Query",
        "invoicePreview",
        Access::Needs(Permission::BillRun),
    ),
    (
        "Query",
        "billRunStatus",
        Access::Needs(Permission::BillingRead),
    ),
    ("Query", "billRuns", Access::Needs(Permission::BillingRead)),
    (
        "Query",
        "contractBillingSchedule",
        Access::Needs(Permission::BillingRead),
    ),
    (
        "Query",
        "contractModifyPreview",
        Access::Needs(Permission::ContractChange),
    ),
    (
        "Query",
        "billingSettings",
        Access::Needs(Permission::BillingRead),
    ),
    (
        "Mutation",
        "billingSetProration",
        Access::Needs(Permission::BillingSetup),
    ),
    (
        "Mutation",
        "contractSetProration",
        Access::Needs(Permission::ContractChange),
    ),
    (
        "Mutation",
        "contractSetBillingDay",
        Access::Needs(Permission::ContractChange),
    ),
    (
        "Mutation",
        "contractLineSetBilledInArrears",
        Access::Needs(Permission::ContractChange),
    ),
    (
        "Query",
        "contractUsage",
        Access::Needs(Permission::BillingRead),
    ),
    (
        "Query",
        "timesheets",
        Access::Needs(Permission::BillingRead),
    ),
    (
        "Mutation",
        "invoiceIssue",
        Access::Needs(Permission::InvoiceManage),
    ),
    (
        "Mutation",
        "invoicePoSet",
        Access::Needs(Permission::InvoiceManage),
    ),
    (
        "Mutation",
        "invoiceVoid",
        Access::Needs(Permission::InvoiceManage),
    ),
    (
        "Mutation",
        "taxRateSet",
        Access::Needs(Permission::BillingSetup),
    ),
    (
        "Mutation",
        "fxRateSet",
        Access::Needs(Permission::BillingSetup),
    ),
    (
        "Mutation",
        "legalEntitySet",
        Access::Needs(Permission::BillingSetup),
    ),
    (
        "Mutation",
        "couponCreate",
        Access::Needs(Permission::BillingSetup),
    ),
    (
        "Mutation",
        "couponArchive",
        Access::Needs(Permission::BillingSetup),
    ),
    ("Query", "coupons", Access::Needs(Permission::DealRead)),
    ("Mutation", "billRun", Access::Needs(Permission::BillRun)),
    (
        "Mutation",
        "usageRecord",
        Access::Needs(Permission::UsageWrite),
    ),
    (
        "Mutation",
        "usageUpload",
        Access::Needs(Permission::UsageWrite),
    ),
    (
        "Mutation",
        "timesheetSubmit",
        Access::Needs(Permission::TimesheetSubmit),
    ),
    (
        "Mutation",
        "timesheetDecide",
        Access::Needs(Permission::TimesheetApprove),
    ),
    (
        "Mutation",
        "contractLineDeliver",
        Access::Needs(Permission::DeliveryRecord),
    ),
    (
        "Mutation",
        "contractLineAccept",
        Access::Needs(Permission::DeliveryRecord),
    ),
    (
        "Mutation",
        "contractLineChange",
        Access::Needs(Permission::ContractChange),
    ),
    (
        "Mutation",
        "contractLineAdd",
        Access::Needs(Permission::ContractChange),
    ),
    (
        "Mutation",
        "contractModify",
        Access::Needs(Permission::ContractChange),
    ),
    (
        "Query",
        "arAging",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Query",
        "arAgingCustomers",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Query",
        "arAgingInvoices",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Query",
        "payments",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Query",
        "payment",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Query",
        "customerCredits",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Mutation",
        "paymentRecord",
        Access::Needs(Permission::PaymentRecord),
    ),
    (
        "Mutation",
        "creditApply",
        Access::Needs(Permission::PaymentRecord),
    ),
    (
        "Mutation",
        "creditRefund",
        Access::Needs(Permission::RefundIssue),
    ),
    (
        "Query",
        "collectionSteps",
        Access::Needs(Permission::CollectionsWork),
    ),
    (
        "Query",
        "collectionHistory",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Query",
        "collectionTasks",
        Access::Needs(Permission::CollectionsWork),
    ),
    (
        "Query",
        "disputes",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Query",
        "dispute",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Query",
        "creditMemos",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Query",
        "creditMemo",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Query",
        "holidays",
        Access::Needs(Permission::CollectionsWork),
    ),
    (
        "Mutation",
        "collectionsRun",
        Access::Needs(Permission::CollectionsRun),
    ),
    (
        "Mutation",
        "collectionStepSet",
        Access::Needs(Permission::CollectionsSetup),
    ),
    (
        "Mutation",
        "collectionTaskComplete",
        Access::Needs(Permission::CollectionsWork),
    ),
    (
        "Mutation",
        "disputeLog",
        Access::Needs(Permission::DisputeLog),
    ),
    (
        "Mutation",
        "disputeReview",
        Access::Needs(Permission::DisputeReview),
    ),
    (
        "Mutation",
        "disputeClose",
        Access::Needs(Permission::DisputeReview),
    ),
    (
        "Mutation",
        "disputeEvidenceAdd",
        Access::Needs(Permission::DisputeReview),
    ),
    (
        "Mutation",
        "creditMemoRequest",
        Access::Needs(Permission::CreditMemoRequest),
    ),
    (
        "Mutation",
        "creditMemoDecide",
        Access::Needs(Permission::CreditMemoApprove),
    ),
    (
        "Mutation",
        "writeOffRequest",
        Access::Needs(Permission::WriteOffRequest),
    ),
    (
        "Mutation",
        "writeOffDecide",
        Access::Needs(Permission::WriteOffApprove),
    ),
    (
        "Mutation",
        "holidaySet",
        Access::Needs(Permission::CollectionsSetup),
    ),
    (
        "Mutation",
        "customerAccountManagerSet",
        Access::Needs(Permission::CustomerWrite),
    ),
    (
        "Query",
        "customerStatement",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Query",
        "bankReceipts",
        Access::Needs(Permission::ReceivablesRead),
    ),
    (
        "Mutation",
        "bankReceiptsImport",
        Access::Needs(Permission::PaymentRecord),
    ),
    (
        "Mutation",
        "bankReceiptConfirm",
        Access::Needs(Permission::PaymentRecord),
    ),
    (
        "Mutation",
        "bankReceiptIgnore",
        Access::Needs(Permission::PaymentRecord),
    ),
    (
        "Query",
        "revenueContracts",
        Access::Needs(Permission::RevenueRead),
    ),
    (
        "Query",
        "revenueSchedule",
        Access::Needs(Permission::RevenueRead),
    ),
    (
        "Query",
        "revenueWaterfall",
        Access::Needs(Permission::RevenueTotalsRead),
    ),
    (
        "Query",
        "remainingPerformanceObligations",
        Access::Needs(Permission::RevenueTotalsRead),
    ),
    (
        "Query",
        "revenueRollforward",
        Access::Needs(Permission::RevenueTotalsRead),
    ),
    (
        "Query",
        "revenueByStream",
        Access::Needs(Permission::RevenueTotalsRead),
    ),
    (
        "Query",
        "revenueRuns",
        Access::Needs(Permission::RevenueTotalsRead),
    ),
    (
        "Query",
        "ledgerPeriods",
        Access::Needs(Permission::RevenueTotalsRead),
    ),
    (
        "Query",
        "periodCloseCheck",
        Access::Needs(Permission::RevenueTotalsRead),
    ),
    (
        "Query",
        "revenueSettings",
        Access::Needs(Permission::RevenueTotalsRead),
    ),
    (
        "Query",
        "sspPrices",
        Access::Needs(Permission::RevenueTotalsRead),
    ),
    (
        "Mutation",
        "revenueRun",
        Access::Needs(Permission::RevenueRun),
    ),
    (
        "Mutation",
        "periodClose",
        Access::Needs(Permission::PeriodClose),
    ),
    (
        "Mutation",
        "periodReopen",
        Access::Needs(Permission::PeriodClose),
    ),
    (
        "Mutation",
        "sspPriceSet",
        Access::Needs(Permission::SspManage),
    ),
    (
        "Mutation",
        "revenueMethodSet",
        Access::Needs(Permission::RevenueSettings),
    ),
    (
        "Mutation",
        "contractRevenueMethodSet",
        Access::Needs(Permission::RevenueSettings),
    ),
    (
        "Mutation",
        "revenueDiscountAssign",
        Access::Needs(Permission::SspManage),
    ),
    (
        "Query",
        "commissionPlans",
        Access::Needs(Permission::CommissionReadAll),
    ),
    ("Query", "commissionPlanSchema", Access::SignedIn),
    ("Query", "commissionPlanExample", Access::SignedIn),
    (
        "Query",
        "commissionAssignments",
        Access::Needs(Permission::CommissionRead),
    ),
    (
        "Query",
        "commissionStatement",
        Access::Needs(Permission::CommissionRead),
    ),
    (
        "Query",
        "commissionStatements",
        Access::Needs(Permission::CommissionRead),
    ),
    (
        "Query",
        "commissionPeriods",
        Access::Needs(Permission::CommissionReadAll),
    ),
    (
        "Query",
        "commissionDisputes",
        Access::Needs(Permission::CommissionRead),
    ),
    (
        "Query",
        "commissionPayouts",
        Access::Needs(Permission::CommissionReadAll),
    ),
    (
        "Query",
        "commissionPayout",
        Access::Needs(Permission::CommissionReadAll),
    ),
    (
        "Query",
        "commissionSummary",
        Access::Needs(Permission::CommissionRead),
    ),
    (
        "Query",
        "dealSplits",
        Access::Needs(Permission::CommissionRead),
    ),
    (
        "Mutation",
        "commissionPlanImport",
        Access::Needs(Permission::CommissionPlanManage),
    ),
    (
        "Mutation",
        "commissionPlanAssign",
        Access::Needs(Permission::CommissionPlanManage),
    ),
    (
        "Mutation",
        "commissionPlanAcknowledge",
        Access::Needs(Permission::CommissionRead),
    ),
    (
        "Mutation",
        "userManagerSet",
        Access::Needs(Permission::CommissionPlanManage),
    ),
    (
        "Mutation",
        "dealSplitSet",
        Access::Needs(Permission::DealSplitManage),
    ),
    (
        "Mutation",
        "commissionCalculate",
        Access::Needs(Permission::CommissionCalculate),
    ),
    (
        "Mutation",
        "commissionDisputeRaise",
        Access::Needs(Permission::CommissionDisputeRaise),
    ),
    (
        "Mutation",
        "commissionDisputeResolve",
        Access::Needs(Permission::CommissionDisputeResolve),
    ),
    (
        "Mutation",
        "commissionPayoutApprove",
        Access::Needs(Permission::CommissionPayoutApprove),
    ),
    ("Query", "dashboard", Access::Needs(Permission::MetricsRead)),
    // Live updates: the same access as reading what they follow. That the books changed (the
    // newest journal entry's id and time) tells nothing more, so anyone signed in may follow it.
    (
        "Subscription",
        "billRunProgress",
        Access::Needs(Permission::BillingRead),
    ),
    (
        "Subscription",
        "importProgress",
        Access::Needs(Permission::ImportRead),
    ),
    ("Subscription", "booksChanged", Access::SignedIn),
    (
        "Query",
        "customersOverCreditLimit",
        Access::Needs(Permission::MetricsRead),
    ),
    (
        "Query",
        "dashboardRows",
        Access::Needs(Permission::MetricsRead),
    ),
    (
        "Query",
        "mrrMovements",
        Access::Needs(Permission::MetricsRead),
    ),
    (
        "Query",
        "expansions",
        Access::Needs(Permission::MetricsRead),
    ),
    (
        "Query",
        "renewalPipeline",
        Access::Needs(Permission::RenewalRead),
    ),
    ("Query", "renewal", Access::Needs(Permission::RenewalRead)),
    (
        "Query",
        "renewalHistory",
        Access::Needs(Permission::RenewalRead),
    ),
    ("Query", "myAlerts", Access::SignedIn),
    (
        "Mutation",
        "renewalStatusSet",
        Access::Needs(Permission::RenewalManage),
    ),
    (
        "Mutation",
        "renewalContactLog",
        Access::Needs(Permission::RenewalManage),
    ),
    (
        "Mutation",
        "renewalTermsSet",
        Access::Needs(Permission::RenewalManage),
    ),
    (
        "Query",
        "renewalOwners",
        Access::Needs(Permission::RenewalManage),
    ),
    (
        "Query",
        "renewalPreview",
        Access::Needs(Permission::RenewalRenew),
    ),
    (
        "Mutation",
        "contractRenew",
        Access::Needs(Permission::RenewalRenew),
    ),
    ("Mutation", "alertMarkRead", Access::SignedIn),
];

pub fn operation_access(parent_type: &str, field: &str) -> Option<Access> {
    OPERATIONS
        .iter()
        .find(|(parent, name, _)| *parent == parent_type && *name == field)
        .map(|(_, _, access)| *access)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_vp_finance_approves_credit_limits_and_auditor_only_reads() {
        // Proves the two policy lines DESIGN states outright.
        assert_eq!(Permission::CreditLimitApprove.roles(), &[Role::VpFinance]);
        for permission in permissions_of(Role::Auditor) {
            assert!(
                permission.as_str().ends_with("_READ"),
                "auditor holds {permission:?}"
            );
        }
    }

    #[test]
    fn role_names_round_trip() {
        // Proves stored role text always maps back to the same role.
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
