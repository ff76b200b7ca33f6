//! Table `customers`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub legal_name: String,
    pub billing_address_json: String,
    pub remit_to_address_json: String,
    pub tax_registration_number: Option<String>,
    pub billing_contact_json: String,
    pub payment_method_kind: Option<String>,
    pub payment_method_masked: Option<String>,
    pub credit_limit_minor: i64,
    pub payment_terms: String,
    pub billing_currency: String,
    pub has_paid_invoice: bool,
    pub prior_late_payer: bool,
    pub on_credit_hold: bool,
    pub credit_hold_reason: Option<String>,
    pub credit_hold_since: Option<DateTimeUtc>,
    pub credit_hold_source: Option<String>,
    pub on_watch: bool,
    pub account_manager_id: Option<i64>,
    pub watch_since: Option<Date>,
    pub external_ref: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
