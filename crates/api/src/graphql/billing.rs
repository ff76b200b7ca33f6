//! The bill run and its preview, billing schedules, usage, timesheets, deliveries and mid-term
//! changes.

use super::types::Money;
use super::{actor, app};
use crate::billing::periods::Alignment;
use crate::billing::pricing::{Aggregation, PricingModel, Tier, UsagePricing};
use crate::billing::proration::ProrationConvention;
use crate::billing::run::{BillRunReport, RunInvoice, RunStatus};
use crate::billing::schedule::ChangeKind;
use crate::billing::{
    self, ContractChange, LineAddInput, ModifyInput, NewLine, PlanChange, PlanTiming,
    TimesheetInput, UsageImportResult, UsageInput,
};
use crate::deals::{BillingFrequency, ContractLineKind};
use crate::entities::contract_line;
use crate::error::AppError;
use crate::values::{parse_id, IsoDate, MoneyInput};
use async_graphql::{Context, InputObject, Object, OneofObject, SimpleObject, ID};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::EntityTrait;
use std::str::FromStr;

#[derive(Clone, SimpleObject)]
pub struct PlannedInvoiceLine {
    pub description: String,
    pub period_start: Option<IsoDate>,
    pub period_end: Option<IsoDate>,
    pub quantity: String,
    pub amount: Money,
    pub note: Option<String>,
    pub tax: Money,
    pub tax_label: String,
}

/// An invoice a bill run issued, held, or (in a preview) would write.
#[derive(Clone, SimpleObject)]
pub struct BillRunInvoice {
    pub invoice_id: Option<ID>,
    pub number: Option<String>,
    pub customer_id: ID,
    pub customer_name: String,
    pub legal_entity: String,
    pub po_number: Option<String>,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub blocked_field: Option<String>,
    pub blocked_reason: Option<String>,
    pub lines: Vec<PlannedInvoiceLine>,
}

