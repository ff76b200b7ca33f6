//! The renewal pipeline: statuses with their signals, history and contacts, renewing into the
//! next term, and the signed-in person's in-app alerts.

use super::types::Money;
use super::{actor, app};
use crate::entities::user_alert;
use crate::renewals::rules::RenewalStatus;
use crate::renewals::{self, ContactKind};
use crate::values::{parse_id, IsoDate};
use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

fn id(value: i64) -> ID {
    ID(value.to_string())
}

#[derive(SimpleObject)]
pub struct RenewalSignal {
    pub status: RenewalStatus,
    pub reason: String,
}

/// A contract up for renewal.
#[derive(SimpleObject)]
pub struct Renewal {
    pub contract_id: ID,
    pub contract_number: String,
    pub customer_id: ID,
    pub customer_name: String,
    /// ARR on the contract's last day, in the contract currency.
    pub arr: Money,
    /// The same in the functional currency; null without an FX rate.
    pub arr_functional: Option<Money>,
    pub end_date: IsoDate,
    pub renewal_date: IsoDate,
    pub days_to_renewal: i64,
    /// The owner's status if set, otherwise the suggestion.
    pub status: RenewalStatus,
    pub suggested_status: RenewalStatus,
    /// Why the suggestion is what it is (most serious first).
    pub signals: Vec<RenewalSignal>,
    /// The owner's reason, or the signals' when the status is the suggestion.
    pub reason: Option<String>,
    pub status_set_by: Option<String>,
    pub status_set_at: Option<DateTime<Utc>>,
    pub owner_id: Option<ID>,
    pub owner_name: Option<String>,
    pub last_contact_on: Option<IsoDate>,
    /// The uplift the next term takes unless renewing says otherwise, e.g. "5".
    pub uplift_percent: String,
    pub on_credit_hold: bool,
    /// Alert marks already sent (90, 60, 30).
    pub alerts_sent: Vec<i32>,
}

impl From<renewals::Renewal> for Renewal {
    fn from(row: renewals::Renewal) -> Renewal {
        Renewal {
            contract_id: id(row.contract_id),
            contract_number: row.contract_number,
            customer_id: id(row.customer_id),
            customer_name: row.customer_name,
            arr: row.arr.into(),
            arr_functional: row.arr_functional.map(Money::from),
            end_date: IsoDate(row.end_date),
            renewal_date: IsoDate(row.renewal_date),
            days_to_renewal: row.days_to_renewal,
            status: row.status,
            suggested_status: row.suggested_status,
            signals: row
                .signals
                .into_iter()
                .map(|signal| RenewalSignal {
                    status: signal.status,
                    reason: signal.reason,
                })
                .collect(),
            reason: row.reason,
            status_set_by: row.status_set_by,
            status_set_at: row.status_set_at,
            owner_id: row.owner_id.map(id),
            owner_name: row.owner_name,
            last_contact_on: row.last_contact_on.map(IsoDate),
            uplift_percent: row.uplift_percent.normalize().to_string(),
            on_credit_hold: row.on_credit_hold,
            alerts_sent: row.alerts_sent,
        }
    }
}

/// A status set or a contact logged.
#[derive(SimpleObject)]
pub struct RenewalEvent {
    pub at: DateTime<Utc>,
    /// "status" or "contact".
    pub kind: String,
    pub status: Option<RenewalStatus>,
    pub contact_kind: Option<ContactKind>,
    pub contacted_on: Option<IsoDate>,
    pub text: String,
    pub by: String,
}

/// The contract a renewal created.
#[derive(SimpleObject)]
pub struct RenewedContract {
    pub id: ID,
    pub contract_number: String,
    pub renewed_from_id: Option<ID>,
    pub start_date: IsoDate,
    pub end_date: IsoDate,
    pub arr: Money,
    pub tcv: Money,
    pub uplift_percent: String,
}

/// The next term a renewal would create now, computed by the rule that creates it (each line's
/// price uplifted and rounded, then added up), so the figures confirmed are the figures created.
#[derive(SimpleObject)]
pub struct RenewalPreview {
    pub contract_id: ID,
    pub start_date: IsoDate,
    pub end_date: IsoDate,
    pub arr: Money,
    pub tcv: Money,
    pub uplift_percent: String,
}

