//! Table `webhook_endpoints`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub url: String,
    pub description: String,
    /// Comma-separated event type codes, e.g. "invoice.issued,invoice.paid".
    pub event_types: String,
    pub secret: String,
    pub enabled: bool,
    pub consecutive_failures: i32,
    pub disabled_at: Option<DateTimeUtc>,
    pub disabled_reason: Option<String>,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
