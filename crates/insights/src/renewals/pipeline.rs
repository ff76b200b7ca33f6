//! The renewal pipeline as of a day: which contracts renew soon, what signals their customers
//! show, and the status (set or suggested) of each.

use super::rules::{self, RenewalStatus, Signals};
use super::Renewal;
use crate::entities::{
    billing_charge, contract, customer, deal, dispute, invoice, renewal_alert, renewal_contact,
    renewal_status, user,
};
use crate::error::AppResult;
use crate::invoicing::plan::Reference;
use crate::money::{Currency, Money};
use crate::recurring::repo::RecurringBook;
use crate::telemetry::Lap;
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

/// The renewal pipeline on `today`: contracts renewing within `days` that are not renewed yet
/// and still carry recurring revenue on their last day, of the customers `own` selects.
pub async fn pipeline_on<C: ConnectionTrait>(
    connection: &C,
    book: &RecurringBook,
    today: NaiveDate,
    days: i64,
    own: Option<SelectStatement>,
    functional: Currency,
) -> AppResult<Vec<Renewal>> {
    let mut step = Lap::start("renewal pipeline");
    let scope = Scope {
        first_end: today - Duration::days(1),
        last_end: today + Duration::days(days - 1),
        own,
    };
    let contracts = contract::Entity::find()
        .filter(contract::Column::Id.in_subquery(scope.select(contract::Column::Id)))
        .order_by_asc(contract::Column::EndDate)
        .order_by_asc(contract::Column::Id)
        .all(connection)
        .await?;
    if contracts.is_empty() {
        return Ok(Vec::new());
    }
    step.lap("contracts");
    let reference = Reference::load(connection, functional).await?;
    let mut facts = Facts::default();
    facts.load_people(connection, &scope, &mut step).await?;
    facts
        .load_history(connection, &scope, today, &mut step)
        .await?;
    facts
        .load_signals(connection, &scope, today, &mut step)
        .await?;
    let monthly_by_contract = monthly_on_last_day(book, &contracts);
    let mut result = Vec::new();
    for contract in contracts {
        let Some((currency, monthly)) = monthly_by_contract
            .get(&contract.id)
            .map(|(currency, value)| (*currency, crate::recurring::rules::round_minor(*value)))
        else {
            continue;
        };
        if monthly <= 0 {
            continue;
        }
        let arr = Money::from_minor(monthly * 12, currency);
        let arr_functional = reference
            .convert(arr.minor(), currency, functional, today)
            .map(|minor| Money::from_minor(minor, functional));
        result.push(facts.renewal(&contract, arr, arr_functional, today));
    }
    step.lap("rows");
    Ok(result)
}

/// The pipeline's contracts as a subquery of one column, so every other read joins on it instead
/// of binding thousands of ids.
struct Scope {
    first_end: NaiveDate,
    last_end: NaiveDate,
    own: Option<SelectStatement>,
}

impl Scope {
    /// `column` of the contracts ending in the window, not renewed yet, of the customers `own`
    /// selects.
    fn select(&self, column: contract::Column) -> SelectStatement {
        let mut query = Query::select()
            .column((contract::Entity, column))
            .from(contract::Entity)
            .and_where(contract::Column::EndDate.gte(self.first_end))
            .and_where(contract::Column::EndDate.lte(self.last_end))
            .and_where(
                contract::Column::Id.not_in_subquery(
                    Query::select()
                        .column(contract::Column::RenewedFromId)
                        .from(contract::Entity)
                        .and_where(contract::Column::RenewedFromId.is_not_null())
                        .to_owned(),
                ),
            )
            .to_owned();
        if let Some(own) = self.own.clone() {
            query.and_where(contract::Column::CustomerId.in_subquery(own));
        }
        query
    }
}

/// What the pipeline knows about its contracts besides their lines, keyed by contract, customer,
/// deal or user id as each field says.
#[derive(Default)]
struct Facts {
    /// Customer → (legal name, on credit hold).
    customers: HashMap<i64, (String, bool)>,
    /// Deal → assigned AE.
    owners: HashMap<i64, Option<i64>>,
    /// User → name.
    users: HashMap<i64, String>,
    /// Contract → the status set last.
    latest_status: HashMap<i64, renewal_status::Model>,
    /// Contract → the latest contact on or before the day.
    last_contact: HashMap<i64, NaiveDate>,
    /// Contract → alert marks already sent.
    alerts_sent: HashMap<i64, Vec<i32>>,
    /// Customer → due date of the oldest overdue invoice.
    oldest_due: HashMap<i64, NaiveDate>,
    /// Customer → disputes open on the day.
    open_disputes: HashMap<i64, i64>,
    /// Contract → billed usage per month.
    usage: HashMap<i64, BTreeMap<NaiveDate, i64>>,
}

