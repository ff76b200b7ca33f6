//! Timesheets of time-and-materials lines: entries submitted, approved or rejected (an approved
//! entry is billable and earned on its work date), and listed.

use super::pricing::parse_quantity;
use super::*;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::timesheet_entry;
use crate::values::{parse_id, require_text};
use revops_terms::kinds::ContractLineKind;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

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

impl BillingService {
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
}
