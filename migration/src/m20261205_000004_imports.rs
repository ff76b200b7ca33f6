//! Imports of the existing book at cut-over: the `imports` history (the uploaded file kept until it
//! is committed, its validation and preview, who committed it and when), customers' reference in
//! the system they come from, and the import an opening invoice came in with.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000004_imports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("imports")
                    .col(id("id"))
                    .col(code("kind", 32))
                    .col(text("file_name"))
                    .col(code("file_format", 8))
                    .col(code("file_sha256", 64))
                    .col(big("file_bytes"))
                    .col(code("status", 16))
                    .col(date_null("cutover_date"))
                    .col(big("row_count"))
                    .col(big("error_count"))
                    .col(text("errors_json"))
                    .col(text("preview_json"))
                    .col(
                        ColumnDef::new(Alias::new("content"))
                            .blob()
                            .null()
                            .to_owned(),
                    )
                    .col(big("uploaded_by"))
                    .col(instant("uploaded_at"))
                    .col(big_null("committed_by"))
                    .col(instant_null("committed_at"))
                    // Set only when committed, and unique: one file of a kind is committed once.
                    .col(code_null("committed_key", 100))
                    .col(text_null("result_json"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("imports", &["committed_key"]))
            .await?;
        manager
            .create_index(index("imports", &["uploaded_at"]))
            .await?;
        manager
            .alter_table(add_column("customers", code_null("external_ref", 100)))
            .await?;
        manager
            .create_index(unique_index("customers", &["external_ref"]))
            .await?;
        manager
            .alter_table(add_column("invoices", big_null("import_id")))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [("invoices", "import_id"), ("customers", "external_ref")] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Alias::new("imports")).to_owned())
            .await
    }
}
