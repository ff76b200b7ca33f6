//! A contract modification recorded as one operation (issue 16): the revenue modification keeps
//! the changes it was asked to make (`changes_json`, in the canonical order they were applied)
//! and the idempotency key that makes a repeated request return the first result; each line
//! change remembers the modification that made it (`modification_id`). A perpetual licence
//! delivered in parts keeps each part in `line_deliveries` (quantity and the business date it
//! was delivered on), which billing charges and revenue recognises one by one.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261209_000001_contract_modifications"
    }
}

const COLUMNS: [(&str, &str); 3] = [
    ("revenue_modifications", "changes_json"),
    ("revenue_modifications", "idempotency_key"),
    ("contract_line_changes", "modification_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column(
                "revenue_modifications",
                text_null("changes_json"),
            ))
            .await?;
        manager
            .alter_table(add_column(
                "revenue_modifications",
                code_null("idempotency_key", 128),
            ))
            .await?;
        manager
            .create_index(unique_index("revenue_modifications", &["idempotency_key"]))
            .await?;
        manager
            .alter_table(add_column(
                "contract_line_changes",
                big_null("modification_id"),
            ))
            .await?;
        manager
            .create_table(
                table("line_deliveries")
                    .col(id("id"))
                    .col(big("contract_line_id"))
                    .col(code("quantity", 40))
                    .col(date("delivered_on"))
                    .col(big("recorded_by"))
                    .col(instant("recorded_at"))
                    .foreign_key(&mut fk(
                        "line_deliveries",
                        "contract_line_id",
                        "contract_lines",
                        "id",
                    ))
                    .foreign_key(&mut fk("line_deliveries", "recorded_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("line_deliveries", &["contract_line_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("line_deliveries"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_revenue_modifications_idempotency_key")
                    .table(Alias::new("revenue_modifications"))
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
