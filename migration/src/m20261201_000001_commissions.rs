//! Commissions: versioned plan documents, dated plan assignments with the rep's sign-off, deal
//! splits, each user's manager (for overrides and team visibility), calculation runs, statement
//! lines with their inputs (credits, SPIFs, overrides, retroactive true-ups, clawbacks, dispute
//! adjustments), disputes and payouts.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000001_commissions"
    }
}

const TABLES: &[&str] = &[
    "commission_payouts",
    "commission_disputes",
    "commission_lines",
    "commission_runs",
    "deal_splits",
    "commission_assignments",
    "commission_plans",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Who a user reports to: the manager's override and team view follow it.
        manager
            .alter_table(add_column("users", big_null("manager_id")))
            .await?;
        let tables = [
            // One row per version of a plan; the document is the plan (canonical JSON), the
            // columns beside it are what queries filter on.
            table("commission_plans")
                .col(id("id"))
                .col(code("code", 64))
                .col(int("version"))
                .col(code("name", 200))
                .col(code("currency", 3))
                .col(date("effective_from"))
                .col(date_null("effective_to"))
                .col(flag("capitalise"))
                .col(text("document_json"))
                .col(text("source_text"))
                .col(big_null("created_by"))
                .col(instant("created_at"))
                .to_owned(),
            // A plan given to a rep for dated months, optionally with the rep's own quota, and
            // the rep's acknowledgement of the version they read.
            table("commission_assignments")
                .col(id("id"))
                .col(big("user_id"))
                .col(code("plan_code", 64))
                .col(date("effective_from"))
                .col(date_null("effective_to"))
                .col(big_null("quota_minor"))
                .col(big_null("assigned_by"))
                .col(instant("assigned_at"))
                .col(instant_null("acknowledged_at"))
                .col(
                    ColumnDef::new(Alias::new("acknowledged_version"))
                        .integer()
                        .null()
                        .to_owned(),
                )
                .to_owned(),
            // A deal's credit divided between reps, in basis points summing to 10,000.
            table("deal_splits")
                .col(id("id"))
                .col(big("deal_id"))
                .col(big("user_id"))
                .col(int("share_bp"))
                .col(big_null("created_by"))
                .col(instant("created_at"))
                .to_owned(),
            table("commission_runs")
                .col(id("id"))
                .col(code("period", 7))
                .col(date("as_of"))
                .col(date("due_on"))
                .col(int("lines"))
                .col(int("changed"))
                .col(int("entries"))
                .col(text("totals_json"))
                .col(text("warnings_json"))
                .col(big_null("run_by"))
                .col(instant("ran_at"))
                .to_owned(),
            // A statement line: what was credited and why it pays what it pays. `source_key` is
            // unique per user, so a deal, a SPIF or a clawback cause lands exactly once.
            table("commission_lines")
                .col(id("id"))
                .col(code("period", 7))
                .col(big("user_id"))
                .col(code("plan_code", 64))
                .col(int("plan_version"))
                .col(code("component", 200))
                .col(code("kind", 16))
                .col(code("source_key", 200))
                .col(big_null("deal_id"))
                .col(big_null("contract_id"))
                .col(code_null("business", 16))
                .col(code("metric", 24))
                .col(big("metric_minor"))
                .col(int("split_bp"))
                .col(big("credited_minor"))
                .col(code("tier", 200))
                .col(code("rate", 64))
                .col(big("amount_minor"))
                .col(code("currency", 3))
                .col(text("explanation"))
                .col(code_null("cause_type", 16))
                .col(big_null("cause_id"))
                .col(big_null("reverses_line_id"))
                .col(flag("capitalised"))
                .col(date_null("amortise_from"))
                .col(int("amortise_months"))
                .col(big("accrued_minor"))
                .col(big("amortised_minor"))
                .col(code("status", 12))
                .col(big_null("payout_id"))
                .col(instant("created_at"))
                .col(instant("updated_at"))
                .to_owned(),
            table("commission_disputes")
                .col(id("id"))
                .col(big("line_id"))
                .col(big("raised_by"))
                .col(text("reason"))
                .col(code("status", 12))
                .col(instant("raised_at"))
                .col(instant("answer_due_at"))
                .col(big_null("resolved_by"))
                .col(instant_null("resolved_at"))
                .col(text_null("comment"))
                .col(big_null("adjustment_line_id"))
                .to_owned(),
            table("commission_payouts")
                .col(id("id"))
                .col(code("period", 7))
                .col(date("payout_date"))
                .col(int("lines"))
                .col(text("totals_json"))
                .col(code("idempotency_key", 200))
                .col(big("approved_by"))
                .col(instant("approved_at"))
                .col(text("journal_entries_json"))
                .to_owned(),
        ];
        for statement in tables {
            manager.create_table(statement).await?;
        }
        let indexes = [
            unique_index("commission_plans", &["code", "version"]),
            // A customer's other contracts decide new / expansion / renewal business.
            index("contracts", &["customer_id"]),
            index("deals", &["approved_at"]),
            index("commission_assignments", &["user_id"]),
            unique_index("deal_splits", &["deal_id", "user_id"]),
            index("commission_runs", &["period"]),
            unique_index("commission_lines", &["user_id", "source_key"]),
            index("commission_lines", &["period", "user_id"]),
            index("commission_lines", &["deal_id"]),
            index("commission_lines", &["status"]),
            index("commission_disputes", &["line_id"]),
            index("commission_disputes", &["status"]),
            unique_index("commission_payouts", &["idempotency_key"]),
            index("commission_payouts", &["period"]),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in TABLES {
            manager
                .drop_table(Table::drop().table(Alias::new(*name)).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("users"))
                    .drop_column(Alias::new("manager_id"))
                    .to_owned(),
            )
            .await
    }
}
