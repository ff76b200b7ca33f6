//! Service accounts: other systems (a CRM, an ERP, a script) call revops with an API key instead
//! of a person's sign-in. Each is a `users` row of kind `service_account` (so everything it writes
//! names it through the foreign keys every table already has) plus a `service_accounts` row with
//! the key's visible prefix, the SHA-256 of its secret (never the key), who created and revoked
//! it, and when it was last used.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000001_service_accounts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Every existing row is a person; only the service-account use case writes the other kind.
        manager
            .alter_table(add_column(
                "users",
                ColumnDef::new(Alias::new("kind"))
                    .string_len(32)
                    .not_null()
                    .default("person")
                    .to_owned(),
            ))
            .await?;
        manager
            .create_table(
                table("service_accounts")
                    .col(id("id"))
                    .col(big("user_id"))
                    .col(code("key_prefix", 32))
                    .col(code("key_hash", 64))
                    .col(big("created_by"))
                    .col(instant("created_at"))
                    .col(big_null("revoked_by"))
                    .col(instant_null("revoked_at"))
                    .col(instant_null("last_used_at"))
                    .foreign_key(&mut fk("service_accounts", "user_id", "users", "id"))
                    .foreign_key(&mut fk("service_accounts", "created_by", "users", "id"))
                    .foreign_key(&mut fk("service_accounts", "revoked_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("service_accounts", &["user_id"]))
            .await?;
        manager
            .create_index(unique_index("service_accounts", &["key_prefix"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("service_accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("users"))
                    .drop_column(Alias::new("kind"))
                    .to_owned(),
            )
            .await
    }
}
