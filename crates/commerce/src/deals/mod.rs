//! Closed-won deal intake: the checklist form, drafts, and approval into a contract with lines
//! and purchase orders for billing to use.

pub mod brought_over;
pub mod checklist;
mod coupons;
pub mod documents;
pub mod lines;
pub mod model;
pub mod purchase_orders;
pub mod renewal_terms;

pub use checklist::ChecklistItem;
use checklist::{contract_lines, is_complete, ChecklistFacts};
pub use lines::DealLineInput;
pub use model::*;

use crate::access::{Actor, Permission, Role};
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::credit::{self, CreditCheck};
use crate::customers::{self, Contact, PaymentTerms};
use crate::entities::{contract, contract_line, deal, purchase_order, user};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::pagination::{search_condition, Page, PageRequest, SortDirection};
use crate::sequences;
use crate::values::{optional_text, parse_currency, parse_id, require_text, IsoDate, MoneyInput};
use async_graphql::{InputObject, ID};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
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

impl DealDraft {
    /// The form as it would be typed to produce this draft, so a partial change (a CRM update
    /// that carries only some fields) can be laid over it and saved as a whole form.
    pub fn to_input(&self) -> DealInput {
        let money = |value: Option<Money>| {
            value.map(|money| MoneyInput {
                amount: money.amount_string(),
                currency: money.currency().code().to_string(),
            })
        };
        DealInput {
            crm_opportunity_id: self.crm_opportunity_id.clone(),
            customer_id: self.customer_id.map(|id| ID(id.to_string())),
            invoiced_legal_entity: self.invoiced_legal_entity.clone(),
            billing_contact: self.billing_contact.clone(),
            product_name: self.product_name.clone(),
            tcv: money(self.tcv),
            arr: money(self.arr),
            start_date: self.start_date.map(IsoDate),
            end_date: self.end_date.map(IsoDate),
            billing_frequency: self.billing_frequency,
            payment_terms: self.payment_terms,
            billing_currency: self
                .billing_currency
                .map(|currency| currency.code().to_string()),
            po_required: self.po_required,
            po_number: self.po_number.clone(),
            tax_jurisdiction: self.tax_jurisdiction.clone(),
            tax_exempt: self.tax_exempt,
            tax_exemption_certificate: self.tax_exemption_certificate.clone(),
            revenue_recognition_type: self.revenue_recognition_type,
            milestones: self
                .milestones
                .iter()
                .map(|milestone| MilestoneInput {
                    name: milestone.name.clone(),
                    due_date: milestone.due_date.map(IsoDate),
                    amount: MoneyInput {
                        amount: milestone
                            .amount()
                            .map(|money| money.amount_string())
                            .unwrap_or_default(),
                        currency: milestone.currency.clone(),
                    },
                })
                .collect(),
            lines: self.lines.iter().map(DealLineInput::from).collect(),
            assigned_ae_id: self.assigned_ae_id.map(|id| ID(id.to_string())),
            commission_plan_id: self.commission_plan_id.clone(),
        }
    }
}

