//! Table `ar_movements`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ar_movements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub invoice_id: i64,
    pub customer_id: i64,
    pub currency: String,
    pub kind: String,
    pub amount_minor: i64,
    pub movement_date: Date,
    pub invoice_date: Date,
    pub due_date: Date,
    pub source_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
