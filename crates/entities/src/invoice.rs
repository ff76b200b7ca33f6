//! Table `invoices`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: Option<String>,
    pub batch_key: String,
    pub legal_entity: String,
    pub customer_id: i64,
    pub contract_id: Option<i64>,
    pub currency: String,
    pub status: String,
    pub invoice_date: Date,
    pub issue_date: Option<Date>,
    pub due_date: Option<Date>,
    pub payment_terms: String,
    pub po_number: Option<String>,
    pub purchase_order_id: Option<i64>,
    pub tax_exemption_certificate: Option<String>,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub credited_minor: i64,
    pub written_off_minor: i64,
    pub settled_on: Option<Date>,
    pub blocked_field: Option<String>,
    pub blocked_reason: Option<String>,
    pub functional_currency: String,
    pub fx_rate: Option<String>,
    pub functional_total_minor: Option<i64>,
    pub journal_entry_id: Option<i64>,
    pub issued_by: Option<i64>,
    pub issued_at: Option<DateTimeUtc>,
    pub voided_by: Option<i64>,
    pub voided_at: Option<DateTimeUtc>,
    pub void_reason: Option<String>,
    pub void_journal_entry_id: Option<i64>,
    pub import_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
