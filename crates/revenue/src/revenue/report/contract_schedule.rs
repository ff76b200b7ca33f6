//! A contract's revenue schedule: its obligations with what each has recognised and has left,
//! every schedule row with the journal entry that recognised it, the milestones, the
//! modifications, and the contract's position.

use crate::entities::{
    contract, contract_line, customer, journal_entry, performance_obligation, revenue_modification,
    revenue_posting, revenue_schedule,
};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::revenue::positions::{balances, position};
use crate::revenue::repo::{self, PLANNED, RECOGNISED};
use crate::revenue::rules::{self, Pattern};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Serialize)]
pub struct Obligation {
    pub id: i64,
    pub contract_line_id: i64,
    pub product_name: String,
    pub pattern: Pattern,
    pub stream_account: String,
    pub service_start: NaiveDate,
    pub service_end: NaiveDate,
    pub stated: Money,
    pub ssp: Money,
    pub ssp_source: String,
    pub carries_discount: bool,
    pub allocated: Money,
    pub recognised: Money,
    pub remaining: Money,
    pub satisfied_on: Option<NaiveDate>,
    /// A milestone delivered and waiting for the customer's acceptance.
    pub awaiting_acceptance: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScheduleRow {
    pub id: i64,
    pub obligation_id: i64,
    pub product_name: String,
    pub kind: String,
    pub month: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub recognise_on: Option<NaiveDate>,
    pub expected_on: Option<NaiveDate>,
    pub amount: Money,
    pub status: String,
    pub journal_entry_number: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MilestoneRecognition {
    pub obligation_id: i64,
    pub name: String,
    pub expected_on: Option<NaiveDate>,
    pub amount: Money,
    pub delivered: bool,
    pub satisfied_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Modification {
    pub id: i64,
    pub treatment: String,
    pub effective_date: NaiveDate,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub before: String,
    pub after: String,
    /// JSON: what a `contractModify` was asked to change, in the order it applied them.
    pub changes: Option<String>,
}

impl From<revenue_modification::Model> for Modification {
    fn from(row: revenue_modification::Model) -> Modification {
        Modification {
            id: row.id,
            treatment: row.treatment,
            effective_date: row.effective_date,
            reason: row.reason,
            created_at: row.created_at,
            before: row.before_json,
            after: row.after_json,
            changes: row.changes_json,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub contract_id: i64,
    pub contract_number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub currency: Currency,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub tcv: Money,
    pub arr: Money,
    pub months_total: i32,
    pub monthly_recognition: Money,
    pub allocated_total: Money,
    pub billed_to_date: Money,
    pub recognised_to_date: Money,
    pub remaining_to_recognise: Money,
    pub deferred_balance: Money,
    pub unbilled_balance: Money,
    pub obligations: Vec<Obligation>,
    pub rows: Vec<ScheduleRow>,
    pub milestones: Vec<MilestoneRecognition>,
    pub modifications: Vec<Modification>,
    /// The ratable convention the contract follows, and its own override of the company's.
    pub ratable_method: rules::RatableMethod,
    pub override_method: Option<rules::RatableMethod>,
}

/// A contract's schedule: every figure derived from the obligations, rows and position, so
/// recognised + remaining = allocated and deferred − unbilled = billed − recognised (net).
pub async fn schedule<C: ConnectionTrait>(connection: &C, contract_id: i64) -> AppResult<Schedule> {
    let contract = contract::Entity::find_by_id(contract_id)
        .one(connection)
        .await?
        .ok_or_else(|| {
            AppError::not_found(format!("There is no contract with id {contract_id}."))
        })?;
    let currency = Currency::parse(&contract.currency)?;
    let money = |minor: i64| Money::from_minor(minor, currency);
    let customer_name = customer::Entity::find_by_id(contract.customer_id)
        .one(connection)
        .await?
        .map(|customer| customer.legal_name)
        .unwrap_or_default();
    let lines: HashMap<i64, contract_line::Model> = contract_line::Entity::find()
        .filter(contract_line::Column::ContractId.eq(contract_id))
        .all(connection)
        .await?
        .into_iter()
        .map(|line| (line.id, line))
        .collect();
    let obligations = repo::obligations_of(connection, contract_id).await?;
    let rows = revenue_schedule::Entity::find()
        .filter(revenue_schedule::Column::ContractId.eq(contract_id))
        .order_by_asc(revenue_schedule::Column::RecogniseOn)
        .order_by_asc(revenue_schedule::Column::Id)
        .all(connection)
        .await?;
    let entry_of_run = entry_numbers_by_run(connection, contract_id).await?;
    let parts = Parts {
        obligations: &obligations,
        lines: &lines,
        rows: &rows,
        currency,
    };
    let (views, milestones) = parts.obligation_views()?;
    let row_views = parts.row_views(&entry_of_run);
    let recognised: i64 = rows
        .iter()
        .filter(|row| row.status == RECOGNISED)
        .map(|row| row.amount_minor)
        .sum();
    let remaining: i64 = rows
        .iter()
        .filter(|row| row.status == PLANNED)
        .map(|row| row.amount_minor)
        .sum();
    let (billed, recognised_net) = position(connection, contract_id).await?;
    let (deferred, unbilled) = balances(billed, recognised_net);
    let (monthly, months_total) = ratable_figures(&rows);
    let modifications = revenue_modification::Entity::find()
        .filter(revenue_modification::Column::ContractId.eq(contract_id))
        .order_by_asc(revenue_modification::Column::Id)
        .all(connection)
        .await?
        .into_iter()
        .map(Modification::from)
        .collect();
    let ratable_method = repo::contract_method(connection, &contract).await?;
    let override_method = contract
        .revenue_method
        .as_deref()
        .and_then(rules::RatableMethod::parse);
    Ok(Schedule {
        ratable_method,
        override_method,
        contract_id,
        contract_number: contract.contract_number,
        customer_id: contract.customer_id,
        customer_name,
        currency,
        start_date: contract.start_date,
        end_date: contract.end_date,
        tcv: money(contract.tcv_minor),
        arr: money(contract.arr_minor),
        months_total,
        monthly_recognition: money(monthly),
        allocated_total: money(recognised + remaining),
        billed_to_date: money(billed),
        recognised_to_date: money(recognised),
        remaining_to_recognise: money(remaining),
        deferred_balance: money(deferred),
        unbilled_balance: money(unbilled),
        obligations: views,
        rows: row_views,
        milestones,
        modifications,
    })
}

/// The number of the journal entry each recognition run posted for the contract, by run.
async fn entry_numbers_by_run<C: ConnectionTrait>(
    connection: &C,
    contract_id: i64,
) -> AppResult<HashMap<i64, String>> {
    let postings = revenue_posting::Entity::find()
        .filter(revenue_posting::Column::ContractId.eq(contract_id))
        .all(connection)
        .await?;
    let entry_ids: Vec<i64> = postings
        .iter()
        .map(|posting| posting.journal_entry_id)
        .collect();
    let numbers: HashMap<i64, String> = journal_entry::Entity::find()
        .filter(journal_entry::Column::Id.is_in(entry_ids))
        .all(connection)
        .await?
        .into_iter()
        .map(|entry| (entry.id, entry.entry_number))
        .collect();
    Ok(postings
        .iter()
        .filter_map(|posting| {
            numbers
                .get(&posting.journal_entry_id)
                .map(|number| (posting.run_id, number.clone()))
        })
        .collect())
}

/// The ratable rows' usual monthly amount (the most frequent, the larger on a tie) and how many
/// months they span.
fn ratable_figures(rows: &[revenue_schedule::Model]) -> (i64, i32) {
    let ratable: Vec<&revenue_schedule::Model> =
        rows.iter().filter(|row| row.kind == "ratable").collect();
    let monthly = ratable
        .iter()
        .map(|row| row.amount_minor)
        .fold(BTreeMap::<i64, usize>::new(), |mut counts, amount| {
            *counts.entry(amount).or_default() += 1;
            counts
        })
        .into_iter()
        .max_by_key(|(amount, count)| (*count, *amount))
        .map_or(0, |(amount, _)| amount);
    let months_total = {
        let mut months: Vec<String> = ratable
            .iter()
            .filter_map(|row| row.recognise_on.map(crate::ledger::period_of))
            .collect();
        months.sort();
        months.dedup();
        i32::try_from(months.len()).unwrap_or(i32::MAX)
    };
    (monthly, months_total)
}

/// What a contract's schedule is made of, read once: its obligations, lines and rows.
struct Parts<'a> {
    obligations: &'a [performance_obligation::Model],
    lines: &'a HashMap<i64, contract_line::Model>,
    rows: &'a [revenue_schedule::Model],
    currency: Currency,
}

impl Parts<'_> {
    fn money(&self, minor: i64) -> Money {
        Money::from_minor(minor, self.currency)
    }

    /// The product an obligation's line sells, for a reader who does not know obligation ids.
    fn product(&self, obligation_id: i64) -> String {
        self.obligations
            .iter()
            .find(|obligation| obligation.id == obligation_id)
            .and_then(|obligation| self.lines.get(&obligation.contract_line_id))
            .map(|line| line.product_name.clone())
            .unwrap_or_default()
    }

    /// Each obligation with what it has recognised and has left, and the milestones (and
    /// point-in-time deliveries) among them.
    fn obligation_views(&self) -> AppResult<(Vec<Obligation>, Vec<MilestoneRecognition>)> {
        let mut views = Vec::new();
        let mut milestones = Vec::new();
        for obligation in self.obligations {
            let pattern =
                Pattern::parse(&obligation.pattern).ok_or_else(|| AppError::internal("pattern"))?;
            let mine = self
                .rows
                .iter()
                .filter(|row| row.obligation_id == obligation.id);
            let recognised: i64 = mine
                .clone()
                .filter(|row| row.status == RECOGNISED)
                .map(|row| row.amount_minor)
                .sum();
            let planned: i64 = mine
                .filter(|row| row.status == PLANNED)
                .map(|row| row.amount_minor)
                .sum();
            if matches!(pattern, Pattern::Milestone | Pattern::PointInTime) {
                milestones.push(MilestoneRecognition {
                    obligation_id: obligation.id,
                    name: self.product(obligation.id),
                    expected_on: obligation.expected_on,
                    amount: self.money(obligation.allocated_minor),
                    delivered: obligation.satisfied_on.is_some(),
                    satisfied_on: obligation.satisfied_on,
                });
            }
            let awaiting_acceptance = pattern == Pattern::Milestone
                && obligation.satisfied_on.is_none()
                && self
                    .lines
                    .get(&obligation.contract_line_id)
                    .is_some_and(|line| line.delivered_at.is_some());
            views.push(Obligation {
                awaiting_acceptance,
                id: obligation.id,
                contract_line_id: obligation.contract_line_id,
                product_name: self.product(obligation.id),
                pattern,
                stream_account: obligation.stream_account.clone(),
                service_start: obligation.service_start,
                service_end: obligation.service_end,
                stated: self.money(obligation.stated_minor),
                ssp: self.money(obligation.ssp_minor),
                ssp_source: obligation.ssp_source.clone(),
                carries_discount: obligation.carries_discount,
                allocated: self.money(recognised + planned),
                recognised: self.money(recognised),
                remaining: self.money(planned),
                satisfied_on: obligation.satisfied_on,
            });
        }
        Ok((views, milestones))
    }

    /// Every schedule row, with when it is expected and the journal entry that recognised it.
    fn row_views(&self, entry_of_run: &HashMap<i64, String>) -> Vec<ScheduleRow> {
        let expected: HashMap<i64, Option<NaiveDate>> = self
            .obligations
            .iter()
            .map(|o| (o.id, o.expected_on))
            .collect();
        self.rows
            .iter()
            .map(|row| ScheduleRow {
                id: row.id,
                obligation_id: row.obligation_id,
                product_name: self.product(row.obligation_id),
                kind: row.kind.clone(),
                month: row.recognise_on.map(crate::ledger::period_of),
                period_start: row.period_start,
                period_end: row.period_end,
                recognise_on: row.recognise_on,
                expected_on: row
                    .recognise_on
                    .or_else(|| expected.get(&row.obligation_id).copied().flatten()),
                amount: self.money(row.amount_minor),
                status: row.status.clone(),
                journal_entry_number: row.run_id.and_then(|run| entry_of_run.get(&run).cloned()),
            })
            .collect()
    }
}
