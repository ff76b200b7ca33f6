//! Renewals and the dashboard: each renewal's status history and contact log, the renewal
//! alerts already sent (one per contract, mark and recipient, ever), in-app alerts, and the link
//! from a renewal term to the contract it renews.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000001_renewals"
    }
}

const TABLES: &[&str] = &[
    "user_alerts",
    "renewal_alerts",
    "renewal_contacts",
    "renewal_statuses",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The contract a renewal term renews; at most one renewal per contract.
        manager
            .alter_table(add_column("contracts", big_null("renewed_from_id")))
            .await?;
        let tables = [
            // Every status the owner set, newest last: the pipeline shows the latest.
            table("renewal_statuses")
                .col(id("id"))
                .col(big("contract_id"))
                .col(code("status", 8))
                .col(text_null("reason"))
                .col(big("set_by"))
                .col(instant("set_at"))
                .to_owned(),
            // Calls, e-mails and meetings with the customer about the renewal.
            table("renewal_contacts")
                .col(id("id"))
                .col(big("contract_id"))
                .col(code("kind", 8))
                .col(text("note"))
                .col(date("contacted_on"))
                .col(big("logged_by"))
                .col(instant("created_at"))
                .to_owned(),
            // The 90/60/30-day alerts sent: the unique key makes a rerun send nothing new.
            table("renewal_alerts")
                .col(id("id"))
                .col(big("contract_id"))
                .col(int("mark_days"))
                .col(big("recipient_id"))
                .col(code("status", 8))
                .col(date("business_date"))
                .col(instant("created_at"))
                .to_owned(),
            // In-app alerts, one per dedupe key, read or not.
            table("user_alerts")
                .col(id("id"))
                .col(big("user_id"))
                .col(code("kind", 32))
                .col(code("dedupe_key", 200))
                .col(text("title"))
                .col(text("body"))
                .col(text_null("link"))
                .col(instant("created_at"))
                .col(instant_null("read_at"))
                .to_owned(),
        ];
        for statement in tables {
            manager.create_table(statement).await?;
        }
        let indexes = [
            index("renewal_statuses", &["contract_id"]),
            index("renewal_contacts", &["contract_id"]),
            unique_index(
                "renewal_alerts",
                &["contract_id", "mark_days", "recipient_id"],
            ),
            unique_index("user_alerts", &["dedupe_key"]),
            index("user_alerts", &["user_id", "read_at"]),
            index("contracts", &["end_date"]),
            index("contracts", &["renewed_from_id"]),
            index("invoices", &["issue_date"]),
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
                    .table(Alias::new("contracts"))
                    .drop_column(Alias::new("renewed_from_id"))
                    .to_owned(),
            )
            .await
    }
}
