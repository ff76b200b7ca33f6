//! The SSP table: its entries, each checked for its estimation method (observable or market
//! price, expected cost plus margin, residual), and which lines carry a contract's discount.

use super::*;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::ssp_price;
use crate::error::{AppError, AppResult};
use crate::values::{parse_id, require_text};
use rust_decimal::prelude::ToPrimitive;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

/// The stored amounts of a valid SSP entry: (currency, low, high, cost, margin in basis points).
type SspAmounts = (Currency, i64, i64, Option<i64>, Option<i64>);

/// Refuses an amount the entry's method does not take.
fn unused_amount(field: &str, method: &str) -> AppResult<SspAmounts> {
    Err(AppError::validation(
        field,
        format!("{method} does not take this amount; leave it empty."),
    ))
}

/// Checks an SSP entry's amounts for its method, naming the field at fault.
fn ssp_amounts(input: &SspInput) -> AppResult<SspAmounts> {
    let currency = ssp_currency(input)?;
    match input.method {
        SspMethod::Observable | SspMethod::AdjustedMarket => {
            if input.cost.is_some() {
                return unused_amount("cost", "An observed or market price");
            }
            if input.margin_percent.is_some() {
                return unused_amount("marginPercent", "An observed or market price");
            }
            let (low, high) = ssp_range(input, true)?;
            Ok((currency, low, high, None, None))
        }
        SspMethod::ExpectedCostPlusMargin => cost_plus_margin_amounts(input, currency),
        SspMethod::Residual => {
            if input.cost.is_some() {
                return unused_amount("cost", "The residual approach");
            }
            if input.margin_percent.is_some() {
                return unused_amount("marginPercent", "The residual approach");
            }
            let (low, high) = ssp_range(input, false)?;
            Ok((currency, low, high, None, None))
        }
    }
}

/// The entry's currency: its amounts' (all in one), or the one chosen when it has none.
fn ssp_currency(input: &SspInput) -> AppResult<Currency> {
    let currency = input
        .low
        .or(input.cost)
        .map(|amount| amount.currency())
        .or(input.currency)
        .ok_or_else(|| match input.method {
            // The amount the method needs first is missing; its currency would come with it.
            SspMethod::ExpectedCostPlusMargin => {
                AppError::validation("cost", "Enter the expected cost per unit, more than zero.")
            }
            SspMethod::Residual => AppError::validation(
                "currency",
                "Choose the currency of the SSP (or enter the range of prices seen).",
            ),
            SspMethod::Observable | SspMethod::AdjustedMarket => {
                AppError::validation("low", "Enter the SSP or the low end of its range.")
            }
        })?;
    for (field, amount) in [
        ("low", input.low),
        ("high", input.high),
        ("cost", input.cost),
    ] {
        if amount.is_some_and(|amount| amount.currency() != currency) {
            return Err(AppError::validation(
                field,
                format!("Every amount of the entry must be in {}.", currency.code()),
            ));
        }
    }
    Ok(currency)
}

/// The low and high ends of the SSP range: both, the high not below the low; none only when not
/// `required`.
fn ssp_range(input: &SspInput, required: bool) -> AppResult<(i64, i64)> {
    match (input.low, input.high) {
        (Some(low), Some(high)) => {
            if low.minor() <= 0 {
                return Err(AppError::validation(
                    "low",
                    "The SSP must be more than zero.",
                ));
            }
            if high.minor() < low.minor() {
                return Err(AppError::validation(
                    "high",
                    "The high end of the range is below the low end.",
                ));
            }
            Ok((low.minor(), high.minor()))
        }
        (None, None) if !required => Ok((0, 0)),
        (None, _) => Err(AppError::validation(
            "low",
            "Enter the SSP or the low end of its range.",
        )),
        (Some(_), None) => Err(AppError::validation(
            "high",
            "Enter the high end of the range (the same as the low end for one price).",
        )),
    }
}

