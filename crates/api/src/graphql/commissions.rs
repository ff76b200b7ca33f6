//! Commissions: plans (import, versions, schema), assignments and acknowledgement, deal splits,
//! managers, the period calculation and its status, statements with explanations, disputes and
//! payouts.

use super::types::Money;
use super::{actor, app};
use crate::commissions::plan::Format;
use crate::commissions::repo::PlanVersion;
use crate::commissions::{self, AssignInput, DisputeStatus, Resolution};
use crate::values::{parse_id, IsoDate};
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

fn id(value: i64) -> ID {
    ID(value.to_string())
}

fn monies(values: Vec<crate::money::Money>) -> Vec<Money> {
    values.into_iter().map(Money::from).collect()
}

#[derive(Clone, Copy, PartialEq, Eq, Enum)]
pub enum PlanFormat {
    Yaml,
    Json,
}

/// One version of a commission plan.
#[derive(Clone, SimpleObject)]
pub struct CommissionPlan {
    pub id: ID,
    /// What deals name in `commissionPlanId`.
    pub code: String,
    pub version: i32,
    pub name: String,
    pub currency: String,
    pub effective_from: IsoDate,
    pub effective_to: Option<IsoDate>,
    pub capitalise: bool,
    pub quota_period: String,
    pub quota: Money,
    pub components: Vec<CommissionComponent>,
    /// The plan as canonical JSON.
    pub document_json: String,
    /// The document as it was imported (YAML or JSON).
    pub source_text: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, SimpleObject)]
pub struct CommissionComponent {
    pub name: String,
    pub metric: String,
    /// retroactive or marginal.
    pub tier_mode: String,
    /// Each band of attainment with its effective rate, e.g. "Tier 2 × 1.5 above 150% (150%+)".
    pub bands: Vec<CommissionBand>,
    pub cap: Option<String>,
}

#[derive(Clone, SimpleObject)]
pub struct CommissionBand {
    pub from_percent: String,
    pub to_percent: Option<String>,
    pub rate_percent: String,
    pub label: String,
}

