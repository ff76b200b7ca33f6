//! Free trials: a subscription line free from `trial_from` until its start date, when it
//! converts to paid and bills like any line. A week before (and up to the day), the deal's AE —
//! who owns the customer relationship — is alerted in the app, once per line, so someone talks
//! to the customer before the first invoice goes out (or cancels the line during the trial,
//! which then never bills).

use crate::entities::{contract, contract_line, customer, deal};
use crate::error::AppResult;
use crate::money::{Currency, Money};
use crate::notifications::alerts::{self, NewAlert};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// How many days before converting the owner hears of it.
pub const ALERT_DAYS: i64 = 7;

/// Raises the conversion alert of every line whose trial converts within `ALERT_DAYS` of
/// `as_of` (and has not been cancelled); returns how many were new. Each line's alert once ever.
pub async fn alert_conversions<C: ConnectionTrait>(
    connection: &C,
    as_of: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let until = as_of + chrono::Duration::days(ALERT_DAYS);
    let lines = contract_line::Entity::find()
        .filter(contract_line::Column::TrialFrom.is_not_null())
        .filter(contract_line::Column::CancelledOn.is_null())
        .filter(contract_line::Column::StartDate.gte(as_of))
        .filter(contract_line::Column::StartDate.lte(until))
        .all(connection)
        .await?;
    let mut raised = 0;
    for line in lines {
        let Some(contract) = contract::Entity::find_by_id(line.contract_id)
            .one(connection)
            .await?
        else {
            continue;
        };
        let Some(owner) = deal::Entity::find_by_id(contract.deal_id)
            .one(connection)
            .await?
            .and_then(|deal| deal.assigned_ae_id)
        else {
            continue;
        };
        let customer_name = customer::Entity::find_by_id(contract.customer_id)
            .one(connection)
            .await?
            .map_or_else(|| "A customer".to_string(), |customer| customer.legal_name);
        let price = Money::from_minor(line.unit_price_minor, Currency::parse(&line.currency)?);
        let every = line
            .billing_frequency
            .as_deref()
            .map(|frequency| frequency.to_lowercase())
            .unwrap_or_default();
        let days = (line.start_date - as_of).num_days();
        let when = match days {
            0 => "today".to_string(),
            1 => "tomorrow".to_string(),
            _ => format!("in {days} days"),
        };
        let fresh = alerts::raise(
            connection,
            now,
            NewAlert {
                user_id: owner,
                kind: "trial",
                dedupe_key: format!("trial:{}:{owner}", line.id),
                title: format!("{customer_name}'s trial of {} converts {when}", line.product_name),
                body: format!(
                    "Contract {}: {}'s free trial of {} (since {}) converts to paid on {} — {} × {price}, billed {every}. Cancel the line before then if they are not staying.",
                    contract.contract_number,
                    customer_name,
                    line.product_name,
                    line.trial_from.map(|day| day.to_string()).unwrap_or_default(),
                    line.start_date,
                    line.quantity,
                ),
                link: Some(format!("/deals/{}", contract.deal_id)),
            },
        )
        .await?;
        if fresh {
            raised += 1;
        }
    }
    Ok(raised)
}
