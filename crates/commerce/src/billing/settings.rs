//! A contract's billing settings and the coupons: the company's and a contract's proration
//! convention, a contract's billing day, a line billed in arrears, and coupons created, archived
//! and listed. The rules live in `proration`, `billing_day`, `timing` and `coupons`.

use super::*;
use crate::access::{Actor, Permission};
use sea_orm::TransactionTrait;

impl BillingService {
    /// Creates a coupon (`coupons::create`), audited.
    pub async fn coupon_create(
        &self,
        actor: &Actor,
        input: &coupons::CouponCreateInput,
    ) -> AppResult<coupons::Coupon> {
        let transaction = self.db.begin().await?;
        let created = coupons::create(&transaction, actor, input, self.clock.now()).await?;
        transaction.commit().await?;
        Ok(created)
    }

    /// Archives a coupon (`coupons::archive`), audited.
    pub async fn coupon_archive(&self, actor: &Actor, code: &str) -> AppResult<coupons::Coupon> {
        let transaction = self.db.begin().await?;
        let archived = coupons::archive(&transaction, actor, code, self.clock.now()).await?;
        transaction.commit().await?;
        Ok(archived)
    }

    /// Every coupon with what is left of it, newest first.
    pub async fn coupons(&self, actor: &Actor) -> AppResult<Vec<coupons::Coupon>> {
        coupons::list(&self.db, actor).await
    }

    /// The company's proration convention (any billing reader may see it).
    pub async fn proration(&self, actor: &Actor) -> AppResult<proration::ProrationConvention> {
        actor.require(Permission::BillingRead)?;
        proration::company(&self.db).await
    }

    /// Sets the company's proration convention for contracts written from now on, audited.
    pub async fn set_proration(
        &self,
        actor: &Actor,
        convention: proration::ProrationConvention,
    ) -> AppResult<proration::ProrationConvention> {
        let transaction = self.db.begin().await?;
        let set = proration::set_company(&transaction, actor, convention, self.clock.now()).await?;
        transaction.commit().await?;
        Ok(set)
    }

    /// Gives a contract not yet billed its own proration convention, audited.
    pub async fn set_contract_proration(
        &self,
        actor: &Actor,
        contract_id: &str,
        convention: proration::ProrationConvention,
    ) -> AppResult<proration::ContractProration> {
        let transaction = self.db.begin().await?;
        let set = proration::set_contract(
            &transaction,
            actor,
            contract_id,
            convention,
            self.clock.now(),
        )
        .await?;
        transaction.commit().await?;
        Ok(set)
    }

    /// Bills a contract not yet billed on a day of the month (`None`: each line from its start).
    pub async fn set_contract_billing_day(
        &self,
        actor: &Actor,
        contract_id: &str,
        day: Option<i32>,
    ) -> AppResult<billing_day::ContractBillingDay> {
        let transaction = self.db.begin().await?;
        let set = billing_day::set(&transaction, actor, contract_id, day, self.clock.now()).await?;
        transaction.commit().await?;
        Ok(set)
    }

    /// Bills a subscription line not yet billed in arrears (or in advance again), audited.
    pub async fn set_line_in_arrears(
        &self,
        actor: &Actor,
        contract_line_id: &str,
        in_arrears: bool,
    ) -> AppResult<timing::LineTiming> {
        let transaction = self.db.begin().await?;
        let set = timing::set(
            &transaction,
            actor,
            contract_line_id,
            in_arrears,
            self.clock.now(),
        )
        .await?;
        transaction.commit().await?;
        Ok(set)
    }
}
