//! Deal intake values: the parsed form, its enums, and the derived contract.

use crate::customers::{Contact, PaymentTerms};
use crate::money::{Currency, Money};
use async_graphql::Enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
pub enum BillingFrequency {
    Monthly,
    Quarterly,
    Annually,
    Milestone,
    TimeAndMaterials,
}

impl BillingFrequency {
    pub fn as_str(&self) -> &'static str {
        match self {
            BillingFrequency::Monthly => "monthly",
            BillingFrequency::Quarterly => "quarterly",
            BillingFrequency::Annually => "annually",
            BillingFrequency::Milestone => "milestone",
            BillingFrequency::TimeAndMaterials => "time_and_materials",
        }
    }

    pub fn parse(text: &str) -> Option<BillingFrequency> {
        [
            BillingFrequency::Monthly,
            BillingFrequency::Quarterly,
            BillingFrequency::Annually,
            BillingFrequency::Milestone,
            BillingFrequency::TimeAndMaterials,
        ]
        .into_iter()
        .find(|frequency| frequency.as_str() == text)
    }

    /// Billing periods in a year for recurring frequencies.
    pub fn periods_per_year(&self) -> Option<u32> {
        match self {
            BillingFrequency::Monthly => Some(12),
            BillingFrequency::Quarterly => Some(4),
            BillingFrequency::Annually => Some(1),
            BillingFrequency::Milestone | BillingFrequency::TimeAndMaterials => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
pub enum RevenueRecognitionType {
    Ratable,
    Milestone,
    TimeAndMaterials,
    PerpetualLicense,
}

impl RevenueRecognitionType {
    pub fn as_str(&self) -> &'static str {
        match self {
            RevenueRecognitionType::Ratable => "ratable",
            RevenueRecognitionType::Milestone => "milestone",
            RevenueRecognitionType::TimeAndMaterials => "time_and_materials",
            RevenueRecognitionType::PerpetualLicense => "perpetual_license",
        }
    }

    pub fn parse(text: &str) -> Option<RevenueRecognitionType> {
        [
            RevenueRecognitionType::Ratable,
            RevenueRecognitionType::Milestone,
            RevenueRecognitionType::TimeAndMaterials,
            RevenueRecognitionType::PerpetualLicense,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
pub enum ContractLineKind {
    Subscription,
    Milestone,
    TimeAndMaterials,
    PerpetualLicense,
    Usage,
}

impl ContractLineKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ContractLineKind::Subscription => "subscription",
            ContractLineKind::Milestone => "milestone",
            ContractLineKind::TimeAndMaterials => "time_and_materials",
            ContractLineKind::PerpetualLicense => "perpetual_license",
            ContractLineKind::Usage => "usage",
        }
    }

    pub fn parse(text: &str) -> Option<ContractLineKind> {
        [
            ContractLineKind::Subscription,
            ContractLineKind::Milestone,
            ContractLineKind::TimeAndMaterials,
            ContractLineKind::PerpetualLicense,
            ContractLineKind::Usage,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
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
}
