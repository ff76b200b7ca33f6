//! Renewals and expansion (DESIGN area `renewals/`): the pipeline of contracts ending in the next
//! 90 days with a status suggested from risk signals and set by the owner (history kept), the
//! contact log, the 90/60/30-day alerts (each once, in-app and by e-mail through the outbox),
//! renewing into the next term with the uplift, and the expansion report.

pub mod expansion;
mod pipeline;
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
            flag_at_risk(&transaction, &after, self.clock.today(), now).await?;
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

    /// Renews a contract into its next term: the same recurring and usage lines at the
    /// quantity in force on its last day, prices uplifted, with billing and recognition built
    /// as for an approved deal. Refused while the customer is on credit hold. The same key
    /// returns the first result.
    pub async fn renew(
        &self,
        actor: &Actor,
        contract_id: i64,
        uplift_percent: Option<&str>,
        idempotency_key: &str,
    ) -> AppResult<contract::Model> {
        actor.require(Permission::RenewalRenew)?;
        let key = require_text("idempotencyKey", idempotency_key, 128)?;
        let old = self.visible_contract(actor, contract_id).await?;
        if let Some(existing) = self.renewed_as(&old).await? {
            let renewal_deal = deal::Entity::find_by_id(existing.deal_id)
                .one(&self.db)
                .await?;
            if renewal_deal
                .and_then(|row| row.approve_idempotency_key)
                .as_deref()
                == Some(&key)
            {
                return Ok(existing);
            }
            return Err(already_renewed(&old, &existing));
        }
        let uplift = self.renewable(&old, uplift_percent).await?;
        self.within_credit(&old, &next_term(&self.db, &old, uplift).await?)
            .await?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let renewed = renew_in(&transaction, actor, &old, uplift, &key, now).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "renewal.renew",
                entity_type: "contract",
                entity_id: contract_id.to_string(),
                before: Some(&old),
                after: Some(&renewed),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(renewed)
    }

    /// The next term exactly as `renew` would write it now (dates, ARR and TCV from the same
    /// lines, prices uplifted and rounded per line), without writing anything: what a person
    /// confirms is what is created. Refused for the same reasons as renewing.
    pub async fn preview(
        &self,
        actor: &Actor,
        contract_id: i64,
        uplift_percent: Option<&str>,
    ) -> AppResult<RenewalPreview> {
        actor.require(Permission::RenewalRenew)?;
        let old = self.visible_contract(actor, contract_id).await?;
        if let Some(existing) = self.renewed_as(&old).await? {
            return Err(already_renewed(&old, &existing));
        }
        let uplift = self.renewable(&old, uplift_percent).await?;
        let term = next_term(&self.db, &old, uplift).await?;
        self.within_credit(&old, &term).await?;
        let currency = Currency::parse(&old.currency)?;
        Ok(RenewalPreview {
            contract_id,
            start_date: term.start,
            end_date: term.end,
            arr: Money::from_minor(term.arr, currency),
            tcv: Money::from_minor(term.tcv, currency),
            uplift_percent: uplift,
        })
    }

    /// Refuses a renewal whose next term takes the customer over its credit limit within the
    /// window (DOMAIN, "Credit policy"): a VP Finance raises the limit first.
    async fn within_credit(&self, old: &contract::Model, term: &NextTerm) -> AppResult<()> {
        let customer = crate::customers::find_model(&self.db, old.customer_id).await?;
        let checked = crate::credit::check_customer(
            &self.db,
            &customer,
            &term.terms,
            Some("this renewal"),
            self.clock.today(),
            self.functional,
        )
        .await?;
        if checked.needs_vp_finance {
            return Err(AppError::validation(
                "creditLimit",
                format!(
                    "{} Request a higher credit limit for a VP Finance to approve, then renew.",
                    checked.explanation
                ),
            ));
        }
        Ok(())
    }

    async fn renewed_as(&self, old: &contract::Model) -> AppResult<Option<contract::Model>> {
        Ok(contract::Entity::find()
            .filter(contract::Column::RenewedFromId.eq(old.id))
            .one(&self.db)
            .await?)
    }

    /// The uplift to renew `old` with (the given one, else the contract's own), once the
    /// customer is known not to be on credit hold.
    async fn renewable(
        &self,
        old: &contract::Model,
        uplift_percent: Option<&str>,
    ) -> AppResult<Decimal> {
        let customer = crate::customers::find_model(&self.db, old.customer_id).await?;
        if customer.on_credit_hold {
            return Err(AppError::validation(
                "contractId",
                format!(
                    "{} is on credit hold ({}); release the hold before renewing.",
                    customer.legal_name,
                    customer
                        .credit_hold_reason
                        .as_deref()
                        .unwrap_or("no reason given")
                ),
            ));
        }
        match uplift_percent {
            Some(text) => parse_uplift(text),
            None => parse_uplift(&old.uplift_percent),
        }
    }

    /// Sends the alerts due on `as_of`: each renewal's owner at 90, 60 and 30 days, and at 60
    /// days every Yellow or Red renewal to the CRO and the VP CS. Each (renewal, mark, person)
    /// once ever, so a rerun sends nothing new.
    pub async fn run_alerts(&self, as_of: NaiveDate) -> AppResult<AlertReport> {
        let renewals = self.pipeline_of(as_of, rules::WINDOW_DAYS, None).await?;
        let now = self.clock.now();
        let mut report = AlertReport {
            renewals: renewals.len(),
            alerts: 0,
        };
        let transaction = self.db.begin().await?;
        let escalation = users_with_roles(&transaction, &[Role::Cro, Role::VpCs]).await?;
        for renewal in &renewals {
            let Some(mark) = rules::mark_reached(renewal.days_to_renewal) else {
                continue;
            };
            if let Some(owner) = renewal.owner_id {
                if let Some(person) = user::Entity::find_by_id(owner).one(&transaction).await? {
                    if send_alert(&transaction, renewal, mark, &person, as_of, now).await? {
                        report.alerts += 1;
                    }
                }
            }
            if mark == rules::AT_RISK_MARK && renewal.status.at_risk() {
                let mut flagged = false;
                for person in &escalation {
                    if send_alert(&transaction, renewal, mark, person, as_of, now).await? {
                        report.alerts += 1;
                        flagged = true;
                    }
                }
                if flagged {
                    emit_at_risk(&transaction, renewal, now).await?;
                }
            }
        }
        transaction.commit().await?;
        Ok(report)
    }
}

