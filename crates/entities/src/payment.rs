//! Table `payments`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    pub currency: String,
    pub method: String,
    pub amount_minor: i64,
    pub received_on: Date,
    pub reference: String,
    pub idempotency_key: String,
    pub request_json: String,
    pub applied_minor: i64,
    pub unapplied_minor: i64,
    pub journal_entry_id: Option<i64>,
    pub bank_receipt_id: Option<i64>,
    pub recorded_by: i64,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
