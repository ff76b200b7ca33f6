//! Customer master values. Address and contact are both API shapes and stored JSON: they are
//! plain values with no identity, so one definition serves input, output and storage.

use super::rules::{validate_country, PaymentMethodKind, PaymentTerms};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::values::{optional_text, require_text, EmailAddress};
use async_graphql::{InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, SimpleObject, InputObject)]
#[graphql(input_name = "AddressInput")]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, e.g. "US".
    pub country: String,
}

impl Address {
    /// Trims every part and checks the required ones; errors name `field.part`.
    pub fn validated(self, field: &str) -> AppResult<Address> {
        let within = |error: AppError| error.within(field);
        Ok(Address {
            line1: require_text("line1", &self.line1, 200).map_err(within)?,
            line2: optional_text("line2", self.line2.as_deref(), 200).map_err(within)?,
            city: require_text("city", &self.city, 100).map_err(within)?,
            region: optional_text("region", self.region.as_deref(), 100).map_err(within)?,
            postal_code: require_text("postalCode", &self.postal_code, 20).map_err(within)?,
            country: validate_country(&self.country)
                .map_err(|message| AppError::validation(format!("{field}.country"), message))?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, SimpleObject, InputObject)]
#[graphql(input_name = "ContactInput")]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

impl Contact {
    pub fn validated(self, field: &str) -> AppResult<Contact> {
        let name = require_text("name", &self.name, 200).map_err(|error| error.within(field))?;
        let email = EmailAddress::parse(&format!("{field}.email"), &self.email)?;
        let phone = optional_text("phone", self.phone.as_deref(), 40)
            .map_err(|error| error.within(field))?;
        if let Some(phone) = &phone {
            let allowed = phone
                .chars()
                .all(|character| character.is_ascii_digit() || " +-().".contains(character));
            if !allowed || phone.chars().filter(char::is_ascii_digit).count() < 6 {
                return Err(AppError::validation(
                    format!("{field}.phone"),
                    format!("\"{phone}\" is not a phone number: use digits, spaces and + - ( )."),
                ));
            }
        }
        Ok(Contact {
            name,
            email: email.as_str().to_string(),
            phone,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, SimpleObject)]
pub struct PaymentMethod {
    pub kind: PaymentMethodKind,
    pub masked_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Customer {
    pub id: i64,
    /// The customer's id in the system it came from (CRM account, old billing tool), unique.
    pub external_ref: Option<String>,
    pub legal_name: String,
    pub billing_address: Address,
    pub remit_to_address: Address,
    pub tax_registration_number: Option<String>,
    pub billing_contact: Contact,
    pub payment_method: Option<PaymentMethod>,
    pub credit_limit: Money,
    pub payment_terms: PaymentTerms,
    pub billing_currency: Currency,
    pub has_paid_invoice: bool,
    pub prior_late_payer: bool,
    pub on_credit_hold: bool,
    pub credit_hold_reason: Option<String>,
    pub credit_hold_since: Option<DateTime<Utc>>,
    /// "ladder" when the collections ladder placed the hold (and lifts it), "manual" otherwise.
    pub credit_hold_source: Option<String>,
    pub on_watch: bool,
    pub watch_since: Option<chrono::NaiveDate>,
    pub account_manager_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<crate::entities::customer::Model> for Customer {
    type Error = AppError;
    fn try_from(model: crate::entities::customer::Model) -> AppResult<Customer> {
        let currency = Currency::parse(&model.billing_currency)?;
        let payment_method = match model.payment_method_kind.as_deref() {
            Some(kind) => Some(PaymentMethod {
                kind: PaymentMethodKind::parse(kind).ok_or_else(|| {
                    AppError::internal(format!("customer {} has payment kind {kind}", model.id))
                })?,
                masked_reference: model.payment_method_masked,
            }),
            None => None,
        };
        Ok(Customer {
            id: model.id,
            external_ref: model.external_ref,
            legal_name: model.legal_name,
            billing_address: serde_json::from_str(&model.billing_address_json)?,
            remit_to_address: serde_json::from_str(&model.remit_to_address_json)?,
            tax_registration_number: model.tax_registration_number,
            billing_contact: serde_json::from_str(&model.billing_contact_json)?,
            payment_method,
            credit_limit: Money::from_minor(model.credit_limit_minor, currency),
            payment_terms: PaymentTerms::parse(&model.payment_terms).ok_or_else(|| {
                AppError::internal(format!(
                    "customer {} has terms {}",
                    model.id, model.payment_terms
                ))
            })?,
            billing_currency: currency,
            has_paid_invoice: model.has_paid_invoice,
            prior_late_payer: model.prior_late_payer,
            on_credit_hold: model.on_credit_hold,
            credit_hold_reason: model.credit_hold_reason,
            credit_hold_since: model.credit_hold_since,
            credit_hold_source: model.credit_hold_source,
            on_watch: model.on_watch,
            watch_since: model.watch_since,
            account_manager_id: model.account_manager_id,
            created_at: model.created_at,
        })
    }
}
