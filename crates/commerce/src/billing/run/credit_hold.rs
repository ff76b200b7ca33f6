//! The bill run's credit check (DOMAIN, "Credit policy"): each customer's exposure is read once
//! before its invoices are planned, every invoice planned adds its total, and one that takes its
//! customer over the credit limit is held as a draft for a VP Finance to issue.

use crate::billing::repo::BillableLine;
use crate::credit::{self, Exposure};
use crate::entities::customer;
use crate::error::AppResult;
use crate::fx::Rates;
use crate::invoicing::plan::InvoicePlan;
use crate::invoicing::rules::{Block, CREDIT_LIMIT_BLOCK};
use crate::money::Money;
use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// The running exposure of the run's customers.
pub(super) struct CreditRun {
    exposures: HashMap<i64, Exposure>,
    as_of: NaiveDate,
}

impl CreditRun {
    /// Reads the exposure of `customers` on the run's date, before any of its invoices; their
    /// scheduled charges come from `lines`, the lines the run has already read.
    pub(super) async fn load<C: ConnectionTrait>(
        connection: &C,
        customers: &HashMap<i64, customer::Model>,
        lines: &[BillableLine],
        as_of: NaiveDate,
        rates: &Rates,
    ) -> AppResult<CreditRun> {
        let models: Vec<customer::Model> = customers.values().cloned().collect();
        let theirs: Vec<&BillableLine> = lines
            .iter()
            .filter(|line| customers.contains_key(&line.customer_id))
            .collect();
        Ok(CreditRun {
            exposures: credit::exposures_with_lines(connection, &models, &theirs, as_of, rates)
                .await?,
            as_of,
        })
    }

    /// Holds `planned` when it takes its customer over the limit (a plan held for another
    /// reason keeps that reason), and counts it: an issued invoice as open, a held one as
    /// waiting.
    pub(super) fn weigh(
        &mut self,
        planned: Option<InvoicePlan>,
        rates: &Rates,
    ) -> AppResult<Option<InvoicePlan>> {
        let Some(mut plan) = planned else {
            return Ok(None);
        };
        let Some(exposure) = self.exposures.get_mut(&plan.customer_id) else {
            return Ok(Some(plan));
        };
        let target = exposure.currency();
        let total = plan.totals.total;
        let adding = match rates.convert(total.minor(), total.currency(), target, self.as_of) {
            Some(converted) => Money::from_minor(converted, target),
            None => {
                let code = total.currency().code().to_string();
                if !exposure.unconverted.contains(&code) {
                    exposure.unconverted.push(code);
                }
                Money::zero(target)
            }
        };
        let checked = credit::check(exposure, adding, Some("this invoice"))?;
        if checked.needs_vp_finance && plan.block.is_none() {
            plan.block = Some(Block {
                field: CREDIT_LIMIT_BLOCK,
                message: format!("{} Held for a VP Finance to issue.", checked.explanation),
            });
        }
        if plan.block.is_some() {
            exposure.waiting = exposure.waiting.checked_add(adding)?;
        } else {
            exposure.open = exposure.open.checked_add(adding)?;
        }
        Ok(Some(plan))
    }
}