#[derive(SimpleObject)]
pub struct Alert {
    pub id: ID,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<user_alert::Model> for Alert {
    fn from(row: user_alert::Model) -> Alert {
        Alert {
            id: id(row.id),
            kind: row.kind,
            title: row.title,
            body: row.body,
            link: row.link,
            created_at: row.created_at,
            read_at: row.read_at,
        }
    }
}

#[derive(InputObject)]
pub struct RenewalStatusSetInput {
    pub contract_id: ID,
    pub status: RenewalStatus,
    /// Required for Yellow and Red.
    pub reason: Option<String>,
}

#[derive(InputObject)]
pub struct RenewalContactLogInput {
    pub contract_id: ID,
    pub kind: ContactKind,
    pub note: String,
    /// Today when omitted; never in the future.
    pub contacted_on: Option<IsoDate>,
}

/// A renewal handed to another owner and/or priced with another uplift; what is left out stays.
#[derive(InputObject)]
pub struct RenewalTermsSetInput {
    pub contract_id: ID,
    /// The new owner: a person who may manage renewals (see `renewalOwners`).
    pub owner_id: Option<ID>,
    /// Percent, 0 to 100, e.g. "5".
    pub uplift_percent: Option<String>,
}

/// Someone who may own a renewal.
#[derive(SimpleObject)]
pub struct RenewalOwner {
    pub id: ID,
    pub name: String,
    pub email: String,
    /// The role's title, e.g. "Account Manager".
    pub role: String,
}

#[derive(InputObject)]
pub struct ContractRenewInput {
    pub contract_id: ID,
    /// Percent, e.g. "5"; the contract's own uplift when omitted.
    pub uplift_percent: Option<String>,
    pub idempotency_key: String,
}

#[derive(Default)]
pub struct RenewalQuery;

#[Object]
impl RenewalQuery {
    /// Contracts renewing in the next `days` (90 by default, at most 365), soonest first; an
    /// AE or account manager sees their own book.
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn renewal_pipeline(
        &self,
        ctx: &Context<'_>,
        days: Option<i32>,
    ) -> async_graphql::Result<Vec<Renewal>> {
        Ok(app(ctx)
            .renewals
            .pipeline(actor(ctx)?, i64::from(days.unwrap_or(90)))
            .await?
            .into_iter()
            .map(Renewal::from)
            .collect())
    }

    /// One contract's renewal (any distance out), if not yet renewed.
    async fn renewal(&self, ctx: &Context<'_>, contract_id: ID) -> async_graphql::Result<Renewal> {
        let contract_id = parse_id("contractId", &contract_id)?;
        Ok(app(ctx)
            .renewals
            .renewal(actor(ctx)?, contract_id)
            .await?
            .into())
    }

