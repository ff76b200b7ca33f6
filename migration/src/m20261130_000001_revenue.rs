//! Revenue recognition (ASC 606): the standalone selling price table, performance obligations
//! with their allocation, the recognition schedule (one row per obligation and period, planned
//! until a run recognises it), each contract's billed/recognised position (which splits deferred
//! revenue from unbilled AR), recognition runs with their journal entries, contract
//! modifications with before/after, closed ledger periods and company settings.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000001_revenue"
    }
}

const TABLES: &[&str] = &[
    "company_settings",
    "ledger_periods",
    "revenue_modifications",
    "revenue_postings",
    "revenue_runs",
    "revenue_positions",
    "revenue_schedule",
    "performance_obligations",
    "ssp_prices",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            // A product's standalone selling price from a date: a point price, or an observed
            // range (low..high) inside which the contract's own price is taken as the SSP.
            table("ssp_prices")
                .col(id("id"))
                .col(code("product_name", 200))
                .col(code("currency", 3))
                .col(code("basis", 16))
                .col(big("low_minor"))
                .col(big("high_minor"))
                .col(date("effective_from"))
                .col(big_null("created_by"))
                .col(instant("created_at"))
                .to_owned(),
            // One per contract line: how and when its revenue is earned, and its share of the
            // contract's price with the inputs that produced it.
            table("performance_obligations")
                .col(id("id"))
                .col(big("contract_id"))
                .col(big("contract_line_id"))
                .col(big("customer_id"))
                .col(code("currency", 3))
                .col(code("pattern", 16))
                .col(code("stream_account", 8))
                .col(date("service_start"))
                .col(date("service_end"))
                .col(big("stated_minor"))
                .col(big("ssp_minor"))
                .col(text("ssp_source"))
                .col(flag("carries_discount"))
                .col(big("allocated_minor"))
                .col(date_null("satisfied_on"))
                .col(date_null("expected_on"))
                .col(instant("updated_at"))
                .foreign_key(&mut fk(
                    "performance_obligations",
                    "contract_id",
                    "contracts",
                    "id",
                ))
                .to_owned(),
            // The recognition schedule. `recognise_on` is when the obligation (or this part of
            // it) is satisfied; NULL while a milestone or licence awaits acceptance/delivery.
            table("revenue_schedule")
                .col(id("id"))
                .col(big("obligation_id"))
                .col(big("contract_id"))
                .col(code("currency", 3))
                .col(code("stream_account", 8))
                .col(code("kind", 16))
                .col(code("source_key", 64))
                .col(date_null("period_start"))
                .col(date_null("period_end"))
                .col(date_null("recognise_on"))
                .col(big("amount_minor"))
                .col(code("status", 12))
                .col(big_null("run_id"))
                .col(code_null("recognised_period", 7))
                .foreign_key(&mut fk(
                    "revenue_schedule",
                    "obligation_id",
                    "performance_obligations",
                    "id",
                ))
                .to_owned(),
            // What each contract has billed and recognised (net of credits): the difference is
            // its deferred revenue (billed ahead) or unbilled AR (recognised ahead).
            table("revenue_positions")
                .col(
                    ColumnDef::new(Alias::new("contract_id"))
                        .big_integer()
                        .not_null()
                        .primary_key()
                        .to_owned(),
                )
                .col(code("currency", 3))
                .col(big("billed_minor"))
                .col(big("recognised_minor"))
                .to_owned(),
            table("revenue_runs")
                .col(id("id"))
                .col(code("period", 7))
                .col(date("as_of"))
                .col(int("contracts"))
                .col(int("rows_recognised"))
                .col(int("entries"))
                .col(text("totals_json"))
                .col(big_null("run_by"))
                .col(instant("ran_at"))
                .to_owned(),
            // The journal entry a run posted for one contract: schedule row → run → entry.
            table("revenue_postings")
                .col(id("id"))
                .col(big("run_id"))
                .col(big("contract_id"))
                .col(big("journal_entry_id"))
                .col(big("amount_minor"))
                .to_owned(),
            table("revenue_modifications")
                .col(id("id"))
                .col(big("contract_id"))
                .col(code("treatment", 24))
                .col(date("effective_date"))
                .col(text("reason"))
                .col(text("before_json"))
                .col(text("after_json"))
                .col(big_null("created_by"))
                .col(instant("created_at"))
                .to_owned(),
            table("ledger_periods")
                .col(
                    ColumnDef::new(Alias::new("period"))
                        .string_len(7)
                        .not_null()
                        .primary_key()
                        .to_owned(),
                )
                .col(code("status", 8))
                .col(big_null("closed_by"))
                .col(instant_null("closed_at"))
                .col(big_null("reopened_by"))
                .col(instant_null("reopened_at"))
                .col(text_null("reopen_reason"))
                .to_owned(),
            table("company_settings")
                .col(
                    ColumnDef::new(Alias::new("key"))
                        .string_len(64)
                        .not_null()
                        .primary_key()
                        .to_owned(),
                )
                .col(text("value"))
                .col(big_null("updated_by"))
                .col(instant("updated_at"))
                .to_owned(),
        ];
        for statement in tables {
            manager.create_table(statement).await?;
        }
        let indexes = [
            unique_index(
                "ssp_prices",
                &["product_name", "currency", "effective_from"],
            ),
            unique_index("performance_obligations", &["contract_line_id"]),
            index("performance_obligations", &["contract_id"]),
            // One row per obligation and source (a month, a milestone, a timesheet, a catch-up).
            unique_index("revenue_schedule", &["obligation_id", "source_key"]),
            index("revenue_schedule", &["status", "recognise_on"]),
            index("revenue_schedule", &["contract_id"]),
            index("revenue_runs", &["period"]),
            index("revenue_postings", &["run_id"]),
            index("revenue_postings", &["contract_id"]),
            index("revenue_modifications", &["contract_id"]),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in TABLES {
            manager
                .drop_table(
                    Table::drop()
                        .table(Alias::new(*name))
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
