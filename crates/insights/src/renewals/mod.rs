//! Renewals and expansion (DESIGN area `renewals/`): the pipeline of contracts ending in the next
//! 90 days with a status suggested from risk signals and set by the owner (history kept), the
//! contact log, the 90/60/30-day alerts (each once, in-app and by e-mail through the outbox),
//! renewing into the next term with the uplift, and the expansion report.

pub mod expansion;
mod pipeline;
mod renew;
mod renewal_alerts;
pub mod rules;

pub use pipeline::pipeline_on;

use crate::access::{Actor, Permission, Role};
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::deals::renewal_terms::{self, RenewalTerms};
use crate::entities::{
    contract, contract_line, customer, deal, renewal_alert, renewal_contact, renewal_status, user,
};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::notifications::alerts::{self, NewAlert};
use crate::notifications::{enqueue, NewMessage};
use crate::receivables::own_customers;
use crate::recurring::repo::Books;
use crate::values::require_text;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rules::{RenewalStatus, Signal};
use rust_decimal::Decimal;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde::Serialize;
use std::collections::HashMap;
use std::str::FromStr;

/// How a renewal contact happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum ContactKind {
    Call,
    Email,
    Meeting,
}

impl ContactKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ContactKind::Call => "call",
            ContactKind::Email => "email",
            ContactKind::Meeting => "meeting",
        }
    }

    pub fn parse(text: &str) -> Option<ContactKind> {
        [ContactKind::Call, ContactKind::Email, ContactKind::Meeting]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// One contract in the renewal pipeline, as of a day.
#[derive(Debug, Clone, Serialize)]
pub struct Renewal {
    pub contract_id: i64,
    pub contract_number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub currency: Currency,
    /// ARR on the contract's last day, in its own currency.
    pub arr: Money,
    /// The same in the functional currency (at the day's rate); `None` without a rate.
    pub arr_functional: Option<Money>,
    pub end_date: NaiveDate,
    pub renewal_date: NaiveDate,
    pub days_to_renewal: i64,
    /// The owner's status if set, otherwise the suggestion.
    pub status: RenewalStatus,
    pub suggested_status: RenewalStatus,
    pub signals: Vec<Signal>,
    /// The owner's reason, or the signals' when the status is the suggestion.
    pub reason: Option<String>,
    pub status_set_by: Option<String>,
    pub status_set_at: Option<DateTime<Utc>>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub last_contact_on: Option<NaiveDate>,
    pub uplift_percent: Decimal,
    pub on_credit_hold: bool,
    /// The alert marks already sent for this renewal (90, 60, 30).
    pub alerts_sent: Vec<i32>,
}

/// The next term a renewal would create, computed by the rule that creates it.
#[derive(Debug, Clone, Serialize)]
pub struct RenewalPreview {
    pub contract_id: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub arr: Money,
    pub tcv: Money,
    pub uplift_percent: Decimal,
}

/// A status the owner set, or a contact logged: the renewal's history, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct RenewalEvent {
    pub at: DateTime<Utc>,
    /// "status" or "contact".
    pub kind: String,
    pub status: Option<RenewalStatus>,
    pub contact_kind: Option<ContactKind>,
    pub contacted_on: Option<NaiveDate>,
    pub text: String,
    pub by: String,
}

/// What a renewal run of alerts did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertReport {
    pub renewals: usize,
    pub alerts: usize,
}

impl AlertReport {
    pub fn summary(&self) -> String {
        format!(
            "{} renewal(s) in the next 90 days; {} new alert(s) sent",
            self.renewals, self.alerts
        )
    }
}

#[derive(Clone)]
pub struct RenewalService {
    db: DatabaseConnection,
    clock: SharedClock,
    functional: Currency,
    books: Books,
}

/// Roles that see every renewal; others see their own book.
fn sees_all(actor: &Actor) -> bool {
    own_customers(actor).is_none()
}

fn parse_uplift(text: &str) -> AppResult<Decimal> {
    let value = Decimal::from_str(text.trim()).map_err(|_| {
        AppError::validation(
            "upliftPercent",
            format!("{text:?} is not a percentage, e.g. 5 or 3.5."),
        )
    })?;
    if value.is_sign_negative() || value > Decimal::from(100) || value.scale() > 4 {
        return Err(AppError::validation(
            "upliftPercent",
            "The uplift must be between 0 and 100 percent, to at most 4 decimal places.",
        ));
    }
    Ok(value)
}

