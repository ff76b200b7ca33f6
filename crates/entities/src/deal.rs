//! Table `deals`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub crm_opportunity_id: String,
    pub customer_id: Option<i64>,
    pub invoiced_legal_entity: Option<String>,
    pub billing_contact_json: Option<String>,
    pub product_name: Option<String>,
    pub tcv_minor: Option<i64>,
    pub arr_minor: Option<i64>,
    pub billing_currency: Option<String>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub billing_frequency: Option<String>,
    pub payment_terms: Option<String>,
    pub po_required: bool,
    pub po_number: Option<String>,
    pub tax_jurisdiction: Option<String>,
    pub tax_exempt: bool,
    pub tax_exemption_certificate: Option<String>,
    pub revenue_recognition_type: Option<String>,
    pub milestones_json: String,
    /// The deal's lines (`DealLine` as stored JSON); empty for a one-product deal.
    pub lines_json: String,
    pub assigned_ae_id: Option<i64>,
    pub commission_plan_id: Option<String>,
    pub status: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub approved_at: Option<DateTimeUtc>,
    pub approved_by: Option<i64>,
    pub approve_idempotency_key: Option<String>,
    /// The import that brought the deal over (its commission was paid in the old tool).
    pub import_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
