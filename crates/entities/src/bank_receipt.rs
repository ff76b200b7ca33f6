//! Table `bank_receipts`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bank_receipts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub fingerprint: String,
    pub batch: String,
    pub row_no: i32,
    pub received_on: Date,
    pub amount_minor: i64,
    pub currency: String,
    pub payer: String,
    pub reference: String,
    pub status: String,
    pub proposed_customer_id: Option<i64>,
    pub proposed_invoice_ids: String,
    pub proposal_basis: Option<String>,
    pub proposal_explanation: Option<String>,
    pub payment_id: Option<i64>,
    pub imported_by: i64,
    pub imported_at: DateTimeUtc,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