impl From<RunInvoice> for BillRunInvoice {
    fn from(entry: RunInvoice) -> BillRunInvoice {
        let plan = entry.plan;
        BillRunInvoice {
            invoice_id: entry.invoice_id.map(|id| ID(id.to_string())),
            number: entry.number,
            customer_id: ID(plan.customer_id.to_string()),
            customer_name: plan.customer_name,
            legal_entity: plan.legal_entity,
            po_number: plan.po_number,
            subtotal: plan.totals.subtotal.into(),
            tax: plan.totals.tax.into(),
            total: plan.totals.total.into(),
            blocked_field: plan.block.as_ref().map(|block| block.field.to_string()),
            blocked_reason: plan.block.map(|block| block.message),
            lines: plan
                .lines
                .into_iter()
                .map(|line| PlannedInvoiceLine {
                    description: line.description,
                    period_start: line.period.map(|period| IsoDate(period.0)),
                    period_end: line
                        .period
                        .and_then(|period| period.1.pred_opt())
                        .map(IsoDate),
                    quantity: line.quantity,
                    amount: line.amount.into(),
                    note: line.note,
                    tax: line.tax.tax.into(),
                    tax_label: line.tax.label,
                })
                .collect(),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct SkippedCharge {
    pub customer_id: ID,
    pub contract_line_id: ID,
    pub description: String,
    pub reason: String,
}

#[derive(Clone, SimpleObject)]
pub struct BillRunResult {
    pub as_of: IsoDate,
    pub dry_run: bool,
    pub charges_written: i32,
    pub issued: Vec<BillRunInvoice>,
    /// Drafts held back, each with the reason (missing PO, unknown tax jurisdiction, over the credit limit …).
    pub held: Vec<BillRunInvoice>,
    /// Charges not invoiced, each with the reason (credit hold).
    pub skipped: Vec<SkippedCharge>,
    pub summary: String,
}

impl BillRunResult {
    fn from_report(report: BillRunReport, as_of: chrono::NaiveDate) -> BillRunResult {
        BillRunResult {
            as_of: IsoDate(as_of),
            dry_run: report.dry_run,
            charges_written: i32::try_from(report.charges_written).unwrap_or(i32::MAX),
            summary: report.summary(),
            issued: report
                .issued
                .into_iter()
                .map(BillRunInvoice::from)
                .collect(),
            held: report.held.into_iter().map(BillRunInvoice::from).collect(),
            skipped: report
                .skipped
                .into_iter()
                .map(|skip| SkippedCharge {
                    customer_id: ID(skip.customer_id.to_string()),
                    contract_line_id: ID(skip.contract_line_id.to_string()),
                    description: skip.description,
                    reason: skip.reason,
                })
                .collect(),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct BillRunStatus {
    pub business_date: IsoDate,
    /// "running", "done".
    pub status: String,
    pub done: i32,
    pub total: i32,
    pub summary: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<RunStatus> for BillRunStatus {
    fn from(status: RunStatus) -> BillRunStatus {
        BillRunStatus {
            business_date: IsoDate(status.business_date),
            status: status.status,
            done: i32::try_from(status.done).unwrap_or(i32::MAX),
            total: i32::try_from(status.total).unwrap_or(i32::MAX),
            summary: status.summary,
            started_at: status.started_at,
            finished_at: status.finished_at,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct BillingScheduleRow {
    pub contract_line_id: ID,
    pub description: String,
    pub period_start: Option<IsoDate>,
    pub period_end: Option<IsoDate>,
    pub amount: Money,
    pub note: Option<String>,
    pub due_on: IsoDate,
    /// "invoiced", "credited" (a credit the bill run issued as a credit memo), "unbilled"
    /// (written, waiting for the next run), "upcoming", or "preview" (what a modification would
    /// bill, in `contractModifyPreview`).
    pub state: String,
    pub invoice_id: Option<ID>,
    pub invoice_number: Option<String>,
}

impl From<billing::ScheduleRow> for BillingScheduleRow {
    fn from(row: billing::ScheduleRow) -> BillingScheduleRow {
        BillingScheduleRow {
            contract_line_id: ID(row.contract_line_id.to_string()),
            description: row.description,
            period_start: row.period_start.map(IsoDate),
            period_end: row.period_end.map(IsoDate),
            amount: row.amount.into(),
            note: row.note,
            due_on: IsoDate(row.due_on),
            state: row.state.to_string(),
            invoice_id: row.invoice_id.map(|id| ID(id.to_string())),
            invoice_number: row.invoice_number,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct UsageMonth {
    pub contract_line_id: ID,
    pub meter: String,
    /// "YYYY-MM".
    pub month: String,
    pub records: i32,
    pub used: String,
    pub billable: String,
    pub amount: Money,
    pub billed: bool,
}

#[derive(Clone, SimpleObject)]
pub struct Timesheet {
    pub id: ID,
    pub contract_line_id: ID,
    pub person: String,
    pub role: String,
    pub work_date: IsoDate,
    pub hours: String,
    pub rate: Money,
    pub amount: Money,
    pub description: String,
    /// "submitted", "approved", "rejected".
    pub status: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

impl From<billing::Timesheet> for Timesheet {
    fn from(entry: billing::Timesheet) -> Timesheet {
        Timesheet {
            id: ID(entry.id.to_string()),
            contract_line_id: ID(entry.contract_line_id.to_string()),
            person: entry.person,
            role: entry.role,
            work_date: IsoDate(entry.work_date),
            hours: entry.hours,
            rate: entry.rate.into(),
            amount: entry.amount.into(),
            description: entry.description,
            status: entry.status,
            decided_at: entry.decided_at,
            decision_note: entry.decision_note,
        }
    }
}

/// A contract line's billing state after a delivery, acceptance, change or addition.
#[derive(Clone, SimpleObject)]
pub struct ContractLineBilling {
    pub id: ID,
    pub contract_id: ID,
    pub product_name: String,
    pub kind: ContractLineKind,
    pub quantity: String,
    pub alignment: Alignment,
    pub delivered_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub acceptance_note: Option<String>,
    pub cancelled_on: Option<IsoDate>,
}

impl TryFrom<contract_line::Model> for ContractLineBilling {
    type Error = AppError;
    fn try_from(line: contract_line::Model) -> Result<ContractLineBilling, AppError> {
        Ok(ContractLineBilling {
            id: ID(line.id.to_string()),
            contract_id: ID(line.contract_id.to_string()),
            kind: ContractLineKind::parse(&line.kind)
                .ok_or_else(|| AppError::internal(format!("line kind {}", line.kind)))?,
            product_name: line.product_name,
            quantity: line.quantity,
            alignment: Alignment::parse(&line.alignment).unwrap_or(Alignment::Anniversary),
            delivered_at: line.delivered_at,
            accepted_at: line.accepted_at,
            acceptance_note: line.acceptance_note,
            cancelled_on: line.cancelled_on.map(IsoDate),
        })
    }
}

/// A coupon code and the discount it gives a deal's subscription line.
#[derive(Clone, SimpleObject)]
pub struct Coupon {
    pub id: ID,
    pub code: String,
    pub label: String,
    pub percent: Option<String>,
    pub amount: Option<Money>,
    /// Periods the discount lasts; empty: for as long as the line runs.
    pub periods: Option<i32>,
    pub expires_on: Option<IsoDate>,
    /// How many deals may redeem it; empty: no limit.
    pub redemption_limit: Option<i32>,
    /// Approved deals that redeemed it.
    pub redeemed: i32,
    /// What it gives, in words: "20% off, 3 periods".
    pub description: String,
    /// Why it cannot be used today (archived, expired, used up); empty while it can.
    pub unusable_reason: Option<String>,
    /// When it stopped taking redemptions; empty while it takes them.
    pub archived_at: Option<DateTime<Utc>>,
}

impl Coupon {
    fn of(coupon: billing::coupons::Coupon, today: chrono::NaiveDate) -> Coupon {
        let currency = coupon
            .amount
            .map_or(crate::money::Currency::USD, |amount| amount.currency());
        Coupon {
            id: ID(coupon.id.to_string()),
            description: coupon.discount().describe(currency),
            unusable_reason: coupon.unusable(today),
            archived_at: coupon.archived_at,
            code: coupon.code,
            label: coupon.label,
            percent: coupon
                .percent
                .map(|percent| percent.normalize().to_string()),
            amount: coupon.amount.map(Money::from),
            periods: coupon.periods.and_then(|count| i32::try_from(count).ok()),
            expires_on: coupon.expires_on.map(IsoDate),
            redemption_limit: coupon
                .redemption_limit
                .and_then(|limit| i32::try_from(limit).ok()),
            redeemed: i32::try_from(coupon.redeemed).unwrap_or(i32::MAX),
        }
    }
}

#[derive(Default)]
pub struct BillingQuery;

/// How the company bills a part of a billing period.
#[derive(Clone, SimpleObject)]
pub struct BillingSettings {
    /// The company's proration convention, stamped on every contract line written from now on
    /// (deal approval, a line added or a plan changed mid-term); a contract may have its own.
    pub proration: ProrationConvention,
    /// Every convention, for a picker.
    pub proration_choices: Vec<ProrationConvention>,
}

/// A subscription line's billing timing after it was set.
#[derive(Clone, SimpleObject)]
pub struct ContractLineTiming {
    pub contract_line_id: ID,
    pub billed_in_arrears: bool,
}

/// A contract's billing day after it was set.
#[derive(Clone, SimpleObject)]
pub struct ContractBillingDay {
    pub contract_id: ID,
    pub billing_day: Option<i32>,
}

/// A contract's proration convention after it was set.
#[derive(Clone, SimpleObject)]
pub struct ContractProration {
    pub contract_id: ID,
    pub proration: ProrationConvention,
}

#[Object]
impl BillingQuery {
    /// The company's billing settings: how a part of a period is billed.
    async fn billing_settings(&self, ctx: &Context<'_>) -> async_graphql::Result<BillingSettings> {
        Ok(BillingSettings {
            proration: app(ctx).billing.proration(actor(ctx)?).await?,
            proration_choices: ProrationConvention::ALL.to_vec(),
        })
    }

    /// Every coupon (newest first, at most 500), with what is left of each.
    async fn coupons(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Coupon>> {
        let today = app(ctx).clock.now().date_naive();
        Ok(app(ctx)
            .billing
            .coupons(actor(ctx)?)
            .await?
            .into_iter()
            .map(|coupon| Coupon::of(coupon, today))
            .collect())
    }

    /// What the bill run would issue on `asOf`, without writing anything.
    async fn invoice_preview(
        &self,
        ctx: &Context<'_>,
        as_of: IsoDate,
    ) -> async_graphql::Result<BillRunResult> {
        let report = app(ctx).billing.run(actor(ctx)?, as_of.0, true).await?;
        Ok(BillRunResult::from_report(report, as_of.0))
    }

    /// Progress of the bill run for a date (counts done / total), or null if it never ran.
    async fn bill_run_status(
        &self,
        ctx: &Context<'_>,
        business_date: IsoDate,
    ) -> async_graphql::Result<Option<BillRunStatus>> {
        Ok(app(ctx)
            .billing
            .run_status(actor(ctx)?, business_date.0)
            .await?
            .map(BillRunStatus::from))
    }

    async fn bill_runs(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BillRunStatus>> {
        Ok(app(ctx)
            .billing
            .recent_runs(actor(ctx)?)
            .await?
            .into_iter()
            .map(BillRunStatus::from)
            .collect())
    }

    /// Past charges (invoiced or waiting) and upcoming periods of a contract.
    async fn contract_billing_schedule(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
    ) -> async_graphql::Result<Vec<BillingScheduleRow>> {
        let id = parse_id("contractId", &contract_id)?;
        Ok(app(ctx)
            .billing
            .schedule(actor(ctx)?, id)
            .await?
            .into_iter()
            .map(BillingScheduleRow::from)
            .collect())
    }

    /// What a contract modification would bill, worked out before it is recorded: the same
    /// input as `contractModify` (its idempotency key is not used), checked the same way — a
    /// refusal names the same field — and nothing written.
    async fn contract_modify_preview(
        &self,
        ctx: &Context<'_>,
        input: ContractModifyInput,
    ) -> async_graphql::Result<ContractModificationPreview> {
        let preview = app(ctx)
            .billing
            .preview_modify(actor(ctx)?, input.parse()?)
            .await?;
        Ok(ContractModificationPreview {
            treatment: preview.treatment,
            charges: preview
                .charges
                .into_iter()
                .map(BillingScheduleRow::from)
                .collect(),
            total: preview.total.into(),
        })
    }

    /// Usage per meter and month of a contract, priced as the bill run prices it.
    async fn contract_usage(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
    ) -> async_graphql::Result<Vec<UsageMonth>> {
        let id = parse_id("contractId", &contract_id)?;
        Ok(app(ctx)
            .billing
            .usage(actor(ctx)?, id)
            .await?
            .into_iter()
            .map(|month| UsageMonth {
                contract_line_id: ID(month.contract_line_id.to_string()),
                meter: month.meter,
                month: month.month,
                records: month.records,
                used: month.used,
                billable: month.billable,
                amount: month.amount.into(),
                billed: month.billed,
            })
            .collect())
    }

    /// Timesheet entries, e.g. `status: "submitted"` for those awaiting approval.
    async fn timesheets(
        &self,
        ctx: &Context<'_>,
        status: Option<String>,
    ) -> async_graphql::Result<Vec<Timesheet>> {
        Ok(app(ctx)
            .billing
            .timesheets(actor(ctx)?, status.as_deref())
            .await?
            .into_iter()
            .map(Timesheet::from)
            .collect())
    }
}

#[derive(InputObject)]
pub struct UsageRecordInput {
    pub contract_line_id: ID,
    pub meter: String,
    /// Decimal string, not negative.
    pub quantity: String,
    pub occurred_at: DateTime<Utc>,
    /// The sender's id for the record; a repeat is ignored and reported.
    pub client_id: String,
}

#[derive(InputObject)]
pub struct TimesheetSubmitInput {
    pub contract_line_id: ID,
    pub person: String,
    pub role: String,
    pub work_date: IsoDate,
    pub hours: String,
    /// The rate card's hourly rate for the role.
    pub rate: MoneyInput,
    pub description: String,
}

#[derive(InputObject)]
pub struct ContractLineChangeInput {
    pub contract_line_id: ID,
    pub kind: ChangeKind,
    /// For a quantity change: the new seat count.
    pub new_quantity: Option<String>,
    pub effective_date: IsoDate,
    /// Whether the service still to come is distinct from what was delivered (a series of
    /// months usually is): the revenue change is then prospective; otherwise a cumulative
    /// catch-up in the modification period. Default true.
    pub remaining_distinct: Option<bool>,
    pub reason: String,
    pub idempotency_key: String,
}

#[derive(InputObject)]
pub struct UsageTierInput {
    /// Upper bound of the tier; empty for the last, unbounded tier.
    pub up_to: Option<String>,
    pub unit_price: String,
}

#[derive(InputObject)]
pub struct UsagePricingInput {
    pub meter: String,
    pub aggregation: Aggregation,
    pub model: PricingModel,
    pub included: String,
    pub tiers: Vec<UsageTierInput>,
    /// A minimum commitment over the line's term, in the line's currency ("12000.00"): when the
    /// term is over, what its usage billed below it is billed once as a true-up.
    pub minimum_commitment: Option<String>,
}

/// A line a modification adds.
#[derive(InputObject)]
pub struct NewContractLineInput {
    pub kind: ContractLineKind,
    pub product_name: String,
    pub quantity: String,
    pub unit_price: MoneyInput,
    pub billing_frequency: Option<BillingFrequency>,
    pub alignment: Option<Alignment>,
    pub start_date: IsoDate,
    pub end_date: IsoDate,
    pub usage_pricing: Option<UsagePricingInput>,
}

impl NewContractLineInput {
    fn parse(self, field: &str) -> Result<NewLine, AppError> {
        let prefixed = |name: &str| {
            if field.is_empty() {
                name.to_string()
            } else {
                format!("{field}.{name}")
            }
        };
        let unit_price = self.unit_price.parse(&prefixed("unitPrice"))?;
        let usage_pricing = self
            .usage_pricing
            .map(|pricing| parse_pricing(pricing, &prefixed("usagePricing")))
            .transpose()?;
        Ok(NewLine {
            kind: self.kind,
            product_name: self.product_name,
            quantity: self.quantity,
            unit_price,
            billing_frequency: self.billing_frequency,
            alignment: self.alignment.unwrap_or(Alignment::Anniversary),
            start_date: self.start_date.0,
            end_date: self.end_date.0,
            usage_pricing,
        })
    }
}

#[derive(InputObject)]
pub struct ContractLineAddInput {
    pub contract_id: ID,
    #[graphql(flatten)]
    pub line: NewContractLineInput,
    /// The modification date (when the addition was agreed); today when left out. Revenue is
    /// re-allocated as of this date, not the line's own start.
    pub modified_on: Option<IsoDate>,
    pub reason: Option<String>,
}

#[derive(InputObject)]
pub struct SeatChangeInput {
    pub contract_line_id: ID,
    pub new_quantity: String,
}

#[derive(InputObject)]
pub struct TermChangeInput {
    pub contract_line_id: ID,
    /// The line's new last service day (later extends the term, earlier shortens it).
    pub new_end_date: IsoDate,
}

#[derive(InputObject)]
pub struct LineCancelInput {
    pub contract_line_id: ID,
    /// Stop at the end of the billing period the modification date falls in (nothing to
    /// credit) rather than on the date itself (the unused part credited). Default false.
    pub at_period_end: Option<bool>,
}

/// A recurring discount agreed mid-term, from the first period starting on or after the
/// modification date; by figures or a coupon's code.
#[derive(InputObject)]
pub struct LineDiscountChangeInput {
    pub contract_line_id: ID,
    pub discount: billing::discounts::DiscountInput,
}

/// A plan change of a subscription line — an upgrade, downgrade or cross-grade to another
/// product, price, quantity or billing period. What is not given stays as the line has it. The
/// line stops on the change date and a new line, co-termed with it (its periods counted from the
/// old line's), takes over to the old line's end.
#[derive(InputObject)]
pub struct PlanChangeInput {
    pub contract_line_id: ID,
    pub product_name: Option<String>,
    /// Per unit and billing period, in the contract's currency.
    pub unit_price: Option<MoneyInput>,
    /// Decimal string.
    pub quantity: Option<String>,
    pub billing_frequency: Option<BillingFrequency>,
    /// IMMEDIATELY: from the modification date, the unused part of the old price credited and
    /// the new price charged for the rest of the period on one invoice. PERIOD_END: from the
    /// end of the period the modification date falls in, nothing prorated.
    pub timing: PlanTiming,
}

/// One change of a contract modification: exactly one of these.
#[derive(OneofObject)]
pub enum ContractChangeInput {
    AddLine(NewContractLineInput),
    Quantity(SeatChangeInput),
    Term(TermChangeInput),
    Cancel(LineCancelInput),
    Discount(LineDiscountChangeInput),
    Plan(PlanChangeInput),
}

/// A contract modification (ASC 606-10-25-10): every change from one date, for one reason,
/// evaluated together.
#[derive(InputObject)]
pub struct ContractModifyInput {
    pub contract_id: ID,
    /// The modification date: when the parties agreed the change; seats, cancellations and the
    /// re-allocation of revenue take effect from it. An open period, on or after the contract's
    /// start.
    pub effective_date: IsoDate,
    pub reason: String,
    /// Whether the service still to come is distinct from what was delivered (a series of
    /// months usually is): prospective; otherwise a cumulative catch-up. Default true.
    pub remaining_distinct: Option<bool>,
    /// At most 50; one change per existing line. Their order does not matter.
    pub changes: Vec<ContractChangeInput>,
    pub idempotency_key: String,
}

impl ContractModifyInput {
    fn parse(self) -> Result<ModifyInput, AppError> {
        let changes = self
            .changes
            .into_iter()
            .enumerate()
            .map(|(index, change)| change.parse(index))
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(ModifyInput {
            contract_id: self.contract_id.to_string(),
            effective: self.effective_date.0,
            reason: self.reason,
            idempotency_key: self.idempotency_key,
            remaining_distinct: self.remaining_distinct.unwrap_or(true),
            changes,
        })
    }
}

impl ContractChangeInput {
    fn parse(self, index: usize) -> Result<ContractChange, AppError> {
        let line_id = |id: &ID| parse_id(&format!("changes.{index}.contractLineId"), id);
        Ok(match self {
            ContractChangeInput::AddLine(line) => {
                ContractChange::AddLine(line.parse(&format!("changes.{index}"))?)
            }
            ContractChangeInput::Quantity(change) => ContractChange::Quantity {
                line_id: line_id(&change.contract_line_id)?,
                new_quantity: change.new_quantity,
            },
            ContractChangeInput::Term(change) => ContractChange::Term {
                line_id: line_id(&change.contract_line_id)?,
                new_end: change.new_end_date.0,
            },
            ContractChangeInput::Cancel(change) => ContractChange::Cancel {
                line_id: line_id(&change.contract_line_id)?,
                at_period_end: change.at_period_end.unwrap_or(false),
            },
            ContractChangeInput::Discount(change) => ContractChange::Discount {
                line_id: line_id(&change.contract_line_id)?,
                discount: change.discount,
            },
            ContractChangeInput::Plan(change) => ContractChange::Plan(PlanChange {
                line_id: line_id(&change.contract_line_id)?,
                product_name: change.product_name,
                unit_price: change
                    .unit_price
                    .map(|price| price.parse(&format!("changes.{index}.unitPrice")))
                    .transpose()?,
                quantity: change.quantity,
                billing_frequency: change.billing_frequency,
                timing: change.timing,
            }),
        })
    }
}

/// What a contract modification would bill, before it is recorded.
#[derive(SimpleObject)]
pub struct ContractModificationPreview {
    /// combined, separate, prospective or catch_up.
    pub treatment: String,
    /// The charges it makes due on the lines' next invoice: credits for unused time (negative)
    /// and new or changed periods, each with its proration stated.
    pub charges: Vec<BillingScheduleRow>,
    /// What they come to: owed (positive) or credited (negative).
    pub total: Money,
}

/// What a contract modification did.
#[derive(SimpleObject)]
pub struct ContractModification {
    /// combined, separate, prospective or catch_up.
    pub treatment: String,
    /// The modification log entry, with the changes as applied and the allocation before and
    /// after.
    pub modification: super::revenue::RevenueModification,
    pub added_lines: Vec<ContractLineBilling>,
}

fn decimal_field(field: &str, text: &str) -> Result<Decimal, AppError> {
    Decimal::from_str(text.trim())
        .map_err(|_| AppError::validation(field, format!("{text:?} is not a decimal number.")))
}

fn parse_pricing(input: UsagePricingInput, field: &str) -> Result<UsagePricing, AppError> {
    let tiers = input
        .tiers
        .iter()
        .enumerate()
        .map(|(index, tier)| {
            Ok(Tier {
                up_to: tier
                    .up_to
                    .as_deref()
                    .filter(|text| !text.trim().is_empty())
                    .map(|text| decimal_field(&format!("{field}.tiers.{index}.upTo"), text))
                    .transpose()?,
                unit_price: decimal_field(
                    &format!("{field}.tiers.{index}.unitPrice"),
                    &tier.unit_price,
                )?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(UsagePricing {
        meter: input.meter.trim().to_string(),
        aggregation: input.aggregation,
        model: input.model,
        included: decimal_field(&format!("{field}.included"), &input.included)?,
        tiers,
        commitment: input
            .minimum_commitment
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(|text| decimal_field(&format!("{field}.minimumCommitment"), text))
            .transpose()?,
    })
}

#[derive(Default)]
pub struct BillingMutation;

#[Object]
impl BillingMutation {
    /// Creates a coupon: a code that gives a deal's subscription line a recurring discount,
    /// counted as redeemed when the deal is approved.
    async fn coupon_create(
        &self,
        ctx: &Context<'_>,
        input: billing::coupons::CouponCreateInput,
    ) -> async_graphql::Result<Coupon> {
        let today = app(ctx).clock.now().date_naive();
        let created = app(ctx).billing.coupon_create(actor(ctx)?, &input).await?;
        Ok(Coupon::of(created, today))
    }

    /// Archives a coupon: no deal entered or approved from now on can redeem it; lines that
    /// already carry its discount keep it. Archiving it again changes nothing.
    async fn coupon_archive(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> async_graphql::Result<Coupon> {
        let today = app(ctx).clock.now().date_naive();
        let archived = app(ctx).billing.coupon_archive(actor(ctx)?, &code).await?;
        Ok(Coupon::of(archived, today))
    }

    /// Sets the company's proration convention: actual days (days used ÷ days in the period),
    /// 30-day months (every month counts 30 days) or whole periods (no proration: a started
    /// period costs the whole period and nothing is credited back). Contracts already written
    /// keep theirs; the change is audited.
    async fn billing_set_proration(
        &self,
        ctx: &Context<'_>,
        proration: ProrationConvention,
    ) -> async_graphql::Result<BillingSettings> {
        Ok(BillingSettings {
            proration: app(ctx)
                .billing
                .set_proration(actor(ctx)?, proration)
                .await?,
            proration_choices: ProrationConvention::ALL.to_vec(),
        })
    }

    /// Gives one contract its own proration convention (a term agreed with that customer).
    /// Refused once any of its charges is billed; its revenue is restated to match.
    async fn contract_set_proration(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
        proration: ProrationConvention,
    ) -> async_graphql::Result<ContractProration> {
        let set = app(ctx)
            .billing
            .set_contract_proration(actor(ctx)?, contract_id.as_str(), proration)
            .await?;
        Ok(ContractProration {
            contract_id: ID(set.contract_id.to_string()),
            proration: set.convention,
        })
    }

    /// Bills a contract's subscription lines on a day of the month (1–31; a later day than a
    /// month has bills on its last day), each from a stub to the first such day; empty returns
    /// each line to its own start date. Lines added later bill on the same day. Refused once any
    /// of its charges is billed; its revenue is restated to match.
    async fn contract_set_billing_day(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
        billing_day: Option<i32>,
    ) -> async_graphql::Result<ContractBillingDay> {
        let set = app(ctx)
            .billing
            .set_contract_billing_day(actor(ctx)?, contract_id.as_str(), billing_day)
            .await?;
        Ok(ContractBillingDay {
            contract_id: ID(set.contract_id.to_string()),
            billing_day: set.billing_day,
        })
    }

    /// Bills a subscription line in arrears — each period on the day after it ends, with the
    /// changes within it — or in advance again (`inArrears: false`). Refused once the line has a
    /// charge written.
    async fn contract_line_set_billed_in_arrears(
        &self,
        ctx: &Context<'_>,
        contract_line_id: ID,
        in_arrears: bool,
    ) -> async_graphql::Result<ContractLineTiming> {
        let set = app(ctx)
            .billing
            .set_line_in_arrears(actor(ctx)?, contract_line_id.as_str(), in_arrears)
            .await?;
        Ok(ContractLineTiming {
            contract_line_id: ID(set.contract_line_id.to_string()),
            billed_in_arrears: set.billed_in_arrears,
        })
    }

    /// Runs billing for `asOf`: every invoice due by then, each exactly once.
    async fn bill_run(
        &self,
        ctx: &Context<'_>,
        as_of: IsoDate,
    ) -> async_graphql::Result<BillRunResult> {
        let report = app(ctx).billing.run(actor(ctx)?, as_of.0, false).await?;
        Ok(BillRunResult::from_report(report, as_of.0))
    }

    async fn usage_record(
        &self,
        ctx: &Context<'_>,
        records: Vec<UsageRecordInput>,
    ) -> async_graphql::Result<UsageImportResult> {
        let inputs = records
            .into_iter()
            .map(|record| UsageInput {
                contract_line_id: record.contract_line_id.to_string(),
                meter: record.meter,
                quantity: record.quantity,
                occurred_at: record.occurred_at,
                client_id: record.client_id,
            })
            .collect();
        Ok(app(ctx).billing.record_usage(actor(ctx)?, inputs).await?)
    }

    /// CSV text with header `contract_line_id,meter,quantity,occurred_at,client_id`.
    async fn usage_upload(
        &self,
        ctx: &Context<'_>,
        csv: String,
    ) -> async_graphql::Result<UsageImportResult> {
        Ok(app(ctx).billing.upload_usage_csv(actor(ctx)?, &csv).await?)
    }

    async fn timesheet_submit(
        &self,
        ctx: &Context<'_>,
        input: TimesheetSubmitInput,
    ) -> async_graphql::Result<Timesheet> {
        let rate = input.rate.parse("rate")?;
        Ok(app(ctx)
            .billing
            .submit_timesheet(
                actor(ctx)?,
                TimesheetInput {
                    contract_line_id: input.contract_line_id.to_string(),
                    person: input.person,
                    role: input.role,
                    work_date: input.work_date.0,
                    hours: input.hours,
                    rate,
                    description: input.description,
                },
            )
            .await?
            .into())
    }

    async fn timesheet_decide(
        &self,
        ctx: &Context<'_>,
        id: ID,
        approve: bool,
        note: Option<String>,
    ) -> async_graphql::Result<Timesheet> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx)
            .billing
            .decide_timesheet(actor(ctx)?, id, approve, note)
            .await?
            .into())
    }

    /// Records a delivery; `deliveredOn` is the day it happened (today when not given), which
    /// may be back-dated into an open period but not into a closed one.
    async fn contract_line_deliver(
        &self,
        ctx: &Context<'_>,
        id: ID,
        delivered_on: Option<IsoDate>,
        #[graphql(
            desc = "For a perpetual licence delivered in parts: how many units this delivery \
                    hands over (the rest when left out once parts were delivered). Each part \
                    is billed and recognised on its own date."
        )]
        quantity: Option<String>,
    ) -> async_graphql::Result<ContractLineBilling> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx)
            .billing
            .deliver(
                actor(ctx)?,
                id,
                delivered_on.map(|date| date.0),
                quantity.as_deref(),
            )
            .await?
            .try_into()?)
    }

    /// Records the customer's acceptance of a delivered milestone; `acceptedOn` is the day the
    /// customer accepted (today when not given), back-dated into open periods only.
    async fn contract_line_accept(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: String,
        accepted_on: Option<IsoDate>,
    ) -> async_graphql::Result<ContractLineBilling> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx)
            .billing
            .accept(actor(ctx)?, id, &note, accepted_on.map(|date| date.0))
            .await?
            .try_into()?)
    }

    async fn contract_line_change(
        &self,
        ctx: &Context<'_>,
        input: ContractLineChangeInput,
    ) -> async_graphql::Result<ContractLineBilling> {
        let id = parse_id("contractLineId", &input.contract_line_id)?;
        let app = app(ctx);
        app.billing
            .change_line(
                actor(ctx)?,
                id,
                input.kind,
                input.new_quantity.as_deref(),
                input.effective_date.0,
                input.remaining_distinct.unwrap_or(true),
                &input.reason,
                &input.idempotency_key,
            )
            .await?;
        let line = crate::entities::contract_line::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| AppError::not_found("line"))?;
        Ok(line.try_into()?)
    }

    async fn contract_line_add(
        &self,
        ctx: &Context<'_>,
        input: ContractLineAddInput,
    ) -> async_graphql::Result<ContractLineBilling> {
        let line = input.line.parse("")?;
        Ok(app(ctx)
            .billing
            .add_line(
                actor(ctx)?,
                LineAddInput {
                    contract_id: input.contract_id.to_string(),
                    line,
                    modified_on: input.modified_on.map(|date| date.0),
                    reason: input.reason,
                },
            )
            .await?
            .try_into()?)
    }

    /// Modifies a running contract: lines added, seats changed, terms moved and lines
    /// cancelled, all from one modification date, accounted for together under ASC 606 (a
    /// separate contract, prospective or a cumulative catch-up). The same idempotency key
    /// returns the first result.
    async fn contract_modify(
        &self,
        ctx: &Context<'_>,
        input: ContractModifyInput,
    ) -> async_graphql::Result<ContractModification> {
        let done = app(ctx).billing.modify(actor(ctx)?, input.parse()?).await?;
        Ok(ContractModification {
            treatment: done.treatment,
            modification: crate::revenue::report::Modification::from(done.modification).into(),
            added_lines: done
                .added
                .into_iter()
                .map(ContractLineBilling::try_from)
                .collect::<Result<Vec<_>, AppError>>()?,
        })
    }
}
