//! Billing: schedules per model, usage, timesheets, deliveries and acceptances, mid-term changes
//! and the bill run. The rules live in `periods`, `pricing` and `schedule` (pure); `run` is the
//! bill run; this service holds the use cases people and systems call.

pub use revops_terms::{discount, periods, pricing, schedule};

pub mod billing_day;
pub mod changes;
pub mod coupons;
pub mod deliveries;
pub mod discounts;
pub mod proration;
pub mod repo;
pub mod run;
pub mod timing;
pub mod trials;
mod usage;

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::entities::{
    billing_charge, contract, contract_line, invoice, invoice_line, timesheet_entry, usage_record,
};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::values::{parse_id, require_text};
pub use changes::{
    ContractChange, LineAddInput, ModificationPreview, Modified, ModifyInput, NewLine, PlanChange,
    PlanTiming,
};
use chrono::{DateTime, NaiveDate, Utc};
use pricing::parse_quantity;
use revops_terms::kinds::ContractLineKind;
use run::{BillRunReport, RunRequest, RunStatus};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde::Serialize;
use std::collections::HashMap;

/// Most usage records or CSV rows accepted in one call.
pub const MAX_USAGE_ROWS: usize = 10_000;

/// One usage reading as a system sends it.
#[derive(Debug, Clone)]
pub struct UsageInput {
    pub contract_line_id: String,
    pub meter: String,
    pub quantity: String,
    pub occurred_at: DateTime<Utc>,
    pub client_id: String,
}

#[derive(Debug, Clone, Serialize, async_graphql::SimpleObject)]
pub struct UsageRejection {
    /// 1-based row (record) number.
    pub row: i32,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, Serialize, async_graphql::SimpleObject)]
pub struct UsageImportResult {
    pub accepted: i32,
    /// Client ids already received; ignored.
    pub duplicates: Vec<String>,
    pub rejected: Vec<UsageRejection>,
}

