//! Invoices, their lines and PDF link; held drafts, PO, void; tax, FX and legal-entity tables.

use super::customers::Customer;
use super::loaders::load_customer;
use super::types::{by_ids, connection, Money};
use super::{actor, app};
use crate::customers::{Address, PaymentTerms};
use crate::invoicing::rules::ChargeKind;
use crate::invoicing::{
    self, FxRateRow, InvoiceFilter, InvoiceSort, InvoiceStatus, LegalEntity, TaxRateRow,
};
use crate::pagination::{requested_order, PageRequest, SortDirection};
use crate::values::{parse_id, IsoDate};
use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

#[derive(Clone, SimpleObject)]
pub struct InvoiceLine {
    pub id: ID,
    pub contract_line_id: ID,
    pub kind: ChargeKind,
    pub description: String,
    pub period_start: Option<IsoDate>,
    /// Last service day of the period (inclusive).
    pub period_end: Option<IsoDate>,
    pub quantity: String,
    pub unit_price: Money,
    pub amount: Money,
    /// How the amount was computed: proration fraction, usage tiers, hours × rate.
    pub note: Option<String>,
    pub tax_jurisdiction: String,
    pub tax_rate_percent: String,
    pub tax_label: String,
    pub tax: Money,
}

impl From<invoicing::InvoiceLine> for InvoiceLine {
    fn from(line: invoicing::InvoiceLine) -> InvoiceLine {
        InvoiceLine {
            id: ID(line.id.to_string()),
            contract_line_id: ID(line.contract_line_id.to_string()),
            kind: line.kind,
            description: line.description,
            period_start: line.period_start.map(IsoDate),
            period_end: line.period_end.map(IsoDate),
            quantity: line.quantity,
            unit_price: line.unit_price.into(),
            amount: line.amount.into(),
            note: line.note,
            tax_jurisdiction: line.tax_jurisdiction,
            tax_rate_percent: line.tax_rate_percent,
            tax_label: line.tax_label,
            tax: line.tax.into(),
        }
    }
}

#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct Invoice {
    pub id: ID,
    /// Assigned at issue; a draft has none.
    pub number: Option<String>,
    pub legal_entity: String,
    pub status: InvoiceStatus,
    pub invoice_date: IsoDate,
    pub issue_date: Option<IsoDate>,
    pub due_date: Option<IsoDate>,
    pub payment_terms: PaymentTerms,
    pub po_number: Option<String>,
    pub tax_exemption_certificate: Option<String>,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub paid: Money,
    /// Approved credit memos applied to this invoice.
    pub credited: Money,
    /// Approved bad-debt write-offs.
    pub written_off: Money,
    pub open_amount: Money,
    /// The date nothing remained open (paid, credited, written off or void).
    pub settled_on: Option<IsoDate>,
    /// Why a draft was held instead of issued, and the field to fix.
    pub blocked_field: Option<String>,
    pub blocked_reason: Option<String>,
    /// Units of the functional currency per unit of the invoice currency on the invoice date.
    pub fx_rate: Option<String>,
    pub functional_total: Option<Money>,
    pub issued_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: Option<String>,
    /// Authenticated download (send the bearer token).
    pub pdf_url: String,
    #[graphql(skip)]
    pub domain: invoicing::Invoice,
}

impl From<invoicing::Invoice> for Invoice {
    fn from(invoice: invoicing::Invoice) -> Invoice {
        Invoice {
            id: ID(invoice.id.to_string()),
            number: invoice.number.clone(),
            legal_entity: invoice.legal_entity.clone(),
            status: invoice.status,
            invoice_date: IsoDate(invoice.invoice_date),
            issue_date: invoice.issue_date.map(IsoDate),
            due_date: invoice.due_date.map(IsoDate),
            payment_terms: invoice.payment_terms,
            po_number: invoice.po_number.clone(),
            tax_exemption_certificate: invoice.tax_exemption_certificate.clone(),
            subtotal: invoice.subtotal.into(),
            tax: invoice.tax.into(),
            total: invoice.total.into(),
            paid: invoice.paid.into(),
            credited: invoice.credited.into(),
            written_off: invoice.written_off.into(),
            settled_on: invoice.settled_on.map(IsoDate),
            open_amount: invoice.open_amount().into(),
            blocked_field: invoice.blocked_field.clone(),
            blocked_reason: invoice.blocked_reason.clone(),
            fx_rate: invoice.fx_rate.clone(),
            functional_total: invoice.functional_total.map(Money::from),
            issued_at: invoice.issued_at,
            voided_at: invoice.voided_at,
            void_reason: invoice.void_reason.clone(),
            pdf_url: format!("/api/invoices/{}/pdf", invoice.id),
            domain: invoice,
        }
    }
}

#[ComplexObject]
impl Invoice {
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Customer>> {
        Ok(load_customer(ctx, self.domain.customer_id)
            .await?
            .map(Customer::from))
    }

