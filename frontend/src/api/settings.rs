//! The settings part of the API: the FX rate table (units of the functional currency per unit
//! of another, by date), the tax rate table (per jurisdiction, by effective date) and the legal
//! entities invoices are issued from.

use serde::Deserialize;

use super::{enum_value, field, input_value, ops, Address, ApiError};

/// One dated FX rate: `rate` units of `functional_currency` per unit of `currency`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FxRate {
    pub currency: String,
    pub functional_currency: String,
    pub rate: String,
    pub rate_date: String,
}

/// One tax rate of a jurisdiction ("DE", "US-CA") from its effective date.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxRate {
    pub jurisdiction: String,
    pub label: String,
    pub rate_percent: String,
    pub effective_from: String,
}

pub async fn fx_rates() -> Result<Vec<FxRate>, ApiError> {
    field::<ops::FxRates, _>("fxRates", ops::fx_rates::Variables).await
}

/// Sets the rate of `currency` on `rate_date` (a second rate on the same day replaces it).
pub async fn fx_rate_set(
    currency: String,
    rate: String,
    rate_date: String,
) -> Result<FxRate, ApiError> {
    field::<ops::FxRateSet, _>(
        "fxRateSet",
        ops::fx_rate_set::Variables {
            input: ops::fx_rate_set::FxRateSetInput {
                currency,
                rate,
                rate_date,
            },
        },
    )
    .await
}

pub async fn tax_rates() -> Result<Vec<TaxRate>, ApiError> {
    field::<ops::TaxRates, _>("taxRates", ops::tax_rates::Variables).await
}

/// Sets the rate of `jurisdiction` from `effective_from`.
pub async fn tax_rate_set(
    jurisdiction: String,
    label: String,
    rate_percent: String,
    effective_from: String,
) -> Result<TaxRate, ApiError> {
    field::<ops::TaxRateSet, _>(
        "taxRateSet",
        ops::tax_rate_set::Variables {
            input: ops::tax_rate_set::TaxRateSetInput {
                jurisdiction,
                label,
                rate_percent,
                effective_from,
            },
        },
    )
    .await
}

/// A company of the group that issues invoices: what its invoices print as the seller, where
/// customers send payment and how.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegalEntity {
    pub name: String,
    pub address: Address,
    pub tax_id: Option<String>,
    pub remit_to: Vec<String>,
    pub payment_instructions: String,
}

pub async fn legal_entities() -> Result<Vec<LegalEntity>, ApiError> {
    field::<ops::LegalEntities, _>("legalEntities", ops::legal_entities::Variables).await
}

/// Creates the legal entity named in `input` (a `LegalEntitySetInput` the form built), or
/// replaces the details of the one of that name.
pub async fn legal_entity_set(input: serde_json::Value) -> Result<LegalEntity, ApiError> {
    field::<ops::LegalEntitySet, _>(
        "legalEntitySet",
        ops::legal_entity_set::Variables {
            input: input_value(input)?,
        },
    )
    .await
}

/// A coupon code, the discount it gives a subscription line, and what is left of it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coupon {
    pub id: String,
    pub code: String,
    pub label: String,
    pub percent: Option<String>,
    pub amount: Option<super::Money>,
    pub periods: Option<i64>,
    pub expires_on: Option<String>,
    pub redemption_limit: Option<i64>,
    pub redeemed: i64,
    /// "20% off, 3 periods".
    pub description: String,
    /// Why it cannot be used today (archived, expired, used up).
    pub unusable_reason: Option<String>,
    /// When it stopped taking redemptions.
    #[serde(default)]
    pub archived_at: Option<String>,
}

/// Archives a coupon: no new redemptions; lines that carry it keep their discount.
pub async fn coupon_archive(code: String) -> Result<Coupon, ApiError> {
    field::<ops::CouponArchive, _>("couponArchive", ops::coupon_archive::Variables { code }).await
}

pub async fn coupons() -> Result<Vec<Coupon>, ApiError> {
    field::<ops::Coupons, _>("coupons", ops::coupons::Variables).await
}

/// What the coupon form sends; empty texts are left out.
pub struct CouponDraft {
    pub code: String,
    pub label: String,
    /// "PERCENT" or "AMOUNT".
    pub mode: String,
    pub value: String,
    pub currency: String,
    pub periods: String,
    pub expires_on: String,
    pub redemption_limit: String,
}

