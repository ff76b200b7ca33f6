//! Free trials (issue 20): a subscription line may start with a free trial; the line's own start
//! is the day it converts to paid (billing, MRR and revenue run from then, as for any line) and
//! `trial_from` keeps the trial's first day, for the contract page and the conversion alert its
//! owner gets a week before.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000006_trials"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column("contract_lines", date_null("trial_from")))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("contract_lines"))
                    .drop_column(Alias::new("trial_from"))
                    .to_owned(),
            )
            .await
    }
}