impl Facts {
    /// Who the contracts' customers are, who owns their deals, and every user's name.
    async fn load_people<C: ConnectionTrait>(
        &mut self,
        connection: &C,
        scope: &Scope,
        step: &mut Lap,
    ) -> AppResult<()> {
        self.customers = customer::Entity::find()
            .select_only()
            .columns([
                customer::Column::Id,
                customer::Column::LegalName,
                customer::Column::OnCreditHold,
            ])
            .filter(customer::Column::Id.in_subquery(scope.select(contract::Column::CustomerId)))
            .into_tuple::<(i64, String, bool)>()
            .all(connection)
            .await?
            .into_iter()
            .map(|(id, name, held)| (id, (name, held)))
            .collect();
        step.lap("customers");
        self.owners = deal::Entity::find()
            .select_only()
            .columns([deal::Column::Id, deal::Column::AssignedAeId])
            .filter(deal::Column::Id.in_subquery(scope.select(contract::Column::DealId)))
            .into_tuple::<(i64, Option<i64>)>()
            .all(connection)
            .await?
            .into_iter()
            .collect();
        step.lap("deals");
        self.users = user::Entity::find()
            .all(connection)
            .await?
            .into_iter()
            .map(|row| (row.id, row.name))
            .collect();
        Ok(())
    }

    /// The renewal's own history: the status set last, the latest contact and the alerts sent.
    async fn load_history<C: ConnectionTrait>(
        &mut self,
        connection: &C,
        scope: &Scope,
        today: NaiveDate,
        step: &mut Lap,
    ) -> AppResult<()> {
        for row in renewal_status::Entity::find()
            .filter(
                renewal_status::Column::ContractId.in_subquery(scope.select(contract::Column::Id)),
            )
            .order_by_asc(renewal_status::Column::SetAt)
            .order_by_asc(renewal_status::Column::Id)
            .all(connection)
            .await?
        {
            self.latest_status.insert(row.contract_id, row);
        }
        step.lap("statuses");
        for row in renewal_contact::Entity::find()
            .filter(
                renewal_contact::Column::ContractId.in_subquery(scope.select(contract::Column::Id)),
            )
            .filter(renewal_contact::Column::ContactedOn.lte(today))
            .all(connection)
            .await?
        {
            let entry = self
                .last_contact
                .entry(row.contract_id)
                .or_insert(row.contacted_on);
            *entry = (*entry).max(row.contacted_on);
        }
        step.lap("contacts");
        for row in renewal_alert::Entity::find()
            .filter(
                renewal_alert::Column::ContractId.in_subquery(scope.select(contract::Column::Id)),
            )
            .all(connection)
            .await?
        {
            let marks = self.alerts_sent.entry(row.contract_id).or_default();
            if !marks.contains(&row.mark_days) {
                marks.push(row.mark_days);
            }
        }
        step.lap("alerts");
        Ok(())
    }

    /// The customers' risk on the day: the oldest overdue invoice, open disputes, and the
    /// contracts' billed usage per month.
    async fn load_signals<C: ConnectionTrait>(
        &mut self,
        connection: &C,
        scope: &Scope,
        today: NaiveDate,
        step: &mut Lap,
    ) -> AppResult<()> {
        // Oldest overdue invoice per customer (open on the day, due before it), summed in SQL.
        self.oldest_due = invoice::Entity::find()
            .select_only()
            .column(invoice::Column::CustomerId)
            .column_as(invoice::Column::DueDate.min(), "oldest_due")
            .filter(
                invoice::Column::CustomerId.in_subquery(scope.select(contract::Column::CustomerId)),
            )
            .filter(invoice::Column::IssueDate.lte(today))
            .filter(invoice::Column::DueDate.lt(today))
            .filter(
                sea_orm::Condition::any()
                    .add(invoice::Column::SettledOn.is_null())
                    .add(invoice::Column::SettledOn.gt(today)),
            )
            .filter(invoice::Column::Status.ne("void"))
            .group_by(invoice::Column::CustomerId)
            .into_tuple::<(i64, Option<NaiveDate>)>()
            .all(connection)
            .await?
            .into_iter()
            .filter_map(|(customer, due)| Some((customer, due?)))
            .collect();
        step.lap("overdue");
        for row in dispute::Entity::find()
            .filter(
                dispute::Column::CustomerId.in_subquery(scope.select(contract::Column::CustomerId)),
            )
            .filter(dispute::Column::OpenedOn.lte(today))
            .filter(
                sea_orm::Condition::any()
                    .add(dispute::Column::ClosedOn.is_null())
                    .add(dispute::Column::ClosedOn.gt(today)),
            )
            .all(connection)
            .await?
        {
            *self.open_disputes.entry(row.customer_id).or_default() += 1;
        }
        step.lap("disputes");
        // Billed usage per contract and month (the last two months charged before today).
        for row in billing_charge::Entity::find()
            .filter(
                billing_charge::Column::ContractId.in_subquery(scope.select(contract::Column::Id)),
            )
            .filter(billing_charge::Column::Kind.eq("usage"))
            .filter(billing_charge::Column::PeriodStart.lt(today))
            .all(connection)
            .await?
        {
            if let Some(month) = row.period_start {
                *self
                    .usage
                    .entry(row.contract_id)
                    .or_default()
                    .entry(month)
                    .or_default() += row.amount_minor;
            }
        }
        step.lap("usage");
        Ok(())
    }

