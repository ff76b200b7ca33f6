//! Closed-won deal intake: the checklist form, drafts, and approval into a contract with lines
//! and purchase orders for billing to use.

mod approval;
pub mod brought_over;
pub mod checklist;
mod coupons;
pub mod documents;
mod drafts;
pub mod lines;
pub mod model;
pub mod purchase_orders;
mod reading;
pub mod renewal_terms;

use checklist::ChecklistFacts;
pub use checklist::ChecklistItem;
pub use drafts::parse_deal_input;
pub use lines::DealLineInput;
pub use model::*;

use crate::access::Actor;
use crate::clock::SharedClock;
use crate::customers::{self, Contact, PaymentTerms};
use crate::entities::{contract, deal, user};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::sequences;
use crate::values::{IsoDate, MoneyInput};
use async_graphql::{InputObject, ID};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set};
use serde::Serialize;

pub const MAX_MILESTONES: usize = 100;

#[derive(Debug, Clone, InputObject)]
pub struct MilestoneInput {
    pub name: String,
    pub due_date: Option<IsoDate>,
    pub amount: MoneyInput,
}

/// The whole intake form. Everything but the CRM id may be missing while it is a draft; the
/// checklist says what approval still needs.
#[derive(Debug, Clone, InputObject)]
pub struct DealInput {
    pub crm_opportunity_id: String,
    pub customer_id: Option<ID>,
    pub invoiced_legal_entity: Option<String>,
    pub billing_contact: Option<Contact>,
    pub product_name: Option<String>,
    pub tcv: Option<MoneyInput>,
    pub arr: Option<MoneyInput>,
    pub start_date: Option<IsoDate>,
    pub end_date: Option<IsoDate>,
    pub billing_frequency: Option<BillingFrequency>,
    pub payment_terms: Option<PaymentTerms>,
    pub billing_currency: Option<String>,
    #[graphql(default)]
    pub po_required: bool,
    pub po_number: Option<String>,
    pub tax_jurisdiction: Option<String>,
    #[graphql(default)]
    pub tax_exempt: bool,
    pub tax_exemption_certificate: Option<String>,
    pub revenue_recognition_type: Option<RevenueRecognitionType>,
    #[graphql(default)]
    pub milestones: Vec<MilestoneInput>,
    /// The products sold, one line each. When given, the deal's product, TCV, ARR, billing
    /// frequency and recognition type are computed from them and any value sent for those is
    /// replaced.
    #[graphql(default)]
    pub lines: Vec<DealLineInput>,
    pub assigned_ae_id: Option<ID>,
    pub commission_plan_id: Option<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct DealCreateInput {
    #[graphql(flatten)]
    pub deal: DealInput,
}

/// The whole form again: absent optional fields are cleared.
#[derive(Debug, Clone, InputObject)]
pub struct DealUpdateInput {
    pub id: ID,
    #[graphql(flatten)]
    pub deal: DealInput,
}

#[derive(Debug, Clone, InputObject)]
pub struct DealApproveInput {
    pub id: ID,
    /// A retry with the same key returns the first result instead of failing.
    pub idempotency_key: String,
    /// A VP Finance approving a deal that takes the customer over its credit limit says so
    /// here; the limit is then raised to the exposure after the deal.
    pub approve_over_credit_limit: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContractLine {
    pub id: i64,
    pub draft: ContractLineDraft,
    /// A brought-over line: the last service day the old system invoiced.
    pub billed_through: Option<NaiveDate>,
    /// The day service stopped early (a cancellation or a plan change).
    pub cancelled_on: Option<NaiveDate>,
    /// The line this one replaced in a plan change.
    pub replaces_line_id: Option<i64>,
    /// How parts of the line's periods are billed: its contract's convention.
    pub proration: crate::billing::proration::ProrationConvention,
    /// A subscription billed in arrears (each period after it ends).
    pub billed_in_arrears: bool,
    /// A usage line's meter: what its readings name.
    pub usage_meter: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PurchaseOrder {
    pub id: i64,
    pub number: String,
    pub amount: Money,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Contract {
    pub id: i64,
    pub contract_number: String,
    pub deal_id: i64,
    pub customer_id: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub tcv: Money,
    pub arr: Money,
    pub lines: Vec<ContractLine>,
    pub purchase_orders: Vec<PurchaseOrder>,
    /// The cut-over date of a contract brought over from the old system.
    pub brought_over_on: Option<NaiveDate>,
    /// The day of the month its subscription lines bill on; `None`: each from its start date.
    pub billing_day: Option<i32>,
}

fn deal_from_model(model: deal::Model) -> AppResult<Deal> {
    let currency = model
        .billing_currency
        .as_deref()
        .map(Currency::parse)
        .transpose()?;
    let money = |minor: Option<i64>| -> AppResult<Option<Money>> {
        match (minor, currency) {
            (Some(minor), Some(currency)) => Ok(Some(Money::from_minor(minor, currency))),
            (Some(_), None) => Err(AppError::internal(format!(
                "deal {} has an amount without currency",
                model.id
            ))),
            _ => Ok(None),
        }
    };
    let bad = |what: &str, value: &str| {
        AppError::internal(format!("deal {} has {what} {value}", model.id))
    };
    let draft = DealDraft {
        crm_opportunity_id: model.crm_opportunity_id.clone(),
        customer_id: model.customer_id,
        invoiced_legal_entity: model.invoiced_legal_entity.clone(),
        billing_contact: model
            .billing_contact_json
            .as_deref()
            .map(serde_json::from_str)
            .transpose()?,
        product_name: model.product_name.clone(),
        tcv: money(model.tcv_minor)?,
        arr: money(model.arr_minor)?,
        billing_currency: currency,
        start_date: model.start_date,
        end_date: model.end_date,
        billing_frequency: match model.billing_frequency.as_deref() {
            Some(text) => {
                Some(BillingFrequency::parse(text).ok_or_else(|| bad("billing frequency", text))?)
            }
            None => None,
        },
        payment_terms: match model.payment_terms.as_deref() {
            Some(text) => Some(PaymentTerms::parse(text).ok_or_else(|| bad("terms", text))?),
            None => None,
        },
        po_required: model.po_required,
        po_number: model.po_number.clone(),
        tax_jurisdiction: model.tax_jurisdiction.clone(),
        tax_exempt: model.tax_exempt,
        tax_exemption_certificate: model.tax_exemption_certificate.clone(),
        revenue_recognition_type: match model.revenue_recognition_type.as_deref() {
            Some(text) => Some(
                RevenueRecognitionType::parse(text).ok_or_else(|| bad("recognition type", text))?,
            ),
            None => None,
        },
        milestones: serde_json::from_str(&model.milestones_json)?,
        lines: serde_json::from_str::<Vec<StoredDealLine>>(&model.lines_json)?
            .iter()
            .map(|line| line.read().map_err(|what| bad("a line with", &what)))
            .collect::<AppResult<_>>()?,
        assigned_ae_id: model.assigned_ae_id,
        commission_plan_id: model.commission_plan_id.clone(),
    };
    Ok(Deal {
        id: model.id,
        draft,
        status: DealStatus::parse(&model.status).ok_or_else(|| bad("status", &model.status))?,
        created_by: model.created_by,
        created_at: model.created_at,
        approved_at: model.approved_at,
        approved_by: model.approved_by,
    })
}

fn write_draft(row: &mut deal::ActiveModel, draft: &DealDraft) -> AppResult<()> {
    row.crm_opportunity_id = Set(draft.crm_opportunity_id.clone());
    row.customer_id = Set(draft.customer_id);
    row.invoiced_legal_entity = Set(draft.invoiced_legal_entity.clone());
    row.billing_contact_json = Set(draft
        .billing_contact
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?);
    row.product_name = Set(draft.product_name.clone());
    row.tcv_minor = Set(draft.tcv.map(|money| money.minor()));
    row.arr_minor = Set(draft.arr.map(|money| money.minor()));
    row.billing_currency = Set(draft
        .billing_currency
        .map(|currency| currency.code().to_string()));
    row.start_date = Set(draft.start_date);
    row.end_date = Set(draft.end_date);
    row.billing_frequency = Set(draft
        .billing_frequency
        .map(|value| value.as_str().to_string()));
    row.payment_terms = Set(draft.payment_terms.map(|value| value.as_str().to_string()));
    row.po_required = Set(draft.po_required);
    row.po_number = Set(draft.po_number.clone());
    row.tax_jurisdiction = Set(draft.tax_jurisdiction.clone());
    row.tax_exempt = Set(draft.tax_exempt);
    row.tax_exemption_certificate = Set(draft.tax_exemption_certificate.clone());
    row.revenue_recognition_type = Set(draft
        .revenue_recognition_type
        .map(|value| value.as_str().to_string()));
    row.milestones_json = Set(serde_json::to_string(&draft.milestones)?);
    row.lines_json = Set(serde_json::to_string(
        &draft
            .lines
            .iter()
            .map(StoredDealLine::from)
            .collect::<Vec<_>>(),
    )?);
    row.assigned_ae_id = Set(draft.assigned_ae_id);
    row.commission_plan_id = Set(draft.commission_plan_id.clone());
    Ok(())
}

/// Looks up what the checklist needs to know about the customer and the AE.
async fn checklist_facts<C: ConnectionTrait>(
    connection: &C,
    draft: &DealDraft,
) -> AppResult<ChecklistFacts> {
    let customer = match draft.customer_id {
        Some(id) => crate::entities::customer::Entity::find_by_id(id)
            .one(connection)
            .await?
            .map(customers::Customer::try_from)
            .transpose()?
            .map(|customer| {
                (
                    customer.billing_currency,
                    customer.on_credit_hold,
                    customer.legal_name,
                )
            }),
        None => None,
    };
    Ok(ChecklistFacts {
        customer,
        assigned_ae_role: ae_role(connection, draft).await?,
    })
}

async fn ae_role<C: ConnectionTrait>(
    connection: &C,
    draft: &DealDraft,
) -> AppResult<Option<String>> {
    Ok(match draft.assigned_ae_id {
        Some(id) => user::Entity::find_by_id(id)
            .one(connection)
            .await?
            .map(|user| user.role),
        None => None,
    })
}

#[derive(Clone)]
pub struct DealService {
    db: DatabaseConnection,
    clock: SharedClock,
    functional: Currency,
}

impl DealService {
    pub fn new(db: DatabaseConnection, clock: SharedClock, functional: Currency) -> DealService {
        DealService {
            db,
            clock,
            functional,
        }
    }

    fn check_visible(actor: &Actor, deal: &Deal) -> AppResult<()> {
        if actor.sees_only_own_deals() && deal.draft.assigned_ae_id != Some(actor.user_id) {
            return Err(AppError::Forbidden(
                "This deal belongs to another account executive.".into(),
            ));
        }
        Ok(())
    }
}

/// Numbers and writes a contract (from deal approval or a renewal): `C-<year>-<number>`.
pub async fn insert_contract<C: ConnectionTrait>(
    connection: &C,
    mut row: contract::ActiveModel,
    now: DateTime<Utc>,
) -> AppResult<contract::Model> {
    let year = now.year();
    let number = sequences::next_value(connection, &format!("contract-{year}")).await?;
    row.contract_number = Set(contract_number(year, number));
    row.created_at = Set(now);
    Ok(row.insert(connection).await?)
}

/// The column a deal list is ordered by. Amounts order within each billing currency.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DealSort {
    /// When the deal came in (newest first when no order is asked for).
    #[default]
    Created,
    Opportunity,
    Tcv,
    Arr,
    StartDate,
    Status,
}

/// `count` consecutive contract numbers of the year of `now`, reserved at once (an import).
pub async fn reserve_contract_numbers<C: ConnectionTrait>(
    connection: &C,
    now: DateTime<Utc>,
    count: usize,
) -> AppResult<Vec<String>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let year = now.year();
    let wanted = i64::try_from(count)
        .map_err(|_| AppError::internal(format!("cannot number {count} contracts at once")))?;
    let first = sequences::reserve(connection, &format!("contract-{year}"), wanted).await?;
    Ok((first..first + wanted)
        .map(|number| contract_number(year, number))
        .collect())
}

fn contract_number(year: i32, number: i64) -> String {
    format!("C-{year}-{number:06}")
}

async fn find_model<C: ConnectionTrait>(connection: &C, id: i64) -> AppResult<deal::Model> {
    deal::Entity::find_by_id(id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no deal with id {id}.")))
}

/// A deal line's billing terms, as the line will be written on approval.
fn line_draft_terms(line: &ContractLineDraft) -> AppResult<crate::billing::schedule::LineTerms> {
    Ok(crate::billing::schedule::LineTerms {
        anchor: None,
        replaced_by: None,
        kind: line.kind,
        product: line.product_name.clone(),
        quantity: crate::billing::repo::decimal("quantity", &line.quantity)?,
        unit_price: line.unit_price,
        frequency: line.billing_frequency,
        alignment: crate::billing::periods::Alignment::Anniversary,
        start: line.start_date,
        end: line.end_date,
        delivered_on: None,
        accepted_on: None,
        changes: Vec::new(),
        billed_through: None,
        discount: line.discount.clone(),
        proration: Default::default(),
        in_arrears: false,
    })
}
