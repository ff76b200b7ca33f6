//! Contracts brought over from the old system at cut-over (issue 15 §2): the deal and contract
//! remember the import that brought them (`import_id`) and the contract its cut-over date
//! (`brought_over_on`); each line remembers the last day the old system already invoiced
//! (`billed_through`), so billing resumes after it and never bills a period twice. Signed
//! contracts and SOWs keep their PDF in `contract_documents`.

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
            .await?;
        manager
            .create_table(
                table("contract_documents")
                    .col(id("id"))
                    .col(big("contract_id"))
                    .col(code("file_name", 200))
                    .col(code("content_type", 64))
                    .col(big("file_bytes"))
                    .col(code("file_sha256", 64))
                    .col(ColumnDef::new(Alias::new("content")).blob().not_null())
                    .col(big("uploaded_by"))
                    .col(instant("uploaded_at"))
                    .foreign_key(&mut fk(
                        "contract_documents",
                        "contract_id",
                        "contracts",
                        "id",
                    ))
                    .foreign_key(&mut fk("contract_documents", "uploaded_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("contract_documents", &["contract_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("contract_documents"))
                    .to_owned(),
            )
            .await?;
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