/// Expected cost plus margin: a cost above zero and a margin above -100 % and at most 1000 %
/// (two decimals), which compute the price; the range is not entered.
fn cost_plus_margin_amounts(input: &SspInput, currency: Currency) -> AppResult<SspAmounts> {
    if input.low.is_some() {
        return unused_amount("low", "Expected cost plus margin computes the price and");
    }
    if input.high.is_some() {
        return unused_amount("high", "Expected cost plus margin computes the price and");
    }
    let cost = input.cost.filter(|cost| cost.minor() > 0).ok_or_else(|| {
        AppError::validation("cost", "Enter the expected cost per unit, more than zero.")
    })?;
    let margin = input.margin_percent.ok_or_else(|| {
        AppError::validation("marginPercent", "Enter the margin in percent, e.g. 25.")
    })?;
    let basis_points = margin * Decimal::from(100);
    if margin <= Decimal::from(-100)
        || margin > Decimal::from(1_000)
        || basis_points.fract() != Decimal::ZERO
    {
        return Err(AppError::validation(
            "marginPercent",
            "The margin is a percent above -100 and at most 1000, with at most two decimals.",
        ));
    }
    let margin_bp = basis_points.to_i64().unwrap_or(0);
    let price = rules::cost_plus_margin(cost.minor(), margin_bp);
    Ok((currency, price, price, Some(cost.minor()), Some(margin_bp)))
}

impl RevenueService {
    pub async fn ssp_prices(&self, actor: &Actor) -> AppResult<Vec<SspPrice>> {
        actor.require(Permission::RevenueTotalsRead)?;
        ssp_price::Entity::find()
            .order_by_asc(ssp_price::Column::ProductName)
            .order_by_asc(ssp_price::Column::Currency)
            .order_by_desc(ssp_price::Column::EffectiveFrom)
            .all(&self.db)
            .await?
            .into_iter()
            .map(ssp_from_model)
            .collect()
    }

    /// Adds (or replaces, for the same product, currency and date) an SSP table entry. Used by
    /// contracts allocated from then on; existing allocations stay as they were made.
    pub async fn set_ssp(&self, actor: &Actor, input: SspInput) -> AppResult<SspPrice> {
        actor.require(Permission::SspManage)?;
        let product = require_text("productName", &input.product_name, 200)?;
        let (currency, low, high, cost, margin_bp) = ssp_amounts(&input)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let currency = currency.code().to_string();
        ssp_price::Entity::delete_many()
            .filter(ssp_price::Column::ProductName.eq(product.clone()))
            .filter(ssp_price::Column::Currency.eq(currency.clone()))
            .filter(ssp_price::Column::EffectiveFrom.eq(input.effective_from))
            .exec(&transaction)
            .await?;
        let model = ssp_price::ActiveModel {
            product_name: Set(product),
            currency: Set(currency),
            basis: Set(input.basis.as_str().into()),
            low_minor: Set(low),
            high_minor: Set(high),
            effective_from: Set(input.effective_from),
            method: Set(input.method.as_str().into()),
            cost_minor: Set(cost),
            margin_bp: Set(margin_bp),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let price = ssp_from_model(model)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "revenue.ssp_set",
                entity_type: "ssp_price",
                entity_id: price.id.to_string(),
                before: None,
                after: Some(&price),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(price)
    }

    /// Marks which lines carry the contract's discount (all, when the list is empty).
    pub async fn assign_discount(
        &self,
        actor: &Actor,
        contract_id: &str,
        line_ids: &[String],
    ) -> AppResult<report::Schedule> {
        actor.require(Permission::SspManage)?;
        let contract_id = parse_id("contractId", contract_id)?;
        let lines = line_ids
            .iter()
            .enumerate()
            .map(|(index, id)| parse_id(&format!("contractLineIds.{index}"), id))
            .collect::<AppResult<Vec<_>>>()?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        repo::assign_discount(&transaction, contract_id, &lines, now, Some(actor.user_id)).await?;
        transaction.commit().await?;
        self.schedule(actor, contract_id).await
    }
}

fn ssp_from_model(model: ssp_price::Model) -> AppResult<SspPrice> {
    let currency = crate::money::Currency::parse(&model.currency)?;
    Ok(SspPrice {
        id: model.id,
        product_name: model.product_name,
        basis: SspBasis::parse(&model.basis).ok_or_else(|| AppError::internal("ssp basis"))?,
        method: SspMethod::parse(&model.method).unwrap_or_default(),
        low: Money::from_minor(model.low_minor, currency),
        high: Money::from_minor(model.high_minor, currency),
        cost: model
            .cost_minor
            .map(|cost| Money::from_minor(cost, currency)),
        margin_percent: model
            .margin_bp
            .map(|margin| (Decimal::from(margin) / Decimal::from(100)).normalize()),
        effective_from: model.effective_from,
    })
}
