//! DataLoaders: batch the per-row lookups of a list (customer of each deal, user of each
//! approval, service account of each audit row's actor, ARR of each customer) into one query each.

use crate::auth::{AuthService, ServiceAccount, User};
use crate::customers::{Customer, CustomerService};
use crate::money::{Currency, Money};
use async_graphql::dataloader::Loader;
use std::collections::HashMap;

pub struct CustomerLoader(pub CustomerService);

impl Loader<i64> for CustomerLoader {
    type Value = Customer;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Customer>, Self::Error> {
        let customers = self.0.by_ids(keys).await?;
        Ok(customers
            .into_iter()
            .map(|customer| (customer.id, customer))
            .collect())
    }
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
