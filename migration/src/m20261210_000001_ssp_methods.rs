//! How a standalone selling price was estimated (issue 16, ASC 606-10-32-33/34): the SSP table
//! keeps each entry's method — an observable price or range, an adjusted market assessment,
//! expected cost plus a margin (`cost_minor`, `margin_bp`), or the residual approach — and each
//! performance obligation remembers whether its SSP is the residual, with the range of prices
//! observed for it (`residual_low_minor`/`residual_high_minor`) that the residual must fall in.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261210_000001_ssp_methods"
    }
}

const COLUMNS: [(&str, &str); 6] = [
    ("ssp_prices", "method"),
    ("ssp_prices", "cost_minor"),
    ("ssp_prices", "margin_bp"),
    ("performance_obligations", "ssp_method"),
    ("performance_obligations", "residual_low_minor"),
    ("performance_obligations", "residual_high_minor"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column(
                "ssp_prices",
                code("method", 32).default("observable").to_owned(),
            ))
            .await?;
        manager
            .alter_table(add_column("ssp_prices", big_null("cost_minor")))
            .await?;
        manager
            .alter_table(add_column("ssp_prices", big_null("margin_bp")))
            .await?;
        manager
            .alter_table(add_column(
                "performance_obligations",
                code("ssp_method", 32).default("observable").to_owned(),
            ))
            .await?;
        manager
            .alter_table(add_column(
                "performance_obligations",
                big_null("residual_low_minor"),
            ))
            .await?;
        manager
            .alter_table(add_column(
                "performance_obligations",
                big_null("residual_high_minor"),
            ))
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
