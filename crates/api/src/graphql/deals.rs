//! Deal intake: drafts, the live checklist, approval into a contract.

use super::customers::Customer;
use super::loaders::{load_customer, UserLoader};
use super::types::{by_ids, connection, Money, User};
use super::{actor, app};
use crate::billing::proration::ProrationConvention;
use crate::customers::{Contact, PaymentTerms};
use crate::deals::{
    self, BillingFrequency, ChecklistItem, ContractLineKind, DealApproveInput, DealCreateInput,
    DealInput, DealSort, DealStatus, DealUpdateInput, RevenueRecognitionType,
};
use crate::pagination::{requested_order, PageRequest, SortDirection};
use crate::values::{parse_id, IsoDate};
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

#[derive(Clone, SimpleObject)]
pub struct Milestone {
    pub name: String,
    pub due_date: Option<IsoDate>,
    pub amount: Money,
}

/// A recurring discount on a subscription line: what comes off each period, for how long.
#[derive(Clone, SimpleObject)]
pub struct LineDiscount {
    /// Percent off each discounted period ("20"); empty for an amount off.
    pub percent: Option<String>,
    /// Amount off each whole period; empty for a percent off.
    pub amount: Option<Money>,
    /// How many periods it lasts; empty: for as long as the line runs.
    pub periods: Option<i32>,
    /// The first day a discounted period may start on; empty: the line's start.
    pub from: Option<IsoDate>,
    /// What the invoice calls it.
    pub label: String,
    /// The coupon code it came from, if any.
    pub coupon: Option<String>,
    /// In words: "20% off, 3 periods".
    pub description: String,
}

impl LineDiscount {
    pub fn of(discount: &deals::LineDiscount, currency: crate::money::Currency) -> LineDiscount {
        use crate::billing::discount::Off;
        let (percent, amount) = match discount.off {
            Off::Percent(percent) => (Some(percent.normalize().to_string()), None),
            Off::Amount(minor) => (
                None,
                Some(crate::money::Money::from_minor(minor, currency).into()),
            ),
        };
        LineDiscount {
            percent,
            amount,
            periods: discount.periods.and_then(|count| i32::try_from(count).ok()),
            from: discount.from.map(IsoDate),
            label: discount.label.clone(),
            coupon: discount.coupon.clone(),
            description: discount.describe(currency),
        }
    }
}

/// One product sold on a deal; each becomes one contract line at approval.
#[derive(Clone, SimpleObject)]
pub struct DealLine {
    pub product_name: String,
    /// Empty until someone chooses what a CRM's one-time line is.
    pub kind: Option<ContractLineKind>,
    /// Decimal text: seats, licences, estimated hours.
    pub quantity: String,
    /// A subscription's price of one unit per billing period; otherwise of one unit.
    pub unit_price: Money,
    pub billing_frequency: Option<BillingFrequency>,
    /// The line's own start date; absent means the deal's.
    pub start_date: Option<IsoDate>,
    /// The line's own end date (a milestone's due date); absent means the deal's.
    pub end_date: Option<IsoDate>,
    /// The CRM's id of the line item it came from.
    pub reference: Option<String>,
    /// A recurring discount, billed as a line of its own beside each discounted period.
    pub discount: Option<LineDiscount>,
    /// A free trial: free from the line's start until this day, when it converts to paid.
    pub trial_ends_on: Option<IsoDate>,
}

