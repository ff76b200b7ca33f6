//! Billing and invoicing: billing terms on contract lines, charges (the exactly-once key per
//! contract line and billing period), usage, timesheets, mid-term changes, invoices, tax and FX
//! tables, legal entities, the mail outbox and job runs.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000001_billing"
    }
}

const TABLES: &[&str] = &[
    "job_runs",
    "outbox",
    "invoice_lines",
    "invoices",
    "billing_charges",
    "contract_line_changes",
    "timesheet_entries",
    "usage_records",
    "fx_rates",
    "tax_rates",
    "legal_entities",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let alterations = [
            add_column(
                "contract_lines",
                ColumnDef::new(Alias::new("alignment"))
                    .string_len(16)
                    .not_null()
                    .default("anniversary")
                    .to_owned(),
            ),
            add_column("contract_lines", instant_null("delivered_at")),
            add_column("contract_lines", big_null("delivered_by")),
            add_column("contract_lines", instant_null("accepted_at")),
            add_column("contract_lines", big_null("accepted_by")),
            add_column("contract_lines", text_null("acceptance_note")),
            add_column("contract_lines", date_null("cancelled_on")),
            add_column("contract_lines", text_null("usage_pricing_json")),
            add_column(
                "contracts",
                ColumnDef::new(Alias::new("uplift_percent"))
                    .string_len(16)
                    .not_null()
                    .default("0")
                    .to_owned(),
            ),
            add_column(
                "purchase_orders",
                ColumnDef::new(Alias::new("consumed_minor"))
                    .big_integer()
                    .not_null()
                    .default(0)
                    .to_owned(),
            ),
        ];
        for statement in alterations {
            manager.alter_table(statement).await?;
        }
        let tables = [
            table("legal_entities")
                .col(id("id"))
                .col(code("name", 200))
                .col(text("address_json"))
                .col(text_null("tax_id"))
                .col(text("remit_to_json"))
                .col(text("payment_instructions"))
                .col(instant("created_at"))
                .to_owned(),
            table("tax_rates")
                .col(id("id"))
                .col(code("country", 2))
                .col(code("region", 16))
                .col(code("rate_percent", 16))
                .col(text("label"))
                .col(date("effective_from"))
                .col(instant("created_at"))
                .col(big_null("created_by"))
                .to_owned(),
            table("fx_rates")
                .col(id("id"))
                .col(code("currency", 3))
                .col(date("rate_date"))
                .col(code("rate", 32))
                .col(instant("created_at"))
                .col(big_null("created_by"))
                .to_owned(),
            table("usage_records")
                .col(id("id"))
                .col(big("contract_line_id"))
                .col(code("meter", 64))
                .col(code("quantity", 40))
                .col(instant("occurred_at"))
                .col(code("usage_month", 7))
                .col(code("client_id", 128))
                .col(instant("created_at"))
                .col(big_null("created_by"))
                .foreign_key(&mut fk(
                    "usage_records",
                    "contract_line_id",
                    "contract_lines",
                    "id",
                ))
                .to_owned(),
            table("timesheet_entries")
                .col(id("id"))
                .col(big("contract_line_id"))
                .col(text("person"))
                .col(text("role"))
                .col(date("work_date"))
                .col(code("hours", 16))
                .col(big("rate_minor"))
                .col(code("currency", 3))
                .col(text("description"))
                .col(code("status", 16))
                .col(big_null("submitted_by"))
                .col(instant("submitted_at"))
                .col(big_null("decided_by"))
                .col(instant_null("decided_at"))
                .col(text_null("decision_note"))
                .foreign_key(&mut fk(
                    "timesheet_entries",
                    "contract_line_id",
                    "contract_lines",
                    "id",
                ))
                .to_owned(),
            table("contract_line_changes")
                .col(id("id"))
                .col(big("contract_line_id"))
                .col(code("kind", 16))
                .col(date("effective_date"))
                .col(code("old_quantity", 40))
                .col(code("new_quantity", 40))
                .col(text("reason"))
                .col(code_null("idempotency_key", 128))
                .col(big_null("created_by"))
                .col(instant("created_at"))
                .foreign_key(&mut fk(
                    "contract_line_changes",
                    "contract_line_id",
                    "contract_lines",
                    "id",
                ))
                .to_owned(),
            table("billing_charges")
                .col(id("id"))
                .col(big("contract_line_id"))
                .col(code("charge_key", 64))
                .col(big("contract_id"))
                .col(big("customer_id"))
                .col(code("kind", 24))
                .col(text("description"))
                .col(date_null("period_start"))
                .col(date_null("period_end"))
                .col(code("quantity", 40))
                .col(big("unit_price_minor"))
                .col(big("amount_minor"))
                .col(code("currency", 3))
                .col(text_null("proration_note"))
                .col(date("due_on"))
                .col(instant("created_at"))
                .foreign_key(&mut fk(
                    "billing_charges",
                    "contract_line_id",
                    "contract_lines",
                    "id",
                ))
                .to_owned(),
            table("invoices")
                .col(id("id"))
                .col(code_null("number", 32))
                .col(code("batch_key", 200))
                .col(text("legal_entity"))
                .col(big("customer_id"))
                .col(big_null("contract_id"))
                .col(code("currency", 3))
                .col(code("status", 16))
                .col(date("invoice_date"))
                .col(date_null("issue_date"))
                .col(date_null("due_date"))
                .col(code("payment_terms", 16))
                .col(code_null("po_number", 64))
                .col(big_null("purchase_order_id"))
                .col(text_null("tax_exemption_certificate"))
                .col(big("subtotal_minor"))
                .col(big("tax_minor"))
                .col(big("total_minor"))
                .col(
                    ColumnDef::new(Alias::new("paid_minor"))
                        .big_integer()
                        .not_null()
                        .default(0)
                        .to_owned(),
                )
                .col(
                    ColumnDef::new(Alias::new("credited_minor"))
                        .big_integer()
                        .not_null()
                        .default(0)
                        .to_owned(),
                )
                .col(code_null("blocked_field", 64))
                .col(text_null("blocked_reason"))
                .col(code("functional_currency", 3))
                .col(code_null("fx_rate", 32))
                .col(big_null("functional_total_minor"))
                .col(big_null("journal_entry_id"))
                .col(big_null("issued_by"))
                .col(instant_null("issued_at"))
                .col(big_null("voided_by"))
                .col(instant_null("voided_at"))
                .col(text_null("void_reason"))
                .col(big_null("void_journal_entry_id"))
                .col(instant("created_at"))
                .col(instant("updated_at"))
                .foreign_key(&mut fk("invoices", "customer_id", "customers", "id"))
                .foreign_key(&mut fk(
                    "invoices",
                    "purchase_order_id",
                    "purchase_orders",
                    "id",
                ))
                .to_owned(),
            table("invoice_lines")
                .col(id("id"))
                .col(big("invoice_id"))
                .col(int("position"))
                .col(big("charge_id"))
                .col(big_null("active_charge_id"))
                .col(big("contract_line_id"))
                .col(code("kind", 24))
                .col(text("description"))
                .col(date_null("period_start"))
                .col(date_null("period_end"))
                .col(code("quantity", 40))
                .col(big("unit_price_minor"))
                .col(big("amount_minor"))
                .col(text_null("proration_note"))
                .col(code("tax_jurisdiction", 32))
                .col(code("tax_rate_percent", 16))
                .col(text("tax_label"))
                .col(big("tax_minor"))
                .col(code("revenue_account", 8))
                .foreign_key(&mut fk("invoice_lines", "invoice_id", "invoices", "id"))
                .foreign_key(&mut fk(
                    "invoice_lines",
                    "charge_id",
                    "billing_charges",
                    "id",
                ))
                .to_owned(),
            table("outbox")
                .col(id("id"))
                .col(code("kind", 32))
                .col(code("dedupe_key", 200))
                .col(text("recipient"))
                .col(text("subject"))
                .col(text("body"))
                .col(code_null("attachment_kind", 32))
                .col(big_null("attachment_ref"))
                .col(code("status", 16))
                .col(int("attempts"))
                .col(instant("next_attempt_at"))
                .col(instant_null("lease_until"))
                .col(text_null("last_error"))
                .col(instant_null("sent_at"))
                .col(instant("created_at"))
                .to_owned(),
            table("job_runs")
                .col(id("id"))
                .col(code("job", 64))
                .col(date("business_date"))
                .col(code("status", 16))
                .col(code("owner", 64))
                .col(instant("started_at"))
                .col(instant_null("finished_at"))
                .col(instant("lease_until"))
                .col(big("done_count"))
                .col(big("total_count"))
                .col(text("summary"))
                .to_owned(),
        ];
        for statement in tables {
            manager.create_table(statement).await?;
        }
        let indexes = [
            unique_index("legal_entities", &["name"]),
            unique_index("tax_rates", &["country", "region", "effective_from"]),
            unique_index("fx_rates", &["currency", "rate_date"]),
            unique_index("usage_records", &["contract_line_id", "client_id"]),
            index("usage_records", &["contract_line_id", "usage_month"]),
            index("timesheet_entries", &["contract_line_id", "status"]),
            index("timesheet_entries", &["status"]),
            index("contract_line_changes", &["contract_line_id"]),
            unique_index("contract_line_changes", &["idempotency_key"]),
            // The exactly-once key: one charge per contract line and billing period.
            unique_index("billing_charges", &["contract_line_id", "charge_key"]),
            index("billing_charges", &["customer_id"]),
            index("billing_charges", &["due_on"]),
            unique_index("invoices", &["legal_entity", "number"]),
            // One invoice per customer, entity, currency and PO on one bill date.
            unique_index("invoices", &["batch_key"]),
            index("invoices", &["customer_id"]),
            index("invoices", &["status"]),
            index("invoices", &["invoice_date"]),
            index("invoice_lines", &["invoice_id"]),
            // A charge is on at most one invoice that is not void.
            unique_index("invoice_lines", &["active_charge_id"]),
            index("invoice_lines", &["charge_id"]),
            index("invoice_lines", &["contract_line_id"]),
            unique_index("outbox", &["dedupe_key"]),
            index("outbox", &["status", "next_attempt_at"]),
            unique_index("job_runs", &["job", "business_date"]),
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
