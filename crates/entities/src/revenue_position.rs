//! Table `revenue_positions`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revenue_positions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub contract_id: i64,
    pub currency: String,
    pub billed_minor: i64,
    pub recognised_minor: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
