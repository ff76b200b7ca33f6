//! Table `line_deliveries`: one part of a perpetual licence's quantity delivered on a day.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "line_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contract_line_id: i64,
    pub quantity: String,
    pub delivered_on: Date,
    pub recorded_by: i64,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
