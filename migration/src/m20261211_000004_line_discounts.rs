//! Recurring discounts on contract lines (issue 20): a percent or an amount off each period, for
//! a number of periods or for as long as the line runs, kept with the line as JSON (the shape of
//! `revops_terms::discount::LineDiscount`) like its usage pricing. A line without one is billed
//! as before.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000004_line_discounts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column("contract_lines", text_null("discount_json")))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("contract_lines"))
                    .drop_column(Alias::new("discount_json"))
                    .to_owned(),
            )
            .await
    }
}
