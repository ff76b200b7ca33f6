//! Table `ledger_exports`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_exports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub destination: String,
    pub period: Option<String>,
    pub from_date: Date,
    pub to_date: Date,
    pub entry_count: i64,
    pub line_count: i64,
    pub totals_json: String,
    pub file_name: String,
    pub content: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
