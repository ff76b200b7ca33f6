//! Table `invoice_lines`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub invoice_id: i64,
    pub position: i32,
    pub charge_id: i64,
    pub active_charge_id: Option<i64>,
    pub contract_line_id: i64,
    pub kind: String,
    pub description: String,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub quantity: String,
    pub unit_price_minor: i64,
    pub amount_minor: i64,
    pub proration_note: Option<String>,
    pub tax_jurisdiction: String,
    pub tax_rate_percent: String,
    pub tax_label: String,
    pub tax_minor: i64,
    pub revenue_account: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
