//! Table `credit_memos`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_memos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: Option<String>,
    pub legal_entity: String,
    pub invoice_id: i64,
    pub customer_id: i64,
    pub currency: String,
    pub status: String,
    pub reason: String,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub lines_json: String,
    pub settlement: String,
    pub to_invoice_minor: i64,
    pub to_credit_minor: i64,
    pub refunded_minor: i64,
    pub issue_date: Option<Date>,
    pub approval_id: Option<i64>,
    pub dispute_id: Option<i64>,
    pub requested_by: i64,
    pub requested_at: DateTimeUtc,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub comment: Option<String>,
    pub journal_entry_id: Option<i64>,
    /// The billing charge (a cancellation credit) this memo settles; `None` for requested memos.
    pub billing_charge_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
