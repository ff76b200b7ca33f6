//! Billing: schedules per model, usage, timesheets, deliveries and acceptances, mid-term changes
//! and the bill run. The rules live in `periods`, `pricing` and `schedule` (pure); `run` is the
//! bill run; this service holds the use cases people and systems call, each group in its own
//! file (`bill_runs`, `settings`, `contract_schedule`, `metering`, `usage`, `timesheets`,
//! `delivery_acts`, `deliveries`, `changes`). Here: the service, the shared types and helpers.

pub use revops_terms::{discount, periods, pricing, schedule};

mod bill_runs;
pub mod billing_day;
pub mod changes;
mod contract_schedule;
pub mod coupons;
pub mod deliveries;
mod delivery_acts;
pub mod discounts;
mod metering;
pub mod proration;
pub mod repo;
pub mod run;
mod settings;
mod timesheets;
pub mod timing;
pub mod trials;
mod usage;

use crate::clock::SharedClock;
use crate::entities::contract_line;
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
pub use changes::{
    ContractChange, LineAddInput, ModificationPreview, Modified, ModifyInput, NewLine, PlanChange,
    PlanTiming,
};
use chrono::{DateTime, NaiveDate, Utc};
pub use metering::UsageMonth;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use serde::Serialize;
pub use timesheets::{Timesheet, TimesheetInput};

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

#[derive(Clone)]
pub struct BillingService {
    db: DatabaseConnection,
    clock: SharedClock,
    functional: Currency,
    seller: String,
}

async fn find_line<C: ConnectionTrait>(connection: &C, id: i64) -> AppResult<contract_line::Model> {
    contract_line::Entity::find_by_id(id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no contract line with id {id}.")))
}

impl BillingService {
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
}