impl From<&deals::DealLine> for DealLine {
    fn from(line: &deals::DealLine) -> DealLine {
        DealLine {
            product_name: line.product_name.clone(),
            kind: line.kind,
            quantity: line.quantity.normalize().to_string(),
            unit_price: line.unit_price.into(),
            billing_frequency: line.billing_frequency,
            start_date: line.start_date.map(IsoDate),
            end_date: line.end_date.map(IsoDate),
            reference: line.reference.clone(),
            discount: line
                .discount
                .as_ref()
                .map(|discount| LineDiscount::of(discount, line.unit_price.currency())),
            trial_ends_on: line.trial_ends_on.map(IsoDate),
        }
    }
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct Deal {
    pub id: ID,
    pub crm_opportunity_id: String,
    pub invoiced_legal_entity: Option<String>,
    pub billing_contact: Option<Contact>,
    pub product_name: Option<String>,
    pub tcv: Option<Money>,
    pub arr: Option<Money>,
    pub start_date: Option<IsoDate>,
    pub end_date: Option<IsoDate>,
    pub billing_frequency: Option<BillingFrequency>,
    pub payment_terms: Option<PaymentTerms>,
    pub billing_currency: Option<String>,
    pub po_required: bool,
    pub po_number: Option<String>,
    pub tax_jurisdiction: Option<String>,
    pub tax_exempt: bool,
    pub tax_exemption_certificate: Option<String>,
    pub revenue_recognition_type: Option<RevenueRecognitionType>,
    pub milestones: Vec<Milestone>,
    /// The products sold, when the deal has lines; its product, TCV and ARR are computed from
    /// them.
    pub lines: Vec<DealLine>,
    pub commission_plan_id: Option<String>,
    pub status: DealStatus,
    pub created_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub domain: deals::Deal,
}

impl From<deals::Deal> for Deal {
    fn from(deal: deals::Deal) -> Deal {
        let draft = &deal.draft;
        Deal {
            id: ID(deal.id.to_string()),
            crm_opportunity_id: draft.crm_opportunity_id.clone(),
            invoiced_legal_entity: draft.invoiced_legal_entity.clone(),
            billing_contact: draft.billing_contact.clone(),
            product_name: draft.product_name.clone(),
            tcv: draft.tcv.map(Money::from),
            arr: draft.arr.map(Money::from),
            start_date: draft.start_date.map(IsoDate),
            end_date: draft.end_date.map(IsoDate),
            billing_frequency: draft.billing_frequency,
            payment_terms: draft.payment_terms,
            billing_currency: draft
                .billing_currency
                .map(|currency| currency.code().to_string()),
            po_required: draft.po_required,
            po_number: draft.po_number.clone(),
            tax_jurisdiction: draft.tax_jurisdiction.clone(),
            tax_exempt: draft.tax_exempt,
            tax_exemption_certificate: draft.tax_exemption_certificate.clone(),
            revenue_recognition_type: draft.revenue_recognition_type,
            milestones: draft
                .milestones
                .iter()
                .filter_map(|milestone| {
                    Some(Milestone {
                        name: milestone.name.clone(),
                        due_date: milestone.due_date.map(IsoDate),
                        amount: milestone.amount()?.into(),
                    })
                })
                .collect(),
            lines: draft.lines.iter().map(DealLine::from).collect(),
            commission_plan_id: draft.commission_plan_id.clone(),
            status: deal.status,
            created_at: deal.created_at,
            approved_at: deal.approved_at,
            domain: deal,
        }
    }
}

async fn load_user(ctx: &Context<'_>, id: Option<i64>) -> async_graphql::Result<Option<User>> {
    match id {
        Some(id) => Ok(ctx
            .data_unchecked::<DataLoader<UserLoader>>()
            .load_one(id)
            .await?
            .map(User::from)),
        None => Ok(None),
    }
}

#[ComplexObject]
impl Deal {
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Customer>> {
        match self.domain.draft.customer_id {
            Some(id) => Ok(load_customer(ctx, id).await?.map(Customer::from)),
            None => Ok(None),
        }
    }

    async fn assigned_ae(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load_user(ctx, self.domain.draft.assigned_ae_id).await
    }

    async fn approved_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load_user(ctx, self.domain.approved_by).await
    }

