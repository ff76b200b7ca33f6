//! The FX table and the one rule that converts money into the functional currency. Every area
//! that reports in the functional currency (AR aging, the dashboard, revenue, commissions,
//! renewals) converts through here, so two figures made of the same amounts agree to the cent.

use crate::entities::fx_rate;
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{ConnectionTrait, EntityTrait};
use std::collections::HashMap;
use std::str::FromStr;

/// The FX table read once, with the functional currency it converts into.
#[derive(Debug, Clone)]
pub struct Rates {
    /// Per currency: (date, units of the functional currency per unit), newest last.
    pub rates: HashMap<String, Vec<(NaiveDate, Decimal)>>,
    pub functional: Currency,
}

impl Rates {
    pub async fn load<C: ConnectionTrait>(
        connection: &C,
        functional: Currency,
    ) -> AppResult<Rates> {
        let mut rates: HashMap<String, Vec<(NaiveDate, Decimal)>> = HashMap::new();
        for row in fx_rate::Entity::find().all(connection).await? {
            let rate = Decimal::from_str(&row.rate)
                .map_err(|_| AppError::internal(format!("fx rate {} is not a decimal", row.id)))?;
            rates
                .entry(row.currency)
                .or_default()
                .push((row.rate_date, rate));
        }
        for dated in rates.values_mut() {
            dated.sort();
        }
        Ok(Rates { rates, functional })
    }

    /// The rate in force on `on` (the latest dated on or before it); 1 for the functional currency.
    pub fn fx_rate(&self, currency: Currency, on: NaiveDate) -> Option<Decimal> {
        if currency == self.functional {
            return Some(Decimal::ONE);
        }
        self.rates
            .get(currency.code())?
            .iter()
            .rev()
            .find(|(date, _)| *date <= on)
            .map(|(_, rate)| *rate)
    }

    /// Sums money in the functional currency by the one conversion rule every report follows:
    /// each currency's amounts are added first and that sum is converted once at `on` (rounded
    /// half away from zero), then the converted sums are added. So a figure equals any other
    /// figure made of the same amounts, however each was grouped on the way (the dashboard's
    /// outstanding total and its aging total, a report's total and its rows' total). Amounts
    /// without a rate are left out and named (once) in `warnings`.
    pub fn functional_total(
        &self,
        amounts: impl IntoIterator<Item = Money>,
        on: NaiveDate,
        warnings: &mut Vec<String>,
    ) -> i64 {
        let mut by_currency: Vec<(Currency, i64)> = Vec::new();
        for amount in amounts {
            match by_currency
                .iter_mut()
                .find(|(currency, _)| *currency == amount.currency())
            {
                Some((_, sum)) => *sum = sum.saturating_add(amount.minor()),
                None => by_currency.push((amount.currency(), amount.minor())),
            }
        }
        // Nothing converts to nothing: a currency whose amounts cancel out needs no rate.
        by_currency
            .into_iter()
            .filter(|(_, sum)| *sum != 0)
            .filter_map(|(currency, sum)| self.to_functional(sum, currency, on, warnings))
            .sum()
    }

    /// The parts of one currency's figure (e.g. its aging buckets) in the functional currency,
    /// by the same rule: the currency's total is converted once and each part is the step in
    /// the converted running sum, so the parts add up to exactly the converted total (each
    /// within one minor unit of its own conversion, whatever the signs). `None`, with the
    /// warning, when the currency has no rate on `on`.
    pub fn functional_parts(
        &self,
        currency: Currency,
        parts: &[i64],
        on: NaiveDate,
        warnings: &mut Vec<String>,
    ) -> Option<Vec<i64>> {
        if parts.iter().all(|part| *part == 0) {
            return Some(vec![0; parts.len()]);
        }
        let mut running = 0i64;
        let mut converted_before = 0i64;
        let mut converted = Vec::with_capacity(parts.len());
        for part in parts {
            running = running.saturating_add(*part);
            let converted_now = self.to_functional(running, currency, on, warnings)?;
            converted.push(converted_now - converted_before);
            converted_before = converted_now;
        }
        Some(converted)
    }

