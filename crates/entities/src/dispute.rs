//! Table `disputes`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disputes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub invoice_id: i64,
    pub customer_id: i64,
    pub currency: String,
    pub reason_code: String,
    pub disputed_minor: i64,
    pub line_ids_json: String,
    pub customer_statement: String,
    pub status: String,
    pub opened_on: Date,
    pub opened_at: DateTimeUtc,
    pub opened_by: i64,
    pub review_due_at: DateTimeUtc,
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<i64>,
    pub review_note: Option<String>,
    pub late_alerted_at: Option<DateTimeUtc>,
    pub escalated_at: Option<DateTimeUtc>,
    pub closed_on: Option<Date>,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<i64>,
    pub resolution: Option<String>,
    pub credit_memo_id: Option<i64>,
    pub rebill_invoice_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
