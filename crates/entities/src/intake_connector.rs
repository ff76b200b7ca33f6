//! Table `intake_connectors`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intake_connectors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub secret_hash: String,
    pub organization_id: Option<String>,
    pub signing_secret: Option<String>,
    pub api_base_url: Option<String>,
    pub api_token: Option<String>,
    pub service_account_id: i64,
    pub mapping_json: String,
    pub paused: bool,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub last_event_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
