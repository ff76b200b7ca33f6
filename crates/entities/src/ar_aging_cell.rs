//! Table `ar_aging_cells`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ar_aging_cells")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub basis: String,
    pub currency: String,
    pub aged_from: Date,
    pub movement_date: Date,
    pub amount_minor: i64,
    pub open_count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