async fn users_with_roles<C: ConnectionTrait>(
    connection: &C,
    roles: &[Role],
) -> AppResult<Vec<user::Model>> {
    // People only: a service account holding one of the roles reads no alerts and has no inbox.
    Ok(user::Entity::find()
        .filter(user::Column::Role.is_in(roles.iter().map(Role::as_str)))
        .filter(user::Column::Kind.eq(crate::auth::UserKind::Person.as_str()))
        .order_by_asc(user::Column::Id)
        .all(connection)
        .await?)
}

/// An at-risk renewal set within 60 days goes to the CRO and the VP CS as its 60-day alert.
async fn flag_at_risk<C: ConnectionTrait>(
    connection: &C,
    renewal: &Renewal,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut flagged = false;
    for person in users_with_roles(connection, &[Role::Cro, Role::VpCs]).await? {
        flagged |= send_alert(
            connection,
            renewal,
            rules::AT_RISK_MARK,
            &person,
            today,
            now,
        )
        .await?;
    }
    if flagged {
        emit_at_risk(connection, renewal, now).await?;
    }
    Ok(())
}

/// The `renewal.at_risk` webhook event: sent when the CRO and VP CS are first flagged (the
/// alerts' unique keys make that once per renewal).
async fn emit_at_risk<C: ConnectionTrait>(
    connection: &C,
    renewal: &Renewal,
    now: DateTime<Utc>,
) -> AppResult<()> {
    crate::webhooks::emit(
        connection,
        now,
        crate::webhooks::EventType::RenewalAtRisk,
        serde_json::json!({
            "contractId": renewal.contract_id,
            "contractNumber": renewal.contract_number,
            "customerId": renewal.customer_id,
            "customerName": renewal.customer_name,
            "status": renewal.status.as_str(),
            "reason": renewal.reason,
            "renewalDate": renewal.renewal_date,
            "daysToRenewal": renewal.days_to_renewal,
            "arr": renewal.arr,
            "ownerId": renewal.owner_id,
        }),
    )
    .await
}

