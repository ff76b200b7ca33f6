//! Plan changes (issue 20): a line changed to another product, price, quantity or billing
//! period is replaced by a new line from the change date. `billing_anchor` is the day the new
//! line's periods are counted from — the old line's — so it is co-termed with the contract's
//! anniversary and its first period is the stub to the old period's end; `replaces_line_id`
//! names the line it took over from, for the contract page and the invoice.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000007_plan_changes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column("contract_lines", date_null("billing_anchor")))
            .await?;
        manager
            .alter_table(add_column("contract_lines", big_null("replaces_line_id")))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["replaces_line_id", "billing_anchor"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("contract_lines"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
