//! DataLoaders: batch the per-row lookups of a list (customer of each deal, user of each
//! approval, service account of each audit row's actor, ARR of each customer) into one query each.

use crate::auth::{AuthService, ServiceAccount, User};
use crate::customers::{Book, Customer, CustomerService};
use crate::money::{Currency, Money};
use async_graphql::dataloader::Loader;
use std::collections::HashMap;

/// Keyed by (the reader's book, customer id): a customer outside the reader's book loads as
/// absent, so a record that names it shows no customer rather than another owner's master data.
pub struct CustomerLoader(pub CustomerService);

impl Loader<(Book, i64)> for CustomerLoader {
    type Value = Customer;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(Book, i64)],
    ) -> Result<HashMap<(Book, i64), Customer>, Self::Error> {
        let mut by_book: HashMap<Book, Vec<i64>> = HashMap::new();
        for (book, id) in keys {
            by_book.entry(*book).or_default().push(*id);
        }
        let mut loaded = HashMap::new();
        for (book, ids) in by_book {
            for customer in self.0.by_ids(book, &ids).await? {
                loaded.insert((book, customer.id), customer);
            }
        }
        Ok(loaded)
    }
}

/// The customer `id` as the signed-in reader may see it (None outside their book).
pub async fn load_customer(
    ctx: &async_graphql::Context<'_>,
    id: i64,
) -> async_graphql::Result<Option<Customer>> {
    let book = Book::of(super::actor(ctx)?);
    ctx.data_unchecked::<async_graphql::dataloader::DataLoader<CustomerLoader>>()
        .load_one((book, id))
        .await
}

pub struct UserLoader(pub AuthService);

impl Loader<i64> for UserLoader {
    type Value = User;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, User>, Self::Error> {
        let users = self.0.users_by_ids(keys).await?;
        Ok(users.into_iter().map(|user| (user.id, user)).collect())
    }
}

/// The service account behind a user id (people have none), for naming the actor of audit rows.
pub struct ServiceAccountLoader(pub AuthService);

impl Loader<i64> for ServiceAccountLoader {
    type Value = ServiceAccount;
    type Error = async_graphql::Error;

    async fn load(&self, user_ids: &[i64]) -> Result<HashMap<i64, ServiceAccount>, Self::Error> {
        let accounts = self.0.service_accounts_by_user_ids(user_ids).await?;
        Ok(accounts
            .into_iter()
            .map(|account| (account.user_id, account))
            .collect())
    }
}

/// Keyed by (customer id, billing currency).
pub struct ArrLoader(pub CustomerService);

impl Loader<(i64, Currency)> for ArrLoader {
    type Value = Money;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(i64, Currency)],
    ) -> Result<HashMap<(i64, Currency), Money>, Self::Error> {
        let arr = self.0.arr_by_customer(keys).await?;
        Ok(arr
            .into_iter()
            .map(|(id, money)| ((id, money.currency()), money))
            .collect())
    }
}
