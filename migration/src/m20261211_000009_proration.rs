//! Proration conventions (issue 20): each contract line bills parts of periods by its contract's
//! convention — actual days, 30-day months or whole periods — stamped from the company's setting
//! (`company_settings` key `billing.proration`) when the line is written, so a later change of
//! the company's setting never re-prices what was sold. Existing lines keep today's rule.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000009_proration"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column(
                "contract_lines",
                code("proration", 24).default("actual_days").to_owned(),
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("contract_lines"))
                    .drop_column(Alias::new("proration"))
                    .to_owned(),
            )
            .await
    }
}
