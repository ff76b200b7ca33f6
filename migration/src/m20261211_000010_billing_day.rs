//! A contract's billing day (issue 20, "a chosen billing day separate from the start date"): the
//! day of the month its subscription lines bill on, kept on the contract so lines added mid-term
//! bill on it too. Each subscription line's periods are counted from `billing_anchor`, which the
//! billing day sets; empty while the contract bills each line from its own start date.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000010_billing_day"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(crate::columns::add_column(
                "contracts",
                ColumnDef::new(Alias::new("billing_day"))
                    .integer()
                    .null()
                    .to_owned(),
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("contracts"))
                    .drop_column(Alias::new("billing_day"))
                    .to_owned(),
            )
            .await
    }
}
