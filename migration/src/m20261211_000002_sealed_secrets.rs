//! Webhook signing secrets are stored encrypted (`secrets::SecretBox`: a prefix and the base64 of
//! nonce, ciphertext and tag), longer than the 128 characters the column allowed. PostgreSQL
//! enforces the length, so the column becomes text there; SQLite never enforced it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000002_sealed_secrets"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("webhook_endpoints"))
                    .modify_column(ColumnDef::new(Alias::new("secret")).text().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("webhook_endpoints"))
                    .modify_column(
                        ColumnDef::new(Alias::new("secret"))
                            .string_len(128)
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }
}