/// One row of a contract's billing schedule: a charge written, or a period still to come.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleRow {
    pub contract_line_id: i64,
    pub description: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub amount: Money,
    pub note: Option<String>,
    pub due_on: NaiveDate,
    /// "invoiced", "credited", "unbilled" (written, waiting for the run), "upcoming", or
    /// "preview" (what a modification would bill, before it is recorded).
    pub state: &'static str,
    pub invoice_id: Option<i64>,
    pub invoice_number: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timesheet {
    pub id: i64,
    pub contract_line_id: i64,
    pub person: String,
    pub role: String,
    pub work_date: NaiveDate,
    pub hours: String,
    pub rate: Money,
    pub amount: Money,
    pub description: String,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UsageMonth {
    pub contract_line_id: i64,
    pub meter: String,
    pub month: String,
    pub records: i32,
    pub used: String,
    pub billable: String,
    pub amount: Money,
    pub billed: bool,
}

#[derive(Debug, Clone)]
pub struct TimesheetInput {
    pub contract_line_id: String,
    pub person: String,
    pub role: String,
    pub work_date: NaiveDate,
    pub hours: String,
    pub rate: Money,
    pub description: String,
}

#[derive(Clone)]
pub struct BillingService {
    db: DatabaseConnection,
    clock: SharedClock,
    functional: Currency,
    seller: String,
}

fn timesheet_from_model(model: timesheet_entry::Model) -> AppResult<Timesheet> {
    let rate = Money::from_minor(model.rate_minor, Currency::parse(&model.currency)?);
    let hours = repo::decimal("hours", &model.hours)?;
    Ok(Timesheet {
        amount: periods::prorate(rate, hours, periods::Proration::FULL)?,
        id: model.id,
        contract_line_id: model.contract_line_id,
        person: model.person,
        role: model.role,
        work_date: model.work_date,
        hours: model.hours,
        rate,
        description: model.description,
        status: model.status,
        decided_by: model.decided_by,
        decided_at: model.decided_at,
        decision_note: model.decision_note,
    })
}

async fn find_line<C: ConnectionTrait>(connection: &C, id: i64) -> AppResult<contract_line::Model> {
    contract_line::Entity::find_by_id(id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no contract line with id {id}.")))
}

impl BillingService {
    /// The daily job's trial alerts (`trials::alert_conversions`) for `as_of`.
    pub async fn run_trial_alerts(&self, as_of: NaiveDate) -> AppResult<usize> {
        let transaction = self.db.begin().await?;
        let raised = trials::alert_conversions(&transaction, as_of, self.clock.now()).await?;
        transaction.commit().await?;
        Ok(raised)
    }

    /// Creates a coupon (`coupons::create`), audited.
    pub async fn coupon_create(
        &self,
        actor: &Actor,
        input: &coupons::CouponCreateInput,
    ) -> AppResult<coupons::Coupon> {
        let transaction = self.db.begin().await?;
        let created = coupons::create(&transaction, actor, input, self.clock.now()).await?;
        transaction.commit().await?;
        Ok(created)
    }

    /// Archives a coupon (`coupons::archive`), audited.
    pub async fn coupon_archive(&self, actor: &Actor, code: &str) -> AppResult<coupons::Coupon> {
        let transaction = self.db.begin().await?;
        let archived = coupons::archive(&transaction, actor, code, self.clock.now()).await?;
        transaction.commit().await?;
        Ok(archived)
    }

    /// The company's proration convention (any billing reader may see it).
    pub async fn proration(&self, actor: &Actor) -> AppResult<proration::ProrationConvention> {
        actor.require(Permission::BillingRead)?;
        proration::company(&self.db).await
    }

    /// Sets the company's proration convention for contracts written from now on, audited.
    pub async fn set_proration(
        &self,
        actor: &Actor,
        convention: proration::ProrationConvention,
    ) -> AppResult<proration::ProrationConvention> {
        let transaction = self.db.begin().await?;
        let set = proration::set_company(&transaction, actor, convention, self.clock.now()).await?;
        transaction.commit().await?;
        Ok(set)
    }

    /// Gives a contract not yet billed its own proration convention, audited.
    pub async fn set_contract_proration(
        &self,
        actor: &Actor,
        contract_id: &str,
        convention: proration::ProrationConvention,
    ) -> AppResult<proration::ContractProration> {
        let transaction = self.db.begin().await?;
        let set = proration::set_contract(
            &transaction,
            actor,
            contract_id,
            convention,
            self.clock.now(),
        )
        .await?;
        transaction.commit().await?;
        Ok(set)
    }

    /// Bills a contract not yet billed on a day of the month (`None`: each line from its start).
    pub async fn set_contract_billing_day(
        &self,
        actor: &Actor,
        contract_id: &str,
        day: Option<i32>,
    ) -> AppResult<billing_day::ContractBillingDay> {
        let transaction = self.db.begin().await?;
        let set = billing_day::set(&transaction, actor, contract_id, day, self.clock.now()).await?;
        transaction.commit().await?;
        Ok(set)
    }

    /// Bills a subscription line not yet billed in arrears (or in advance again), audited.
    pub async fn set_line_in_arrears(
        &self,
        actor: &Actor,
        contract_line_id: &str,
        in_arrears: bool,
    ) -> AppResult<timing::LineTiming> {
        let transaction = self.db.begin().await?;
        let set = timing::set(
            &transaction,
            actor,
            contract_line_id,
            in_arrears,
            self.clock.now(),
        )
        .await?;
        transaction.commit().await?;
        Ok(set)
    }

    /// Every coupon with what is left of it, newest first.
    pub async fn coupons(&self, actor: &Actor) -> AppResult<Vec<coupons::Coupon>> {
        coupons::list(&self.db, actor).await
    }

    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        functional: Currency,
        seller: String,
    ) -> BillingService {
        BillingService {
            db,
            clock,
            functional,
            seller,
        }
    }

    /// The bill run (or its preview) for `as_of`, started by a person.
    pub async fn run(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        dry_run: bool,
    ) -> AppResult<BillRunReport> {
        actor.require(Permission::BillRun)?;
        self.run_as(
            Some(actor),
            as_of,
            dry_run,
            format!("user:{}", actor.user_id),
            &|_, _| {},
        )
        .await
    }

    /// The bill run as the scheduler and `run-daily` call it.
    pub async fn run_as(
        &self,
        actor: Option<&Actor>,
        as_of: NaiveDate,
        dry_run: bool,
        owner: String,
        on_progress: &(dyn Fn(usize, usize) + Sync),
    ) -> AppResult<BillRunReport> {
        run::execute(
            &self.db,
            RunRequest {
                as_of,
                dry_run,
                actor,
                functional: self.functional,
                seller: self.seller.clone(),
                now: self.clock.now(),
                owner,
            },
            on_progress,
        )
        .await
    }

    pub async fn run_status(&self, actor: &Actor, date: NaiveDate) -> AppResult<Option<RunStatus>> {
        actor.require(Permission::BillingRead)?;
        run::status(&self.db, date).await
    }

    pub async fn recent_runs(&self, actor: &Actor) -> AppResult<Vec<RunStatus>> {
        actor.require(Permission::BillingRead)?;
        run::recent(&self.db, 30).await
    }

    /// Past charges (invoiced or waiting) and the periods still to come, per line.
    pub async fn schedule(&self, actor: &Actor, contract_id: i64) -> AppResult<Vec<ScheduleRow>> {
        actor.require(Permission::BillingRead)?;
        let contract = contract::Entity::find_by_id(contract_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                AppError::not_found(format!("There is no contract with id {contract_id}."))
            })?;
        if actor.sees_only_own_deals() {
            let deal = crate::entities::deal::Entity::find_by_id(contract.deal_id)
                .one(&self.db)
                .await?;
            if deal.and_then(|deal| deal.assigned_ae_id) != Some(actor.user_id) {
                return Err(AppError::Forbidden(
                    "This contract belongs to another account executive.".into(),
                ));
            }
        }
        let lines = repo::billable_lines(&self.db, Some(&[contract_id])).await?;
        let (mut rows, keys) = self.charged_rows(&lines).await?;
        rows.extend(upcoming_rows(&lines, &keys)?);
        rows.sort_by_key(|row| (row.due_on, row.contract_line_id));
        Ok(rows)
    }

    /// The charges written for the lines, each invoiced, credited by a memo, or unbilled; and
    /// the charge keys written per line.
    async fn charged_rows(
        &self,
        lines: &[repo::BillableLine],
    ) -> AppResult<(Vec<ScheduleRow>, HashMap<i64, Vec<String>>)> {
        let line_ids: Vec<i64> = lines.iter().map(|line| line.line_id).collect();
        let charges = billing_charge::Entity::find()
            .filter(billing_charge::Column::ContractLineId.is_in(line_ids.clone()))
            .order_by_asc(billing_charge::Column::DueOn)
            .all(&self.db)
            .await?;
        let live_lines = invoice_line::Entity::find()
            .filter(invoice_line::Column::ContractLineId.is_in(line_ids))
            .filter(invoice_line::Column::ActiveChargeId.is_not_null())
            .all(&self.db)
            .await?;
        let invoice_ids: Vec<i64> = live_lines.iter().map(|line| line.invoice_id).collect();
        let numbers: HashMap<i64, Option<String>> = invoice::Entity::find()
            .filter(invoice::Column::Id.is_in(invoice_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|invoice| (invoice.id, invoice.number))
            .collect();
        let on_invoice: HashMap<i64, i64> = live_lines
            .iter()
            .map(|line| (line.charge_id, line.invoice_id))
            .collect();
        // Credits no invoice absorbed were issued as credit memos by the bill run.
        let on_memo: std::collections::HashSet<i64> = crate::entities::credit_memo::Entity::find()
            .filter(
                crate::entities::credit_memo::Column::BillingChargeId
                    .is_in(charges.iter().map(|charge| charge.id)),
            )
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|memo| memo.billing_charge_id)
            .collect();
        let mut rows = Vec::new();
        let mut keys: HashMap<i64, Vec<String>> = HashMap::new();
        for charge in charges {
            let currency = Currency::parse(&charge.currency)?;
            let invoice_id = on_invoice.get(&charge.id).copied();
            keys.entry(charge.contract_line_id)
                .or_default()
                .push(charge.charge_key.clone());
            rows.push(ScheduleRow {
                contract_line_id: charge.contract_line_id,
                description: charge.description,
                period_start: charge.period_start,
                period_end: charge.period_end.and_then(|end| end.pred_opt()),
                amount: Money::from_minor(charge.amount_minor, currency),
                note: charge.proration_note,
                due_on: charge.due_on,
                state: if invoice_id.is_some() {
                    "invoiced"
                } else if on_memo.contains(&charge.id) {
                    "credited"
                } else {
                    "unbilled"
                },
                invoice_number: invoice_id.and_then(|id| numbers.get(&id).cloned().flatten()),
                invoice_id,
            });
        }
        Ok((rows, keys))
    }

    /// CSV with a header `contract_line_id,meter,quantity,occurred_at,client_id`.
    pub async fn upload_usage_csv(&self, actor: &Actor, csv: &str) -> AppResult<UsageImportResult> {
        actor.require(Permission::UsageWrite)?;
        let mut rows = csv.lines().filter(|line| !line.trim().is_empty());
        let header: Vec<String> = rows
            .next()
            .unwrap_or_default()
            .split(',')
            .map(|cell| cell.trim().to_ascii_lowercase())
            .collect();
        let expected = [
            "contract_line_id",
            "meter",
            "quantity",
            "occurred_at",
            "client_id",
        ];
        if header != expected {
            return Err(AppError::validation(
                "csv",
                format!("The first line must be the header {}.", expected.join(",")),
            ));
        }
        let mut inputs = Vec::new();
        let mut bad = Vec::new();
        for (index, line) in rows.enumerate() {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            let row = i32::try_from(index + 1).unwrap_or(i32::MAX);
            if cells.len() != 5 {
                bad.push(UsageRejection {
                    row,
                    field: "csv".into(),
                    message: format!("Expected 5 columns, found {}.", cells.len()),
                });
                continue;
            }
            let Ok(occurred_at) = DateTime::parse_from_rfc3339(cells[3]) else {
                bad.push(UsageRejection {
                    row,
                    field: "occurredAt".into(),
                    message: format!(
                        "{:?} is not a timestamp such as 2026-03-04T10:00:00Z.",
                        cells[3]
                    ),
                });
                continue;
            };
            inputs.push((
                row,
                UsageInput {
                    contract_line_id: cells[0].into(),
                    meter: cells[1].into(),
                    quantity: cells[2].into(),
                    occurred_at: occurred_at.with_timezone(&Utc),
                    client_id: cells[4].into(),
                },
            ));
        }
        let rows_of: Vec<i32> = inputs.iter().map(|(row, _)| *row).collect();
        let mut result = self
            .record_usage(actor, inputs.into_iter().map(|(_, input)| input).collect())
            .await?;
        // Report CSV rows, not positions among the parsed records.
        for rejection in &mut result.rejected {
            let position = usize::try_from(rejection.row - 1).unwrap_or(0);
            rejection.row = rows_of.get(position).copied().unwrap_or(rejection.row);
        }
        result.rejected.extend(bad);
        result.rejected.sort_by_key(|rejection| rejection.row);
        Ok(result)
    }

    /// Usage per meter and month for the lines of a contract, priced as the bill run would.
    pub async fn usage(&self, actor: &Actor, contract_id: i64) -> AppResult<Vec<UsageMonth>> {
        actor.require(Permission::BillingRead)?;
        let lines = repo::billable_lines(&self.db, Some(&[contract_id])).await?;
        let mut months = Vec::new();
        for line in lines
            .iter()
            .filter(|line| line.terms.kind == ContractLineKind::Usage)
        {
            let Some(pricing) = &line.pricing else {
                continue;
            };
            let records = usage_record::Entity::find()
                .filter(usage_record::Column::ContractLineId.eq(line.line_id))
                .all(&self.db)
                .await?;
            let billed: Vec<String> = billing_charge::Entity::find()
                .filter(billing_charge::Column::ContractLineId.eq(line.line_id))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|charge| charge.charge_key)
                .collect();
            let mut by_month: std::collections::BTreeMap<String, Vec<Decimal>> = Default::default();
            for record in &records {
                by_month
                    .entry(record.usage_month.clone())
                    .or_default()
                    .push(repo::decimal("quantity", &record.quantity)?);
            }
            for (month, quantities) in by_month {
                let used = pricing::aggregate(&quantities, pricing.aggregation);
                let priced = pricing::price(pricing, used, line.terms.unit_price.currency())?;
                months.push(UsageMonth {
                    contract_line_id: line.line_id,
                    meter: pricing.meter.clone(),
                    billed: billed.contains(&format!("usage:{month}")),
                    month,
                    records: i32::try_from(quantities.len()).unwrap_or(i32::MAX),
                    used: used.normalize().to_string(),
                    billable: priced.billable.normalize().to_string(),
                    amount: priced.amount,
                });
            }
        }
        Ok(months)
    }

    pub async fn submit_timesheet(
        &self,
        actor: &Actor,
        input: TimesheetInput,
    ) -> AppResult<Timesheet> {
        actor.require(Permission::TimesheetSubmit)?;
        let line_id = parse_id("contractLineId", &input.contract_line_id)?;
        let person = require_text("person", &input.person, 200)?;
        let role = require_text("role", &input.role, 100)?;
        let description = require_text("description", &input.description, 1000)?;
        let hours = parse_quantity(&input.hours)
            .map_err(|message| AppError::validation("hours", message))?;
        if hours.is_zero() || hours > Decimal::from(24) {
            return Err(AppError::validation(
                "hours",
                "Hours for one day must be more than 0 and at most 24.",
            ));
        }
        if input.rate.is_negative() || input.rate.is_zero() {
            return Err(AppError::validation(
                "rate",
                "The rate card rate must be greater than zero.",
            ));
        }
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let line = find_line(&transaction, line_id).await?;
        if line.kind != ContractLineKind::TimeAndMaterials.as_str() {
            return Err(AppError::validation(
                "contractLineId",
                format!("Contract line {line_id} is not billed on time and materials."),
            ));
        }
        if input.rate.currency().code() != line.currency {
            return Err(AppError::validation(
                "rate",
                format!(
                    "The contract bills in {}; give the rate in {}.",
                    line.currency, line.currency
                ),
            ));
        }
        if input.work_date > self.clock.today() {
            return Err(AppError::validation(
                "workDate",
                format!(
                    "{} is in the future; hours are submitted for days already worked.",
                    input.work_date
                ),
            ));
        }
        if input.work_date < line.start_date || input.work_date > line.end_date {
            return Err(AppError::validation(
                "workDate",
                format!(
                    "{} is outside the line's term {} to {}.",
                    input.work_date, line.start_date, line.end_date
                ),
            ));
        }
        let model = timesheet_entry::ActiveModel {
            contract_line_id: Set(line_id),
            person: Set(person),
            role: Set(role),
            work_date: Set(input.work_date),
            hours: Set(hours.to_string()),
            rate_minor: Set(input.rate.minor()),
            currency: Set(line.currency.clone()),
            description: Set(description),
            status: Set("submitted".into()),
            submitted_by: Set(Some(actor.user_id)),
            submitted_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let entry = timesheet_from_model(model)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "timesheet.submit",
                entity_type: "timesheet_entry",
                entity_id: entry.id.to_string(),
                before: None,
                after: Some(&entry),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(entry)
    }

    /// Approves (billable from then on) or rejects a submitted entry; nobody decides their own.
    pub async fn decide_timesheet(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        note: Option<String>,
    ) -> AppResult<Timesheet> {
        actor.require(Permission::TimesheetApprove)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let model = timesheet_entry::Entity::find_by_id(id)
            .one(&transaction)
            .await?
            .ok_or_else(|| {
                AppError::not_found(format!("There is no timesheet entry with id {id}."))
            })?;
        if model.submitted_by == Some(actor.user_id) {
            return Err(AppError::Forbidden(
                "Nobody approves their own timesheet.".into(),
            ));
        }
        let before = timesheet_from_model(model.clone())?;
        let decided = timesheet_entry::Entity::update_many()
            .col_expr(
                timesheet_entry::Column::Status,
                Expr::value(if approve { "approved" } else { "rejected" }),
            )
            .col_expr(
                timesheet_entry::Column::DecidedBy,
                Expr::value(actor.user_id),
            )
            .col_expr(timesheet_entry::Column::DecidedAt, Expr::value(now))
            .col_expr(timesheet_entry::Column::DecisionNote, Expr::value(note))
            .filter(timesheet_entry::Column::Id.eq(id))
            .filter(timesheet_entry::Column::Status.eq("submitted"))
            .exec(&transaction)
            .await?;
        if decided.rows_affected != 1 {
            return Err(AppError::Conflict(format!(
                "Timesheet entry {id} was already {}.",
                model.status
            )));
        }
        if approve {
            // Time and materials are earned as the work is done (right to invoice): the entry's
            // work date, not the day it is approved, decides the period.
            let earned_on = crate::revenue::repo::earned_on(&transaction, model.work_date).await?;
            crate::revenue::repo::add_variable(
                &transaction,
                model.contract_line_id,
                "timesheet",
                &format!("timesheet:{id}"),
                earned_on,
                before.amount.minor(),
            )
            .await?;
        }
        let after = timesheet_from_model(
            timesheet_entry::Entity::find_by_id(id)
                .one(&transaction)
                .await?
                .ok_or_else(|| AppError::internal("entry vanished"))?,
        )?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: if approve {
                    "timesheet.approve"
                } else {
                    "timesheet.reject"
                },
                entity_type: "timesheet_entry",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }

    pub async fn timesheets(
        &self,
        actor: &Actor,
        status: Option<&str>,
    ) -> AppResult<Vec<Timesheet>> {
        actor.require(Permission::BillingRead)?;
        let mut query =
            timesheet_entry::Entity::find().order_by_asc(timesheet_entry::Column::WorkDate);
        if let Some(status) = status {
            query = query.filter(timesheet_entry::Column::Status.eq(status));
        }
        query
            .all(&self.db)
            .await?
            .into_iter()
            .map(timesheet_from_model)
            .collect()
    }

    /// Marks a milestone or licence line delivered (the licence is billable from then on).
    /// Records a delivery that happened on `delivered_on` (today when not given).
    pub async fn deliver(
        &self,
        actor: &Actor,
        line_id: i64,
        delivered_on: Option<NaiveDate>,
        quantity: Option<&str>,
    ) -> AppResult<contract_line::Model> {
        actor.require(Permission::DeliveryRecord)?;
        // A licence delivered in parts keeps delivering in parts.
        if quantity.is_some()
            || !deliveries::deliveries_of(&self.db, line_id)
                .await?
                .is_empty()
        {
            return self
                .deliver_part(actor, line_id, quantity, delivered_on)
                .await;
        }
        self.record_delivery_act(actor, line_id, false, None, delivered_on)
            .await
    }

    /// Records the customer's acceptance of a delivered milestone (billable from then on).
    pub async fn accept(
        &self,
        actor: &Actor,
        line_id: i64,
        note: &str,
        accepted_on: Option<NaiveDate>,
    ) -> AppResult<contract_line::Model> {
        actor.require(Permission::DeliveryRecord)?;
        let note = require_text("note", note, 1000)?;
        self.record_delivery_act(actor, line_id, true, Some(note), accepted_on)
            .await
    }

    async fn record_delivery_act(
        &self,
        actor: &Actor,
        line_id: i64,
        acceptance: bool,
        note: Option<String>,
        event_on: Option<NaiveDate>,
    ) -> AppResult<contract_line::Model> {
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        // The business date of the event, entered by a person; the click time stays the record.
        let field = if acceptance {
            "acceptedOn"
        } else {
            "deliveredOn"
        };
        let event_on = crate::revenue::repo::event_date(
            &transaction,
            field,
            event_on.unwrap_or(now.date_naive()),
            self.clock.today(),
        )
        .await?;
        let line = find_line(&transaction, line_id).await?;
        let kind =
            ContractLineKind::parse(&line.kind).ok_or_else(|| AppError::internal("line kind"))?;
        let allowed = if acceptance {
            kind == ContractLineKind::Milestone
        } else {
            matches!(
                kind,
                ContractLineKind::Milestone | ContractLineKind::PerpetualLicense
            )
        };
        if !allowed {
            return Err(AppError::validation(
                "contractLineId",
                format!(
                    "A {} line cannot be {}.",
                    kind.as_str().replace('_', " "),
                    if acceptance { "accepted" } else { "delivered" }
                ),
            ));
        }
        let mut update =
            contract_line::Entity::update_many().filter(contract_line::Column::Id.eq(line_id));
        if acceptance {
            if line.delivered_at.is_none() {
                return Err(AppError::Conflict(
                    "The milestone must be marked delivered before the customer can accept it."
                        .into(),
                ));
            }
            update = update
                .col_expr(contract_line::Column::AcceptedAt, Expr::value(now))
                .col_expr(
                    contract_line::Column::AcceptedBy,
                    Expr::value(actor.user_id),
                )
                .col_expr(contract_line::Column::AcceptanceNote, Expr::value(note))
                .filter(contract_line::Column::AcceptedAt.is_null());
        } else {
            update = update
                .col_expr(contract_line::Column::DeliveredAt, Expr::value(now))
                .col_expr(
                    contract_line::Column::DeliveredBy,
                    Expr::value(actor.user_id),
                )
                .filter(contract_line::Column::DeliveredAt.is_null());
        }
        if update.exec(&transaction).await?.rows_affected != 1 {
            return Err(AppError::Conflict(format!(
                "Contract line {line_id} was already {}.",
                if acceptance { "accepted" } else { "delivered" }
            )));
        }
        // A licence is satisfied on delivery, a milestone on acceptance (ASC 606 point in time).
        if acceptance || kind == ContractLineKind::PerpetualLicense {
            crate::revenue::repo::on_satisfied(&transaction, line_id, event_on, now).await?;
        }
        let after = find_line(&transaction, line_id).await?;
        audit::record(&transaction, Some(actor), now, AuditRecord {
            action: if acceptance { "contract_line.accept" } else { "contract_line.deliver" },
            entity_type: "contract_line",
            entity_id: line_id.to_string(),
            before: Some(&serde_json::json!({"deliveredAt": line.delivered_at, "acceptedAt": line.accepted_at})),
            after: Some(&serde_json::json!({"deliveredAt": after.delivered_at, "acceptedAt": after.accepted_at, "by": actor.user_id})),
        })
        .await?;
        transaction.commit().await?;
        Ok(after)
    }
}

/// The periods still to come on each line (with their discount lines): those before the
/// service ends with no charge written yet.
fn upcoming_rows(
    lines: &[repo::BillableLine],
    keys: &HashMap<i64, Vec<String>>,
) -> AppResult<Vec<ScheduleRow>> {
    let mut rows = Vec::new();
    for line in lines {
        let written = keys.get(&line.line_id).cloned().unwrap_or_default();
        let stop = line.terms.service_end();
        for period in line
            .terms
            .periods()
            .iter()
            .filter(|period| period.start < stop)
        {
            for charge in line.terms.period_charges(period)? {
                if written.contains(&charge.key) {
                    continue;
                }
                rows.push(ScheduleRow {
                    contract_line_id: line.line_id,
                    description: charge.description,
                    period_start: Some(period.start),
                    period_end: Some(period.last_day()),
                    amount: charge.amount,
                    note: charge.note,
                    due_on: charge.due_on,
                    state: "upcoming",
                    invoice_id: None,
                    invoice_number: None,
                });
            }
        }
    }
    Ok(rows)
}
