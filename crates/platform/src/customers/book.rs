//! Whose customers a reader sees. DESIGN's roles give an account executive their own deals and an
//! account manager the relationships they manage, so their *book* is:
//!
//! - an AE: every customer they hold a deal with (`deals.assigned_ae_id`) — which covers the
//!   contracts, invoices and renewals that come from those deals;
//! - an account manager: every customer they are the account manager of
//!   (`customers.account_manager_id`);
//! - either of them, besides: every customer whose renewal they were handed
//!   (`contracts.renewal_owner_id`, set by a renewal schedule), since owning a renewal means
//!   reading the customer's invoices, disputes and history;
//! - every other role: all customers.
//!
//! The customer master (list, detail, and a customer shown inside another record) is read
//! through this, and so are receivables (`receivables::own_customers`).

use crate::access::{Actor, Role};
use crate::entities::{contract, customer, deal};
use sea_orm::sea_query::{Query, SelectStatement, UnionType};
use sea_orm::ColumnTrait;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Book {
    All,
    Ae(i64),
    AccountManager(i64),
}

impl Book {
    pub fn of(actor: &Actor) -> Book {
        match actor.role {
            Role::Ae => Book::Ae(actor.user_id),
            Role::AccountManager => Book::AccountManager(actor.user_id),
            _ => Book::All,
        }
    }

    /// The ids of the customers in the book, as a subquery; None when the book is everyone.
    pub fn customer_ids(self) -> Option<SelectStatement> {
        match self {
            Book::All => None,
            Book::Ae(user_id) => Some(
                Query::select()
                    .column(deal::Column::CustomerId)
                    .from(deal::Entity)
                    .and_where(deal::Column::AssignedAeId.eq(user_id))
                    .and_where(deal::Column::CustomerId.is_not_null())
                    .union(UnionType::Distinct, renewals_owned_by(user_id))
                    .to_owned(),
            ),
            Book::AccountManager(user_id) => Some(
                Query::select()
                    .column(customer::Column::Id)
                    .from(customer::Entity)
                    .and_where(customer::Column::AccountManagerId.eq(user_id))
                    .union(UnionType::Distinct, renewals_owned_by(user_id))
                    .to_owned(),
            ),
        }
    }

    /// The condition on `customers` that keeps only the book's rows.
    pub fn condition(self) -> sea_orm::Condition {
        match self.customer_ids() {
            None => sea_orm::Condition::all(),
            Some(ids) => sea_orm::Condition::all().add(customer::Column::Id.in_subquery(ids)),
        }
    }
}

/// The customers of the contracts whose renewal `user_id` was handed.
fn renewals_owned_by(user_id: i64) -> SelectStatement {
    Query::select()
        .column(contract::Column::CustomerId)
        .from(contract::Entity)
        .and_where(contract::Column::RenewalOwnerId.eq(user_id))
        .to_owned()
}
