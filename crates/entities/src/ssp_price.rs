//! Table `ssp_prices`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ssp_prices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub product_name: String,
    pub currency: String,
    pub basis: String,
    pub low_minor: i64,
    pub high_minor: i64,
    pub effective_from: Date,
    pub method: String,
    pub cost_minor: Option<i64>,
    pub margin_bp: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
