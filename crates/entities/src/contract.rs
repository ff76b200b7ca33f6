//! Table `contracts`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "contracts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contract_number: String,
    pub deal_id: i64,
    pub customer_id: i64,
    pub start_date: Date,
    pub end_date: Date,
    pub tcv_minor: i64,
    pub arr_minor: i64,
    pub currency: String,
    pub created_at: DateTimeUtc,
    pub uplift_percent: String,
    pub renewed_from_id: Option<i64>,
    /// The contract's ratable convention when it overrides the company's (`RatableMethod`).
    pub revenue_method: Option<String>,
    /// The import that brought the contract over from the old system, if one did.
    pub import_id: Option<i64>,
    /// The cut-over date as of which a brought-over contract's balances were stated.
    pub brought_over_on: Option<Date>,
    /// Who owns the renewal when not the deal's AE (set by a renewal schedule import).
    pub renewal_owner_id: Option<i64>,
    /// The day of the month the contract's subscription lines bill on; empty while each bills
    /// from its own start date.
    pub billing_day: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