impl RenewalService {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        functional: Currency,
        books: Books,
    ) -> RenewalService {
        RenewalService {
            db,
            clock,
            functional,
            books,
        }
    }

    async fn pipeline_of(
        &self,
        today: NaiveDate,
        days: i64,
        own: Option<sea_orm::sea_query::SelectStatement>,
    ) -> AppResult<Vec<Renewal>> {
        let book = self.books.get(&self.db, None).await?;
        pipeline_on(&self.db, &book, today, days, own, self.functional).await
    }

    /// Contracts renewing in the next `days` (at most 365) that the actor may see, soonest first.
    pub async fn pipeline(&self, actor: &Actor, days: i64) -> AppResult<Vec<Renewal>> {
        actor.require(Permission::RenewalRead)?;
        if !(0..=365).contains(&days) {
            return Err(AppError::validation(
                "days",
                "Give a window of 0 to 365 days.",
            ));
        }
        self.pipeline_of(self.clock.today(), days, own_customers(actor))
            .await
    }

    /// One renewal, if the actor may see it and it is not yet renewed (any distance out).
    pub async fn renewal(&self, actor: &Actor, contract_id: i64) -> AppResult<Renewal> {
        actor.require(Permission::RenewalRead)?;
        let found = self.visible_contract(actor, contract_id).await?;
        let today = self.clock.today();
        let days = (found.end_date + Duration::days(1) - today)
            .num_days()
            .max(0);
        // Visibility is checked above; read only this customer's renewals, not the window's.
        let customer_only = sea_orm::sea_query::Query::select()
            .column(contract::Column::CustomerId)
            .from(contract::Entity)
            .and_where(contract::Column::Id.eq(contract_id))
            .to_owned();
        self.pipeline_of(today, days, Some(customer_only))
            .await?
            .into_iter()
            .find(|row| row.contract_id == contract_id)
            .ok_or_else(|| {
                AppError::validation(
                    "contractId",
                    format!(
                        "Contract {} is not up for renewal: it has ended, is already renewed or has no recurring lines.",
                        found.contract_number
                    ),
                )
            })
    }

    /// The statuses set and contacts logged for a contract's renewal, newest first.
    pub async fn history(&self, actor: &Actor, contract_id: i64) -> AppResult<Vec<RenewalEvent>> {
        actor.require(Permission::RenewalRead)?;
        self.visible_contract(actor, contract_id).await?;
        let names: HashMap<i64, String> = user::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.name))
            .collect();
        let name = |id: i64| {
            names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("user {id}"))
        };
        let mut events: Vec<RenewalEvent> = renewal_status::Entity::find()
            .filter(renewal_status::Column::ContractId.eq(contract_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| RenewalEvent {
                at: row.set_at,
                kind: "status".into(),
                status: RenewalStatus::parse(&row.status),
                contact_kind: None,
                contacted_on: None,
                text: row.reason.unwrap_or_default(),
                by: name(row.set_by),
            })
            .collect();
        events.extend(
            renewal_contact::Entity::find()
                .filter(renewal_contact::Column::ContractId.eq(contract_id))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|row| RenewalEvent {
                    at: row.created_at,
                    kind: "contact".into(),
                    status: None,
                    contact_kind: ContactKind::parse(&row.kind),
                    contacted_on: Some(row.contacted_on),
                    text: row.note,
                    by: name(row.logged_by),
                }),
        );
        events.sort_by_key(|event| std::cmp::Reverse(event.at));
        Ok(events)
    }

    async fn visible_contract(
        &self,
        actor: &Actor,
        contract_id: i64,
    ) -> AppResult<contract::Model> {
        let found = contract::Entity::find_by_id(contract_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found(format!("contract {contract_id}")))?;
        if let Some(own) = own_customers(actor) {
            let visible = customer::Entity::find()
                .filter(customer::Column::Id.eq(found.customer_id))
                .filter(customer::Column::Id.in_subquery(own))
                .one(&self.db)
                .await?
                .is_some();
            if !visible {
                return Err(AppError::Forbidden(
                    "This renewal belongs to another owner's book.".into(),
                ));
            }
        }
        Ok(found)
    }

    /// The owner (or a role that sees every renewal) sets the status; a reason is required
    /// unless Green. Yellow or Red within 60 days of renewal is flagged to the CRO and VP CS.
    pub async fn set_status(
        &self,
        actor: &Actor,
        contract_id: i64,
        status: RenewalStatus,
        reason: Option<String>,
    ) -> AppResult<Renewal> {
        actor.require(Permission::RenewalManage)?;
        let before = self.renewal(actor, contract_id).await?;
        if !sees_all(actor) && before.owner_id != Some(actor.user_id) {
            return Err(AppError::Forbidden(
                "Only the renewal's owner sets its status.".into(),
            ));
        }
        let reason = match reason
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
        {
            Some(text) => Some(require_text("reason", text, 2000)?),
            None if status.at_risk() => {
                return Err(AppError::validation(
                    "reason",
                    "Say why the renewal is at risk: a Yellow or Red status needs a reason.",
                ))
            }
            None => None,
        };
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        renewal_status::ActiveModel {
            contract_id: Set(contract_id),
            status: Set(status.as_str().into()),
            reason: Set(reason.clone()),
            set_by: Set(actor.user_id),
            set_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let mut after = before.clone();
        after.status = status;
        after.reason = reason;
        if status.at_risk() && before.days_to_renewal <= rules::AT_RISK_MARK {
            renewal_alerts::flag_at_risk(&transaction, &after, self.clock.today(), now).await?;
        }
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "renewal.status",
                entity_type: "contract",
                entity_id: contract_id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        self.renewal(actor, contract_id).await
    }

    /// The people a renewal may be handed to.
    pub async fn owners(&self, actor: &Actor) -> AppResult<Vec<user::Model>> {
        actor.require(Permission::RenewalManage)?;
        renewal_terms::eligible_owners(&self.db).await
    }

    /// Hands a renewal to another owner and/or changes the uplift it is priced with, before it is
    /// renewed. Only a role that sees every renewal does this (an owner cannot give theirs
    /// away); the new owner must be an active person whose role manages renewals. The deal keeps
    /// its AE. Audited with what it replaced, as the renewal schedules import is.
    pub async fn set_terms(
        &self,
        actor: &Actor,
        contract_id: i64,
        owner_id: Option<i64>,
        uplift_percent: Option<&str>,
    ) -> AppResult<Renewal> {
        actor.require(Permission::RenewalManage)?;
        if !sees_all(actor) {
            return Err(AppError::Forbidden(
                "Only a role that sees every renewal hands one over or changes its uplift.".into(),
            ));
        }
        let before = self.renewal(actor, contract_id).await?;
        let uplift = uplift_percent
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(parse_uplift)
            .transpose()?;
        if let Some(owner) = owner_id {
            let person = user::Entity::find_by_id(owner)
                .one(&self.db)
                .await?
                .ok_or_else(|| AppError::validation("ownerId", "No such user."))?;
            if let Some(problem) = renewal_terms::owner_problem(&person) {
                return Err(AppError::validation("ownerId", problem));
            }
        }
        if owner_id.is_none() && uplift.is_none() {
            return Err(AppError::validation(
                "ownerId",
                "Choose a new owner, a new uplift, or both.",
            ));
        }
        let terms = RenewalTerms {
            contract_id,
            contract_number: before.contract_number.clone(),
            owner_id,
            uplift_percent: uplift,
            owner_before: before.owner_id,
            uplift_before: before.uplift_percent.normalize().to_string(),
        };
        let transaction = self.db.begin().await?;
        renewal_terms::set_many(&transaction, actor, self.clock.now(), &[terms], |_| {}).await?;
        transaction.commit().await?;
        self.renewal(actor, contract_id).await
    }

    /// Logs a call, e-mail or meeting; the latest contact date is the renewal's "last contact".
    pub async fn log_contact(
        &self,
        actor: &Actor,
        contract_id: i64,
        kind: ContactKind,
        note: &str,
        contacted_on: Option<NaiveDate>,
    ) -> AppResult<Renewal> {
        actor.require(Permission::RenewalManage)?;
        let before = self.renewal(actor, contract_id).await?;
        let note = require_text("note", note, 4000)?;
        let today = self.clock.today();
        let contacted_on = contacted_on.unwrap_or(today);
        if contacted_on > today {
            return Err(AppError::validation(
                "contactedOn",
                "A contact cannot be logged for a future date.",
            ));
        }
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let row = renewal_contact::ActiveModel {
            contract_id: Set(contract_id),
            kind: Set(kind.as_str().into()),
            note: Set(note),
            contacted_on: Set(contacted_on),
            logged_by: Set(actor.user_id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<Renewal, renewal_contact::Model> {
                action: "renewal.contact",
                entity_type: "contract",
                entity_id: contract_id.to_string(),
                before: Some(&before),
                after: Some(&row),
            },
        )
        .await?;
        transaction.commit().await?;
        self.renewal(actor, contract_id).await
    }
}
