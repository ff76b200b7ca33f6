//! Reading credit memos: one by id and the filtered, paged list, within the customers the
//! reader may see.

use super::{memo_from_model, CreditMemo, DocumentStatus};
use crate::access::{Actor, Permission};
use crate::entities::credit_memo;
use crate::error::{AppError, AppResult};
use crate::pagination::{Page, PageRequest};
use crate::receivables::ReceivablesService;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

impl ReceivablesService {
    pub async fn credit_memo(&self, actor: &Actor, id: i64) -> AppResult<CreditMemo> {
        actor.require(Permission::ReceivablesRead)?;
        let model = credit_memo::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found(format!("There is no credit memo with id {id}.")))?;
        self.check_customer_visible(actor, model.customer_id)
            .await?;
        memo_from_model(model)
    }

    pub async fn credit_memos(
        &self,
        actor: &Actor,
        invoice_id: Option<i64>,
        customer_id: Option<i64>,
        status: Option<DocumentStatus>,
        page: PageRequest,
    ) -> AppResult<Page<CreditMemo>> {
        actor.require(Permission::ReceivablesRead)?;
        let mut query = credit_memo::Entity::find();
        if let Some(id) = invoice_id {
            query = query.filter(credit_memo::Column::InvoiceId.eq(id));
        }
        if let Some(id) = customer_id {
            query = query.filter(credit_memo::Column::CustomerId.eq(id));
        }
        if let Some(status) = status {
            query = query.filter(credit_memo::Column::Status.eq(status.as_str()));
        }
        if let Some(own) = crate::receivables::own_customers(actor) {
            query = query.filter(credit_memo::Column::CustomerId.in_subquery(own));
        }
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_desc(credit_memo::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Page::new(rows, page, total).try_map(memo_from_model)
    }
}
