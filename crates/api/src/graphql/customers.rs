//! Customers: master data, credit policy, holds.

use super::approvals::Approval;
use super::deals::Deal;
use super::loaders::ArrLoader;
use super::types::{by_ids, connection, Money};
use super::{actor, app};
use crate::customers::{
    self, Address, Contact, CreditCategory, CustomerCreateInput, CustomerCreditHoldSetInput,
    CustomerSort, CustomerUpdateInput, DepositRule, PaymentMethod, PaymentTerms,
};
use crate::deals::DealSort;
use crate::money::Money as DomainMoney;
use crate::pagination::{requested_order, PageRequest, SortDirection};
use crate::values::parse_id;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct Customer {
    pub id: ID,
    /// The customer's id in the system it came from (CRM account, old billing tool).
    pub external_ref: Option<String>,
    pub legal_name: String,
    pub billing_address: Address,
    pub remit_to_address: Address,
    pub tax_registration_number: Option<String>,
    pub billing_contact: Contact,
    pub payment_method: Option<PaymentMethod>,
    pub credit_limit: Money,
    pub payment_terms: PaymentTerms,
    pub billing_currency: String,
    pub on_credit_hold: bool,
    pub credit_hold_reason: Option<String>,
    pub credit_hold_since: Option<DateTime<Utc>>,
    /// "ladder" (placed and lifted by the collections ladder) or "manual".
    pub credit_hold_source: Option<String>,
    /// On collections watch (an invoice 30 days unpaid).
    pub on_watch: bool,
    pub watch_since: Option<crate::values::IsoDate>,
    pub account_manager_id: Option<ID>,
    pub has_paid_invoice: bool,
    pub prior_late_payer: bool,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub domain: customers::Customer,
}

impl From<customers::Customer> for Customer {
    fn from(customer: customers::Customer) -> Customer {
        Customer {
            id: ID(customer.id.to_string()),
            external_ref: customer.external_ref.clone(),
            legal_name: customer.legal_name.clone(),
            billing_address: customer.billing_address.clone(),
            remit_to_address: customer.remit_to_address.clone(),
            tax_registration_number: customer.tax_registration_number.clone(),
            billing_contact: customer.billing_contact.clone(),
            payment_method: customer.payment_method.clone(),
            credit_limit: customer.credit_limit.into(),
            payment_terms: customer.payment_terms,
            billing_currency: customer.billing_currency.code().to_string(),
            on_credit_hold: customer.on_credit_hold,
            credit_hold_reason: customer.credit_hold_reason.clone(),
            credit_hold_since: customer.credit_hold_since,
            credit_hold_source: customer.credit_hold_source.clone(),
            on_watch: customer.on_watch,
            watch_since: customer.watch_since.map(crate::values::IsoDate),
            account_manager_id: customer.account_manager_id.map(|id| ID(id.to_string())),
            has_paid_invoice: customer.has_paid_invoice,
            prior_late_payer: customer.prior_late_payer,
            created_at: customer.created_at,
            domain: customer,
        }
    }
}

/// What the credit-risk category proposes for this customer.
#[derive(Clone, SimpleObject)]
pub struct CreditPolicy {
    pub category: CreditCategory,
    pub proposed_limit: Money,
    pub allowed_terms: Vec<PaymentTerms>,
    pub deposit_rule: DepositRule,
    pub explanation: String,
}

/// A customer's credit exposure against its limit (DOMAIN, "Credit policy"): open invoices,
/// drafts waiting to be issued and the recurring charges due in the next 30 days, in the limit's
/// currency; with what a deal, renewal or invoice would add.
#[derive(Clone, SimpleObject)]
pub struct CreditCheck {
    pub limit: Money,
    pub exposure: Money,
    pub open: Money,
    pub waiting: Money,
    pub scheduled: Money,
    /// Customer credit held (overpayments, a deposit paid in advance), which offsets the rest.
    pub credit: Money,
    pub adding: Money,
    pub after: Money,
    pub over_by: Option<Money>,
    /// Over the limit (or not convertible): a VP Finance must approve.
    pub needs_vp_finance: bool,
    /// Over the limit, for a customer its credit policy takes a deposit from (new, or a prior
    /// late payer): the payment, recorded as customer credit, that brings it within the limit.
    pub deposit: Option<Money>,
    pub explanation: String,
}

impl From<crate::credit::CreditCheck> for CreditCheck {
    fn from(checked: crate::credit::CreditCheck) -> CreditCheck {
        CreditCheck {
            limit: checked.limit.into(),
            exposure: checked.exposure.into(),
            open: checked.open.into(),
            waiting: checked.waiting.into(),
            scheduled: checked.scheduled.into(),
            credit: checked.credit.into(),
            adding: checked.adding.into(),
            after: checked.after.into(),
            over_by: checked.over_by.map(Money::from),
            needs_vp_finance: checked.needs_vp_finance,
            deposit: checked.deposit.map(Money::from),
            explanation: checked.explanation,
        }
    }
}

impl Customer {
    async fn arr_money(&self, ctx: &Context<'_>) -> async_graphql::Result<DomainMoney> {
        let key = (self.domain.id, self.domain.billing_currency);
        let arr = ctx
            .data_unchecked::<DataLoader<ArrLoader>>()
            .load_one(key)
            .await?;
        Ok(arr.unwrap_or(DomainMoney::zero(self.domain.billing_currency)))
    }
}

