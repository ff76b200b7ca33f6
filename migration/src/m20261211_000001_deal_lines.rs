//! A deal's lines (issue 15): a deal can sell several products — seats at a unit price billed
//! monthly, a one-time licence, an onboarding milestone, hours of services — each becoming one
//! contract line at approval. They are part of the draft form, kept with it as JSON like its
//! milestones, and the deal's product, TCV and ARR are computed from them.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000001_deal_lines"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column(
                "deals",
                text("lines_json").default("[]").to_owned(),
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("deals"))
                    .drop_column(Alias::new("lines_json"))
                    .to_owned(),
            )
            .await
    }
}
