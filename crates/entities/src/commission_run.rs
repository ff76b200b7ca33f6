//! Table `commission_runs`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commission_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period: String,
    pub as_of: Date,
    pub due_on: Date,
    pub lines: i32,
    pub changed: i32,
    pub entries: i32,
    pub totals_json: String,
    pub warnings_json: String,
    pub run_by: Option<i64>,
    pub ran_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
