//! Revenue recognition under ASC 606 / IFRS 15: performance obligations with their SSP
//! allocation, recognition schedules per pattern, the monthly recognition run, contract
//! modifications, period close, and the deferred-revenue reports. Pure rules live in `rules`,
//! storage and the hooks other areas call in `repo`, the run in `run`, reports in `report`.
//! The service's use cases each have a file: running recognition (`recognition`), the ratable
//! method (`settings`), the SSP table (`ssp`), reading the reports (`reading`) and period close
//! (`closing`).

pub mod disclosures;
pub mod modifications;
pub mod opening;
pub mod positions;
pub mod repo;
pub mod report;
pub mod rules;
pub mod run;

mod closing;
mod reading;
mod recognition;
mod settings;
mod ssp;

use crate::clock::SharedClock;
use crate::fx::Rates;
use crate::money::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use rules::{RatableMethod, SspBasis, SspMethod};
use rust_decimal::Decimal;
use sea_orm::DatabaseConnection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct SspPrice {
    pub id: i64,
    pub product_name: String,
    pub basis: SspBasis,
    pub method: SspMethod,
    /// The price or range; under the residual approach the range of prices seen (zero when
    /// none); under cost plus margin the resulting price.
    pub low: Money,
    pub high: Money,
    pub cost: Option<Money>,
    /// The margin in percent, for cost plus margin.
    pub margin_percent: Option<Decimal>,
    pub effective_from: NaiveDate,
}

/// An SSP table entry as asked for. Which amounts it needs depends on the method: a price or
/// range (`low`, `high`) for observable and adjusted-market prices; `cost` and
/// `margin_percent` for cost plus margin; optionally the range of prices seen for the residual.
pub struct SspInput {
    pub product_name: String,
    pub basis: SspBasis,
    pub method: SspMethod,
    pub currency: Option<Currency>,
    pub low: Option<Money>,
    pub high: Option<Money>,
    pub cost: Option<Money>,
    pub margin_percent: Option<Decimal>,
    pub effective_from: NaiveDate,
}

/// The ratable convention a contract follows: its own override, if any, and the one in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ContractMethod {
    pub contract_id: i64,
    pub override_method: Option<RatableMethod>,
    pub method: RatableMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum PeriodStatus {
    Open,
    Closed,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerPeriod {
    pub period: String,
    pub status: PeriodStatus,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by_name: Option<String>,
    pub reopened_at: Option<DateTime<Utc>>,
    pub reopen_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CloseCheck {
    pub period: String,
    pub trial_balance_zero: bool,
    pub pending_rows: i64,
    pub pending_amount: Vec<Money>,
    pub earlier_open: Vec<String>,
    pub problems: Vec<String>,
}

impl CloseCheck {
    pub fn can_close(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Clone)]
pub struct RevenueService {
    db: DatabaseConnection,
    clock: SharedClock,
    /// The currency the functional views of the reports add every currency up in.
    functional: Currency,
}

/// Turns a month-by-month report's rows (per currency) into its functional-currency rows.
type FunctionalView<T> =
    fn(&[T], &[(String, NaiveDate, NaiveDate)], &Rates, &mut Vec<String>) -> Vec<T>;

/// Which currencies a revenue report shows: every currency added up in the functional currency,
/// or each currency on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum CurrencyView {
    Functional,
    EachCurrency,
}

impl RevenueService {
    pub fn new(db: DatabaseConnection, clock: SharedClock, functional: Currency) -> RevenueService {
        RevenueService {
            db,
            clock,
            functional,
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }
}
