//! What a charge is for, which decides where its revenue goes when the invoice is issued.

use crate::ledger::chart;
use serde::Serialize;

/// What a charge is for; decides where its revenue goes when the invoice is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum ChargeKind {
    Subscription,
    Milestone,
    TimeAndMaterials,
    Usage,
    PerpetualLicense,
    /// A mid-term change: prorated seat difference or cancellation credit of a subscription.
    Adjustment,
    /// A recurring discount's line beside the period charge it reduces (negative).
    Discount,
}

impl ChargeKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ChargeKind::Subscription => "subscription",
            ChargeKind::Milestone => "milestone",
            ChargeKind::TimeAndMaterials => "time_and_materials",
            ChargeKind::Usage => "usage",
            ChargeKind::PerpetualLicense => "perpetual_license",
            ChargeKind::Adjustment => "adjustment",
            ChargeKind::Discount => "discount",
        }
    }

    pub fn parse(text: &str) -> Option<ChargeKind> {
        [
            ChargeKind::Subscription,
            ChargeKind::Milestone,
            ChargeKind::TimeAndMaterials,
            ChargeKind::Usage,
            ChargeKind::PerpetualLicense,
            ChargeKind::Adjustment,
            ChargeKind::Discount,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }

    /// The revenue stream the line's revenue is recognised into (the issue itself credits
    /// deferred revenue, or unbilled AR where revenue was recognised ahead of billing).
    pub fn revenue_account(&self) -> &'static str {
        match self {
            ChargeKind::Subscription | ChargeKind::Adjustment | ChargeKind::Discount => {
                chart::REVENUE_SUBSCRIPTION
            }
            ChargeKind::Milestone | ChargeKind::TimeAndMaterials => chart::REVENUE_SERVICES,
            ChargeKind::Usage => chart::REVENUE_USAGE,
            ChargeKind::PerpetualLicense => chart::REVENUE_LICENCE,
        }
    }
}
