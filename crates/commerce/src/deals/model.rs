//! Deal intake values: the parsed form, its enums, and the derived contract.

use crate::customers::{Contact, PaymentTerms};
use crate::money::{Currency, Money};
use async_graphql::Enum;
use chrono::NaiveDate;
pub use revops_terms::discount::LineDiscount;
pub use revops_terms::kinds::{BillingFrequency, ContractLineKind, RevenueRecognitionType};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
pub enum DealStatus {
    Draft,
    Approved,
}

impl DealStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            DealStatus::Draft => "draft",
            DealStatus::Approved => "approved",
        }
    }

    pub fn parse(text: &str) -> Option<DealStatus> {
        [DealStatus::Draft, DealStatus::Approved]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// One line of a deal: a product sold at a quantity and a unit price. A deal with lines becomes
/// a contract with one line per deal line, and its product, TCV and ARR are computed from them
/// (`deals::lines`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealLine {
    pub product_name: String,
    /// What is sold; `None` until someone says what a CRM's one-time line is (the checklist
    /// asks). Usage lines are added to the contract after approval, with their pricing.
    pub kind: Option<ContractLineKind>,
    pub quantity: Decimal,
    /// A subscription's price of one unit per billing period; otherwise the price of one unit
    /// (a licence, a milestone, an hour of T&M).
    pub unit_price: Money,
    /// A subscription's frequency; `None` for other kinds.
    pub billing_frequency: Option<BillingFrequency>,
    /// When absent, the deal's start date.
    pub start_date: Option<NaiveDate>,
    /// When absent, the deal's end date; a milestone's due date.
    pub end_date: Option<NaiveDate>,
    /// The CRM's id of the line item it came from.
    pub reference: Option<String>,
    /// A recurring discount (subscriptions only), carried onto the contract line.
    pub discount: Option<LineDiscount>,
    /// A free trial: the line is free from its start until this day, when it converts to paid.
    pub trial_ends_on: Option<NaiveDate>,
}

/// A deal line as kept in `deals.lines_json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredDealLine {
    pub product_name: String,
    pub kind: Option<String>,
    pub quantity: String,
    pub unit_price_minor: i64,
    pub currency: String,
    pub billing_frequency: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<LineDiscount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_ends_on: Option<NaiveDate>,
}

impl From<&DealLine> for StoredDealLine {
    fn from(line: &DealLine) -> StoredDealLine {
        StoredDealLine {
            product_name: line.product_name.clone(),
            kind: line.kind.map(|kind| kind.as_str().to_string()),
            quantity: line.quantity.normalize().to_string(),
            unit_price_minor: line.unit_price.minor(),
            currency: line.unit_price.currency().code().to_string(),
            billing_frequency: line
                .billing_frequency
                .map(|frequency| frequency.as_str().to_string()),
            start_date: line.start_date,
            end_date: line.end_date,
            reference: line.reference.clone(),
            discount: line.discount.clone(),
            trial_ends_on: line.trial_ends_on,
        }
    }
}

impl StoredDealLine {
    /// The line, or what in it is not a value revops writes.
    pub fn read(&self) -> Result<DealLine, String> {
        let currency = Currency::parse(&self.currency).map_err(|error| error.to_string())?;
        Ok(DealLine {
            product_name: self.product_name.clone(),
            kind: match self.kind.as_deref() {
                Some(text) => {
                    Some(ContractLineKind::parse(text).ok_or_else(|| format!("line kind {text}"))?)
                }
                None => None,
            },
            quantity: self
                .quantity
                .parse()
                .map_err(|_| format!("quantity {}", self.quantity))?,
            unit_price: Money::from_minor(self.unit_price_minor, currency),
            billing_frequency: match self.billing_frequency.as_deref() {
                Some(text) => {
                    Some(BillingFrequency::parse(text).ok_or_else(|| format!("frequency {text}"))?)
                }
                None => None,
            },
            start_date: self.start_date,
            end_date: self.end_date,
            reference: self.reference.clone(),
            discount: self.discount.clone(),
            trial_ends_on: self.trial_ends_on,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Milestone {
    pub name: String,
    pub due_date: Option<NaiveDate>,
    pub amount_minor: i64,
    pub currency: String,
}

impl Milestone {
    pub fn amount(&self) -> Option<Money> {
        Currency::parse(&self.currency)
            .ok()
            .map(|currency| Money::from_minor(self.amount_minor, currency))
    }
}

/// The intake form after parsing: every value well-formed, any of them possibly missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealDraft {
    pub crm_opportunity_id: String,
    pub customer_id: Option<i64>,
    pub invoiced_legal_entity: Option<String>,
    pub billing_contact: Option<Contact>,
    pub product_name: Option<String>,
    pub tcv: Option<Money>,
    pub arr: Option<Money>,
    pub billing_currency: Option<Currency>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub billing_frequency: Option<BillingFrequency>,
    pub payment_terms: Option<PaymentTerms>,
    pub po_required: bool,
    pub po_number: Option<String>,
    pub tax_jurisdiction: Option<String>,
    pub tax_exempt: bool,
    pub tax_exemption_certificate: Option<String>,
    pub revenue_recognition_type: Option<RevenueRecognitionType>,
    pub milestones: Vec<Milestone>,
    /// The products sold, when the deal sells more than one thing (or seats × a unit price);
    /// empty for a deal typed as one product with its TCV and ARR.
    pub lines: Vec<DealLine>,
    pub assigned_ae_id: Option<i64>,
    pub commission_plan_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deal {
    pub id: i64,
    pub draft: DealDraft,
    pub status: DealStatus,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub approved_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractLineDraft {
    pub product_name: String,
    pub kind: ContractLineKind,
    /// Decimal text, so quantities like 12.5 hours stay exact.
    pub quantity: String,
    pub unit_price: Money,
    pub billing_frequency: Option<BillingFrequency>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// A recurring discount on a subscription line.
    pub discount: Option<LineDiscount>,
    /// A free trial's first day; `start_date` is then the day the line converts to paid.
    pub trial_from: Option<NaiveDate>,
}
