//! Table `timesheet_entries`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "timesheet_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contract_line_id: i64,
    pub person: String,
    pub role: String,
    pub work_date: Date,
    pub hours: String,
    pub rate_minor: i64,
    pub currency: String,
    pub description: String,
    pub status: String,
    pub submitted_by: Option<i64>,
    pub submitted_at: DateTimeUtc,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