impl From<PlanVersion> for CommissionPlan {
    fn from(plan: PlanVersion) -> CommissionPlan {
        let document = &plan.document;
        CommissionPlan {
            id: id(plan.id),
            code: plan.code.clone(),
            version: plan.version,
            name: plan.name.clone(),
            currency: document.currency.clone(),
            effective_from: IsoDate(plan.effective_from),
            effective_to: plan.effective_to.map(IsoDate),
            capitalise: document.capitalise,
            quota_period: format!("{:?}", document.quota.period).to_lowercase(),
            quota: document.quota().map(Money::from).unwrap_or(Money {
                amount: document.quota.amount.0.to_string(),
                currency: document.currency.clone(),
            }),
            components: document
                .components
                .iter()
                .map(|component| CommissionComponent {
                    name: component.name.clone(),
                    metric: component.metric.as_str().into(),
                    tier_mode: format!("{:?}", component.tier_mode).to_lowercase(),
                    bands: commissions::rules::bands(component)
                        .into_iter()
                        .map(|band| CommissionBand {
                            from_percent: band.from.normalize().to_string(),
                            to_percent: band.to.map(|to| to.normalize().to_string()),
                            rate_percent: band.rate.normalize().to_string(),
                            label: band.label,
                        })
                        .collect(),
                    cap: component.cap.map(|cap| cap.0.to_string()),
                })
                .collect(),
            document_json: document.to_json().unwrap_or_default(),
            source_text: plan.source_text,
            created_at: plan.created_at,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct CommissionAssignment {
    pub id: ID,
    pub user_id: ID,
    pub user_name: String,
    pub plan_code: String,
    pub effective_from: IsoDate,
    pub effective_to: Option<IsoDate>,
    /// The rep's own quota, when it differs from the plan's.
    pub quota: Option<Money>,
    pub assigned_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_version: Option<i32>,
}

impl From<commissions::Assignment> for CommissionAssignment {
    fn from(row: commissions::Assignment) -> CommissionAssignment {
        CommissionAssignment {
            id: id(row.id),
            user_id: id(row.user_id),
            user_name: row.user_name,
            plan_code: row.plan_code,
            effective_from: IsoDate(row.effective_from),
            effective_to: row.effective_to.map(IsoDate),
            quota: row.quota.map(Money::from),
            assigned_at: row.assigned_at,
            acknowledged_at: row.acknowledged_at,
            acknowledged_version: row.acknowledged_version,
        }
    }
}

/// A statement line and why it pays what it pays.
#[derive(Clone, SimpleObject)]
pub struct CommissionLine {
    pub id: ID,
    pub period: String,
    pub user_id: ID,
    pub plan_code: String,
    pub plan_version: i32,
    pub component: String,
    /// credit, trueup, spif, override, clawback or adjustment.
    pub kind: String,
    pub deal_id: Option<ID>,
    pub contract_id: Option<ID>,
    /// new, expansion or renewal.
    pub business: Option<String>,
    pub metric: String,
    /// The metric's amount in minor units of the deal's currency, before the split.
    pub metric_amount_minor: String,
    /// The rep's share, percent.
    pub split_percent: String,
    pub credited: Money,
    pub tier: String,
    pub rate: String,
    pub amount: Money,
    pub explanation: String,
    /// credit_memo, write_off, churn or dispute.
    pub cause_type: Option<String>,
    pub cause_id: Option<ID>,
    pub reverses_line_id: Option<ID>,
    pub capitalised: bool,
    /// calculated or paid.
    pub status: String,
    pub payout_id: Option<ID>,
    pub open_dispute_id: Option<ID>,
}

impl From<commissions::Line> for CommissionLine {
    fn from(line: commissions::Line) -> CommissionLine {
        CommissionLine {
            id: id(line.id),
            period: line.period,
            user_id: id(line.user_id),
            plan_code: line.plan_code,
            plan_version: line.plan_version,
            component: line.component,
            kind: line.kind,
            deal_id: line.deal_id.map(id),
            contract_id: line.contract_id.map(id),
            business: line.business,
            metric: line.metric,
            metric_amount_minor: line.metric_amount.to_string(),
            split_percent: (rust_decimal::Decimal::from(line.split_bp)
                / rust_decimal::Decimal::ONE_HUNDRED)
                .normalize()
                .to_string(),
            credited: line.credited.into(),
            tier: line.tier,
            rate: line.rate,
            amount: line.amount.into(),
            explanation: line.explanation,
            cause_type: line.cause_type,
            cause_id: line.cause_id.map(id),
            reverses_line_id: line.reverses_line_id.map(id),
            capitalised: line.capitalised,
            status: line.status,
            payout_id: line.payout_id.map(id),
            open_dispute_id: line.open_dispute_id.map(id),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct AttainmentMonth {
    pub period: String,
    /// Cumulative credited through this month of the quota window.
    pub credited: Money,
}

#[derive(Clone, SimpleObject)]
pub struct CommissionAttainment {
    pub component: String,
    pub metric: String,
    pub quota: Money,
    pub window_start: String,
    pub window_end: String,
    pub credited: Money,
    pub percent: String,
    pub months: Vec<AttainmentMonth>,
}

#[derive(Clone, SimpleObject)]
pub struct CommissionForecast {
    pub deal_id: ID,
    pub crm_opportunity_id: String,
    pub product_name: String,
    pub metric_amount: Money,
    pub estimated: Money,
    pub explanation: String,
}

#[derive(Clone, SimpleObject)]
pub struct CommissionStatement {
    pub user_id: ID,
    pub user_name: String,
    pub period: String,
    pub plan: Option<CommissionPlan>,
    pub assignment: Option<CommissionAssignment>,
    pub lines: Vec<CommissionLine>,
    pub totals: Vec<Money>,
    pub paid: Vec<Money>,
    pub unpaid: Vec<Money>,
    pub attainment: Vec<CommissionAttainment>,
    /// The rep's open deals under their plan (own statement, current month only).
    pub forecast: Vec<CommissionForecast>,
    pub next_payout_date: IsoDate,
}

impl From<commissions::Statement> for CommissionStatement {
    fn from(statement: commissions::Statement) -> CommissionStatement {
        CommissionStatement {
            user_id: id(statement.user_id),
            user_name: statement.user_name,
            period: statement.period,
            plan: statement.plan.map(CommissionPlan::from),
            assignment: statement.assignment.map(CommissionAssignment::from),
            lines: statement
                .lines
                .into_iter()
                .map(CommissionLine::from)
                .collect(),
            totals: monies(statement.totals),
            paid: monies(statement.paid),
            unpaid: monies(statement.unpaid),
            attainment: statement
                .attainment
                .into_iter()
                .map(|row| CommissionAttainment {
                    component: row.component,
                    metric: row.metric,
                    quota: row.quota.into(),
                    window_start: row.window_start,
                    window_end: row.window_end,
                    credited: row.credited.into(),
                    percent: row.percent,
                    months: row
                        .months
                        .into_iter()
                        .map(|(period, credited)| AttainmentMonth {
                            period,
                            credited: credited.into(),
                        })
                        .collect(),
                })
                .collect(),
            forecast: statement
                .forecast
                .into_iter()
                .map(|row| CommissionForecast {
                    deal_id: id(row.deal_id),
                    crm_opportunity_id: row.crm_opportunity_id,
                    product_name: row.product_name,
                    metric_amount: row.metric_amount.into(),
                    estimated: row.estimated.into(),
                    explanation: row.explanation,
                })
                .collect(),
            next_payout_date: IsoDate(statement.next_payout_date),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct CommissionStatementSummary {
    pub user_id: ID,
    pub user_name: String,
    pub plan_code: Option<String>,
    pub lines: i32,
    pub totals: Vec<Money>,
    pub open_disputes: i32,
}

#[derive(Clone, SimpleObject)]
pub struct CommissionRun {
    pub id: ID,
    pub period: String,
    pub as_of: IsoDate,
    pub due_on: IsoDate,
    pub lines: i32,
    /// Lines inserted, changed or retired by this run (0 on a rerun with nothing new).
    pub changed: i32,
    /// Journal entries posted.
    pub entries: i32,
    pub totals: Vec<Money>,
    pub warnings: Vec<String>,
    pub ran_at: DateTime<Utc>,
}

impl From<commissions::calc::RunReport> for CommissionRun {
    fn from(run: commissions::calc::RunReport) -> CommissionRun {
        CommissionRun {
            id: id(run.id),
            period: run.period,
            as_of: IsoDate(run.as_of),
            due_on: IsoDate(run.due_on),
            lines: run.lines,
            changed: run.changed,
            entries: run.entries,
            totals: monies(run.totals),
            warnings: run.warnings,
            ran_at: run.ran_at,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct CommissionPeriodStatus {
    pub period: String,
    /// Five business days after the month's end.
    pub due_on: IsoDate,
    pub first_run_at: Option<DateTime<Utc>>,
    pub last_run: Option<CommissionRun>,
    /// open, due, overdue, done_on_time, done_late, or no_plans (nobody was on a plan).
    pub state: String,
    pub paid_out: bool,
}

impl From<commissions::PeriodStatus> for CommissionPeriodStatus {
    fn from(status: commissions::PeriodStatus) -> CommissionPeriodStatus {
        CommissionPeriodStatus {
            period: status.period,
            due_on: IsoDate(status.due_on),
            first_run_at: status.first_run_at,
            last_run: status.last_run.map(CommissionRun::from),
            state: status.state,
            paid_out: status.paid_out,
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct CommissionDispute {
    pub id: ID,
    pub line: CommissionLine,
    pub raised_by: ID,
    pub raised_by_name: String,
    pub reason: String,
    pub status: DisputeStatus,
    pub raised_at: DateTime<Utc>,
    pub answer_due_at: DateTime<Utc>,
    pub resolved_by_name: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub adjustment: Option<CommissionLine>,
}

impl From<commissions::Dispute> for CommissionDispute {
    fn from(row: commissions::Dispute) -> CommissionDispute {
        CommissionDispute {
            id: id(row.id),
            line: row.line.into(),
            raised_by: id(row.raised_by),
            raised_by_name: row.raised_by_name,
            reason: row.reason,
            status: row.status,
            raised_at: row.raised_at,
            answer_due_at: row.answer_due_at,
            resolved_by_name: row.resolved_by_name,
            resolved_at: row.resolved_at,
            comment: row.comment,
            adjustment: row.adjustment.map(CommissionLine::from),
        }
    }
}

#[derive(Clone, SimpleObject)]
pub struct CommissionPayoutRow {
    pub user_id: ID,
    pub name: String,
    pub email: String,
    pub amount: Money,
    pub lines: i32,
}

#[derive(Clone, SimpleObject)]
pub struct CommissionPayout {
    pub id: ID,
    pub period: String,
    pub payout_date: IsoDate,
    pub lines: i32,
    pub totals: Vec<Money>,
    pub approved_by_name: String,
    pub approved_at: DateTime<Utc>,
    pub journal_entry_ids: Vec<ID>,
    /// Who is paid what (filled by `commissionPayout`; empty in lists).
    pub rows: Vec<CommissionPayoutRow>,
    /// `GET` this with the bearer token for the payroll CSV.
    pub csv_url: String,
}

fn payout_of(payout: commissions::Payout, rows: Vec<commissions::PayoutRow>) -> CommissionPayout {
    CommissionPayout {
        csv_url: format!("/api/commissions/payouts/{}/csv", payout.id),
        id: id(payout.id),
        period: payout.period,
        payout_date: IsoDate(payout.payout_date),
        lines: payout.lines,
        totals: monies(payout.totals),
        approved_by_name: payout.approved_by_name,
        approved_at: payout.approved_at,
        journal_entry_ids: payout.journal_entry_ids.into_iter().map(id).collect(),
        rows: rows
            .into_iter()
            .map(|row| CommissionPayoutRow {
                user_id: id(row.user_id),
                name: row.name,
                email: row.email,
                amount: row.amount.into(),
                lines: row.lines,
            })
            .collect(),
    }
}

#[derive(Clone, SimpleObject)]
pub struct CommissionSummary {
    pub as_of: IsoDate,
    pub earned_month_to_date: Vec<Money>,
    /// Calculated and not yet paid, from months before this one.
    pub payable: Vec<Money>,
    pub next_payout_date: IsoDate,
    pub open_disputes: i32,
    pub overdue_disputes: i32,
    /// Last month's calculation against the 5-business-day rule.
    pub last_close: CommissionPeriodStatus,
}

#[derive(Clone, SimpleObject)]
pub struct DealSplit {
    pub user_id: ID,
    pub user_name: String,
    pub percent: String,
}

fn splits_of(rows: Vec<(i64, String, i32)>) -> Vec<DealSplit> {
    rows.into_iter()
        .map(|(user_id, user_name, bp)| DealSplit {
            user_id: id(user_id),
            user_name,
            percent: (rust_decimal::Decimal::from(bp) / rust_decimal::Decimal::ONE_HUNDRED)
                .normalize()
                .to_string(),
        })
        .collect()
}

#[derive(InputObject)]
pub struct CommissionPlanImportInput {
    /// The plan document (YAML or JSON); see `commissionPlanSchema`.
    pub document: String,
    /// Guessed from the first character when left out.
    pub format: Option<PlanFormat>,
}

#[derive(InputObject)]
pub struct CommissionPlanAssignInput {
    pub user_id: ID,
    pub plan_code: String,
    pub effective_from: IsoDate,
    pub effective_to: Option<IsoDate>,
    /// The rep's own quota per quota period (decimal string), instead of the plan's.
    pub quota: Option<String>,
}

#[derive(InputObject)]
pub struct DealSplitInput {
    pub user_id: ID,
    /// Percent as a decimal string, e.g. "60" or "33.33"; the split sums to exactly 100.
    pub percent: String,
}

#[derive(InputObject)]
pub struct DealSplitSetInput {
    pub deal_id: ID,
    pub splits: Vec<DealSplitInput>,
}

#[derive(InputObject)]
pub struct CommissionDisputeRaiseInput {
    pub line_id: ID,
    pub reason: String,
}

#[derive(InputObject)]
pub struct CommissionDisputeResolveInput {
    pub dispute_id: ID,
    pub accept: bool,
    /// For an accepted dispute: the adjustment (decimal string, negative to reduce).
    pub adjustment: Option<String>,
    pub comment: String,
}

#[derive(InputObject)]
pub struct CommissionPayoutApproveInput {
    pub period: String,
    pub payout_date: IsoDate,
    pub idempotency_key: String,
}

#[derive(Default)]
pub struct CommissionQuery;

#[Object]
impl CommissionQuery {
    /// Every version of every plan, newest version first within a code.
    async fn commission_plans(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CommissionPlan>> {
        Ok(app(ctx)
            .commissions
            .plans(actor(ctx)?)
            .await?
            .into_iter()
            .map(CommissionPlan::from)
            .collect())
    }

    /// The JSON Schema of plan documents (also at `GET /api/commissions/plan-schema.json`).
    async fn commission_plan_schema(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        actor(ctx)?;
        Ok(app(ctx).commissions.plan_schema().to_string())
    }

    /// A complete example plan in YAML, to start a new plan from.
    async fn commission_plan_example(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        actor(ctx)?;
        Ok(app(ctx).commissions.plan_example().to_string())
    }

    /// Plan assignments: one user's, or all the caller may see.
    async fn commission_assignments(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
    ) -> async_graphql::Result<Vec<CommissionAssignment>> {
        let user_id = user_id
            .map(|value| parse_id("userId", &value))
            .transpose()?;
        Ok(app(ctx)
            .commissions
            .assignments(actor(ctx)?, user_id)
            .await?
            .into_iter()
            .map(CommissionAssignment::from)
            .collect())
    }

    /// A rep's statement for a month ("YYYY-MM"); the caller's own when `userId` is left out.
    async fn commission_statement(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        period: String,
    ) -> async_graphql::Result<CommissionStatement> {
        let actor = actor(ctx)?;
        let user_id = match user_id {
            Some(value) => parse_id("userId", &value)?,
            None => actor.user_id,
        };
        Ok(app(ctx)
            .commissions
            .statement(actor, user_id, &period)
            .await?
            .into())
    }

    /// One row per rep the caller may see for a month.
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn commission_statements(
        &self,
        ctx: &Context<'_>,
        period: String,
    ) -> async_graphql::Result<Vec<CommissionStatementSummary>> {
        Ok(app(ctx)
            .commissions
            .statements(actor(ctx)?, &period)
            .await?
            .into_iter()
            .map(|row| CommissionStatementSummary {
                user_id: id(row.user_id),
                user_name: row.user_name,
                plan_code: row.plan_code,
                lines: row.lines,
                totals: monies(row.totals),
                open_disputes: row.open_disputes,
            })
            .collect())
    }

    /// The last `count` months' calculation status against the 5-business-day rule.
    async fn commission_periods(
        &self,
        ctx: &Context<'_>,
        count: Option<i32>,
    ) -> async_graphql::Result<Vec<CommissionPeriodStatus>> {
        let count = u32::try_from(count.unwrap_or(6).clamp(1, 36)).unwrap_or(6);
        Ok(app(ctx)
            .commissions
            .periods(actor(ctx)?, count)
            .await?
            .into_iter()
            .map(CommissionPeriodStatus::from)
            .collect())
    }

    async fn commission_disputes(
        &self,
        ctx: &Context<'_>,
        status: Option<DisputeStatus>,
    ) -> async_graphql::Result<Vec<CommissionDispute>> {
        Ok(app(ctx)
            .commissions
            .disputes(actor(ctx)?, status)
            .await?
            .into_iter()
            .map(CommissionDispute::from)
            .collect())
    }

    async fn commission_payouts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CommissionPayout>> {
        Ok(app(ctx)
            .commissions
            .payouts(actor(ctx)?)
            .await?
            .into_iter()
            .map(|payout| payout_of(payout, Vec::new()))
            .collect())
    }

    /// A payout with who is paid what.
    async fn commission_payout(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<CommissionPayout> {
        let id = parse_id("id", &id)?;
        let (payout, rows) = app(ctx).commissions.payout_rows(actor(ctx)?, id).await?;
        Ok(payout_of(payout, rows))
    }

    /// Earned this month, payable with the next payout date, open disputes and last month's
    /// calculation status (an AE's own figures for an AE).
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn commission_summary(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<CommissionSummary> {
        let summary = app(ctx).commissions.summary(actor(ctx)?).await?;
        Ok(CommissionSummary {
            as_of: IsoDate(summary.as_of),
            earned_month_to_date: monies(summary.earned_month_to_date),
            payable: monies(summary.payable),
            next_payout_date: IsoDate(summary.next_payout_date),
            open_disputes: summary.open_disputes,
            overdue_disputes: summary.overdue_disputes,
            last_close: summary.last_close.into(),
        })
    }

    /// How a deal's credit is split (the assigned AE at 100 % when no split was set).
    async fn deal_splits(
        &self,
        ctx: &Context<'_>,
        deal_id: ID,
    ) -> async_graphql::Result<Vec<DealSplit>> {
        let deal_id = parse_id("dealId", &deal_id)?;
        Ok(splits_of(
            app(ctx).commissions.splits(actor(ctx)?, deal_id).await?,
        ))
    }
}

#[derive(Default)]
pub struct CommissionMutation;

#[Object]
impl CommissionMutation {
    /// Imports a plan document as the next version of its code.
    async fn commission_plan_import(
        &self,
        ctx: &Context<'_>,
        input: CommissionPlanImportInput,
    ) -> async_graphql::Result<CommissionPlan> {
        let format = input.format.map(|format| match format {
            PlanFormat::Yaml => Format::Yaml,
            PlanFormat::Json => Format::Json,
        });
        Ok(app(ctx)
            .commissions
            .import_plan(actor(ctx)?, &input.document, format)
            .await?
            .into())
    }

    /// Gives a rep a plan from a date (an open-ended earlier one ends the day before).
    async fn commission_plan_assign(
        &self,
        ctx: &Context<'_>,
        input: CommissionPlanAssignInput,
    ) -> async_graphql::Result<CommissionAssignment> {
        let input = AssignInput {
            user_id: parse_id("userId", &input.user_id)?,
            plan_code: input.plan_code,
            effective_from: input.effective_from.0,
            effective_to: input.effective_to.map(|date| date.0),
            quota: input.quota,
        };
        Ok(app(ctx)
            .commissions
            .assign(actor(ctx)?, input)
            .await?
            .into())
    }

    /// The rep signs off their assigned plan (the version in force today is recorded).
    async fn commission_plan_acknowledge(
        &self,
        ctx: &Context<'_>,
        assignment_id: ID,
    ) -> async_graphql::Result<CommissionAssignment> {
        let assignment_id = parse_id("assignmentId", &assignment_id)?;
        Ok(app(ctx)
            .commissions
            .acknowledge(actor(ctx)?, assignment_id)
            .await?
            .into())
    }

    /// Sets who a user reports to (for overrides and team views); null clears it.
    async fn user_manager_set(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        manager_id: Option<ID>,
    ) -> async_graphql::Result<bool> {
        let user_id = parse_id("userId", &user_id)?;
        let manager_id = manager_id
            .map(|value| parse_id("managerId", &value))
            .transpose()?;
        app(ctx)
            .commissions
            .set_manager(actor(ctx)?, user_id, manager_id)
            .await?;
        Ok(true)
    }

    /// Replaces a deal's split between reps; percentages sum to exactly 100.
    async fn deal_split_set(
        &self,
        ctx: &Context<'_>,
        input: DealSplitSetInput,
    ) -> async_graphql::Result<Vec<DealSplit>> {
        let deal_id = parse_id("dealId", &input.deal_id)?;
        let splits = input
            .splits
            .into_iter()
            .enumerate()
            .map(|(index, split)| {
                Ok((
                    parse_id(&format!("splits.{index}.userId"), &split.user_id)?,
                    split.percent,
                ))
            })
            .collect::<crate::error::AppResult<Vec<_>>>()?;
        Ok(splits_of(
            app(ctx)
                .commissions
                .set_splits(actor(ctx)?, deal_id, &splits)
                .await?,
        ))
    }

    /// Calculates a month ("YYYY-MM") up to today; a rerun changes nothing unless the inputs did.
    async fn commission_calculate(
        &self,
        ctx: &Context<'_>,
        period: String,
    ) -> async_graphql::Result<CommissionRun> {
        Ok(app(ctx)
            .commissions
            .calculate(actor(ctx)?, &period)
            .await?
            .into())
    }

    /// Disputes a line of the caller's own statement.
    async fn commission_dispute_raise(
        &self,
        ctx: &Context<'_>,
        input: CommissionDisputeRaiseInput,
    ) -> async_graphql::Result<CommissionDispute> {
        let line_id = parse_id("lineId", &input.line_id)?;
        Ok(app(ctx)
            .commissions
            .raise_dispute(actor(ctx)?, line_id, &input.reason)
            .await?
            .into())
    }

    /// Accepts a dispute with an adjustment line, or rejects it; the comment goes to the rep.
    async fn commission_dispute_resolve(
        &self,
        ctx: &Context<'_>,
        input: CommissionDisputeResolveInput,
    ) -> async_graphql::Result<CommissionDispute> {
        let dispute_id = parse_id("disputeId", &input.dispute_id)?;
        let resolution = if input.accept {
            Resolution::Accept {
                adjustment: input.adjustment.ok_or_else(|| {
                    crate::error::AppError::validation(
                        "adjustment",
                        "Give the adjustment an accepted dispute makes.",
                    )
                })?,
            }
        } else {
            Resolution::Reject
        };
        Ok(app(ctx)
            .commissions
            .resolve_dispute(actor(ctx)?, dispute_id, resolution, &input.comment)
            .await?
            .into())
    }

    /// Approves the payout of a month and everything earlier still unpaid (VP Revenue
    /// Operations, never a payee).
    async fn commission_payout_approve(
        &self,
        ctx: &Context<'_>,
        input: CommissionPayoutApproveInput,
    ) -> async_graphql::Result<CommissionPayout> {
        let commissions = &app(ctx).commissions;
        let actor = actor(ctx)?;
        let payout = commissions
            .approve_payout(
                actor,
                &input.period,
                input.payout_date.0,
                &input.idempotency_key,
            )
            .await?;
        let (payout, rows) = commissions.payout_rows(actor, payout.id).await?;
        Ok(payout_of(payout, rows))
    }
}
