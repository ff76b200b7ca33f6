//! Commissions: plan documents (versioned, imported as YAML or JSON), dated assignments with
//! the rep's acknowledgement, deal splits, the period calculation (`calc`), statements that
//! explain every line, disputes, payouts and clawbacks — all posting to the one ledger. Pure
//! arithmetic lives in `rules`, the document in `plan`, queries in `repo`.
//!
//! The service's use cases each have a file: `plans` (import), `assignments`, `team` (reporting
//! lines), `splits`, `periods` (calculation entry points and the close), `statements`,
//! `disputes`, `payouts` and `summary` (the dashboard).

pub mod assignments;
pub mod calc;
mod disputes;
mod payouts;
mod periods;
pub mod plan;
mod plans;
pub mod repo;
pub mod rules;
mod splits;
mod statements;
mod summary;
mod team;

use crate::access::{Actor, Permission};
use crate::clock::SharedClock;
use crate::entities::{commission_dispute, commission_line, commission_plan, user};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use calc::RunReport;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use repo::PlanVersion;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Day of the month after a period on which its commissions are paid.
pub const PAYOUT_DAY: u32 = 15;
/// Business hours a reviewer has to answer a commission dispute.
pub const DISPUTE_ANSWER_HOURS: u32 = 48;

#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub plan_code: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub quota: Option<Money>,
    pub assigned_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_version: Option<i32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub id: i64,
    pub period: String,
    pub user_id: i64,
    pub plan_code: String,
    pub plan_version: i32,
    pub component: String,
    /// credit, trueup, spif, override, clawback or adjustment.
    pub kind: String,
    pub deal_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub business: Option<String>,
    pub metric: String,
    pub metric_amount: i64,
    pub split_bp: i32,
    pub credited: Money,
    pub tier: String,
    pub rate: String,
    pub amount: Money,
    pub explanation: String,
    pub cause_type: Option<String>,
    pub cause_id: Option<i64>,
    pub reverses_line_id: Option<i64>,
    pub capitalised: bool,
    pub status: String,
    pub payout_id: Option<i64>,
    pub open_dispute_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attainment {
    pub component: String,
    pub metric: String,
    pub quota: Money,
    pub window_start: String,
    pub window_end: String,
    pub credited: Money,
    /// Percent of quota, 2 decimals.
    pub percent: String,
    /// (period, cumulative credited) for each month of the window up to the statement's.
    pub months: Vec<(String, Money)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Forecast {
    pub deal_id: i64,
    pub crm_opportunity_id: String,
    pub product_name: String,
    pub metric_amount: Money,
    pub estimated: Money,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub user_id: i64,
    pub user_name: String,
    pub period: String,
    pub plan: Option<PlanVersion>,
    pub assignment: Option<Assignment>,
    pub lines: Vec<Line>,
    pub totals: Vec<Money>,
    pub paid: Vec<Money>,
    pub unpaid: Vec<Money>,
    pub attainment: Vec<Attainment>,
    pub forecast: Vec<Forecast>,
    pub next_payout_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementSummary {
    pub user_id: i64,
    pub user_name: String,
    pub plan_code: Option<String>,
    pub lines: i32,
    pub totals: Vec<Money>,
    pub open_disputes: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
#[graphql(name = "CommissionDisputeStatus")]
pub enum DisputeStatus {
    Open,
    Accepted,
    Rejected,
}

impl DisputeStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            DisputeStatus::Open => "open",
            DisputeStatus::Accepted => "accepted",
            DisputeStatus::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> AppResult<DisputeStatus> {
        [
            DisputeStatus::Open,
            DisputeStatus::Accepted,
            DisputeStatus::Rejected,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
        .ok_or_else(|| AppError::internal(format!("dispute status {text}")))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Dispute {
    pub id: i64,
    pub line: Line,
    pub raised_by: i64,
    pub raised_by_name: String,
    pub reason: String,
    pub status: DisputeStatus,
    pub raised_at: DateTime<Utc>,
    pub answer_due_at: DateTime<Utc>,
    pub resolved_by_name: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub adjustment: Option<Line>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Payout {
    pub id: i64,
    pub period: String,
    pub payout_date: NaiveDate,
    pub lines: i32,
    pub totals: Vec<Money>,
    pub approved_by_name: String,
    pub approved_at: DateTime<Utc>,
    pub journal_entry_ids: Vec<i64>,
}

/// One row of a payout: what one person is paid.
#[derive(Debug, Clone, Serialize)]
pub struct PayoutRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub amount: Money,
    pub lines: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodStatus {
    pub period: String,
    pub due_on: NaiveDate,
    pub first_run_at: Option<DateTime<Utc>>,
    pub last_run: Option<RunReport>,
    /// done_on_time, done_late, due (not yet run, not late) or overdue.
    pub state: String,
    pub paid_out: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub as_of: NaiveDate,
    pub earned_month_to_date: Vec<Money>,
    pub payable: Vec<Money>,
    pub next_payout_date: NaiveDate,
    pub open_disputes: i32,
    pub overdue_disputes: i32,
    pub last_close: PeriodStatus,
}

pub struct AssignInput {
    pub user_id: i64,
    pub plan_code: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub quota: Option<String>,
}

pub enum Resolution {
    Accept { adjustment: String },
    Reject,
}

#[derive(Clone)]
pub struct CommissionService {
    db: DatabaseConnection,
    clock: SharedClock,
    functional: Currency,
}

fn money_of(minor: i64, code: &str) -> AppResult<Money> {
    Ok(Money::from_minor(minor, Currency::parse(code)?))
}

fn totals_of<'a>(
    lines: impl IntoIterator<Item = &'a commission_line::Model>,
) -> AppResult<Vec<Money>> {
    let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
    for line in lines {
        *totals.entry(line.currency.as_str()).or_default() += line.amount_minor;
    }
    totals
        .into_iter()
        .map(|(code, minor)| money_of(minor, code))
        .collect()
}

fn line_of(model: &commission_line::Model, open_dispute: Option<i64>) -> AppResult<Line> {
    Ok(Line {
        id: model.id,
        period: model.period.clone(),
        user_id: model.user_id,
        plan_code: model.plan_code.clone(),
        plan_version: model.plan_version,
        component: model.component.clone(),
        kind: model.kind.clone(),
        deal_id: model.deal_id,
        contract_id: model.contract_id,
        business: model.business.clone(),
        metric: model.metric.clone(),
        metric_amount: model.metric_minor,
        split_bp: model.split_bp,
        credited: money_of(model.credited_minor, &model.currency)?,
        tier: model.tier.clone(),
        rate: model.rate.clone(),
        amount: money_of(model.amount_minor, &model.currency)?,
        explanation: model.explanation.clone(),
        cause_type: model.cause_type.clone(),
        cause_id: model.cause_id,
        reverses_line_id: model.reverses_line_id,
        capitalised: model.capitalised,
        status: model.status.clone(),
        payout_id: model.payout_id,
        open_dispute_id: open_dispute,
    })
}

/// The payout date of a period's commissions: the 15th of the next month.
pub fn payout_date_of(period_first: NaiveDate) -> NaiveDate {
    let next = rules::add_months(period_first, 1);
    next.with_day(PAYOUT_DAY).unwrap_or(next)
}

impl CommissionService {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        functional: Currency,
    ) -> CommissionService {
        CommissionService {
            db,
            clock,
            functional,
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Whether `actor` may see `user_id`'s commissions: their own, anyone who reports to them
    /// (directly or through others), or everyone for the roles that see all.
    async fn check_visible(&self, actor: &Actor, user_id: i64) -> AppResult<()> {
        actor.require(Permission::CommissionRead)?;
        if actor.user_id == user_id || actor.can(Permission::CommissionReadAll) {
            return Ok(());
        }
        if self.team_of(actor.user_id).await?.contains(&user_id) {
            return Ok(());
        }
        Err(AppError::Forbidden(
            "You can see only your own commissions and your team's.".into(),
        ))
    }

    /// Everyone reporting to `manager`, directly or indirectly.
    async fn team_of(&self, manager: i64) -> AppResult<Vec<i64>> {
        team_in(&self.db, manager).await
    }

    async fn user_names(&self) -> AppResult<HashMap<i64, user::Model>> {
        user_names_in(&self.db).await
    }
}

/// Everyone reporting to `manager`, directly or indirectly, read on `connection`.
async fn team_in<C: sea_orm::ConnectionTrait>(connection: &C, manager: i64) -> AppResult<Vec<i64>> {
    {
        let links: Vec<(i64, i64)> = user::Entity::find()
            .filter(user::Column::ManagerId.is_not_null())
            .all(connection)
            .await?
            .into_iter()
            .filter_map(|row| row.manager_id.map(|manager| (row.id, manager)))
            .collect();
        let mut team = Vec::new();
        let mut frontier = vec![manager];
        while let Some(next) = frontier.pop() {
            for (member, boss) in &links {
                if *boss == next && !team.contains(member) && *member != manager {
                    team.push(*member);
                    frontier.push(*member);
                }
            }
        }
        Ok(team)
    }
}

async fn user_names_in<C: sea_orm::ConnectionTrait>(
    connection: &C,
) -> AppResult<HashMap<i64, user::Model>> {
    Ok(user::Entity::find()
        .all(connection)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect())
}

async fn plan_currency_in<C: sea_orm::ConnectionTrait>(
    connection: &C,
    code: &str,
) -> AppResult<Option<Currency>> {
    Ok(commission_plan::Entity::find()
        .filter(commission_plan::Column::Code.eq(code))
        .one(connection)
        .await?
        .and_then(|row| Currency::parse(&row.currency).ok()))
}

/// The open dispute (id) of each of these lines that has one, read on `connection`.
async fn open_disputes_in<C: sea_orm::ConnectionTrait>(
    connection: &C,
    line_ids: &[i64],
) -> AppResult<HashMap<i64, i64>> {
    {
        let mut result = HashMap::new();
        for chunk in line_ids.chunks(repo::ID_CHUNK) {
            for row in commission_dispute::Entity::find()
                .filter(commission_dispute::Column::LineId.is_in(chunk.iter().copied()))
                .filter(commission_dispute::Column::Status.eq(DisputeStatus::Open.as_str()))
                .all(connection)
                .await?
            {
                result.insert(row.line_id, row.id);
            }
        }
        Ok(result)
    }
}
