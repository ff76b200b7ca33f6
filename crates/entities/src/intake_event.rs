//! Table `intake_events`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intake_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub connector: String,
    pub event_id: String,
    pub opportunity_id: Option<String>,
    pub payload: String,
    pub status: String,
    pub deal_id: Option<i64>,
    pub outcome: String,
    pub received_by: Option<i64>,
    pub received_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
