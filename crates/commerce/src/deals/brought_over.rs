//! Contracts brought over from the old system at cut-over (signed contracts and SOWs with their
//! lines and billing terms). Each becomes an approved deal and a contract in one step — the deal
//! was closed and approved long ago, in the old tools — remembering the import that brought it:
//! - billing resumes after each line's `billed_through` day and never bills what the old system
//!   invoiced;
//! - revenue keeps the old system's allocation and plans only what will be billed from here on
//!   (`revenue::repo::build_brought_over`); the billed-but-unrecognised part arrives with the
//!   deferred revenue import;
//! - commissions skip the deal (paid in the old tool), while renewals, MRR and the customer's
//!   history see the contract like any other.

use super::{write_draft, ContractLineKind, DealDraft, DealStatus};
use crate::access::{Actor, Permission};
use crate::audit;
use crate::billing::periods::Alignment;
use crate::billing::proration::ProrationConvention;
use crate::billing::schedule::LineTerms;
use crate::customers::PaymentTerms;
use crate::deals::BillingFrequency;
use crate::entities::{contract, contract_line, deal};
use crate::error::{AppError, AppResult};
use crate::lookup;
use crate::money::Money;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use std::collections::HashMap;

/// One line of a brought-over contract, already validated: a subscription billed in advance, or
/// work the old system has not invoiced yet — a licence still to deliver, a milestone still to
/// accept, hours still to work (time and materials).
#[derive(Debug, Clone, Serialize)]
pub struct BroughtOverLine {
    pub product_name: String,
    pub kind: ContractLineKind,
    /// Seats; a licence's units; a milestone's 1; T&M's estimated hours.
    pub quantity: Decimal,
    /// A subscription's price per unit per billing period; otherwise the price of one unit (a
    /// licence, the milestone, an hour).
    pub unit_price: Money,
    /// A subscription's frequency; `None` for the other kinds.
    pub frequency: Option<BillingFrequency>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// The last service day the old system invoiced; `None` when it invoiced nothing yet.
    pub billed_through: Option<NaiveDate>,
}

impl BroughtOverLine {
    /// The line's billing terms as billing reads them; `billed` says whether to skip what the
    /// old system invoiced.
    pub fn terms(&self, billed: bool) -> LineTerms {
        LineTerms {
            anchor: None,
            replaced_by: None,
            kind: self.kind,
            product: self.product_name.clone(),
            quantity: self.quantity,
            unit_price: self.unit_price,
            frequency: self.kind.frequency_for(self.frequency).ok().flatten(),
            alignment: Alignment::Anniversary,
            start: self.start_date,
            end: self.end_date,
            delivered_on: None,
            accepted_on: None,
            changes: Vec::new(),
            billed_through: if billed { self.billed_through } else { None },
            discount: None,
            // Brought-over lines bill by actual days (`line_row`); a contract can be given
            // another convention before its first bill run here.
            proration: ProrationConvention::ActualDays,
            in_arrears: false,
        }
    }

    /// What the whole term bills, periods and proration as billing computes them (T&M: its
    /// estimate, hours × rate, as a deal's TCV counts it).
    pub fn term_total(&self) -> AppResult<Money> {
        if self.kind == ContractLineKind::TimeAndMaterials {
            return Ok(self
                .unit_price
                .checked_mul_decimal(self.quantity, RoundingStrategy::MidpointAwayFromZero)?);
        }
        Ok(Money::from_minor(
            crate::revenue::repo::stated_total(&self.terms(false))?,
            self.unit_price.currency(),
        ))
    }

    /// The price of a year of the line (DOMAIN's ARR: price per period × periods in a year);
    /// zero for what is not recurring.
    pub fn annual_value(&self) -> AppResult<Money> {
        match (self.kind, self.frequency) {
            (ContractLineKind::Subscription, Some(frequency)) => Ok(super::lines::annual_value(
                self.unit_price,
                self.quantity,
                frequency,
            )?),
            _ => Ok(Money::zero(self.unit_price.currency())),
        }
    }

