//! The tables invoices are built from: tax rates by jurisdiction, FX rates to the functional
//! currency, and the legal entities' invoicing details.

use super::rules::Jurisdiction;
use super::*;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{fx_rate, tax_rate};
use crate::values::require_text;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set, TransactionTrait};
use std::str::FromStr;

impl InvoiceService {
    pub async fn tax_rates(&self, actor: &Actor) -> AppResult<Vec<TaxRateRow>> {
        actor.require(Permission::InvoiceRead)?;
        Ok(tax_rate::Entity::find()
            .order_by_asc(tax_rate::Column::Country)
            .order_by_asc(tax_rate::Column::Region)
            .order_by_asc(tax_rate::Column::EffectiveFrom)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| TaxRateRow {
                jurisdiction: Jurisdiction {
                    country: row.country,
                    region: row.region,
                }
                .code(),
                rate_percent: row.rate_percent,
                label: row.label,
                effective_from: crate::values::IsoDate(row.effective_from),
            })
            .collect())
    }

    /// Adds a rate for a jurisdiction from a date (history is kept; the latest in force applies).
    pub async fn set_tax_rate(
        &self,
        actor: &Actor,
        jurisdiction: &str,
        rate_percent: &str,
        label: &str,
        effective_from: NaiveDate,
    ) -> AppResult<TaxRateRow> {
        actor.require(Permission::BillingSetup)?;
        let place = Jurisdiction::parse(jurisdiction)
            .map_err(|message| AppError::validation("jurisdiction", message))?;
        crate::customers::rules::validate_country(&place.country)
            .map_err(|message| AppError::validation("jurisdiction", message))?;
        let rate = Decimal::from_str(rate_percent.trim())
            .ok()
            .filter(|rate| !rate.is_sign_negative() && *rate <= Decimal::ONE_HUNDRED)
            .ok_or_else(|| {
                AppError::validation(
                    "ratePercent",
                    "Give the rate as a percentage from 0 to 100, such as 7.25.",
                )
            })?;
        let label = require_text("label", label, 100)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let exists = tax_rate::Entity::find()
            .filter(tax_rate::Column::Country.eq(place.country.clone()))
            .filter(tax_rate::Column::Region.eq(place.region.clone()))
            .filter(tax_rate::Column::EffectiveFrom.eq(effective_from))
            .one(&transaction)
            .await?;
        if exists.is_some() {
            return Err(AppError::validation(
                "effectiveFrom",
                format!(
                    "{} already has a rate from {effective_from}; add one from another date.",
                    place.code()
                ),
            ));
        }
        tax_rate::ActiveModel {
            country: Set(place.country.clone()),
            region: Set(place.region.clone()),
            rate_percent: Set(rate.normalize().to_string()),
            label: Set(label.clone()),
            effective_from: Set(effective_from),
            created_at: Set(now),
            created_by: Set(Some(actor.user_id)),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let row = TaxRateRow {
            jurisdiction: place.code(),
            rate_percent: rate.normalize().to_string(),
            label,
            effective_from: crate::values::IsoDate(effective_from),
        };
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "tax_rate.set",
                entity_type: "tax_rate",
                entity_id: place.code(),
                before: None,
                after: Some(&row),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(row)
    }

    pub async fn fx_rates(&self, actor: &Actor) -> AppResult<Vec<FxRateRow>> {
        actor.require(Permission::InvoiceRead)?;
        Ok(fx_rate::Entity::find()
            .order_by_asc(fx_rate::Column::Currency)
            .order_by_desc(fx_rate::Column::RateDate)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| FxRateRow {
                currency: row.currency,
                functional_currency: self.functional.code().to_string(),
                rate_date: crate::values::IsoDate(row.rate_date),
                rate: row.rate,
            })
            .collect())
    }

    /// Records how many units of the functional currency one unit of `currency` buys on a date.
    pub async fn set_fx_rate(
        &self,
        actor: &Actor,
        currency: &str,
        rate_date: NaiveDate,
        rate: &str,
    ) -> AppResult<FxRateRow> {
        actor.require(Permission::BillingSetup)?;
        let currency = crate::values::parse_currency("currency", currency)?;
        if currency == self.functional {
            return Err(AppError::validation(
                "currency",
                format!(
                    "{} is the functional currency; its rate is always 1.",
                    currency.code()
                ),
            ));
        }
        let rate = Decimal::from_str(rate.trim())
            .ok()
            .filter(|rate| *rate > Decimal::ZERO)
            .ok_or_else(|| {
                AppError::validation(
                    "rate",
                    "Give the rate as a positive decimal, such as 1.0842.",
                )
            })?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let existing = fx_rate::Entity::find()
            .filter(fx_rate::Column::Currency.eq(currency.code()))
            .filter(fx_rate::Column::RateDate.eq(rate_date))
            .one(&transaction)
            .await?;
        if existing.is_some() {
            return Err(AppError::validation(
                "rateDate",
                format!("{} already has a rate for {rate_date}.", currency.code()),
            ));
        }
        fx_rate::ActiveModel {
            currency: Set(currency.code().to_string()),
            rate_date: Set(rate_date),
            rate: Set(rate.normalize().to_string()),
            created_at: Set(now),
            created_by: Set(Some(actor.user_id)),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let row = FxRateRow {
            currency: currency.code().to_string(),
            functional_currency: self.functional.code().to_string(),
            rate_date: crate::values::IsoDate(rate_date),
            rate: rate.normalize().to_string(),
        };
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "fx_rate.set",
                entity_type: "fx_rate",
                entity_id: format!("{}:{rate_date}", currency.code()),
                before: None,
                after: Some(&row),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(row)
    }

    pub async fn legal_entities(&self, actor: &Actor) -> AppResult<Vec<LegalEntity>> {
        actor.require(Permission::InvoiceRead)?;
        legal_entity::Entity::find()
            .order_by_asc(legal_entity::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(entity_from_model)
            .collect()
    }

    /// Creates or replaces the invoicing details of a legal entity (by name).
    pub async fn set_legal_entity(
        &self,
        actor: &Actor,
        entity: LegalEntity,
    ) -> AppResult<LegalEntity> {
        actor.require(Permission::BillingSetup)?;
        let name = require_text("name", &entity.name, 200)?;
        let address = entity.address.validated("address")?;
        let remit_to: Vec<String> = entity
            .remit_to
            .iter()
            .map(|line| line.trim().to_string())
            .filter(|line| !line.is_empty())
            .collect();
        if remit_to.is_empty() {
            return Err(AppError::validation(
                "remitTo",
                "Give the remit-to address.",
            ));
        }
        let instructions = require_text("paymentInstructions", &entity.payment_instructions, 2000)?;
        let entity = LegalEntity {
            name,
            address,
            tax_id: entity
                .tax_id
                .map(|id| id.trim().to_string())
                .filter(|id| !id.is_empty()),
            remit_to,
            payment_instructions: instructions,
        };
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        // The details it replaces, for the audit trail.
        let before = legal_entity::Entity::find()
            .filter(legal_entity::Column::Name.eq(entity.name.clone()))
            .one(&transaction)
            .await?
            .map(entity_from_model)
            .transpose()?;
        upsert_legal_entity(&transaction, &entity, now).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "legal_entity.set",
                entity_type: "legal_entity",
                entity_id: entity.name.clone(),
                before: before.as_ref(),
                after: Some(&entity),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(entity)
    }
}

pub async fn upsert_legal_entity<C: ConnectionTrait>(
    connection: &C,
    entity: &LegalEntity,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let address_json = serde_json::to_string(&entity.address).map_err(AppError::internal)?;
    let remit_json = serde_json::to_string(&entity.remit_to).map_err(AppError::internal)?;
    let existing = legal_entity::Entity::find()
        .filter(legal_entity::Column::Name.eq(entity.name.clone()))
        .one(connection)
        .await?;
    match existing {
        Some(row) => {
            let mut row: legal_entity::ActiveModel = row.into();
            row.address_json = Set(address_json);
            row.tax_id = Set(entity.tax_id.clone());
            row.remit_to_json = Set(remit_json);
            row.payment_instructions = Set(entity.payment_instructions.clone());
            row.update(connection).await?;
        }
        None => {
            legal_entity::ActiveModel {
                name: Set(entity.name.clone()),
                address_json: Set(address_json),
                tax_id: Set(entity.tax_id.clone()),
                remit_to_json: Set(remit_json),
                payment_instructions: Set(entity.payment_instructions.clone()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(connection)
            .await?;
        }
    }
    Ok(())
}
