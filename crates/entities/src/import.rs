//! Table `imports`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub file_format: String,
    pub file_sha256: String,
    pub file_bytes: i64,
    pub status: String,
    pub cutover_date: Option<Date>,
    pub row_count: i64,
    pub error_count: i64,
    pub errors_json: String,
    pub preview_json: String,
    pub content: Option<Vec<u8>>,
    pub uploaded_by: i64,
    pub uploaded_at: DateTimeUtc,
    pub committed_by: Option<i64>,
    pub committed_at: Option<DateTimeUtc>,
    pub committed_key: Option<String>,
    pub result_json: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
