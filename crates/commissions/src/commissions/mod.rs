//! Commissions: plan documents (versioned, imported as YAML or JSON), dated assignments with
//! the rep's acknowledgement, deal splits, the period calculation (`calc`), statements that
//! explain every line, disputes, payouts and clawbacks — all posting to the one ledger. Pure
//! arithmetic lives in `rules`, the document in `plan`, queries in `repo`.

pub mod assignments;
pub mod calc;
pub mod plan;
pub mod repo;
pub mod rules;

use crate::access::{Actor, Permission};
use crate::approvals::decision;
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::entities::{
    commission_assignment, commission_dispute, commission_line, commission_payout, commission_plan,
    commission_run, deal, deal_split, user,
};
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Claim};
use crate::ledger::chart::{CASH, COMMISSIONS_PAYABLE};
use crate::ledger::rules::{signed_posting, BalancedEntry};
use crate::ledger::{self, EntryHeader};
use crate::money::{Currency, Money};
use crate::values::{csv_cell, require_text};
use calc::RunReport;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use plan::{Format, Metric, PlanDocument};
use repo::PlanVersion;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

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

fn parse_percent_bp(field: &str, text: &str) -> AppResult<i32> {
    let value = Decimal::from_str(text.trim()).map_err(|_| {
        AppError::validation(
            field,
            format!("{text:?} is not a percentage; write e.g. 60 or 33.33."),
        )
    })?;
    if value <= Decimal::ZERO || value > Decimal::ONE_HUNDRED || value.scale() > 2 {
        return Err(AppError::validation(
            field,
            format!("{text} must be above 0 and at most 100, with at most two decimals."),
        ));
    }
    use rust_decimal::prelude::ToPrimitive;
    (value * Decimal::ONE_HUNDRED)
        .to_i32()
        .ok_or_else(|| AppError::validation(field, "The percentage is out of range."))
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

impl CommissionService {
    pub fn plan_schema(&self) -> &'static str {
        plan::SCHEMA_JSON
    }

    pub fn plan_example(&self) -> &'static str {
        PlanDocument::example()
    }

    pub async fn plans(&self, actor: &Actor) -> AppResult<Vec<PlanVersion>> {
        actor.require(Permission::CommissionReadAll)?;
        repo::plan_versions(&self.db).await
    }

    /// Imports a plan document as the next version of its code.
    pub async fn import_plan(
        &self,
        actor: &Actor,
        text: &str,
        format: Option<Format>,
    ) -> AppResult<PlanVersion> {
        actor.require(Permission::CommissionPlanManage)?;
        let document = PlanDocument::parse(text, format)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let latest = commission_plan::Entity::find()
            .filter(commission_plan::Column::Code.eq(document.code.as_str()))
            .order_by_desc(commission_plan::Column::Version)
            .one(&transaction)
            .await?;
        let version = latest.as_ref().map(|row| row.version + 1).unwrap_or(1);
        let model = commission_plan::ActiveModel {
            code: Set(document.code.clone()),
            version: Set(version),
            name: Set(document.name.trim().to_string()),
            currency: Set(document.currency()?.code().into()),
            effective_from: Set(document.effective_from),
            effective_to: Set(document.effective_to),
            capitalise: Set(document.capitalise),
            document_json: Set(document.to_json()?),
            source_text: Set(text.to_string()),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let plan = PlanVersion::from_model(model)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "commission.plan_import",
                entity_type: "commission_plan",
                entity_id: format!("{}@{}", plan.code, plan.version),
                before: latest.map(|row| row.document_json).as_ref(),
                after: Some(&plan.document),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(plan)
    }

    pub(crate) fn assignment_of(
        model: commission_assignment::Model,
        names: &HashMap<i64, user::Model>,
        currency: Option<Currency>,
    ) -> Assignment {
        Assignment {
            id: model.id,
            user_id: model.user_id,
            user_name: names
                .get(&model.user_id)
                .map(|row| row.name.clone())
                .unwrap_or_default(),
            plan_code: model.plan_code,
            effective_from: model.effective_from,
            effective_to: model.effective_to,
            quota: model
                .quota_minor
                .zip(currency)
                .map(|(minor, currency)| Money::from_minor(minor, currency)),
            assigned_at: model.assigned_at,
            acknowledged_at: model.acknowledged_at,
            acknowledged_version: model.acknowledged_version,
        }
    }

    async fn plan_currency(&self, code: &str) -> AppResult<Option<Currency>> {
        plan_currency_in(&self.db, code).await
    }

    /// Assignments visible to the actor (optionally one user's).
    pub async fn assignments(
        &self,
        actor: &Actor,
        user_id: Option<i64>,
    ) -> AppResult<Vec<Assignment>> {
        actor.require(Permission::CommissionRead)?;
        let mut query = commission_assignment::Entity::find();
        if let Some(user_id) = user_id {
            self.check_visible(actor, user_id).await?;
            query = query.filter(commission_assignment::Column::UserId.eq(user_id));
        } else if !actor.can(Permission::CommissionReadAll) {
            let mut visible = self.team_of(actor.user_id).await?;
            visible.push(actor.user_id);
            query = query.filter(commission_assignment::Column::UserId.is_in(visible));
        }
        let names = self.user_names().await?;
        let mut currencies: HashMap<String, Option<Currency>> = HashMap::new();
        let mut result = Vec::new();
        for model in query
            .order_by_asc(commission_assignment::Column::UserId)
            .order_by_desc(commission_assignment::Column::EffectiveFrom)
            .all(&self.db)
            .await?
        {
            if !currencies.contains_key(&model.plan_code) {
                let currency = self.plan_currency(&model.plan_code).await?;
                currencies.insert(model.plan_code.clone(), currency);
            }
            let currency = currencies.get(&model.plan_code).copied().flatten();
            result.push(Self::assignment_of(model, &names, currency));
        }
        Ok(result)
    }

    /// Gives a rep a plan from a date. An open-ended earlier assignment ends the day before; an
    /// overlap with a dated one is refused.
    pub async fn assign(&self, actor: &Actor, input: AssignInput) -> AppResult<Assignment> {
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let assignment = assignments::assign_in(&transaction, actor, now, input).await?;
        transaction.commit().await?;
        Ok(assignment)
    }

    /// The rep signs off the plan version in force today for their assignment.
    pub async fn acknowledge(&self, actor: &Actor, assignment_id: i64) -> AppResult<Assignment> {
        actor.require(Permission::CommissionRead)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let Some(model) = commission_assignment::Entity::find_by_id(assignment_id)
            .one(&transaction)
            .await?
        else {
            return Err(AppError::not_found("commission assignment"));
        };
        if model.user_id != actor.user_id {
            return Err(AppError::Forbidden(
                "Only the rep a plan is assigned to can acknowledge it.".into(),
            ));
        }
        let plans = repo::plan_versions(&transaction).await?;
        let today = self.clock.today();
        let version = repo::version_in_force(&plans, &model.plan_code, today, today)
            .or_else(|| plans.iter().find(|plan| plan.code == model.plan_code))
            .map(|plan| plan.version);
        let currency = plan_currency_in(&transaction, &model.plan_code).await?;
        let mut row: commission_assignment::ActiveModel = model.into();
        row.acknowledged_at = Set(Some(now));
        row.acknowledged_version = Set(version);
        let model = row.update(&transaction).await?;
        let names = user_names_in(&transaction).await?;
        let assignment = Self::assignment_of(model, &names, currency);
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "commission.acknowledge",
                entity_type: "commission_assignment",
                entity_id: assignment.id.to_string(),
                before: None::<&()>,
                after: Some(&assignment),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(assignment)
    }

    /// Sets (or clears) who a user reports to; refuses a loop.
    pub async fn set_manager(
        &self,
        actor: &Actor,
        user_id: i64,
        manager_id: Option<i64>,
    ) -> AppResult<()> {
        actor.require(Permission::CommissionPlanManage)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let Some(member) = user::Entity::find_by_id(user_id).one(&transaction).await? else {
            return Err(AppError::validation("userId", "No such user."));
        };
        if let Some(manager) = manager_id {
            if manager == user_id {
                return Err(AppError::validation(
                    "managerId",
                    "Nobody manages themselves.",
                ));
            }
            if user::Entity::find_by_id(manager)
                .one(&transaction)
                .await?
                .is_none()
            {
                return Err(AppError::validation("managerId", "No such user."));
            }
            if team_in(&transaction, user_id).await?.contains(&manager) {
                return Err(AppError::validation(
                    "managerId",
                    "That manager reports (directly or not) to this user; a team cannot loop.",
                ));
            }
        }
        let before = member.manager_id;
        let mut row: user::ActiveModel = member.into();
        row.manager_id = Set(manager_id);
        row.update(&transaction).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "user.manager_set",
                entity_type: "user",
                entity_id: user_id.to_string(),
                before: Some(&before),
                after: Some(&manager_id),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// A deal's splits; without any, the assigned AE holds 100 %. Someone who does not see all
    /// commissions sees only splits they (or their team) are part of.
    pub async fn splits(&self, actor: &Actor, deal_id: i64) -> AppResult<Vec<(i64, String, i32)>> {
        actor.require(Permission::CommissionRead)?;
        let result = self.splits_unchecked(deal_id).await?;
        if !actor.can(Permission::CommissionReadAll) && !actor.can(Permission::DealSplitManage) {
            let mut visible = self.team_of(actor.user_id).await?;
            visible.push(actor.user_id);
            if !result
                .iter()
                .any(|(user_id, _, _)| visible.contains(user_id))
            {
                return Err(AppError::Forbidden(
                    "You can see the split only of deals you are credited on.".into(),
                ));
            }
        }
        Ok(result)
    }

    async fn splits_unchecked(&self, deal_id: i64) -> AppResult<Vec<(i64, String, i32)>> {
        let names = self.user_names().await?;
        let rows = deal_split::Entity::find()
            .filter(deal_split::Column::DealId.eq(deal_id))
            .order_by_asc(deal_split::Column::Id)
            .all(&self.db)
            .await?;
        if rows.is_empty() {
            let deal = deal::Entity::find_by_id(deal_id)
                .one(&self.db)
                .await?
                .ok_or_else(|| AppError::not_found("deal"))?;
            return Ok(deal
                .assigned_ae_id
                .map(|ae| {
                    vec![(
                        ae,
                        names
                            .get(&ae)
                            .map(|row| row.name.clone())
                            .unwrap_or_default(),
                        10_000,
                    )]
                })
                .unwrap_or_default());
        }
        Ok(rows
            .into_iter()
            .map(|row| {
                (
                    row.user_id,
                    names
                        .get(&row.user_id)
                        .map(|user| user.name.clone())
                        .unwrap_or_default(),
                    row.share_bp,
                )
            })
            .collect())
    }

    /// Replaces a deal's split; the percentages must sum to exactly 100.
    pub async fn set_splits(
        &self,
        actor: &Actor,
        deal_id: i64,
        splits: &[(i64, String)],
    ) -> AppResult<Vec<(i64, String, i32)>> {
        actor.require(Permission::DealSplitManage)?;
        if splits.is_empty() || splits.len() > 10 {
            return Err(AppError::validation(
                "splits",
                "Give 1 to 10 reps and their percentages.",
            ));
        }
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        if deal::Entity::find_by_id(deal_id)
            .one(&transaction)
            .await?
            .is_none()
        {
            return Err(AppError::not_found("deal"));
        }
        let mut total = 0;
        let mut parsed = Vec::new();
        for (index, (user_id, percent)) in splits.iter().enumerate() {
            if user::Entity::find_by_id(*user_id)
                .one(&transaction)
                .await?
                .is_none()
            {
                return Err(AppError::validation(
                    format!("splits.{index}.userId"),
                    "No such user.",
                ));
            }
            if parsed.iter().any(|(other, _)| other == user_id) {
                return Err(AppError::validation(
                    format!("splits.{index}.userId"),
                    "This rep is listed twice.",
                ));
            }
            let bp = parse_percent_bp(&format!("splits.{index}.percent"), percent)?;
            total += bp;
            parsed.push((*user_id, bp));
        }
        if total != 10_000 {
            return Err(AppError::validation(
                "splits",
                format!(
                    "The split adds up to {}%; it must be exactly 100%.",
                    (Decimal::from(total) / Decimal::ONE_HUNDRED).normalize()
                ),
            ));
        }
        let before: Vec<(i64, i32)> = deal_split::Entity::find()
            .filter(deal_split::Column::DealId.eq(deal_id))
            .all(&transaction)
            .await?
            .into_iter()
            .map(|row| (row.user_id, row.share_bp))
            .collect();
        deal_split::Entity::delete_many()
            .filter(deal_split::Column::DealId.eq(deal_id))
            .exec(&transaction)
            .await?;
        for (user_id, bp) in &parsed {
            deal_split::ActiveModel {
                deal_id: Set(deal_id),
                user_id: Set(*user_id),
                share_bp: Set(*bp),
                created_by: Set(Some(actor.user_id)),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&transaction)
            .await?;
        }
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "deal.split_set",
                entity_type: "deal",
                entity_id: deal_id.to_string(),
                before: Some(&before),
                after: Some(&parsed),
            },
        )
        .await?;
        transaction.commit().await?;
        self.splits_unchecked(deal_id).await
    }

    /// Calculates a period on demand (credits up to today for the current month).
    pub async fn calculate(&self, actor: &Actor, period: &str) -> AppResult<RunReport> {
        actor.require(Permission::CommissionCalculate)?;
        self.calculate_as(Some(actor), period, self.clock.today())
            .await
    }

    /// The calculation as the daily job runs it.
    pub async fn calculate_as(
        &self,
        actor: Option<&Actor>,
        period: &str,
        as_of: NaiveDate,
    ) -> AppResult<RunReport> {
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        period_lock(&transaction, period).await?;
        let report =
            calc::execute(&transaction, actor, period, as_of, now, self.functional).await?;
        transaction.commit().await?;
        Ok(report)
    }

    /// The daily job's month-end calculation of `period`, as of its last day: run once across
    /// every instance. Under the period's lock it first checks for a closing run (or a payout),
    /// so of several instances reaching the month's close at once, one calculates and the rest
    /// get `None`.
    pub async fn close_month(&self, period: &str) -> AppResult<Option<RunReport>> {
        let (_, next) = crate::calendar::parse_period("period", period)?;
        let month_end = next.pred_opt().unwrap_or(next);
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        period_lock(&transaction, period).await?;
        if closing_run_exists(&transaction, period).await? {
            transaction.commit().await?;
            return Ok(None);
        }
        let report =
            calc::execute(&transaction, None, period, month_end, now, self.functional).await?;
        transaction.commit().await?;
        Ok(Some(report))
    }

    /// Each month's calculation status against the 5-business-day rule, newest first.
    pub async fn periods(&self, actor: &Actor, count: u32) -> AppResult<Vec<PeriodStatus>> {
        actor.require(Permission::CommissionReadAll)?;
        let today = self.clock.today();
        let mut result = Vec::new();
        let mut month = rules::first_of_month(today);
        for _ in 0..count.clamp(1, 36) {
            result.push(self.period_status(month, today).await?);
            month = rules::add_months(month, -1);
        }
        Ok(result)
    }

    async fn period_status(&self, month: NaiveDate, today: NaiveDate) -> AppResult<PeriodStatus> {
        let period = ledger::period_of(month);
        let runs = commission_run::Entity::find()
            .filter(commission_run::Column::Period.eq(period.as_str()))
            .order_by_asc(commission_run::Column::Id)
            .all(&self.db)
            .await?;
        let month_end = rules::last_of_month(month);
        let due_on = crate::receivables::disputes::calendar(&self.db)
            .await?
            .add_business_days(
                month_end.succ_opt().unwrap_or(month_end),
                calc::DUE_BUSINESS_DAYS - 1,
            );
        // A run counts for the close only when made after the month ended.
        let closing_run = runs.iter().find(|run| run.as_of >= month_end);
        let assigned = !repo::assignments_for_month(&self.db, month, month_end)
            .await?
            .is_empty();
        let state = match closing_run {
            Some(run) if run.ran_at.date_naive() <= due_on => "done_on_time",
            Some(_) => "done_late",
            // Nobody was on a plan that month: nothing was due.
            None if !assigned => "no_plans",
            None if today > due_on => "overdue",
            None if today > month_end => "due",
            None => "open",
        };
        let paid_out = commission_payout::Entity::find()
            .filter(commission_payout::Column::Period.eq(period.as_str()))
            .one(&self.db)
            .await?
            .is_some();
        Ok(PeriodStatus {
            period,
            due_on,
            first_run_at: closing_run.map(|run| run.ran_at),
            last_run: runs
                .last()
                .cloned()
                .map(RunReport::from_model)
                .transpose()?,
            state: state.into(),
            paid_out,
        })
    }

    async fn open_disputes_by_line(&self, line_ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
        open_disputes_in(&self.db, line_ids).await
    }
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

