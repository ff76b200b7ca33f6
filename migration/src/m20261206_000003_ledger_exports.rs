//! Exports of the ledger to the company's ERP (issue 15 §4): one `ledger_exports` row per batch
//! (destination, date range or closed period, who and when, counts, totals and the file itself,
//! so a re-download returns the same bytes) and one `ledger_export_entries` row per journal entry
//! sent, unique per destination, so no entry reaches the same ERP twice.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000003_ledger_exports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("ledger_exports")
                    .col(id("id"))
                    .col(code("destination", 16))
                    .col(code_null("period", 7))
                    .col(date("from_date"))
                    .col(date("to_date"))
                    .col(big("entry_count"))
                    .col(big("line_count"))
                    .col(text("totals_json"))
                    .col(code("file_name", 128))
                    .col(text("content"))
                    .col(big("created_by"))
                    .col(instant("created_at"))
                    .foreign_key(&mut fk("ledger_exports", "created_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("ledger_export_entries")
                    .col(id("id"))
                    .col(big("export_id"))
                    .col(code("destination", 16))
                    .col(big("entry_id"))
                    .foreign_key(&mut fk(
                        "ledger_export_entries",
                        "export_id",
                        "ledger_exports",
                        "id",
                    ))
                    .foreign_key(&mut fk(
                        "ledger_export_entries",
                        "entry_id",
                        "journal_entries",
                        "id",
                    ))
                    .to_owned(),
            )
            .await?;
        // The rule "each entry once per destination" is this key, so two exports racing on
        // several instances cannot both send an entry.
        manager
            .create_index(unique_index(
                "ledger_export_entries",
                &["destination", "entry_id"],
            ))
            .await?;
        manager
            .create_index(index("ledger_export_entries", &["export_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["ledger_export_entries", "ledger_exports"] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
