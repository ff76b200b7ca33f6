//! Subscription fees billed in arrears (issue 20, "subscription fees in advance or in arrears per
//! line"): a line so flagged bills each period on the day after it ends instead of on its first
//! day; its mid-period changes are billed with it. Existing lines stay billed in advance.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000011_in_arrears"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column("contract_lines", flag("billed_in_arrears")))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("contract_lines"))
                    .drop_column(Alias::new("billed_in_arrears"))
                    .to_owned(),
            )
            .await
    }
}