    /// A draft's exposure check: the customer's exposure today and what this deal adds in the
    /// next 30 days, against its credit limit. Absent once approved or while the customer or
    /// lines are missing.
    async fn credit_check(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::customers::CreditCheck>> {
        Ok(app(ctx)
            .deals
            .credit_check(actor(ctx)?, &self.domain)
            .await?
            .map(Into::into))
    }

    /// Every intake item, complete or with what is missing.
    async fn checklist(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ChecklistItem>> {
        Ok(app(ctx).deals.checklist(&self.domain).await?)
    }

    async fn is_complete(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(deals::checklist::is_complete(
            &app(ctx).deals.checklist(&self.domain).await?,
        ))
    }

    /// The contract, once approved.
    async fn contract(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Contract>> {
        Ok(app(ctx)
            .deals
            .contract_for_deal(self.domain.id)
            .await?
            .map(Contract::from))
    }
}

#[derive(Clone, SimpleObject)]
pub struct ContractLine {
    pub id: ID,
    pub product_name: String,
    pub kind: ContractLineKind,
    /// Decimal string.
    pub quantity: String,
    pub unit_price: Money,
    pub billing_frequency: Option<BillingFrequency>,
    pub start_date: IsoDate,
    pub end_date: IsoDate,
    /// A line brought over at cut-over: the last service day the old system invoiced; revops
    /// bills from the period after it.
    pub billed_through: Option<IsoDate>,
    /// A recurring discount, billed as a line of its own beside each discounted period.
    pub discount: Option<LineDiscount>,
    /// A free trial's first day; the line converts to paid (and bills from) its start date.
    pub trial_from: Option<IsoDate>,
    /// The day service stopped before the end date (a cancellation, or a plan change from
    /// then); empty while the line runs to its end.
    pub cancelled_on: Option<IsoDate>,
    /// The line this one took over from in a plan change.
    pub replaces_line_id: Option<ID>,
    /// How a part of one of the line's periods is billed: its contract's proration convention.
    pub proration: ProrationConvention,
    /// A subscription billed in arrears: each period on the day after it ends (its changes with
    /// it); otherwise in advance, on its first day.
    pub billed_in_arrears: bool,
    /// A usage line's meter, which its readings name (`usageRecord`); empty for other lines.
    pub usage_meter: Option<String>,
}

#[derive(Clone, SimpleObject)]
pub struct PurchaseOrder {
    pub id: ID,
    pub number: String,
    pub amount: Money,
    pub valid_from: IsoDate,
    pub valid_to: IsoDate,
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct Contract {
    pub id: ID,
    pub contract_number: String,
    pub start_date: IsoDate,
    pub end_date: IsoDate,
    pub tcv: Money,
    pub arr: Money,
    pub lines: Vec<ContractLine>,
    pub purchase_orders: Vec<PurchaseOrder>,
    /// The cut-over date of a contract brought over from the old system (its earlier billing
    /// and revenue are in the old system); empty for a contract made in revops.
    pub brought_over_on: Option<IsoDate>,
    /// The day of the month the subscription lines bill on (`contractSetBillingDay`); empty
    /// while each line bills from its own start date.
    pub billing_day: Option<i32>,
    #[graphql(skip)]
    pub deal_id: i64,
    #[graphql(skip)]
    pub customer_id: i64,
}

impl From<deals::Contract> for Contract {
    fn from(contract: deals::Contract) -> Contract {
        Contract {
            id: ID(contract.id.to_string()),
            contract_number: contract.contract_number,
            start_date: IsoDate(contract.start_date),
            end_date: IsoDate(contract.end_date),
            tcv: contract.tcv.into(),
            arr: contract.arr.into(),
            lines: contract
                .lines
                .into_iter()
                .map(|line| ContractLine {
                    trial_from: line.draft.trial_from.map(IsoDate),
                    discount: line.draft.discount.as_ref().map(|discount| {
                        LineDiscount::of(discount, line.draft.unit_price.currency())
                    }),
                    id: ID(line.id.to_string()),
                    product_name: line.draft.product_name,
                    kind: line.draft.kind,
                    quantity: line.draft.quantity,
                    unit_price: line.draft.unit_price.into(),
                    billing_frequency: line.draft.billing_frequency,
                    start_date: IsoDate(line.draft.start_date),
                    end_date: IsoDate(line.draft.end_date),
                    billed_through: line.billed_through.map(IsoDate),
                    cancelled_on: line.cancelled_on.map(IsoDate),
                    proration: line.proration,
                    billed_in_arrears: line.billed_in_arrears,
                    usage_meter: line.usage_meter,
                    replaces_line_id: line.replaces_line_id.map(|id| ID(id.to_string())),
                })
                .collect(),
            purchase_orders: contract
                .purchase_orders
                .into_iter()
                .map(|po| PurchaseOrder {
                    id: ID(po.id.to_string()),
                    number: po.number,
                    amount: po.amount.into(),
                    valid_from: IsoDate(po.valid_from),
                    valid_to: IsoDate(po.valid_to),
                })
                .collect(),
            brought_over_on: contract.brought_over_on.map(IsoDate),
            billing_day: contract.billing_day,
            deal_id: contract.deal_id,
            customer_id: contract.customer_id,
        }
    }
}

#[ComplexObject]
impl Contract {
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Customer>> {
        Ok(load_customer(ctx, self.customer_id)
            .await?
            .map(Customer::from))
    }

    async fn deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Deal> {
        Ok(app(ctx).deals.get(actor(ctx)?, self.deal_id).await?.into())
    }

    /// The signed contract or SOW (PDFs), newest first; attach one with
    /// `POST /api/contracts/{id}/documents?fileName=…`.
    async fn documents(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ContractDocument>> {
        let id = parse_id("id", &self.id.0)?;
        Ok(app(ctx)
            .deals
            .documents(actor(ctx)?, id)
            .await?
            .into_iter()
            .map(ContractDocument::from)
            .collect())
    }
}

/// A signed contract or SOW kept with its contract.
#[derive(Clone, SimpleObject)]
pub struct ContractDocument {
    pub id: ID,
    pub file_name: String,
    /// Size in bytes.
    pub file_bytes: i64,
    /// SHA-256 of the file, hex, to show it is the document that was signed.
    pub file_sha256: String,
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
    /// Where to download it (signed in).
    pub download_url: String,
}

impl From<deals::documents::ContractDocument> for ContractDocument {
    fn from(document: deals::documents::ContractDocument) -> ContractDocument {
        ContractDocument {
            id: ID(document.id.to_string()),
            download_url: format!("/api/contract-documents/{}/file", document.id),
            file_name: document.file_name,
            file_bytes: document.file_bytes,
            file_sha256: document.file_sha256,
            uploaded_by_name: document.uploaded_by_name,
            uploaded_at: document.uploaded_at,
        }
    }
}

connection!(DealConnection, DealEdge, Deal);

#[derive(Default)]
pub struct DealQuery;

#[Object]
impl DealQuery {
    /// Newest first unless `sort` says otherwise; an AE sees only their own deals.
    #[allow(clippy::too_many_arguments)]
    async fn deals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
        status: Option<DealStatus>,
        #[graphql(desc = "The column to order by (amounts within each currency).")] sort: Option<
            DealSort,
        >,
        #[graphql(desc = "Which way; ascending when a column is given without it.")]
        direction: Option<SortDirection>,
    ) -> async_graphql::Result<DealConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let order = requested_order(sort, direction, (DealSort::Created, SortDirection::Desc));
        let deals = app(ctx)
            .deals
            .list(actor(ctx)?, search, status, None, order, page)
            .await?;
        Ok(DealConnection::from_page(deals, Deal::from))
    }

    /// The deals with these ids that the reader may see (at most 100), in the order given.
    async fn deals_by_ids(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Deal>> {
        let actor = actor(ctx)?;
        let deals = by_ids("ids", ids, |id| app(ctx).deals.get(actor, id)).await?;
        Ok(deals.into_iter().map(Deal::from).collect())
    }

    async fn deal(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Deal> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx).deals.get(actor(ctx)?, id).await?.into())
    }

    /// The live checklist for an unsaved intake form; writes nothing.
    async fn deal_checklist(
        &self,
        ctx: &Context<'_>,
        input: DealInput,
    ) -> async_graphql::Result<Vec<ChecklistItem>> {
        Ok(app(ctx)
            .deals
            .checklist_preview(actor(ctx)?, &input)
            .await?)
    }
}

#[derive(SimpleObject)]
pub struct DealPayload {
    pub deal: Deal,
}

#[derive(SimpleObject)]
pub struct DealApprovePayload {
    pub deal: Deal,
    pub contract: Contract,
}

#[derive(Default)]
pub struct DealMutation;

#[Object]
impl DealMutation {
    /// Saves a new intake draft; incomplete drafts are fine.
    async fn deal_create(
        &self,
        ctx: &Context<'_>,
        input: DealCreateInput,
    ) -> async_graphql::Result<DealPayload> {
        let deal = app(ctx).deals.create(actor(ctx)?, input.deal).await?;
        Ok(DealPayload { deal: deal.into() })
    }

    /// Saves the whole form of a draft; absent optional fields are cleared.
    async fn deal_update(
        &self,
        ctx: &Context<'_>,
        input: DealUpdateInput,
    ) -> async_graphql::Result<DealPayload> {
        let deal = app(ctx).deals.update(actor(ctx)?, input).await?;
        Ok(DealPayload { deal: deal.into() })
    }

    /// Approves a complete deal for billing, creating its contract. Idempotent per key.
    async fn deal_approve(
        &self,
        ctx: &Context<'_>,
        input: DealApproveInput,
    ) -> async_graphql::Result<DealApprovePayload> {
        let (deal, contract) = app(ctx).deals.approve(actor(ctx)?, input).await?;
        Ok(DealApprovePayload {
            deal: deal.into(),
            contract: contract.into(),
        })
    }
}
