//! Reading deals and contracts: one deal, the deal list (searched, filtered, sorted and paged),
//! and a contract with its lines and purchase orders.

use super::*;
use crate::access::Permission;
use crate::entities::{contract_line, purchase_order};
use crate::pagination::{search_condition, Page, PageRequest, SortDirection};
use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

impl DealService {
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
