//! Receivables and collections: payments and their applications, customer credits and refunds,
//! the AR movement history with its aging cells (so aging as of any date reads a small table),
//! the collections ladder (steps as data, actions exactly once per invoice, tasks), disputes with
//! evidence, credit memos, write-offs, bank receipts and the business calendar's holidays.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000001_receivables"
    }
}

const TABLES: &[&str] = &[
    "idempotency_records",
    "bank_receipts",
    "write_offs",
    "credit_memos",
    "dispute_evidence",
    "disputes",
    "holidays",
    "collection_tasks",
    "collection_actions",
    "collection_steps",
    "ar_aging_cells",
    "ar_movements",
    "refunds",
    "ar_applications",
    "customer_credits",
    "payments",
];

fn money(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let alterations = [
            add_column("invoices", money("written_off_minor")),
            // The date the open amount reached zero: invoices open on D are those issued on or
            // before D and not settled by D, found without reading their history.
            add_column("invoices", date_null("settled_on")),
            add_column("customers", flag("on_watch")),
            // The account manager who owns the relationship: collections tasks go to them, and an
            // account manager's receivables views show their own customers.
            add_column("customers", big_null("account_manager_id")),
            add_column("customers", date_null("watch_since")),
            add_column("customers", code_null("credit_hold_source", 16)),
            add_column(
                "approvals",
                ColumnDef::new(Alias::new("subject_key"))
                    .string_len(64)
                    .not_null()
                    .default("")
                    .to_owned(),
            ),
        ];
        for statement in alterations {
            manager.alter_table(statement).await?;
        }
        let tables = [
            // Money-moving requests by (scope, key): a retry returns the first result, a
            // different request under a used key is refused.
            table("idempotency_records")
                .col(id("id"))
                .col(code("scope", 32))
                .col(code("key", 200))
                .col(text("request_json"))
                .col(big_null("result_id"))
                .col(big("created_by"))
                .col(instant("created_at"))
                .to_owned(),
            table("payments")
                .col(id("id"))
                .col(big("customer_id"))
                .col(code("currency", 3))
                .col(code("method", 8))
                .col(big("amount_minor"))
                .col(date("received_on"))
                .col(text("reference"))
                .col(code("idempotency_key", 200))
                .col(text("request_json"))
                .col(money("applied_minor"))
                .col(money("unapplied_minor"))
                .col(big_null("journal_entry_id"))
                .col(big_null("bank_receipt_id"))
                .col(big("recorded_by"))
                .col(instant("recorded_at"))
                .foreign_key(&mut fk("payments", "customer_id", "customers", "id"))
                .to_owned(),
            table("customer_credits")
                .col(id("id"))
                .col(big("customer_id"))
                .col(code("currency", 3))
                .col(code("source", 16))
                .col(big("source_id"))
                .col(big("amount_minor"))
                .col(big("remaining_minor"))
                .col(date("created_on"))
                .col(instant("created_at"))
                .foreign_key(&mut fk(
                    "customer_credits",
                    "customer_id",
                    "customers",
                    "id",
                ))
                .to_owned(),
            table("ar_applications")
                .col(id("id"))
                .col(big("invoice_id"))
                .col(big_null("payment_id"))
                .col(big_null("credit_id"))
                .col(big("amount_minor"))
                .col(date("applied_on"))
                .col(big_null("journal_entry_id"))
                .col(big("created_by"))
                .col(instant("created_at"))
                .foreign_key(&mut fk("ar_applications", "invoice_id", "invoices", "id"))
                .to_owned(),
            table("refunds")
                .col(id("id"))
                .col(big("customer_id"))
                .col(code("currency", 3))
                .col(big("amount_minor"))
                .col(date("refunded_on"))
                .col(text("reference"))
                .col(code("idempotency_key", 200))
                .col(text("request_json"))
                .col(big_null("journal_entry_id"))
                .col(big("created_by"))
                .col(instant("created_at"))
                .to_owned(),
            table("ar_movements")
                .col(id("id"))
                .col(big("invoice_id"))
                .col(big("customer_id"))
                .col(code("currency", 3))
                .col(code("kind", 16))
                .col(big("amount_minor"))
                .col(date("movement_date"))
                .col(date("invoice_date"))
                .col(date("due_date"))
                .col(big_null("source_id"))
                .col(instant("created_at"))
                .to_owned(),
            table("ar_aging_cells")
                .col(id("id"))
                .col(code("basis", 8))
                .col(code("currency", 3))
                .col(date("aged_from"))
                .col(date("movement_date"))
                .col(money("amount_minor"))
                .col(money("open_count"))
                .to_owned(),
            table("collection_steps")
                .col(id("id"))
                .col(int("position"))
                .col(int("days"))
                .col(code("action", 16))
                .col(text("label"))
                .col(code_null("template", 32))
                .col(code_null("assignee_role", 32))
                .col(
                    ColumnDef::new(Alias::new("active"))
                        .boolean()
                        .not_null()
                        .default(true)
                        .to_owned(),
                )
                .col(instant("updated_at"))
                .to_owned(),
            table("collection_actions")
                .col(id("id"))
                .col(big("invoice_id"))
                .col(big("step_id"))
                .col(int("days"))
                .col(code("action", 16))
                .col(code("outcome", 16))
                .col(text("detail"))
                .col(date("business_date"))
                .col(instant("created_at"))
                .to_owned(),
            table("collection_tasks")
                .col(id("id"))
                .col(code("dedupe_key", 200))
                .col(big("customer_id"))
                .col(big_null("invoice_id"))
                .col(big_null("dispute_id"))
                .col(code("kind", 8))
                .col(text("title"))
                .col(text("detail"))
                .col(code("assignee_role", 32))
                .col(big_null("assignee_id"))
                .col(date("due_on"))
                .col(code("status", 8))
                .col(big_null("done_by"))
                .col(instant_null("done_at"))
                .col(text_null("note"))
                .col(instant("created_at"))
                .to_owned(),
            table("holidays")
                .col(id("id"))
                .col(date("holiday"))
                .col(text("name"))
                .to_owned(),
            table("disputes")
                .col(id("id"))
                .col(big("invoice_id"))
                .col(big("customer_id"))
                .col(code("currency", 3))
                .col(code("reason_code", 16))
                .col(big("disputed_minor"))
                .col(text("line_ids_json"))
                .col(text("customer_statement"))
                .col(code("status", 16))
                .col(date("opened_on"))
                .col(instant("opened_at"))
                .col(big("opened_by"))
                .col(instant("review_due_at"))
                .col(instant_null("reviewed_at"))
                .col(big_null("reviewed_by"))
                .col(text_null("review_note"))
                .col(instant_null("late_alerted_at"))
                .col(instant_null("escalated_at"))
                .col(date_null("closed_on"))
                .col(instant_null("closed_at"))
                .col(big_null("closed_by"))
                .col(text_null("resolution"))
                .col(big_null("credit_memo_id"))
                .col(big_null("rebill_invoice_id"))
                .foreign_key(&mut fk("disputes", "invoice_id", "invoices", "id"))
                .to_owned(),
            table("dispute_evidence")
                .col(id("id"))
                .col(big("dispute_id"))
                .col(text("filename"))
                .col(code("content_type", 100))
                .col(big("size_bytes"))
                .col(
                    ColumnDef::new(Alias::new("content"))
                        .blob()
                        .not_null()
                        .to_owned(),
                )
                .col(big("uploaded_by"))
                .col(instant("uploaded_at"))
                .foreign_key(&mut fk("dispute_evidence", "dispute_id", "disputes", "id"))
                .to_owned(),
            table("credit_memos")
                .col(id("id"))
                .col(code_null("number", 32))
                .col(code("legal_entity", 200))
                .col(big("invoice_id"))
                .col(big("customer_id"))
                .col(code("currency", 3))
                .col(code("status", 16))
                .col(text("reason"))
                .col(big("subtotal_minor"))
                .col(big("tax_minor"))
                .col(big("total_minor"))
                .col(text("lines_json"))
                .col(code("settlement", 16))
                .col(money("to_invoice_minor"))
                .col(money("to_credit_minor"))
                .col(money("refunded_minor"))
                .col(date_null("issue_date"))
                .col(big_null("approval_id"))
                .col(big_null("dispute_id"))
                .col(big("requested_by"))
                .col(instant("requested_at"))
                .col(big_null("decided_by"))
                .col(instant_null("decided_at"))
                .col(text_null("comment"))
                .col(big_null("journal_entry_id"))
                .foreign_key(&mut fk("credit_memos", "invoice_id", "invoices", "id"))
                .to_owned(),
            table("write_offs")
                .col(id("id"))
                .col(big("invoice_id"))
                .col(big("customer_id"))
                .col(code("currency", 3))
                .col(big("amount_minor"))
                .col(text("reason"))
                .col(code("status", 16))
                .col(big_null("approval_id"))
                .col(big("requested_by"))
                .col(instant("requested_at"))
                .col(big_null("decided_by"))
                .col(instant_null("decided_at"))
                .col(text_null("comment"))
                .col(date_null("written_off_on"))
                .col(big_null("journal_entry_id"))
                .foreign_key(&mut fk("write_offs", "invoice_id", "invoices", "id"))
                .to_owned(),
            table("bank_receipts")
                .col(id("id"))
                .col(code("fingerprint", 200))
                .col(code("batch", 64))
                .col(int("row_no"))
                .col(date("received_on"))
                .col(big("amount_minor"))
                .col(code("currency", 3))
                .col(text("payer"))
                .col(text("reference"))
                .col(code("status", 16))
                .col(big_null("proposed_customer_id"))
                .col(text("proposed_invoice_ids"))
                .col(code_null("proposal_basis", 32))
                .col(text_null("proposal_explanation"))
                .col(big_null("payment_id"))
                .col(big("imported_by"))
                .col(instant("imported_at"))
                .col(big_null("decided_by"))
                .col(instant_null("decided_at"))
                .to_owned(),
        ];
        for statement in tables {
            manager.create_table(statement).await?;
        }
        let indexes = [
            unique_index("idempotency_records", &["scope", "key"]),
            unique_index("payments", &["idempotency_key"]),
            index("payments", &["customer_id", "received_on"]),
            index("customer_credits", &["customer_id", "currency"]),
            index("ar_applications", &["invoice_id"]),
            index("ar_applications", &["payment_id"]),
            unique_index("refunds", &["idempotency_key"]),
            index("ar_movements", &["invoice_id", "movement_date"]),
            index("ar_movements", &["customer_id", "movement_date"]),
            // One cell per basis, currency, aging date and movement date; writers add to it.
            unique_index(
                "ar_aging_cells",
                &["basis", "currency", "movement_date", "aged_from"],
            ),
            index("invoices", &["settled_on"]),
            index("invoices", &["customer_id", "settled_on"]),
            index("collection_steps", &["position"]),
            // Each step happens at most once per invoice, however often the run repeats.
            unique_index("collection_actions", &["invoice_id", "step_id"]),
            unique_index("collection_tasks", &["dedupe_key"]),
            index("collection_tasks", &["status", "assignee_role"]),
            index("collection_tasks", &["customer_id"]),
            unique_index("holidays", &["holiday"]),
            index("disputes", &["invoice_id"]),
            index("disputes", &["status"]),
            index("disputes", &["customer_id"]),
            index("dispute_evidence", &["dispute_id"]),
            unique_index("credit_memos", &["legal_entity", "number"]),
            index("credit_memos", &["invoice_id"]),
            index("credit_memos", &["status"]),
            index("write_offs", &["invoice_id"]),
            unique_index("bank_receipts", &["fingerprint"]),
            index("bank_receipts", &["status"]),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        // Invoices issued before this migration enter the AR history as the services would have
        // written it: the issue, and the void where there was one (nothing was paid before).
        for statement in [
            "INSERT INTO ar_movements (invoice_id, customer_id, currency, kind, amount_minor, movement_date, invoice_date, due_date, source_id, created_at) \
             SELECT id, customer_id, currency, 'issue', total_minor, issue_date, invoice_date, COALESCE(due_date, invoice_date), NULL, COALESCE(issued_at, created_at) \
             FROM invoices WHERE issue_date IS NOT NULL AND total_minor <> 0",
            "INSERT INTO ar_movements (invoice_id, customer_id, currency, kind, amount_minor, movement_date, invoice_date, due_date, source_id, created_at) \
             SELECT i.id, i.customer_id, i.currency, 'void', -i.total_minor, j.entry_date, i.invoice_date, COALESCE(i.due_date, i.invoice_date), NULL, j.posted_at \
             FROM invoices i JOIN journal_entries j ON j.id = i.void_journal_entry_id \
             WHERE i.status = 'void' AND i.issue_date IS NOT NULL AND i.total_minor <> 0",
            "UPDATE invoices SET settled_on = (SELECT j.entry_date FROM journal_entries j WHERE j.id = invoices.void_journal_entry_id) \
             WHERE status = 'void' AND void_journal_entry_id IS NOT NULL",
            "UPDATE invoices SET settled_on = issue_date WHERE issue_date IS NOT NULL AND total_minor = 0",
            "INSERT INTO ar_aging_cells (basis, currency, aged_from, movement_date, amount_minor, open_count) \
             SELECT 'invoice', currency, invoice_date, movement_date, SUM(amount_minor), SUM(CASE WHEN kind = 'issue' THEN 1 ELSE -1 END) \
             FROM ar_movements GROUP BY currency, invoice_date, movement_date",
            "INSERT INTO ar_aging_cells (basis, currency, aged_from, movement_date, amount_minor, open_count) \
             SELECT 'due', currency, due_date, movement_date, SUM(amount_minor), SUM(CASE WHEN kind = 'issue' THEN 1 ELSE -1 END) \
             FROM ar_movements GROUP BY currency, due_date, movement_date",
        ] {
            manager.get_connection().execute_unprepared(statement).await?;
        }
        // Pending approvals: one per kind and subject (a customer's limit, an invoice's credit
        // memo or write-off), replacing the one-per-customer-and-kind rule of the foundation.
        let connection = manager.get_connection();
        connection
            .execute_unprepared("DROP INDEX ux_approvals_one_pending")
            .await?;
        connection
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_approvals_one_pending ON approvals (customer_id, kind, subject_key) WHERE status = 'pending'",
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
