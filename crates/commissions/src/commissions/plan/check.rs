//! The whole-document rules of a plan that serde cannot express: names and codes, dates, the
//! quota, each component's rate or tiers and its limits, and each SPIF.

use super::{Component, Dec, Metric, PlanDocument, Spif};
use crate::error::{AppError, AppResult};
use rust_decimal::Decimal;
use std::collections::HashSet;

/// The refusal of one field, worded as the plan author sees it.
fn fail(field: String, message: String) -> AppResult<()> {
    Err(AppError::validation(
        format!("document.{field}"),
        format!("document.{field}: {message}"),
    ))
}

fn check_percent(field: &str, value: Dec, most: Decimal) -> AppResult<()> {
    if value.0 < Decimal::ZERO || value.0 > most {
        return Err(AppError::validation(
            format!("document.{field}"),
            format!("document.{field}: {} is outside 0 to {most}.", value.0),
        ));
    }
    Ok(())
}

impl PlanDocument {
    /// The whole-document rules serde cannot express.
    pub(super) fn check(&self) -> AppResult<()> {
        self.check_header()?;
        let mut names = HashSet::new();
        for (index, component) in self.components.iter().enumerate() {
            self.check_component(index, component, &mut names)?;
        }
        for (index, spif) in self.spifs.iter().enumerate() {
            self.check_spif(index, spif)?;
        }
        if self.spifs.len() > 50 {
            return fail("spifs".into(), "a plan has at most 50 SPIFs.".into());
        }
        Ok(())
    }

    /// The plan as a whole: code, name, currency, dates, quota, clawback window and how many
    /// components it has.
    fn check_header(&self) -> AppResult<()> {
        let code_ok = !self.code.is_empty()
            && self.code.len() <= 64
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !code_ok {
            return fail(
                "code".into(),
                "use 1 to 64 letters, digits, '-' or '_' (e.g. PLAN-AE-2026).".into(),
            );
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return fail(
                "name".into(),
                "give the plan a name of up to 200 characters.".into(),
            );
        }
        self.currency()?;
        if let Some(to) = self.effective_to {
            if to < self.effective_from {
                return fail(
                    "effective_to".into(),
                    format!(
                        "ends ({to}) before the plan starts ({}).",
                        self.effective_from
                    ),
                );
            }
        }
        if self.quota()?.minor() <= 0 {
            return fail(
                "quota.amount".into(),
                "the quota must be more than zero.".into(),
            );
        }
        if let Some(clawback) = &self.clawback {
            if clawback.window_days == 0 || clawback.window_days > 1095 {
                return fail(
                    "clawback.window_days".into(),
                    "give a window of 1 to 1,095 days.".into(),
                );
            }
        }
        if self.components.is_empty() {
            return fail(
                "components".into(),
                "a plan needs at least one component.".into(),
            );
        }
        if self.components.len() > 20 {
            return fail(
                "components".into(),
                "a plan has at most 20 components.".into(),
            );
        }
        Ok(())
    }

    /// One component: a unique name, a rate or tiers (not both), then its tiers, accelerators
    /// and limits in that order, so the first fault in the document is the one reported.
    fn check_component(
        &self,
        index: usize,
        component: &Component,
        names: &mut HashSet<String>,
    ) -> AppResult<()> {
        let at = |field: &str| format!("components[{index}].{field}");
        if component.name.trim().is_empty() || component.name.chars().count() > 200 {
            return fail(
                at("name"),
                "give the component a name of up to 200 characters.".into(),
            );
        }
        if !names.insert(component.name.trim().to_lowercase()) {
            return fail(
                at("name"),
                format!("another component is already named \"{}\".", component.name),
            );
        }
        match (&component.rate, component.tiers.is_empty()) {
            (None, true) => {
                return fail(at("rate"), "give a rate, or tiers.".into());
            }
            (Some(_), false) => {
                return fail(at("tiers"), "give a rate or tiers, not both.".into());
            }
            _ => {}
        }
        if let Some(rate) = component.rate {
            check_percent(&at("rate"), rate, Decimal::ONE_HUNDRED)?;
        }
        check_tiers(&at, component)?;
        check_accelerators(&at, component)?;
        self.check_limits(&at, component)
    }