    fn to_functional(
        &self,
        amount: i64,
        currency: Currency,
        on: NaiveDate,
        warnings: &mut Vec<String>,
    ) -> Option<i64> {
        let converted = self.convert(amount, currency, self.functional, on);
        if converted.is_none() {
            let warning = format!(
                "No FX rate for {} on {on}; {} amounts are left out of the totals.",
                currency.code(),
                currency.code()
            );
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
        converted
    }

    /// `amount` (minor units of `from`) in `to` at the rates in force on `on`, rounded half away
    /// from zero; `None` when the FX table has no rate for either currency.
    pub fn convert(&self, amount: i64, from: Currency, to: Currency, on: NaiveDate) -> Option<i64> {
        if from == to {
            return Some(amount);
        }
        let (from_rate, to_rate) = (self.fx_rate(from, on)?, self.fx_rate(to, on)?);
        if to_rate.is_zero() {
            return None;
        }
        let major = Decimal::from(amount) / Decimal::from(10_i64.pow(from.decimals()));
        let converted = major * from_rate / to_rate * Decimal::from(10_i64.pow(to.decimals()));
        converted
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(eur_rate: &str) -> Rates {
        let mut fx_rates = HashMap::new();
        fx_rates.insert(
            "EUR".to_string(),
            vec![(
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
                Decimal::from_str(eur_rate).unwrap_or(Decimal::ONE),
            )],
        );
        Rates {
            rates: fx_rates,
            functional: Currency::USD,
        }
    }

    fn code(code: &str) -> Currency {
        Currency::parse(code).unwrap_or(Currency::USD)
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default()
    }

    #[test]
    fn aging_buckets_add_up_to_the_outstanding_total_they_are_converted_from() {
        // Converted bucket by bucket, 0.05 + 0.05 EUR at 1.1 would be 0.06 + 0.06 = 0.12 USD,
        // while the currency's outstanding total of 0.10 EUR is 0.11 USD: a cent apart.
        let reference = reference("1.1");
        let mut warnings = Vec::new();
        let parts = reference.functional_parts(code("EUR"), &[5, 5], day(), &mut warnings);
        assert_eq!(parts, Some(vec![6, 5]));
        let total = reference.functional_total(
            [
                Money::from_minor(5, code("EUR")),
                Money::from_minor(5, code("EUR")),
            ],
            day(),
            &mut warnings,
        );
        assert_eq!(total, 11);
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_currency_without_a_rate_is_left_out_and_named_once() {
        let reference = reference("1.1");
        let mut warnings = Vec::new();
        let total = reference.functional_total(
            [
                Money::from_minor(100, code("GBP")),
                Money::from_minor(250, Currency::USD),
                Money::from_minor(100, code("GBP")),
            ],
            day(),
            &mut warnings,
        );
        assert_eq!(total, 250);
        assert_eq!(
            reference.functional_parts(code("GBP"), &[1, 2], day(), &mut warnings),
            None
        );
        assert_eq!(
            warnings,
            vec!["No FX rate for GBP on 2026-06-30; GBP amounts are left out of the totals."]
        );
    }

    #[test]
    fn amounts_that_cancel_out_need_no_rate() {
        let reference = reference("1.1");
        let mut warnings = Vec::new();
        let total = reference.functional_total(
            [
                Money::from_minor(100, code("GBP")),
                Money::from_minor(-100, code("GBP")),
                Money::from_minor(5, Currency::USD),
            ],
            day(),
            &mut warnings,
        );
        assert_eq!(total, 5);
        assert_eq!(
            reference.functional_parts(code("GBP"), &[0, 0], day(), &mut warnings),
            Some(vec![0, 0])
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    proptest! {
        #[test]
        fn parts_always_add_up_to_the_converted_total_and_stay_within_a_cent_of_their_own(
            parts in proptest::collection::vec(-1_000_000_000i64..1_000_000_000, 1..8),
            rate in 1u32..5_000_000,
        ) {
            let reference = reference(&format!("{}", Decimal::new(i64::from(rate), 6)));
            let mut warnings = Vec::new();
            let converted = reference
                .functional_parts(code("EUR"), &parts, day(), &mut warnings)
                .unwrap_or_default();
            let total = reference.functional_total(
                parts.iter().map(|part| Money::from_minor(*part, code("EUR"))),
                day(),
                &mut warnings,
            );
            prop_assert_eq!(converted.iter().sum::<i64>(), total);
            for (part, converted) in parts.iter().zip(&converted) {
                let own = reference.convert(*part, code("EUR"), Currency::USD, day()).unwrap_or_default();
                prop_assert!((own - converted).abs() <= 1, "{part} → {converted}, alone {own}");
            }
        }
    }
}