/// Records the alert and, when it is new, raises it in-app and e-mails it; false when sent before.
async fn send_alert<C: ConnectionTrait>(
    connection: &C,
    renewal: &Renewal,
    mark: i64,
    person: &user::Model,
    as_of: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let mark_days = i32::try_from(mark).unwrap_or(i32::MAX);
    let inserted = renewal_alert::Entity::insert(renewal_alert::ActiveModel {
        contract_id: Set(renewal.contract_id),
        mark_days: Set(mark_days),
        recipient_id: Set(person.id),
        status: Set(renewal.status.as_str().into()),
        business_date: Set(as_of),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            renewal_alert::Column::ContractId,
            renewal_alert::Column::MarkDays,
            renewal_alert::Column::RecipientId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(connection)
    .await?;
    if inserted != 1 {
        return Ok(false);
    }
    let arr = renewal.arr_functional.unwrap_or(renewal.arr);
    let title = format!(
        "{} renews in {} days ({:?})",
        renewal.customer_name, renewal.days_to_renewal, renewal.status
    );
    let body = format!(
        "Contract {} for {} renews on {} with ARR {}. Status {:?}{}. Owner: {}. Last contact: {}.",
        renewal.contract_number,
        renewal.customer_name,
        renewal.renewal_date,
        arr,
        renewal.status,
        renewal
            .reason
            .as_deref()
            .map(|reason| format!(" — {reason}"))
            .unwrap_or_default(),
        renewal.owner_name.as_deref().unwrap_or("none"),
        renewal
            .last_contact_on
            .map(|day| day.to_string())
            .unwrap_or_else(|| "none logged".into()),
    );
    let key = format!("renewal:{}:{mark}:{}", renewal.contract_id, person.id);
    alerts::raise(
        connection,
        now,
        NewAlert {
            user_id: person.id,
            kind: "renewal",
            dedupe_key: key.clone(),
            title: title.clone(),
            body: body.clone(),
            link: Some(format!("/renewals?contract={}", renewal.contract_id)),
        },
    )
    .await?;
    enqueue(
        connection,
        now,
        NewMessage {
            kind: "renewal_alert",
            dedupe_key: format!("email:{key}"),
            recipient: person.email.clone(),
            subject: format!("[{mark}-day renewal] {title}"),
            body,
            attachment: None,
        },
    )
    .await?;
    Ok(true)
}

fn already_renewed(old: &contract::Model, existing: &contract::Model) -> AppError {
    AppError::Conflict(format!(
        "Contract {} is already renewed as {}.",
        old.contract_number, existing.contract_number
    ))
}

/// The next term of a contract as renewing writes it.
struct NextTerm {
    start: NaiveDate,
    end: NaiveDate,
    lines: Vec<contract_line::ActiveModel>,
    /// The same lines as billing terms, for the credit check.
    terms: Vec<crate::billing::schedule::LineTerms>,
    arr: i64,
    tcv: i64,
}

/// The next term of `old` with `uplift`: its dates, its lines and their ARR and TCV. Both the
/// preview and the renewal come from here.
async fn next_term<C: ConnectionTrait>(
    connection: &C,
    old: &contract::Model,
    uplift: Decimal,
) -> AppResult<NextTerm> {
    let (start, end) = rules::next_term(old.start_date, old.end_date);
    let book = crate::billing::repo::billable_lines(connection, Some(&[old.id])).await?;
    let (lines, terms, monthly, tcv) = renewal_lines(&book, old, uplift, (start, end))?;
    if lines.is_empty() {
        return Err(AppError::validation(
            "contractId",
            format!(
                "Contract {} has no recurring or usage lines running to its end; there is nothing to renew.",
                old.contract_number
            ),
        ));
    }
    Ok(NextTerm {
        start,
        end,
        lines,
        terms,
        arr: crate::recurring::rules::round_minor(monthly * Decimal::from(12)),
        tcv,
    })
}

/// Writes the next term of `old` on `connection`: a renewal deal (approved, keyed by `key`), the
/// contract and its lines, and the revenue obligations.
async fn renew_in<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    old: &contract::Model,
    uplift: Decimal,
    key: &str,
    now: DateTime<Utc>,
) -> AppResult<contract::Model> {
    let old_deal = deal::Entity::find_by_id(old.deal_id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::internal(format!("contract {} without deal", old.id)))?;
    let NextTerm {
        start,
        end,
        mut lines,
        arr,
        tcv,
        ..
    } = next_term(connection, old, uplift).await?;
    let renewal_deal = insert_renewal_deal(
        connection,
        actor,
        &old_deal,
        (tcv, arr),
        (start, end),
        key,
        now,
    )
    .await?;
    let renewed = crate::deals::insert_contract(
        connection,
        contract::ActiveModel {
            deal_id: Set(renewal_deal.id),
            customer_id: Set(old.customer_id),
            start_date: Set(start),
            end_date: Set(end),
            tcv_minor: Set(tcv),
            arr_minor: Set(arr),
            currency: Set(old.currency.clone()),
            uplift_percent: Set(uplift.normalize().to_string()),
            renewed_from_id: Set(Some(old.id)),
            // Whoever was handed this renewal owns the next one too.
            renewal_owner_id: Set(old.renewal_owner_id),
            // The customer's billing day carries into the next term.
            billing_day: Set(old.billing_day),
            // So does a ratable convention of its own (`contractRevenueMethodSet`): the next
            // term is recognised as this one was, not by whatever the company default is now.
            revenue_method: Set(old.revenue_method.clone()),
            ..Default::default()
        },
        now,
    )
    .await?;
    for line in &mut lines {
        line.contract_id = Set(renewed.id);
    }
    contract_line::Entity::insert_many(lines)
        .exec_without_returning(connection)
        .await?;
    crate::revenue::repo::build_contract(connection, renewed.id, now).await?;
    Ok(renewed)
}

/// The renewal term's lines: each subscription and usage line still running at the old term's
/// end, at its quantity then, recurring prices uplifted. Returns them with the term's monthly
/// recurring value and its TCV.
fn renewal_lines(
    book: &[crate::billing::repo::BillableLine],
    old: &contract::Model,
    uplift: Decimal,
    (start, end): (NaiveDate, NaiveDate),
) -> AppResult<(
    Vec<contract_line::ActiveModel>,
    Vec<crate::billing::schedule::LineTerms>,
    Decimal,
    i64,
)> {
    let mut lines = Vec::new();
    let mut next_terms = Vec::new();
    let mut monthly = Decimal::ZERO;
    let mut tcv: i64 = 0;
    let term_months = {
        let mut months = 0u32;
        while crate::calendar::add_months(start, months + 1) <= end + Duration::days(1) {
            months += 1;
        }
        months.max(1)
    };
    for line in book {
        let terms = &line.terms;
        let recurring = terms.kind == crate::deals::ContractLineKind::Subscription
            && crate::billing::schedule::months(terms.frequency).is_some();
        let usage = terms.kind == crate::deals::ContractLineKind::Usage;
        if !(recurring || usage) || terms.service_end() <= old.end_date {
            continue;
        }
        let quantity = terms.quantity_on(old.end_date);
        let price = if recurring {
            rules::uplifted(terms.unit_price, uplift)?
        } else {
            terms.unit_price
        };
        // A discount for as long as the line runs carries into the next term; one for some
        // periods was spent in this term.
        let discount = terms
            .discount
            .clone()
            .filter(|discount| discount.periods.is_none())
            .map(|discount| crate::billing::discount::LineDiscount {
                from: None,
                ..discount
            });
        if let Some(months) =
            crate::billing::schedule::months(terms.frequency).filter(|_| recurring)
        {
            let gross = quantity * Decimal::from(price.minor()) / Decimal::from(months);
            let per_month = discount
                .as_ref()
                .map_or(gross, |discount| discount.net_monthly(gross, months));
            monthly += per_month;
            tcv += crate::recurring::rules::round_minor(per_month * Decimal::from(term_months));
        }
        // On the contract's billing day, the next term's periods start on it again.
        let anchor =
            if recurring && terms.alignment == crate::billing::periods::Alignment::Anniversary {
                crate::billing::billing_day::anchor(old.billing_day, start)
            } else {
                None
            };
        next_terms.push(crate::billing::schedule::LineTerms {
            anchor,
            replaced_by: None,
            quantity,
            unit_price: price,
            start,
            end,
            delivered_on: None,
            accepted_on: None,
            changes: Vec::new(),
            billed_through: None,
            discount: discount.clone(),
            ..terms.clone()
        });
        lines.push(contract_line::ActiveModel {
            product_name: Set(terms.product.clone()),
            kind: Set(terms.kind.as_str().into()),
            quantity: Set(quantity.normalize().to_string()),
            unit_price_minor: Set(price.minor()),
            currency: Set(price.currency().code().into()),
            billing_frequency: Set(terms
                .frequency
                .map(|frequency| frequency.as_str().to_string())),
            start_date: Set(start),
            end_date: Set(end),
            alignment: Set(terms.alignment.as_str().into()),
            usage_pricing_json: Set(line
                .pricing
                .as_ref()
                .map(serde_json::to_string)
                .transpose()?),
            discount_json: Set(discount.as_ref().map(serde_json::to_string).transpose()?),
            // The renewal bills parts of periods as the contract it renews did.
            proration: Set(terms.proration.as_str().into()),
            billed_in_arrears: Set(terms.in_arrears),
            billing_anchor: Set(anchor),
            ..Default::default()
        });
    }
    Ok((lines, next_terms, monthly, tcv))
}

/// The renewal's deal: the old deal's terms for the new term, approved at once, numbered after
/// the renewals before it (`<opportunity>-R<n>`).
async fn insert_renewal_deal<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    old_deal: &deal::Model,
    (tcv, arr): (i64, i64),
    (start, end): (NaiveDate, NaiveDate),
    key: &str,
    now: DateTime<Utc>,
) -> AppResult<deal::Model> {
    let renewals_before = deal::Entity::find()
        .filter(
            deal::Column::CrmOpportunityId
                .starts_with(format!("{}-R", old_deal.crm_opportunity_id)),
        )
        .all(connection)
        .await?
        .len();
    Ok(deal::ActiveModel {
        id: sea_orm::ActiveValue::NotSet,
        crm_opportunity_id: Set(format!(
            "{}-R{}",
            old_deal.crm_opportunity_id,
            renewals_before + 1
        )),
        tcv_minor: Set(Some(tcv)),
        arr_minor: Set(Some(arr)),
        start_date: Set(Some(start)),
        end_date: Set(Some(end)),
        po_number: Set(None),
        status: Set("approved".into()),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        approved_at: Set(Some(now)),
        approved_by: Set(Some(actor.user_id)),
        approve_idempotency_key: Set(Some(key.to_string())),
        ..deal::ActiveModel::from(old_deal.clone())
    }
    .insert(connection)
    .await?)
}
