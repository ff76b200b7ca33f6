//! Table `ledger_export_entries`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_export_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub export_id: i64,
    pub destination: String,
    pub entry_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
