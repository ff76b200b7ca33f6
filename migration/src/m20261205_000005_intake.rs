//! CRM intake: every closed-won notification kept raw in an inbox (unique per connector and event
//! id, so a CRM's retries are recognised) with what processing made of it, and the amendments a
//! CRM sends for deals already approved, waiting for VP RevOps.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000005_intake"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("intake_events")
                    .col(id("id"))
                    .col(code("connector", 64))
                    .col(code("event_id", 200))
                    .col(code_null("opportunity_id", 200))
                    .col(text("payload"))
                    .col(code("status", 16))
                    .col(big_null("deal_id"))
                    .col(text("outcome"))
                    .col(big_null("received_by"))
                    .col(instant("received_at"))
                    .col(instant_null("processed_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("intake_events", &["connector", "event_id"]))
            .await?;
        manager
            .create_index(index("intake_events", &["opportunity_id"]))
            .await?;
        manager
            .create_table(
                table("deal_amendments")
                    .col(id("id"))
                    .col(big("deal_id"))
                    .col(big("intake_event_id"))
                    .col(text("changes_json"))
                    .col(code("status", 16))
                    .col(text_null("resolution_note"))
                    .col(big_null("resolved_by"))
                    .col(instant_null("resolved_at"))
                    .col(instant("created_at"))
                    .foreign_key(&mut fk("deal_amendments", "deal_id", "deals", "id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("deal_amendments", &["status"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["deal_amendments", "intake_events"] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
