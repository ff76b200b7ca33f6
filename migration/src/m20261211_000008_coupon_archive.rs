//! Archiving a coupon (issue 20): an archived coupon takes no new redemptions — deals entered or
//! approved from then on are refused it — while lines that already carry its discount keep it.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000008_coupon_archive"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column("coupons", instant_null("archived_at")))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("coupons"))
                    .drop_column(Alias::new("archived_at"))
                    .to_owned(),
            )
            .await
    }
}
