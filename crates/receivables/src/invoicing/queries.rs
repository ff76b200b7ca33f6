//! Reading invoices: the list with its filters, search and order, one invoice for a reader
//! allowed to see it, and its lines.

use super::*;
use crate::access::{Actor, Permission};
use crate::entities::deal;
use crate::pagination::{Page, PageRequest};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

/// Restricts a query to the customers an AE holds deals with.
fn own_customers_only(actor: &Actor) -> Option<sea_orm::sea_query::SelectStatement> {
    actor.sees_only_own_deals().then(|| {
        Query::select()
            .column(deal::Column::CustomerId)
            .from(deal::Entity)
            .and_where(deal::Column::AssignedAeId.eq(actor.user_id))
            .to_owned()
    })
}

impl InvoiceService {
    pub async fn list(
        &self,
        actor: &Actor,
        filter: InvoiceFilter,
        page: PageRequest,
    ) -> AppResult<Page<Invoice>> {
        actor.require(Permission::InvoiceRead)?;
        let mut query = invoice::Entity::find();
        if let Some(own) = own_customers_only(actor) {
            query = query.filter(invoice::Column::CustomerId.in_subquery(own));
        }
        if let Some(status) = filter.status {
            query = query.filter(invoice::Column::Status.eq(status.as_str()));
        }
        if let Some(customer_id) = filter.customer_id {
            query = query.filter(invoice::Column::CustomerId.eq(customer_id));
        }
        if let Some(from) = filter.from {
            query = query.filter(invoice::Column::InvoiceDate.gte(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(invoice::Column::InvoiceDate.lte(to));
        }
        if let Some(on) = filter.overdue_on {
            query = query
                .filter(invoice::Column::Status.is_in(["issued", "partially_paid"]))
                .filter(invoice::Column::DueDate.lt(on));
        }
        if let Some(condition) = crate::pagination::search_condition(
            filter.search,
            &[
                invoice::Column::Number,
                invoice::Column::PoNumber,
                invoice::Column::LegalEntity,
            ],
        ) {
            query = query.filter(condition);
        }
        let total = query.clone().count(&self.db).await?;
        let (sort, direction) = filter.order;
        let direction = direction.order();
        let open = Expr::col(invoice::Column::TotalMinor)
            .sub(Expr::col(invoice::Column::PaidMinor))
            .sub(Expr::col(invoice::Column::CreditedMinor))
            .sub(Expr::col(invoice::Column::WrittenOffMinor));
        let query = match sort {
            InvoiceSort::InvoiceDate => query,
            // A draft has no number or due date yet: it comes after the issued invoices either
            // way (SQLite would put NULLs first ascending and PostgreSQL last).
            InvoiceSort::Number => query
                .order_by_asc(Expr::col(invoice::Column::Number).is_null())
                .order_by(invoice::Column::Number, direction.clone()),
            InvoiceSort::DueDate => query
                .order_by_asc(Expr::col(invoice::Column::DueDate).is_null())
                .order_by(invoice::Column::DueDate, direction.clone()),
            InvoiceSort::Status => query.order_by(invoice::Column::Status, direction.clone()),
            InvoiceSort::Total => query
                .order_by_asc(invoice::Column::Currency)
                .order_by(invoice::Column::TotalMinor, direction.clone()),
            InvoiceSort::Open => query
                .order_by_asc(invoice::Column::Currency)
                .order_by(open, direction.clone()),
        };
        // Ties fall back to the invoice date and id, so a page boundary never shows a row twice
        // or skips one.
        let date_order = if sort == InvoiceSort::InvoiceDate {
            direction
        } else {
            sea_orm::Order::Desc
        };
        let rows = query
            .order_by(invoice::Column::InvoiceDate, date_order.clone())
            .order_by(invoice::Column::Id, date_order)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Page::new(rows, page, total).try_map(invoice_from_model)
    }

    pub async fn get(&self, actor: &Actor, id: i64) -> AppResult<Invoice> {
        actor.require(Permission::InvoiceRead)?;
        let invoice = invoice_from_model(find_model(&self.db, id).await?)?;
        self.check_visible(actor, &invoice).await?;
        Ok(invoice)
    }

    async fn check_visible(&self, actor: &Actor, invoice: &Invoice) -> AppResult<()> {
        if !actor.sees_only_own_deals() {
            return Ok(());
        }
        let holds = deal::Entity::find()
            .filter(deal::Column::CustomerId.eq(invoice.customer_id))
            .filter(deal::Column::AssignedAeId.eq(actor.user_id))
            .count(&self.db)
            .await?;
        if holds == 0 {
            return Err(AppError::Forbidden(
                "This invoice belongs to a customer of another account executive.".into(),
            ));
        }
        Ok(())
    }

    pub async fn lines(&self, invoice: &Invoice) -> AppResult<Vec<InvoiceLine>> {
        invoice_line::Entity::find()
            .filter(invoice_line::Column::InvoiceId.eq(invoice.id))
            .order_by_asc(invoice_line::Column::Position)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|line| line_from_model(line, invoice.total.currency()))
            .collect()
    }
}