    /// A component's decelerator, cap, rates by business, multi-year handling, and what a team
    /// credit override may not have.
    fn check_limits(&self, at: &dyn Fn(&str) -> String, component: &Component) -> AppResult<()> {
        if let Some(decelerator) = &component.decelerator {
            if decelerator.below.0 <= Decimal::ZERO || decelerator.below.0 > Decimal::ONE_HUNDRED {
                return fail(
                    at("decelerator.below"),
                    "a decelerator's floor is above 0 and at most 100 (% of quota).".into(),
                );
            }
            if decelerator.multiplier.0 < Decimal::ZERO || decelerator.multiplier.0 >= Decimal::ONE
            {
                return fail(
                    at("decelerator.multiplier"),
                    "a decelerator multiplies the rate by at least 0 and less than 1.".into(),
                );
            }
        }
        if let Some(cap) = component.cap {
            if self.money(&at("cap"), cap)?.minor() <= 0 {
                return fail(at("cap"), "a cap must be more than zero.".into());
            }
        }
        for (business, rate) in [
            ("new", component.business_rates.new),
            ("expansion", component.business_rates.expansion),
            ("renewal", component.business_rates.renewal),
        ] {
            if let Some(rate) = rate {
                check_percent(
                    &at(&format!("business_rates.{business}")),
                    rate,
                    Decimal::ONE_HUNDRED,
                )?;
            }
        }
        if let Some(multi_year) = &component.multi_year {
            if component.metric != Metric::BookingsTcv {
                return fail(
                    at("multi_year"),
                    "multi-year handling applies to the bookings_tcv metric only.".into(),
                );
            }
            if multi_year.max_years == 0 || multi_year.max_years > 10 {
                return fail(at("multi_year.max_years"), "give 1 to 10 years.".into());
            }
        }
        if component.metric == Metric::TeamCredit
            && (!component.tiers.is_empty()
                || !component.accelerators.is_empty()
                || component.decelerator.is_some())
        {
            return fail(
                at("metric"),
                "a team_credit override pays a flat rate: give `rate` without tiers, accelerators or a decelerator.".into(),
            );
        }
        Ok(())
    }

    /// One SPIF: a name, an amount above zero, dates in order and a minimum ACV in the plan's
    /// currency.
    fn check_spif(&self, index: usize, spif: &Spif) -> AppResult<()> {
        let at = |field: &str| format!("spifs[{index}].{field}");
        if spif.name.trim().is_empty() || spif.name.chars().count() > 200 {
            return fail(
                at("name"),
                "give the SPIF a name of up to 200 characters.".into(),
            );
        }
        if self.money(&at("amount"), spif.amount)?.minor() <= 0 {
            return fail(at("amount"), "a SPIF pays more than zero.".into());
        }
        if spif.to < spif.from {
            return fail(
                at("to"),
                format!("ends ({}) before it starts ({}).", spif.to, spif.from),
            );
        }
        if let Some(minimum) = spif.min_acv {
            self.money(&at("min_acv"), minimum)?;
        }
        Ok(())
    }
}

/// Tiers: valid rates, the first from 0 % of quota and each after it higher.
fn check_tiers(at: &dyn Fn(&str) -> String, component: &Component) -> AppResult<()> {
    for (tier_index, tier) in component.tiers.iter().enumerate() {
        let tier_at = |field: &str| at(&format!("tiers[{tier_index}].{field}"));
        check_percent(&tier_at("rate"), tier.rate, Decimal::ONE_HUNDRED)?;
        check_percent(&tier_at("from"), tier.from, Decimal::from(10_000))?;
        if tier_index == 0 && !tier.from.0.is_zero() {
            return fail(
                tier_at("from"),
                "the first tier starts at 0 (% of quota).".into(),
            );
        }
        if tier_index > 0 && tier.from.0 <= component.tiers[tier_index - 1].from.0 {
            return fail(
                tier_at("from"),
                "tiers start at ascending attainment (each above the one before).".into(),
            );
        }
    }
    Ok(())
}

/// Accelerators: from 100 % of quota up, ascending, multiplying the rate by 1 to 10.
fn check_accelerators(at: &dyn Fn(&str) -> String, component: &Component) -> AppResult<()> {
    for (accelerator_index, accelerator) in component.accelerators.iter().enumerate() {
        let accelerator_at =
            |field: &str| at(&format!("accelerators[{accelerator_index}].{field}"));
        if accelerator.above.0 < Decimal::ONE_HUNDRED {
            return fail(
                accelerator_at("above"),
                "an accelerator starts at 100 (% of quota) or above.".into(),
            );
        }
        if accelerator_index > 0
            && accelerator.above.0 <= component.accelerators[accelerator_index - 1].above.0
        {
            return fail(
                accelerator_at("above"),
                "accelerators start at ascending attainment.".into(),
            );
        }
        if accelerator.multiplier.0 < Decimal::ONE || accelerator.multiplier.0 > Decimal::from(10) {
            return fail(
                accelerator_at("multiplier"),
                "an accelerator multiplies the rate by 1 to 10.".into(),
            );
        }
    }
    Ok(())
}
