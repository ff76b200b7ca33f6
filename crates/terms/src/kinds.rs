//! What a contract line is: its kind, how often it bills and how its revenue is recognised, as
//! the deal form, billing and revenue all name them.

use async_graphql::Enum;
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

    /// The billing frequency a line of this kind bills at: a subscription's own (monthly,
    /// quarterly or annually, which it must have), the fixed one of milestones and T&M, none for
    /// a licence or usage. The error is the message for the frequency field.
    pub fn frequency_for(
        &self,
        given: Option<BillingFrequency>,
    ) -> Result<Option<BillingFrequency>, &'static str> {
        match self {
            ContractLineKind::Subscription => given
                .filter(|frequency| frequency.periods_per_year().is_some())
                .map(Some)
                .ok_or("A subscription bills monthly, quarterly or annually."),
            ContractLineKind::Milestone => Ok(Some(BillingFrequency::Milestone)),
            ContractLineKind::TimeAndMaterials => Ok(Some(BillingFrequency::TimeAndMaterials)),
            ContractLineKind::PerpetualLicense | ContractLineKind::Usage => Ok(None),
        }
    }

    /// How revenue is recognised for a line of this kind, as the deal form names it.
    pub fn recognition(&self) -> Option<RevenueRecognitionType> {
        match self {
            ContractLineKind::Subscription => Some(RevenueRecognitionType::Ratable),
            ContractLineKind::Milestone => Some(RevenueRecognitionType::Milestone),
            ContractLineKind::TimeAndMaterials => Some(RevenueRecognitionType::TimeAndMaterials),
            ContractLineKind::PerpetualLicense => Some(RevenueRecognitionType::PerpetualLicense),
            ContractLineKind::Usage => None,
        }
    }
}
