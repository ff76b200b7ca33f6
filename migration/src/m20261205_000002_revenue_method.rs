//! The per-contract override of the company's ratable convention: a contract whose terms call
//! for another convention (daily, equal months, prorated months, half-month) records it here;
//! empty means the company setting applies.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000002_revenue_method"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column("contracts", code_null("revenue_method", 32)))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("contracts"))
                    .drop_column(Alias::new("revenue_method"))
                    .to_owned(),
            )
            .await
    }
}
