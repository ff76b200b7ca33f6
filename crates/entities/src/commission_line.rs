//! Table `commission_lines`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commission_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period: String,
    pub user_id: i64,
    pub plan_code: String,
    pub plan_version: i32,
    pub component: String,
    pub kind: String,
    pub source_key: String,
    pub deal_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub business: Option<String>,
    pub metric: String,
    pub metric_minor: i64,
    pub split_bp: i32,
    pub credited_minor: i64,
    pub tier: String,
    pub rate: String,
    pub amount_minor: i64,
    pub currency: String,
    pub explanation: String,
    pub cause_type: Option<String>,
    pub cause_id: Option<i64>,
    pub reverses_line_id: Option<i64>,
    pub capitalised: bool,
    pub amortise_from: Option<Date>,
    pub amortise_months: i32,
    pub accrued_minor: i64,
    pub amortised_minor: i64,
    pub status: String,
    pub payout_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
