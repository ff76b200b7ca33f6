//! Cancellation credits that no later invoice absorbs become credit memos at once: each such
//! memo names the billing charge it settles, and the unique key (charge, invoice) makes a rerun
//! of the bill run, or two runs at once, issue it only once.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000001_billing_credits"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column("credit_memos", big_null("billing_charge_id")))
            .await?;
        manager
            .create_index(unique_index(
                "credit_memos",
                &["billing_charge_id", "invoice_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_credit_memos_billing_charge_id_invoice_id")
                    .table(Alias::new("credit_memos"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("credit_memos"))
                    .drop_column(Alias::new("billing_charge_id"))
                    .to_owned(),
            )
            .await
    }
}
