//! Table `contract_lines`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contract_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contract_id: i64,
    pub product_name: String,
    pub kind: String,
    pub quantity: String,
    pub unit_price_minor: i64,
    pub currency: String,
    pub billing_frequency: Option<String>,
    pub start_date: Date,
    pub end_date: Date,
    pub alignment: String,
    pub delivered_at: Option<DateTimeUtc>,
    pub delivered_by: Option<i64>,
    pub accepted_at: Option<DateTimeUtc>,
    pub accepted_by: Option<i64>,
    pub acceptance_note: Option<String>,
    pub cancelled_on: Option<Date>,
    pub usage_pricing_json: Option<String>,
    /// The last service day the old system already invoiced (brought-over lines only).
    pub billed_through: Option<Date>,
    /// A recurring discount (`revops_terms::discount::LineDiscount` as JSON); subscriptions only.
    pub discount_json: Option<String>,
    /// A free trial's first day; the line's `start_date` is the day it converts to paid.
    pub trial_from: Option<Date>,
    /// The day the line's periods are counted from when it is not its start: a line that
    /// replaced another in a plan change keeps the old line's, so it stays co-termed.
    pub billing_anchor: Option<Date>,
    /// The line this one replaced in a plan change.
    pub replaces_line_id: Option<i64>,
    /// How a part of a period is billed (`ProrationConvention`): the contract's convention,
    /// stamped from the company's when the line was written.
    pub proration: String,
    /// A subscription billed in arrears: each period on the day after it ends.
    pub billed_in_arrears: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