    /// Why the line cannot come in as of `cutover`: the column and the reason.
    pub fn problem(&self, cutover: NaiveDate) -> Option<(&'static str, String)> {
        if self.end_date < self.start_date {
            return Some((
                "end_date",
                format!(
                    "{} is before the start date {}.",
                    self.end_date, self.start_date
                ),
            ));
        }
        if self.kind != ContractLineKind::Subscription {
            return self.unbilled_problem();
        }
        let Some(frequency) = self.frequency else {
            return Some((
                "billing_frequency",
                "A subscription bills monthly, quarterly or annually.".into(),
            ));
        };
        if let Some(billed) = self.billed_through {
            if billed < self.start_date || billed > self.end_date {
                return Some((
                    "billed_through",
                    format!(
                        "{billed} is outside the line's term {} to {}; leave it empty when the old system invoiced nothing yet.",
                        self.start_date, self.end_date
                    ),
                ));
            }
            let ends: Vec<NaiveDate> = self
                .terms(false)
                .periods()
                .iter()
                .map(|period| period.last_day())
                .collect();
            if !ends.contains(&billed) {
                let shown: Vec<String> = ends.iter().take(4).map(|day| day.to_string()).collect();
                return Some((
                    "billed_through",
                    format!(
                        "{billed} is not the last day of one of this line's {} billing periods ({}, …); state the last day the old system's last invoice covered.",
                        frequency.as_str(),
                        shown.join(", ")
                    ),
                ));
            }
        }
        let in_service = self.start_date <= cutover;
        let needed = cutover.min(self.end_date);
        if in_service && self.billed_through.is_none_or(|billed| billed < needed) {
            return Some((
                "billed_through",
                format!(
                    "The line was in service on the cut-over date {cutover} but the old system invoiced it only through {}: the days up to the cut-over were recognised there and never billed. Invoice through the cut-over in the old system first (or bring that invoice over as an open invoice).",
                    self.billed_through.map_or("nothing".to_string(), |day| day.to_string())
                ),
            ));
        }
        None
    }

    /// Why a licence, milestone or T&M line cannot come in: only what the old system has not
    /// invoiced comes over as a line (an invoiced one is an open invoice and deferred revenue).
    fn unbilled_problem(&self) -> Option<(&'static str, String)> {
        let what = match self.kind {
            ContractLineKind::PerpetualLicense => "licence",
            ContractLineKind::Milestone => "milestone",
            ContractLineKind::TimeAndMaterials => "time and materials line",
            ContractLineKind::Subscription | ContractLineKind::Usage => {
                return Some((
                    "kind",
                    "Usage is priced by meter and tiers: add it to the contract in revops after the import.".into(),
                ))
            }
        };
        if self.frequency.is_some() {
            return Some((
                "billing_frequency",
                format!("A {what} is billed once (on delivery, acceptance or approved hours), not at a frequency; leave billing_frequency empty."),
            ));
        }
        if self.billed_through.is_some() {
            return Some((
                "billed_through",
                format!("Only a {what} the old system has not invoiced comes over as a line; leave billed_through empty, and bring what it invoiced over as open invoices and deferred revenue."),
            ));
        }
        None
    }

    /// What the old system invoiced for service after the cut-over: the most of this line that
    /// can still be deferred at cut-over (each billed period's price by its days after it).
    pub fn billed_after(&self, cutover: NaiveDate) -> AppResult<Money> {
        let currency = self.unit_price.currency();
        let Some(billed) = self.billed_through else {
            return Ok(Money::zero(currency));
        };
        let after = cutover.succ_opt().unwrap_or(cutover);
        let terms = self.terms(false);
        let mut total = Money::zero(currency);
        for period in terms.periods() {
            if period.start > billed || period.end <= after {
                continue;
            }
            let charge = terms.period_charge(&period)?.amount;
            let days = (period.end - period.start).num_days().max(1);
            let remaining = (period.end - after.max(period.start)).num_days();
            let share = charge.checked_mul_decimal(
                Decimal::from(remaining) / Decimal::from(days),
                RoundingStrategy::MidpointAwayFromZero,
            )?;
            total = total.checked_add(share)?;
        }
        Ok(total)
    }
}

/// One contract of the old system, already validated (one customer, one currency).
#[derive(Debug, Clone, Serialize)]
pub struct BroughtOverContract {
    /// The contract's reference in the old system; the deal's CRM id, so intake and later
    /// imports find it.
    pub reference: String,
    pub customer_id: i64,
    pub signed_on: NaiveDate,
    pub payment_terms: PaymentTerms,
    /// Where the invoices are taxed ("US-CA", "DE"), as on a deal.
    pub tax_jurisdiction: String,
    /// The customer's exemption certificate, when its invoices are not taxed.
    pub tax_exemption_certificate: Option<String>,
    pub owner_id: Option<i64>,
    pub uplift_percent: Option<Decimal>,
    pub tcv: Money,
    pub arr: Money,
    pub lines: Vec<BroughtOverLine>,
}

impl BroughtOverContract {
    pub fn start_date(&self) -> NaiveDate {
        self.lines
            .iter()
            .map(|line| line.start_date)
            .min()
            .unwrap_or(self.signed_on)
    }

