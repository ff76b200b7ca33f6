//! Table `contract_documents`: the signed contract or SOW, as a PDF, kept with its contract.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contract_documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contract_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub file_bytes: i64,
    pub file_sha256: String,
    pub content: Vec<u8>,
    pub uploaded_by: i64,
    pub uploaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