/// Parses the form. Malformed values are errors naming their field; missing ones are not.
pub fn parse_deal_input(input: &DealInput) -> AppResult<DealDraft> {
    let crm_opportunity_id = require_text("crmOpportunityId", &input.crm_opportunity_id, 64)?;
    let customer_id = input
        .customer_id
        .as_ref()
        .map(|id| parse_id("customerId", id))
        .transpose()?;
    let assigned_ae_id = input
        .assigned_ae_id
        .as_ref()
        .map(|id| parse_id("assignedAeId", id))
        .transpose()?;
    let (billing_currency, tcv, arr) = parse_amounts(input)?;
    let (lines, billing_currency) = lines::parse(&input.lines, billing_currency)?;
    let milestones = parse_milestones(input)?;
    let billing_contact = input
        .billing_contact
        .clone()
        .map(|contact| contact.validated("billingContact"))
        .transpose()?;
    let mut draft = DealDraft {
        crm_opportunity_id,
        customer_id,
        invoiced_legal_entity: optional_text(
            "invoicedLegalEntity",
            input.invoiced_legal_entity.as_deref(),
            200,
        )?,
        billing_contact,
        product_name: optional_text("productName", input.product_name.as_deref(), 200)?,
        tcv,
        arr,
        billing_currency,
        start_date: input.start_date.map(|date| date.0),
        end_date: input.end_date.map(|date| date.0),
        billing_frequency: input.billing_frequency,
        payment_terms: input.payment_terms,
        po_required: input.po_required,
        po_number: optional_text("poNumber", input.po_number.as_deref(), 64)?,
        tax_jurisdiction: optional_text("taxJurisdiction", input.tax_jurisdiction.as_deref(), 100)?,
        tax_exempt: input.tax_exempt,
        tax_exemption_certificate: optional_text(
            "taxExemptionCertificate",
            input.tax_exemption_certificate.as_deref(),
            100,
        )?,
        revenue_recognition_type: input.revenue_recognition_type,
        milestones,
        lines,
        assigned_ae_id,
        commission_plan_id: optional_text(
            "commissionPlanId",
            input.commission_plan_id.as_deref(),
            64,
        )?,
    };
    lines::compute_totals(&mut draft)?;
    Ok(draft)
}

/// The billing currency and the TCV and ARR in it; when no currency is chosen yet, the first
/// amount sets it.
fn parse_amounts(input: &DealInput) -> AppResult<(Option<Currency>, Option<Money>, Option<Money>)> {
    let mut billing_currency = match input
        .billing_currency
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
    {
        Some(code) => Some(parse_currency("billingCurrency", code)?),
        None => None,
    };
    let tcv = input
        .tcv
        .as_ref()
        .map(|money| money.parse("tcv"))
        .transpose()?;
    let arr = input
        .arr
        .as_ref()
        .map(|money| money.parse("arr"))
        .transpose()?;
    // Amounts are in the billing currency; when it is not chosen yet the first amount sets it.
    billing_currency = billing_currency
        .or(tcv.map(|money| money.currency()))
        .or(arr.map(|money| money.currency()));
    for (field, amount) in [("tcv", tcv), ("arr", arr)] {
        if let (Some(amount), Some(currency)) = (amount, billing_currency) {
            if amount.currency() != currency {
                return Err(AppError::validation(
                    format!("{field}.currency"),
                    format!(
                        "Amounts must be in the billing currency {}.",
                        currency.code()
                    ),
                ));
            }
        }
    }
    Ok((billing_currency, tcv, arr))
}

