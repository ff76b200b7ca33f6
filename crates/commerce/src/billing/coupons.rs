//! Coupons: a code a finance team hands out that gives a deal's subscription line a recurring
//! discount (`discount::LineDiscount`), usable until a date and up to a number of redemptions —
//! Chargebee's and Stripe's coupons, with their "valid till" and "max redemptions".
//!
//! - Applying a code to a draft deal's line (`discount: { coupon: "SPRING20" }`) fills the
//!   line's discount from the coupon, refused when the code is unknown, expired or used up, or an
//!   amount off is in another currency than the line.
//! - A redemption is counted when the deal is approved, in the approval's transaction, by an
//!   UPDATE that only succeeds while the coupon is under its limit and not expired: of two
//!   approvals racing for the last redemption exactly one wins, and the other is refused whole.

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::billing::discount::{self, LineDiscount, Off};
use crate::billing::discounts::DiscountInput;
use crate::entities::{coupon, coupon_redemption};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::values::{require_text, IsoDate, MoneyInput};
use async_graphql::InputObject;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use std::str::FromStr;

/// The most coupons listed at once.
pub const MAX_LISTED: u64 = 500;

#[derive(Debug, Clone, InputObject)]
pub struct CouponCreateInput {
    /// What customers type: letters, digits, '-' and '_', up to 40; kept in capitals.
    pub code: String,
    /// What the invoice's discount line calls it.
    pub label: String,
    /// Percent off each discounted period ("20"); give this or `amount`.
    pub percent: Option<String>,
    /// Amount off each whole period; the coupon then fits only lines in its currency.
    pub amount: Option<MoneyInput>,
    /// How many periods the discount lasts; empty: for as long as the line runs.
    pub periods: Option<i32>,
    /// Last day the coupon can be applied to a deal or redeemed by approving one.
    pub expires_on: Option<IsoDate>,
    /// How many deals may redeem it; empty: no limit.
    pub redemption_limit: Option<i32>,
}

/// A coupon with what is left of it.
#[derive(Debug, Clone, Serialize)]
pub struct Coupon {
    pub id: i64,
    pub code: String,
    pub label: String,
    pub percent: Option<Decimal>,
    pub amount: Option<Money>,
    pub periods: Option<u32>,
    pub expires_on: Option<NaiveDate>,
    pub redemption_limit: Option<i64>,
    pub redeemed: i64,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

impl Coupon {
    /// The discount the coupon gives a line (its label says which coupon).
    pub fn discount(&self) -> LineDiscount {
        LineDiscount {
            off: match (self.percent, self.amount) {
                (Some(percent), _) => Off::Percent(percent),
                (None, Some(amount)) => Off::Amount(amount.minor()),
                (None, None) => Off::Percent(Decimal::ZERO),
            },
            periods: self.periods,
            from: None,
            label: format!("{} ({})", self.label, self.code),
            coupon: Some(self.code.clone()),
        }
    }

