//! The settings part of the API: the FX rate table (units of the functional currency per unit
//! of another, by date) and the tax rate table (per jurisdiction, by effective date).

use serde::Deserialize;

use super::{field, ops, ApiError};

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
