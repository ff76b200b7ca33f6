//! Contracts brought over from the old system at cut-over (issue 15 §2): the deal and contract
//! remember the import that brought them (`import_id`) and the contract its cut-over date
//! (`brought_over_on`); each line remembers the last day the old system already invoiced
//! (`billed_through`), so billing resumes after it and never bills a period twice.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000004_brought_over"
    }
}

const COLUMNS: [(&str, &str); 4] = [
    ("deals", "import_id"),
    ("contracts", "import_id"),
    ("contracts", "brought_over_on"),
    ("contract_lines", "billed_through"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column("deals", big_null("import_id")))
            .await?;
        manager
            .alter_table(add_column("contracts", big_null("import_id")))
            .await?;
        manager
            .alter_table(add_column("contracts", date_null("brought_over_on")))
            .await?;
        manager
            .alter_table(add_column("contract_lines", date_null("billed_through")))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