    /// Why the coupon cannot be used on `today`, if it cannot.
    pub fn unusable(&self, today: NaiveDate) -> Option<String> {
        if let Some(archived) = self.archived_at {
            return Some(format!(
                "Coupon {} was archived on {}; it takes no new redemptions.",
                self.code,
                archived.date_naive()
            ));
        }
        if let Some(expires) = self.expires_on.filter(|expires| *expires < today) {
            return Some(format!("Coupon {} expired on {expires}.", self.code));
        }
        match self.redemption_limit {
            Some(limit) if self.redeemed >= limit => Some(format!(
                "Coupon {} has been redeemed {} of {limit} times; none are left.",
                self.code, self.redeemed
            )),
            _ => None,
        }
    }
}

fn from_model(model: coupon::Model) -> AppResult<Coupon> {
    let amount = match (model.amount_minor, model.currency.as_deref()) {
        (Some(minor), Some(code)) => Some(Money::from_minor(minor, Currency::parse(code)?)),
        _ => None,
    };
    Ok(Coupon {
        id: model.id,
        code: model.code,
        label: model.label,
        percent: model
            .percent
            .as_deref()
            .map(|text| crate::billing::repo::decimal("coupon percent", text))
            .transpose()?,
        amount,
        periods: model.periods.and_then(|count| u32::try_from(count).ok()),
        expires_on: model.expires_on,
        redemption_limit: model.redemption_limit,
        redeemed: i64::from(model.redeemed),
        created_at: model.created_at,
        archived_at: model.archived_at,
    })
}

/// A code as stored: trimmed, in capitals; refused unless letters, digits, '-' or '_'.
pub fn normalise_code(field: &str, code: &str) -> AppResult<String> {
    let code = code.trim().to_uppercase();
    if code.is_empty() || code.chars().count() > 40 {
        return Err(AppError::validation(
            field,
            "A coupon code has 1 to 40 characters.",
        ));
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(AppError::validation(
            field,
            format!("{code:?}: a coupon code has letters, digits, '-' and '_' only."),
        ));
    }
    Ok(code)
}

/// Creates a coupon; the code must be new.
pub async fn create<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    input: &CouponCreateInput,
    now: DateTime<Utc>,
) -> AppResult<Coupon> {
    actor.require(Permission::BillingSetup)?;
    let code = normalise_code("code", &input.code)?;
    let label = require_text("label", &input.label, discount::MAX_LABEL - 43)?;
    let amount = input
        .amount
        .as_ref()
        .map(|amount| amount.parse("amount"))
        .transpose()?;
    let percent = input
        .percent
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| {
            Decimal::from_str(text)
                .map_err(|_| AppError::validation("percent", format!("{text:?} is not a number.")))
        })
        .transpose()?;
    let off = match (percent, amount) {
        (Some(_), Some(_)) => {
            return Err(AppError::validation(
                "amount",
                "Give a percent or an amount off, not both.",
            ))
        }
        (None, None) => {
            return Err(AppError::validation(
                "percent",
                "Give the percent or the amount that comes off each period.",
            ))
        }
        (Some(percent), None) => Off::Percent(percent),
        (None, Some(amount)) => Off::Amount(amount.minor()),
    };
    let periods = input
        .periods
        .map(|count| {
            u32::try_from(count).map_err(|_| {
                AppError::validation("periods", "A discount lasts at least one period.")
            })
        })
        .transpose()?;
    let terms = LineDiscount {
        off,
        periods,
        from: None,
        label: label.clone(),
        coupon: None,
    };
    discount::validate(&terms).map_err(|(part, message)| AppError::validation(part, message))?;
    if let Some(limit) = input.redemption_limit.filter(|limit| *limit < 1) {
        return Err(AppError::validation(
            "redemptionLimit",
            format!("A coupon can be redeemed at least once; {limit} is not a limit. Leave it empty for no limit."),
        ));
    }
    let today = now.date_naive();
    if let Some(expires) = input.expires_on.filter(|expires| expires.0 < today) {
        return Err(AppError::validation(
            "expiresOn",
            format!(
                "{} is already past; a coupon expires today or later.",
                expires.0
            ),
        ));
    }
    let taken = coupon::Entity::find()
        .filter(coupon::Column::Code.eq(code.as_str()))
        .one(connection)
        .await?;
    if taken.is_some() {
        return Err(AppError::validation(
            "code",
            format!("There is already a coupon {code}."),
        ));
    }
    let model = coupon::ActiveModel {
        code: Set(code),
        label: Set(label),
        percent: Set(percent.map(|percent| percent.normalize().to_string())),
        amount_minor: Set(amount.map(|amount| amount.minor())),
        currency: Set(amount.map(|amount| amount.currency().code().to_string())),
        periods: Set(periods.map(i64::from)),
        expires_on: Set(input.expires_on.map(|date| date.0)),
        redemption_limit: Set(input.redemption_limit.map(i64::from)),
        redeemed: Set(0),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(connection)
    .await?;
    let created = from_model(model)?;
    audit::record(
        connection,
        Some(actor),
        now,
        AuditRecord::<(), _> {
            action: "coupon.create",
            entity_type: "coupon",
            entity_id: created.id.to_string(),
            before: None,
            after: Some(&created),
        },
    )
    .await?;
    Ok(created)
}