    async fn lines(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<InvoiceLine>> {
        Ok(app(ctx)
            .invoices
            .lines(&self.domain)
            .await?
            .into_iter()
            .map(InvoiceLine::from)
            .collect())
    }

    /// Payments and credit applied to this invoice, oldest first.
    async fn applications(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::receivables::Application>> {
        Ok(app(ctx)
            .receivables
            .applications(None, Some(self.domain.id))
            .await?
            .into_iter()
            .map(super::receivables::Application::from)
            .collect())
    }

    async fn contract_id(&self) -> Option<ID> {
        self.domain.contract_id.map(|id| ID(id.to_string()))
    }
}

connection!(InvoiceConnection, InvoiceEdge, Invoice);

#[derive(Default)]
pub struct InvoiceQuery;

#[Object]
impl InvoiceQuery {
    /// Newest first unless `sort` says otherwise. `overdue` lists issued, unpaid invoices past
    /// their due date as of today.
    #[allow(clippy::too_many_arguments)]
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<InvoiceStatus>,
        customer_id: Option<ID>,
        from: Option<IsoDate>,
        to: Option<IsoDate>,
        overdue: Option<bool>,
        search: Option<String>,
        #[graphql(desc = "The column to order by (amounts within each currency).")] sort: Option<
            InvoiceSort,
        >,
        #[graphql(desc = "Which way; ascending when a column is given without it.")]
        direction: Option<SortDirection>,
    ) -> async_graphql::Result<InvoiceConnection> {
        let page = PageRequest::from_relay(first, after.as_deref())?;
        let filter = InvoiceFilter {
            status,
            customer_id: customer_id
                .map(|id| parse_id("customerId", &id))
                .transpose()?,
            from: from.map(|date| date.0),
            to: to.map(|date| date.0),
            overdue_on: overdue
                .filter(|overdue| *overdue)
                .map(|_| app(ctx).clock.today()),
            search,
            order: requested_order(
                sort,
                direction,
                (InvoiceSort::InvoiceDate, SortDirection::Desc),
            ),
        };
        let invoices = app(ctx).invoices.list(actor(ctx)?, filter, page).await?;
        Ok(InvoiceConnection::from_page(invoices, Invoice::from))
    }

    /// The invoices with these ids that the reader may see (at most 100), in the order given.
    async fn invoices_by_ids(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Invoice>> {
        let actor = actor(ctx)?;
        let invoices = by_ids("ids", ids, |id| app(ctx).invoices.get(actor, id)).await?;
        Ok(invoices.into_iter().map(Invoice::from).collect())
    }

    async fn invoice(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Invoice> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx).invoices.get(actor(ctx)?, id).await?.into())
    }

    async fn tax_rates(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TaxRateRow>> {
        Ok(app(ctx).invoices.tax_rates(actor(ctx)?).await?)
    }

    async fn fx_rates(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FxRateRow>> {
        Ok(app(ctx).invoices.fx_rates(actor(ctx)?).await?)
    }

    async fn legal_entities(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LegalEntity>> {
        Ok(app(ctx).invoices.legal_entities(actor(ctx)?).await?)
    }
}

#[derive(InputObject)]
pub struct InvoiceVoidInput {
    pub id: ID,
    pub reason: String,
    /// True: the charges go back to the next bill run (rebill). False: they stay on the void invoice.
    pub release_charges: bool,
}

#[derive(InputObject)]
pub struct TaxRateSetInput {
    /// "DE", or country and region "US-CA".
    pub jurisdiction: String,
    /// Percent as a decimal string, e.g. "7.25".
    pub rate_percent: String,
    pub label: String,
    pub effective_from: IsoDate,
}

#[derive(InputObject)]
pub struct FxRateSetInput {
    pub currency: String,
    pub rate_date: IsoDate,
    /// Units of the functional currency per unit of `currency`, as a decimal string.
    pub rate: String,
}

#[derive(InputObject)]
pub struct LegalEntitySetInput {
    pub name: String,
    pub address: Address,
    pub tax_id: Option<String>,
    pub remit_to: Vec<String>,
    pub payment_instructions: String,
}

#[derive(Default)]
pub struct InvoiceMutation;

#[Object]
impl InvoiceMutation {
    /// Issues a held draft once its problem (PO, tax jurisdiction) is fixed; a draft held over the
    /// customer's credit limit is issued by a VP Finance only.
    async fn invoice_issue(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Invoice> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx).invoices.issue_draft(actor(ctx)?, id).await?.into())
    }

    async fn invoice_po_set(
        &self,
        ctx: &Context<'_>,
        id: ID,
        po_number: String,
    ) -> async_graphql::Result<Invoice> {
        let id = parse_id("id", &id)?;
        Ok(app(ctx)
            .invoices
            .set_po(actor(ctx)?, id, &po_number)
            .await?
            .into())
    }

    async fn invoice_void(
        &self,
        ctx: &Context<'_>,
        input: InvoiceVoidInput,
    ) -> async_graphql::Result<Invoice> {
        let id = parse_id("id", &input.id)?;
        Ok(app(ctx)
            .invoices
            .void(actor(ctx)?, id, &input.reason, input.release_charges)
            .await?
            .into())
    }

    async fn tax_rate_set(
        &self,
        ctx: &Context<'_>,
        input: TaxRateSetInput,
    ) -> async_graphql::Result<TaxRateRow> {
        Ok(app(ctx)
            .invoices
            .set_tax_rate(
                actor(ctx)?,
                &input.jurisdiction,
                &input.rate_percent,
                &input.label,
                input.effective_from.0,
            )
            .await?)
    }

    async fn fx_rate_set(
        &self,
        ctx: &Context<'_>,
        input: FxRateSetInput,
    ) -> async_graphql::Result<FxRateRow> {
        Ok(app(ctx)
            .invoices
            .set_fx_rate(actor(ctx)?, &input.currency, input.rate_date.0, &input.rate)
            .await?)
    }

    async fn legal_entity_set(
        &self,
        ctx: &Context<'_>,
        input: LegalEntitySetInput,
    ) -> async_graphql::Result<LegalEntity> {
        Ok(app(ctx)
            .invoices
            .set_legal_entity(
                actor(ctx)?,
                LegalEntity {
                    name: input.name,
                    address: input.address,
                    tax_id: input.tax_id,
                    remit_to: input.remit_to,
                    payment_instructions: input.payment_instructions,
                },
            )
            .await?)
    }
}
