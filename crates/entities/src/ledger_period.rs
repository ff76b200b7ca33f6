//! Table `ledger_periods`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_periods")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub period: String,
    pub status: String,
    pub closed_by: Option<i64>,
    pub closed_at: Option<DateTimeUtc>,
    pub reopened_by: Option<i64>,
    pub reopened_at: Option<DateTimeUtc>,
    pub reopen_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