/// Archives a coupon: it takes no new redemptions (drafts that carry it are refused it at
/// approval), while the lines that already carry its discount keep it. Archiving an archived
/// coupon changes nothing.
pub async fn archive<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<Coupon> {
    actor.require(Permission::BillingSetup)?;
    let code = normalise_code("code", code)?;
    let before = find_by_code(connection, &code)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no coupon {code}.")))?;
    let archived = coupon::Entity::update_many()
        .col_expr(coupon::Column::ArchivedAt, Expr::value(now))
        .filter(coupon::Column::Id.eq(before.id))
        .filter(coupon::Column::ArchivedAt.is_null())
        .exec(connection)
        .await?;
    let after = find_by_code(connection, &code)
        .await?
        .ok_or_else(|| AppError::internal(format!("coupon {code} vanished")))?;
    if archived.rows_affected == 1 {
        audit::record(
            connection,
            Some(actor),
            now,
            AuditRecord {
                action: "coupon.archive",
                entity_type: "coupon",
                entity_id: after.id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
    }
    Ok(after)
}

/// Every coupon, newest first (at most `MAX_LISTED`).
pub async fn list<C: ConnectionTrait>(connection: &C, actor: &Actor) -> AppResult<Vec<Coupon>> {
    actor.require(Permission::DealRead)?;
    use sea_orm::QuerySelect;
    coupon::Entity::find()
        .order_by_desc(coupon::Column::Id)
        .limit(MAX_LISTED)
        .all(connection)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

async fn find_by_code<C: ConnectionTrait>(connection: &C, code: &str) -> AppResult<Option<Coupon>> {
    coupon::Entity::find()
        .filter(coupon::Column::Code.eq(code))
        .one(connection)
        .await?
        .map(from_model)
        .transpose()
}

/// Fills a discount that names a coupon from the coupon, as of `today`, for a line in
/// `currency`; figures given beside the code must be the coupon's (as a form sending back what
/// it showed does). Refused, naming `field`, when the code is unknown, expired or used up, or an
/// amount off is in another currency. A discount without a code is left as it is.
pub async fn resolve_one<C: ConnectionTrait>(
    connection: &C,
    given: &mut DiscountInput,
    currency: Currency,
    today: NaiveDate,
    field: &str,
) -> AppResult<()> {
    let Some(code) = given.coupon.clone() else {
        return Ok(());
    };
    let code = normalise_code(field, &code)?;
    let coupon = find_by_code(connection, &code)
        .await?
        .ok_or_else(|| AppError::validation(field, format!("There is no coupon {code}.")))?;
    if let Some(reason) = coupon.unusable(today) {
        return Err(AppError::validation(field, reason));
    }
    if let Some(amount) = coupon.amount.filter(|amount| amount.currency() != currency) {
        return Err(AppError::validation(
            field,
            format!(
                "Coupon {code} takes {amount} off and fits lines in {}; this line is in {}.",
                amount.currency().code(),
                currency.code()
            ),
        ));
    }
    let resolved = DiscountInput::of(&coupon.discount(), currency);
    let differs = |mine: &Option<String>, theirs: &Option<String>| {
        let mine = mine
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty());
        let parsed = |text: &str| Decimal::from_str(text).ok().map(|value| value.normalize());
        mine.is_some() && mine.and_then(parsed) != theirs.as_deref().and_then(parsed)
    };
    if differs(&given.percent, &resolved.percent)
        || differs(&given.amount, &resolved.amount)
        || (given.periods.is_some() && given.periods != resolved.periods)
    {
        return Err(AppError::validation(
            field,
            format!(
                "Coupon {code} gives {}; leave the discount's own figures empty.",
                coupon.discount().describe(currency)
            ),
        ));
    }
    *given = DiscountInput {
        from: given.from,
        ..resolved
    };
    Ok(())
}

/// Counts one redemption of `code` for a deal's contract (by its approval, or by a modification
/// of the contract), refused naming `field` when the coupon has expired, has none left, or this
/// deal already redeemed it.
pub async fn redeem_code<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    code: &str,
    field: &str,
    deal_id: i64,
    contract_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let today = now.date_naive();
    let coupon = find_by_code(connection, code)
        .await?
        .ok_or_else(|| AppError::validation(field, format!("There is no coupon {code}.")))?;
    let again = coupon_redemption::Entity::find()
        .filter(coupon_redemption::Column::CouponId.eq(coupon.id))
        .filter(coupon_redemption::Column::DealId.eq(deal_id))
        .one(connection)
        .await?;
    if again.is_some() {
        return Err(AppError::validation(
            field,
            format!(
                "Coupon {code} was already redeemed for this contract; it is used once per deal."
            ),
        ));
    }
    let counted = coupon::Entity::update_many()
        .col_expr(
            coupon::Column::Redeemed,
            Expr::col(coupon::Column::Redeemed).add(1),
        )
        .filter(coupon::Column::Id.eq(coupon.id))
        .filter(
            sea_orm::Condition::any()
                .add(coupon::Column::RedemptionLimit.is_null())
                .add(
                    Expr::col(coupon::Column::Redeemed)
                        .lt(Expr::col(coupon::Column::RedemptionLimit)),
                ),
        )
        .filter(
            sea_orm::Condition::any()
                .add(coupon::Column::ExpiresOn.is_null())
                .add(coupon::Column::ExpiresOn.gte(today)),
        )
        .filter(coupon::Column::ArchivedAt.is_null())
        .exec(connection)
        .await?;
    let coupon = find_by_code(connection, code)
        .await?
        .ok_or_else(|| AppError::internal(format!("coupon {code} vanished")))?;
    if counted.rows_affected != 1 {
        let reason = coupon
            .unusable(today)
            .unwrap_or_else(|| format!("Coupon {code} cannot be redeemed now."));
        return Err(AppError::validation(field, reason));
    }
    coupon_redemption::ActiveModel {
        coupon_id: Set(coupon.id),
        deal_id: Set(deal_id),
        contract_id: Set(contract_id),
        redeemed_by: Set(actor.user_id),
        redeemed_at: Set(now),
        ..Default::default()
    }
    .insert(connection)
    .await?;
    audit::record(
        connection,
        Some(actor),
        now,
        AuditRecord::<(), _> {
            action: "coupon.redeem",
            entity_type: "coupon",
            entity_id: coupon.id.to_string(),
            before: None,
            after: Some(&serde_json::json!({
                "code": code,
                "dealId": deal_id,
                "contractId": contract_id,
                "redeemed": coupon.redeemed,
                "redemptionLimit": coupon.redemption_limit,
            })),
        },
    )
    .await
}