impl CommissionService {
    /// A rep's statement for a month: every line with its explanation, attainment against quota
    /// per component, and (for their own statement) a forecast from their open deals.
    pub async fn statement(
        &self,
        actor: &Actor,
        user_id: i64,
        period: &str,
    ) -> AppResult<Statement> {
        self.check_visible(actor, user_id).await?;
        let (month, next) = crate::calendar::parse_period("period", period)?;
        let month_end = next.pred_opt().unwrap_or(next);
        let names = self.user_names().await?;
        let Some(rep) = names.get(&user_id) else {
            return Err(AppError::not_found("user"));
        };
        let models = commission_line::Entity::find()
            .filter(commission_line::Column::UserId.eq(user_id))
            .filter(commission_line::Column::Period.eq(period))
            .filter(commission_line::Column::Status.ne(repo::RETIRED))
            .order_by_asc(commission_line::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = models.iter().map(|line| line.id).collect();
        let disputes = self.open_disputes_by_line(&ids).await?;
        let lines = models
            .iter()
            .map(|model| line_of(model, disputes.get(&model.id).copied()))
            .collect::<AppResult<Vec<_>>>()?;
        let plans = repo::plan_versions(&self.db).await?;
        let assignment = repo::assignments_for_month(&self.db, month, month_end)
            .await?
            .into_iter()
            .find(|row| row.user_id == user_id);
        let plan = assignment
            .as_ref()
            .and_then(|row| repo::version_in_force(&plans, &row.plan_code, month, month_end))
            .cloned();
        let mut attainment = Vec::new();
        let mut forecast = Vec::new();
        if let (Some(plan), Some(assignment)) = (&plan, &assignment) {
            let currency = plan.document.currency()?;
            let quota = assignment
                .quota_minor
                .unwrap_or(plan.document.quota()?.minor());
            let (window_start, window_end) = rules::quota_window(month, plan.document.quota.period);
            let window_lines = commission_line::Entity::find()
                .filter(commission_line::Column::UserId.eq(user_id))
                .filter(commission_line::Column::Kind.eq("credit"))
                .filter(commission_line::Column::Status.ne(repo::RETIRED))
                .filter(commission_line::Column::Period.gte(ledger::period_of(window_start)))
                .filter(commission_line::Column::Period.lte(period))
                .all(&self.db)
                .await?;
            for component in &plan.document.components {
                if component.metric == Metric::TeamCredit {
                    continue;
                }
                let mut months = Vec::new();
                let mut cumulative = 0;
                let mut cursor = window_start;
                while cursor <= month {
                    let key = ledger::period_of(cursor);
                    cumulative += window_lines
                        .iter()
                        .filter(|line| line.component == component.name && line.period == key)
                        .map(|line| line.credited_minor)
                        .sum::<i64>();
                    months.push((key, Money::from_minor(cumulative, currency)));
                    cursor = rules::add_months(cursor, 1);
                }
                let percent =
                    Decimal::from(cumulative) * Decimal::ONE_HUNDRED / Decimal::from(quota.max(1));
                attainment.push(Attainment {
                    component: component.name.clone(),
                    metric: component.metric.as_str().into(),
                    quota: Money::from_minor(quota, currency),
                    window_start: ledger::period_of(window_start),
                    window_end: ledger::period_of(window_end),
                    credited: Money::from_minor(cumulative, currency),
                    percent: format!("{:.2}", percent.round_dp(2)),
                    months,
                });
            }
            if actor.user_id == user_id
                && month <= self.clock.today()
                && self.clock.today() <= month_end
            {
                forecast = self.forecast(user_id, plan, quota, &attainment).await?;
            }
        }
        let next_payout_date = payout_date_of(month);
        Ok(Statement {
            user_id,
            user_name: rep.name.clone(),
            period: period.to_string(),
            assignment: assignment.map(|row| {
                let currency = plan.as_ref().and_then(|plan| plan.document.currency().ok());
                Self::assignment_of(row, &names, currency)
            }),
            plan,
            totals: totals_of(&models)?,
            paid: totals_of(models.iter().filter(|line| line.status == repo::PAID))?,
            unpaid: totals_of(models.iter().filter(|line| line.status == repo::CALCULATED))?,
            lines,
            attainment,
            forecast,
            next_payout_date,
        })
    }

    /// What each open (not yet approved) deal of the rep would pay under the first booking
    /// component of their plan, starting from today's attainment.
    async fn forecast(
        &self,
        user_id: i64,
        plan: &PlanVersion,
        quota: i64,
        attainment: &[Attainment],
    ) -> AppResult<Vec<Forecast>> {
        let Some(component) = plan
            .document
            .components
            .iter()
            .find(|component| component.metric.is_booking())
        else {
            return Ok(Vec::new());
        };
        let currency = plan.document.currency()?;
        let credited_now = attainment
            .iter()
            .find(|row| row.component == component.name)
            .map(|row| row.credited.minor())
            .unwrap_or(0);
        let bands = rules::bands(component);
        let cap = component
            .cap
            .and_then(|cap| plan.document.money("cap", cap).ok())
            .map(|money| money.minor());
        let mut result = Vec::new();
        for deal in deal::Entity::find()
            .filter(deal::Column::AssignedAeId.eq(user_id))
            .filter(deal::Column::Status.ne("approved"))
            .order_by_asc(deal::Column::Id)
            .all(&self.db)
            .await?
        {
            let (Some(tcv), Some(code)) = (deal.tcv_minor, deal.billing_currency.as_deref()) else {
                continue;
            };
            if code != currency.code() {
                continue;
            }
            let metric = match (component.metric, deal.start_date, deal.end_date) {
                (Metric::BookingsAcv, Some(start), Some(end)) => rules::acv(tcv, start, end),
                (Metric::BookingsTcv, _, _) => tcv,
                (Metric::FirstYearArr, _, _) => deal.arr_minor.unwrap_or(0),
                _ => tcv,
            };
            let earned = rules::earn(
                &bands,
                component.tier_mode,
                quota,
                cap,
                &[
                    rules::Credit {
                        amount: credited_now,
                        flat_rate: None,
                    },
                    rules::Credit {
                        amount: metric,
                        flat_rate: None,
                    },
                ],
            );
            let Some(estimate) = earned.get(1) else {
                continue;
            };
            result.push(Forecast {
                deal_id: deal.id,
                crm_opportunity_id: deal.crm_opportunity_id.clone(),
                product_name: deal.product_name.clone().unwrap_or_default(),
                metric_amount: Money::from_minor(metric, currency),
                estimated: Money::from_minor(estimate.amount, currency),
                explanation: format!(
                    "{} {} from {}% of quota: {} at {}.",
                    component.metric.title(),
                    Money::from_minor(metric, currency).amount_string(),
                    estimate.attainment_before.normalize(),
                    estimate.tier_text(),
                    estimate.rate_text()
                ),
            });
        }
        Ok(result)
    }

    /// One row per rep the actor may see, for a month.
    pub async fn statements(
        &self,
        actor: &Actor,
        period: &str,
    ) -> AppResult<Vec<StatementSummary>> {
        actor.require(Permission::CommissionRead)?;
        let (month, next) = crate::calendar::parse_period("period", period)?;
        let month_end = next.pred_opt().unwrap_or(next);
        let visible: Option<Vec<i64>> = if actor.can(Permission::CommissionReadAll) {
            None
        } else {
            let mut team = self.team_of(actor.user_id).await?;
            team.push(actor.user_id);
            Some(team)
        };
        let names = self.user_names().await?;
        let mut query = commission_line::Entity::find()
            .filter(commission_line::Column::Period.eq(period))
            .filter(commission_line::Column::Status.ne(repo::RETIRED));
        if let Some(visible) = &visible {
            query = query.filter(commission_line::Column::UserId.is_in(visible.clone()));
        }
        let lines = query.all(&self.db).await?;
        let ids: Vec<i64> = lines.iter().map(|line| line.id).collect();
        let disputes = self.open_disputes_by_line(&ids).await?;
        let mut by_user: BTreeMap<i64, Vec<&commission_line::Model>> = BTreeMap::new();
        for line in &lines {
            by_user.entry(line.user_id).or_default().push(line);
        }
        for assignment in repo::assignments_for_month(&self.db, month, month_end).await? {
            if visible
                .as_ref()
                .is_none_or(|visible| visible.contains(&assignment.user_id))
            {
                by_user.entry(assignment.user_id).or_default();
            }
        }
        let plans: HashMap<i64, String> = repo::assignments_for_month(&self.db, month, month_end)
            .await?
            .into_iter()
            .rev()
            .map(|row| (row.user_id, row.plan_code))
            .collect();
        by_user
            .into_iter()
            .map(|(user_id, lines)| {
                Ok(StatementSummary {
                    user_id,
                    user_name: names
                        .get(&user_id)
                        .map(|row| row.name.clone())
                        .unwrap_or_default(),
                    plan_code: plans.get(&user_id).cloned(),
                    lines: i32::try_from(lines.len()).unwrap_or(i32::MAX),
                    totals: totals_of(lines.iter().copied())?,
                    open_disputes: i32::try_from(
                        lines
                            .iter()
                            .filter(|line| disputes.contains_key(&line.id))
                            .count(),
                    )
                    .unwrap_or(i32::MAX),
                })
            })
            .collect()
    }

    async fn dispute_of(
        &self,
        model: commission_dispute::Model,
        names: &HashMap<i64, user::Model>,
    ) -> AppResult<Dispute> {
        let line = commission_line::Entity::find_by_id(model.line_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::internal("dispute without its line"))?;
        let adjustment = match model.adjustment_line_id {
            Some(id) => commission_line::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .map(|row| line_of(&row, None))
                .transpose()?,
            None => None,
        };
        let status = DisputeStatus::parse(&model.status)?;
        Ok(Dispute {
            id: model.id,
            line: line_of(&line, (status == DisputeStatus::Open).then_some(model.id))?,
            raised_by: model.raised_by,
            raised_by_name: names
                .get(&model.raised_by)
                .map(|row| row.name.clone())
                .unwrap_or_default(),
            reason: model.reason,
            status,
            raised_at: model.raised_at,
            answer_due_at: model.answer_due_at,
            resolved_by_name: model
                .resolved_by
                .and_then(|id| names.get(&id).map(|row| row.name.clone())),
            resolved_at: model.resolved_at,
            comment: model.comment,
            adjustment,
        })
    }

    /// Disputes the actor may see: their own, their team's, or all for reviewers and the roles that see all.
    pub async fn disputes(
        &self,
        actor: &Actor,
        status: Option<DisputeStatus>,
    ) -> AppResult<Vec<Dispute>> {
        actor.require(Permission::CommissionRead)?;
        let mut query = commission_dispute::Entity::find();
        if let Some(status) = status {
            query = query.filter(commission_dispute::Column::Status.eq(status.as_str()));
        }
        let models = query
            .order_by_desc(commission_dispute::Column::Id)
            .all(&self.db)
            .await?;
        let sees_all = actor.can(Permission::CommissionReadAll)
            || actor.can(Permission::CommissionDisputeResolve);
        let team = if sees_all {
            Vec::new()
        } else {
            self.team_of(actor.user_id).await?
        };
        let names = self.user_names().await?;
        let mut result = Vec::new();
        for model in models.into_iter().take(500) {
            if !sees_all && model.raised_by != actor.user_id && !team.contains(&model.raised_by) {
                continue;
            }
            result.push(self.dispute_of(model, &names).await?);
        }
        Ok(result)
    }

    /// A payee questions one of their own lines; a reviewer answers within 48 business hours.
    pub async fn raise_dispute(
        &self,
        actor: &Actor,
        line_id: i64,
        reason: &str,
    ) -> AppResult<Dispute> {
        actor.require(Permission::CommissionDisputeRaise)?;
        let reason = require_text("reason", reason, 2000)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let Some(line) = commission_line::Entity::find_by_id(line_id)
            .one(&transaction)
            .await?
        else {
            return Err(AppError::not_found("commission line"));
        };
        if line.user_id != actor.user_id {
            return Err(AppError::Forbidden(
                "You can dispute only lines of your own statement.".into(),
            ));
        }
        if line.status == repo::RETIRED {
            return Err(AppError::validation(
                "lineId",
                "This line is no longer on your statement.",
            ));
        }
        if commission_dispute::Entity::find()
            .filter(commission_dispute::Column::LineId.eq(line_id))
            .filter(commission_dispute::Column::Status.eq(DisputeStatus::Open.as_str()))
            .one(&transaction)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(
                "This line already has an open dispute.".into(),
            ));
        }
        let calendar = crate::receivables::disputes::calendar(&transaction).await?;
        let model = commission_dispute::ActiveModel {
            line_id: Set(line_id),
            raised_by: Set(actor.user_id),
            reason: Set(reason),
            status: Set(DisputeStatus::Open.as_str().into()),
            raised_at: Set(now),
            answer_due_at: Set(calendar.add_business_hours(now, DISPUTE_ANSWER_HOURS)),
            resolved_by: Set(None),
            resolved_at: Set(None),
            comment: Set(None),
            adjustment_line_id: Set(None),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "commission.dispute_raise",
                entity_type: "commission_dispute",
                entity_id: model.id.to_string(),
                before: None::<&()>,
                after: Some(&model.reason),
            },
        )
        .await?;
        transaction.commit().await?;
        let names = self.user_names().await?;
        self.dispute_of(model, &names).await
    }

    /// A reviewer (never the payee) accepts with an adjustment line in the open period — accrued
    /// at once — or rejects, with a comment the rep sees.
    pub async fn resolve_dispute(
        &self,
        actor: &Actor,
        dispute_id: i64,
        resolution: Resolution,
        comment: &str,
    ) -> AppResult<Dispute> {
        actor.require(Permission::CommissionDisputeResolve)?;
        let comment = require_text("comment", comment, 2000)?;
        let now = self.clock.now();
        let today = self.clock.today();
        let transaction = self.db.begin().await?;
        let Some(dispute) = commission_dispute::Entity::find_by_id(dispute_id)
            .one(&transaction)
            .await?
        else {
            return Err(AppError::not_found("commission dispute"));
        };
        if dispute.status != DisputeStatus::Open.as_str() {
            return Err(AppError::Conflict(format!(
                "This dispute is already {}.",
                dispute.status
            )));
        }
        decision::refuse_own(
            dispute.raised_by,
            actor,
            "Nobody resolves their own dispute.",
        )?;
        let status = match resolution {
            Resolution::Reject => DisputeStatus::Rejected,
            Resolution::Accept { .. } => DisputeStatus::Accepted,
        };
        // Claimed before anything else is written, so of two reviewers deciding at once one
        // wins and the other's transaction (with any adjustment) rolls back.
        decision::claim(
            &transaction,
            commission_dispute::Entity::update_many()
                .col_expr(
                    commission_dispute::Column::Status,
                    Expr::value(status.as_str()),
                )
                .col_expr(
                    commission_dispute::Column::ResolvedBy,
                    Expr::value(actor.user_id),
                )
                .col_expr(commission_dispute::Column::ResolvedAt, Expr::value(now)),
            commission_dispute::Column::Id,
            dispute_id,
            commission_dispute::Column::Status,
            DisputeStatus::Open.as_str(),
            "This dispute has just been resolved by someone else.",
        )
        .await?;
        let line = commission_line::Entity::find_by_id(dispute.line_id)
            .one(&transaction)
            .await?
            .ok_or_else(|| AppError::internal("dispute without its line"))?;
        let adjustment_id = match resolution {
            Resolution::Reject => None,
            Resolution::Accept { adjustment } => {
                let currency = Currency::parse(&line.currency)?;
                let amount = Money::parse(adjustment.trim(), currency)
                    .map_err(|error| AppError::validation("adjustment", error.to_string()))?;
                if amount.is_zero() {
                    return Err(AppError::validation(
                        "adjustment",
                        "An accepted dispute adjusts by a non-zero amount (negative to reduce).",
                    ));
                }
                let period = ledger::period_of(today);
                let adjustment = commission_line::ActiveModel {
                    period: Set(period.clone()),
                    user_id: Set(line.user_id),
                    plan_code: Set(line.plan_code.clone()),
                    plan_version: Set(line.plan_version),
                    component: Set(line.component.clone()),
                    kind: Set("adjustment".into()),
                    source_key: Set(format!("dispute:{dispute_id}")),
                    deal_id: Set(line.deal_id),
                    contract_id: Set(line.contract_id),
                    business: Set(line.business.clone()),
                    metric: Set(line.metric.clone()),
                    metric_minor: Set(0),
                    split_bp: Set(line.split_bp),
                    credited_minor: Set(0),
                    tier: Set("Dispute adjustment".into()),
                    rate: Set(String::new()),
                    amount_minor: Set(amount.minor()),
                    currency: Set(line.currency.clone()),
                    explanation: Set(format!(
                        "Dispute #{dispute_id} on line {} ({}) accepted: {comment}",
                        line.id, line.period
                    )),
                    cause_type: Set(Some("dispute".into())),
                    cause_id: Set(Some(dispute_id)),
                    reverses_line_id: Set(Some(line.id)),
                    capitalised: Set(false),
                    amortise_from: Set(None),
                    amortise_months: Set(0),
                    accrued_minor: Set(0),
                    amortised_minor: Set(0),
                    status: Set(repo::CALCULATED.into()),
                    payout_id: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&transaction)
                .await?;
                let movements =
                    repo::accrual_movements(&transaction, today, Some(&[adjustment.id])).await?;
                calc::post_movements(
                    &transaction,
                    Some(actor),
                    &movements,
                    Some(&[adjustment.id]),
                    EntryHeader {
                        entry_date: today,
                        memo: format!("Commission dispute #{dispute_id} adjustment"),
                        source: format!("commission-dispute:{dispute_id}"),
                        idempotency_key: None,
                    },
                    now,
                )
                .await?;
                Some(adjustment.id)
            }
        };
        let mut row: commission_dispute::ActiveModel = dispute.into();
        row.status = Set(status.as_str().into());
        row.resolved_by = Set(Some(actor.user_id));
        row.resolved_at = Set(Some(now));
        row.comment = Set(Some(comment));
        row.adjustment_line_id = Set(adjustment_id);
        let model = row.update(&transaction).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "commission.dispute_resolve",
                entity_type: "commission_dispute",
                entity_id: dispute_id.to_string(),
                before: None::<&()>,
                after: Some(&(status.as_str(), adjustment_id)),
            },
        )
        .await?;
        transaction.commit().await?;
        let names = self.user_names().await?;
        self.dispute_of(model, &names).await
    }

    /// Pays every calculated line of the period and earlier months, except lines under an open
    /// dispute and reps whose total would not be positive (their lines wait for the next
    /// payout). Approved only by the VP Revenue Operations, who must not be a payee. Dr 2300 ·
    /// Cr 1000 per currency; paid lines are final.
    pub async fn approve_payout(
        &self,
        actor: &Actor,
        period: &str,
        payout_date: NaiveDate,
        idempotency_key: &str,
    ) -> AppResult<Payout> {
        actor.require(Permission::CommissionPayoutApprove)?;
        let (month, next) = crate::calendar::parse_period("period", period)?;
        let month_end = next.pred_opt().unwrap_or(next);
        if payout_date <= month_end {
            return Err(AppError::validation(
                "payoutDate",
                format!("Commissions for {period} are paid after the month ends ({month_end})."),
            ));
        }
        let now = self.clock.now();
        let request =
            serde_json::json!({ "period": period, "payoutDate": payout_date }).to_string();
        let transaction = self.db.begin().await?;
        if let Claim::Replay(id) = idempotency::claim(
            &transaction,
            "commission payout",
            idempotency_key,
            &request,
            actor.user_id,
            now,
        )
        .await?
        {
            transaction.commit().await?;
            return self.payout(actor, id).await;
        }
        if commission_payout::Entity::find()
            .filter(commission_payout::Column::Period.eq(period))
            .one(&transaction)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(format!("{period} is already paid out.")));
        }
        let closing_run = commission_run::Entity::find()
            .filter(commission_run::Column::Period.eq(period))
            .filter(commission_run::Column::AsOf.gte(month_end))
            .one(&transaction)
            .await?;
        if closing_run.is_none() {
            return Err(AppError::validation(
                "period",
                format!("Calculate {period} after the month has ended before paying it out."),
            ));
        }
        let lines = commission_line::Entity::find()
            .filter(commission_line::Column::Status.eq(repo::CALCULATED))
            .filter(commission_line::Column::Period.lte(period))
            .all(&transaction)
            .await?;
        let ids: Vec<i64> = lines.iter().map(|line| line.id).collect();
        let disputed = open_disputes_in(&transaction, &ids).await?;
        let payable: Vec<&commission_line::Model> = lines
            .iter()
            .filter(|line| !disputed.contains_key(&line.id))
            .collect();
        let mut per_rep: BTreeMap<(i64, String), i64> = BTreeMap::new();
        for line in &payable {
            *per_rep
                .entry((line.user_id, line.currency.clone()))
                .or_default() += line.amount_minor;
        }
        let paid_reps: Vec<(i64, String)> = per_rep
            .iter()
            .filter(|(_, total)| **total > 0)
            .map(|(key, _)| key.clone())
            .collect();
        if paid_reps
            .iter()
            .any(|(user_id, _)| *user_id == actor.user_id)
        {
            return Err(AppError::Forbidden(
                "You are paid in this payout; another approver must approve it.".into(),
            ));
        }
        let paying: Vec<&commission_line::Model> = payable
            .into_iter()
            .filter(|line| paid_reps.contains(&(line.user_id, line.currency.clone())))
            .collect();
        if paying.is_empty() {
            return Err(AppError::validation(
                "period",
                format!("Nothing is payable for {period} and earlier."),
            ));
        }
        let totals = totals_of(paying.iter().copied())?;
        let mut entry_ids = Vec::new();
        for total in &totals {
            let postings: Vec<_> = [
                signed_posting(COMMISSIONS_PAYABLE, total.minor(), total.currency()),
                signed_posting(CASH, -total.minor(), total.currency()),
            ]
            .into_iter()
            .flatten()
            .collect();
            let entry = BalancedEntry::try_new(postings).map_err(AppError::internal)?;
            let posted = ledger::post_entry(
                &transaction,
                Some(actor),
                now,
                EntryHeader {
                    entry_date: payout_date,
                    memo: format!("Commission payout {period} ({})", total.currency().code()),
                    source: format!("commission-payout:{period}"),
                    idempotency_key: None,
                },
                &entry,
                None,
            )
            .await?;
            entry_ids.push(posted.id);
        }
        let model = commission_payout::ActiveModel {
            period: Set(period.to_string()),
            payout_date: Set(payout_date),
            lines: Set(i32::try_from(paying.len()).unwrap_or(i32::MAX)),
            totals_json: Set(serde_json::to_string(
                &totals
                    .iter()
                    .map(|money| (money.currency().code(), money.minor()))
                    .collect::<Vec<_>>(),
            )
            .map_err(AppError::internal)?),
            idempotency_key: Set(idempotency_key.trim().to_string()),
            approved_by: Set(actor.user_id),
            approved_at: Set(now),
            journal_entries_json: Set(
                serde_json::to_string(&entry_ids).map_err(AppError::internal)?
            ),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let paying_ids: Vec<i64> = paying.iter().map(|line| line.id).collect();
        for chunk in paying_ids.chunks(repo::ID_CHUNK) {
            let updated = commission_line::Entity::update_many()
                .col_expr(
                    commission_line::Column::Status,
                    sea_orm::sea_query::Expr::value(repo::PAID),
                )
                .col_expr(
                    commission_line::Column::PayoutId,
                    sea_orm::sea_query::Expr::value(model.id),
                )
                .filter(commission_line::Column::Id.is_in(chunk.iter().copied()))
                .filter(commission_line::Column::Status.eq(repo::CALCULATED))
                .exec(&transaction)
                .await?;
            if updated.rows_affected != chunk.len() as u64 {
                return Err(AppError::Conflict(
                    "Lines changed while the payout was being approved; try again.".into(),
                ));
            }
        }
        idempotency::complete(&transaction, "commission payout", idempotency_key, model.id).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "commission.payout_approve",
                entity_type: "commission_payout",
                entity_id: model.id.to_string(),
                before: None::<&()>,
                after: Some(&(period, payout_date, &model.totals_json)),
            },
        )
        .await?;
        transaction.commit().await?;
        let _ = month;
        self.payout(actor, model.id).await
    }

    fn payout_of(
        model: commission_payout::Model,
        names: &HashMap<i64, user::Model>,
    ) -> AppResult<Payout> {
        let totals: Vec<(String, i64)> =
            serde_json::from_str(&model.totals_json).map_err(AppError::internal)?;
        Ok(Payout {
            id: model.id,
            period: model.period,
            payout_date: model.payout_date,
            lines: model.lines,
            totals: totals
                .into_iter()
                .map(|(code, minor)| money_of(minor, &code))
                .collect::<AppResult<Vec<_>>>()?,
            approved_by_name: names
                .get(&model.approved_by)
                .map(|row| row.name.clone())
                .unwrap_or_default(),
            approved_at: model.approved_at,
            journal_entry_ids: serde_json::from_str(&model.journal_entries_json)
                .map_err(AppError::internal)?,
        })
    }

    pub async fn payouts(&self, actor: &Actor) -> AppResult<Vec<Payout>> {
        actor.require(Permission::CommissionReadAll)?;
        let names = self.user_names().await?;
        commission_payout::Entity::find()
            .order_by_desc(commission_payout::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|model| Self::payout_of(model, &names))
            .collect()
    }

    pub async fn payout(&self, actor: &Actor, id: i64) -> AppResult<Payout> {
        actor.require(Permission::CommissionReadAll)?;
        let names = self.user_names().await?;
        let model = commission_payout::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found("payout"))?;
        Self::payout_of(model, &names)
    }

    /// Who a payout pays and how much.
    pub async fn payout_rows(&self, actor: &Actor, id: i64) -> AppResult<(Payout, Vec<PayoutRow>)> {
        let payout = self.payout(actor, id).await?;
        let names = self.user_names().await?;
        let mut per_rep: BTreeMap<(i64, String), (i64, i32)> = BTreeMap::new();
        for line in commission_line::Entity::find()
            .filter(commission_line::Column::PayoutId.eq(id))
            .all(&self.db)
            .await?
        {
            let entry = per_rep.entry((line.user_id, line.currency)).or_default();
            entry.0 += line.amount_minor;
            entry.1 += 1;
        }
        let rows = per_rep
            .into_iter()
            .map(|((user_id, code), (minor, lines))| {
                let person = names.get(&user_id);
                Ok(PayoutRow {
                    user_id,
                    name: person.map(|row| row.name.clone()).unwrap_or_default(),
                    email: person.map(|row| row.email.clone()).unwrap_or_default(),
                    amount: money_of(minor, &code)?,
                    lines,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok((payout, rows))
    }

    /// The payout for payroll: one row per person and currency.
    pub async fn payout_csv(&self, actor: &Actor, id: i64) -> AppResult<(String, String)> {
        let (payout, rows) = self.payout_rows(actor, id).await?;
        let mut csv = String::from(
            "payout_id,period,payout_date,employee_email,employee_name,currency,amount,lines\n",
        );
        for row in rows {
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                payout.id,
                payout.period,
                payout.payout_date,
                csv_cell(&row.email),
                csv_cell(&row.name),
                row.amount.currency().code(),
                row.amount.amount_string(),
                row.lines
            ));
        }
        Ok((
            format!("commission-payout-{}-{}.csv", payout.period, payout.id),
            csv,
        ))
    }

    /// For the dashboard: earned this month, payable with the next payout date, disputes, and
    /// whether last month's calculation met the 5-business-day rule. An AE sees their own.
    pub async fn summary(&self, actor: &Actor) -> AppResult<Summary> {
        actor.require(Permission::CommissionRead)?;
        let today = self.clock.today();
        let month = rules::first_of_month(today);
        let own_only = !actor.can(Permission::CommissionReadAll);
        let mut query = commission_line::Entity::find()
            .filter(commission_line::Column::Status.ne(repo::RETIRED))
            .filter(
                commission_line::Column::Period
                    .eq(ledger::period_of(month))
                    .or(commission_line::Column::Status.eq(repo::CALCULATED)),
            );
        if own_only {
            query = query.filter(commission_line::Column::UserId.eq(actor.user_id));
        }
        let lines = query.all(&self.db).await?;
        let period = ledger::period_of(month);
        let earned = totals_of(lines.iter().filter(|line| line.period == period))?;
        let payable = totals_of(
            lines
                .iter()
                .filter(|line| line.status == repo::CALCULATED && line.period < period),
        )?;
        let mut disputes = commission_dispute::Entity::find()
            .filter(commission_dispute::Column::Status.eq(DisputeStatus::Open.as_str()));
        if own_only {
            disputes = disputes.filter(commission_dispute::Column::RaisedBy.eq(actor.user_id));
        }
        let open = disputes.all(&self.db).await?;
        let now = self.clock.now();
        let last_month = rules::add_months(month, -1);
        Ok(Summary {
            as_of: today,
            earned_month_to_date: earned,
            payable,
            next_payout_date: if today.day() <= PAYOUT_DAY {
                payout_date_of(last_month)
            } else {
                payout_date_of(month)
            },
            open_disputes: i32::try_from(open.len()).unwrap_or(i32::MAX),
            overdue_disputes: i32::try_from(
                open.iter().filter(|row| row.answer_due_at < now).count(),
            )
            .unwrap_or(i32::MAX),
            last_close: self.period_status(last_month, today).await?,
        })
    }
}

/// Serialises calculations of one period across instances: two at once would both read the
/// lines' accrued amounts before either committed and post the same accrual twice.
async fn period_lock<C: sea_orm::ConnectionTrait>(connection: &C, period: &str) -> AppResult<()> {
    crate::locks::hold(connection, &format!("commissions:{period}")).await
}

/// Whether `period` has a calculation made after it ended, or is paid out.
async fn closing_run_exists<C: sea_orm::ConnectionTrait>(
    connection: &C,
    period: &str,
) -> AppResult<bool> {
    let (_, next) = crate::calendar::parse_period("period", period)?;
    let month_end = next.pred_opt().unwrap_or(next);
    let run = commission_run::Entity::find()
        .filter(commission_run::Column::Period.eq(period))
        .filter(commission_run::Column::AsOf.gte(month_end))
        .one(connection)
        .await?;
    let paid = commission_payout::Entity::find()
        .filter(commission_payout::Column::Period.eq(period))
        .one(connection)
        .await?;
    Ok(run.is_some() || paid.is_some())
}