/// Creates a coupon. A number typed where a count is asked for and not a whole number is sent
/// as it is, so the server names the field.
pub async fn coupon_create(draft: CouponDraft) -> Result<Coupon, ApiError> {
    let given = |text: &str| Some(text.trim().to_string()).filter(|text| !text.is_empty());
    let count = |field: &str, text: &str| -> Result<Option<i64>, ApiError> {
        match given(text) {
            None => Ok(None),
            Some(text) => text
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::for_field(field, "Give a whole number.")),
        }
    };
    let amount = (draft.mode == "AMOUNT").then(|| ops::coupon_create::MoneyInput {
        amount: draft.value.trim().to_string(),
        currency: draft.currency.trim().to_uppercase(),
    });
    field::<ops::CouponCreate, _>(
        "couponCreate",
        ops::coupon_create::Variables {
            input: ops::coupon_create::CouponCreateInput {
                code: draft.code,
                label: draft.label,
                percent: (draft.mode == "PERCENT")
                    .then(|| draft.value.trim().trim_end_matches('%').to_string()),
                amount,
                periods: count("periods", &draft.periods)?,
                expires_on: given(&draft.expires_on),
                redemption_limit: count("redemptionLimit", &draft.redemption_limit)?,
            },
        },
    )
    .await
}

/// How the company bills a part of a billing period (`ACTUAL_DAYS`, `THIRTY_DAY_MONTHS`,
/// `WHOLE_PERIODS`), and the conventions to choose from.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingSettings {
    pub proration: String,
    pub proration_choices: Vec<String>,
}

pub async fn billing_settings() -> Result<BillingSettings, ApiError> {
    field::<ops::BillingSettings, _>("billingSettings", ops::billing_settings::Variables).await
}

/// Sets the company's convention for contracts written from now on.
pub async fn billing_set_proration(proration: String) -> Result<BillingSettings, ApiError> {
    field::<ops::BillingSetProration, _>(
        "billingSetProration",
        ops::billing_set_proration::Variables {
            proration: enum_value(proration),
        },
    )
    .await
}

/// A contract's convention after it was set.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractProration {
    pub contract_id: String,
    pub proration: String,
}

/// Gives a contract not yet billed its own convention.
pub async fn contract_set_proration(
    contract_id: String,
    proration: String,
) -> Result<ContractProration, ApiError> {
    field::<ops::ContractSetProration, _>(
        "contractSetProration",
        ops::contract_set_proration::Variables {
            contract_id,
            proration: enum_value(proration),
        },
    )
    .await
}

/// A proration convention in words: its name and how it prices a part of a period.
pub fn proration_label(convention: &str) -> (&'static str, &'static str) {
    match convention {
        "ACTUAL_DAYS" => (
            "Actual days",
            "A part of a period costs its days ÷ the days in that period (16 of March's 31 days is 16/31).",
        ),
        "THIRTY_DAY_MONTHS" => (
            "30-day months",
            "Every month counts 30 days (16–31 March is 15/30), as Zuora's strict 30/360 counts them.",
        ),
        "WHOLE_PERIODS" => (
            "Whole periods",
            "No proration: a started period costs the whole period, and giving back part of one credits nothing.",
        ),
        _ => ("Unknown convention", ""),
    }
}

/// A contract's billing day after it was set.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractBillingDay {
    pub contract_id: String,
    pub billing_day: Option<i64>,
}

/// Bills a contract not yet billed on `billing_day` of the month (`None`: each line from its
/// start date).
pub async fn contract_set_billing_day(
    contract_id: String,
    billing_day: Option<i64>,
) -> Result<ContractBillingDay, ApiError> {
    field::<ops::ContractSetBillingDay, _>(
        "contractSetBillingDay",
        ops::contract_set_billing_day::Variables {
            contract_id,
            billing_day,
        },
    )
    .await
}

/// A subscription line's billing timing after it was set.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractLineTiming {
    pub contract_line_id: String,
    pub billed_in_arrears: bool,
}

/// Bills a subscription line not yet billed in arrears (`true`) or in advance.
pub async fn contract_line_set_billed_in_arrears(
    contract_line_id: String,
    in_arrears: bool,
) -> Result<ContractLineTiming, ApiError> {
    field::<ops::ContractLineSetBilledInArrears, _>(
        "contractLineSetBilledInArrears",
        ops::contract_line_set_billed_in_arrears::Variables {
            contract_line_id,
            in_arrears,
        },
    )
    .await
}