    /// The risk signals' inputs for one contract on the day.
    fn signals_of(&self, contract: &contract::Model, today: NaiveDate) -> Signals {
        Signals {
            days_overdue: self
                .oldest_due
                .get(&contract.customer_id)
                .map(|due| (today - *due).num_days()),
            open_disputes: self
                .open_disputes
                .get(&contract.customer_id)
                .copied()
                .unwrap_or(0),
            on_credit_hold: self
                .customers
                .get(&contract.customer_id)
                .is_some_and(|(_, held)| *held),
            usage: self.usage.get(&contract.id).and_then(|months| {
                let mut last_two = months.values().rev().take(2).copied();
                let last = last_two.next()?;
                let before = last_two.next()?;
                Some((before, last))
            }),
            days_since_contact: self
                .last_contact
                .get(&contract.id)
                .map(|day| (today - *day).num_days()),
        }
    }

    /// One contract's pipeline row: its signals, the status set (or suggested) and who owns it.
    /// Takes the contract's alert marks out of the facts, as each contract is seen once.
    fn renewal(
        &mut self,
        contract: &contract::Model,
        arr: Money,
        arr_functional: Option<Money>,
        today: NaiveDate,
    ) -> Renewal {
        let mut sent = self.alerts_sent.remove(&contract.id).unwrap_or_default();
        sent.sort_unstable_by(|left, right| right.cmp(left));
        let facts = self.signals_of(contract, today);
        let on_credit_hold = facts.on_credit_hold;
        let found = rules::signals(&facts);
        let suggested = rules::suggest(&found);
        let set = self.latest_status.get(&contract.id);
        let status = set
            .and_then(|row| RenewalStatus::parse(&row.status))
            .unwrap_or(suggested);
        let reason = match set {
            Some(row) => row.reason.clone(),
            None if suggested.at_risk() => Some(
                found
                    .iter()
                    .map(|signal| signal.reason.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            None => None,
        };
        // A renewal handed to someone by a renewal schedule is theirs; otherwise the deal's AE's.
        let owner_id = contract
            .renewal_owner_id
            .or_else(|| self.owners.get(&contract.deal_id).copied().flatten());
        let renewal_date = contract.end_date + Duration::days(1);
        Renewal {
            contract_id: contract.id,
            contract_number: contract.contract_number.clone(),
            customer_id: contract.customer_id,
            customer_name: self
                .customers
                .get(&contract.customer_id)
                .map(|(name, _)| name.clone())
                .unwrap_or_default(),
            currency: arr.currency(),
            arr,
            arr_functional,
            end_date: contract.end_date,
            renewal_date,
            days_to_renewal: (renewal_date - today).num_days(),
            status,
            suggested_status: suggested,
            signals: found,
            reason,
            status_set_by: set.and_then(|row| self.users.get(&row.set_by).cloned()),
            status_set_at: set.map(|row| row.set_at),
            owner_id,
            owner_name: owner_id.and_then(|id| self.users.get(&id).cloned()),
            last_contact_on: self.last_contact.get(&contract.id).copied(),
            uplift_percent: Decimal::from_str(&contract.uplift_percent).unwrap_or_default(),
            on_credit_hold,
            alerts_sent: sent,
        }
    }
}

/// Each contract's MRR on its last day, from its own lines, in the currency of its first line
/// (lines in another currency are left out).
fn monthly_on_last_day(
    book: &RecurringBook,
    contracts: &[contract::Model],
) -> HashMap<i64, (Currency, Decimal)> {
    let last_day: HashMap<i64, NaiveDate> =
        contracts.iter().map(|row| (row.id, row.end_date)).collect();
    let mut monthly_by_contract: HashMap<i64, (Currency, Decimal)> = HashMap::new();
    for line in &book.lines {
        let Some(end) = last_day.get(&line.contract_id) else {
            continue;
        };
        let value = crate::recurring::rules::line_mrr(&line.terms, *end);
        let entry = monthly_by_contract
            .entry(line.contract_id)
            .or_insert((line.terms.unit_price.currency(), Decimal::ZERO));
        if entry.0 == line.terms.unit_price.currency() {
            entry.1 += value;
        }
    }
    monthly_by_contract
}
