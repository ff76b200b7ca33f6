//! Table `journal_entries`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journal_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub entry_number: String,
    pub entry_date: Date,
    pub memo: String,
    pub source: String,
    pub reverses_entry_id: Option<i64>,
    pub idempotency_key: Option<String>,
    pub posted_by: Option<i64>,
    pub posted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
