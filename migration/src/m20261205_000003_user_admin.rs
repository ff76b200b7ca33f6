//! User administration: an account can be deactivated (kept for the audit trail, refused at
//! sign-in and for every token) and its tokens revoked by bumping `token_version`, which every
//! token carries and must match (sign-out and deactivation bump it).

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000003_user_admin"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(add_column("users", instant_null("deactivated_at")))
            .await?;
        manager
            .alter_table(add_column("users", int("token_version")))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["token_version", "deactivated_at"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("users"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