#[ComplexObject]
impl Customer {
    /// Annual recurring revenue from contracts active today.
    async fn arr(&self, ctx: &Context<'_>) -> async_graphql::Result<Money> {
        Ok(self.arr_money(ctx).await?.into())
    }

    /// Exposure today against the credit limit.
    async fn credit_exposure(&self, ctx: &Context<'_>) -> async_graphql::Result<CreditCheck> {
        Ok(app(ctx)
            .credit
            .exposure(actor(ctx)?, self.domain.id)
            .await?
            .into())
    }

    async fn credit_policy(&self, ctx: &Context<'_>) -> async_graphql::Result<CreditPolicy> {
        let policy = customers::policy_for(&self.domain, Some(self.arr_money(ctx).await?));
        Ok(CreditPolicy {
            category: policy.category,
            proposed_limit: policy.proposed_limit.into(),
            allowed_terms: policy.allowed_terms,
            deposit_rule: policy.deposit_rule,
            explanation: policy.explanation,
        })
    }

    /// This customer's deals, newest first (an AE sees only their own). At most 100.
    async fn deals(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Deal>> {
        let page = PageRequest {
            offset: 0,
            limit: crate::pagination::MAX_PAGE_SIZE,
        };
        let deals = app(ctx)
            .deals
            .list(
                actor(ctx)?,
                None,
                None,
                Some(self.domain.id),
                (DealSort::Created, SortDirection::Desc),
                page,
            )
            .await?;
        Ok(deals.items.into_iter().map(Deal::from).collect())
    }

    async fn pending_credit_limit_request(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Approval>> {
        let actor = actor(ctx)?;
        if !actor.can(crate::access::Permission::ApprovalRead) {
            return Ok(None);
        }
        Ok(app(ctx)
            .approvals
            .pending_for_customer(self.domain.id)
            .await?
            .map(Approval::from))
    }
}

connection!(CustomerConnection, CustomerEdge, Customer);

#[derive(Default)]
pub struct CustomerQuery;

#[Object]
impl CustomerQuery {
    /// Customers A–Z; `search` matches legal name, contact name or e-mail, ignoring case.
    async fn customers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
        #[graphql(desc = "The column to order by; by legal name when not given.")] sort: Option<
            CustomerSort,
        >,
        #[graphql(desc = "Which way; ascending when not given.")] direction: Option<SortDirection>,
    ) -> async_graphql::Result<CustomerConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let order = requested_order(
            sort,
            direction,
            (CustomerSort::LegalName, SortDirection::Asc),
        );
        let customers = app(ctx)
            .customers
            .list(actor(ctx)?, search, order, page)
            .await?;
        Ok(CustomerConnection::from_page(customers, Customer::from))
    }

    /// The customers with these ids that the reader may see (at most 100), in the order given.
    async fn customers_by_ids(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Customer>> {
        let actor = actor(ctx)?;
        let customers = by_ids("ids", ids, |id| app(ctx).customers.get(actor, id)).await?;
        Ok(customers.into_iter().map(Customer::from).collect())
    }

    async fn customer(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Customer> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx).customers.get(actor(ctx)?, id).await?.into())
    }
}

#[derive(SimpleObject)]
pub struct CustomerPayload {
    pub customer: Customer,
}

#[derive(Default)]
pub struct CustomerMutation;

#[Object]
impl CustomerMutation {
    /// Creates a customer with the new-customer credit limit and terms.
    async fn customer_create(
        &self,
        ctx: &Context<'_>,
        input: CustomerCreateInput,
    ) -> async_graphql::Result<CustomerPayload> {
        let customer = app(ctx).customers.create(actor(ctx)?, input).await?;
        Ok(CustomerPayload {
            customer: customer.into(),
        })
    }

    /// Changes a customer's master data: fields left out stay as they are; a changed billing
    /// country checks the tax number on file again. Audited with the record before and after.
    async fn customer_update(
        &self,
        ctx: &Context<'_>,
        input: CustomerUpdateInput,
    ) -> async_graphql::Result<CustomerPayload> {
        let customer = app(ctx).customers.update(actor(ctx)?, input).await?;
        Ok(CustomerPayload {
            customer: customer.into(),
        })
    }

    /// Places or releases a credit hold, with the reason recorded.
    async fn customer_credit_hold_set(
        &self,
        ctx: &Context<'_>,
        input: CustomerCreditHoldSetInput,
    ) -> async_graphql::Result<CustomerPayload> {
        let customer = app(ctx)
            .customers
            .set_credit_hold(actor(ctx)?, input)
            .await?;
        Ok(CustomerPayload {
            customer: customer.into(),
        })
    }

    /// Names the customer's account manager (an `account_manager` user), or clears it.
    async fn customer_account_manager_set(
        &self,
        ctx: &Context<'_>,
        customer_id: ID,
        user_id: Option<ID>,
    ) -> async_graphql::Result<CustomerPayload> {
        let customer_id = parse_id("customerId", &customer_id)?;
        let user_id = user_id.map(|id| parse_id("userId", &id)).transpose()?;
        let customer = app(ctx)
            .customers
            .set_account_manager(actor(ctx)?, customer_id, user_id)
            .await?;
        Ok(CustomerPayload {
            customer: customer.into(),
        })
    }
}
