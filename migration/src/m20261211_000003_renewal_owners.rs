//! Who owns a contract's renewal (issue 15, the renewal schedules import): by default the AE of
//! the deal that sold it, as before; a renewal schedule (or VP RevOps) can hand it to someone
//! else — an account manager, another AE — without touching the deal, whose AE keeps the
//! commission credit. Indexed because an owner's book is read through it.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000003_renewal_owners"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column("contracts", big_null("renewal_owner_id")))
            .await?;
        manager
            .create_index(index("contracts", &["renewal_owner_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_contracts_renewal_owner_id")
                    .table(Alias::new("contracts"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("contracts"))
                    .drop_column(Alias::new("renewal_owner_id"))
                    .to_owned(),
            )
            .await
    }
}
