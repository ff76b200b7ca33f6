//! Table `service_accounts`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The `users` row (kind `service_account`) that holds its name and role.
    pub user_id: i64,
    /// `rvk_<8 hex>`: shown in lists and audit labels, and how a presented key is found.
    pub key_prefix: String,
    /// SHA-256 of the key's secret part, lowercase hex. The key itself is never stored.
    pub key_hash: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub revoked_by: Option<i64>,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
