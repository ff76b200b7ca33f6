//! Table `commission_payouts`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commission_payouts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period: String,
    pub payout_date: Date,
    pub lines: i32,
    pub totals_json: String,
    pub idempotency_key: String,
    pub approved_by: i64,
    pub approved_at: DateTimeUtc,
    pub journal_entries_json: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
