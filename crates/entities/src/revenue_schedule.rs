//! Table `revenue_schedule`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revenue_schedule")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub obligation_id: i64,
    pub contract_id: i64,
    pub currency: String,
    pub stream_account: String,
    pub kind: String,
    pub source_key: String,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub recognise_on: Option<Date>,
    pub amount_minor: i64,
    pub status: String,
    pub run_id: Option<i64>,
    pub recognised_period: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
