//! Table `coupons`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coupons")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Upper case, unique.
    pub code: String,
    pub label: String,
    /// Percent off as decimal text; or `amount_minor` in `currency`.
    pub percent: Option<String>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    /// Periods the discount lasts; `None`: for as long as the line runs.
    pub periods: Option<i64>,
    /// Last day it can be applied or redeemed.
    pub expires_on: Option<Date>,
    pub redemption_limit: Option<i64>,
    pub redeemed: i32,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    /// When it stopped taking redemptions; lines that carry it keep their discount.
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