    pub fn end_date(&self) -> NaiveDate {
        self.lines
            .iter()
            .map(|line| line.end_date)
            .max()
            .unwrap_or(self.signed_on)
    }

    fn draft(&self, legal_entity: &str) -> DealDraft {
        let first = self.lines.first();
        DealDraft {
            crm_opportunity_id: self.reference.clone(),
            customer_id: Some(self.customer_id),
            invoiced_legal_entity: Some(legal_entity.to_string()),
            billing_contact: None,
            product_name: first.map(|line| line.product_name.clone()),
            tcv: Some(self.tcv),
            arr: Some(self.arr),
            billing_currency: Some(self.tcv.currency()),
            start_date: Some(self.start_date()),
            end_date: Some(self.end_date()),
            billing_frequency: self.lines.iter().find_map(|line| line.frequency),
            payment_terms: Some(self.payment_terms),
            po_required: false,
            po_number: None,
            tax_jurisdiction: Some(self.tax_jurisdiction.clone()),
            tax_exempt: self.tax_exemption_certificate.is_some(),
            tax_exemption_certificate: self.tax_exemption_certificate.clone(),
            revenue_recognition_type: match self.lines.first() {
                Some(first) if self.lines.iter().all(|line| line.kind == first.kind) => {
                    first.kind.recognition()
                }
                _ => None,
            },
            milestones: Vec::new(),
            lines: Vec::new(),
            assigned_ae_id: self.owner_id,
            commission_plan_id: None,
        }
    }
}

/// Where and when the contracts come in.
#[derive(Debug, Clone)]
pub struct BroughtOverBatch {
    pub import_id: i64,
    pub cutover_date: NaiveDate,
    pub legal_entity: String,
}

/// Contracts written per batch: a deal row binds about 40 values, so a batch's multi-row INSERTs
/// stay well inside SQLite's and PostgreSQL's bound-parameter limits, and one batch's rows are
/// few enough to read back at once.
const BATCH: usize = 200;

/// Writes each contract's approved deal, the contract, its lines and its revenue obligations in
/// the caller's transaction, a batch of contracts per statement; returns the contract numbers in
/// input order. The caller validated every contract (references unused, customers found, billing
/// current at the cut-over).
pub async fn bring_over<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    batch: &BroughtOverBatch,
    contracts: &[BroughtOverContract],
    mut progress: impl FnMut(usize),
) -> AppResult<Vec<String>> {
    actor.require(Permission::DealApprove)?;
    let mut numbers = Vec::with_capacity(contracts.len());
    let mut audit_rows = Vec::with_capacity(contracts.len());
    for chunk in contracts.chunks(BATCH) {
        let written = bring_over_batch(connection, actor, now, batch, chunk).await?;
        for (brought, (contract, deal_id)) in chunk.iter().zip(written) {
            audit_rows.push((
                contract.id.to_string(),
                serde_json::to_string(&serde_json::json!({
                    "contractNumber": contract.contract_number,
                    "dealId": deal_id,
                    "importId": batch.import_id,
                    "cutoverDate": batch.cutover_date,
                    "contract": brought,
                }))?,
            ));
            numbers.push(contract.contract_number);
        }
        progress(numbers.len());
    }
    audit::record_many(
        connection,
        Some(actor),
        now,
        "contract.import",
        "contract",
        audit_rows,
    )
    .await?;
    Ok(numbers)
}

