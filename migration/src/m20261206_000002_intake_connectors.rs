//! CRM connectors: one per CRM org that pushes closed-won deals to revops (Salesforce outbound
//! messages, HubSpot webhooks), with its URL secret (kept as a SHA-256), the org it must come from, the
//! service account it acts as, its field mapping, and whether it is paused.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000002_intake_connectors"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("intake_connectors")
                    .col(id("id"))
                    .col(code("name", 64))
                    .col(code("kind", 16))
                    .col(code("secret_hash", 64))
                    .col(code_null("organization_id", 32))
                    // HubSpot: the app's client secret (HMAC key of its signatures, so kept as
                    // given), the CRM API's base URL and the private-app token it is read with.
                    .col(text_null("signing_secret"))
                    .col(text_null("api_base_url"))
                    .col(text_null("api_token"))
                    .col(big("service_account_id"))
                    .col(text("mapping_json"))
                    .col(flag("paused"))
                    .col(big("created_by"))
                    .col(instant("created_at"))
                    .col(instant_null("last_event_at"))
                    .foreign_key(&mut fk(
                        "intake_connectors",
                        "service_account_id",
                        "service_accounts",
                        "id",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("intake_connectors", &["name"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("intake_connectors"))
                    .to_owned(),
            )
            .await
    }
}
