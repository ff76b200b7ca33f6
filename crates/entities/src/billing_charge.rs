//! Table `billing_charges`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_charges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contract_line_id: i64,
    pub charge_key: String,
    pub contract_id: i64,
    pub customer_id: i64,
    pub kind: String,
    pub description: String,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub quantity: String,
    pub unit_price_minor: i64,
    pub amount_minor: i64,
    pub currency: String,
    pub proration_note: Option<String>,
    pub due_on: Date,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
