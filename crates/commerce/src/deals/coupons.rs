//! A deal's coupons: the codes on its lines filled in from the coupons while it is a draft, and
//! redeemed once each when it is approved — the deal-level use of billing's coupon rules
//! (`billing::coupons::{resolve_one, redeem_code}`), kept here so billing never reads a deal.

use super::{DealLine, DealLineInput};
use crate::access::Actor;
use crate::billing::coupons::{redeem_code, resolve_one};
use crate::error::{AppError, AppResult};
use crate::money::Currency;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;

/// Fills each line's discount that names a coupon from the coupon, as of `today`.
/// Errors name `lines.<index>.discount.coupon`.
pub async fn resolve<C: ConnectionTrait>(
    connection: &C,
    lines: &mut [DealLineInput],
    today: NaiveDate,
) -> AppResult<()> {
    for (index, line) in lines.iter_mut().enumerate() {
        let currency = Currency::parse(&line.unit_price.currency).ok();
        let Some(given) = line.discount.as_mut() else {
            continue;
        };
        if let Some(currency) = currency {
            let field = format!("lines.{index}.discount.coupon");
            resolve_one(connection, given, currency, today, &field).await?;
        }
    }
    Ok(())
}

/// Counts one redemption of each coupon on an approved deal's lines, in the approval's
/// transaction: refused (and the approval with it) when a coupon has expired or has no
/// redemptions left by now.
pub async fn redeem<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    deal_id: i64,
    contract_id: i64,
    lines: &[DealLine],
    now: DateTime<Utc>,
) -> AppResult<()> {
    // Each code once, named by the first line that carries it.
    let mut codes: Vec<(&str, usize)> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if let Some(code) = line
            .discount
            .as_ref()
            .and_then(|discount| discount.coupon.as_deref())
        {
            if !codes.iter().any(|(seen, _)| *seen == code) {
                codes.push((code, index));
            }
        }
    }
    for (code, index) in codes {
        let field = format!("lines.{index}.discount.coupon");
        redeem_code(connection, actor, code, &field, deal_id, contract_id, now)
            .await
            .map_err(|error| match error {
                AppError::Validation { field, message } => AppError::Validation {
                    field,
                    message: format!(
                        "{message} Take it off the deal's line to approve the deal without it."
                    ),
                },
                other => other,
            })?;
    }
    Ok(())
}
