//! The foundation schema: users, audit, ledger, customers, approvals, deals, contracts and sequences.
//!
//! Money columns are BIGINT minor units beside a three-letter currency column (DESIGN law 1).
//! Structured values that are read and written whole (addresses, contacts, milestone lists,
//! approval payloads, audit snapshots) are JSON text, so both databases store them identically.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000001_foundation"
    }
}

use crate::columns::*;

const TABLES: &[&str] = &[
    "purchase_orders",
    "contract_lines",
    "contracts",
    "deals",
    "approvals",
    "customers",
    "journal_lines",
    "journal_entries",
    "ledger_accounts",
    "audit_log",
    "login_throttle",
    "users",
    "number_sequences",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            table("number_sequences")
                .col(
                    ColumnDef::new(Alias::new("name"))
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(big("next_value"))
                .to_owned(),
            table("users")
                .col(id("id"))
                .col(
                    ColumnDef::new(Alias::new("email"))
                        .string_len(254)
                        .not_null(),
                )
                .col(text("name"))
                .col(text("role"))
                .col(text("password_hash"))
                .col(instant("created_at"))
                .to_owned(),
            // Failed logins are counted per e-mail address (known or not), so guessing is slowed
            // down without telling an attacker which addresses exist.
            table("login_throttle")
                .col(
                    ColumnDef::new(Alias::new("email"))
                        .string_len(254)
                        .not_null()
                        .primary_key(),
                )
                .col(int("failed_count"))
                .col(instant_null("locked_until"))
                .col(instant("updated_at"))
                .to_owned(),
            table("audit_log")
                .col(id("id"))
                .col(instant("at"))
                .col(big_null("actor_user_id"))
                .col(text("action"))
                .col(text("entity_type"))
                .col(text("entity_id"))
                .col(text_null("before_json"))
                .col(text_null("after_json"))
                .foreign_key(&mut fk("audit_log", "actor_user_id", "users", "id"))
                .to_owned(),
            table("ledger_accounts")
                .col(
                    ColumnDef::new(Alias::new("code"))
                        .string_len(32)
                        .not_null()
                        .primary_key(),
                )
                .col(text("name"))
                .col(text("kind"))
                .to_owned(),
            table("journal_entries")
                .col(id("id"))
                .col(
                    ColumnDef::new(Alias::new("entry_number"))
                        .string_len(32)
                        .not_null(),
                )
                .col(date("entry_date"))
                .col(text("memo"))
                .col(text("source"))
                .col(big_null("reverses_entry_id"))
                .col(
                    ColumnDef::new(Alias::new("idempotency_key"))
                        .string_len(128)
                        .null(),
                )
                .col(big_null("posted_by"))
                .col(instant("posted_at"))
                .foreign_key(&mut fk(
                    "journal_entries",
                    "reverses_entry_id",
                    "journal_entries",
                    "id",
                ))
                .foreign_key(&mut fk("journal_entries", "posted_by", "users", "id"))
                .to_owned(),
            table("journal_lines")
                .col(id("id"))
                .col(big("entry_id"))
                .col(
                    ColumnDef::new(Alias::new("account_code"))
                        .string_len(32)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Alias::new("currency"))
                        .string_len(3)
                        .not_null(),
                )
                .col(big("debit_minor"))
                .col(big("credit_minor"))
                .foreign_key(&mut fk(
                    "journal_lines",
                    "entry_id",
                    "journal_entries",
                    "id",
                ))
                .foreign_key(&mut fk(
                    "journal_lines",
                    "account_code",
                    "ledger_accounts",
                    "code",
                ))
                .to_owned(),
            table("customers")
                .col(id("id"))
                .col(text("legal_name"))
                .col(text("billing_address_json"))
                .col(text("remit_to_address_json"))
                .col(text_null("tax_registration_number"))
                .col(text("billing_contact_json"))
                .col(text_null("payment_method_kind"))
                .col(text_null("payment_method_masked"))
                .col(big("credit_limit_minor"))
                .col(text("payment_terms"))
                .col(
                    ColumnDef::new(Alias::new("billing_currency"))
                        .string_len(3)
                        .not_null(),
                )
                .col(flag("has_paid_invoice"))
                .col(flag("prior_late_payer"))
                .col(flag("on_credit_hold"))
                .col(text_null("credit_hold_reason"))
                .col(instant_null("credit_hold_since"))
                .col(instant("created_at"))
                .col(instant("updated_at"))
                .to_owned(),
            table("approvals")
                .col(id("id"))
                .col(text("kind"))
                .col(text("status"))
                .col(big("customer_id"))
                .col(big("requested_by"))
                .col(instant("requested_at"))
                .col(text("reason"))
                .col(text("payload_json"))
                .col(big_null("decided_by"))
                .col(instant_null("decided_at"))
                .col(text_null("comment"))
                .foreign_key(&mut fk("approvals", "customer_id", "customers", "id"))
                .foreign_key(&mut fk("approvals", "requested_by", "users", "id"))
                .foreign_key(&mut fk("approvals", "decided_by", "users", "id"))
                .to_owned(),
            table("deals")
                .col(id("id"))
                .col(
                    ColumnDef::new(Alias::new("crm_opportunity_id"))
                        .string_len(64)
                        .not_null(),
                )
                .col(big_null("customer_id"))
                .col(text_null("invoiced_legal_entity"))
                .col(text_null("billing_contact_json"))
                .col(text_null("product_name"))
                .col(big_null("tcv_minor"))
                .col(big_null("arr_minor"))
                .col(
                    ColumnDef::new(Alias::new("billing_currency"))
                        .string_len(3)
                        .null(),
                )
                .col(date_null("start_date"))
                .col(date_null("end_date"))
                .col(text_null("billing_frequency"))
                .col(text_null("payment_terms"))
                .col(flag("po_required"))
                .col(text_null("po_number"))
                .col(text_null("tax_jurisdiction"))
                .col(flag("tax_exempt"))
                .col(text_null("tax_exemption_certificate"))
                .col(text_null("revenue_recognition_type"))
                .col(text("milestones_json"))
                .col(big_null("assigned_ae_id"))
                .col(text_null("commission_plan_id"))
                .col(text("status"))
                .col(big_null("created_by"))
                .col(instant("created_at"))
                .col(instant("updated_at"))
                .col(instant_null("approved_at"))
                .col(big_null("approved_by"))
                .col(
                    ColumnDef::new(Alias::new("approve_idempotency_key"))
                        .string_len(128)
                        .null(),
                )
                .foreign_key(&mut fk("deals", "customer_id", "customers", "id"))
                .foreign_key(&mut fk("deals", "assigned_ae_id", "users", "id"))
                .foreign_key(&mut fk("deals", "created_by", "users", "id"))
                .foreign_key(&mut fk("deals", "approved_by", "users", "id"))
                .to_owned(),
            table("contracts")
                .col(id("id"))
                .col(
                    ColumnDef::new(Alias::new("contract_number"))
                        .string_len(32)
                        .not_null(),
                )
                .col(big("deal_id"))
                .col(big("customer_id"))
                .col(date("start_date"))
                .col(date("end_date"))
                .col(big("tcv_minor"))
                .col(big("arr_minor"))
                .col(
                    ColumnDef::new(Alias::new("currency"))
                        .string_len(3)
                        .not_null(),
                )
                .col(instant("created_at"))
                .foreign_key(&mut fk("contracts", "deal_id", "deals", "id"))
                .foreign_key(&mut fk("contracts", "customer_id", "customers", "id"))
                .to_owned(),
            table("contract_lines")
                .col(id("id"))
                .col(big("contract_id"))
                .col(text("product_name"))
                .col(text("kind"))
                .col(text("quantity"))
                .col(big("unit_price_minor"))
                .col(
                    ColumnDef::new(Alias::new("currency"))
                        .string_len(3)
                        .not_null(),
                )
                .col(text_null("billing_frequency"))
                .col(date("start_date"))
                .col(date("end_date"))
                .foreign_key(&mut fk("contract_lines", "contract_id", "contracts", "id"))
                .to_owned(),
            table("purchase_orders")
                .col(id("id"))
                .col(big("customer_id"))
                .col(big_null("contract_id"))
                .col(
                    ColumnDef::new(Alias::new("number"))
                        .string_len(64)
                        .not_null(),
                )
                .col(big("amount_minor"))
                .col(
                    ColumnDef::new(Alias::new("currency"))
                        .string_len(3)
                        .not_null(),
                )
                .col(date("valid_from"))
                .col(date("valid_to"))
                .foreign_key(&mut fk("purchase_orders", "customer_id", "customers", "id"))
                .foreign_key(&mut fk("purchase_orders", "contract_id", "contracts", "id"))
                .to_owned(),
        ];
        for statement in tables {
            manager.create_table(statement).await?;
        }
        let indexes = [
            unique_index("users", &["email"]),
            index("audit_log", &["entity_type", "entity_id"]),
            unique_index("journal_entries", &["entry_number"]),
            unique_index("journal_entries", &["idempotency_key"]),
            // One reversal per entry: a second reversal of the same entry is impossible.
            unique_index("journal_entries", &["reverses_entry_id"]),
            index("journal_entries", &["entry_date"]),
            index("journal_lines", &["entry_id"]),
            index("approvals", &["status"]),
            index("approvals", &["customer_id"]),
            unique_index("deals", &["crm_opportunity_id"]),
            index("deals", &["customer_id"]),
            index("deals", &["assigned_ae_id"]),
            unique_index("contracts", &["contract_number"]),
            unique_index("contracts", &["deal_id"]),
            index("contract_lines", &["contract_id"]),
            unique_index("purchase_orders", &["customer_id", "number"]),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        // At most one pending request of a kind per customer, even when two are made at once.
        // Partial indexes read the same on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_approvals_one_pending ON approvals (customer_id, kind) WHERE status = 'pending'",
            )
            .await?;
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
