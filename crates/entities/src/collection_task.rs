//! Table `collection_tasks`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "collection_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub dedupe_key: String,
    pub customer_id: i64,
    pub invoice_id: Option<i64>,
    pub dispute_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub assignee_role: String,
    pub assignee_id: Option<i64>,
    pub due_on: Date,
    pub status: String,
    pub done_by: Option<i64>,
    pub done_at: Option<DateTimeUtc>,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