    /// The people a renewal may be handed to: active people whose role manages renewals, by name.
    async fn renewal_owners(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RenewalOwner>> {
        Ok(app(ctx)
            .renewals
            .owners(actor(ctx)?)
            .await?
            .into_iter()
            .map(|person| RenewalOwner {
                id: id(person.id),
                name: person.name,
                email: person.email,
                role: crate::access::Role::parse(&person.role)
                    .map_or(person.role.clone(), |role| role.title().to_string()),
            })
            .collect())
    }

    /// The next term renewing `contractId` would create now, with `upliftPercent` (default: the
    /// contract's own); refused for the same reasons as `contractRenew`.
    async fn renewal_preview(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
        uplift_percent: Option<String>,
    ) -> async_graphql::Result<RenewalPreview> {
        let contract_id = parse_id("contractId", &contract_id)?;
        let preview = app(ctx)
            .renewals
            .preview(actor(ctx)?, contract_id, uplift_percent.as_deref())
            .await?;
        Ok(RenewalPreview {
            contract_id: id(preview.contract_id),
            start_date: IsoDate(preview.start_date),
            end_date: IsoDate(preview.end_date),
            arr: preview.arr.into(),
            tcv: preview.tcv.into(),
            uplift_percent: preview.uplift_percent.normalize().to_string(),
        })
    }

    /// Statuses set and contacts logged for a renewal, newest first.
    async fn renewal_history(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
    ) -> async_graphql::Result<Vec<RenewalEvent>> {
        let contract_id = parse_id("contractId", &contract_id)?;
        Ok(app(ctx)
            .renewals
            .history(actor(ctx)?, contract_id)
            .await?
            .into_iter()
            .map(|event| RenewalEvent {
                at: event.at,
                kind: event.kind,
                status: event.status,
                contact_kind: event.contact_kind,
                contacted_on: event.contacted_on.map(IsoDate),
                text: event.text,
                by: event.by,
            })
            .collect())
    }

    /// The signed-in person's in-app alerts, newest first (at most 200).
    async fn my_alerts(
        &self,
        ctx: &Context<'_>,
        unread_only: Option<bool>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Alert>> {
        let limit = u64::try_from(first.unwrap_or(50)).unwrap_or(50);
        Ok(crate::notifications::alerts::for_user(
            &app(ctx).db,
            actor(ctx)?,
            unread_only.unwrap_or(false),
            limit,
        )
        .await?
        .into_iter()
        .map(Alert::from)
        .collect())
    }
}

#[derive(Default)]
pub struct RenewalMutation;

#[Object]
impl RenewalMutation {
    /// Sets a renewal's status (the owner, or a role that sees every renewal); Yellow and Red
    /// need a reason, and within 60 days of renewal go to the CRO and the VP CS.
    async fn renewal_status_set(
        &self,
        ctx: &Context<'_>,
        input: RenewalStatusSetInput,
    ) -> async_graphql::Result<Renewal> {
        let contract_id = parse_id("contractId", &input.contract_id)?;
        Ok(app(ctx)
            .renewals
            .set_status(actor(ctx)?, contract_id, input.status, input.reason)
            .await?
            .into())
    }

    /// Logs a call, e-mail or meeting about a renewal.
    async fn renewal_contact_log(
        &self,
        ctx: &Context<'_>,
        input: RenewalContactLogInput,
    ) -> async_graphql::Result<Renewal> {
        let contract_id = parse_id("contractId", &input.contract_id)?;
        Ok(app(ctx)
            .renewals
            .log_contact(
                actor(ctx)?,
                contract_id,
                input.kind,
                &input.note,
                input.contacted_on.map(|date| date.0),
            )
            .await?
            .into())
    }

    /// Hands a renewal to another owner and/or changes its uplift (a role that sees every
    /// renewal); the deal keeps its AE for commissions.
    async fn renewal_terms_set(
        &self,
        ctx: &Context<'_>,
        input: RenewalTermsSetInput,
    ) -> async_graphql::Result<Renewal> {
        let contract_id = parse_id("contractId", &input.contract_id)?;
        let owner_id = input
            .owner_id
            .as_ref()
            .map(|owner| parse_id("ownerId", owner))
            .transpose()?;
        Ok(app(ctx)
            .renewals
            .set_terms(
                actor(ctx)?,
                contract_id,
                owner_id,
                input.uplift_percent.as_deref(),
            )
            .await?
            .into())
    }

    /// Renews a contract into its next term with the uplift applied; refused while the
    /// customer is on credit hold. The same key returns the first result.
    async fn contract_renew(
        &self,
        ctx: &Context<'_>,
        input: ContractRenewInput,
    ) -> async_graphql::Result<RenewedContract> {
        let contract_id = parse_id("contractId", &input.contract_id)?;
        let row = app(ctx)
            .renewals
            .renew(
                actor(ctx)?,
                contract_id,
                input.uplift_percent.as_deref(),
                &input.idempotency_key,
            )
            .await?;
        let currency = crate::money::Currency::parse(&row.currency)?;
        Ok(RenewedContract {
            id: id(row.id),
            contract_number: row.contract_number,
            renewed_from_id: row.renewed_from_id.map(id),
            start_date: IsoDate(row.start_date),
            end_date: IsoDate(row.end_date),
            arr: crate::money::Money::from_minor(row.arr_minor, currency).into(),
            tcv: crate::money::Money::from_minor(row.tcv_minor, currency).into(),
            uplift_percent: row.uplift_percent,
        })
    }

    /// Marks one of the signed-in person's alerts read.
    async fn alert_mark_read(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Alert> {
        let alert_id = parse_id("id", &id)?;
        let app = app(ctx);
        Ok(
            crate::notifications::alerts::mark_read(
                &app.db,
                actor(ctx)?,
                alert_id,
                app.clock.now(),
            )
            .await?
            .into(),
        )
    }
}