/// One batch: the approved deals, the contracts (numbered in input order), their lines and their
/// revenue. Returns each contract with its deal's id, in input order.
async fn bring_over_batch<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    batch: &BroughtOverBatch,
    contracts: &[BroughtOverContract],
) -> AppResult<Vec<(contract::Model, i64)>> {
    let deals = contracts
        .iter()
        .map(|brought| deal_row(actor, now, batch, brought))
        .collect::<AppResult<Vec<_>>>()?;
    let references = contracts.iter().map(|brought| brought.reference.as_str());
    let deal_ids: HashMap<String, i64> = lookup::insert_returning(
        connection,
        deals,
        deal::Entity::find()
            .filter(deal::Column::ImportId.eq(batch.import_id))
            .filter(deal::Column::CrmOpportunityId.is_in(references)),
    )
    .await?
    .into_iter()
    .map(|deal| (deal.crm_opportunity_id, deal.id))
    .collect();
    let deal_of = |brought: &BroughtOverContract| {
        deal_ids.get(&brought.reference).copied().ok_or_else(|| {
            AppError::internal(format!("imported deal {} not read back", brought.reference))
        })
    };
    let numbers = super::reserve_contract_numbers(connection, now, contracts.len()).await?;
    let headers = contracts
        .iter()
        .zip(&numbers)
        .map(|(brought, number)| Ok(contract_row(now, batch, brought, deal_of(brought)?, number)))
        .collect::<AppResult<Vec<_>>>()?;
    let mut by_number: HashMap<String, contract::Model> = lookup::insert_returning(
        connection,
        headers,
        contract::Entity::find()
            .filter(contract::Column::ContractNumber.is_in(numbers.iter().map(String::as_str))),
    )
    .await?
    .into_iter()
    .map(|contract| (contract.contract_number.clone(), contract))
    .collect();
    let written = numbers
        .iter()
        .map(|number| {
            by_number.remove(number).ok_or_else(|| {
                AppError::internal(format!("imported contract {number} not read back"))
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let lines: Vec<contract_line::ActiveModel> = contracts
        .iter()
        .zip(&written)
        .flat_map(|(brought, contract)| {
            brought.lines.iter().map(|line| line_row(contract.id, line))
        })
        .collect();
    let mut stored = Vec::with_capacity(lines.len());
    for chunk in lines.chunks(LINES_PER_INSERT) {
        let of = chunk
            .iter()
            .filter_map(|row| row.contract_id.try_as_ref().copied());
        stored.extend(
            lookup::insert_returning(
                connection,
                chunk.to_vec(),
                contract_line::Entity::find().filter(contract_line::Column::ContractId.is_in(of)),
            )
            .await?,
        );
    }
    // In the order they were written, as a contract's lines always are.
    stored.sort_by_key(|line| line.id);
    stored.dedup_by_key(|line| line.id);
    crate::revenue::repo::build_brought_over(connection, &written, &stored, now).await?;
    contracts
        .iter()
        .zip(written)
        .map(|(brought, contract)| Ok((contract, deal_of(brought)?)))
        .collect()
}

/// Contract lines per multi-row INSERT (13 values each).
const LINES_PER_INSERT: usize = 1_000;

/// The approved deal a brought-over contract comes with: closed and approved long ago, in the old
/// tools, on the day it was signed.
fn deal_row(
    actor: &Actor,
    now: DateTime<Utc>,
    batch: &BroughtOverBatch,
    brought: &BroughtOverContract,
) -> AppResult<deal::ActiveModel> {
    let signed_at = brought.signed_on.and_time(NaiveTime::MIN).and_utc();
    let mut row = deal::ActiveModel {
        status: Set(DealStatus::Approved.as_str().into()),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        approved_at: Set(Some(signed_at)),
        approved_by: Set(Some(actor.user_id)),
        approve_idempotency_key: Set(Some(format!("import:{}", batch.import_id))),
        import_id: Set(Some(batch.import_id)),
        ..Default::default()
    };
    write_draft(&mut row, &brought.draft(&batch.legal_entity))?;
    Ok(row)
}

fn contract_row(
    now: DateTime<Utc>,
    batch: &BroughtOverBatch,
    brought: &BroughtOverContract,
    deal_id: i64,
    number: &str,
) -> contract::ActiveModel {
    contract::ActiveModel {
        contract_number: Set(number.to_string()),
        deal_id: Set(deal_id),
        customer_id: Set(brought.customer_id),
        start_date: Set(brought.start_date()),
        end_date: Set(brought.end_date()),
        tcv_minor: Set(brought.tcv.minor()),
        arr_minor: Set(brought.arr.minor()),
        currency: Set(brought.tcv.currency().code().to_string()),
        created_at: Set(now),
        // Every row of a multi-row INSERT names the same columns: no uplift is "0", the
        // column's default.
        uplift_percent: Set(brought
            .uplift_percent
            .map_or_else(|| "0".to_string(), |uplift| uplift.normalize().to_string())),
        import_id: Set(Some(batch.import_id)),
        brought_over_on: Set(Some(batch.cutover_date)),
        ..Default::default()
    }
}

fn line_row(contract_id: i64, line: &BroughtOverLine) -> contract_line::ActiveModel {
    contract_line::ActiveModel {
        contract_id: Set(contract_id),
        product_name: Set(line.product_name.clone()),
        kind: Set(line.kind.as_str().into()),
        quantity: Set(line.quantity.normalize().to_string()),
        unit_price_minor: Set(line.unit_price.minor()),
        currency: Set(line.unit_price.currency().code().to_string()),
        billing_frequency: Set(line
            .kind
            .frequency_for(line.frequency)
            .ok()
            .flatten()
            .map(|frequency| frequency.as_str().into())),
        start_date: Set(line.start_date),
        end_date: Set(line.end_date),
        billed_through: Set(line.billed_through),
        proration: Set(ProrationConvention::ActualDays.as_str().into()),
        ..Default::default()
    }
}
