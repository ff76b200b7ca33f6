//! Receivables and collections: payments and customer credits, AR aging as of any date, the
//! collections ladder with credit holds, disputes, credit memos and write-offs.
//!
//! Every change to what a customer owes goes through `repo::settle` (or the issue and void
//! hooks), which writes the AR movement that aging reads, so the aging, the invoices and the
//! ledger's AR account always agree.

pub mod aging;
pub mod bank;
pub mod bank_csv;
pub mod calendar;
pub mod charge_credits;
pub mod collections;
pub mod credit_memos;
pub mod disputes;
pub mod ladder;
pub mod matching;
pub mod payments;
pub mod repo;
pub mod report;
pub mod statement;

use crate::access::Actor;
use crate::clock::SharedClock;
use crate::entities::customer;
use crate::error::{AppError, AppResult};
use crate::money::Currency;
use sea_orm::sea_query::SelectStatement;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

#[derive(Clone)]
pub struct ReceivablesService {
    db: DatabaseConnection,
    clock: SharedClock,
    /// The currency the reports add every currency up in.
    functional: Currency,
}

/// The customers an AE (through their deals) or an account manager (as the customer's account
/// manager) may see; `None` for roles that see every customer (`customers::Book`).
pub fn own_customers(actor: &Actor) -> Option<SelectStatement> {
    crate::customers::Book::of(actor).customer_ids()
}

impl ReceivablesService {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        functional: Currency,
    ) -> ReceivablesService {
        ReceivablesService {
            db,
            clock,
            functional,
        }
    }

    /// FORBIDDEN unless the actor may see this customer's receivables.
    pub async fn check_customer_visible(&self, actor: &Actor, customer_id: i64) -> AppResult<()> {
        check_visible_on(&self.db, actor, customer_id).await
    }
}

/// As `check_customer_visible`, on the caller's connection or transaction (SQLite has one
/// writer connection, so a check inside a transaction must not ask the pool for another).
pub async fn check_visible_on<C: sea_orm::ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    customer_id: i64,
) -> AppResult<()> {
    {
        let Some(own) = own_customers(actor) else {
            return Ok(());
        };
        let visible = customer::Entity::find()
            .filter(customer::Column::Id.eq(customer_id))
            .filter(customer::Column::Id.in_subquery(own))
            .count(connection)
            .await?;
        if visible == 0 {
            return Err(AppError::Forbidden(
                "This customer is not in your book; its receivables are not visible to you.".into(),
            ));
        }
        Ok(())
    }
}