/// The milestones (at most `MAX_MILESTONES`), each named and above zero.
fn parse_milestones(input: &DealInput) -> AppResult<Vec<Milestone>> {
    if input.milestones.len() > MAX_MILESTONES {
        return Err(AppError::Limit(format!(
            "A deal can have at most {MAX_MILESTONES} milestones."
        )));
    }
    input
        .milestones
        .iter()
        .enumerate()
        .map(|(index, milestone)| {
            let field = format!("milestones.{index}");
            let amount = milestone.amount.parse(&format!("{field}.amount"))?;
            if amount.minor() <= 0 {
                return Err(AppError::validation(
                    format!("{field}.amount.amount"),
                    "A milestone amount must be greater than zero.",
                ));
            }
            Ok(Milestone {
                name: require_text("name", &milestone.name, 200)
                    .map_err(|error| error.within(&field))?,
                due_date: milestone.due_date.map(|date| date.0),
                amount_minor: amount.minor(),
                currency: amount.currency().code().to_string(),
            })
        })
        .collect()
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

    /// A draft's credit check (DOMAIN, "Credit policy"): the customer's exposure today and
    /// what the deal's recurring lines bill within the window. None when the deal is approved
    /// or its customer and lines are not complete enough to reckon.
    pub async fn credit_check(&self, actor: &Actor, deal: &Deal) -> AppResult<Option<CreditCheck>> {
        actor.require(Permission::CustomerRead)?;
        if deal.status != DealStatus::Draft {
            return Ok(None);
        }
        Ok(self
            .credit_of(&self.db, &deal.draft)
            .await?
            .map(|(_, checked)| checked))
    }

    /// The customer and its credit check for approving `draft` today.
    async fn credit_of<C: ConnectionTrait>(
        &self,
        connection: &C,
        draft: &DealDraft,
    ) -> AppResult<Option<(crate::entities::customer::Model, CreditCheck)>> {
        let (Some(customer_id), Some(lines)) = (draft.customer_id, contract_lines(draft)) else {
            return Ok(None);
        };
        let Some(customer) = crate::entities::customer::Entity::find_by_id(customer_id)
            .one(connection)
            .await?
        else {
            return Ok(None);
        };
        let terms = lines
            .iter()
            .map(line_draft_terms)
            .collect::<AppResult<Vec<_>>>()?;
        let checked = credit::check_customer(
            connection,
            &customer,
            &terms,
            Some("this deal"),
            self.clock.today(),
            self.functional,
        )
        .await?;
        Ok(Some((customer, checked)))
    }

    /// Refuses an approval that needs a VP Finance's word on credit and lacks it; with it,
    /// raises the customer's limit to the exposure after the deal (audited as a limit change).
    async fn settle_credit<C: ConnectionTrait>(
        &self,
        connection: &C,
        actor: &Actor,
        deal: &Deal,
        over_limit_confirmed: bool,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        // Two deals of one customer approved at once must not both fit under a limit they
        // exceed together: the customer's row is held until this approval commits.
        if let Some(customer_id) = deal.draft.customer_id {
            customers::lock_for_update(connection, customer_id).await?;
        }
        let Some((customer, checked)) = self.credit_of(connection, &deal.draft).await? else {
            return Ok(());
        };
        if !checked.needs_vp_finance {
            return Ok(());
        }
        if !actor.can(Permission::CreditLimitApprove) {
            // The policy takes a deposit from a new customer or a prior late payer instead: paid
            // in advance, it is held as customer credit and offsets the exposure.
            let deposit = checked.deposit.map_or_else(String::new, |deposit| format!(
                " Or take a deposit, as its credit policy allows: a payment of {deposit} recorded as customer credit brings the deal within the limit."
            ));
            return Err(AppError::validation(
                "creditLimit",
                format!(
                    "{} Only a VP Finance can approve a deal over the credit limit.{deposit}",
                    checked.explanation
                ),
            ));
        }
        if !over_limit_confirmed {
            return Err(AppError::validation(
                "approveOverCreditLimit",
                format!(
                    "{} Confirm approving over the limit; the limit is then raised to {}.",
                    checked.explanation, checked.after
                ),
            ));
        }
        if checked.after.minor() <= checked.limit.minor() {
            // Over only because an amount could not be converted: the limit stays.
            return Ok(());
        }
        let before = customers::Customer::try_from(customer.clone())?;
        let after = customers::apply_credit_terms(
            connection,
            customer.id,
            checked.after,
            before.payment_terms,
            now,
        )
        .await?;
        audit::record(
            connection,
            Some(actor),
            now,
            AuditRecord {
                action: "customer.credit_limit.change",
                entity_type: "customer",
                entity_id: customer.id.to_string(),
                before: Some(&serde_json::json!({ "customer": before, "creditCheck": checked })),
                after: Some(&serde_json::json!({
                    "customer": after,
                    "reason": format!("Deal {} approved over the credit limit", deal.draft.crm_opportunity_id),
                })),
            },
        )
        .await?;
        Ok(())
    }

    /// The live checklist for an unsaved form; writes nothing.
    pub async fn checklist_preview(
        &self,
        actor: &Actor,
        input: &DealInput,
    ) -> AppResult<Vec<ChecklistItem>> {
        actor.require(Permission::DealRead)?;
        // A new form has no opportunity id yet: that is a missing item, not an error.
        let id_missing = input.crm_opportunity_id.trim().is_empty();
        let draft = if id_missing {
            let mut with_placeholder = input.clone();
            with_placeholder.crm_opportunity_id = "(not entered)".into();
            self.parse_with_coupons(&with_placeholder).await?
        } else {
            self.parse_with_coupons(input).await?
        };
        let facts = checklist_facts(&self.db, &draft).await?;
        let mut items = checklist::checklist(&draft, &facts);
        if id_missing {
            if let Some(item) = items.iter_mut().find(|item| item.key == "crmOpportunityId") {
                item.complete = false;
                item.message = Some("Enter the CRM opportunity id.".into());
            }
        }
        Ok(items)
    }

    pub async fn checklist(&self, deal: &Deal) -> AppResult<Vec<ChecklistItem>> {
        let facts = checklist_facts(&self.db, &deal.draft).await?;
        Ok(checklist::checklist(&deal.draft, &facts))
    }

    /// The form parsed, with each coupon code on its lines replaced by the coupon's discount
    /// as of today (refused when unknown, expired or used up).
    async fn parse_with_coupons(&self, input: &DealInput) -> AppResult<DealDraft> {
        let has_coupon = input.lines.iter().any(|line| {
            line.discount
                .as_ref()
                .is_some_and(|discount| discount.coupon.is_some())
        });
        if !has_coupon {
            return parse_deal_input(input);
        }
        let mut input = input.clone();
        let today = self.clock.now().date_naive();
        coupons::resolve(&self.db, &mut input.lines, today).await?;
        parse_deal_input(&input)
    }

    /// An AE may only put deals in their own name.
    fn check_ae_assignment(actor: &Actor, draft: &mut DealDraft) -> AppResult<()> {
        if actor.role != Role::Ae {
            return Ok(());
        }
        match draft.assigned_ae_id {
            None => draft.assigned_ae_id = Some(actor.user_id),
            Some(id) if id != actor.user_id => {
                return Err(AppError::validation(
                    "assignedAeId",
                    "An account executive can only enter deals assigned to themselves.",
                ));
            }
            Some(_) => {}
        }
        Ok(())
    }

    fn check_visible(actor: &Actor, deal: &Deal) -> AppResult<()> {
        if actor.sees_only_own_deals() && deal.draft.assigned_ae_id != Some(actor.user_id) {
            return Err(AppError::Forbidden(
                "This deal belongs to another account executive.".into(),
            ));
        }
        Ok(())
    }

    pub async fn create(&self, actor: &Actor, input: DealInput) -> AppResult<Deal> {
        actor.require(Permission::DealWrite)?;
        let mut draft = self.parse_with_coupons(&input).await?;
        Self::check_ae_assignment(actor, &mut draft)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        self.ensure_unique_crm_id(&transaction, &draft.crm_opportunity_id, None)
            .await?;
        let mut row = deal::ActiveModel {
            status: Set(DealStatus::Draft.as_str().into()),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        write_draft(&mut row, &draft)?;
        let created = deal_from_model(row.insert(&transaction).await?)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "deal.create",
                entity_type: "deal",
                entity_id: created.id.to_string(),
                before: None,
                after: Some(&created),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(created)
    }

    async fn ensure_unique_crm_id<C: ConnectionTrait>(
        &self,
        connection: &C,
        crm_id: &str,
        except: Option<i64>,
    ) -> AppResult<()> {
        let mut query = deal::Entity::find().filter(deal::Column::CrmOpportunityId.eq(crm_id));
        if let Some(id) = except {
            query = query.filter(deal::Column::Id.ne(id));
        }
        if let Some(existing) = query.one(connection).await? {
            return Err(AppError::validation(
                "crmOpportunityId",
                format!(
                    "Opportunity {crm_id} was already entered as deal #{}.",
                    existing.id
                ),
            ));
        }
        Ok(())
    }

    pub async fn update(&self, actor: &Actor, input: DealUpdateInput) -> AppResult<Deal> {
        actor.require(Permission::DealWrite)?;
        let id = parse_id("id", &input.id)?;
        let mut draft = self.parse_with_coupons(&input.deal).await?;
        Self::check_ae_assignment(actor, &mut draft)?;
        let transaction = self.db.begin().await?;
        let model = find_model(&transaction, id).await?;
        let before = deal_from_model(model.clone())?;
        Self::check_visible(actor, &before)?;
        if before.status != DealStatus::Draft {
            return Err(AppError::Conflict(
                "An approved deal cannot be changed; amend its contract instead.".into(),
            ));
        }
        self.ensure_unique_crm_id(&transaction, &draft.crm_opportunity_id, Some(id))
            .await?;
        let now = self.clock.now();
        let mut row: deal::ActiveModel = model.into();
        write_draft(&mut row, &draft)?;
        row.updated_at = Set(now);
        // Guarded on the draft status, so an approval that lands meanwhile is never overwritten.
        let updated = deal::Entity::update(row)
            .filter(deal::Column::Status.eq(DealStatus::Draft.as_str()))
            .exec(&transaction)
            .await;
        let after = match updated {
            Ok(model) => deal_from_model(model)?,
            Err(sea_orm::DbErr::RecordNotUpdated) => {
                return Err(AppError::Conflict(
                    "The deal was approved while you were editing; amend its contract instead."
                        .into(),
                ));
            }
            Err(other) => return Err(other.into()),
        };
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "deal.update",
                entity_type: "deal",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }

    /// Approves a complete deal for billing: the deal becomes a contract with lines and, when
    /// given, a purchase order. The same idempotency key returns the first result.
    pub async fn approve(
        &self,
        actor: &Actor,
        input: DealApproveInput,
    ) -> AppResult<(Deal, Contract)> {
        actor.require(Permission::DealApprove)?;
        let id = parse_id("id", &input.id)?;
        let key = require_text("idempotencyKey", &input.idempotency_key, 128)?;
        let transaction = self.db.begin().await?;
        let model = find_model(&transaction, id).await?;
        let deal = deal_from_model(model.clone())?;
        Self::check_visible(actor, &deal)?;
        if deal.status == DealStatus::Approved {
            drop(transaction);
            return self.approved_result(model, &key).await;
        }
        let facts = checklist_facts(&transaction, &deal.draft).await?;
        let items = checklist::checklist(&deal.draft, &facts);
        if !is_complete(&items) {
            let missing: Vec<String> = items
                .iter()
                .filter(|item| !item.complete)
                .map(|item| item.label.clone())
                .collect();
            return Err(AppError::validation(
                "checklist",
                format!(
                    "The deal cannot be approved until the checklist is complete: {}.",
                    missing.join(", ")
                ),
            ));
        }
        let lines = contract_lines(&deal.draft)
            .ok_or_else(|| AppError::internal("complete deal without contract lines"))?;
        let now = self.clock.now();
        // Claim the deal with a guarded UPDATE first: of two approvals racing (two instances,
        // a double click), exactly one changes the row and the other answers as if it came later.
        let claimed = deal::Entity::update_many()
            .col_expr(
                deal::Column::Status,
                Expr::value(DealStatus::Approved.as_str()),
            )
            .col_expr(deal::Column::ApprovedAt, Expr::value(now))
            .col_expr(deal::Column::ApprovedBy, Expr::value(actor.user_id))
            .col_expr(
                deal::Column::ApproveIdempotencyKey,
                Expr::value(key.clone()),
            )
            .col_expr(deal::Column::UpdatedAt, Expr::value(now))
            .filter(deal::Column::Id.eq(id))
            .filter(deal::Column::Status.eq(DealStatus::Draft.as_str()))
            .exec(&transaction)
            .await?;
        if claimed.rows_affected != 1 {
            drop(transaction);
            return self
                .approved_result(find_model(&self.db, id).await?, &key)
                .await;
        }
        // Checked once the deal is claimed, so a retry racing the first request answers with
        // its result rather than a refusal counting the first request's contract; a refusal
        // rolls the claim back with everything else.
        self.settle_credit(
            &transaction,
            actor,
            &deal,
            input.approve_over_credit_limit.unwrap_or(false),
            now,
        )
        .await?;
        let contract_id = self
            .write_contract(&transaction, &deal, &lines, now)
            .await?;
        coupons::redeem(
            &transaction,
            actor,
            deal.id,
            contract_id,
            &deal.draft.lines,
            now,
        )
        .await?;
        let after = deal_from_model(find_model(&transaction, id).await?)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "deal.approve",
                entity_type: "deal",
                entity_id: id.to_string(),
                before: Some(&deal),
                after: Some(&after),
            },
        )
        .await?;
        crate::webhooks::emit(
            &transaction,
            now,
            crate::webhooks::EventType::DealApproved,
            serde_json::json!({
                "dealId": id,
                "contractId": contract_id,
                "opportunityId": after.draft.crm_opportunity_id,
                "customerId": after.draft.customer_id,
                "productName": after.draft.product_name,
                "tcv": after.draft.tcv,
                "arr": after.draft.arr,
                "startDate": after.draft.start_date,
                "endDate": after.draft.end_date,
                "approvedBy": actor.user_id,
            }),
        )
        .await?;
        transaction.commit().await?;
        let contract = self.find_contract(contract_id).await?;
        Ok((after, contract))
    }

    /// The answer for a deal that is already approved: the first result for the same key,
    /// otherwise a conflict.
    async fn approved_result(&self, model: deal::Model, key: &str) -> AppResult<(Deal, Contract)> {
        let deal = deal_from_model(model.clone())?;
        if model.approve_idempotency_key.as_deref() != Some(key) {
            return Err(AppError::Conflict(format!(
                "Deal {} is already approved.",
                deal.draft.crm_opportunity_id
            )));
        }
        let contract = self
            .contract_for_deal(deal.id)
            .await?
            .ok_or_else(|| AppError::internal("approved deal without contract"))?;
        Ok((deal, contract))
    }

    async fn write_contract<C: ConnectionTrait>(
        &self,
        connection: &C,
        deal: &Deal,
        lines: &[ContractLineDraft],
        now: DateTime<Utc>,
    ) -> AppResult<i64> {
        let draft = &deal.draft;
        let missing = || AppError::internal("complete deal lacks a field");
        let (customer_id, start, end, tcv, arr) = (
            draft.customer_id.ok_or_else(missing)?,
            draft.start_date.ok_or_else(missing)?,
            draft.end_date.ok_or_else(missing)?,
            draft.tcv.ok_or_else(missing)?,
            draft.arr.ok_or_else(missing)?,
        );
        let contract = insert_contract(
            connection,
            contract::ActiveModel {
                deal_id: Set(deal.id),
                customer_id: Set(customer_id),
                start_date: Set(start),
                end_date: Set(end),
                tcv_minor: Set(tcv.minor()),
                arr_minor: Set(arr.minor()),
                currency: Set(tcv.currency().code().to_string()),
                ..Default::default()
            },
            now,
        )
        .await?;
        // The company's proration convention as of approval, stamped on every line so a later
        // change of the company's choice never re-prices this contract.
        let proration = crate::billing::proration::company(connection).await?;
        let rows: Vec<contract_line::ActiveModel> = lines
            .iter()
            .map(|line| {
                Ok(contract_line::ActiveModel {
                    proration: Set(proration.as_str().into()),
                    contract_id: Set(contract.id),
                    product_name: Set(line.product_name.clone()),
                    kind: Set(line.kind.as_str().into()),
                    quantity: Set(line.quantity.clone()),
                    unit_price_minor: Set(line.unit_price.minor()),
                    currency: Set(line.unit_price.currency().code().to_string()),
                    billing_frequency: Set(line
                        .billing_frequency
                        .map(|value| value.as_str().to_string())),
                    start_date: Set(line.start_date),
                    end_date: Set(line.end_date),
                    discount_json: Set(line
                        .discount
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()?),
                    trial_from: Set(line.trial_from),
                    ..Default::default()
                })
            })
            .collect::<Result<_, serde_json::Error>>()?;
        contract_line::Entity::insert_many(rows)
            .exec_without_returning(connection)
            .await?;
        crate::revenue::repo::build_contract(connection, contract.id, now).await?;
        if let Some(number) = &draft.po_number {
            let taken = purchase_order::Entity::find()
                .filter(purchase_order::Column::CustomerId.eq(customer_id))
                .filter(purchase_order::Column::Number.eq(number.as_str()))
                .one(connection)
                .await?;
            if taken.is_some() {
                return Err(AppError::validation(
                    "poNumber",
                    format!("PO {number} is already on file for this customer."),
                ));
            }
            // The deal's TCV counts parts of periods by actual days; under another convention
            // the lines bill a little more or less, and the PO the invoices draw covers what
            // they will bill.
            let mut billed = 0i64;
            for line in lines {
                let terms = crate::billing::schedule::LineTerms {
                    proration,
                    ..line_draft_terms(line)?
                };
                billed += crate::revenue::repo::stated_total(&terms)?;
            }
            purchase_order::ActiveModel {
                customer_id: Set(customer_id),
                contract_id: Set(Some(contract.id)),
                number: Set(number.clone()),
                amount_minor: Set(tcv.minor().max(billed)),
                currency: Set(tcv.currency().code().to_string()),
                valid_from: Set(start),
                valid_to: Set(end),
                ..Default::default()
            }
            .insert(connection)
            .await?;
        }
        Ok(contract.id)
    }

    pub async fn get(&self, actor: &Actor, id: i64) -> AppResult<Deal> {
        actor.require(Permission::DealRead)?;
        let deal = deal_from_model(find_model(&self.db, id).await?)?;
        Self::check_visible(actor, &deal)?;
        Ok(deal)
    }

    /// Newest first; an AE sees only their own deals.
    pub async fn list(
        &self,
        actor: &Actor,
        search: Option<String>,
        status: Option<DealStatus>,
        customer_id: Option<i64>,
        order: (DealSort, SortDirection),
        page: PageRequest,
    ) -> AppResult<Page<Deal>> {
        actor.require(Permission::DealRead)?;
        let mut query = deal::Entity::find();
        if actor.sees_only_own_deals() {
            query = query.filter(deal::Column::AssignedAeId.eq(actor.user_id));
        }
        if let Some(status) = status {
            query = query.filter(deal::Column::Status.eq(status.as_str()));
        }
        if let Some(customer_id) = customer_id {
            query = query.filter(deal::Column::CustomerId.eq(customer_id));
        }
        let columns = [
            deal::Column::CrmOpportunityId,
            deal::Column::ProductName,
            deal::Column::InvoicedLegalEntity,
        ];
        if let Some(condition) = search_condition(search, &columns) {
            query = query.filter(condition);
        }
        let total = query.clone().count(&self.db).await?;
        let (sort, direction) = order;
        let direction = direction.order();
        // Amounts order within each currency; ties fall back to the newest, so a page boundary
        // never shows a row twice or skips one.
        let query = match sort {
            DealSort::Created => query,
            DealSort::Opportunity => {
                query.order_by(deal::Column::CrmOpportunityId, direction.clone())
            }
            DealSort::Tcv => query
                .order_by_asc(deal::Column::BillingCurrency)
                .order_by(deal::Column::TcvMinor, direction.clone()),
            DealSort::Arr => query
                .order_by_asc(deal::Column::BillingCurrency)
                .order_by(deal::Column::ArrMinor, direction.clone()),
            DealSort::StartDate => query.order_by(deal::Column::StartDate, direction.clone()),
            DealSort::Status => query.order_by(deal::Column::Status, direction.clone()),
        };
        let id_order = if sort == DealSort::Created {
            direction
        } else {
            sea_orm::Order::Desc
        };
        let rows = query
            .order_by(deal::Column::Id, id_order)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Page::new(rows, page, total).try_map(deal_from_model)
    }

    pub async fn contract_for_deal(&self, deal_id: i64) -> AppResult<Option<Contract>> {
        match contract::Entity::find()
            .filter(contract::Column::DealId.eq(deal_id))
            .one(&self.db)
            .await?
        {
            Some(model) => Ok(Some(self.contract_from_model(model).await?)),
            None => Ok(None),
        }
    }

    pub async fn find_contract(&self, id: i64) -> AppResult<Contract> {
        let model = contract::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found(format!("There is no contract with id {id}.")))?;
        self.contract_from_model(model).await
    }

    async fn contract_from_model(&self, model: contract::Model) -> AppResult<Contract> {
        let currency = Currency::parse(&model.currency)?;
        let lines = contract_line::Entity::find()
            .filter(contract_line::Column::ContractId.eq(model.id))
            .order_by_asc(contract_line::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|line| {
                let discount = crate::billing::repo::discount_of(&line)?;
                let usage_meter =
                    crate::billing::repo::pricing_of(&line)?.map(|pricing| pricing.meter);
                Ok(ContractLine {
                    id: line.id,
                    usage_meter,
                    billed_through: line.billed_through,
                    cancelled_on: line.cancelled_on,
                    replaces_line_id: line.replaces_line_id,
                    billed_in_arrears: line.billed_in_arrears,
                    proration: crate::billing::proration::ProrationConvention::parse(
                        &line.proration,
                    )
                    .unwrap_or_default(),
                    draft: ContractLineDraft {
                        kind: ContractLineKind::parse(&line.kind).ok_or_else(|| {
                            AppError::internal(format!("line kind {}", line.kind))
                        })?,
                        product_name: line.product_name,
                        quantity: line.quantity,
                        unit_price: Money::from_minor(
                            line.unit_price_minor,
                            Currency::parse(&line.currency)?,
                        ),
                        billing_frequency: line
                            .billing_frequency
                            .as_deref()
                            .and_then(BillingFrequency::parse),
                        start_date: line.start_date,
                        end_date: line.end_date,
                        discount,
                        trial_from: line.trial_from,
                    },
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let purchase_orders = purchase_order::Entity::find()
            .filter(purchase_order::Column::ContractId.eq(model.id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|po| {
                Ok(PurchaseOrder {
                    id: po.id,
                    number: po.number,
                    amount: Money::from_minor(po.amount_minor, Currency::parse(&po.currency)?),
                    valid_from: po.valid_from,
                    valid_to: po.valid_to,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Contract {
            id: model.id,
            contract_number: model.contract_number,
            deal_id: model.deal_id,
            customer_id: model.customer_id,
            start_date: model.start_date,
            end_date: model.end_date,
            tcv: Money::from_minor(model.tcv_minor, currency),
            arr: Money::from_minor(model.arr_minor, currency),
            lines,
            purchase_orders,
            brought_over_on: model.brought_over_on,
            billing_day: model.billing_day,
        })
    }

    /// Internal access for seeding and later areas, bypassing row visibility.
    pub async fn find(&self, id: i64) -> AppResult<Deal> {
        deal_from_model(find_model(&self.db, id).await?)
    }

    /// The deal entered for a CRM opportunity, if any (the id is unique).
    pub async fn maybe_find_by_crm_id(&self, crm_id: &str) -> AppResult<Option<Deal>> {
        deal::Entity::find()
            .filter(deal::Column::CrmOpportunityId.eq(crm_id))
            .one(&self.db)
            .await?
            .map(deal_from_model)
            .transpose()
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
