//! Outgoing webhooks (issue 15 §3): `webhook_endpoints` (an admin's URL, the event types it
//! subscribes to, its signing secret, whether it is enabled and how many attempts in a row
//! failed), `webhook_events` (each event once, with the JSON body every endpoint receives, written
//! in the transaction of the business change), `webhook_deliveries` (one event to one endpoint: the
//! outbox row a sender claims with a lease, as the mail outbox does) and `webhook_attempts` (the
//! delivery log: each HTTP attempt with its status code, duration and the start of the answer).

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000001_webhooks"
    }
}

fn endpoints() -> TableCreateStatement {
    table("webhook_endpoints")
        .col(id("id"))
        .col(text("url"))
        .col(text("description"))
        .col(text("event_types"))
        .col(code("secret", 128))
        .col(flag("enabled"))
        .col(int("consecutive_failures"))
        .col(instant_null("disabled_at"))
        .col(text_null("disabled_reason"))
        .col(instant_null("deleted_at"))
        .col(big("created_by"))
        .col(instant("created_at"))
        .col(instant("updated_at"))
        .foreign_key(&mut fk("webhook_endpoints", "created_by", "users", "id"))
        .to_owned()
}

fn events() -> TableCreateStatement {
    table("webhook_events")
        .col(id("id"))
        .col(code("event_id", 64))
        .col(code("event_type", 64))
        .col(text("payload"))
        .col(instant("created_at"))
        .to_owned()
}

fn deliveries() -> TableCreateStatement {
    table("webhook_deliveries")
        .col(id("id"))
        .col(big("endpoint_id"))
        .col(big("event_id"))
        .col(big_null("redelivery_of"))
        .col(code("status", 16))
        .col(int("attempts"))
        .col(instant("next_attempt_at"))
        .col(instant_null("lease_until"))
        .col(big_null("last_status_code"))
        .col(text_null("last_error"))
        .col(instant_null("delivered_at"))
        .col(instant("created_at"))
        .foreign_key(&mut fk(
            "webhook_deliveries",
            "endpoint_id",
            "webhook_endpoints",
            "id",
        ))
        .foreign_key(&mut fk(
            "webhook_deliveries",
            "event_id",
            "webhook_events",
            "id",
        ))
        .to_owned()
}

fn attempts() -> TableCreateStatement {
    table("webhook_attempts")
        .col(id("id"))
        .col(big("delivery_id"))
        .col(big("endpoint_id"))
        .col(int("attempt"))
        .col(code("outcome", 16))
        .col(big_null("status_code"))
        .col(big("duration_ms"))
        .col(text("response_excerpt"))
        .col(text_null("error"))
        .col(instant("attempted_at"))
        .foreign_key(&mut fk(
            "webhook_attempts",
            "delivery_id",
            "webhook_deliveries",
            "id",
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in [endpoints(), events(), deliveries(), attempts()] {
            manager.create_table(statement).await?;
        }
        manager
            .create_index(unique_index("webhook_events", &["event_id"]))
            .await?;
        // The sender's read: what is due, oldest first.
        manager
            .create_index(index("webhook_deliveries", &["status", "next_attempt_at"]))
            .await?;
        // The delivery log of one endpoint, newest first.
        manager
            .create_index(index("webhook_deliveries", &["endpoint_id", "id"]))
            .await?;
        manager
            .create_index(index("webhook_attempts", &["delivery_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "webhook_attempts",
            "webhook_deliveries",
            "webhook_events",
            "webhook_endpoints",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
