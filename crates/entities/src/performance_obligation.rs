//! Table `performance_obligations`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "performance_obligations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contract_id: i64,
    pub contract_line_id: i64,
    pub customer_id: i64,
    pub currency: String,
    pub pattern: String,
    pub stream_account: String,
    pub service_start: Date,
    pub service_end: Date,
    pub stated_minor: i64,
    pub ssp_minor: i64,
    pub ssp_source: String,
    pub carries_discount: bool,
    pub allocated_minor: i64,
    pub satisfied_on: Option<Date>,
    pub expected_on: Option<Date>,
    pub updated_at: DateTimeUtc,
    pub ssp_method: String,
    pub residual_low_minor: Option<i64>,
    pub residual_high_minor: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
